/**
 * Finding the next record boundary in a TCP byte stream whose framing is unknown (joined mid-way, after lost
 * bytes, or after a record that was not RPC). Used by record-marking.ts in its RESYNC state.
 *
 * A candidate offset p is accepted when
 *  - bytes p..p+3 are a plausible record mark (fragment length 20..maxRecordSize), and
 *  - p+4 starts a plausible call or reply (probeRpcHeader), and
 *  - the candidate's record ends where something plausible follows: following the fragment chains, the records
 *    after it start with plausible headers (two of them, so the first successor's end is checked too), or the
 *    records run exactly to the end of the buffered data and the last of them lies within the last chunk or
 *    starts where a segment started (the sender's segments began and ended with it), or they run exactly to where the data stops (a gap or the end of the
 *    stream). This is what rejects RPC-looking bytes inside a WRITE or READ payload.
 * A candidate whose end lies beyond the buffered data is "open": it is re-checked as data arrives, scanning
 * continues past it, the first candidate to be confirmed wins, and the first open one is taken only when the
 * buffer reaches `window` bytes (a record larger than the window) or the data stops (gap or end of stream). The caller marks such a record unconfirmed and holds it until
 * what follows it confirms it.
 *
 * Memory: without an open candidate only a short tail (< one RPC header) is kept; with one, at most `window` bytes
 * plus one chunk. Bytes given up are counted in `skipped`.
 *
 * trust(): when the caller knows that a record starts in the bytes buffered so far (a redecode that starts at the
 * frame where a wanted record begins), a candidate starting there is accepted as soon as its mark and header are
 * plausible and what is buffered after it does not contradict it: waiting for confirmation would hold the record
 * back until data beyond the redecoded frames arrives, which never does.
 */
import type { Timestamp } from '../capture/raw-frame';
import { probeRpcHeader, PROBE_HEAD, u32 } from './detect';

/** Bytes of one frame, in stream order. */
export interface Piece {
  bytes: Uint8Array;
  frameNo: number;
  ts: Timestamp;
}

export interface ResyncAccept {
  /** Buffer position of the accepted record mark (pass to take()). */
  pos: number;
  /** false: the record's end could not be checked (it lies beyond the data). */
  confirmed: boolean;
  /** Accepted because it starts in trusted bytes (trust()). */
  trusted: boolean;
}

const BAD = 0;
const OK = 1;
const OPEN = 2;
const NEED = 3;
type Verdict = typeof BAD | typeof OK | typeof OPEN | typeof NEED;

/** Fragment length a record mark must claim to start a candidate: the smallest RPC message, a MSG_DENIED /
 *  AUTH_ERROR reply (xid, REPLY, MSG_DENIED, AUTH_ERROR, auth_stat), is 20 bytes (RFC 5531 §9). */
export const MIN_RECORD = 20;
/** Continuation fragments a candidate's chain may have before it is called open, and empty ones in a row before
 *  it is called bad. */
const MAX_CHAIN = 64;
const MAX_EMPTY_RUN = 16;
/** Following records whose headers must be plausible before a candidate is confirmed (unless the records end
 *  exactly at the end of the data). Two, so that one RPC-looking record embedded in payload data, even followed
 *  by a second one, is not enough: its successor must also end where a third plausible record begins. */
const CONFIRM_RECORDS = 2;
const MAX_HEADER_FRAGMENTS = 64;
/** Smallest segment whose start counts as a sender's write boundary: the classic default MSS (RFC 879). */
const MIN_SEGMENT = 536;
/** Open candidates tracked at once. */
const MAX_OPEN = 32;

interface FrameMark {
  off: number;
  frameNo: number;
  ts: Timestamp;
}


export class ResyncScanner {
  private buf = new Uint8Array(0);
  /** Valid bytes are buf[lo, hi). */
  private lo = 0;
  private hi = 0;
  /** Next position to evaluate (positions in [lo, pos) other than those in `opens` are rejected). */
  private pos = 0;
  /** Open candidates, in stream order (a rejection is final, so they are the only positions worth re-checking). */
  private opens: number[] = [];
  /** Frame of each byte range: entry i covers [off_i, off_{i+1}). */
  private frames: FrameMark[] = [];
  /** Bytes given up since the last takeSkipped(). */
  private skipped = 0;
  /** Where the last appended chunk starts. */
  private lastChunk = 0;
  /** Scratch for a header that spans fragments. */
  private head: Uint8Array | null = null;
  /** Candidates starting before this buffer position are trusted (see trust()); -1: none. */
  private trustUntil = -1;

  constructor(
    private readonly maxRecordSize: number,
    private readonly window: number,
  ) {}

  get length(): number {
    return this.hi - this.lo;
  }

