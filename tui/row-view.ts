/**
 * The rows the transaction list shows: the store's rows, or those the display filter matches, with the live view
 * optionally frozen (space: pause). Kept incrementally from the store's change list, so a redraw costs the rows that
 * changed since the last one, not the whole store: a new row is tested once, a row that got its reply is tested
 * again (a filter such as `status != OK` only matches then), an evicted row leaves. While paused, the rows up to
 * the last one shown stay as they are (only eviction removes them) and are tested again on resume.
 *
 * Row ids increase with the store's order, so the view is a sorted array of ids searched by bisection.
 */
import type { Filter, FilterContext } from '../src/index';
import { rowMessages, type TransactionStore, type TxRow } from './store';

/** Index of the first element of sorted `ids` that is >= id. */
function lowerBound(ids: readonly number[], id: number): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ids[mid] < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class RowView {
  private ids: number[] = [];
  private filter: Filter | null = null;
  /** While paused: the last row id shown (rows after it wait). */
  private frozenAt: number | null = null;
  /** While paused, a row up to frozenAt changed (a shown call got its reply): whether it still matches is decided
   *  on resume, so that the frozen rows neither vanish nor move under the reader's eyes. */
  private frozenStale = false;

  constructor(
    private readonly store: TransactionStore,
    private readonly ctx?: FilterContext,
  ) {
    this.rebuild();
  }

  get activeFilter(): Filter | null {
    return this.filter;
  }

  get paused(): boolean {
    return this.frozenAt !== null;
  }

  /** Rows shown. */
  get length(): number {
    return this.frozenAt === null ? this.ids.length : lowerBound(this.ids, this.frozenAt + 1);
  }

  /** Rows that match but wait for the view to resume. */
  get waiting(): number {
    return this.ids.length - this.length;
  }

  idAt(index: number): number | undefined {
    return index >= 0 && index < this.length ? this.ids[index] : undefined;
  }

  rowAt(index: number): TxRow | undefined {
    const id = this.idAt(index);
    if (id === undefined) return undefined;
    return this.store.row(this.store.indexOfId(id));
  }

  /** Index of a row id in the view, or -1. */
  indexOf(id: number): number {
    const i = lowerBound(this.ids, id);
    return i < this.length && this.ids[i] === id ? i : -1;
  }

  /** Index of the first shown row whose id is >= id (where a vanished row's neighbour is), clamped. */
  nearestIndex(id: number): number {
    return Math.min(lowerBound(this.ids, id), this.length - 1);
  }

  setFilter(filter: Filter | null): void {
    this.filter = filter;
    this.rebuild();
  }

  /** Freezes the list at its current last row (live: new rows wait), or lets it follow the store again. */
  setPaused(paused: boolean): void {
    this.frozenAt = paused ? (this.ids.length > 0 ? this.ids[this.ids.length - 1] : 0) : null;
    if (!paused && this.frozenStale) this.rebuild();
  }

  /** Catches up with the store's changes; true when the view changed. */
  sync(): boolean {
    const changed = this.store.takeChanged();
    if (changed === null) {
      this.rebuild();
      return true;
    }
    let any = false;
    // evicted rows leave from the front
    const first = this.store.row(0)?.id ?? Infinity;
    const gone = lowerBound(this.ids, first);
    if (gone > 0) {
      this.ids.splice(0, gone);
      any = true;
    }
    for (const row of changed) {
      if (row.id < first) continue;
      const at = lowerBound(this.ids, row.id);
      const present = at < this.ids.length && this.ids[at] === row.id;
      if (this.frozenAt !== null && row.id <= this.frozenAt) {
        this.frozenStale = true;
        if (present) any = true; // its cells changed: redraw
        continue;
      }
      const match = this.matches(row);
      if (match && !present) {
        if (at === this.ids.length) this.ids.push(row.id);
        else this.ids.splice(at, 0, row.id);
        any = true;
      } else if (!match && present) {
        this.ids.splice(at, 1);
        any = true;
      } else if (match) {
        any = true; // shown and changed: redraw
      }
    }
    return any;
  }

  private matches(row: TxRow): boolean {
    return this.filter === null || this.filter.matchesMessages(rowMessages(row), this.ctx);
  }

  private rebuild(): void {
    this.store.takeChanged();
    this.frozenStale = false;
    this.ids = [];
    for (const row of this.store.rows(this.filter, this.ctx)) this.ids.push(row.id);
  }
}
