/**
 * RPCBIND versions 3 and 4 (program 100000, RFC 1833 §2): procedures 0-8 of v3 (§2.2.1) and 0-12 of v4 (§2.2.2),
 * as registry data. Summary lines and `-v` blocks follow snoop (snoop-format.md §1.6, §2.6); where snoop shows
 * nothing or loses a value we show more, after snoop's text, and say so beside the code:
 * - SET/UNSET/GETADDR/GETVERSADDR/GETADDRLIST calls add the netid, and SET/UNSET the uaddr and owner; their `-v`
 *   blocks add the program name and the Uaddr/Owner lines (snoop stops after `Netid`);
 * - SET/UNSET replies show the boolean (`SET OK` / `SET failed`);
 * - uaddr replies add ` port=N`, or ` (not registered)` for the empty uaddr (RFC 1833 §2.2.1: "If the specified
 *   program is not registered, the empty string is returned");
 * - UADDR2TADDR and TADDR2UADDR show their arguments and the transport address, GETSTAT is decoded.
 * Like snoop, procedure 5 is `BCAST` on the summary line in v3 too (its RFC name there is CALLIT).
 */
import { field, type ByteRange, type DetailNode } from '../format/detail';
import { XdrSpans } from '../format/xdr-spans';
import type { FormatContext, LearnContext, ProcedureDef } from '../rpc/registry';
import type { XdrReader } from '../rpc/xdr';
import {
  indirectCallDetail,
  indirectCallSummary,
  indirectResultDetail,
  indirectResultSummary,
  isIndirectArgs,
  readIndirectArgs,
  readRmtcallResult,
  type IndirectArgs,
  type RmtcallResult,
} from './indirect-call';
import { boolDetail, boolSummary, mapsFound, NULL, readBool, readVoid, typed, type BoolResult } from './portmap';
import { hexText, padLeft, padRight, printable, progWithName, snoopGmt, uaddrDetail, uaddrSummary } from './portmap-format';
import {
  MAX_UADDR,
  readNetbuf,
  readRpcb,
  readRpcbEntryList,
  readRpcblist,
  readRpcbStatByVers,
  readUaddrResult,
  type Netbuf,
  type ParsedAddr,
  type Rpcb,
  type RpcbEntry,
  type RpcbMap,
  type RpcbStatByVers,
  type UaddrResult,
  type XdrList,
} from './portmap-xdr';
import { statDetail, statSummary } from './rpcbind-stat';
import { isWildcardAddress, netidTransport } from './universal-address';

/** snoop's long names for RPCBIND (`Proc = 3 (Get address)`). */
const LONG_NAMES = [
  'Null procedure',
  'Set address',
  'Unset address',
  'Get address',
  'Dump the mappings',
  'Broadcast call (no error)',
  'Get the time',
  'Universal to transport address',
  'Transport to universal address',
  'Get address of specific version',
  'Indirect call (return error)',
  'Return addresses of prog/vers',
  'Get statistics',
];

/** `Proc = 3 (Get address)`, with the call header's procedure field when `c` knows it. */
function procLine(proc: number, c?: XdrSpans): DetailNode {
  return field(`Proc = ${proc} (${LONG_NAMES[proc]})`, c?.procedure);
}

/** snoop's prefix-only line closing a block (a fresh node each time: callers may extend the tree). */
const end = (): DetailNode => ({ text: '' });

/** GETTIME result (RFC 1833 §2.1 `unsigned int`, seconds since 1970). */
export interface TimeResult {
  time: number;
}

/** UADDR2TADDR argument (RFC 1833 §2.1 `string`). */
export interface UaddrArg {
  uaddr: string;
}

/** Where a learned service lives: the uaddr's address, or the server's when the uaddr is a wildcard. */
function serviceAddress(p: ParsedAddr, l: LearnContext): string | null {
  if (p.address === null) return null;
  return isWildcardAddress(p.address) ? l.server : p.address;
}

