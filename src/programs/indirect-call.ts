/**
 * Indirect calls through the binder: PORTMAP v2 CALLIT (RFC 1833 §3.1 call_args → call_result, §3.2), RPCBIND v3
 * CALLIT and v4 BCAST/INDIRECT (§2.1 rpcb_rmtcallargs → rpcb_rmtcallres, §2.2.1, §2.2.2). The opaque arguments and
 * results belong to another procedure: they are decoded through the same registry, on a reader limited to the
 * opaque bytes, one level deeper (DecodeContext.depth), never past MAX_INDIRECT_DEPTH (CALLIT inside CALLIT). When
 * the inner procedure is unknown, too deep or fails to decode, the raw length is kept and `inner` says why; a
 * failing inner decoder never fails the outer message.
 *
 * Formatting follows snoop (snoop-format.md §1.5, §1.6, §2.6): `prog=NFS vers=3 proc=0`, `Callit data = N bytes`,
 * then the inner procedure's own `-v` block, which snoop prints under the inner program's header.
 */
import { field, type ByteRange, type DetailNode } from '../format/detail';
import { XdrSpans } from '../format/xdr-spans';
import { MAX_INDIRECT_DEPTH, type DecodeContext, type FormatContext } from '../rpc/registry';
import { XdrReader } from '../rpc/xdr';
import { MAX_INDIRECT_OPAQUE, MAX_UADDR, parsedAddr, type ParsedAddr } from './portmap-xdr';

/**
 * What became of the inner arguments or results: decoded by the inner procedure ('decoded'; a void procedure with
 * no decoder counts), 'no_decoder' (program/procedure unknown to the registry or without a decoder),
 * 'depth_limit' (nested deeper than MAX_INDIRECT_DEPTH), 'no_call' (a reply whose call was not decoded), or
 * 'error' (the inner decoder threw: `error` says what).
 */
export type InnerState = 'decoded' | 'no_decoder' | 'depth_limit' | 'no_call' | 'error';

/** RFC 1833 §3.1 call_args / §2.1 rpcb_rmtcallargs, with the opaque args decoded by the target procedure. */
export interface IndirectArgs {
  prog: number;
  vers: number;
  proc: number;
  /** Length of the opaque args on the wire. */
  argsLength: number;
  /** The target procedure's decoded arguments (when `inner` is 'decoded'). */
  args?: unknown;
  inner: InnerState;
  error?: string;
  /** The opaque args were cut by the end of the captured data (decoded as far as they go). */
  incomplete?: true;
}

/** The opaque results of an indirect call (RFC 1833 call_result.res / rpcb_rmtcallres.results). */
export interface IndirectRes {
  /** Length of the opaque results on the wire. */
  resLength: number;
  /** The target procedure's decoded results (when `inner` is 'decoded'). */
  res?: unknown;
  inner: InnerState;
  error?: string;
  incomplete?: true;
}

/** RFC 1833 §3.1 `call_result` (PORTMAP v2 CALLIT). */
export interface CallitResult extends IndirectRes {
  /** The port of the program that was called. */
  port: number;
}

/** RFC 1833 §2.1 `rpcb_rmtcallres` (RPCBIND v3 CALLIT, v4 BCAST/INDIRECT); `addr` decoded into address/port. */
export interface RmtcallResult extends IndirectRes, ParsedAddr {
  addr: string;
}

interface Span {
  start: number;
  end: number;
  length: number;
  complete: boolean;
}

/** An opaque<> whose bytes stay in place. Cut short: the rest of a truncated record, else an XdrError. */
function readSpan(r: XdrReader, ctx: DecodeContext, what: string): Span {
  const length = r.length(MAX_INDIRECT_OPAQUE, what);
  const start = r.pos;
  const padded = (length + 3) & ~3;
  if (r.remaining >= padded) {
    r.pos += padded;
    return { start, end: start + length, length, complete: true };
  }
  if (!ctx.truncated) r.skip(padded, what); // malformed, not cut by the snaplen: throws 'short'
  const end = Math.min(r.end, start + length);
  r.pos = r.end;
  return { start, end, length, complete: false };
}

interface Outcome {
  inner: InnerState;
  value?: unknown;
  error?: string;
}

