/**
 * The configurable limits (caps) that bound rpcsnoop's memory on any input, and the notice given the first time
 * one is reached. Each cap has an anomaly name (anomaly.ts), the option that sets it, and a counter the pipeline
 * keeps; LimitWatch compares the counters after each frame and reports a cap once, at the frame that first reached
 * it — never once per eviction. The totals are reported at the end (Pipeline.warningLines).
 */
import type { Anomaly } from './anomaly';
import type { Timestamp } from './capture/raw-frame';

export type LimitName = 'pending' | 'answered' | 'held' | 'record' | 'record_buffer' | 'streams' | 'fragments' | 'tcp_buffer' | 'endpoints';

export interface LimitSpec {
  name: LimitName;
  anomaly: Anomaly;
  /** The command-line option that sets it. */
  option: string;
  /** What reaching it means, after "more than N …" (the notice) — one clause. */
  what: string;
}

export const LIMIT_SPECS: Readonly<Record<LimitName, LimitSpec>> = {
  pending: { name: 'pending', anomaly: 'pairing_table_full', option: '--max-pending', what: 'calls remembered for pairing: the oldest are evicted (an evicted call prints unanswered)' },
  answered: { name: 'answered', anomaly: 'answered_table_full', option: '--max-answered', what: 'answered calls remembered: older duplicate replies and XID reuse go unrecognised' },
  held: { name: 'held', anomaly: 'release_queue_full', option: '--max-held', what: 'messages (or 32 MiB of them) held back for replies: the oldest call is printed without its reply' },
  record: { name: 'record', anomaly: 'record_too_large', option: '--max-record-size', what: 'bytes in a TCP record: the rest of the record is skipped, the record kept truncated' },
  record_buffer: { name: 'record_buffer', anomaly: 'record_buffer_full', option: '--max-record-buffer', what: 'bytes of partial TCP records held in all connections: the one held longest is cut (kept truncated, its rest skipped)' },
  streams: { name: 'streams', anomaly: 'tcp_stream_table_full', option: '--max-streams', what: 'TCP connections tracked: the least recently used open one is closed (its partial records flushed)' },
  fragments: { name: 'fragments', anomaly: 'ip_fragment_table_full', option: '--max-fragments', what: 'IP datagrams being reassembled: the oldest incomplete one is given up' },
  endpoints: { name: 'endpoints', anomaly: 'endpoint_table_full', option: '--max-endpoints', what: 'clients or servers counted one by one by --stats: later ones are counted together in an "(others)" row' },
  tcp_buffer: { name: 'tcp_buffer', anomaly: 'tcp_out_of_order_overflow', option: '--max-stream-buffer', what: 'out-of-order TCP bytes held (per direction, or --max-tcp-buffer in all): the first hole is declared lost' },
};

/** A cap reached for the first time. */
export interface LimitNotice {
  limit: LimitName;
  anomaly: Anomaly;
  option: string;
  /** The cap's value (for tcp_buffer: the per-direction bound). */
  value: number;
  /** The frame being processed when it was reached (0 at the end of input). */
  frameNo: number;
  ts: Timestamp | null;
}

/** The notice for cap `name` of value `value`, reached at frame `frameNo` (0: the end of input). */
export function limitNotice(name: LimitName, value: number, frameNo: number, ts: Timestamp | null): LimitNotice {
  const s = LIMIT_SPECS[name];
  return { limit: name, anomaly: s.anomaly, option: s.option, value, frameNo, ts };
}

/** "limit reached at frame 12: more than 100000 TCP connections tracked: … (--max-streams; counted at the end)" */
export function limitNoticeText(n: LimitNotice): string {
  const at = n.frameNo > 0 ? ` at frame ${n.frameNo}` : ' at the end of input';
  return `rpcsnoop: limit reached${at}: more than ${n.value} ${LIMIT_SPECS[n.limit].what} (${n.option}; counted at the end)`;
}

/** One JSON Lines object; `type: "limit"` tells it from messages (which have `type: "call"`/`"reply"`). */
export function limitNoticeJson(n: LimitNotice): string {
  return JSON.stringify({ type: 'limit', anomaly: n.anomaly, limit: n.limit, option: n.option, value: n.value, frame: n.frameNo, time: n.ts ? n.ts.sec + n.ts.nsec / 1e9 : null });
}

/** A cap and how often it was hit so far (Pipeline.limitCounts(): for a view that shows them as they grow). */
export interface LimitCount {
  limit: LimitName;
  option: string;
  value: number;
  count: number;
}

/** "--max-held 20000: 249000": the caps hit so far, for a status line; '' when none was. */
export function limitCountsText(counts: readonly LimitCount[]): string {
  return counts
    .filter((c) => c.count > 0)
    .map((c) => `${c.option} ${c.value}: ${c.count}`)
    .join(', ');
}

/** One cap to watch: its value now and how often it was hit so far. */
export interface WatchedLimit {
  name: LimitName;
  value: number;
  count: () => number;
}

export class LimitWatch {
  private waiting: WatchedLimit[];

  constructor(
    limits: WatchedLimit[],
    private readonly notify: (n: LimitNotice) => void,
  ) {
    this.waiting = limits.slice();
  }

  /** After a frame (or at the end, frameNo 0): reports each cap whose count left 0 since the last check. */
  check(frameNo: number, ts: Timestamp | null): void {
    if (this.waiting.length === 0) return;
    let hit: WatchedLimit[] | null = null;
    for (const l of this.waiting) if (l.count() > 0) (hit ??= []).push(l);
    if (hit === null) return;
    this.waiting = this.waiting.filter((l) => !hit.includes(l));
    for (const l of hit) {
      const s = LIMIT_SPECS[l.name];
      this.notify({ limit: l.name, anomaly: s.anomaly, option: s.option, value: l.value, frameNo, ts });
    }
  }
}
