/**
 * One direction of one TCP connection: sequence tracking, de-duplication, a bounded out-of-order buffer, and
 * explicit loss (gopacket's habit: the reassembler never invents bytes, it says how many are missing).
 *
 * Sequence numbers are unsigned 32-bit; every comparison is the signed 32-bit difference `(a - b) | 0`, so
 * wraparound at 2^32 needs no special case (RFC 9293 §3.4 modular arithmetic).
 */
import type { Anomaly } from '../anomaly';
import type { Timestamp } from '../capture/raw-frame';
import type { StreamChunk, StreamEndpoints } from './stream-chunk';

/** Why a direction (or a whole connection) ended. */
export type TcpEndReason = 'fin' | 'rst' | 'idle' | 'evicted' | 'reused' | 'finish';

/** What a consumer learns about one direction before its first chunk; the same object is passed with every chunk. */
export interface TcpStreamInfo extends StreamEndpoints {
  readonly connId: string;
  /** `${connId}>${src}:${sport}`: unique per direction, for a consumer's own tables. */
  readonly key: string;
  /** This direction's SYN was seen. */
  readonly synSeen: boolean;
  /** The first delivered byte is the first byte of this direction's stream: its SYN was seen, or the peer's
   *  SYN-ACK acknowledged its ISN. False when the capture joined the connection mid-way: the consumer must
   *  resynchronise. */
  readonly fromStart: boolean;
  /** true: this direction sent the first SYN (client); false: it sent the SYN-ACK (server); null: unknown. */
  readonly initiator: boolean | null;
}

export interface TcpStreamEnd {
  reason: TcpEndReason;
  /** Bytes known to be lost after the last delivered chunk: the uncaptured tail of a snaplen-cut segment and any
   *  hole before a FIN. (Loss before buffered data is reported as `gapBefore` of the chunk that follows it.) */
  trailingGap: number;
  /** The frame that ended it (the FIN or RST), or the last frame of the connection for idle/evicted/finish. */
  frameNo: number;
  ts: Timestamp;
}

/** Services a direction needs from its reassembler (no module state: everything goes through this). */
export interface DirectionHost {
  readonly maxBufferedPerDirection: number;
  chunk(dir: TcpDirection, chunk: StreamChunk): void;
  ended(dir: TcpDirection, end: TcpStreamEnd): void;
  anomaly(a: Anomaly, connId: string, frameNo: number): void;
  /** Change of out-of-order bytes held (for the global cap). */
  buffered(delta: number): void;
  lost(bytes: number): void;
}

interface Segment {
  seq: number;
  /** Captured bytes (a copy: buffered data must not pin large capture buffers). */
  bytes: Uint8Array;
  /** Length on the wire (> bytes.length when the snaplen cut it). */
  wireLen: number;
  frameNo: number;
  ts: Timestamp;
}

/** What happened to a segment: delivered in order, delivered minus bytes already seen, held for later, or dropped
 *  (all its bytes were delivered before; or the direction has ended). */
export type SegmentOutcome = 'delivered' | 'overlap' | 'buffered' | 'duplicate' | 'stale';

const ZERO_TS: Timestamp = { sec: 0, nsec: 0 };

const EMPTY = new Uint8Array(0);

export class TcpDirection {
  /** `nextSeq` is meaningful (the first segment or the SYN was seen). */
  started = false;
  /** Next expected sequence number (unsigned 32-bit). */
  nextSeq = 0;
  synSeen = false;
  fromStart = false;
  initiator: boolean | null = null;
  isn = -1;
  /** The FIN's own sequence number (= end of the data), or -1 until a FIN is seen. */
  finSeq = -1;
  ended = false;
  /** Bytes declared lost and not yet reported (reported as the next chunk's gapBefore). */
  private pendingGap = 0;
  private ooo: Segment[] = [];
  oooBytes = 0;
  private info: TcpStreamInfo | null = null;
  lastFrameNo = 0;
  lastTs: Timestamp = ZERO_TS;