  /** Appends a copy of b[from, to). */
  append(b: Uint8Array, from: number, to: number, frameNo: number, ts: Timestamp): void {
    const n = to - from;
    if (n <= 0) return;
    if (this.hi + n > this.buf.length) this.makeRoom(n);
    this.buf.set(from === 0 && to === b.length ? b : b.subarray(from, to), this.hi);
    const last = this.frames.length > 0 ? this.frames[this.frames.length - 1] : null;
    if (!last || last.frameNo !== frameNo) this.frames.push({ off: this.hi, frameNo, ts });
    this.lastChunk = this.hi;
    this.hi += n;
  }

  /** A record starts somewhere in the bytes buffered so far: accept the first plausible candidate among them
   *  without waiting for confirmation (until the next take() or dropAll()). */
  trust(): void {
    this.trustUntil = this.hi;
  }

  /** Looks for a record start. `final`: no more contiguous data will come (a gap or the end of the stream), so
   *  candidates that need more bytes are rejected and an open candidate is taken as it is. */
  scan(final: boolean): ResyncAccept | null {
    const opens = this.opens;
    for (let k = 0; k < opens.length; ) {
      const v = this.evaluate(opens[k], final);
      if (v === OK) return this.accept(opens[k], true);
      if (v === BAD) opens.splice(k, 1);
      else k++;
    }
    while (this.pos < this.hi) {
      const v = this.evaluate(this.pos, final);
      if (v === BAD) {
        this.pos++;
      } else if (v === OK) {
        return this.accept(this.pos, true);
      } else if (v === OPEN && opens.length < MAX_OPEN) {
        opens.push(this.pos);
        this.pos++;
      } else {
        break; // NEED (or too many open candidates): wait for more bytes
      }
    }
    if (opens.length > 0 && (final || this.hi - opens[0] >= this.window)) return this.accept(opens[0], false);
    this.drop(opens.length > 0 ? opens[0] : this.pos);
    return null;
  }

  private accept(pos: number, confirmed: boolean): ResyncAccept {
    return { pos, confirmed, trusted: pos < this.trustUntil };
  }

  /** Hands out the bytes from `pos` on (views of a buffer the scanner then forgets), split by frame, and resets.
   *  Bytes before `pos` are counted as skipped. */
  take(pos: number): Piece[] {
    this.drop(pos);
    const out: Piece[] = [];
    const f = this.frames;
    for (let i = 0; i < f.length; i++) {
      const start = f[i].off > this.lo ? f[i].off : this.lo;
      const end = i + 1 < f.length ? f[i + 1].off : this.hi;
      if (end > start) out.push({ bytes: this.buf.subarray(start, end), frameNo: f[i].frameNo, ts: f[i].ts });
    }
    this.buf = new Uint8Array(0); // the pieces are views of the old buffer: never write to it again
    this.reset();
    return out;
  }

  /** Gives up every buffered byte (counted as skipped). */
  dropAll(): void {
    this.skipped += this.hi - this.lo;
    this.reset();
  }

  /** Bytes given up since the last call. */
  takeSkipped(): number {
    const n = this.skipped;
    this.skipped = 0;
    return n;
  }

  private reset(): void {
    this.trustUntil = -1;
    this.lo = this.hi = this.pos = this.lastChunk = 0;
    this.opens = [];
    this.frames = [];
  }

  private drop(keep: number): void {
    if (keep <= this.lo) return;
    this.skipped += keep - this.lo;
    this.lo = keep;
    const f = this.frames;
    let k = 0;
    while (k + 1 < f.length && f[k + 1].off <= keep) k++;
    if (k > 0) f.splice(0, k);
    if (this.lo === this.hi) this.reset();
  }

  private makeRoom(n: number): void {
    const live = this.hi - this.lo;
    if (live + n <= this.buf.length && this.lo > 0) {
      this.buf.copyWithin(0, this.lo, this.hi);
    } else {
      let cap = this.buf.length > 0 ? this.buf.length * 2 : 4096;
      while (cap < live + n) cap *= 2;
      const nb = new Uint8Array(cap);
      nb.set(this.buf.subarray(this.lo, this.hi));
      this.buf = nb;
    }
    const d = this.lo;
    this.lo = 0;
    this.hi -= d;
    this.pos -= d;
    this.lastChunk = this.lastChunk > d ? this.lastChunk - d : 0;
    if (this.trustUntil >= 0) this.trustUntil = this.trustUntil > d ? this.trustUntil - d : 0;
    for (let k = 0; k < this.opens.length; k++) this.opens[k] -= d;
    for (const f of this.frames) f.off = f.off > d ? f.off - d : 0;
  }

