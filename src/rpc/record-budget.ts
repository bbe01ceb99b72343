/**
 * The byte budget for partial TCP records shared by every direction (`--max-record-buffer`). Each RecordMarker may
 * hold one partial record of up to --max-record-size between chunks; without a shared bound, N connections each
 * sending most of a large record hold N times that. The markers report what they hold after each chunk; when the
 * total passes the budget, the partial record that has been held the longest is cut (emitted truncated with
 * 'record_buffer_full', the rest of it skipped by counting), then the next oldest, until the total fits.
 *
 * Why the oldest: a record that stays unfinished while others start and complete is the one tying up memory (a
 * stalled sender, a dead connection, an attacker's unfinished records); cutting the newcomer instead would let
 * records that never finish starve every later large record for good. Holders are kept in a Map in the order
 * their current record began holding bytes, so the oldest is its first key: O(1) per cut, no scan.
 */

/** A direction that can be asked to give up its partial record. */
export interface BudgetHolder {
  /** Cut the partial record now: emit it truncated and skip its rest; must report 0 held bytes (set(this, 0)). */
  cutForBudget(): void;
}

export class RecordBudget {
  /** Bytes held now, over every holder. */
  held = 0;
  /** Records cut to stay within the budget. */
  cuts = 0;
  /** The highest total seen after a chunk was accounted (before any cut it caused). */
  peak = 0;
  /** Holder → bytes, in the order each holder's current record began holding. */
  private readonly holders = new Map<BudgetHolder, number>();

  constructor(readonly max: number) {}

  /** `h` now holds `bytes` for its current record; `fresh`: it is a different record from the one reported last. */
  set(h: BudgetHolder, bytes: number, fresh = false): void {
    const was = this.holders.get(h);
    if (was !== undefined) {
      this.held -= was;
      // a new record goes to the back of the line, whatever its direction held before
      if (bytes === 0 || fresh) this.holders.delete(h);
    }
    if (bytes > 0) this.holders.set(h, bytes);
    this.held += bytes;
    if (this.held > this.peak) this.peak = this.held;
  }

  /** Over the budget: cut the oldest partial records until the total fits. */
  enforce(): void {
    while (this.held > this.max) {
      const first = this.holders.keys().next();
      if (first.done) return;
      const h = first.value;
      this.cuts++;
      h.cutForBudget();
      // a holder that did not give its bytes up (it always should) leaves the line rather than be asked forever
      const left = this.holders.get(h);
      if (left !== undefined) {
        this.held -= left;
        this.holders.delete(h);
      }
    }
  }
}
