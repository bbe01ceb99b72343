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
