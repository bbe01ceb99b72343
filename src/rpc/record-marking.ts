/**
 * ONC RPC record marking over TCP (RFC 5531 §11): an explicit state machine per TCP direction (Zeek's habit), fed
 * StreamChunks, emitting RpcRecords. Its options and record type are in record-marker-types.ts; tcp-record-layer.ts runs one
 * per TCP direction.
 *
 * Each record is one or more fragments, each preceded by a 4-byte mark: top bit = last fragment, low 31 bits =
 * fragment length. States:
 *
 *   MARK    reading a record mark (kept across chunks: a mark may be split 1/3, 2/2, 3/1)
 *   BODY    reading `fragRemaining` bytes of a fragment into the record
 *   SKIP    counting away `skipRemaining` bytes of a record that is not kept (rest of a record cut by lost bytes,
 *           or beyond maxRecordSize), then its further fragments; the stream stays in sync
 *   RESYNC  framing unknown (joined mid-way, lost bytes across a boundary, a record that is not RPC): scan for
 *           the next plausible record (record-resync.ts); skipped bytes are counted and reported on the next
 *           record ('record_resync', `skippedBefore`)
 *
 * Records are views of the chunk when they lie in one chunk; a record spanning chunks, or made of several
 * fragments, is copied once when complete (pg-protocol's habit). Every length from the wire is capped before it
 * is used: at most maxRecordSize bytes of a record are kept, whatever its marks claim.
 *
 * Emitted records: `frameNo`/`ts` are those of the frame that completed the record — the latest-arriving frame
 * that carried part of it, which is the one carrying its last byte unless segments were reordered (tshark's
 * "reassembled in") — or, for a truncated record, of the frame where it began. Never garbage: a record is emitted
 * only when the stream was in sync at its start and its first bytes pass probeRpcHeader (or, when the data ends
 * before the header does, whatever was captured of a record whose framing was known).
 */
import type { Anomaly } from '../anomaly';
import type { Timestamp } from '../capture/raw-frame';
import type { StreamChunk } from '../reassembly/stream-chunk';
import { probeRpcHeader, PROBE_HEAD, u32 } from './detect';
import { RawSpans } from './raw-spans';
import type { BudgetHolder, RecordBudget } from './record-budget';
import { ResyncScanner, type Piece, type ResyncAccept } from './record-resync';
import type { RecordMarkerOptions, RecordMarkerShared, RecordMarkerStats, TcpRpcRecord } from './record-marker-types';
import { DEFAULT_RECORD_MARKING, newRecordMarkerStats } from './record-marker-types';

const S_MARK = 0;
const S_BODY = 1;
const S_SKIP = 2;
const S_RESYNC = 3;
const S_CLOSED = 4;

const PROBE_PENDING = 0;
const PROBE_OK = 1;

interface Rec {
  startFrame: number;
  startTs: Timestamp;
  /** The latest-arriving frame so far (highest number) and its time. */
  lastFrame: number;
  lastTs: Timestamp;
  frames: number[];
  parts: Uint8Array[];
  /** Bytes kept (<= maxRecordSize). */
  captured: number;
  /** Sum of the fragment lengths seen so far. */
  length: number;
  fragments: number;
  /** Fragment lengths as the marks said (for -v's Record Mark lines); at most maxFragments of them. */
  fragmentLengths: number[];
  probe: number;
  /** Kept bytes hit maxRecordSize. */
  over: boolean;
  /** Found by a resync that could not check the record's end. */
  unconfirmed: boolean;
}

interface Endpoints {
  ipVersion: 4 | 6;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  connId: string;
}


