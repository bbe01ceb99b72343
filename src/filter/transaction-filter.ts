/**
 * Display filters in a stream (`-Y`): decides, for each released event in output order, whether it is shown, so
 * that a call and its reply are shown together when the transaction matches — `status == NOENT` shows the failing
 * LOOKUP call as well as its reply, `uid == 0` the replies to root's calls as well as the calls.
 *
 * How (file mode, the pipeline's default hold): the release queue lets a call go only once its transaction is
 * resolved, but its reply is released after it, in order. So a call (its first transmission) whose transaction is
 * answered waits here, with everything behind it, until the transaction's first reply arrives; then the
 * transaction — the call, any retransmissions released meanwhile, and that reply — is tested as one view
 * (Filter.matchesMessages) and every one of those messages gets that one decision. A call that is unanswered (or still pending) is decided alone.
 * A message of a transaction decided earlier (a retransmission after the reply, a duplicate or late reply, or
 * the reply in live mode) is tested with the decided view's remembered values plus its own, so it follows its
 * transaction on call-side fields (uid, name) and may still be shown for its own (`duplicate`, `status`). Each
 * event is decided exactly once, on a view fixed by the order of the input, so for any X the events shown by X and
 * by `not X` partition the input.
 *
 * Bounds: at most `maxHeld` events wait (beyond, the oldest waiting transaction is decided without its reply,
 * which is then tested like a late message when it arrives); values are remembered for `maxRemembered` decided
 * transactions (beyond, a late message is tested alone).
 *
 * Live mode (`hold: false`, the pipeline's `--no-hold` and `-i`): calls are printed before their reply exists, so
 * a call is decided alone, at once. A call is then shown only for what the call itself says (program, procedure,
 * uid, name, handles, addresses...): with `status == NOENT` or `rtt > 10ms`, live output shows the replies but not
 * their calls; `not error` shows every call. Replies still see their call's values (`uid == 0` shows both).
 *
 * Frames that completed no RPC message (`-a`) are tested on the empty view: no field has a value, no flag is set
 * (so `not retransmit` shows them and `program == NFS` does not).
 */
import { isRpcEvent, type PipelineEvent, type RpcEvent } from '../rpc/rpc-event';
import { combineValues, messageValues, type FieldDef, type FieldValue } from './fields';
import type { Filter, FilterContext } from './evaluate';

export interface TransactionFilterOptions {
  /** Wait for an answered call's reply before deciding (file mode). False for live output. Default true. */
  hold: boolean;
  /** Events waiting at most; default 100000 (the release queue's own bound). */
  maxHeld: number;
  /** Decided transactions whose values are remembered for their later messages; default 200000. */
  maxRemembered: number;
  context: FilterContext;
}

export const DEFAULT_TRANSACTION_FILTER: TransactionFilterOptions = { hold: true, maxHeld: 100_000, maxRemembered: 200_000, context: {} };

/** Receives every event once, in input order, with whether it is shown. */
export type Verdict = (ev: PipelineEvent, show: boolean) => void;

interface Group {
  msgs: RpcEvent[];
  entries: Entry[];
}

interface Entry {
  ev: PipelineEvent;
  show: boolean | null;
  group: Group | null;
}

export interface TransactionFilterCounters {
  shown: number;
  hidden: number;
  /** Transactions decided without their reply because too many events were waiting. */
  forced: number;
}

export class TransactionFilter {
  private readonly opts: TransactionFilterOptions;
  private queue: Entry[] = [];
  private head = 0;
  /** Undecided transactions (an answered call waiting for its reply), by Transaction.id. */
  private readonly waiting = new Map<number, Group>();
  /** Values of decided transactions, by Transaction.id, oldest first. */
  private readonly decided = new Map<number, Map<FieldDef, FieldValue[]>>();
  private emptyView: boolean | null = null;
  readonly counters: TransactionFilterCounters = { shown: 0, hidden: 0, forced: 0 };

