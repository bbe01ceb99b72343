/**
 * Where the values a detail block shows lie in the record: a cursor that walks the XDR encoding (RFC 4506) of a
 * message alongside the block's builder, item by item, and hands out each item's byte range — what Wireshark's
 * dissectors do with their running offset. The decoders stay as they are (pure, fast, no positions kept); the
 * builders already show values in wire order (snoop's detail printers read the XDR sequentially), so each line
 * takes the bytes of the items it shows, in turn.
 *
 * Views are checkpoints. XdrReader returns byte items (handles, verifiers, auth bodies) as subarray views of the
 * record, never copies, so a view's place is exact: `view.byteOffset - record.byteOffset` when both share one
 * ArrayBuffer (any other view has no known place and is walked over like an opaque). Meeting a view where the
 * walk did not expect it, the cursor counts a slip and carries on from the view: tests require no slips on every
 * fixture, which proves the walk and the decoders agree.
 *
 * Never throws and never reads past the record: ranges are cut at its end, and an item that starts past it (a
 * truncated record) has no range. A detached cursor (no bytes) gives no ranges at all, for callers that only
 * want text.
 */
import type { ByteRange } from './detail';

const pad4 = (n: number): number => n + ((4 - (n % 4)) % 4);

export class XdrSpans {
  private constructor(
    private readonly bytes: Uint8Array | null,
    /** Offset of the next item in the record. */
    public pos: number,
    /** The call header's procedure field, for a block's `Proc = N` line (none for a reply: the reply does not
     *  carry its procedure). */
    public procedure: ByteRange | undefined,
    private readonly tally: { slips: number },
  ) {}

  /** A cursor over `record` (the RPC record's bytes) at `pos`. */
  static of(record: Uint8Array, pos: number, procedure?: ByteRange): XdrSpans {
    return new XdrSpans(record, pos, procedure, { slips: 0 });
  }

  /** A cursor that knows no bytes: every range is undefined. */
  static detached(): XdrSpans {
    return new XdrSpans(null, 0, undefined, { slips: 0 });
  }

  /** A second cursor over the same record at `pos` (inside an auth body, an indirect call's opaque arguments),
   *  without a procedure field; its slips count with this one's. */
  at(pos: number): XdrSpans {
    return new XdrSpans(this.bytes, pos, undefined, this.tally);
  }

  /** Views met away from where the walk expected them (the walk went on from the view), by this cursor and the
   *  ones made from it. */
  get slips(): number {
    return this.tally.slips;
  }

  /** [start, end) cut at the end of the record; undefined when nothing of a non-empty item was captured. */
  range(start: number, end: number): ByteRange | undefined {
    const b = this.bytes;
    if (b === null || start < 0 || end < start) return undefined;
    const len = b.length;
    if (start > len || (start === len && end > start)) return undefined;
    return { start, end: Math.min(end, len) };
  }

  /** `n` bytes of data in a slot padded to a multiple of 4. */
  private take(n: number): ByteRange | undefined {
    const start = this.pos;
    this.pos = start + pad4(n);
    return this.range(start, start + n);
  }

  /** int, unsigned int, enum, bool (4 bytes). */
  word(): ByteRange | undefined {
    return this.take(4);
  }

  /** `n` consecutive 4-byte items, as one range (a line showing several of them). */
  words(n: number): ByteRange | undefined {
    return this.take(4 * n);
  }

  /** hyper, unsigned hyper (8 bytes). */
  hyper(): ByteRange | undefined {
    return this.take(8);
  }

  /** opaque[n]: its `n` data bytes. */
  fixed(n: number): ByteRange | undefined {
    return this.take(n);
  }

  /** opaque<> or string<>: the data bytes, whose length the walk reads from the record; for empty data, the
   *  length word (the only bytes that show the value: an empty uaddr, `(not registered)`). */
  opaque(): ByteRange | undefined {
    const b = this.bytes;
    const p = this.pos;
    if (b === null || p < 0 || p + 4 > b.length) {
      this.pos = Number.MAX_SAFE_INTEGER; // the length is not captured: nothing after it has a known place
      return undefined;
    }
    const n = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
    this.pos = p + 4;
    return n === 0 ? this.range(p, p + 4) : this.take(n);
  }

  /**
   * A byte item the decoder returned as a view: its exact range. `counted` says it was an opaque<> (a length
   * word before the data) rather than an opaque[n].
   */
  view(v: Uint8Array, counted: boolean): ByteRange | undefined {
    const b = this.bytes;
    if (b === null) return undefined;
    // Ownership: record bytes and decoder views share one ArrayBuffer (XdrReader hands out subarrays); a view of
    // anything else (a copy) has no place in the record and is walked over instead.
    const off = v.byteOffset - b.byteOffset;
    if (v.buffer !== b.buffer || off < 0 || off + v.length > b.length) return counted ? this.opaque() : this.fixed(v.length);
    if (off !== (counted ? this.pos + 4 : this.pos)) this.tally.slips++;
    this.pos = off + pad4(v.length);
    return { start: off, end: off + v.length };
  }

  /** The bytes walked since `start` (a line heading the items read for its children). */
  since(start: number): ByteRange | undefined {
    return this.range(start, this.pos);
  }
}