function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The record-marking state machine of one TCP direction. */
export class RecordMarker implements BudgetHolder {
  readonly counters: Partial<Record<Anomaly, number>>;
  readonly stats: RecordMarkerStats;
  private readonly opts: RecordMarkerOptions;
  private readonly onAnomaly?: (anomaly: Anomaly, connId: string, frameNo: number) => void;
  private ep: Endpoints | null = null;
  private state = S_MARK;
  /** A record mark split across chunks: its bytes so far, big-endian (a number, not a 4-byte array per direction:
   *  every TCP direction has a marker, and its per-connection objects are most of what survives to the old
   *  generation; docs/performance.md). */
  private markAcc = 0;
  private markHave = 0;
  private fragRemaining = 0;
  private fragLast = false;
  private skipRemaining = 0;
  private skipLast = false;
  /** In MARK: the next mark belongs to a record being skipped. */
  private skipping = false;
  private rec: Rec | null = null;
  /** Raw stream bytes of `rec` (marks included) while its header is not yet probed, to rescan them if it fails. */
  private readonly raw = new RawSpans();
  /** A complete record from an unconfirmed resync, waiting for the next record's header to confirm it. */
  private held: TcpRpcRecord | null = null;
  /** The next record starts at an unconfirmed resync position. */
  private unconfirmed = false;
  /** Bytes skipped since the last emitted record. */
  private skipped = 0;
  private scanner: ResyncScanner | null = null;
  private replay: Piece[] = [];
  private replayHead = 0;
  private lastFrame = 0;
  /** recordInFirstChunk, until the first chunk has been handed to the scanner. */
  private trustFirstChunk: boolean;
  /** While joining with recordInFirstChunk: bytes skipped so far (reported only if the record found is not the
   *  trusted one); -1 otherwise. */
  private joinSkipped: number;
  /** The shared budget for partial records (record-budget.ts), the record last reported to it and its bytes. */
  private readonly budget: RecordBudget | null;
  private budgetRec: Rec | null = null;
  private budgeted = 0;

  constructor(
    options: Partial<RecordMarkerOptions>,
    private readonly emitRecord: (rec: TcpRpcRecord) => void,
    shared?: RecordMarkerShared,
  ) {
    this.opts = { ...DEFAULT_RECORD_MARKING, ...options };
    if (!(this.opts.maxRecordSize >= PROBE_HEAD)) this.opts.maxRecordSize = PROBE_HEAD;
    this.counters = shared?.counters ?? {};
    this.stats = shared?.stats ?? newRecordMarkerStats();
    this.onAnomaly = shared?.onAnomaly;
    this.budget = shared?.budget ?? null;
    this.state = S_MARK;
    this.trustFirstChunk = !this.opts.inSync && this.opts.recordInFirstChunk;
    this.joinSkipped = this.trustFirstChunk ? 0 : -1;
    if (!this.opts.inSync) this.enterResync(); // joined mid-way: find the first record boundary
  }

  /** The next in-order chunk of this direction. */
  push(chunk: StreamChunk): void {
    if (this.state === S_CLOSED) return;
    if (!this.ep) {
      this.ep = {
        ipVersion: chunk.ipVersion,
        src: chunk.src,
        sport: chunk.sport,
        dst: chunk.dst,
        dport: chunk.dport,
        connId: chunk.connId,
      };
    }
    this.lastFrame = chunk.frameNo;
    if (chunk.gapBefore > 0) this.gap(chunk.gapBefore);
    const b = chunk.bytes;
    if (b.length > 0) {
      this.data(b, 0, b.length, chunk.frameNo, chunk.ts);
      this.drainReplay();
    }
    if (this.budget) {
      this.account();
      this.budget.enforce();
    }
  }

  /** End of the stream (`trailingGap` bytes lost after the last chunk): flushes a partial record as truncated. */
  close(trailingGap = 0): void {
    if (this.state === S_CLOSED) return;
    if (trailingGap > 0) this.gap(trailingGap);
    this.flushResync();
    this.releaseHeld();
    if (this.rec) this.truncate('record_truncated');
    if (this.skipped > 0) {
      // bytes skipped with no record after them
      this.anomaly('record_resync', this.lastFrame);
      this.skipped = 0;
    }
    this.state = S_CLOSED;
    this.scanner = null;
    this.raw.stop();
    this.replay = [];
    this.replayHead = 0;
    this.account();
  }

