/**
 * Exact-length reads over a stream of chunks (file, stdin, gunzip output), for the capture readers.
 *
 * Capture formats are a sequence of "read N bytes, then decide": a record header, then its body. Streams hand
 * out chunks of arbitrary size, so this keeps a small list of pending chunks and answers "give me exactly N".
 * Memory stays bounded by the largest N a caller asks for (callers cap N before asking) plus one chunk.
 *
 * Returned buffers are views of the input chunks when they fit in one chunk, otherwise fresh copies. Chunks
 * from fs, net and zlib streams are never reused by Node, so views are safe to hand out as frame bytes
 * (RawFrame ownership rule).
 */

import { CaptureError } from './raw-frame';

export class ByteReader {
  private readonly iter: AsyncIterator<Uint8Array>;
  private readonly chunks: Buffer[] = [];
  /** Read position inside chunks[0]. */
  private headOff = 0;
  private bufferedBytes = 0;
  private consumedBytes = 0;
  private ended = false;

  /** `name` labels input errors that are not CaptureErrors already (those pass through unchanged). */
  constructor(
    source: AsyncIterable<Uint8Array>,
    private readonly name: string,
  ) {
    this.iter = source[Symbol.asyncIterator]();
  }

  /** Bytes consumed (taken or skipped) so far: the offset of the next byte in the input. */
  get offset(): number {
    return this.consumedBytes;
  }

  /** Bytes pulled from the source but not consumed yet. */
  get buffered(): number {
    return this.bufferedBytes;
  }

  /** Pull chunks until at least n bytes are buffered. False when the input ended first (what is there stays). */
  async ensure(n: number): Promise<boolean> {
    while (this.bufferedBytes < n) {
      if (!(await this.pull())) return false;
    }
    return true;
  }

  /** The next n bytes without consuming them; n must be <= buffered. */
  peek(n: number): Buffer {
    return this.copyOut(n, false);
  }

  /** Consume and return the next n bytes; n must be <= buffered. */
  take(n: number): Buffer {
    return this.copyOut(n, true);
  }

  /**
   * The unsigned 32-bit word at `at` bytes past the read position (`at + 4` must be <= buffered), without consuming
   * anything: a record header's fields read in place, with no view object per header (docs/performance.md).
   */
  u32(at: number, littleEndian: boolean): number {
    const first = this.chunks[0];
    const i = this.headOff + at;
    if (first !== undefined && i + 4 <= first.length) {
      return littleEndian
        ? (first[i] | (first[i + 1] << 8) | (first[i + 2] << 16) | (first[i + 3] << 24)) >>> 0
        : ((first[i] << 24) | (first[i + 1] << 16) | (first[i + 2] << 8) | first[i + 3]) >>> 0;
    }
    const w = this.copyOut(at + 4, false);
    return littleEndian ? w.readUInt32LE(at) : w.readUInt32BE(at);
  }

  /** Consume n bytes without keeping them (large unknown blocks). False when the input ended first. */
  async skip(n: number): Promise<boolean> {
    let left = n;
    while (left > 0) {
      if (this.bufferedBytes === 0 && !(await this.pull())) return false;
      const step = Math.min(left, this.bufferedBytes);
      this.drop(step);
      left -= step;
    }
    return true;
  }

  /**
   * The unconsumed input as chunks (buffered ones first), for handing the stream to another consumer (a
   * sniffer handing over to a reader, pcap-parser, gunzip). Ending the iteration early closes the source.
   */
  async *rest(): AsyncGenerator<Buffer, void, undefined> {
    try {
      for (;;) {
        while (this.chunks.length > 0) {
          const first = this.chunks[0];
          const out = this.headOff === 0 ? first : first.subarray(this.headOff);
          this.drop(out.length);
          yield out;
        }
        if (!(await this.pull())) return;
      }
    } finally {
      await this.close();
    }
  }

  /** Stop reading: lets the source release its file descriptor. Safe to call more than once. */
  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.chunks.length = 0;
    this.bufferedBytes = 0;
    this.headOff = 0;
    await this.iter.return?.();
  }

  private async pull(): Promise<boolean> {
    if (this.ended) return false;
    for (;;) {
      let r: IteratorResult<Uint8Array>;
      try {
        r = await this.iter.next();
      } catch (err) {
        this.ended = true;
        if (err instanceof CaptureError) throw err;
        throw new CaptureError('io', `${this.name}: read error: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (r.done) {
        this.ended = true;
        return false;
      }
      const c = r.value;
      if (typeof c === 'string') throw new TypeError('ByteReader needs binary chunks, got a string');
      if (c.length === 0) continue;
      this.chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength));
      this.bufferedBytes += c.length;
      return true;
    }
  }

  private drop(n: number): void {
    let left = n;
    this.bufferedBytes -= n;
    this.consumedBytes += n;
    while (left > 0) {
      const avail = this.chunks[0].length - this.headOff;
      if (left < avail) {
        this.headOff += left;
        return;
      }
      left -= avail;
      this.chunks.shift();
      this.headOff = 0;
    }
  }

  /** Consume n buffered bytes (n <= buffered) without returning them. */
  discard(n: number): void {
    if (n > this.bufferedBytes) throw new RangeError(`ByteReader: ${n} bytes discarded, ${this.bufferedBytes} buffered`);
    this.drop(n);
  }

  private copyOut(n: number, consume: boolean): Buffer {
    if (n > this.bufferedBytes) {
      throw new RangeError(`ByteReader: ${n} bytes requested, ${this.bufferedBytes} buffered`);
    }
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[0];
    let out: Buffer;
    if (first.length - this.headOff >= n) {
      out = first.subarray(this.headOff, this.headOff + n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      for (let i = 0; filled < n; i++) {
        const c = this.chunks[i];
        const from = i === 0 ? this.headOff : 0;
        const len = Math.min(c.length - from, n - filled);
        c.copy(out, filled, from, from + len);
        filled += len;
      }
    }
    if (consume) this.drop(n);
    return out;
  }
}
