/**
 * `--stats`: per-procedure, per-client and per-server statistics of every ONC RPC program in a capture at once, and
 * NFSv3 READ/WRITE volumes. Fed every RpcEvent in output order (`add`), then `finish()` after the pipeline's own
 * finish (so that calls still pending have become unanswered). Pure: no I/O, bounded memory.
 *
 * Definitions (per procedure = program, version, procedure of the call):
 * - calls: call transactions started (call messages not flagged `retransmit`);
 * - retransmissions: call messages flagged `retransmit` (same XID and procedure again, or on a new TCP connection);
 * - replies: reply messages paired with a call of the procedure, duplicate replies included;
 *   duplicateReplies: of which second and later replies to one call;
 * - errors / errorsByStatus: first replies (one verdict per answered call) that are RPC-level errors — MSG_DENIED
 *   (`RPC_MISMATCH`, or the auth_stat name for AUTH_ERROR: `AUTH_BADCRED`, ...) or an accept_stat other than
 *   SUCCESS (`PROG_UNAVAIL`, `PROG_MISMATCH`, `PROC_UNAVAIL`, `GARBAGE_ARGS`, `SYSTEM_ERR`) — or whose program
 *   status is not OK (`NFS3ERR_NOENT`, `MNT3ERR_ACCES`, ...; a status is OK when its name is `OK` or ends in `_OK`);
 * - unanswered: calls whose transaction ended `unanswered` (reply timeout, evicted, or pending at the end);
 *   a late reply takes its call out of this count again;
 * - rtt: seconds from the first transmission of the call to its first reply, over first replies of every status
 *   (errors included, duplicates excluded). min/avg/max are exact; p50/p95/p99 are nearest-rank percentiles
 *   (the smallest sample with at least p% of the samples at or below it), exact while the procedure has at most
 *   `maxSamples` samples, else computed over a uniform reservoir sample of that size (`sampled: true`, and a note);
 * - srt: tshark's `-z rpc,srt` semantics (wireshark-notes.md §5.1): every reply with MSG_ACCEPTED/SUCCESS paired
 *   with a call, duplicate replies counted again, each measured from the first transmission of its call.
 *
 * Replies whose call is not in the capture (orphans) belong to no procedure: they are counted in `capture` and for
 * their server. Clients and servers are addresses (a call's source and destination).
 *
 * NFS (program 100003 version 3): readBytes = sum of READ3resok.count over NFS3_OK READ replies, writeBytes = sum of
 * WRITE3resok.count over NFS3_OK WRITE replies (bytes the server returned / accepted; duplicate replies not counted
 * again). readThroughput / writeThroughput are bytes per second over the capture span (first to last RPC message);
 * `read.busy` / `write.busy` give the busy span (first READ/WRITE call to last READ/WRITE reply) and the
 * throughput over it.
 */
import { compareTs, formatEpoch, tsDiffSeconds, type Timestamp } from '../capture/raw-frame';
import { isOkStatus } from '../programs/status-ok';
import { acceptStatName, authStatName, rejectStatName } from '../rpc/message';
import type { Transaction } from '../rpc/pairing';
import type { RpcEvent } from '../rpc/rpc-event';
import { FileHandle } from '../programs/file-handle';
import { xorshift32 } from '../xorshift';

/** RTT summary in seconds; every field null when there is no sample. */
export interface RttSummary {
  /** Samples seen (not only those kept). */
  count: number;
  min: number | null;
  avg: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  /** More samples than `maxSamples`: the percentiles come from a uniform sample of them (min/avg/max stay exact). */
  sampled: boolean;
}

/** tshark's `-z rpc,srt` numbers for one procedure, in seconds (null when calls is 0). */
export interface SrtNumbers {
  /** tshark's "Calls": SUCCESS replies paired with a call, duplicates included. */
  calls: number;
  min: number | null;
  max: number | null;
  avg: number | null;
  sum: number;
}

export interface ProcedureStats {
  program: number;
  /** rpcsnoop's name of the program and version ("NFS", "RPCBIND"), or null when unknown. */
  programName: string | null;
  version: number;
  procedure: number;
  /** The procedure's name, or `proc-N` when the registry has none. */
  name: string;
  calls: number;
  replies: number;
  duplicateReplies: number;
  errors: number;
  errorsByStatus: Record<string, number>;
  unanswered: number;
  retransmissions: number;
  rtt: RttSummary;
  srt: SrtNumbers;
}

