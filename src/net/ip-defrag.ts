import type { Anomaly } from '../anomaly';
import type { Timestamp } from '../capture/raw-frame';
import type { IpLayer } from './ip-layer';

/*
 * IPv4 (RFC 791 §3.2, RFC 815) and IPv6 (RFC 8200 §4.5) fragment reassembly: the one stateful part of the packet
 * layers, held in an instance (no module state) and bounded in every dimension:
 * - at most `maxDatagrams` datagrams in progress; a new one evicts the oldest ('ip_fragment_table_full');
 * - a datagram still incomplete `timeoutSec` of capture time after its first fragment is dropped
 *   ('ip_fragment_incomplete'; Linux's ipfrag_time is 30 s), as is every datagram left at finish();
 * - a fragment reaching past `maxDatagramSize` (as the IP length field counts it) is dropped before anything is
 *   stored ('ip_fragment_too_large': the "ping of death" shape);
 * - per datagram, the stored bytes never exceed that size: overlapping bytes are not stored twice, and a datagram
 *   receiving more fragments than a legitimate one can have is not grown further.
 *
 * Overlaps keep the bytes that arrived first (what Linux and Windows do for IPv4) and are flagged
 * 'ip_fragment_overlap'; an exact repeat of an earlier fragment (same offset and length: a duplicated frame) is
 * accepted silently. RFC 5722 asks IPv6 receivers to discard overlapping datagrams; a dissector shows them instead.
 *
 * Bytes: until the last fragment tells the total length, fragments are held as views of their frames (frames are
 * never reused, see RawFrame); once it is known, one buffer of exactly that size is allocated and every byte is
 * copied into it once. The completed datagram's data is that buffer.
 */

export interface IpDefragOptions {
  /** Datagrams in progress at once (default 1024). */
  maxDatagrams?: number;
  /** Capture-time seconds from a datagram's first fragment until it is given up (default 30). */
  timeoutSec?: number;
  /** Largest reassembled datagram, as its 16-bit length field counts it (default 65535: IPv4 Total Length,
   *  IPv6 Payload Length; jumbograms cannot be fragmented, RFC 2675 §5). */
  maxDatagramSize?: number;
}

export const DEFAULT_MAX_FRAGMENT_DATAGRAMS = 1024;
export const DEFAULT_FRAGMENT_TIMEOUT_SEC = 30;
export const DEFAULT_MAX_DATAGRAM_SIZE = 65535;

/** 65535 / 8 rounded up: the most non-overlapping fragments a datagram can have; more means a duplicate flood. */
const MAX_FRAGMENTS_PER_DATAGRAM = 8192;

export interface ReassembledDatagram {
  version: 4 | 6;
  /** IPv4 Protocol; for IPv6 the Next Header of the first fragment's Fragment header, i.e. the type of the first
   *  header in `data` (RFC 8200 §4.5). */
  protocol: number;
  /** Captured bytes of the reassembled fragment data (IPv4: the payload after the IP header; IPv6: the
   *  fragmentable part). Shorter than `length` when the snaplen cut a fragment: then it stops at the first byte
   *  that was not captured. */
  data: Uint8Array;
  /** Length of the reassembled fragment data on the wire. */
  length: number;
  /** Every accepted fragment's frame, in arrival order. */
  frames: number[];
  /** Anomalies met while reassembling ('ip_fragment_overlap'; when `data` is cut, the 'frame_truncated' or
   *  'bad_ip_length' of the fragment that lost bytes); each was already reported when it happened. Null if none. */
  anomalies: Anomaly[] | null;
}

interface Piece {
  at: number;
  bytes: Uint8Array;
}

interface Datagram {
  readonly version: 4 | 6;
  /** Capture time of the first fragment, in (float) seconds: ample precision for a 30-second timeout. */
  readonly firstSec: number;
  /** See ReassembledDatagram.protocol; -1 until the IPv6 fragment at offset 0 arrives. */
  protocol: number;
  /** Length of the fragment data, once the last fragment (more-fragments clear) has arrived; else -1. */
  total: number;
  /** Largest fragment end seen. */
  maxEnd: number;
  /** Received byte ranges, merged and sorted, flat: [start0, end0, start1, end1, ...]. */
  coverage: number[];
  /** Each accepted fragment's (start, end) as start * 2^18 + end, to tell an exact repeat from an overlap. */
  seen: Set<number>;
  /** First byte the snaplen kept from us (Infinity when none), and the anomaly of the fragment that lost it. */
  firstMissing: number;
  missingNote: Anomaly;
  /** Allocated once `total` is known. */
  buffer: Uint8Array | null;
  /** Captured pieces waiting for `buffer`, as views of their frames. */
  pending: Piece[] | null;
  frames: number[];
  anomalies: Anomaly[] | null;
}

export class IpDefragmenter {
  private readonly table = new Map<string, Datagram>();
  private readonly maxDatagrams: number;
  private readonly timeoutSec: number;
  private readonly maxDatagramSize: number;
  /** Capture time (float seconds) at which the oldest datagram times out; NaN when it must be recomputed. Lets
   *  expire() run on every frame without iterating the table. */
  private deadline = Infinity;

