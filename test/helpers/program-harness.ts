/**
 * For tests of program decoders (PORTMAP/RPCBIND, MOUNT, NFS3): the RPC messages of a real fixture as the core
 * pipeline delivers them, and a way to run one procedure's decoder on one of them, with a FormatContext whose
 * learned names can be filled in by the test.
 */
import { Pipeline, DEFAULT_PIPELINE } from '../../src/pipeline';
import { isRpcEvent, type RpcEvent } from '../../src/rpc/rpc-event';
import { XdrReader } from '../../src/rpc/xdr';
import { Registry, type DecodeContext, type FormatContext, type ProcedureDef } from '../../src/rpc/registry';
import { FhNames } from '../../src/programs/fh-names';
import type { FileHandle } from '../../src/programs/file-handle';
import { programName } from '../../src/rpc/program-names';
import { readFrames } from './capture-packets';
import { fixture } from './fixtures';

/** Every RPC message of fixtures/NAME, in output order. */
export async function fixtureEvents(name: string): Promise<RpcEvent[]> {
  const events: RpcEvent[] = [];
  const p = new Pipeline(DEFAULT_PIPELINE, (ev) => {
    if (isRpcEvent(ev)) events.push(ev);
  });
  for (const f of await readFrames(fixture(name))) p.pushFrame(f);
  p.finish();
  return events;
}

/** The messages of one procedure: calls and their replies (paired), e.g. (100003, 3, 1) for NFS GETATTR. */
export function ofProcedure(events: RpcEvent[], prog: number, vers: number, proc: number): RpcEvent[] {
  return events.filter((e) => e.prog === prog && e.vers === vers && e.proc === proc);
}

export function decodeContext(ev: RpcEvent, registry: Registry = new Registry()): DecodeContext {
  return { transport: ev.record.transport, registry, depth: 0, truncated: ev.record.truncated };
}

/** Runs def.readArgs on a call's arguments (the bytes after the RPC header). */
export function decodeArgs(def: ProcedureDef, ev: RpcEvent, registry?: Registry): unknown {
  if (!def.readArgs) throw new Error(`${def.name} has no readArgs`);
  const r = new XdrReader(ev.record.bytes, ev.msg.bodyOffset);
  return def.readArgs(r, decodeContext(ev, registry));
}

/** Runs def.readResult on a reply's results, given the call's decoded arguments. */
export function decodeResult(def: ProcedureDef, ev: RpcEvent, args: unknown, registry?: Registry): unknown {
  if (!def.readResult) throw new Error(`${def.name} has no readResult`);
  const r = new XdrReader(ev.record.bytes, ev.msg.bodyOffset);
  return def.readResult(r, args, decodeContext(ev, registry));
}

/** A FormatContext like the CLI's: `FH=XXXX`, plus ` (path)` when `names` is on and the path is known. */
export function formatContext(opts: { names?: FhNames; showNames?: boolean; registry?: Registry } = {}): FormatContext {
  const names = opts.names ?? new FhNames();
  const path = (h: FileHandle): string | null => names.path(h.hex);
  return {
    fh: (h) => {
      const p = opts.showNames ? path(h) : null;
      return p ? `FH=${h.hash} (${p})` : `FH=${h.hash}`;
    },
    path,
    programName: (prog) => programName(prog) ?? '?',
    registry: opts.registry ?? new Registry(),
    depth: 0,
  };
}
