/**
 * Raw stream bytes of a record being read by the record marker (record-marking.ts), held cheaply until its header
 * has been probed.
 */
import type { Timestamp } from '../capture/raw-frame';
import type { Piece } from './record-resync';

/** Slots per span in RawSpans.spans: chunk, from, to, frame number, time. */
const STRIDE = 5;

/**
 * The raw stream bytes (marks included) of the record being read, kept until its header is probed so that they can
 * be rescanned if it is not RPC. Kept as (chunk, from, to) spans in one array reused from record to record (one
 * array with five slots per span, not five arrays: every TCP direction has one, and its per-connection objects are
 * most of what survives to the old generation; docs/performance.md): nearly every record passes the probe, and the
 * spans are then dropped without ever having been sliced.
 * Ownership: the chunks are the reassembler's views, never mutated; clearing drops the references.
 */
export class RawSpans {
  /** Spans are being collected (the current record's header is not yet probed). */
  on = false;
  /** Slots in use (STRIDE per span). */
  private n = 0;
  private readonly spans: Array<Uint8Array | number | Timestamp | null> = [];

  start(): void {
    this.clear();
    this.on = true;
  }

  stop(): void {
    this.clear();
    this.on = false;
  }

  push(b: Uint8Array, from: number, to: number, frameNo: number, ts: Timestamp): void {
    const i = this.n;
    this.n += STRIDE;
    const a = this.spans;
    a[i] = b;
    a[i + 1] = from;
    a[i + 2] = to;
    a[i + 3] = frameNo;
    a[i + 4] = ts;
  }

  /** The spans as pieces (views), and stop collecting. */
  take(): Piece[] {
    const out: Piece[] = [];
    const a = this.spans;
    for (let i = 0; i < this.n; i += STRIDE) {
      out.push({ bytes: (a[i] as Uint8Array).subarray(a[i + 1] as number, a[i + 2] as number), frameNo: a[i + 3] as number, ts: a[i + 4] as Timestamp });
    }
    this.stop();
    return out;
  }

  private clear(): void {
    const a = this.spans;
    for (let i = 0; i < this.n; i += STRIDE) {
      a[i] = null;
      a[i + 4] = null;
    }
    this.n = 0;
  }
}
