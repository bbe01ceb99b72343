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
import { field, line, type ByteRange, type DetailNode } from './detail';
import { acceptStatusWord, authWhyText, snoopProgramName } from './rpc-line';
import { hexUpper } from './hex';
import { XdrSpans } from './xdr-spans';

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

/** The body lines of a credential (print_creds()), each with its bytes; `c` walks the body. */
function credentialBody(a: OpaqueAuth, c: XdrSpans, body: ByteRange | undefined): DetailNode[] {
  if (a.length <= 0) return [];
  if (a.flavor === AUTH_UNIX && a.unix) {
    // RFC 5531 Appendix A authsys_parms: stamp, machinename<255>, uid, gid, gids<16>
    const u = a.unix;
    const groups = u.gids.length === 0 ? '(none)' : u.gids.map((g) => `${g} `).join('');
    return [
      field(`   Time = ${authUnixTime(u.stamp)}`, c.word()),
      field(`   Hostname = ${detailString(u.machine)}`, c.opaque()),
      field(`   Uid = ${u.uid}, Gid = ${u.gid}`, c.words(2)),
      field(`   Groups = ${groups}`, c.words(1 + u.gids.length)),
    ];
  }
  if (a.flavor === AUTH_DES && a.des) {
    // RFC 2695 §3 authdes_cred: namekind, then fullname { netname<>, des_block key, window } or nickname
    const d = a.des;
    if (d.nameKind === 'fullname') {
      return [
        field('   Name kind = 0 (fullname)', c.word()),
        field(`   Network name = ${detailString(d.name ?? '')}`, c.opaque()),
        field(`   Conversation key = 0x${(d.key ?? '').toUpperCase()} (DES encrypted)`, c.fixed(8)),
        field(`   Window = 0x${(d.window ?? '').toUpperCase()} (DES encrypted)`, c.word()),
      ];
    }
    if (d.nameKind === 'nickname') {
      return [field('   Name kind = 1 (nickname)', c.word()), field(`   Nickname = 0x${hexWord(d.nickname ?? 0)}`, c.word())];
    }
  }
  if (a.flavor === RPCSEC_GSS && a.gss && a.gss.version === 1) {
    // RFC 2203 §5 rpc_gss_cred_t: the version, then rpc_gss_cred_vers_1_t { gss_proc, seq_num, service, handle<> }
    const g = a.gss;
    const handleBytes = g.handle.length / 2;
    return [
      field(`   version = ${g.version}`, c.word()),
      field(`   gss control procedure = ${g.procedure} (${GSS_PROCS[g.procedure] ?? 'unknown'})`, c.word()),
      field(`   sequence num = ${g.seqNum}`, c.word()),
      field(`   service = ${g.service} (${GSS_SERVICES[g.service] ?? 'unknown'})`, c.word()),
      field(`   handle: length = ${handleBytes}, data = [${g.handle.toUpperCase()}]`, c.opaque()),
    ];
  }
  return [field(`[${hexUpper(a.body)}]`, body)];
}

const GSS_PROCS = ['RPCSEC_GSS_DATA', 'RPCSEC_GSS_INIT', 'RPCSEC_GSS_CONTINUE_INIT', 'RPCSEC_GSS_DESTROY'];
const GSS_SERVICES: Record<number, string> = { 1: 'none', 2: 'integrity', 3: 'privacy' };

/** The body lines of a verifier (print_verif()); `c` walks the body. */
function verifierBody(a: OpaqueAuth, isCall: boolean, c: XdrSpans, body: ByteRange | undefined): DetailNode[] {
  if (a.length === 0) return [];
  if (a.flavor === AUTH_DES && a.des && a.des.nameKind === 'verifier') {
    // RFC 2695 §3 authdes_verf_clnt { des_block timestamp; window } / authdes_verf_svr { timeverf; nickname }
    const d = a.des;
    const stamp = field(`   Timestamp = 0x${(d.key ?? '').toUpperCase()} (DES encrypted)`, c.fixed(8));
    if (isCall) return [stamp, field(`   Window    = 0x${(d.window ?? '').toUpperCase()} (DES encrypted)`, c.word())];
    return [stamp, field(`   Nickname  = 0x${hexWord(d.nickname ?? 0)}`, c.word())];
  }
  return [field(`[${hexUpper(a.body)}]`, body)];
}