function runInner(
  r: XdrReader,
  span: Span,
  ctx: DecodeContext,
  known: boolean,
  read: ((sub: XdrReader, c: DecodeContext) => unknown) | undefined,
): Outcome {
  if (!known) return { inner: 'no_decoder' };
  if (ctx.depth >= MAX_INDIRECT_DEPTH) return { inner: 'depth_limit' };
  if (!read) return span.length === 0 ? { inner: 'decoded' } : { inner: 'no_decoder' };
  const sub = new XdrReader(r.buf, span.start, span.end);
  const inner: DecodeContext = { ...ctx, depth: ctx.depth + 1, truncated: ctx.truncated || !span.complete };
  try {
    return { inner: 'decoded', value: read(sub, inner) };
  } catch (e) {
    return { inner: 'error', error: e instanceof Error ? e.message : String(e) };
  }
}

function withOutcome<T extends { inner: InnerState; error?: string; incomplete?: true }>(o: T, out: Outcome, span: Span): T {
  o.inner = out.inner;
  if (out.error !== undefined) o.error = out.error;
  if (!span.complete) o.incomplete = true;
  return o;
}

/** Reads call_args / rpcb_rmtcallargs and decodes the inner arguments through the registry. */
export function readIndirectArgs(r: XdrReader, ctx: DecodeContext): IndirectArgs {
  const prog = r.u32('prog');
  const vers = r.u32('vers');
  const proc = r.u32('proc');
  const span = readSpan(r, ctx, 'args');
  const def = ctx.registry.lookup(prog, vers, proc).procedure;
  const readArgs = def?.readArgs;
  const out = runInner(r, span, ctx, def !== null, readArgs && ((sub, c) => readArgs(sub, c)));
  const a = withOutcome<IndirectArgs>({ prog, vers, proc, argsLength: span.length, inner: out.inner }, out, span);
  if (out.inner === 'decoded') a.args = out.value;
  return a;
}

export function isIndirectArgs(x: unknown): x is IndirectArgs {
  const a = x as IndirectArgs | null;
  return typeof a === 'object' && a !== null && typeof a.prog === 'number' && typeof a.proc === 'number' && typeof a.inner === 'string';
}

function readRes(r: XdrReader, call: unknown, ctx: DecodeContext): IndirectRes {
  const span = readSpan(r, ctx, 'res');
  if (!isIndirectArgs(call)) return withOutcome<IndirectRes>({ resLength: span.length, inner: 'no_call' }, { inner: 'no_call' }, span);
  const def = ctx.registry.lookup(call.prog, call.vers, call.proc).procedure;
  const readResult = def?.readResult;
  const out = runInner(r, span, ctx, def !== null, readResult && ((sub, c) => readResult(sub, call.args, c)));
  const res = withOutcome<IndirectRes>({ resLength: span.length, inner: out.inner }, out, span);
  if (out.inner === 'decoded') res.res = out.value;
  return res;
}

/** PORTMAP v2 CALLIT result (RFC 1833 §3.1 call_result): port, then the inner results. */
export function readCallitResult(r: XdrReader, call: unknown, ctx: DecodeContext): CallitResult {
  const port = r.u32('port');
  return { port, ...readRes(r, call, ctx) };
}

/** RPCBIND rpcb_rmtcallres (RFC 1833 §2.1): the remote universal address, then the inner results. */
export function readRmtcallResult(r: XdrReader, call: unknown, ctx: DecodeContext): RmtcallResult {
  const addr = r.string(MAX_UADDR, 'addr');
  return { addr, ...parsedAddr(addr), ...readRes(r, call, ctx) };
}

// ------------------------------------------------------------------------------------------ formatting

function innerContext(f: FormatContext): FormatContext {
  return { ...f, depth: f.depth + 1 };
}

/**
 * Beyond snoop, after its summary text: the inner call or reply as the inner program's own summary, in brackets
 * (` [NFS C NULL3]`) — snoop shows it only on a separate `-V` line. On a call to a program with no name, its
 * number (` [prog=400111]`), since snoop's `prog=?` would lose it.
 */