  /** Is p the start of a record? */
  private evaluate(p: number, final: boolean): Verdict {
    const hi = this.hi;
    if (hi - p < 4) return final ? BAD : NEED;
    const len = u32(this.buf, p) & 0x7fffffff;
    if (len < MIN_RECORD || len > this.maxRecordSize) return BAD;
    const probe = this.probeRecord(p);
    if (probe === BAD) return BAD;
    if (probe === NEED) return final ? BAD : NEED;
    const v = this.chain(p, final);
    return v === OPEN && p < this.trustUntil ? OK : v;
  }

  /** Does the record whose first mark is at q start with a plausible call/reply header? OK, BAD, or NEED (the
   *  buffered data ends before a decision). The header may span fragments. */
  private probeRecord(q: number): Verdict {
    const b = this.buf;
    const hi = this.hi;
    const mark = u32(b, q);
    const len = mark & 0x7fffffff;
    const fragEnd = q + 4 + len;
    const r = probeRpcHeader(b, q + 4, fragEnd < hi ? fragEnd : hi);
    if (r === 'call' || r === 'reply') return OK;
    if (r === 'no') return BAD;
    if (fragEnd > hi) return NEED;
    if (mark >= 0x80000000) return BAD; // the whole record is shorter than an RPC header
    // the header continues in the next fragment(s): gather up to PROBE_HEAD bytes of the body
    const head = (this.head ??= new Uint8Array(PROBE_HEAD));
    let n = 0;
    let o = q;
    for (let frag = 0; frag < MAX_HEADER_FRAGMENTS; frag++) {
      if (o + 4 > hi) return NEED;
      const m = u32(b, o);
      const l = m & 0x7fffffff;
      if (l > this.maxRecordSize) return BAD;
      let take = l;
      if (take > hi - (o + 4)) take = hi - (o + 4);
      if (take > PROBE_HEAD - n) take = PROBE_HEAD - n;
      head.set(b.subarray(o + 4, o + 4 + take), n);
      n += take;
      const v = probeRpcHeader(head, 0, n);
      if (v === 'call' || v === 'reply') return OK;
      if (v === 'no' || n >= PROBE_HEAD) return BAD;
      if (o + 4 + l > hi) return NEED;
      if (m >= 0x80000000) return BAD;
      o += 4 + l;
    }
    return BAD;
  }

  /** Does a full-sized segment's data start at buffer position p? Small segments are no evidence: with data
   *  trickling in a few bytes at a time, any fake record would start on a segment boundary. */
  private startsSegment(p: number): boolean {
    const f = this.frames;
    for (let i = 0; i < f.length; i++) {
      if (f[i].off > p) return false;
      if (f[i].off === p) return (i + 1 < f.length ? f[i + 1].off : this.hi) - p >= MIN_SEGMENT;
    }
    return false;
  }

  /** Follows the candidate to its end and checks what comes after it: confirmed (OK) when CONFIRM_RECORDS
   *  following records start with plausible headers, or the records run exactly to the end of the buffered data. */
  private chain(p: number, final: boolean): Verdict {
    const b = this.buf;
    const hi = this.hi;
    const max = this.maxRecordSize;
    let q = p;
    let total = 0;
    let empty = 0;
    let confirmed = 0;
    let recStart = p;
    for (let step = 0; step < MAX_CHAIN; step++) {
      const mark = u32(b, q);
      const len = mark & 0x7fffffff;
      const last = mark >= 0x80000000;
      total += len;
      if (total > max) return BAD;
      const end = q + 4 + len;
      if (end > hi) return final && confirmed > 0 ? OK : OPEN;
      // exact end of the buffered data: evidence when the record that ends there lies within the last chunk (the
      // sender's segment held exactly that record), when it began where a segment began (the sender wrote the
      // record in one go: both its ends fall on segment boundaries, as in a large WRITE seen from its first
      // segment), or when the data really stops there (gap or end of stream). Not otherwise: data arriving in
      // small pieces would line up with the end of any fake sooner or later.
      if (end === hi) return final || (last && (recStart >= this.lastChunk || this.startsSegment(recStart))) ? OK : OPEN;
      if (hi - end < 4) return final ? OK : OPEN; // the next mark is not complete yet
      const nlen = u32(b, end) & 0x7fffffff;
      if (nlen > max) return BAD;
      if (last) {
        // the next record must start with a plausible call or reply
        const v = this.probeRecord(end);
        if (v === BAD) return BAD;
        if (v === NEED) return final ? OK : OPEN;
        if (++confirmed >= CONFIRM_RECORDS) return OK;
        recStart = end;
        total = 0;
        empty = 0;
      } else if (nlen === 0) {
        if (++empty > MAX_EMPTY_RUN) return BAD;
      } else {
        empty = 0;
      }
      q = end;
    }
    return OPEN;
  }
}