export interface EndpointStats {
  address: string;
  calls: number;
  replies: number;
  duplicateReplies: number;
  errors: number;
  unanswered: number;
  retransmissions: number;
  /** Servers only (0 for clients): replies whose call is not in the capture, sent by this address. */
  orphanReplies: number;
  /** min/avg/max only (no samples are kept per address: p50/p95/p99 are null). */
  rtt: RttSummary;
  /** Only on the last row of a list, once --max-endpoints addresses are counted one by one: the traffic of every
   *  later address, counted together (its `address` is OTHER_ENDPOINTS). */
  other?: true;
}

/** The address column of the row that counts the addresses past --max-endpoints together. */
export const OTHER_ENDPOINTS = '(others)';

export interface BusySpan {
  first: string | null;
  last: string | null;
  duration: number | null;
  throughput: number | null;
}

/** NFSv3 data per file handle. */
export interface NfsFileStats {
  /** The handle in hex, snoop's FH=XXXX hash, and its learned path (null when unknown). */
  fh: string;
  fhHash: string;
  path: string | null;
  readOps: number;
  readBytes: number;
  writeOps: number;
  writeBytes: number;
}

export interface NfsStats {
  readOps: number;
  readBytes: number;
  writeOps: number;
  writeBytes: number;
  /** Bytes per second over the capture span (`capture.duration`); null when the span is 0. */
  readThroughput: number | null;
  writeThroughput: number | null;
  throughputSpan: 'capture';
  read: BusySpan;
  write: BusySpan;
  /** Per file handle, most bytes (read + written) first. */
  files: NfsFileStats[];
}

export interface CaptureSpan {
  /** Epoch seconds with 9 decimals (as JSON `time`) of the first and last RPC message; null with none. */
  first: string | null;
  last: string | null;
  duration: number | null;
  messages: number;
  calls: number;
  replies: number;
  orphanReplies: number;
}

export interface StatsReport {
  procedures: ProcedureStats[];
  clients: EndpointStats[];
  servers: EndpointStats[];
  nfs: NfsStats;
  capture: CaptureSpan;
  /** Caveats: sampled percentiles, table limits reached. */
  notes: string[];
}

export interface StatsOptions {
  /** RTT samples kept per procedure for percentiles. */
  maxSamples: number;
  /** Distinct procedures, addresses and NFS files tracked; more are counted in a note. */
  maxProcedures: number;
  maxEndpoints: number;
  maxFiles: number;
  /** Learned paths of file handles (the pipeline's `names`), asked at finish(). */
  names?: { path(fhHex: string): string | null };
  /** Told once, at the event whose client or server was the first one past maxEndpoints (a limit notice). */
  onEndpointLimit?: (ev: RpcEvent) => void;
}

/** maxEndpoints: 10 000 clients and 10 000 servers (~300 B each with the map entry) — far more than a table anyone
 *  reads, and 100 000 clients (a scan, a botnet) cost 30 MB instead of their own table each. */
export const DEFAULT_STATS: StatsOptions = { maxSamples: 100_000, maxProcedures: 10_000, maxEndpoints: 10_000, maxFiles: 10_000 };

export const NFS_PROGRAM_NUMBER = 100003;
const NFS_READ = 6;
const NFS_WRITE = 7;

export { isOkStatus };

/** The RPC-level error of a reply (null for MSG_ACCEPTED/SUCCESS). */
export function rpcErrorName(ev: RpcEvent): string | null {
  const m = ev.msg;
  if (m.type !== 'reply') return null;
  if (m.replyStat === 1) {
    if (m.rejectStat === 1) return m.authStat !== undefined ? authStatName(m.authStat) : 'AUTH_ERROR';
    return rejectStatName(m.rejectStat ?? 0);
  }
  if (m.acceptStat !== undefined && m.acceptStat !== 0) return acceptStatName(m.acceptStat);
  return null;
}

/** Integer nanoseconds b - a (exact for any real capture). */
export function tsDiffNs(a: Timestamp, b: Timestamp): number {
  return (b.sec - a.sec) * 1e9 + (b.nsec - a.nsec);
}


/** The empty sample buffer every RttSamples starts with: one that keeps no samples (per address) never allocates one,
 *  and a Float64Array of 16 is an off-heap buffer (~350 bytes with its bookkeeping) per client address otherwise. */
const NO_SAMPLES = new Float64Array(0);

