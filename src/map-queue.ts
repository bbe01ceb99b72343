/**
 * Removing the oldest entries of a Map, in insertion order, in amortised constant time.
 *
 * Why: `map.keys().next()` starts a fresh iterator at the front of the engine's table each time, and that
 * iterator steps over every entry deleted since the table was last rebuilt; a bounded table that evicts its oldest
 * entry on every insertion pays for all earlier evictions again each time (quadratic: 200 000 evictions from a
 * 200 000-entry Map took 10 s instead of 0.45 s, docs/performance.md). One iterator kept across calls goes on from
 * where it stopped, and JavaScript Map iterators stay valid when entries are added or deleted (ECMA-262 §24.1.5.1:
 * deleted entries are skipped, entries added later are visited).
 *
 * Correct because every entry the iterator returns is deleted at once (here): everything before its position is
 * gone, so the next live entry is the oldest. Entries deleted elsewhere, or deleted and set again (moved to the
 * end), are skipped as the iterator passes them.
 */
export class MapQueue<K, V> {
  private it: Iterator<[K, V]> | null = null;

  constructor(private readonly map: Map<K, V>) {}

  /** Deletes the oldest entry of the map and returns it; undefined when the map is empty. */
  shift(): [K, V] | undefined {
    if (this.map.size === 0) return undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      this.it ??= this.map.entries();
      const r = this.it.next();
      if (!r.done) {
        this.map.delete(r.value[0]);
        return r.value;
      }
      // an exhausted iterator stays exhausted: start again at the front
      this.it = null;
    }
    return undefined;
  }
}
