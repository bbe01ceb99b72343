/**
 * PORTMAP version 2 (program 100000, RFC 1833 §3): NULL, SET, UNSET, GETPORT, DUMP, CALLIT, as registry data.
 * Summary lines and `-v` blocks follow snoop (snoop-format.md §1.5, §2.6); where snoop shows nothing or loses a
 * value we show more, after snoop's text, and say so beside the code:
 * - SET/UNSET calls show their mapping, and their replies the boolean (`SET OK` / `SET failed`; snoop: `SET `);
 * - GETPORT port 0 adds ` (not registered)` (RFC 1833 §3.2: "A port value of zeros means the program has not been
 *   registered");
 * - CALLIT lines add the inner call or reply summary in brackets, and CALLIT replies are decoded from their
 *   results (snoop hands the inner interpreter the data from the start of call_result, i.e. the port word).
 */
import { field, type ByteRange, type DetailNode } from '../format/detail';
import { XdrSpans } from '../format/xdr-spans';
import type { DecodeContext, FormatContext, LearnContext, ProcedureDef } from '../rpc/registry';
import type { XdrReader } from '../rpc/xdr';
import {
  indirectCallDetail,
  indirectCallSummary,
  indirectResultDetail,
  indirectResultSummary,
  isIndirectArgs,
  readCallitResult,
  readIndirectArgs,
  type CallitResult,
  type IndirectArgs,
} from './indirect-call';
import { padLeft, progWithName, protoDetail, protoSummary } from './portmap-format';
import { readMapping, readPmaplist, type Mapping, type XdrList } from './portmap-xdr';
import { protTransport } from './universal-address';

/** A ProcedureDef written with the types of its own arguments and results (the registry stores them as unknown). */
export interface TypedProcedure<A, R> {
  name: string;
  readArgs?: (r: XdrReader, ctx: DecodeContext) => A;
  readResult?: (r: XdrReader, args: A | undefined, ctx: DecodeContext) => R;
  callSummary?: (args: A, f: FormatContext) => string;
  replySummary?: (result: R, args: A | undefined, f: FormatContext) => string;
  callDetail?: (args: A, f: FormatContext, at?: XdrSpans) => DetailNode[];
  replyDetail?: (result: R, args: A | undefined, f: FormatContext, at?: XdrSpans) => DetailNode[];
  learn?: (args: A | undefined, result: R, l: LearnContext) => void;
}

export function typed<A, R>(p: TypedProcedure<A, R>): ProcedureDef {
  return p as unknown as ProcedureDef;
}

/** Void arguments or results (RFC 1833 `void`): decoded as null. */
export function readVoid(): null {
  return null;
}

/** SET/UNSET results (RFC 1833 `bool`). */
export interface BoolResult {
  result: boolean;
}

export function readBool(r: XdrReader): BoolResult {
  return { result: r.bool('result') };
}

/** Our words for the boolean snoop does not show: `SET OK` / `SET failed`. */
export function boolSummary(name: string, b: BoolResult): string {
  return `${name} ${b.result ? 'OK' : 'failed'}`;
}

/** snoop's boolean words in `-v` (`True`/`False`); `range` is the bool's word. */
export function boolDetail(b: BoolResult, range?: ByteRange): DetailNode {
  return field(`Result = ${b.result ? 'True' : 'False'}`, range);
}

/** GETPORT result (RFC 1833 §3.1 `unsigned int`). */
export interface PortResult {
  port: number;
}

/** snoop's long names (`Proc = 3 (Get port number)`). */
const LONG_NAMES = ['Null procedure', 'Set port', 'Unset port', 'Get port number', 'Dump the mappings', 'Indirect call'];

/** `Proc = 3 (Get port number)`, with the call header's procedure field when `c` knows it. */
function procLine(proc: number, c?: XdrSpans): DetailNode {
  return field(`Proc = ${proc} (${LONG_NAMES[proc]})`, c?.procedure);
}

/** snoop's prefix-only line closing a block (a fresh node each time: callers may extend the tree). */
const end = (): DetailNode => ({ text: '' });

/** `prog=100003 (NFS) vers=3 proto=UDP` (GETPORT, and our SET/UNSET lines which add ` port=N`). */
function mappingSummary(m: Mapping, f: FormatContext): string {
  return `prog=${progWithName(m.prog, f)} vers=${m.vers} proto=${protoSummary(m.prot)}`;
}

/** RFC 1833 §3.1 mapping: prog, vers, prot, port (one word each). */
function mappingDetail(m: Mapping, f: FormatContext, withPort: boolean, c: XdrSpans): DetailNode[] {
  const out: DetailNode[] = [
    field(`Program = ${progWithName(m.prog, f)}`, c.word()),
    field(`Version = ${m.vers}`, c.word()),
    field(protoDetail(m.prot), c.word()),
  ];
  const port = c.word();
  if (withPort) out.push(field(`Port = ${m.port}`, port));
  return out;
}

/** `DUMP 12 map(s) found`, `12+ map(s) found` when the list was cut (snoop's sum_pmaplist / sum_rpcblist). */
export function mapsFound(list: XdrList<unknown>): string {
  return `${list.entries.length}${list.incomplete ? '+' : ''} map(s) found`;
}

/** snoop's show_pmaplist(): ` Program Version Protocol   Port`, rows `%8d%8d%9d%7d  NAME` (each a mapping after
 *  its value_follows), ` N maps`; the header and the count show the whole list. */
