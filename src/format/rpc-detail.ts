/**
 * snoop's `-v` RPC block (snoop-format.md §2.3 and §2.7; illumos snoop_rpc.c interpret_rpc(), rpc_detail_call(),
 * rpc_detail_reply(), print_creds(), print_verif(); snoop_rpcsec.c print_rpcsec_gss_cred()), as DetailNode[] to
 * render under RPC_PREFIX with the title RPC_TITLE. A credential's or verifier's body lines are the children of
 * its `Credentials:` / `Verifier   :` line (the TUI folds them).
 *
 * Where rpcsnoop does better than snoop:
 *  - TCP records are reassembled, so a record of several fragments gets one `Record Mark` line per fragment when
 *    their lengths are known (RpcRecord.fragmentLengths, or the option), else one summary line
 *    `Record Mark: 3 fragments, length = <total>`;
 *  - PROC_UNAVAIL carries no version range on the wire: no Low/High lines, no `----  short frame ---`;
 *  - uids and gids print unsigned (snoop's %d shows 4294967294 as -2);
 *  - an auth body that failed to parse prints as hex (`[...]`) instead of ending the block.
 * The closing prefix-only line is there only where snoop prints it: after every call, and after a reply only when
 * it is accepted with Success and its call is known (the program block follows).
 */
import { AUTH_DES, AUTH_UNIX, RPCSEC_GSS, type OpaqueAuth } from '../rpc/auth';
import type { RpcReply } from '../rpc/message';
import type { RpcEvent } from '../rpc/rpc-event';
import { line, type DetailNode } from './detail';
import { acceptStatusWord, authWhyText, snoopProgramName } from './rpc-line';
import { hexUpper } from './hex';

export const RPC_PREFIX = 'RPC:  ';
export const RPC_TITLE = 'SUN RPC Header';

export interface RpcDetailOptions {
  /** Lengths of the record's fragments, in order (TCP); default: `record.fragmentLengths` when the record carries
   *  them. */
  fragmentLengths?: readonly number[];
}

const FLAVOR_WORDS: Record<number, string> = { 0: 'None', 1: 'Unix', 2: 'Unix short', 3: 'DES', 6: 'RPCSEC_GSS' };

