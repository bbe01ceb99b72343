/**
 * Raw stream bytes of a record being read by the record marker (record-marking.ts), held cheaply until its header
 * has been probed.
 */
import type { Timestamp } from '../capture/raw-frame';
import type { Piece } from './record-resync';

/**
 * The raw stream bytes (marks included) of the record being read, kept until its header is probed so that they can
 * be rescanned if it is not RPC. Kept as (chunk, from, to) spans in arrays reused from record to record: nearly
 * every record passes the probe, and the spans are then dropped without ever having been sliced.
 * Ownership: the chunks are the reassembler's views, never mutated; clearing drops the references.
 */
export class RawSpans {
  /** Spans are being collected (the current record's header is not yet probed). */
  on = false;
  private n = 0;
  private readonly bytes: Array<Uint8Array | null> = [];
  private readonly from: number[] = [];
  private readonly to: number[] = [];
  private readonly frames: number[] = [];
  private readonly times: Array<Timestamp | null> = [];

  start(): void {
    this.clear();
    this.on = true;
  }

  stop(): void {
    this.clear();
    this.on = false;
  }

  push(b: Uint8Array, from: number, to: number, frameNo: number, ts: Timestamp): void {
    const i = this.n++;
    this.bytes[i] = b;
    this.from[i] = from;
    this.to[i] = to;
    this.frames[i] = frameNo;
    this.times[i] = ts;
  }

  /** The spans as pieces (views), and stop collecting. */
  take(): Piece[] {
    const out: Piece[] = [];
    for (let i = 0; i < this.n; i++) {
      out.push({ bytes: (this.bytes[i] as Uint8Array).subarray(this.from[i], this.to[i]), frameNo: this.frames[i], ts: this.times[i] as Timestamp });
    }
    this.stop();
    return out;
  }

  private clear(): void {
    for (let i = 0; i < this.n; i++) {
      this.bytes[i] = null;
      this.times[i] = null;
    }
    this.n = 0;
  }
}
