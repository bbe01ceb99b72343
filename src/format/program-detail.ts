/**
 * The program layer's `-v` block of a message (snoop-format.md §2.5-2.6): the program's prefix and title, and
 * the procedure's detail lines — shown, as in snoop, for calls that decoded and for successful replies to a
 * known call. Shared by `-v` and the TUI's detail tree; the lines carry their bytes in the record (DetailNode).
 */
import type { FormatContext } from '../rpc/registry';
import type { RpcEvent } from '../rpc/rpc-event';
import type { ByteRange, DetailNode } from './detail';
import { XdrSpans } from './xdr-spans';

export interface ProgramBlock {
  prefix: string;
  title: string;
  nodes: DetailNode[];
  /** The procedure's arguments or results in the record: from the end of the RPC header to the record's end. */
  range: ByteRange;
}

/** RFC 5531 §9 call_body: xid, msg_type, rpcvers, prog, vers, then proc at bytes 20-24 of every call. */
const CALL_PROC_FIELD: ByteRange = { start: 20, end: 24 };

/** A cursor at the start of a message's arguments or results (what programBlock walks by default). */
export function programSpans(ev: RpcEvent): XdrSpans {
  const bytes = ev.record.bytes;
  const proc = ev.msg.type === 'call' && bytes.length >= CALL_PROC_FIELD.end ? { ...CALL_PROC_FIELD } : undefined;
  return XdrSpans.of(bytes, Math.min(ev.msg.bodyOffset, bytes.length), proc);
}

/** The block, or null when there is none. `at` walks the arguments or results (default: programSpans(ev)). */
export function programBlock(ev: RpcEvent, f: FormatContext, at: XdrSpans = programSpans(ev)): ProgramBlock | null {
  if (ev.prog === null || ev.vers === null || ev.proc === null) return null;
  const look = f.registry.lookup(ev.prog, ev.vers, ev.proc);
  const v = look.program?.verbose?.(ev.vers) ?? null;
  const def = look.procedure;
  if (!v || !def) return null;
  let nodes: DetailNode[] | null = null;
  if (ev.msg.type === 'call') {
    if (def.callDetail && ev.args !== undefined) nodes = def.callDetail(ev.args, f, at);
  } else if (def.replyDetail && ev.result !== undefined) {
    nodes = def.replyDetail(ev.result, ev.args, f, at);
  }
  if (!nodes) return null;
  const len = ev.record.bytes.length;
  return { prefix: v.prefix, title: v.title, nodes, range: { start: Math.min(ev.msg.bodyOffset, len), end: len } };
}