  constructor(
    private readonly host: DirectionHost,
    readonly connId: string,
    readonly ep: StreamEndpoints,
  ) {}

  /** The info object, created when the first chunk is delivered. */
  get stream(): TcpStreamInfo | null {
    return this.info;
  }

  get hasBuffered(): boolean {
    return this.ooo.length > 0;
  }

  get finSeen(): boolean {
    return this.finSeq >= 0;
  }

  /** All data up to the FIN has been delivered. */
  get finReached(): boolean {
    return this.finSeq >= 0 && this.started && this.nextSeq === this.finSeq && this.ooo.length === 0;
  }

  /** This direction's SYN (`ack` false: from the client; true: the server's SYN-ACK). */
  syn(seq: number, ack: boolean): void {
    this.synSeen = true;
    this.isn = seq;
    this.initiator = !ack;
    if (!this.started) this.startAt((seq + 1) >>> 0);
  }

  /** Start at a known first byte (the ISN + 1 learned from the SYN, or from the peer's SYN-ACK). */
  startAt(nextSeq: number): void {
    if (this.isn < 0) this.isn = (nextSeq - 1) >>> 0;
    this.started = true;
    this.fromStart = true;
    this.nextSeq = nextSeq >>> 0;
  }

  touch(frameNo: number, ts: Timestamp): void {
    this.lastFrameNo = frameNo;
    this.lastTs = ts;
  }

  /** A segment carrying `wireLen` > 0 bytes at `seq`, of which `payload` were captured. */
  segment(seq: number, payload: Uint8Array, wireLen: number, frameNo: number, ts: Timestamp): SegmentOutcome {
    if (this.ended) return 'stale';
    if (!this.started) {
      this.started = true;
      this.nextSeq = seq;
    }
    const diff = (seq - this.nextSeq) | 0;
    if (diff > 0) {
      this.buffer(seq, payload, wireLen, frameNo, ts);
      while (this.oooBytes > this.host.maxBufferedPerDirection && this.skipFirstHole()) {
        // the per-direction bound: declare the first hole lost and go on
      }
      return 'buffered';
    }
    if (diff + wireLen <= 0) return 'duplicate'; // retransmission of bytes already delivered
    this.deliver(payload, -diff, wireLen, frameNo, ts);
    if (this.ooo.length > 0) this.drain();
    return diff < 0 ? 'overlap' : 'delivered';
  }

  /** A FIN at `seq` (the sequence number after the segment's data). */
  fin(seq: number): void {
    if (!this.started) {
      this.started = true;
      this.nextSeq = seq >>> 0;
    }
    if (this.finSeq < 0) this.finSeq = seq >>> 0;
  }

  /** Out-of-order overflow: declare the hole before the first buffered segment lost and deliver what follows.
   *  Returns false when nothing is buffered. */
  skipFirstHole(): boolean {
    if (this.ooo.length === 0) return false;
    const first = this.ooo[0];
    const gap = (first.seq - this.nextSeq) | 0;
    if (gap > 0) {
      this.pendingGap += gap;
      this.nextSeq = first.seq;
      this.host.anomaly('tcp_out_of_order_overflow', this.connId, first.frameNo);
    }
    this.drain();
    return true;
  }

  /** Ends the direction: every hole is declared lost, buffered data is delivered, then the end is reported. */
  end(reason: TcpEndReason, frameNo: number, ts: Timestamp): void {
    if (this.ended) return;
    while (this.skipFirstHoleQuiet()) {
      // deliver everything buffered
    }
    let trailing = this.pendingGap;
    this.pendingGap = 0;
    if (this.finSeq >= 0 && this.started) {
      const hole = (this.finSeq - this.nextSeq) | 0;
      if (hole > 0) trailing += hole;
    }
    this.ended = true;
    if (trailing > 0) {
      this.host.anomaly('tcp_gap', this.connId, frameNo);
      this.host.lost(trailing);
    }
    if (this.info) this.host.ended(this, { reason, trailingGap: trailing, frameNo, ts });
  }

