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
 * summaryPrefix for a stream of lines: the same text, with each address column's padded text remembered for the
 * last two addresses seen in it (a call and its reply swap one pair of addresses), so most lines pad nothing.
 * One per output stream (it holds state).
 */
export class SummaryPrefixer {
  private readonly src = new PaddedColumn(true);
  private readonly dst = new PaddedColumn(false);

  prefix(frameNo: number, time: string, src: string, dst: string): string {
    return `${String(frameNo).padStart(3)} ${time} ${this.src.text(src)} -> ${this.dst.text(dst)} `;
  }
}

/** One 12-column address column with a two-entry memo. */
class PaddedColumn {
  private keyA: string | null = null;
  private textA = '';
  private keyB: string | null = null;
  private textB = '';

  constructor(private readonly right: boolean) {}

  text(addr: string): string {
    if (addr === this.keyA) return this.textA;
    if (addr === this.keyB) return this.textB;
    const t = this.right ? addr.padStart(12) : addr.padEnd(12);
    this.keyB = this.keyA;
    this.textB = this.textA;
    this.keyA = addr;
    this.textA = t;
    return t;
  }
}