function learnUaddr(p: ParsedAddr, proto: 'tcp' | 'udp' | null, prog: number, vers: number, source: string, l: LearnContext): void {
  const addr = serviceAddress(p, l);
  if (addr !== null && proto && p.port) l.ports.learn(addr, proto, p.port, { prog, vers, source });
}

// ------------------------------------------------------------------------------------------ rpcb arguments

/** snoop's `prog=100005 (MOUNT) vers=3`; beyond snoop ` netid=udp`, and for SET/UNSET ` uaddr=... owner=...`. */
function rpcbSummary(name: string, a: Rpcb, f: FormatContext, full: boolean): string {
  let s = `${name} prog=${progWithName(a.r_prog, f)} vers=${a.r_vers}`;
  if (a.r_netid) s += ` netid=${printable(a.r_netid)}`;
  if (full && a.r_addr) s += ` uaddr=${printable(a.r_addr)}`;
  if (full && a.r_owner) s += ` owner=${printable(a.r_owner)}`;
  return s;
}

/** snoop: `Program = 100003`, `Version = 3`, `Netid   = udp`; we add the name and the Uaddr/Owner lines (RFC 1833
 *  §2.1 rpcb: r_prog, r_vers, then the strings r_netid, r_addr, r_owner). */
function rpcbDetail(a: Rpcb, f: FormatContext, c: XdrSpans): DetailNode[] {
  return [
    field(`Program = ${progWithName(a.r_prog, f)}`, c.word()),
    field(`Version = ${a.r_vers}`, c.word()),
    field(`Netid   = ${printable(a.r_netid)}`, c.opaque()),
    field(`Uaddr   = ${printable(a.r_addr)}`, c.opaque()),
    field(`Owner   = ${printable(a.r_owner)}`, c.opaque()),
  ];
}

// ------------------------------------------------------------------------------------------ procedures

/** §2.2.1 RPCBPROC_SET / RPCBPROC_UNSET: an rpcb in, a bool out. Requests, so they teach no ports. */
function setUnset(proc: 1 | 2, name: 'SET' | 'UNSET'): ProcedureDef {
  return typed<Rpcb, BoolResult>({
    name,
    readArgs: readRpcb,
    readResult: readBool,
    callSummary: (a, f) => rpcbSummary(name, a, f, true),
    replySummary: (b) => boolSummary(name, b),
    callDetail: (a, f, at = XdrSpans.detached()) => [procLine(proc, at), ...rpcbDetail(a, f, at), end()],
    replyDetail: (b, _a, _f, at) => [procLine(proc), boolDetail(b, at?.word()), end()],
  });
}

/**
 * §2.2.1 RPCBPROC_GETADDR and §2.2.2 RPCBPROC_GETVERSADDR: an rpcb in, a universal address out (empty: not
 * registered). Learning: "The netid field of the argument is ignored and the netid is inferred from the netid of the
 * transport on which the request came in" (RFC 1833 §2.2.1; rpcbind answers a udp6 question over UDP/IPv4 with an
 * IPv4 udp address), so the port is learned for the request's transport, not for r_netid.
 */
function getAddr(proc: 3 | 9, name: 'GETADDR' | 'GETVERSADDR'): ProcedureDef {
  return typed<Rpcb, UaddrResult>({
    name,
    readArgs: readRpcb,
    readResult: readUaddrResult,
    callSummary: (a, f) => rpcbSummary(name, a, f, false),
    // snoop's `GETADDR  Uaddr=...` has two spaces (its reply prefix ends in one).
    replySummary: (u) => `${name}  Uaddr=${uaddrSummary(u.uaddr, u, ' (not registered)')}`,
    callDetail: (a, f, at = XdrSpans.detached()) => [procLine(proc, at), ...rpcbDetail(a, f, at), end()],
    replyDetail: (u, _a, _f, at) => [procLine(proc), uaddrDetail('Uaddr = ', u.uaddr, u, '(not registered)', at?.opaque()), end()],
    learn: (a, u, l) => {
      if (a) learnUaddr(u, l.transport, a.r_prog, a.r_vers, name, l);
    },
  });
}

