/**
 * Drives frames from a source (a file being read, or a live capture) through the pipeline into the store, in slices
 * of a few milliseconds with the event loop in between: keys, resizes and redraws are served while a large file is
 * still being decoded, and the first screen appears after the first slice instead of after the whole file.
 */
import { CaptureError, type Pipeline, type RawFrame } from '../src/index';

export interface FrameSource {
  readonly name: string;
  frames(): AsyncIterable<RawFrame>;
}

/** How long one slice of decoding may run before the event loop gets a turn. */
export const SLICE_MS = 8;

export interface FeedResult {
  /** The input's one-line error (damaged or truncated file), or null when it was read to its end. */
  error: string | null;
  /** The reader stopped early because stop() was asked for. */
  stopped: boolean;
}

export class Feeder {
  private stopping = false;
  frames = 0;

  constructor(
    private readonly source: FrameSource,
    private readonly pipeline: Pipeline,
    /** Called after each slice (the app syncs its view and schedules a redraw). */
    private readonly onSlice: () => void,
    /** Sees each frame before the pipeline does (large-file mode notes its position). */
    private readonly onFrame: ((frame: RawFrame) => void) | null = null,
  ) {}

  stop(): void {
    this.stopping = true;
  }

  async run(): Promise<FeedResult> {
    let error: string | null = null;
    let sliceStart = performance.now();
    try {
      for await (const frame of this.source.frames()) {
        this.onFrame?.(frame);
        this.pipeline.pushFrame(frame);
        this.frames++;
        if (this.stopping) break;
        if (performance.now() - sliceStart > SLICE_MS) {
          this.onSlice();
          await new Promise<void>((resolve) => setImmediate(resolve));
          sliceStart = performance.now();
          if (this.stopping) break;
        }
      }
    } catch (e) {
      if (!(e instanceof CaptureError)) throw e;
      error = e.message;
    }
    // the end of the input resolves what is still pending (unanswered calls, partial records)
    this.pipeline.finish();
    this.onSlice();
    return { error, stopped: this.stopping };
  }
}