export function innerSummary(a: IndirectArgs, inner: { value: unknown } | null, f: FormatContext): string {
  const lk = f.registry.lookup(a.prog, a.vers, a.proc);
  const layer = lk.program?.layer?.(a.vers) ?? null;
  const p = lk.procedure;
  if (layer && p && f.depth < MAX_INDIRECT_DEPTH) {
    // Like the framework, a procedure's formatters see only values its decoder returned (never undefined).
    if (inner === null && a.args !== undefined && p.callSummary) {
      return ` [${layer} C ${p.callSummary(a.args, innerContext(f)).trimEnd()}]`;
    }
    if (inner !== null && inner.value !== undefined && p.replySummary) {
      return ` [${layer} R ${p.replySummary(inner.value, a.args, innerContext(f)).trimEnd()}]`;
    }
  }
  return inner === null && f.programName(a.prog) === '?' ? ` [prog=${a.prog}]` : '';
}

/** `prog=NFS vers=3 proc=0` (snoop: the program's name only) and the inner call. */
export function indirectCallSummary(name: string, a: IndirectArgs, f: FormatContext): string {
  return `${name} prog=${f.programName(a.prog)} vers=${a.vers} proc=${a.proc}${innerSummary(a, null, f)}`;
}

function notDecodedNote(x: { inner: InnerState; error?: string; incomplete?: true }): string {
  let s = '';
  if (x.inner === 'depth_limit') s += ' (not decoded: nested too deep)';
  else if (x.inner === 'error') s += ` (not decoded: ${x.error ?? 'error'})`;
  if (x.incomplete) s += ' (incomplete)';
  return s;
}

/** The inner procedure's `-v` block under its program's header, as snoop's protoprint() shows it; `data` is the
 *  opaque arguments or results in the record, which the inner lines walk. */
function innerBlock(a: IndirectArgs, inner: { value: unknown } | null, f: FormatContext, c: XdrSpans, data: Opaque): DetailNode[] {
  if (f.depth >= MAX_INDIRECT_DEPTH) return [];
  const lk = f.registry.lookup(a.prog, a.vers, a.proc);
  const v = lk.program?.verbose?.(a.vers) ?? null;
  const p = lk.procedure;
  if (!v || !p) return [];
  const at = c.at(data.start);
  let lines: DetailNode[] | null = null;
  if (inner === null && a.args !== undefined && p.callDetail) lines = p.callDetail(a.args, innerContext(f), at);
  if (inner !== null && inner.value !== undefined && p.replyDetail) lines = p.replyDetail(inner.value, a.args, innerContext(f), at);
  return lines ? [field(`----- ${v.title} -----`, data.range, [{ text: '' }, ...lines])] : [];
}

/** The opaque arguments or results of an indirect call: where its data starts, and what a line showing it shows. */
interface Opaque {
  start: number;
  range: ByteRange | undefined;
}

function readOpaque(c: XdrSpans): Opaque {
  const start = c.pos + 4;
  return { start, range: c.opaque() };
}

/** snoop's CALLIT/BCAST/INDIRECT call detail (after `Proc = ...`), the prefix-only line, the inner block
 *  (call_args / rpcb_rmtcallargs: prog, vers, proc, opaque args<>). */
export function indirectCallDetail(a: IndirectArgs, f: FormatContext, c: XdrSpans = XdrSpans.detached()): DetailNode[] {
  const head = [
    field(`Program = ${a.prog} (${f.programName(a.prog)})`, c.word()),
    field(`Version = ${a.vers}`, c.word()),
    field(`Proc    = ${a.proc}`, c.word()),
  ];
  const data = readOpaque(c);
  return [...head, field(`Callit data = ${a.argsLength} bytes${notDecodedNote(a)}`, data.range), { text: '' }, ...innerBlock(a, null, f, c, data)];
}

/** The detail of an indirect call's results (the opaque results<>): `Length = N bytes`, the prefix-only line,
 *  the inner block. */
export function indirectResultDetail(res: IndirectRes, call: unknown, f: FormatContext, c: XdrSpans = XdrSpans.detached()): DetailNode[] {
  const data = readOpaque(c);
  const out: DetailNode[] = [field(`Length = ${res.resLength} bytes${notDecodedNote(res)}`, data.range), { text: '' }];
  if (isIndirectArgs(call)) out.push(...innerBlock(call, { value: res.res }, f, c, data));
  return out;
}

/** The inner reply's summary suffix for a reply line (empty when the call is unknown). */
export function indirectResultSummary(res: IndirectRes, call: unknown, f: FormatContext): string {
  return isIndirectArgs(call) ? innerSummary(call, { value: res.res }, f) : '';
}
