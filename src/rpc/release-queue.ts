/**
 * Holds decoded messages back until their call is resolved, so that a call can be printed with its reply frame,
 * its RTT or the `unanswered` flag, while output stays in the order the messages completed. Bounded by message
 * count and captured bytes; past either bound the oldest message is released as it stands. With `hold` off
 * (live capture) every message is released at once.
 */
import { isRpcEvent, type PipelineEvent } from './rpc-event';

function size(ev: PipelineEvent): number {
  return isRpcEvent(ev) ? ev.record.bytes.length : ev.frame.capLen;
}

export interface ReleaseOptions {
  hold: boolean;
  maxMessages: number;
  maxBytes: number;
}

/** 20 000 held messages cost about 30 MB (an event with its record, header, decoded arguments and frame views is
 *  about 1.5 KB besides the captured bytes, which maxBytes bounds); docs/performance.md "Memory". */
export const DEFAULT_RELEASE: ReleaseOptions = { hold: true, maxMessages: 20_000, maxBytes: 32 << 20 };

export class ReleaseQueue {
  private queue: PipelineEvent[] = [];
  private head = 0;
  private bytes = 0;
  /** Calls released while still waiting for their reply because a bound was reached (they print without it). */
  forcedOut = 0;

  constructor(
    private readonly opts: ReleaseOptions,
    private readonly emit: (ev: PipelineEvent) => void,
  ) {}

  push(ev: PipelineEvent): void {
    this.queue.push(ev);
    this.bytes += size(ev);
    this.drain();
  }

  /** Releases every message that may go now; call after any transaction changed state. */
  drain(): void {
    const q = this.queue;
    while (this.head < q.length) {
      const ev = q[this.head];
      const waiting =
        this.opts.hold &&
        isRpcEvent(ev) &&
        ev.msg.type === 'call' &&
        ev.tx !== null &&
        ev.tx.state === 'pending' &&
        q.length - this.head <= this.opts.maxMessages &&
        this.bytes <= this.opts.maxBytes;
      if (waiting) break;
      if (this.opts.hold && isRpcEvent(ev) && ev.msg.type === 'call' && ev.tx !== null && ev.tx.state === 'pending') this.forcedOut++;
      this.release();
    }
    this.compact();
  }

  /** End of input: release everything. */
  finish(): void {
    while (this.head < this.queue.length) this.release();
    this.compact();
  }

  private release(): void {
    const ev = this.queue[this.head];
    this.queue[this.head] = undefined as unknown as PipelineEvent; // drop the reference for the GC
    this.head++;
    this.bytes -= size(ev);
    this.emit(ev);
  }

  private compact(): void {
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
