/**
 * Timestamps for live frames. `cap` delivers packets without libpcap's timestamps, so each frame is stamped when
 * its 'packet' event runs: a monotonic clock (process.hrtime, immune to wall-clock steps) anchored once to the wall
 * clock at start. Precision: nanosecond resolution, but the stamp is the delivery time in node, typically tens of
 * microseconds after the kernel saw the packet, more when the event loop is busy; intervals between frames (RTTs)
 * are as good as the delivery jitter. The same stamps go to `-w` files.
 */
import type { Timestamp } from './raw-frame';

export class LiveClock {
  private readonly wallNs: bigint;
  private readonly monoNs: bigint;

  constructor(
    now: () => number = Date.now,
    private readonly hr: () => bigint = process.hrtime.bigint,
  ) {
    this.monoNs = hr();
    this.wallNs = BigInt(now()) * 1_000_000n;
  }

  stamp(): Timestamp {
    const ns = this.wallNs + (this.hr() - this.monoNs);
    return { sec: Number(ns / 1_000_000_000n), nsec: Number(ns % 1_000_000_000n) };
  }
}
