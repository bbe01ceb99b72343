/**
 * Buffered line output to a stream: lines are collected into ~64 KiB writes (one write per line is the slow
 * part of printing millions of lines), `flush()` honours back-pressure, and a closed pipe (`rpcsnoop | head`)
 * ends output quietly instead of raising EPIPE.
 */
import type { Writable } from 'node:stream';

/** A line that starts a new chunk this long after the last write is written at once: the first line of a run
 *  appears without waiting for 64 KiB of company (issue 7: first output within 100 ms). Lines after it are batched
 *  again (live mode flushes whenever the capture is caught up, file mode at the end). */
const QUIET_MS = 50;

/** A monotonic clock in milliseconds. Not the `performance` global: its first use loads node's perf_hooks modules
 *  (about 1 ms before the first line, docs/performance.md "Time to the first line"). */
function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export class LineWriter {
  private buf: string[] = [];
  private size = 0;
  /** When the buffer was last written (nowMs()); read once per buffered chunk, not per line. */
  private lastPush = -Infinity;
  private closed = false;
  private waitingDrain: Promise<void> | null = null;

  constructor(
    private readonly out: Writable,
    private readonly limit = 64 * 1024,
  ) {
    out.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') this.closed = true;
      else throw e;
    });
  }

  /** True once the reader went away; callers may stop producing. */
  get isClosed(): boolean {
    return this.closed;
  }

  line(s: string): void {
    if (this.closed) return;
    this.buf.push(s);
    this.size += s.length + 1;
    if (this.size >= this.limit || (this.buf.length === 1 && nowMs() - this.lastPush > QUIET_MS)) this.push();
  }

  /** Writes what is buffered; resolves when the stream can take more. */
  async flush(): Promise<void> {
    this.push();
    if (this.waitingDrain) await this.waitingDrain;
  }

  /** True when the stream asked us to wait: call flush() before producing more. */
  get needsDrain(): boolean {
    return this.waitingDrain !== null;
  }

  private push(): void {
    if (this.buf.length === 0 || this.closed) return;
    const chunk = this.buf.join('\n') + '\n';
    this.buf = [];
    this.size = 0;
    this.lastPush = nowMs();
    if (!this.out.write(chunk) && !this.waitingDrain) {
      this.waitingDrain = new Promise((resolve) => {
        const done = (): void => {
          this.waitingDrain = null;
          this.out.off('drain', done);
          this.out.off('close', done);
          resolve();
        };
        this.out.on('drain', done);
        this.out.on('close', done);
      });
    }
  }
}