  /**
   * The shared budget is full and this direction's partial record is the oldest held: emit what it has as
   * truncated ('record_buffer_full') and skip the rest of the record by counting, as for --max-record-size — the
   * stream stays in sync.
   */
  cutForBudget(): void {
    const rec = this.rec;
    if (rec && rec.probe === PROBE_OK && rec.captured > 0) {
      const state = this.state;
      // between fragments a mark of the record may be half read: it stays, and is read as the skipped record's
      const markAcc = this.markAcc;
      const markHave = this.markHave;
      this.stats.budgetCutRecords++;
      this.truncate('record_buffer_full');
      if (state === S_BODY) {
        this.skipRemaining = this.fragRemaining;
        this.skipLast = this.fragLast;
        this.fragRemaining = 0;
        if (this.skipRemaining === 0) this.endSkip();
        else this.state = S_SKIP;
      } else if (state === S_MARK) {
        // the last fragment read was not the last one (else the record would be complete): skip the ones to come
        this.markAcc = markAcc;
        this.markHave = markHave;
        this.skipping = true;
      }
    }
    this.account();
  }

  /** Tells the budget what this direction holds now: the kept bytes of a partial record whose header was probed
   *  (one still being probed holds under PROBE_HEAD bytes and cannot be cut yet). */
  private account(): void {
    const budget = this.budget;
    if (!budget) return;
    const rec = this.rec;
    const n = rec !== null && rec.probe === PROBE_OK && this.state !== S_CLOSED ? rec.captured : 0;
    const held = n > 0 ? rec : null;
    if (n === this.budgeted && held === this.budgetRec) return;
    budget.set(this, n, held !== this.budgetRec);
    this.budgeted = n;
    this.budgetRec = held;
  }

  // ---- in-sync states ------------------------------------------------------------------------------------------

  private data(b: Uint8Array, i: number, n: number, frameNo: number, ts: Timestamp): void {
    while (i < n) {
      const state = this.state;
      if (state === S_MARK) {
        const start = i;
        let mark = -1;
        if (this.markHave === 0 && n - i >= 4) {
          mark = u32(b, i);
          i += 4;
        } else {
          while (this.markHave < 4 && i < n) {
            this.markAcc = ((this.markAcc << 8) | b[i++]) >>> 0;
            this.markHave++;
          }
          if (this.markHave === 4) {
            mark = this.markAcc;
            this.markAcc = 0;
            this.markHave = 0;
          }
        }
        if (!this.skipping) this.consumed(b, start, i, frameNo, ts);
        if (mark >= 0) this.onMark(mark);
      } else if (state === S_BODY) {
        const rec = this.rec as Rec;
        const take = n - i < this.fragRemaining ? n - i : this.fragRemaining;
        const room = this.opts.maxRecordSize - rec.captured;
        const keep = take <= room ? take : room;
        if (keep > 0) {
          rec.parts.push(i === 0 && keep === b.length ? b : b.subarray(i, i + keep));
          rec.captured += keep;
        }
        if (keep < take) rec.over = true;
        this.consumed(b, i, i + take, frameNo, ts);
        i += take;
        this.fragRemaining -= take;
        if (rec.probe === PROBE_PENDING && !this.decide(rec, this.fragRemaining === 0 && this.fragLast)) continue;
        if (rec.over) this.tooLarge();
        else if (this.fragRemaining === 0) {
          if (this.fragLast) this.complete();
          else this.state = S_MARK;
        }
      } else if (state === S_SKIP) {
        const take = n - i < this.skipRemaining ? n - i : this.skipRemaining;
        i += take;
        this.skipRemaining -= take;
        if (this.skipRemaining === 0) this.endSkip();
      } else if (state === S_RESYNC) {
        const sc = this.scanner as ResyncScanner;
        sc.append(b, i, n, frameNo, ts);
        if (this.trustFirstChunk) {
          this.trustFirstChunk = false;
          sc.trust();
        }
        i = n;
      } else {
        return;
      }
    }
    if (this.state === S_RESYNC) {
      const acc = (this.scanner as ResyncScanner).scan(false);
      if (acc) this.acceptResync(acc);
      else this.collectSkipped();
    }
  }