/**
 * `Credentials:` / `Verifier   :` with the body's lines below it. Its range is the whole opaque_auth (RFC 5531
 * §8.2: flavor, length, body); the body's lines are walked from the body view, where the decoder found it.
 */
function authLine(label: string, a: OpaqueAuth, c: XdrSpans, lines: (body: XdrSpans, range: ByteRange | undefined) => DetailNode[]): DetailNode {
  const start = c.pos;
  c.words(2);
  const body = c.view(a.body, true);
  const nodes = lines(c.at(body ? body.start : Number.MAX_SAFE_INTEGER), body);
  return field(`${label}: Flavor = ${a.flavor} (${flavorWord(a.flavor)}), len = ${a.length} bytes`, c.since(start), nodes);
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

function lowHigh(m: RpcReply, c: XdrSpans): DetailNode[] {
  return m.mismatch ? [field(`   Low  = ${m.mismatch.low}`, c.word()), field(`   High = ${m.mismatch.high}`, c.word())] : [];
}

/**
 * The detail lines of the RPC layer (to render with RPC_PREFIX and RPC_TITLE), each with the bytes of the record
 * it shows, walked along RFC 5531 §9 rpc_msg: xid, msg_type, then call_body (rpcvers, prog, vers, proc, cred,
 * verf) or reply_body (reply_stat; accepted: verf, accept_stat, mismatch_info; denied: reject_stat, then
 * mismatch_info or auth_stat).
 */
export function rpcDetail(ev: RpcEvent, opts: RpcDetailOptions = {}): DetailNode[] {
  const m = ev.msg;
  const c = XdrSpans.of(ev.record.bytes, 0);
  const nodes = recordMarks(ev, opts);
  nodes.push(field(`Transaction id = ${m.xid}`, c.word()));
  if (m.type === 'call') {
    nodes.push(
      field('Type = 0 (Call)', c.word()),
      field(`RPC version = ${m.rpcvers}`, c.word()),
      field(`Program = ${m.prog} (${snoopProgramName(m.prog)}), version = ${m.vers}, procedure = ${m.proc}`, c.words(3)),
      authLine('Credentials', m.cred, c, (b, r) => credentialBody(m.cred, b, r)),
      authLine('Verifier   ', m.verf, c, (b, r) => verifierBody(m.verf, true, b, r)),
      line(''),
    );
    return nodes;
  }
  nodes.push(field('Type = 1 (Reply)', c.word()));
  if (ev.tx) nodes.push(line(`This is a reply to frame ${ev.tx.callFrame}`));
  const stat = c.word();
  if (m.replyStat === 0) {
    nodes.push(field('Status = 0 (Accepted)', stat));
    const verf = m.verf;
    if (verf) nodes.push(authLine('Verifier   ', verf, c, (b, r) => verifierBody(verf, false, b, r)));
    const astat = m.acceptStat ?? -1;
    nodes.push(field(`Accept status = ${astat} (${acceptStatusWord(astat)})`, c.word()));
    if (astat === 2 && m.mismatch) nodes.push(...lowHigh(m, c));
    if (astat === 0 && ev.tx) nodes.push(line(''));
    return nodes;
  }
  nodes.push(field(`Status = ${m.replyStat} (Denied)`, stat));
  const rstat = m.rejectStat ?? -1;
  nodes.push(field(`Reject status = ${rstat} (${rstat ? "can't authenticate" : 'version mismatch'})`, c.word()));
  if (rstat === 0 && m.mismatch) nodes.push(...lowHigh(m, c));
  if (rstat === 1) nodes.push(field(`   Why = ${m.authStat} (${authWhyText(m.authStat ?? -1)})`, c.word()));
  return nodes;
}
