/**
 * For the NFSv3 decoder tests: every NFS version 3 message of a fixture, decoded with NFS3_PROCEDURES the way the
 * pipeline does (arguments of calls; results of accepted SUCCESS replies, given their call's arguments), next to
 * tshark's row for the same frame (fixtures/NAME.tsv) and its summary line (NAME.txt).
 */
import { readFileSync } from 'node:fs';
import type { RpcEvent } from '../../src/rpc/rpc-event';
import type { Transaction } from '../../src/rpc/pairing';
import { NFS3_PROCEDURES, type Nfs3ProcedureDef } from '../../src/programs/nfs3/procs';
import { decodeArgs, decodeResult, fixtureEvents } from './program-harness';
import { fixture, readTsv, type TsvRow } from './fixtures';

export interface Nfs3Message {
  ev: RpcEvent;
  frame: number;
  def: Nfs3ProcedureDef;
  kind: 'call' | 'reply';
  /** Decoded arguments (call) or results (reply); undefined when `error` is set or the reply was not SUCCESS. */
  value?: unknown;
  /** For a reply: its call's decoded arguments. */
  args?: unknown;
  error?: unknown;
  row: TsvRow | undefined;
  /** tshark's summary line for the frame (NAME.txt), or ''. */
  info: string;
}

export async function nfs3Messages(name: string): Promise<Nfs3Message[]> {
  const events = await fixtureEvents(name);
  const rows = new Map(readTsv(fixture(`${name}.tsv`)).map((r) => [Number(r['frame.number']), r]));
  const info = new Map<number, string>();
  for (const line of readFileSync(fixture(`${name}.txt`), 'utf8').split('\n')) {
    const m = /^\s*(\d+)\s/.exec(line);
    if (m) info.set(Number(m[1]), line);
  }
  const argsOf = new Map<Transaction, unknown>();
  const out: Nfs3Message[] = [];
  for (const ev of events) {
    if (ev.prog !== 100003 || ev.vers !== 3 || ev.proc === null) continue;
    const def = NFS3_PROCEDURES[ev.proc];
    if (!def) continue;
    const frame = ev.record.frameNo;
    const m: Nfs3Message = { ev, frame, def, kind: ev.msg.type, row: rows.get(frame), info: info.get(frame) ?? '' };
    try {
      if (ev.msg.type === 'call') {
        m.value = decodeArgs(def, ev);
        if (ev.tx) argsOf.set(ev.tx, m.value);
      } else {
        m.args = ev.tx ? argsOf.get(ev.tx) : undefined;
        if (ev.msg.replyStat === 0 && ev.msg.acceptStat === 0) m.value = decodeResult(def, ev, m.args);
      }
    } catch (e) {
      m.error = e;
    }
    out.push(m);
  }
  return out;
}

/** The one message of a frame (throws if there is not exactly one). */
export function atFrame(msgs: Nfs3Message[], frame: number): Nfs3Message {
  const found = msgs.filter((m) => m.frame === frame);
  if (found.length !== 1) throw new Error(`${found.length} NFSv3 messages at frame ${frame}`);
  return found[0];
}