/**
 * RTT samples: exact count, min, max and sum (integer nanoseconds), and up to `cap` samples kept for percentiles
 * (Vitter's algorithm R once full).
 */
export class RttSamples {
  private buf = NO_SAMPLES;
  private kept = 0;
  count = 0;
  private minNs = Infinity;
  private maxNs = -Infinity;
  private sumNs = 0;
  /** The sampling generator, made when the buffer is first full (the same sequence as if made at once). */
  private random: (() => number) | null = null;
  private cached: RttSummary | null = null;

  constructor(
    private readonly cap: number,
    private readonly seed = 1,
    /** Keep samples for percentiles (false: min/avg/max only). */
    private readonly keep = true,
  ) {}

  addNs(ns: number): void {
    this.count++;
    this.sumNs += ns;
    if (ns < this.minNs) this.minNs = ns;
    if (ns > this.maxNs) this.maxNs = ns;
    if (!this.keep || this.cap <= 0) return;
    const s = ns / 1e9;
    if (this.kept < this.cap) {
      if (this.kept === this.buf.length) {
        const next = new Float64Array(Math.min(this.cap, Math.max(16, this.buf.length * 2)));
        next.set(this.buf);
        this.buf = next;
      }
      this.buf[this.kept++] = s;
      return;
    }
    this.random ??= xorshift32(this.seed, 0x9e3779b9);
    const j = Math.floor(this.random() * this.count);
    if (j < this.cap) this.buf[j] = s;
  }

  get sampled(): boolean {
    return this.keep && this.count > this.kept;
  }

  /** The summary (sorting the kept samples for percentiles), cached until the next sample: a live view asks for it
   *  on every redraw, and most procedures get no new sample between two. */
  summary(): RttSummary {
    if (this.cached === null || this.cached.count !== this.count) this.cached = this.compute();
    return { ...this.cached };
  }

  private compute(): RttSummary {
    if (this.count === 0) return { count: 0, min: null, avg: null, p50: null, p95: null, p99: null, max: null, sampled: false };
    const out: RttSummary = {
      count: this.count,
      min: this.minNs / 1e9,
      avg: this.sumNs / this.count / 1e9,
      p50: null,
      p95: null,
      p99: null,
      max: this.maxNs / 1e9,
      sampled: this.sampled,
    };
    if (this.keep && this.kept > 0) {
      const sorted = this.buf.slice(0, this.kept).sort();
      const rank = (p: number): number => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
      out.p50 = rank(50);
      out.p95 = rank(95);
      out.p99 = rank(99);
    }
    return out;
  }
}

/** tshark's SRT accumulator: integer nanoseconds. */
class SrtAcc {
  calls = 0;
  minNs = Infinity;
  maxNs = -Infinity;
  sumNs = 0;

  add(ns: number): void {
    this.calls++;
    this.sumNs += ns;
    if (ns < this.minNs) this.minNs = ns;
    if (ns > this.maxNs) this.maxNs = ns;
  }

  numbers(): SrtNumbers {
    if (this.calls === 0) return { calls: 0, min: null, max: null, avg: null, sum: 0 };
    return { calls: this.calls, min: this.minNs / 1e9, max: this.maxNs / 1e9, avg: this.sumNs / this.calls / 1e9, sum: this.sumNs / 1e9 };
  }
}

interface ProcAcc {
  program: number;
  programName: string | null;
  version: number;
  procedure: number;
  name: string;
  calls: number;
  replies: number;
  duplicateReplies: number;
  errors: number;
  errorsByStatus: Map<string, number>;
  unanswered: number;
  retransmissions: number;
  rtt: RttSamples;
  srt: SrtAcc;
}

/** One client or server. Its RTT is min/avg/max only, kept inline (no RttSamples object per address: the table
 *  may hold tens of thousands). */
interface EndpointAcc {
  address: string;
  calls: number;
  replies: number;
  duplicateReplies: number;
  errors: number;
  unanswered: number;
  retransmissions: number;
  orphanReplies: number;
  rttCount: number;
  rttMinNs: number;
  rttMaxNs: number;
  rttSumNs: number;
}

function newEndpoint(address: string): EndpointAcc {
  return { address, calls: 0, replies: 0, duplicateReplies: 0, errors: 0, unanswered: 0, retransmissions: 0, orphanReplies: 0, rttCount: 0, rttMinNs: Infinity, rttMaxNs: -Infinity, rttSumNs: 0 };
}