  /** Bytes b[from, to) of the stream belong to the current record (its marks or body). */
  private consumed(b: Uint8Array, from: number, to: number, frameNo: number, ts: Timestamp): void {
    let rec = this.rec;
    if (!rec) {
      rec = {
        startFrame: frameNo,
        startTs: ts,
        lastFrame: frameNo,
        lastTs: ts,
        frames: [frameNo],
        parts: [],
        captured: 0,
        length: 0,
        fragments: 0,
        fragmentLengths: [],
        probe: PROBE_PENDING,
        over: false,
        unconfirmed: this.unconfirmed,
      };
      this.unconfirmed = false;
      this.rec = rec;
      this.raw.start();
    } else if (rec.frames[rec.frames.length - 1] !== frameNo) {
      // The record is complete with its latest-arriving frame, which after reordering need not carry its last
      // byte: frames are numbered in arrival order, so that is the highest number (tshark's "reassembled in").
      if (frameNo > rec.lastFrame) {
        rec.lastFrame = frameNo;
        rec.lastTs = ts;
        rec.frames.push(frameNo);
      } else if (!rec.frames.includes(frameNo)) {
        rec.frames.push(frameNo);
      }
    }
    if (this.raw.on && to > from) this.raw.push(b, from, to, frameNo, ts);
  }

  private onMark(mark: number): void {
    const len = mark & 0x7fffffff;
    const last = mark >= 0x80000000;
    if (this.skipping) {
      this.skipRemaining = len;
      this.skipLast = last;
      if (len === 0) this.endSkip();
      else this.state = S_SKIP;
      return;
    }
    const rec = this.rec as Rec;
    rec.fragments++;
    rec.length += len;
    if (rec.fragments <= this.opts.maxFragments) rec.fragmentLengths.push(len);
    if (rec.fragments > this.opts.maxFragments) {
      this.fragmentOverflow(len, last);
      return;
    }
    this.fragRemaining = len;
    this.fragLast = last;
    if (len > 0) this.state = S_BODY;
    else if (last) this.complete();
    else this.state = S_MARK;
  }

  /** Probes the record's header; false when it is not RPC (the marker is then resynchronising). */
  private decide(rec: Rec, complete: boolean): boolean {
    const first = rec.parts.length > 0 ? rec.parts[0] : null;
    let r = first ? probeRpcHeader(first, 0, first.length) : 'more';
    if (r === 'more' && rec.parts.length > 1 && first && first.length < PROBE_HEAD) {
      const n = rec.captured < PROBE_HEAD ? rec.captured : PROBE_HEAD;
      const head = new Uint8Array(n);
      let o = 0;
      for (const p of rec.parts) {
        const k = p.length < n - o ? p.length : n - o;
        head.set(k === p.length ? p : p.subarray(0, k), o);
        o += k;
        if (o === n) break;
      }
      r = probeRpcHeader(head, 0, n);
    }
    if (r === 'more') {
      if (!complete && rec.captured < PROBE_HEAD) return true; // wait for more
      r = 'no';
    }
    if (r === 'no') {
      this.notRpc();
      return false;
    }
    rec.probe = PROBE_OK;
    this.raw.stop();
    this.releaseHeld(); // the record after a held one starts with a plausible header: the held one was real
    return true;
  }

  private complete(): void {
    const rec = this.rec as Rec;
    if (rec.length === 0) {
      // a legal but empty record: not an RPC message
      this.rec = null;
      this.raw.stop();
      this.state = S_MARK;
      this.stats.emptyRecords++;
      this.anomaly('not_rpc', rec.lastFrame);
      return;
    }
    if (rec.probe === PROBE_PENDING && !this.decide(rec, true)) return;
    this.rec = null;
    this.raw.stop();
    this.state = S_MARK;
    const out = this.build(rec, false, null);
    if (rec.unconfirmed) this.held = out;
    else this.emit(out);
  }

