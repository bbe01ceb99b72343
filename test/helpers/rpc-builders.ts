/**
 * Builders for ONC RPC tests (pg-protocol's habit: build messages with small builders, re-run them split at every
 * byte offset): XDR calls and replies, record-mark framing, cutting byte streams into pieces. TCP segments and the
 * reassembly harness are in tcp-session.ts.
 */
import { concat, randomBytes } from './bytes';

// ------------------------------------------------------------------------------------------------ XDR

export class XdrWriter {
  private parts: number[] = [];

  u32(v: number): this {
    const x = v >>> 0;
    this.parts.push((x >>> 24) & 0xff, (x >>> 16) & 0xff, (x >>> 8) & 0xff, x & 0xff);
    return this;
  }

  u64(v: bigint): this {
    return this.u32(Number((v >> 32n) & 0xffffffffn)).u32(Number(v & 0xffffffffn));
  }

  /** Fixed-length opaque: the bytes plus padding to a multiple of 4. */
  fixed(b: Uint8Array): this {
    for (const x of b) this.parts.push(x);
    for (let i = b.length; i % 4 !== 0; i++) this.parts.push(0);
    return this;
  }

  /** Variable-length opaque: length, bytes, padding. */
  opaque(b: Uint8Array): this {
    return this.u32(b.length).fixed(b);
  }

  string(s: string): this {
    return this.opaque(new TextEncoder().encode(s));
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

// ------------------------------------------------------------------------------------------------ RPC messages

export interface Auth {
  flavor: number;
  body: Uint8Array;
}

export const AUTH_NONE: Auth = { flavor: 0, body: new Uint8Array(0) };

export interface AuthUnixSpec {
  stamp?: number;
  machine?: string;
  uid?: number;
  gid?: number;
  gids?: number[];
}

/** AUTH_SYS / AUTH_UNIX credential (RFC 5531 Appendix A). */
export function authUnix(spec: AuthUnixSpec = {}): Auth {
  const w = new XdrWriter()
    .u32(spec.stamp ?? 0x12345678)
    .string(spec.machine ?? 'client')
    .u32(spec.uid ?? 1000)
    .u32(spec.gid ?? 1000);
  const gids = spec.gids ?? [];
  w.u32(gids.length);
  for (const g of gids) w.u32(g);
  return { flavor: 1, body: w.bytes() };
}

export interface CallSpec {
  xid: number;
  prog: number;
  vers: number;
  proc: number;
  cred?: Auth;
  verf?: Auth;
  /** Procedure arguments (already XDR-encoded). */
  body?: Uint8Array;
  rpcvers?: number;
}

export function buildCall(spec: CallSpec): Uint8Array {
  const cred = spec.cred ?? AUTH_NONE;
  const verf = spec.verf ?? AUTH_NONE;
  const w = new XdrWriter()
    .u32(spec.xid)
    .u32(0)
    .u32(spec.rpcvers ?? 2)
    .u32(spec.prog)
    .u32(spec.vers)
    .u32(spec.proc)
    .u32(cred.flavor)
    .opaque(cred.body)
    .u32(verf.flavor)
    .opaque(verf.body);
  return concat(w.bytes(), spec.body ?? new Uint8Array(0));
}

export interface AcceptedReplySpec {
  xid: number;
  verf?: Auth;
  /** 0 SUCCESS, 1 PROG_UNAVAIL, 2 PROG_MISMATCH, 3 PROC_UNAVAIL, 4 GARBAGE_ARGS, 5 SYSTEM_ERR. */
  acceptStat?: number;
  /** For PROG_MISMATCH. */
  mismatch?: { low: number; high: number };
  /** Results (SUCCESS only). */
  body?: Uint8Array;
}

export function buildAcceptedReply(spec: AcceptedReplySpec): Uint8Array {
  const verf = spec.verf ?? AUTH_NONE;
  const stat = spec.acceptStat ?? 0;
  const w = new XdrWriter().u32(spec.xid).u32(1).u32(0).u32(verf.flavor).opaque(verf.body).u32(stat);
  if (stat === 2) {
    const m = spec.mismatch ?? { low: 2, high: 3 };
    w.u32(m.low).u32(m.high);
  }
  return concat(w.bytes(), stat === 0 ? (spec.body ?? new Uint8Array(0)) : new Uint8Array(0));
}

export type DeniedReplySpec = { xid: number; rpcMismatch: { low: number; high: number } } | { xid: number; authStat: number };

export function buildDeniedReply(spec: DeniedReplySpec): Uint8Array {
  const w = new XdrWriter().u32(spec.xid).u32(1).u32(1);
  if ('rpcMismatch' in spec) w.u32(0).u32(spec.rpcMismatch.low).u32(spec.rpcMismatch.high);
  else w.u32(1).u32(spec.authStat);
  return w.bytes();
}

/** A realistic NFSv3 file handle (opaque<64>). */
export function nfsFh(seed = 7, len = 28): Uint8Array {
  return new XdrWriter().opaque(randomBytes(len, seed)).bytes();
}

/** NFSv3 WRITE3args with `data` (file handle, offset, count, stable, data). */
export function nfsWriteArgs(data: Uint8Array, offset = 0n): Uint8Array {
  return concat(
    nfsFh(),
    new XdrWriter().u64(offset).u32(data.length).u32(2).opaque(data).bytes(),
  );
}

/** NFSv3 READ3resok-like body: status, no attributes, count, eof, data. */
export function nfsReadResult(data: Uint8Array): Uint8Array {
  return new XdrWriter().u32(0).u32(0).u32(data.length).u32(1).opaque(data).bytes();
}

// ------------------------------------------------------------------------------------------------ record marking

export function recordMark(len: number, last: boolean): Uint8Array {
  return new XdrWriter().u32(((last ? 0x80000000 : 0) | (len & 0x7fffffff)) >>> 0).bytes();
}

/** The message framed as one record; `fragSizes` splits it into fragments (the last takes the rest). */
export function frameRecord(msg: Uint8Array, fragSizes: number[] = []): Uint8Array {
  const parts: Uint8Array[] = [];
  let o = 0;
  for (const n of fragSizes) {
    if (o + n >= msg.length) break;
    parts.push(recordMark(n, false), msg.subarray(o, o + n));
    o += n;
  }
  parts.push(recordMark(msg.length - o, true), msg.subarray(o));
  return concat(...parts);
}

/** Cuts `bytes` at the given offsets (ascending). */
export function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let o = 0;
  for (const c of cuts) {
    out.push(bytes.subarray(o, c));
    o = c;
  }
  out.push(bytes.subarray(o));
  return out;
}

/** Cuts `bytes` into pieces of at most `size`. */
export function chop(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; o += size) out.push(bytes.subarray(o, Math.min(bytes.length, o + size)));
  return out;
}
