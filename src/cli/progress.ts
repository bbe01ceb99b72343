/**
 * A progress line on stderr while a large capture is read (only when stderr is a terminal): bytes, frames and
 * RPC messages, refreshed at most twice a second, erased at the end.
 */
import type { PacketSource } from '../capture/raw-frame';
import type { Pipeline } from '../pipeline';

export class Progress {
  private last = Date.now();
  private shown = false;
  private ticks = 0;

  constructor(
    private readonly err: NodeJS.WriteStream,
    private readonly source: PacketSource,
    private readonly pipeline: Pipeline,
  ) {}

  tick(): void {
    if (++this.ticks % 256 !== 0) return;
    const now = Date.now();
    if (now - this.last < 500) return;
    this.last = now;
    this.shown = true;
    const c = this.pipeline.counters;
    const mb = (this.source.bytesRead() / 1e6).toFixed(1);
    this.err.write(`\r\x1b[K${mb} MB, ${c.frames} frames, ${c.messages} RPC messages`);
  }

  done(): void {
    if (this.shown) this.err.write('\r\x1b[K');
  }
}