  /** @param report called once for every anomaly, when it happens (the caller counts them). */
  constructor(
    private readonly report: (anomaly: Anomaly) => void,
    opts: IpDefragOptions = {},
  ) {
    this.maxDatagrams = positive('maxDatagrams', opts.maxDatagrams ?? DEFAULT_MAX_FRAGMENT_DATAGRAMS);
    this.timeoutSec = positive('timeoutSec', opts.timeoutSec ?? DEFAULT_FRAGMENT_TIMEOUT_SEC);
    this.maxDatagramSize = positive('maxDatagramSize', opts.maxDatagramSize ?? DEFAULT_MAX_DATAGRAM_SIZE);
    if (this.maxDatagramSize > DEFAULT_MAX_DATAGRAM_SIZE) {
      throw new RangeError(`IpDefragmenter: maxDatagramSize cannot exceed ${DEFAULT_MAX_DATAGRAM_SIZE}`);
    }
  }

  /** Datagrams in progress. */
  get size(): number {
    return this.table.size;
  }

  /**
   * Add the fragment that `ip` describes (decoded from `bytes`; `ip.fragmented` is true). Returns the datagram when
   * this fragment completes it, else null. Does not keep `ip`, which the caller reuses.
   */
  add(ip: IpLayer, bytes: Uint8Array, frameNo: number, ts: Timestamp): ReassembledDatagram | null {
    const start = ip.fragOffset;
    const wireLength = ip.payloadLength;
    const end = start + wireLength;
    if (end > this.maxDatagramSize - ip.fragHeaderBytes) return this.reject('ip_fragment_too_large');
    // Every fragment but the last carries a non-zero multiple of 8 bytes (RFC 791 §3.2, RFC 8200 §4.5).
    if (ip.moreFragments && (wireLength === 0 || (wireLength & 7) !== 0)) return this.reject('bad_ip_length');

    // RFC 791 identifies a datagram by (src, dst, protocol, id); RFC 8200 by (src, dst, id).
    const key =
      ip.version === 4
        ? '4 ' + ip.src + ' ' + ip.dst + ' ' + ip.protocol + ' ' + ip.fragId
        : '6 ' + ip.src + ' ' + ip.dst + ' ' + ip.fragId;
    let d = this.table.get(key);
    if (d !== undefined) {
      // A fragment inconsistent with the datagram's known end is dropped, the datagram kept.
      if (!ip.moreFragments ? (d.total >= 0 && d.total !== end) || end < d.maxEnd : d.total >= 0 && end > d.total) {
        return this.reject('bad_ip_length');
      }
      // Only repeats and overlaps can take a datagram past this many fragments.
      if (d.frames.length >= MAX_FRAGMENTS_PER_DATAGRAM) return this.reject('ip_fragment_overlap');
    } else {
      if (this.table.size >= this.maxDatagrams) this.evictOldest();
      const firstSec = ts.sec + ts.nsec / 1e9;
      if (this.table.size === 0) this.deadline = firstSec + this.timeoutSec;
      d = {
        version: ip.version,
        firstSec,
        protocol: ip.version === 4 ? ip.protocol : -1,
        total: -1,
        maxEnd: 0,
        coverage: [],
        seen: new Set(),
        firstMissing: Infinity,
        missingNote: 'frame_truncated',
        buffer: null,
        pending: [],
        frames: [],
        anomalies: null,
      };
      this.table.set(key, d);
    }

    d.frames.push(frameNo);
    if (start === 0 && d.protocol < 0) d.protocol = ip.protocol;
    if (!ip.moreFragments) d.total = end;
    if (end > d.maxEnd) d.maxEnd = end;

    const rangeKey = start * 0x40000 + end; // both < 2^18 (the size limit is checked above)
    if (!d.seen.has(rangeKey)) {
      if (intersects(d.coverage, start, end)) {
        this.report('ip_fragment_overlap');
        note(d, 'ip_fragment_overlap');
      }
      d.seen.add(rangeKey);
      let capturedLength = ip.capturedEnd - ip.payloadOffset;
      if (capturedLength > wireLength) capturedLength = wireLength;
      if (capturedLength < 0) capturedLength = 0;
      const firstMissing = d.firstMissing;
      storeNewBytes(d, bytes, ip.payloadOffset, start, end, start + capturedLength);
      if (d.firstMissing < firstMissing) d.missingNote = ip.note ?? 'frame_truncated';
      addCoverage(d.coverage, start, end);
    }
    if (d.total >= 0 && d.buffer === null) allocate(d);

    if (!isComplete(d)) return null;
    this.table.delete(key);
    this.deadline = NaN;
    const buffer = d.buffer as Uint8Array;
    const cut = d.firstMissing < d.total;
    if (cut) note(d, d.missingNote); // counted by the caller when it decoded that fragment's frame
    return {
      version: d.version,
      protocol: d.protocol,
      data: cut ? buffer.subarray(0, d.firstMissing) : buffer,
      length: d.total,
      frames: d.frames,
      anomalies: d.anomalies,
    };
  }