/** snoop's show_rpcblist(): a prefix-only line, the header, `%8d%5d %-12s %-18s %-10s (NAME)` rows (each an rpcb
 *  after its value_follows), ` (N maps)`. */
function rpcblistDetail(list: XdrList<RpcbMap>, f: FormatContext, c: XdrSpans): DetailNode[] {
  const rows = listRows(list, c, (m) => {
    rpcbDetail(m, f, c);
    return (
      `${padLeft(m.r_prog, 8)}${padLeft(m.r_vers, 5)} ${padRight(printable(m.r_netid), 12)} ` +
      `${padRight(printable(m.r_addr), 18)} ${padRight(printable(m.r_owner), 10)} (${f.programName(m.r_prog)})`
    );
  });
  return [end(), field(' Program Vers Netid        Uaddr              Owner', rows.all), ...rows.rows, mapsLine(list, rows.all)];
}

/** The rows of a list of optional-data links (RFC 4506 §4.19), each after its value_follows; `row` walks an entry
 *  and gives its text. `all` is the whole list, its closing FALSE included when the list is complete. */
function listRows<T>(list: XdrList<T>, c: XdrSpans, row: (e: T) => string): { rows: DetailNode[]; all: ByteRange | undefined } {
  const start = c.pos;
  const rows = list.entries.map((e) => {
    c.word();
    const from = c.pos;
    const text = row(e);
    return field(text, c.since(from));
  });
  if (!list.incomplete) c.word();
  return { rows, all: c.since(start) };
}

/** ` (N maps)`, or ` N+ maps. (Frame is incomplete)`, showing the list's bytes. */
function mapsLine(list: XdrList<unknown>, all: ByteRange | undefined): DetailNode {
  const n = list.entries.length;
  return field(list.incomplete ? ` ${n}+ maps. (Frame is incomplete)` : ` (${n} maps)`, all);
}

/** §2.2.1 RPCBPROC_DUMP: every registration (rpcblist_ptr); each one teaches its port. */
const DUMP: ProcedureDef = typed<null, XdrList<RpcbMap>>({
  name: 'DUMP',
  readArgs: readVoid,
  readResult: readRpcblist,
  callSummary: () => 'DUMP',
  replySummary: (list) => `DUMP ${mapsFound(list)}`,
  callDetail: (_a, _f, at) => [procLine(4, at), end()],
  replyDetail: (list, _a, f, at = XdrSpans.detached()) => [procLine(4), ...rpcblistDetail(list, f, at), end()],
  learn: (_a, list, l) => {
    for (const m of list.entries) learnUaddr(m, netidTransport(m.r_netid), m.r_prog, m.r_vers, 'DUMP', l);
  },
});

/**
 * §2.2.1 RPCBPROC_CALLIT (v3), §2.2.2 RPCBPROC_BCAST and RPCBPROC_INDIRECT (v4): rpcb_rmtcallargs →
 * rpcb_rmtcallres. snoop's summary says BCAST for procedure 5 in both versions; `name` keeps the RFC name.
 */
function indirect(proc: 5 | 10, name: 'CALLIT' | 'BCAST' | 'INDIRECT'): ProcedureDef {
  const shown = proc === 5 ? 'BCAST' : 'INDIRECT';
  return typed<IndirectArgs, RmtcallResult>({
    name,
    readArgs: readIndirectArgs,
    readResult: readRmtcallResult,
    callSummary: (a, f) => indirectCallSummary(shown, a, f),
    // snoop: one space before Uaddr here (`BCAST Uaddr=... len=0`).
    replySummary: (res, a, f) => `${shown} Uaddr=${printable(res.addr)} len=${res.resLength}${indirectResultSummary(res, a, f)}`,
    callDetail: (a, f, at) => [procLine(proc, at), ...indirectCallDetail(a, f, at)],
    replyDetail: (res, a, f, at = XdrSpans.detached()) => [
      procLine(proc),
      uaddrDetail('Uaddr = ', res.addr, res, '', at.opaque()),
      ...indirectResultDetail(res, a, f, at),
    ],
    // Beyond the brief's list: the reply names the called program's address (rpcbind looks it up on the
    // request's transport).
    learn: (a, res, l) => {
      if (isIndirectArgs(a)) learnUaddr(res, l.transport, a.prog, a.vers, name, l);
    },
  });
}

