/**
 * The full messages of a compact row (compact.ts), read again from the capture file on demand: the frames from
 * the row's first to its last are decoded by a fresh pipeline (redecode) and the row's messages picked out by frame,
 * XID and direction. Kept in a small cache (the selected row and the last few), fetched one at a time; the view
 * shows "reading…" meanwhile and is redrawn when they arrive.
 */
import { CaptureError, redecode, type RpcEvent } from '../src/index';
import { isSlim } from './compact';
import type { TxRow } from './store';

const CACHE_ROWS = 32;
const MAX_FAILURES = 1000;

export class RowDetails {
  /** Full rows by row id, most recently used last. */
  private readonly cache = new Map<number, { rev: number; row: TxRow }>();
  private inFlight: number | null = null;
  /** Why rows could not be read again, by row id (bounded: cleared when full). */
  private readonly failures = new Map<number, string>();

  constructor(
    private readonly path: string,
    /** Called when a fetch ended (the view redraws). */
    private readonly onReady: () => void,
  ) {}

  /** The row with its full messages, or null while they are being read (a fetch is started if none runs). */
  get(row: TxRow): TxRow | null {
    if (!row.locator) return row;
    const hit = this.cache.get(row.id);
    if (hit && hit.rev === row.rev) {
      this.cache.delete(row.id);
      this.cache.set(row.id, hit);
      return hit.row;
    }
    if (this.failures.has(row.id)) return row;
    if (this.inFlight === null) void this.fetch(row);
    return null;
  }

  /** Why a row's messages could not be read again, or null. */
  problem(row: TxRow): string | null {
    return this.failures.get(row.id) ?? null;
  }

  private fail(id: number, why: string): void {
    if (this.failures.size >= MAX_FAILURES) this.failures.clear();
    this.failures.set(id, why);
  }

  private async fetch(row: TxRow): Promise<void> {
    const loc = row.locator;
    if (!loc) return;
    this.inFlight = row.id;
    const rev = row.rev;
    try {
      const r = await redecode({ path: this.path, from: loc.from, fromFrame: loc.fromFrame, toFrame: loc.toFrame });
      const pick = (ev: RpcEvent): RpcEvent => r.events.find((e) => e.record.frameNo === ev.record.frameNo && e.msg.xid === ev.msg.xid && e.msg.type === ev.msg.type) ?? ev;
      const full: TxRow = { ...row, calls: row.calls.map(pick), replies: row.replies.map(pick) };
      const missing = [...full.calls, ...full.replies].filter(isSlim).length;
      if (missing > 0) this.fail(row.id, `${missing} message(s) of this row were not found again in frames ${loc.fromFrame}-${loc.toFrame}${r.complete ? '' : ' (range too large to read again)'}`);
      this.cache.set(row.id, { rev, row: full });
      while (this.cache.size > CACHE_ROWS) this.cache.delete(this.cache.keys().next().value as number);
    } catch (e) {
      if (!(e instanceof CaptureError)) throw e;
      this.fail(row.id, `reading the file again failed: ${e.message}`);
    } finally {
      this.inFlight = null;
      this.onReady();
    }
  }
}