  constructor(
    private readonly filter: Filter,
    private readonly emit: Verdict,
    opts: Partial<TransactionFilterOptions> = {},
  ) {
    this.opts = { ...DEFAULT_TRANSACTION_FILTER, ...opts };
  }

  push(ev: PipelineEvent): void {
    const entry: Entry = { ev, show: null, group: null };
    this.queue.push(entry);
    if (!isRpcEvent(ev)) {
      this.emptyView ??= this.filter.matchesMessages([], this.opts.context);
      entry.show = this.emptyView;
    } else if (ev.tx === null) {
      entry.show = this.filter.matchesEvent(ev, this.opts.context); // an orphan reply: its own transaction
    } else {
      const id = ev.tx.id;
      const group = this.waiting.get(id);
      const remembered = this.decided.get(id);
      if (group) {
        group.msgs.push(ev);
        group.entries.push(entry);
        entry.group = group;
        if (ev.msg.type === 'reply') this.decide(id, group);
      } else if (remembered) {
        entry.show = this.filter.matchesValues(this.extend(remembered, ev));
      } else if (this.opts.hold && ev.msg.type === 'call' && ev.tx.state === 'answered' && ev.record.frameNo === ev.tx.callFrame) {
        // The first transmission: its transaction's first reply comes after it. (A retransmission may come after
        // the reply, and must not wait for one.)
        const g: Group = { msgs: [ev], entries: [entry] };
        entry.group = g;
        this.waiting.set(id, g);
      } else {
        // An unanswered or pending call (or live mode), or a reply whose call came before this filter did.
        const values = this.filter.valuesOf([ev], this.opts.context);
        entry.show = this.filter.matchesValues(values);
        this.remember(id, values);
      }
    }
    this.drain();
  }

  /** End of input: decide every waiting transaction with what arrived, and release everything. */
  finish(): void {
    for (const [id, g] of [...this.waiting]) this.decide(id, g);
    this.drain();
  }

  /** Events waiting for a decision. */
  get held(): number {
    return this.queue.length - this.head;
  }

  private decide(id: number, g: Group): void {
    this.waiting.delete(id);
    const values = this.filter.valuesOf(g.msgs, this.opts.context);
    const show = this.filter.matchesValues(values);
    for (const e of g.entries) {
      e.show = show;
      e.group = null;
    }
    this.remember(id, values);
  }

  /** Remembered values of a transaction plus one more message. */
  private extend(values: ReadonlyMap<FieldDef, FieldValue[]>, ev: RpcEvent): Map<FieldDef, FieldValue[]> {
    const out = new Map<FieldDef, FieldValue[]>();
    for (const def of this.filter.fields) {
      out.set(def, combineValues(def, [values.get(def) ?? [], messageValues(def, ev, this.opts.context)]));
    }
    return out;
  }

  private remember(id: number, values: Map<FieldDef, FieldValue[]>): void {
    this.decided.delete(id);
    this.decided.set(id, values);
    while (this.decided.size > this.opts.maxRemembered) {
      const oldest = this.decided.keys().next();
      if (oldest.done) break;
      this.decided.delete(oldest.value);
    }
  }

  private drain(): void {
    for (;;) {
      while (this.head < this.queue.length && this.queue[this.head].show !== null) {
        const e = this.queue[this.head];
        this.queue[this.head] = undefined as unknown as Entry; // drop the reference for the GC
        this.head++;
        const show = e.show as boolean;
        if (show) this.counters.shown++;
        else this.counters.hidden++;
        this.emit(e.ev, show);
      }
      if (this.head < this.queue.length && this.queue.length - this.head > this.opts.maxHeld) {
        const g = this.queue[this.head].group;
        const tx = g && isRpcEvent(g.msgs[0]) ? g.msgs[0].tx : null;
        if (g && tx) {
          this.counters.forced++;
          this.decide(tx.id, g);
          continue;
        }
      }
      break;
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