/** snoop's nameof_flavor(). */
export function flavorWord(flavor: number): string {
  return FLAVOR_WORDS[flavor] ?? 'unknown';
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const YEAR_SECONDS = 3600 * 24 * 365;

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** `12-Mar-24 14:03:55` in GMT (strftime `%d-%h-%y %T`), without a zone suffix. */
export function snoopGmtDate(sec: number): string {
  const d = new Date(sec * 1000);
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return `${two(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${two(d.getUTCFullYear() % 100)} ${time}`;
}

/** snoop's getxdr_time(): the AUTH_UNIX stamp as a GMT date, a plain number under a year's worth of seconds, or
 *  `-1 ` (the 32-bit value read as signed, as snoop reads it). */
export function authUnixTime(stamp: number): string {
  const s = stamp | 0;
  if (s === -1) return '-1 ';
  return s < YEAR_SECONDS ? String(s) : snoopGmtDate(s);
}

/** snoop's showxdr_string(): detail strings are cut at 60 characters, followed by `...`. */
export function detailString(s: string): string {
  return s.length >= 60 ? s.slice(0, 60) + '...' : s;
}

function hexWord(n: number): string {
  return (n >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/** The body lines of a credential (print_creds()). */
function credentialBody(a: OpaqueAuth): DetailNode[] {
  if (a.length <= 0) return [];
  if (a.flavor === AUTH_UNIX && a.unix) {
    const u = a.unix;
    const groups = u.gids.length === 0 ? '(none)' : u.gids.map((g) => `${g} `).join('');
    return [
      line(`   Time = ${authUnixTime(u.stamp)}`),
      line(`   Hostname = ${detailString(u.machine)}`),
      line(`   Uid = ${u.uid}, Gid = ${u.gid}`),
      line(`   Groups = ${groups}`),
    ];
  }
  if (a.flavor === AUTH_DES && a.des) {
    const d = a.des;
    if (d.nameKind === 'fullname') {
      return [
        line('   Name kind = 0 (fullname)'),
        line(`   Network name = ${detailString(d.name ?? '')}`),
        line(`   Conversation key = 0x${(d.key ?? '').toUpperCase()} (DES encrypted)`),
        line(`   Window = 0x${(d.window ?? '').toUpperCase()} (DES encrypted)`),
      ];
    }
    if (d.nameKind === 'nickname') {
      return [line('   Name kind = 1 (nickname)'), line(`   Nickname = 0x${hexWord(d.nickname ?? 0)}`)];
    }
  }
  if (a.flavor === RPCSEC_GSS && a.gss && a.gss.version === 1) {
    const g = a.gss;
    const handleBytes = g.handle.length / 2;
    return [
      line(`   version = ${g.version}`),
      line(`   gss control procedure = ${g.procedure} (${GSS_PROCS[g.procedure] ?? 'unknown'})`),
      line(`   sequence num = ${g.seqNum}`),
      line(`   service = ${g.service} (${GSS_SERVICES[g.service] ?? 'unknown'})`),
      line(`   handle: length = ${handleBytes}, data = [${g.handle.toUpperCase()}]`),
    ];
  }
  return [line(`[${hexUpper(a.body)}]`)];
}

const GSS_PROCS = ['RPCSEC_GSS_DATA', 'RPCSEC_GSS_INIT', 'RPCSEC_GSS_CONTINUE_INIT', 'RPCSEC_GSS_DESTROY'];
const GSS_SERVICES: Record<number, string> = { 1: 'none', 2: 'integrity', 3: 'privacy' };

/** The body lines of a verifier (print_verif()). */
function verifierBody(a: OpaqueAuth, isCall: boolean): DetailNode[] {
  if (a.length === 0) return [];
  if (a.flavor === AUTH_DES && a.des && a.des.nameKind === 'verifier') {
    const d = a.des;
    const stamp = line(`   Timestamp = 0x${(d.key ?? '').toUpperCase()} (DES encrypted)`);
    if (isCall) return [stamp, line(`   Window    = 0x${(d.window ?? '').toUpperCase()} (DES encrypted)`)];
    return [stamp, line(`   Nickname  = 0x${hexWord(d.nickname ?? 0)}`)];
  }
  return [line(`[${hexUpper(a.body)}]`)];
}

function authLine(label: string, a: OpaqueAuth, body: DetailNode[]): DetailNode {
  return line(`${label}: Flavor = ${a.flavor} (${flavorWord(a.flavor)}), len = ${a.length} bytes`, body);
}


/** `Record Mark:` lines (TCP only). */
function recordMarks(ev: RpcEvent, opts: RpcDetailOptions): DetailNode[] {
  const rec = ev.record;
  if (rec.transport !== 'tcp') return [];
  const lengths = opts.fragmentLengths ?? rec.fragmentLengths;
  if (lengths && lengths.length > 0) {
    const last = lengths.length - 1;
    return lengths.map((n, i) => line(`Record Mark: ${i === last ? 'last' : ''} fragment, length = ${n}`));
  }
  if (rec.fragments > 1) return [line(`Record Mark: ${rec.fragments} fragments, length = ${rec.length}`)];
  return [line(`Record Mark: last fragment, length = ${rec.length}`)];
}

function lowHigh(m: RpcReply): DetailNode[] {
  return m.mismatch ? [line(`   Low  = ${m.mismatch.low}`), line(`   High = ${m.mismatch.high}`)] : [];
}

/** The detail lines of the RPC layer (to render with RPC_PREFIX and RPC_TITLE). */
export function rpcDetail(ev: RpcEvent, opts: RpcDetailOptions = {}): DetailNode[] {
  const m = ev.msg;
  const nodes = recordMarks(ev, opts);
  nodes.push(line(`Transaction id = ${m.xid}`));
  if (m.type === 'call') {
    nodes.push(
      line('Type = 0 (Call)'),
      line(`RPC version = ${m.rpcvers}`),
      line(`Program = ${m.prog} (${snoopProgramName(m.prog)}), version = ${m.vers}, procedure = ${m.proc}`),
      authLine('Credentials', m.cred, credentialBody(m.cred)),
      authLine('Verifier   ', m.verf, verifierBody(m.verf, true)),
      line(''),
    );
    return nodes;
  }
  nodes.push(line('Type = 1 (Reply)'));
  if (ev.tx) nodes.push(line(`This is a reply to frame ${ev.tx.callFrame}`));
  if (m.replyStat === 0) {
    nodes.push(line('Status = 0 (Accepted)'));
    if (m.verf) nodes.push(authLine('Verifier   ', m.verf, verifierBody(m.verf, false)));
    const astat = m.acceptStat ?? -1;
    nodes.push(line(`Accept status = ${astat} (${acceptStatusWord(astat)})`));
    if (astat === 2 && m.mismatch) nodes.push(...lowHigh(m));
    if (astat === 0 && ev.tx) nodes.push(line(''));
    return nodes;
  }
  nodes.push(line(`Status = ${m.replyStat} (Denied)`));
  const rstat = m.rejectStat ?? -1;
  nodes.push(line(`Reject status = ${rstat} (${rstat ? "can't authenticate" : 'version mismatch'})`));
  if (rstat === 0 && m.mismatch) nodes.push(...lowHigh(m));
  if (rstat === 1) nodes.push(line(`   Why = ${m.authStat} (${authWhyText(m.authStat ?? -1)})`));
  return nodes;
}