/** §2.2.1 RPCBPROC_GETTIME: the server's time, seconds since 1970. */
const GETTIME: ProcedureDef = typed<null, TimeResult>({
  name: 'GETTIME',
  readArgs: readVoid,
  readResult: (r) => ({ time: r.u32('time') }),
  callSummary: () => 'GETTIME',
  replySummary: (t) => `GETTIME ${snoopGmt(t.time)}`,
  callDetail: (_a, _f, at) => [procLine(6, at), end()],
  replyDetail: (t, _a, _f, at) => [procLine(6), field(`Time = ${snoopGmt(t.time)}`, at?.word()), end()],
});

/** A netbuf on a summary line (ours: snoop shows none): `Taddr=127.0.0.1 port=2049`, or its bytes in hex. */
function taddrSummary(nb: Netbuf): string {
  if (nb.address !== null) return `Taddr=${nb.address} port=${nb.port}`;
  return nb.buf.length ? `Taddr=${hexText(nb.buf, 32)}` : 'Taddr= (none)';
}

/** RFC 1833 §2.1 netbuf: maxlen, then buf<>. */
function netbufDetail(nb: Netbuf, c: XdrSpans): DetailNode[] {
  const maxlen = field(`Maxlen = ${nb.maxlen}`, c.word());
  const buf = c.view(nb.buf, true);
  const below = nb.address !== null ? [field(`   Address = ${nb.address}, Port = ${nb.port}`, buf)] : undefined;
  return [maxlen, field(`Taddr = ${hexText(nb.buf)} (${nb.buf.length} bytes)`, buf, below)];
}

/** §2.2.1 RPCBPROC_UADDR2TADDR: universal address → transport address (netbuf). snoop shows neither. */
const UADDR2TADDR: ProcedureDef = typed<UaddrArg, Netbuf>({
  name: 'UADDR2TADDR',
  readArgs: (r: XdrReader) => ({ uaddr: r.string(MAX_UADDR, 'uaddr') }),
  readResult: readNetbuf,
  callSummary: (a) => `UADDR2TADDR Uaddr=${printable(a.uaddr)}`,
  replySummary: (nb) => `UADDR2TADDR ${taddrSummary(nb)}`,
  callDetail: (a, _f, at) => [procLine(7, at), field(`Uaddr = ${printable(a.uaddr)}`, at?.opaque()), end()],
  replyDetail: (nb, _a, _f, at = XdrSpans.detached()) => [procLine(7), ...netbufDetail(nb, at), end()],
});

/** §2.2.1 RPCBPROC_TADDR2UADDR: transport address (netbuf) → universal address. */
const TADDR2UADDR: ProcedureDef = typed<Netbuf, UaddrResult>({
  name: 'TADDR2UADDR',
  readArgs: readNetbuf,
  readResult: readUaddrResult,
  callSummary: (nb) => `TADDR2UADDR ${taddrSummary(nb)}`,
  replySummary: (u) => `TADDR2UADDR  Uaddr=${uaddrSummary(u.uaddr, u, '')}`,
  callDetail: (nb, _f, at = XdrSpans.detached()) => [procLine(8, at), ...netbufDetail(nb, at), end()],
  replyDetail: (u, _a, _f, at) => [procLine(8), uaddrDetail('Uaddr = ', u.uaddr, u, '', at?.opaque()), end()],
});

/** snoop's semantics_strs (RFC 1833 §2.1 rpcb_entry: NC_TPI_CLTS 1, COTS 2, COTS_ORD 3, RAW 4). */
const SEMANTICS = ['', 'CLTS', 'COTS', 'COTS-ORD', 'RAW'];