  /** The kept part of the record reached maxRecordSize: emit it truncated, skip the rest of the record. */
  private tooLarge(): void {
    this.stats.tooLargeRecords++;
    this.truncate('record_too_large');
    this.skipRemaining = this.fragRemaining;
    this.skipLast = this.fragLast;
    this.fragRemaining = 0;
    if (this.skipRemaining === 0) this.endSkip();
    else this.state = S_SKIP;
  }

  private fragmentOverflow(len: number, last: boolean): void {
    const rec = this.rec as Rec;
    if (rec.probe !== PROBE_OK) {
      this.notRpc();
      return;
    }
    this.stats.tooLargeRecords++;
    this.truncate('record_too_large');
    this.skipRemaining = len;
    this.skipLast = last;
    if (len === 0) this.endSkip();
    else this.state = S_SKIP;
  }

  private endSkip(): void {
    this.state = S_MARK;
    this.skipping = !this.skipLast;
  }

  /** Lost bytes before the next chunk. */
  private gap(n: number): void {
    this.stats.lostBytes += n;
    this.flushResync();
    if (this.state === S_RESYNC) return; // nothing in sync to cut; the next bytes are scanned afresh
    this.releaseHeld(); // the data ended just after it: nothing contradicts it
    const state = this.state;
    if (state === S_BODY) {
      const rest = this.fragRemaining;
      this.truncate('record_truncated');
      if (n < rest) {
        this.skipRemaining = rest - n;
        this.skipLast = this.fragLast;
        this.state = S_SKIP;
      } else if (n === rest) {
        this.skipLast = this.fragLast;
        this.endSkip();
      } else {
        this.enterResync();
      }
    } else if (state === S_SKIP) {
      if (n < this.skipRemaining) this.skipRemaining -= n;
      else if (n === this.skipRemaining) {
        this.skipRemaining = 0;
        this.endSkip();
      } else {
        this.enterResync();
      }
    } else if (state === S_MARK) {
      // a lost record mark (or part of one): where the next record starts is unknown
      if (this.rec && !this.skipping) this.truncate('record_truncated');
      this.enterResync();
    }
  }

  /** Emits what was captured of the current record as truncated (at the frame where it began). */
  private truncate(anomaly: Anomaly): void {
    const rec = this.rec;
    const markBytes = this.markHave;
    this.rec = null;
    this.raw.stop();
    this.markHave = 0;
    this.markAcc = 0;
    if (!rec || rec.captured === 0) {
      // a record mark (or part of one) whose body never came: no message to report, but never a silent loss
      if ((rec && rec.fragments > 0) || markBytes > 0) this.anomaly(anomaly, this.lastFrame);
      return;
    }
    this.emit(this.build(rec, true, anomaly));
  }

  // ---- resynchronisation ---------------------------------------------------------------------------------------

  private enterResync(): void {
    this.state = S_RESYNC;
    this.scanner ??= new ResyncScanner(this.opts.maxRecordSize, this.opts.resyncWindow);
    this.stats.resyncs++;
    this.rec = null;
    this.raw.stop();
    this.markHave = 0;
    this.markAcc = 0;
    this.skipping = false;
    this.fragRemaining = 0;
    this.skipRemaining = 0;
    this.unconfirmed = false;
  }

  /** The current record does not start with an RPC header: rescan its bytes (marks included). */
  private notRpc(): void {
    const raw = this.raw.take();
    this.discardHeld();
    this.enterResync();
    const sc = this.scanner as ResyncScanner;
    for (const p of raw) sc.append(p.bytes, 0, p.bytes.length, p.frameNo, p.ts);
  }

