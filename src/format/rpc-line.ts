/**
 * snoop's RPC layer summary (snoop-format.md §1.3), the line rpcsnoop prints until program decoders provide
 * their own: `RPC C XID=<xid> PROG=<prog> (<NAME>) VERS=<v> PROC=<p>` and
 * `RPC R (#<call frame>) XID=<xid> <status>`. Beyond snoop: the procedure name (on a reply, in brackets, so an
 * error names what failed), and duplicate/orphan/unanswered/truncated markers, so nothing pairing found is hidden.
 */
import { currentFlags, type RpcEvent } from '../rpc/rpc-event';

/** snoop's built-in program names (its RPC line says PMAP where the program line says PORTMAP). */
const SNOOP_NAMES: Record<number, string> = {
  100000: 'PMAP',
  100001: 'RSTAT',
  100002: 'RUSERS',
  100003: 'NFS',
  100004: 'NIS',
  100005: 'MOUNT',
  100007: 'NISBIND',
  100011: 'RQUOTA',
  100021: 'NLM',
  100024: 'STATMON2',
  100026: 'BOOTPARAM',
  100227: 'NFS_ACL',
};

export function snoopProgramName(prog: number): string {
  const n = SNOOP_NAMES[prog];
  if (n) return n;
  return prog >= 0x40000000 && prog <= 0x5fffffff ? 'transient' : '?';
}

const ACCEPT_WORDS = ['Success', 'Program unavailable', 'Program number mismatch', 'Procedure unavailable', 'Garbage arguments', 'System error'];

/** snoop's `Can't authenticate (<why>)` reasons by auth_stat. */
const AUTH_WHY: Record<number, string> = {
  1: 'bogus credentials (seal broken)',
  2: 'client should begin new session',
  3: 'bogus verifier (seal broken)',
  4: 'verifier expired or was replayed',
  5: 'too weak',
  6: 'bogus response verifier',
  9: 'time of credential expired',
  10: 'something wrong with ticket file',
  11: "can't decode authenticator",
  12: 'net address in ticket wrong',
  13: 'no credentials for user',
  14: 'GSS failure, credentials deleted',
};

/** snoop's word for an accept_stat (nameof_astat). */
export function acceptStatusWord(acceptStat: number): string {
  return ACCEPT_WORDS[acceptStat] ?? 'unknown';
}

/** snoop's reason for an auth_stat (nameof_why). */
export function authWhyText(authStat: number): string {
  return AUTH_WHY[authStat] ?? 'unknown reason';
}

export function replyStatusText(ev: RpcEvent): string {
  const m = ev.msg;
  if (m.type !== 'reply') return '';
  if (m.replyStat === 0) {
    let s = acceptStatusWord(m.acceptStat ?? -1);
    if (m.acceptStat === 2 && m.mismatch) s += ` (low=${m.mismatch.low}, high=${m.mismatch.high})`;
    return s;
  }
  if (m.rejectStat === 0 && m.mismatch) return `Vers mismatch (low=${m.mismatch.low}, high=${m.mismatch.high})`;
  if (m.rejectStat === 1) return `Can't authenticate (${authWhyText(m.authStat ?? -1)})`;
  return 'unknown';
}

export function rpcLine(ev: RpcEvent): string {
  const m = ev.msg;
  const flags = currentFlags(ev);
  let s: string;
  if (m.type === 'call') {
    const name = ev.procedureName ? ` (${ev.procedureName})` : '';
    s = `RPC C XID=${m.xid} PROG=${m.prog} (${snoopProgramName(m.prog)}) VERS=${m.vers} PROC=${m.proc}${name}`;
    if (flags.includes('retransmit')) s += ' (retransmit)';
    if (flags.includes('xid_reuse')) s += ' (XID reused)';
    if (flags.includes('unanswered')) s += ' (no reply)';
  } else {
    const tx = ev.tx;
    const ref = tx ? `(#${tx.callFrame}) ` : '';
    s = `RPC R ${ref}XID=${m.xid} ${replyStatusText(ev)}`;
    if (tx && ev.prog !== null) s += ` [${ev.programName ?? ev.prog} V${ev.vers} ${ev.procedureName ?? `proc-${ev.proc}`}]`;
    // an orphan reply from a port learned from PORTMAP/RPCBIND: at least its program is known
    else if (!tx && ev.prog !== null) s += ` [${ev.programName ?? ev.prog} V${ev.vers}]`;
    if (flags.includes('duplicate_reply')) s += ' (duplicate reply)';
    if (flags.includes('orphan_reply')) s += ' (call not seen)';
    if (flags.includes('late_reply')) s += ' (late reply)';
  }
  if (ev.record.truncated) s += ' (truncated)';
  return s;
}