/** snoop's show_rpcb_entry_list(): prefix-only line, header, `%-12s %-12s %-8s %-8s %-8s` rows (each an
 *  rpcb_entry after its value_follows: r_maddr, r_nc_netid, r_nc_semantics, r_nc_protofmly, r_nc_proto),
 *  ` (N maps)`. */
function entryListDetail(list: XdrList<RpcbEntry>, c: XdrSpans): DetailNode[] {
  const rows = listRows(list, c, (e) => {
    c.opaque();
    c.opaque();
    c.word();
    c.opaque();
    c.opaque();
    const sem = SEMANTICS[e.r_nc_semantics] ?? String(e.r_nc_semantics);
    return (
      `${padRight(printable(e.r_maddr), 12)} ${padRight(printable(e.r_nc_netid), 12)} ${padRight(sem, 8)} ` +
      `${padRight(printable(e.r_nc_protofmly), 8)} ${padRight(printable(e.r_nc_proto), 8)}`
    );
  });
  return [end(), field(' Maddr      Netid        Semantics Protofmly Proto', rows.all), ...rows.rows, mapsLine(list, rows.all)];
}

/** §2.2.2 RPCBPROC_GETADDRLIST: every address of prog/vers (rpcb_entry_list_ptr); each one teaches its port. */
const GETADDRLIST: ProcedureDef = typed<Rpcb, XdrList<RpcbEntry>>({
  name: 'GETADDRLIST',
  readArgs: readRpcb,
  readResult: readRpcbEntryList,
  callSummary: (a, f) => rpcbSummary('GETADDRLIST', a, f, false),
  replySummary: (list) => `GETADDRLIST ${mapsFound(list)}`,
  callDetail: (a, f, at = XdrSpans.detached()) => [procLine(11, at), ...rpcbDetail(a, f, at), end()],
  replyDetail: (list, _a, _f, at = XdrSpans.detached()) => [procLine(11), ...entryListDetail(list, at), end()],
  learn: (a, list, l) => {
    if (!a) return;
    for (const e of list.entries) {
      const proto = netidTransport(e.r_nc_netid) ?? netidTransport(e.r_nc_proto);
      learnUaddr(e, proto, a.r_prog, a.r_vers, 'GETADDRLIST', l);
    }
  },
});

/** §2.2.2 RPCBPROC_GETSTAT: rpcb_stat_byvers (not decoded by snoop). */
const GETSTAT: ProcedureDef = typed<null, RpcbStatByVers>({
  name: 'GETSTAT',
  readArgs: readVoid,
  readResult: readRpcbStatByVers,
  callSummary: () => 'GETSTAT',
  replySummary: (st) => `GETSTAT ${statSummary(st)}`,
  callDetail: (_a, _f, at) => [procLine(12, at), end()],
  replyDetail: (st, _a, f, at = XdrSpans.detached()) => [procLine(12), ...statDetail(st, f, at), end()],
});

const SET = setUnset(1, 'SET');
const UNSET = setUnset(2, 'UNSET');
const GETADDR = getAddr(3, 'GETADDR');

/** RPCBIND v3 procedures by number (RFC 1833 §2.1 `version RPCBVERS`). */
export const RPCBIND_V3: ReadonlyArray<ProcedureDef> = [NULL, SET, UNSET, GETADDR, DUMP, indirect(5, 'CALLIT'), GETTIME, UADDR2TADDR, TADDR2UADDR];

/** RPCBIND v4 procedures by number (RFC 1833 §2.1 `version RPCBVERS4`). */
export const RPCBIND_V4: ReadonlyArray<ProcedureDef> = [
  NULL,
  SET,
  UNSET,
  GETADDR,
  DUMP,
  indirect(5, 'BCAST'),
  GETTIME,
  UADDR2TADDR,
  TADDR2UADDR,
  getAddr(9, 'GETVERSADDR'),
  indirect(10, 'INDIRECT'),
  GETADDRLIST,
  GETSTAT,
];