  private acceptResync(acc: ResyncAccept): void {
    const sc = this.scanner as ResyncScanner;
    const pieces = sc.take(acc.pos);
    this.collectSkipped();
    this.endTrustedJoin(acc.trusted);
    this.state = S_MARK;
    this.rec = null;
    this.raw.stop();
    this.markHave = 0;
    this.markAcc = 0;
    this.skipping = false;
    this.unconfirmed = !acc.confirmed;
    if (pieces.length > 0) this.replay.splice(this.replayHead, 0, ...pieces);
  }

  /** No more contiguous bytes are coming (gap or end): settle the resync with what is buffered. */
  private flushResync(): void {
    while (this.state === S_RESYNC) {
      const sc = this.scanner as ResyncScanner;
      const acc = sc.scan(true);
      if (!acc) {
        sc.dropAll();
        this.collectSkipped();
        this.endTrustedJoin(false);
        return;
      }
      this.acceptResync(acc);
      this.drainReplay();
    }
  }

  private drainReplay(): void {
    while (this.replayHead < this.replay.length) {
      const p = this.replay[this.replayHead++];
      this.data(p.bytes, 0, p.bytes.length, p.frameNo, p.ts);
    }
    this.replay = [];
    this.replayHead = 0;
  }

  private collectSkipped(): void {
    const n = (this.scanner as ResyncScanner).takeSkipped();
    if (n > 0) {
      if (this.joinSkipped >= 0) this.joinSkipped += n;
      else this.skipped += n;
      this.stats.skippedBytes += n;
    }
  }

  /** The join with a trusted first chunk is over: bytes skipped before a trusted record were the tail of an
   *  earlier record, as expected, and are no anomaly; otherwise they count like any resync's. */
  private endTrustedJoin(trusted: boolean): void {
    if (this.joinSkipped < 0) return;
    if (!trusted) this.skipped += this.joinSkipped;
    this.joinSkipped = -1;
  }

  // ---- output ------------------------------------------------------------------------------------------------

  private releaseHeld(): void {
    const h = this.held;
    if (h) {
      this.held = null;
      this.emit(h);
    }
  }

  private discardHeld(): void {
    const h = this.held;
    if (!h) return;
    this.held = null;
    const n = h.skippedBefore + h.length + 4 * h.fragments;
    this.skipped += n;
    this.stats.skippedBytes += h.length + 4 * h.fragments;
    this.stats.discardedRecords++;
  }

  private build(rec: Rec, truncated: boolean, anomaly: Anomaly | null): TcpRpcRecord {
    const ep = this.ep as Endpoints;
    const bytes =
      rec.parts.length === 1 ? rec.parts[0] : rec.parts.length === 0 ? new Uint8Array(0) : concat(rec.parts, rec.captured);
    const anomalies: Anomaly[] = [];
    if (this.skipped > 0) anomalies.push('record_resync');
    if (anomaly) anomalies.push(anomaly);
    const out: TcpRpcRecord = {
      transport: 'tcp',
      ipVersion: ep.ipVersion,
      src: ep.src,
      sport: ep.sport,
      dst: ep.dst,
      dport: ep.dport,
      connId: ep.connId,
      bytes,
      length: rec.length,
      frameNo: truncated ? rec.startFrame : rec.lastFrame,
      ts: truncated ? rec.startTs : rec.lastTs,
      frames: rec.frames,
      fragments: rec.fragments,
      fragmentLengths: rec.fragmentLengths,
      truncated,
      anomalies,
      skippedBefore: this.skipped,
    };
    this.skipped = 0;
    return out;
  }

  private emit(r: TcpRpcRecord): void {
    this.stats.records++;
    if (r.truncated) this.stats.truncatedRecords++;
    for (const a of r.anomalies) this.anomaly(a, r.frameNo);
    this.emitRecord(r);
  }

  private anomaly(a: Anomaly, frameNo: number): void {
    this.counters[a] = (this.counters[a] ?? 0) + 1;
    this.onAnomaly?.(a, this.ep?.connId ?? '', frameNo);
  }
}
