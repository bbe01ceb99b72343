/**
 * redecode: decode a stretch of a capture file again, from a recorded frame position (RawFrame.position), for the
 * TUI's large-file mode. The TUI keeps compact rows of a big capture and, when a row is selected, decodes that
 * transaction again to show its arguments, results and bytes.
 *
 * A fresh Pipeline sees only the frames fromFrame..toFrame, so what depends on earlier traffic is not known again:
 * ports and file names learned from PORTMAP/MOUNT/NFS replies before the range, a call's earlier transmissions
 * (retransmit flags), and, for a message whose call or reply lies outside the range, the pairing. A reply's
 * results need its call's arguments, so for a reply the range starts at its call's first frame. TCP streams are
 * joined mid-way: the record layer resynchronises (record-resync.ts), and the stream of the first frame, where the
 * wanted record starts (at its record mark, or after the tail of an earlier record), takes the first plausible
 * record mark there at once (PipelineOptions.recordStartFrame), so the call is out before its reply arrives.
 * Not handled: a record whose segments were reordered so that a later part arrived before its first byte (a
 * stream joined mid-way starts at the first segment seen; earlier bytes arriving after it are dropped).
 *
 * Memory is bounded by maxFrames and maxBytes (frame bytes read); a bound reached stops the reading early and the
 * result says so (complete: false), with the events decoded from what was read.
 */
import { openCaptureAt } from './capture/open-capture-at';
import { CaptureError, type FramePosition, type RawFrame } from './capture/raw-frame';
import { DEFAULT_PIPELINE, defaultRegistry, Pipeline, type PipelineOptions } from './pipeline';
import { isRpcEvent, type RpcEvent } from './rpc/rpc-event';

export interface RedecodeRequest {
  /** The capture file the position was recorded in. */
  path: string;
  /** Position of frame `fromFrame` (its RawFrame.position). */
  from: FramePosition;
  fromFrame: number;
  /** Last frame to decode (inclusive). */
  toFrame: number;
  pipeline?: Partial<PipelineOptions>;
  /** Frames read at most (default 50,000). */
  maxFrames?: number;
  /** Frame bytes (captured lengths) read at most (default 64 MiB). */
  maxBytes?: number;
}

export interface RedecodeResult {
  /** The RPC messages decoded, in output order. */
  events: RpcEvent[];
  /** false when a bound stopped the reading before toFrame, or the file ended before it. */
  complete: boolean;
}

export const DEFAULT_REDECODE_MAX_FRAMES = 50_000;
export const DEFAULT_REDECODE_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Reads frames fromFrame..toFrame of `path` starting at `from`, feeds them to a fresh Pipeline (default registry),
 * finishes it and returns the RPC messages it produced. Rejects with CaptureError when the file cannot be read
 * there (gone, position past its end or not at a frame, damage); a bound reached is not an error.
 */
export async function redecode(req: RedecodeRequest): Promise<RedecodeResult> {
  const maxFrames = req.maxFrames ?? DEFAULT_REDECODE_MAX_FRAMES;
  const maxBytes = req.maxBytes ?? DEFAULT_REDECODE_MAX_BYTES;
  if (!Number.isSafeInteger(req.toFrame) || req.toFrame < req.fromFrame) {
    throw new CaptureError('unsupported', `${req.path}: bad frame range ${req.fromFrame}..${req.toFrame}`);
  }
  if (!(maxFrames >= 0) || !(maxBytes >= 0)) {
    throw new CaptureError('unsupported', `${req.path}: bad bounds (maxFrames ${maxFrames}, maxBytes ${maxBytes})`);
  }
  const events: RpcEvent[] = [];
  const pipeline = new Pipeline(
    // The range starts where the wanted record starts: its TCP stream need not wait for a confirmed boundary.
    { ...DEFAULT_PIPELINE, ...req.pipeline, recordStartFrame: req.fromFrame },
    (ev) => {
      if (isRpcEvent(ev)) events.push(ev);
    },
    defaultRegistry(),
  );
  let frames = 0;
  let bytes = 0;
  let reachedEnd = false;
  let last: RawFrame | null = null;
  // Leaving the loop (break or error) ends the reader's iteration, which closes the file.
  for await (const frame of openCaptureAt(req.path, req.from, req.fromFrame).frames()) {
    if (frames >= maxFrames || bytes + frame.capLen > maxBytes) break;
    frames++;
    bytes += frame.capLen;
    pipeline.pushFrame(frame);
    last = frame;
    if (frame.frameNo >= req.toFrame) {
      reachedEnd = true;
      break;
    }
  }
  pipeline.finish();
  // A record the record layer could only settle at the end (a TCP stream joined mid-way whose record boundary was
  // not confirmed yet) leaves finish() without its frame; the range's last frame is still here to give it.
  if (last) {
    for (const ev of events) {
      if (ev.frame === null && !ev.record.truncated && ev.record.frameNo === last.frameNo) ev.frame = last;
    }
  }
  return { events, complete: reachedEnd };
}
