/**
 * The TUI's state: the transactions seen so far, one row per call+reply (a call, its retransmissions and its
 * replies share `ev.tx`, so they share a row keyed by Transaction.id); an orphan reply (no transaction) and a frame
 * that completed no RPC message (`-a`) are rows of their own. No blessed, no formatting: views read rows through
 * view-model.ts and redraw when `version` changed.
 *
 * Bounded: at most `maxRows` rows (default 100 000, "keep the last N transactions" when live); the oldest row is
 * evicted first and counted. Rows keep references to their RpcEvents (the detail and hex panes need the decoded
 * message, its record bytes and its frame), so memory is bounded by maxRows times the size of a message. Issue 6's
 * large-file mode will replace the kept events by file offsets and decode a row again when it is selected.
 *
 * Transactions keep changing after their events were pushed (live, a pending call becomes unanswered when the
 * pipeline's reply timeout passes, with no new event): `refresh()` re-reads the pending ones; the render loop calls
 * it on every tick.
 */
import { isErrorReply, isRpcEvent, type FrameEvent, type Filter, type FilterContext, type FramePosition, type PipelineEvent, type RpcEvent, type Timestamp, type Transaction } from '../src/index';

export type RowKind = 'transaction' | 'orphan' | 'frame';

/** What is known of a row's transaction now (Transaction.state is read live). */
export type RowState = 'pending' | 'answered' | 'unanswered' | 'orphan' | 'frame' | 'reply_only';

export interface TxRow {
  /** Store-assigned, increasing in push order, never reused: views keep the selection by id across evictions. */
  readonly id: number;
  readonly kind: RowKind;
  /** Transaction.id, or null for orphan replies and frames. */
  readonly txId: number | null;
  /** The call's transmissions in order: the first, then retransmissions. Empty for an orphan reply, for a frame
   *  row, and for a reply whose call's row was already evicted. */
  readonly calls: RpcEvent[];
  /** Replies in order: the answer, then duplicate or late ones. */
  readonly replies: RpcEvent[];
  /** For a `frame` row (`-a`). */
  readonly other: FrameEvent | null;
  /** The row's first event's time (capture time). */
  readonly ts: Timestamp;
  /** Set once a reply of the row is an error (isErrorReply: RPC-level failure or program status not OK). */
  error: boolean;
  /** Increases whenever a message is added to the row (views cache what they drew of it by id and rev). */
  rev: number;
  /** Large-file mode (compact.ts): the row keeps slim events and reads its messages again from here. */
  locator?: RowLocator;
}

/** Where a compact row's messages are in its capture file: from the first frame of its first message to the
 *  frame that completed its last one. */
export interface RowLocator {
  from: FramePosition;
  fromFrame: number;
  toFrame: number;
}

export interface StoreCounters {
  /** Highest frame number seen (the pipeline's frame count is more exact: pass it to statusBar). */
  frames: number;
  /** RPC messages pushed. */
  messages: number;
  calls: number;
  replies: number;
  /** Replies that answered a call (first answers, late ones included; duplicates and orphans not). */
  pairs: number;
  /** Transactions whose call got no answer (live: once the pipeline's timeout declared them; refresh()). */
  unanswered: number;
  /** Rows with an error reply. */
  errors: number;
  orphans: number;
  /** Rows dropped because the store was full. */
  evicted: number;
}

export interface StoreOptions {
  /** Most rows kept; the oldest is evicted beyond (default 100 000). */
  maxRows: number;
}

export const DEFAULT_STORE: StoreOptions = { maxRows: 100_000 };

/** All messages of a row in the order they were pushed (calls first, as they precede their replies). */
export function rowMessages(row: TxRow): RpcEvent[] {
  return row.calls.length === 0 ? row.replies.slice() : row.replies.length === 0 ? row.calls.slice() : [...row.calls, ...row.replies].sort((a, b) => a.seq - b.seq);
}

/** The row's transaction, as pairing keeps it (shared by the row's messages). */
export function rowTransaction(row: TxRow): Transaction | null {
  return (row.calls[0] ?? row.replies[0])?.tx ?? null;
}

export function rowState(row: TxRow): RowState {
  if (row.kind === 'frame') return 'frame';
  if (row.kind === 'orphan') return 'orphan';
  if (row.calls.length === 0) return 'reply_only';
  const tx = rowTransaction(row);
  return tx ? tx.state : 'pending';
}

export class TransactionStore {
  readonly opts: StoreOptions;
  readonly counters: StoreCounters = { frames: 0, messages: 0, calls: 0, replies: 0, pairs: 0, unanswered: 0, errors: 0, orphans: 0, evicted: 0 };
  /** Time of the first event pushed (for relative time columns). */
  firstTs: Timestamp | null = null;
  /** Called when a row is settled — answered, an orphan reply, declared unanswered, or given a late message —
   *  so that large-file mode can make it compact (compact.ts). */
  onSettle: ((row: TxRow) => void) | null = null;
  private _version = 0;
  private nextId = 1;
  /** Rows oldest first, from `head` (a queue that is compacted now and then). */
  private list: TxRow[] = [];
  private head = 0;
  private readonly byTx = new Map<number, TxRow>();
  /** Transactions pending when last seen, to notice when they become unanswered (bounded by the pipeline's
   *  pairing table: entries leave when answered or unanswered). */
  private readonly pending = new Map<number, Transaction>();
  /** Rows created or changed since the last takeChanged(), each once (bounded: see takeChanged). */
  private changed: TxRow[] = [];
  private changedSet = new Set<number>();
  private changedOverflow = false;

  constructor(opts: Partial<StoreOptions> = {}) {
    this.opts = { ...DEFAULT_STORE, ...opts };
    if (!(this.opts.maxRows >= 1)) throw new RangeError('maxRows must be at least 1');
  }

