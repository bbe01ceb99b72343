/**
 * A bounds-checked XDR cursor (RFC 4506). Every read checks the remaining bytes; every variable-length item
 * has a cap, so a hostile length (0xffffffff) fails fast instead of allocating. One cursor is reused across a
 * whole message (pg-protocol habit). Reads that return bytes return views (subarray) of the input, never copies:
 * the input is owned by the record and must not be mutated while views are alive.
 */

import { decodeUtf8Lossless } from './utf8-lossless';

export type XdrErrorKind = 'short' | 'length_exceeded';

/** Thrown when the data ends early ('short': truncated or malformed) or a length is over its cap. */
export class XdrError extends Error {
  constructor(
    readonly kind: XdrErrorKind,
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'XdrError';
  }
}

/** Default cap on an opaque/string length when a decoder does not give a tighter one (RFC types usually do). */
export const DEFAULT_MAX_OPAQUE = 1 << 24;


export class XdrReader {
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    offset = 0,
    readonly end = buf.length,
  ) {
    this.pos = offset;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): void {
    if (this.end - this.pos < n) {
      throw new XdrError('short', `${what}: need ${n} bytes at offset ${this.pos}, have ${this.end - this.pos}`, this.pos);
    }
  }

  u32(what = 'uint32'): number {
    this.need(4, what);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
  }

  i32(what = 'int32'): number {
    return this.u32(what) | 0;
  }

  /** unsigned hyper: kept as bigint (design: 64-bit values stay bigint until formatting). */
  u64(what = 'uint64'): bigint {
    const hi = this.u32(what);
    const lo = this.u32(what);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  i64(what = 'int64'): bigint {
    return BigInt.asIntN(64, this.u64(what));
  }

  bool(what = 'bool'): boolean {
    return this.u32(what) !== 0;
  }

  /** A length word checked against both the cap and the bytes that remain. */
  length(max: number, what: string): number {
    const at = this.pos;
    const n = this.u32(what);
    if (n > max) throw new XdrError('length_exceeded', `${what}: length ${n} over the limit ${max}`, at);
    return n;
  }

  /** Fixed-length opaque[n] (padded to 4). Returns a view. */
  fixed(n: number, what = 'opaque'): Uint8Array {
    const padded = (n + 3) & ~3;
    this.need(padded, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += padded;
    return v;
  }

  /** Variable-length opaque<max>. Returns a view. */
  opaque(max: number, what = 'opaque'): Uint8Array {
    return this.fixed(this.length(max, what), what);
  }

  /** Variable-length string<max>, decoded as UTF-8; a byte that is not valid UTF-8 becomes the lone surrogate
   *  U+DC00+byte (utf8-lossless.ts), so text output can show it as `\xNN`. */
  string(max: number, what = 'string'): string {
    return decodeUtf8Lossless(this.opaque(max, what));
  }

  skip(n: number, what = 'skip'): void {
    this.need(n, what);
    this.pos += n;
  }

  /** Array length for items of at least `minItemBytes` each: capped by what could possibly fit. */
  count(max: number, minItemBytes: number, what: string): number {
    const n = this.length(max, what);
    if (minItemBytes > 0 && n * minItemBytes > this.remaining) {
      throw new XdrError('short', `${what}: ${n} items cannot fit in ${this.remaining} bytes`, this.pos - 4);
    }
    return n;
  }
}