function pmaplistDetail(list: XdrList<Mapping>, f: FormatContext, c: XdrSpans): DetailNode[] {
  const start = c.pos;
  const rows = list.entries.map((m) => {
    c.word();
    const row = `${padLeft(m.prog, 8)}${padLeft(m.vers, 8)}${padLeft(m.prot, 9)}${padLeft(m.port, 7)}  ${f.programName(m.prog)}`;
    return field(row, c.words(4));
  });
  if (!list.incomplete) c.word();
  const all = c.since(start);
  const n = list.entries.length;
  const count = field(list.incomplete ? ` ${n}+ maps. (Frame is incomplete)` : ` ${n} maps`, all);
  return [field(' Program Version Protocol   Port', all), ...rows, count];
}

/** RFC 1833 §3.2 PMAPPROC_NULL (and RPCBPROC_NULL, §2.2.1: the same lines in every version). */
export const NULL: ProcedureDef = typed<null, null>({
  name: 'NULL',
  readArgs: readVoid,
  readResult: readVoid,
  callSummary: () => 'Null',
  replySummary: () => 'Null ',
  callDetail: (_a, _f, at) => [procLine(0, at), end()],
  replyDetail: () => [procLine(0), end()],
});

/** RFC 1833 §3.2 PMAPPROC_SET / PMAPPROC_UNSET: a mapping in, a bool out. Requests, so they teach no ports. */
function setUnset(proc: 1 | 2, name: 'SET' | 'UNSET'): ProcedureDef {
  return typed<Mapping, BoolResult>({
    name,
    readArgs: readMapping,
    readResult: readBool,
    // Beyond snoop (which prints `SET` alone): the mapping being registered or removed.
    callSummary: (m, f) => `${name} ${mappingSummary(m, f)} port=${m.port}`,
    replySummary: (b) => boolSummary(name, b),
    callDetail: (m, f, at = XdrSpans.detached()) => [procLine(proc, at), ...mappingDetail(m, f, true, at), end()],
    replyDetail: (b, _a, _f, at) => [procLine(proc), boolDetail(b, at?.word()), end()],
  });
}

/** RFC 1833 §3.2 PMAPPROC_GETPORT: mapping (port ignored) → port, 0 when not registered. */
const GETPORT: ProcedureDef = typed<Mapping, PortResult>({
  name: 'GETPORT',
  readArgs: readMapping,
  readResult: (r) => ({ port: r.u32('port') }),
  callSummary: (m, f) => `GETPORT ${mappingSummary(m, f)}`,
  replySummary: (p) => `GETPORT port=${p.port}${p.port === 0 ? ' (not registered)' : ''}`,
  callDetail: (m, f, at = XdrSpans.detached()) => [procLine(3, at), ...mappingDetail(m, f, false, at), end()],
  replyDetail: (p, _a, _f, at) => [procLine(3), field(`Port = ${p.port}${p.port === 0 ? ' (not registered)' : ''}`, at?.word()), end()],
  learn: (m, p, l) => {
    const proto = m ? protTransport(m.prot) : null;
    if (m && proto && p.port !== 0) l.ports.learn(l.server, proto, p.port, { prog: m.prog, vers: m.vers, source: 'GETPORT' });
  },
});

/** RFC 1833 §3.2 PMAPPROC_DUMP: every mapping (pmaplist). */
const DUMP: ProcedureDef = typed<null, XdrList<Mapping>>({
  name: 'DUMP',
  readArgs: readVoid,
  readResult: readPmaplist,
  callSummary: () => 'DUMP',
  replySummary: (list) => `DUMP ${mapsFound(list)}`,
  callDetail: (_a, _f, at) => [procLine(4, at), end()],
  replyDetail: (list, _a, f, at = XdrSpans.detached()) => [procLine(4), ...pmaplistDetail(list, f, at), end()],
  learn: (_a, list, l) => {
    for (const m of list.entries) {
      const proto = protTransport(m.prot);
      if (proto && m.port !== 0) l.ports.learn(l.server, proto, m.port, { prog: m.prog, vers: m.vers, source: 'DUMP' });
    }
  },
});

/**
 * RFC 1833 §3.2 PMAPPROC_CALLIT: call_args → call_result (the port of the program and its results). Silent on
 * errors, so many calls get no reply.
 */
const CALLIT: ProcedureDef = typed<IndirectArgs, CallitResult>({
  name: 'CALLIT',
  readArgs: readIndirectArgs,
  readResult: readCallitResult,
  callSummary: (a, f) => indirectCallSummary('CALLIT', a, f),
  replySummary: (res, a, f) => `CALLIT port=${res.port} len=${res.resLength}${indirectResultSummary(res, a, f)}`,
  callDetail: (a, f, at) => [procLine(5, at), ...indirectCallDetail(a, f, at)],
  replyDetail: (res, a, f, at = XdrSpans.detached()) => [procLine(5), field(`Port = ${res.port}`, at.word()), ...indirectResultDetail(res, a, f, at)],
  // Beyond the brief's list: the reply names the program's port. RFC 1833 §3.2: "The port mapper communicates
  // with the remote program using UDP only".
  learn: (a, res, l) => {
    if (isIndirectArgs(a) && res.port !== 0) l.ports.learn(l.server, 'udp', res.port, { prog: a.prog, vers: a.vers, source: 'CALLIT' });
  },
});

/** PORTMAP v2 procedures by number (RFC 1833 §3.1 `program PMAP_PROG`). */
export const PORTMAP_V2: ReadonlyArray<ProcedureDef> = [NULL, setUnset(1, 'SET'), setUnset(2, 'UNSET'), GETPORT, DUMP, CALLIT];