  /** Increases on every change a view may show. */
  get version(): number {
    return this._version;
  }

  get size(): number {
    return this.list.length - this.head;
  }

  /** The row at `index` (0 = oldest kept). */
  row(index: number): TxRow | undefined {
    return index >= 0 && index < this.size ? this.list[this.head + index] : undefined;
  }

  /** Index of the row with this id, or -1 (evicted or never existed). Ids increase with the index: binary search. */
  indexOfId(id: number): number {
    let lo = this.head;
    let hi = this.list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.list[mid].id;
      if (v === id) return mid - this.head;
      if (v < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** The rows kept, oldest first; with a filter, the rows whose messages together match it (a frame row is tested
   *  on the empty view, as `-Y` does). */
  rows(filter?: Filter | null, ctx?: FilterContext): TxRow[] {
    const out: TxRow[] = [];
    for (let i = this.head; i < this.list.length; i++) {
      const r = this.list[i];
      if (!filter || filter.matchesMessages(rowMessages(r), ctx)) out.push(r);
    }
    return out;
  }

  push(ev: PipelineEvent): void {
    this._version++;
    if (!isRpcEvent(ev)) {
      this.noteFrame(ev.frame.frameNo, ev.frame.ts);
      this.add({ id: this.nextId++, kind: 'frame', txId: null, calls: [], replies: [], other: ev, ts: ev.frame.ts, error: false, rev: 0 });
      return;
    }
    const rec = ev.record;
    this.noteFrame(rec.frameNo, rec.ts);
    this.counters.messages++;
    const tx = ev.tx;
    if (ev.msg.type === 'call') {
      this.counters.calls++;
      let row = tx ? this.byTx.get(tx.id) : undefined;
      if (!row) {
        row = { id: this.nextId++, kind: 'transaction', txId: tx?.id ?? null, calls: [], replies: [], other: null, ts: rec.ts, error: false, rev: 0 };
        this.add(row);
      }
      row.calls.push(ev);
      this.touch(row);
      if (row.replies.length > 0 || row.locator) this.onSettle?.(row);
      if (tx && row.calls.length === 1) {
        if (tx.state === 'pending') this.pending.set(tx.id, tx);
        else if (tx.state === 'unanswered') this.counters.unanswered++;
      }
      return;
    }
    this.counters.replies++;
    let row: TxRow | undefined;
    if (tx) {
      row = this.byTx.get(tx.id);
      if (!ev.flags.includes('duplicate_reply')) this.counters.pairs++;
      // A late reply answers a call counted unanswered; a call still pending here was never counted.
      if (!this.pending.delete(tx.id) && ev.flags.includes('late_reply')) this.counters.unanswered = Math.max(0, this.counters.unanswered - 1);
    } else {
      this.counters.orphans++;
    }
    if (!row) {
      row = { id: this.nextId++, kind: tx ? 'transaction' : 'orphan', txId: tx?.id ?? null, calls: [], replies: [], other: null, ts: rec.ts, error: false, rev: 0 };
      this.add(row);
    }
    row.replies.push(ev);
    this.touch(row);
    if (!row.error && isErrorReply(ev)) {
      row.error = true;
      this.counters.errors++;
    }
    this.onSettle?.(row);
  }

  /**
   * The rows created or changed since the last call, oldest change first, each once; `null` when more rows changed
   * than the store holds since the last call (nobody took them): the caller must then re-read every row. Rows in the
   * list may have been evicted since (check indexOfId).
   */
  takeChanged(): TxRow[] | null {
    const out = this.changedOverflow ? null : this.changed;
    this.changed = [];
    this.changedSet.clear();
    this.changedOverflow = false;
    return out;
  }

  /** Notes that a row was created or changed (a message added, or its call declared unanswered). */
  private touch(row: TxRow): void {
    row.rev++;
    if (this.changedOverflow || this.changedSet.has(row.id)) return;
    if (this.changed.length >= this.opts.maxRows) {
      this.changedOverflow = true;
      this.changed = [];
      this.changedSet.clear();
      return;
    }
    this.changed.push(row);
    this.changedSet.add(row.id);
  }

  /** Re-reads pending transactions (live: the pipeline declares calls unanswered later, without an event). True
   *  when something changed (the version was increased). */
  refresh(): boolean {
    let changed = false;
    for (const [id, tx] of this.pending) {
      if (tx.state === 'pending') continue;
      this.pending.delete(id);
      if (tx.state === 'unanswered') {
        this.counters.unanswered++;
        changed = true;
        const row = this.byTx.get(id);
        if (row) {
          this.touch(row);
          this.onSettle?.(row);
        }
      }
    }
    if (changed) this._version++;
    return changed;
  }

  private noteFrame(frameNo: number, ts: Timestamp): void {
    if (frameNo > this.counters.frames) this.counters.frames = frameNo;
    this.firstTs ??= ts;
  }

  private add(row: TxRow): void {
    this.list.push(row);
    this.touch(row);
    if (row.txId !== null) this.byTx.set(row.txId, row);
    while (this.size > this.opts.maxRows) this.evictOldest();
  }

  private evictOldest(): void {
    const old = this.list[this.head];
    this.list[this.head] = undefined as unknown as TxRow;
    this.head++;
    this.counters.evicted++;
    if (old.txId !== null && this.byTx.get(old.txId) === old) this.byTx.delete(old.txId);
    // Its transaction stays in `pending` (if there) so that it is still counted when it becomes unanswered.
    if (this.head > 1024 && this.head * 2 > this.list.length) {
      this.list = this.list.slice(this.head);
      this.head = 0;
    }
  }
}