  /** Drop every datagram whose first fragment is more than timeoutSec of capture time before `now`. */
  expire(now: Timestamp): void {
    if (this.table.size === 0) return;
    const nowSec = now.sec + now.nsec / 1e9;
    if (nowSec <= this.deadline) return; // false for NaN: recompute
    // Map iteration follows insertion order, i.e. first-fragment order: stop at the first datagram still in time.
    for (const [key, d] of this.table) {
      const deadline = d.firstSec + this.timeoutSec;
      if (nowSec <= deadline) {
        this.deadline = deadline;
        return;
      }
      this.table.delete(key);
      this.report('ip_fragment_incomplete');
    }
    this.deadline = Infinity;
  }

  /** End of capture: every datagram still in progress is incomplete. */
  finish(): void {
    for (let i = 0; i < this.table.size; i++) this.report('ip_fragment_incomplete');
    this.table.clear();
    this.deadline = Infinity;
  }

  private evictOldest(): void {
    const oldest = this.table.keys().next();
    if (oldest.done === true) return;
    this.table.delete(oldest.value);
    this.deadline = NaN;
    this.report('ip_fragment_table_full');
  }

  private reject(anomaly: Anomaly): null {
    this.report(anomaly);
    return null;
  }
}

function positive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`IpDefragmenter: ${name} must be a positive number, got ${value}`);
  }
  return value;
}

/** The last fragment has arrived and the received ranges have merged into one range covering [0, total). */
function isComplete(d: Datagram): boolean {
  if (d.total < 0) return false;
  if (d.total === 0) return true;
  return d.coverage.length === 2 && d.coverage[0] === 0 && d.coverage[1] === d.total;
}

function note(d: Datagram, anomaly: Anomaly): void {
  if (d.anomalies === null) d.anomalies = [anomaly];
  else if (!d.anomalies.includes(anomaly)) d.anomalies.push(anomaly);
}

/**
 * Index (even) of the first coverage range whose end is > pos (or >= pos when `touching`), by binary search: a
 * hostile capture can leave thousands of disjoint ranges in one datagram, so no linear scans per fragment.
 */
function firstRangeEndingAfter(coverage: number[], pos: number, touching: boolean): number {
  let lo = 0;
  let hi = coverage.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const rangeEnd = coverage[2 * mid + 1];
    if (rangeEnd > pos || (touching && rangeEnd === pos)) hi = mid;
    else lo = mid + 1;
  }
  return 2 * lo;
}

function intersects(coverage: number[], start: number, end: number): boolean {
  const i = firstRangeEndingAfter(coverage, start, false);
  return i < coverage.length && coverage[i] < end;
}

/** Insert [start, end) into the merged, sorted coverage list, joining ranges that touch or overlap it. */
function addCoverage(coverage: number[], start: number, end: number): void {
  if (start === end) return;
  const i = firstRangeEndingAfter(coverage, start, true);
  let j = i;
  let s = start;
  let e = end;
  while (j < coverage.length && coverage[j] <= end) {
    if (coverage[j] < s) s = coverage[j];
    if (coverage[j + 1] > e) e = coverage[j + 1];
    j += 2;
  }
  coverage.splice(i, j - i, s, e);
}

/**
 * Store the bytes of the fragment [start, end) that no earlier fragment supplied (first-arrived bytes win).
 * `capturedEnd` (<= end) is where the fragment's captured bytes stop; `dataOffset` is where its data begins in
 * `bytes`.
 */
function storeNewBytes(
  d: Datagram,
  bytes: Uint8Array,
  dataOffset: number,
  start: number,
  end: number,
  capturedEnd: number,
): void {
  const cov = d.coverage;
  let cursor = start;
  for (let i = firstRangeEndingAfter(cov, start, false); i < cov.length && cursor < end; i += 2) {
    if (cov[i] >= end) break;
    if (cov[i] > cursor) storeRange(d, bytes, dataOffset, start, cursor, cov[i], capturedEnd);
    cursor = cov[i + 1];
  }
  if (cursor < end) storeRange(d, bytes, dataOffset, start, cursor, end, capturedEnd);
}

function storeRange(
  d: Datagram,
  bytes: Uint8Array,
  dataOffset: number,
  fragStart: number,
  from: number,
  to: number,
  capturedEnd: number,
): void {
  const copyEnd = to < capturedEnd ? to : capturedEnd;
  if (copyEnd < to) {
    const missing = from > copyEnd ? from : copyEnd;
    if (missing < d.firstMissing) d.firstMissing = missing;
  }
  if (copyEnd <= from) return;
  const piece = bytes.subarray(dataOffset + (from - fragStart), dataOffset + (copyEnd - fragStart));
  if (d.buffer !== null) d.buffer.set(piece, from);
  else (d.pending as Piece[]).push({ at: from, bytes: piece });
}

function allocate(d: Datagram): void {
  const buffer = new Uint8Array(d.total);
  for (const piece of d.pending as Piece[]) buffer.set(piece.bytes, piece.at);
  d.buffer = buffer;
  d.pending = null;
}