/** The same summary an RttSamples keeping no samples gives. */
function endpointRtt(e: EndpointAcc): RttSummary {
  if (e.rttCount === 0) return { count: 0, min: null, avg: null, p50: null, p95: null, p99: null, max: null, sampled: false };
  return { count: e.rttCount, min: e.rttMinNs / 1e9, avg: e.rttSumNs / e.rttCount / 1e9, p50: null, p95: null, p99: null, max: e.rttMaxNs / 1e9, sampled: false };
}

interface Span {
  first: Timestamp | null;
  last: Timestamp | null;
}

/** Where an open (not yet answered) transaction's counts go when it ends unanswered. */
interface OpenTx {
  tx: Transaction;
  proc: ProcAcc | null;
  client: EndpointAcc | null;
  server: EndpointAcc | null;
}

const SWEEP_EVERY = 4096;
const MAX_RECENT_UNANSWERED = 65_536;

function widen(span: Span, ts: Timestamp): void {
  if (span.first === null || compareTs(ts, span.first) < 0) span.first = ts;
  if (span.last === null || compareTs(ts, span.last) > 0) span.last = ts;
}

function hashKey(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export class StatsAnalyzer {
  private readonly opts: StatsOptions;
  private readonly procs = new Map<string, ProcAcc>();
  private readonly clients = new Map<string, EndpointAcc>();
  private readonly servers = new Map<string, EndpointAcc>();
  /** Calls whose transaction was not answered when seen, by transaction id. */
  private readonly open = new Map<number, OpenTx>();
  /** Transactions already counted unanswered (a late reply takes them back). Weak: the pairing table owns them. */
  private readonly countedUnanswered = new WeakMap<Transaction, OpenTx>();
  /** The latest transactions counted unanswered, by call frame and XID, for a retransmission on a new connection. */
  private readonly recentUnanswered = new Map<string, OpenTx>();
  private sinceSweep = 0;
  private readonly capture: Span = { first: null, last: null };
  private messages = 0;
  private calls = 0;
  private replies = 0;
  private orphanReplies = 0;
  private droppedProcedures = 0;
  /** The rows of the clients and servers past maxEndpoints, and the messages they counted. */
  private otherClients: EndpointAcc | null = null;
  private otherServers: EndpointAcc | null = null;
  private otherMessages = 0;
  private readonly nfs = { readOps: 0, readBytes: 0, writeOps: 0, writeBytes: 0 };
  private readonly files = new Map<string, NfsFileStats>();
  private droppedFiles = 0;
  private readonly readSpan: Span = { first: null, last: null };
  private readonly writeSpan: Span = { first: null, last: null };
  private finished: StatsReport | null = null;
  /** The last snapshot(), with what it was made from (see snapshot()). */
  private snap: { messages: number; unanswered: number; report: StatsReport } | null = null;

  constructor(opts: Partial<StatsOptions> = {}) {
    const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
    this.opts = { ...DEFAULT_STATS, ...given };
  }

  get maxEndpoints(): number {
    return this.opts.maxEndpoints;
  }

  add(ev: RpcEvent): void {
    if (this.finished) throw new Error('StatsAnalyzer: add() after finish()');
    this.messages++;
    widen(this.capture, ev.record.ts);
    if (ev.msg.type === 'call') this.addCall(ev);
    else this.addReply(ev);
    if (++this.sinceSweep >= SWEEP_EVERY) this.sweep();
  }

  /** The report; calls still open count as unanswered when their transaction is not answered. Idempotent. */
  finish(): StatsReport {
    if (this.finished) return this.finished;
    for (const o of this.open.values()) if (o.tx.state !== 'answered') this.countUnanswered(o, 1);
    this.open.clear();
    this.finished = this.report();
    return this.finished;
  }

  /**
   * The report so far, while events keep coming (the TUI's live statistics): like finish(), except that calls still
   * pending are not counted unanswered (those the pipeline has declared unanswered are), and the analyzer stays open
   * for add(). After finish(), the final report. The report returned is shared with later calls: do not modify it.
   *
   * Cost: O(open calls) when no event was added and no open call became unanswered since the last snapshot (the same
   * report is returned). Otherwise a new report: O(procedures + a log a over addresses + f log f over NFS files),
   * plus sorting the RTT samples (at most maxSamples) of each procedure that got a new sample since.
   */
  snapshot(): StatsReport {
    if (this.finished) return this.finished;
    // Transactions only go from pending to unanswered without an event (the pipeline's reply timeout), so their
    // number among the open ones changes whenever that happens.
    const late: OpenTx[] = [];
    for (const o of this.open.values()) if (o.tx.state === 'unanswered') late.push(o);
    const last = this.snap;
    if (last && last.messages === this.messages && last.unanswered === late.length) return last.report;
    for (const o of late) this.countUnanswered(o, 1);
    const report = this.report();
    for (const o of late) this.countUnanswered(o, -1);
    this.snap = { messages: this.messages, unanswered: late.length, report };
    return report;
  }

  // ------------------------------------------------------------------------------------------ accumulation

  private addCall(ev: RpcEvent): void {
    this.calls++;
    const tx = ev.tx;
    const proc = this.proc(ev);
    const client = this.endpoint(this.clients, ev.record.src, ev);
    const server = this.endpoint(this.servers, ev.record.dst, ev);
    const retransmit = ev.flags.includes('retransmit');
    for (const a of [proc, client, server]) {
      if (!a) continue;
      if (retransmit) a.retransmissions++;
      else a.calls++;
    }
    if (this.isNfs3(ev) && (ev.proc === NFS_READ || ev.proc === NFS_WRITE) && !retransmit) {
      widen(ev.proc === NFS_READ ? this.readSpan : this.writeSpan, ev.record.ts);
    }
    // A retransmission that started no transaction of its own shares its first call's (already open).
    if (!tx || (retransmit && tx.callFrame !== ev.record.frameNo)) return;
    // A retransmission on a new TCP connection starts a transaction of its own: the first one, left without a reply
    // on the old connection, is the same call and must not count as unanswered as well.
    if (retransmit && ev.retransmitOf !== null) this.supersede(ev.retransmitOf, tx.xid);
    if (tx.state !== 'answered' && !this.open.has(tx.id)) this.open.set(tx.id, { tx, proc, client, server });
  }

  private supersede(callFrame: number, xid: number): void {
    for (const [id, o] of this.open) {
      if (o.tx.callFrame === callFrame && o.tx.xid === xid) {
        this.open.delete(id);
        return;
      }
    }
    const key = `${callFrame}/${xid}`;
    const counted = this.recentUnanswered.get(key);
    if (counted && this.countedUnanswered.get(counted.tx) === counted) {
      this.countUnanswered(counted, -1);
      this.countedUnanswered.delete(counted.tx);
    }
    this.recentUnanswered.delete(key);
  }

  private addReply(ev: RpcEvent): void {
    this.replies++;
    const tx = ev.tx;
    if (!tx) {
      this.orphanReplies++;
      const server = this.endpoint(this.servers, ev.record.src, ev);
      if (server) server.orphanReplies++;
      return;
    }
    const duplicate = ev.flags.includes('duplicate_reply');
    const proc = this.proc(ev);
    const client = this.endpoint(this.clients, ev.record.dst, ev);
    const server = this.endpoint(this.servers, ev.record.src, ev);
    // This transaction is answered now: out of the open set, and out of the unanswered count if it was in it.
    this.open.delete(tx.id);
    const counted = this.countedUnanswered.get(tx);
    if (counted) {
      this.countUnanswered(counted, -1);
      this.countedUnanswered.delete(tx);
    }
    const ns = tsDiffNs(tx.callTs, ev.record.ts);
    const rpcError = rpcErrorName(ev);
    const error = rpcError ?? (ev.status !== null && !isOkStatus(ev.status) ? ev.status : null);
    for (const a of [proc, client, server]) {
      if (!a) continue;
      a.replies++;
      if (duplicate) {
        a.duplicateReplies++;
        continue;
      }
      if (a === proc) proc.rtt.addNs(ns);
      else {
        const e = a as EndpointAcc;
        e.rttCount++;
        e.rttSumNs += ns;
        if (ns < e.rttMinNs) e.rttMinNs = ns;
        if (ns > e.rttMaxNs) e.rttMaxNs = ns;
      }
      if (error !== null) a.errors++;
    }
    if (proc && !duplicate && error !== null) proc.errorsByStatus.set(error, (proc.errorsByStatus.get(error) ?? 0) + 1);
    if (proc && rpcError === null && ev.msg.type === 'reply' && ev.msg.replyStat === 0) proc.srt.add(ns);
    if (!duplicate && this.isNfs3(ev) && (ev.proc === NFS_READ || ev.proc === NFS_WRITE)) this.addNfsBytes(ev);
  }

  private addNfsBytes(ev: RpcEvent): void {
    const read = ev.proc === NFS_READ;
    widen(read ? this.readSpan : this.writeSpan, ev.record.ts);
    if (ev.status !== 'NFS3_OK') return;
    const count = (ev.result as { count?: unknown } | undefined)?.count;
    if (typeof count !== 'number') return;
    const file = this.file((ev.args as { file?: unknown } | undefined)?.file);
    if (read) {
      this.nfs.readOps++;
      this.nfs.readBytes += count;
      if (file) {
        file.readOps++;
        file.readBytes += count;
      }
    } else {
      this.nfs.writeOps++;
      this.nfs.writeBytes += count;
      if (file) {
        file.writeOps++;
        file.writeBytes += count;
      }
    }
  }

  private file(fh: unknown): NfsFileStats | null {
    if (!(fh instanceof FileHandle)) return null;
    const hex = fh.hex;
    let f = this.files.get(hex);
    if (f) return f;
    if (this.files.size >= this.opts.maxFiles) {
      this.droppedFiles++;
      return null;
    }
    f = { fh: hex, fhHash: fh.hash, path: null, readOps: 0, readBytes: 0, writeOps: 0, writeBytes: 0 };
    this.files.set(hex, f);
    return f;
  }

  private isNfs3(ev: RpcEvent): boolean {
    return ev.prog === NFS_PROGRAM_NUMBER && ev.vers === 3;
  }

  private countUnanswered(o: OpenTx, delta: 1 | -1): void {
    for (const a of [o.proc, o.client, o.server]) if (a) a.unanswered += delta;
  }

  /** Moves open transactions that have ended: answered ones leave, unanswered ones are counted (a late reply
   *  undoes it), so the open set holds only pending calls (bounded by the pairing table). */
  private sweep(): void {
    this.sinceSweep = 0;
    for (const [id, o] of this.open) {
      if (o.tx.state === 'pending') continue;
      this.open.delete(id);
      if (o.tx.state === 'unanswered') {
        this.countUnanswered(o, 1);
        this.countedUnanswered.set(o.tx, o);
        const key = `${o.tx.callFrame}/${o.tx.xid}`;
        this.recentUnanswered.delete(key);
        this.recentUnanswered.set(key, o);
        if (this.recentUnanswered.size > MAX_RECENT_UNANSWERED) this.recentUnanswered.delete(this.recentUnanswered.keys().next().value as string);
      }
    }
  }

  private proc(ev: RpcEvent): ProcAcc | null {
    if (ev.prog === null || ev.vers === null || ev.proc === null) return null;
    const key = `${ev.prog}/${ev.vers}/${ev.proc}`;
    let a = this.procs.get(key);
    if (a) return a;
    if (this.procs.size >= this.opts.maxProcedures) {
      this.droppedProcedures++;
      return null;
    }
    a = {
      program: ev.prog,
      programName: ev.programName,
      version: ev.vers,
      procedure: ev.proc,
      name: ev.procedureName ?? `proc-${ev.proc}`,
      calls: 0,
      replies: 0,
      duplicateReplies: 0,
      errors: 0,
      errorsByStatus: new Map(),
      unanswered: 0,
      retransmissions: 0,
      rtt: new RttSamples(this.opts.maxSamples, hashKey(key)),
      srt: new SrtAcc(),
    };
    this.procs.set(key, a);
    return a;
  }

  /** The address's row; past maxEndpoints addresses, the "(others)" row of the list (made the first time). */
  private endpoint(map: Map<string, EndpointAcc>, address: string, ev: RpcEvent): EndpointAcc {
    let a = map.get(address);
    if (a) return a;
    if (map.size < this.opts.maxEndpoints) {
      a = newEndpoint(address);
      map.set(address, a);
      return a;
    }
    this.otherMessages++;
    const clients = map === this.clients;
    let other = clients ? this.otherClients : this.otherServers;
    if (!other) {
      if (!this.otherClients && !this.otherServers) this.opts.onEndpointLimit?.(ev);
      other = newEndpoint(OTHER_ENDPOINTS);
      if (clients) this.otherClients = other;
      else this.otherServers = other;
    }
    return other;
  }

  /** Messages counted in an "(others)" row (past maxEndpoints clients or servers); 0 when none was needed. */
  get endpointOverflow(): number {
    return this.otherMessages;
  }

  // ------------------------------------------------------------------------------------------ report

  private report(): StatsReport {
    const notes: string[] = [];
    const procedures = [...this.procs.values()]
      .sort((a, b) => a.program - b.program || a.version - b.version || a.procedure - b.procedure)
      .map((p): ProcedureStats => {
        const rtt = p.rtt.summary();
        if (rtt.sampled) {
          notes.push(
            `${p.programName ?? p.program} V${p.version} ${p.name}: ${rtt.count} RTT samples, percentiles from a uniform sample of ${this.opts.maxSamples}`,
          );
        }
        const errorsByStatus: Record<string, number> = {};
        for (const k of [...p.errorsByStatus.keys()].sort()) errorsByStatus[k] = p.errorsByStatus.get(k) as number;
        return {
          program: p.program,
          programName: p.programName,
          version: p.version,
          procedure: p.procedure,
          name: p.name,
          calls: p.calls,
          replies: p.replies,
          duplicateReplies: p.duplicateReplies,
          errors: p.errors,
          errorsByStatus,
          unanswered: p.unanswered,
          retransmissions: p.retransmissions,
          rtt,
          srt: p.srt.numbers(),
        };
      });
    if (this.droppedProcedures) notes.push(`more than ${this.opts.maxProcedures} procedures: ${this.droppedProcedures} messages not counted per procedure`);
    if (this.droppedFiles) notes.push(`more than ${this.opts.maxFiles} NFS files: ${this.droppedFiles} READ/WRITE replies not counted per file`);
    if (this.otherMessages) {
      notes.push(`more than ${this.opts.maxEndpoints} clients or servers: the later ones are counted together in the ${OTHER_ENDPOINTS} rows (${this.otherMessages} messages; raise --max-endpoints)`);
    }
    const row = (e: EndpointAcc): EndpointStats => ({
      address: e.address,
      calls: e.calls,
      replies: e.replies,
      duplicateReplies: e.duplicateReplies,
      errors: e.errors,
      unanswered: e.unanswered,
      retransmissions: e.retransmissions,
      orphanReplies: e.orphanReplies,
      rtt: endpointRtt(e),
    });
    const endpoints = (m: Map<string, EndpointAcc>, other: EndpointAcc | null): EndpointStats[] => {
      const list = [...m.values()].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0)).map(row);
      if (other) list.push({ ...row(other), other: true });
      return list;
    };
    const duration = this.capture.first && this.capture.last ? tsDiffSeconds(this.capture.first, this.capture.last) : null;
    const perSec = (bytes: number, d: number | null): number | null => (d !== null && d > 0 ? bytes / d : null);
    const busy = (s: Span, bytes: number): BusySpan => {
      const d = s.first && s.last ? tsDiffSeconds(s.first, s.last) : null;
      return { first: s.first ? formatEpoch(s.first) : null, last: s.last ? formatEpoch(s.last) : null, duration: d, throughput: perSec(bytes, d) };
    };
    return {
      procedures,
      clients: endpoints(this.clients, this.otherClients),
      servers: endpoints(this.servers, this.otherServers),
      nfs: {
        ...this.nfs,
        readThroughput: perSec(this.nfs.readBytes, duration),
        writeThroughput: perSec(this.nfs.writeBytes, duration),
        throughputSpan: 'capture',
        read: busy(this.readSpan, this.nfs.readBytes),
        write: busy(this.writeSpan, this.nfs.writeBytes),
        files: [...this.files.values()]
          .map((f) => ({ ...f, path: this.opts.names?.path(f.fh) ?? null }))
          .sort((a, b) => b.readBytes + b.writeBytes - (a.readBytes + a.writeBytes) || (a.fh < b.fh ? -1 : a.fh > b.fh ? 1 : 0)),
      },
      capture: {
        first: this.capture.first ? formatEpoch(this.capture.first) : null,
        last: this.capture.last ? formatEpoch(this.capture.last) : null,
        duration,
        messages: this.messages,
        calls: this.calls,
        replies: this.replies,
        orphanReplies: this.orphanReplies,
      },
      notes,
    };
  }
}

/** Convenience: the report of a list of events (the pipeline must have finished). */
export function statsOf(events: Iterable<RpcEvent>, opts: Partial<StatsOptions> = {}): StatsReport {
  const a = new StatsAnalyzer(opts);
  for (const ev of events) a.add(ev);
  return a.finish();
}
