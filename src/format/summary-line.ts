/**
 * The highest-layer text of a message's summary line (snoop-format.md §1.2): the program's line when the
 * program has an interpreter and the message decoded — `NFS C GETATTR3 FH=711F`, `MOUNT3 R Mount OK FH=…` — and
 * otherwise snoop's RPC line (`RPC R (#7) XID=… Program unavailable`). A reply shows its program line only when
 * its call is known and was accepted with SUCCESS, as in snoop. Beyond snoop, markers say what pairing found.
 */
import type { FormatContext } from '../rpc/registry';
import { currentFlags, type RpcEvent } from '../rpc/rpc-event';
import { rpcLine } from './rpc-line';

/** The program layer's text, or null when snoop would show the RPC line. */
export function programSummary(ev: RpcEvent, f: FormatContext): string | null {
  if (ev.prog === null || ev.vers === null || ev.proc === null) return null;
  const look = f.registry.lookup(ev.prog, ev.vers, ev.proc);
  const layer = look.program?.layer?.(ev.vers) ?? null;
  const def = look.procedure;
  if (!layer || !def) return null;
  const flags = currentFlags(ev);
  let s: string;
  if (ev.msg.type === 'call') {
    if (!def.callSummary || ev.args === undefined) return null;
    s = `${layer} C ${def.callSummary(ev.args, f)}`;
    if (flags.includes('retransmit')) s += ' (retransmit)';
    if (flags.includes('xid_reuse')) s += ' (XID reused)';
    if (flags.includes('unanswered')) s += ' (no reply)';
  } else {
    if (!def.replySummary || ev.result === undefined) return null;
    s = `${layer} R ${def.replySummary(ev.result, ev.args, f)}`;
    if (flags.includes('duplicate_reply')) s += ' (duplicate reply)';
    if (flags.includes('late_reply')) s += ' (late reply)';
  }
  if (ev.record.truncated) s += ' (truncated)';
  return s;
}

/** What a summary line shows after its prefix. */
export function summaryText(ev: RpcEvent, f: FormatContext): string {
  return programSummary(ev, f) ?? rpcLine(ev);
}