  private skipFirstHoleQuiet(): boolean {
    if (this.ooo.length === 0) return false;
    const gap = (this.ooo[0].seq - this.nextSeq) | 0;
    if (gap > 0) {
      this.pendingGap += gap;
      this.nextSeq = this.ooo[0].seq;
    }
    this.drain();
    return true;
  }

  /** Delivers the new bytes of a segment that starts at or before nextSeq (`skip` bytes already delivered). */
  private deliver(payload: Uint8Array, skip: number, wireLen: number, frameNo: number, ts: Timestamp): void {
    const cap = payload.length;
    if (skip < cap) this.emit(skip === 0 ? payload : payload.subarray(skip), frameNo, ts);
    const lostTail = wireLen - (skip > cap ? skip : cap);
    this.nextSeq = (this.nextSeq + wireLen - skip) >>> 0;
    if (lostTail > 0) {
      // cut by the snaplen: lost for good, and known now — report the gap at once (an empty chunk carrying it) so
      // that a record cut here is reported with this frame, not when the next segment happens to arrive
      this.pendingGap += lostTail;
      this.emit(EMPTY, frameNo, ts);
    }
  }

  private emit(bytes: Uint8Array, frameNo: number, ts: Timestamp): void {
    if (!this.info) {
      // every field written out: a spread followed by more properties gives each object a hidden class of its own
      // (V8), about 300 bytes per direction for as long as the connection is remembered
      const ep = this.ep;
      this.info = {
        ipVersion: ep.ipVersion,
        src: ep.src,
        sport: ep.sport,
        dst: ep.dst,
        dport: ep.dport,
        connId: this.connId,
        key: `${this.connId}>${this.ep.src}:${this.ep.sport}`,
        synSeen: this.synSeen,
        fromStart: this.fromStart,
        initiator: this.initiator,
      };
    }
    const gap = this.pendingGap;
    if (gap > 0) {
      this.pendingGap = 0;
      this.host.anomaly('tcp_gap', this.connId, frameNo);
      this.host.lost(gap);
    }
    this.host.chunk(this, {
      ipVersion: this.ep.ipVersion,
      src: this.ep.src,
      sport: this.ep.sport,
      dst: this.ep.dst,
      dport: this.ep.dport,
      connId: this.connId,
      gapBefore: gap,
      bytes,
      frameNo,
      ts,
    });
  }

  /** Inserts an out-of-order segment in sequence order, unless buffered data already covers it. */
  private buffer(seq: number, payload: Uint8Array, wireLen: number, frameNo: number, ts: Timestamp): void {
    const q = this.ooo;
    let i = q.length;
    while (i > 0 && ((q[i - 1].seq - seq) | 0) > 0) i--;
    // covered by the segment before it (same or earlier start, reaching at least as far)?
    if (i > 0) {
      const p = q[i - 1];
      if (((p.seq - seq) | 0) <= 0 && ((p.seq + p.wireLen - (seq + wireLen)) | 0) >= 0) return;
    }
    if (i < q.length) {
      const n = q[i];
      if (n.seq === seq && n.wireLen >= wireLen) return;
    }
    const bytes = payload.slice();
    q.splice(i, 0, { seq, bytes, wireLen, frameNo, ts });
    this.oooBytes += bytes.length;
    this.host.buffered(bytes.length);
  }

  /** Delivers buffered segments that have become contiguous. */
  private drain(): void {
    const q = this.ooo;
    let k = 0;
    while (k < q.length) {
      const s = q[k];
      const diff = (s.seq - this.nextSeq) | 0;
      if (diff > 0) break;
      k++;
      this.oooBytes -= s.bytes.length;
      this.host.buffered(-s.bytes.length);
      if (diff + s.wireLen <= 0) continue;
      this.deliver(s.bytes, -diff, s.wireLen, s.frameNo, s.ts);
    }
    if (k > 0) q.splice(0, k);
  }
}
