/**
 * snoop's summary-line prefix (snoop-format.md §1.1): frame number in 3 columns, time, then source
 * right-justified and destination left-justified in 12 columns. Addresses are numeric (no DNS lookups).
 */
import type { Timestamp } from '../capture/raw-frame';

export type TimeMode = 'delta' | 'relative' | 'absolute';

/** Time column state (the previous displayed message, the first one): one per output stream, not global. */
export class TimeColumn {
  private first: Timestamp | null = null;
  private prev: Timestamp | null = null;

  constructor(private readonly mode: TimeMode) {}

  format(ts: Timestamp): string {
    this.first ??= ts;
    const base = this.mode === 'delta' ? (this.prev ?? ts) : this.first;
    this.prev = ts;
    if (this.mode === 'absolute') {
      const d = new Date(ts.sec * 1000);
      const hh = String(d.getHours()).padStart(2, '0');
      const mm = String(d.getMinutes()).padStart(2, '0');
      const ss = String(d.getSeconds()).padStart(2, '0');
      return `${hh}:${mm}:${ss}.${String(Math.floor(ts.nsec / 10000)).padStart(5, '0')}`;
    }
    // seconds and 10 µs units, as snoop prints them, computed in integers to avoid float drift
    let sec = ts.sec - base.sec;
    let nsec = ts.nsec - base.nsec;
    if (nsec < 0) {
      sec -= 1;
      nsec += 1e9;
    }
    return `${String(sec).padStart(3)}.${String(Math.floor(nsec / 10000)).padStart(5, '0')}`;
  }
}

export function summaryPrefix(frameNo: number, time: string, src: string, dst: string): string {
  return `${String(frameNo).padStart(3)} ${time} ${src.padStart(12)} -> ${dst.padEnd(12)} `;
}

/**
 * summaryPrefix for a stream of lines: the same text, with each address column's padded text remembered (a bounded
 * memo: a busy capture interleaves many conversations, so remembering the last two addresses missed on most lines),
 * so most lines pad nothing. One per output stream (it holds state).
 */
export class SummaryPrefixer {
  private readonly src = new PaddedColumn(true);
  private readonly dst = new PaddedColumn(false);

  prefix(frameNo: number, time: string, src: string, dst: string): string {
    return `${String(frameNo).padStart(3)} ${time} ${this.src.text(src)} -> ${this.dst.text(dst)} `;
  }
}

/** Addresses whose padded text a column remembers; the memo starts afresh when it is full. */
const MEMO_SIZE = 4096;

/** One 12-column address column with a memo of padded texts. */
class PaddedColumn {
  private readonly memo = new Map<string, string>();

  constructor(private readonly right: boolean) {}

  text(addr: string): string {
    let t = this.memo.get(addr);
    if (t === undefined) {
      t = this.right ? addr.padStart(12) : addr.padEnd(12);
      if (this.memo.size >= MEMO_SIZE) this.memo.clear();
      this.memo.set(addr, t);
    }
    return t;
  }
}
