/**
 * Large-file mode: rows that keep little and read their messages again when shown.
 *
 * A settled row (answered, unanswered, or an orphan reply) of a capture file keeps "slim" copies of its events:
 * every field the list, the display filter and the ladder read (header, addresses, flags, status, the arguments
 * and results without views of the record: detachValue), but no record bytes and no frame. With it, where its
 * messages are in the file: the first frame of its first message (a FramePosition) and the last frame of its last
 * message. The detail and hex panes read that frame range again and decode it (redecode; row-details.ts).
 *
 * Why: a full event keeps its record (a 1 MiB READ reply's reassembly buffer) and its frame (a view that pins the
 * capture reader's chunk); 100 000 full rows of a metadata capture took ~450 MB of heap, a 1 GB bulk capture's
 * rows over 1 GB of buffers.
 */
import { detachValue, FileHandle, type FramePosition, type RpcEvent } from '../src/index';
import type { RowLocator, TxRow } from './store';

export type { RowLocator } from './store';

const EMPTY = new Uint8Array(0);
/** Values of more nodes than this (a READDIRPLUS listing) keep only their file handles in a slim event. */
const MAX_SLIM_NODES = 64;
const MAX_SLIM_HANDLES = 32;

/** Nodes of a decoded value, counting stops past `limit`. */
function nodes(v: unknown, limit: number, depth = 0): number {
  if (v === null || typeof v !== 'object' || depth > 64) return 1;
  if (v instanceof FileHandle || v instanceof Uint8Array) return 1;
  let n = 1;
  for (const x of Object.values(v as Record<string, unknown>)) {
    n += nodes(x, limit - n, depth + 1);
    if (n > limit) break;
  }
  return n;
}

function handles(v: unknown, out: FileHandle[], depth = 0): FileHandle[] {
  if (out.length >= MAX_SLIM_HANDLES || v === null || typeof v !== 'object' || depth > 64) return out;
  if (v instanceof FileHandle) out.push(new FileHandle(Uint8Array.prototype.slice.call(v.bytes)));
  else if (!(v instanceof Uint8Array)) for (const x of Object.values(v as Record<string, unknown>)) handles(x, out, depth + 1);
  return out;
}

/**
 * What a slim event keeps of arguments or results: all of a small value (detached), of a large one (a directory
 * listing) only its first 32 file handles — what the display filter's `fh` and `path` look at; the list's cells and
 * the ladder's labels come from small values. The detail pane reads the full value again.
 */
function slimValue(v: unknown): unknown {
  if (v === undefined) return undefined;
  return nodes(v, MAX_SLIM_NODES) > MAX_SLIM_NODES ? { handles: handles(v, []) } : detachValue(v);
}

/** The header without the raw bodies of its credential and verifier (their parsed fields stay: machine, uid...). */
function slimMsg(msg: RpcEvent['msg']): RpcEvent['msg'] {
  const noBody = <T extends { body: Uint8Array }>(a: T): T => detachValue({ ...a, body: EMPTY }) as T;
  if (msg.type === 'call') return { ...msg, cred: noBody(msg.cred), verf: noBody(msg.verf) };
  return msg.verf ? { ...msg, verf: noBody(msg.verf) } : { ...msg };
}

/** A copy of an event without bytes: its record's scalars, a detached header, arguments and results. */
export function slimEvent(ev: RpcEvent): RpcEvent {
  const rec = ev.record;
  return {
    ...ev,
    record: { ...rec, bytes: EMPTY, frames: rec.frames.length > 0 ? [rec.frames[0]] : [], fragmentLengths: undefined },
    msg: slimMsg(ev.msg),
    args: slimValue(ev.args),
    result: slimValue(ev.result),
    frame: null,
  };
}

/** True when the event is a slim copy (its bytes are not at hand). */
export function isSlim(ev: RpcEvent): boolean {
  return ev.record.bytes === EMPTY;
}

/**
 * Frame positions by frame number, for the rows to find the first frame of their messages: 8 bytes a frame (a
 * 1 GB capture of 800 000 frames: 6.4 MB), plus one state per pcapng section.
 */
export class FramePositions {
  private offsets = new Float64Array(1 << 16);
  /** [first frame number, state] of each run of frames sharing a reader state, in order. */
  private readonly states: Array<[number, unknown]> = [];
  private count = 0;

  note(frameNo: number, pos: FramePosition | undefined): void {
    if (!pos || frameNo !== this.count + 1) return;
    if (frameNo >= this.offsets.length) {
      const grown = new Float64Array(this.offsets.length * 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    this.offsets[frameNo] = pos.offset;
    const last = this.states[this.states.length - 1];
    if (!last || last[1] !== pos.state) this.states.push([frameNo, pos.state]);
    this.count = frameNo;
  }

  get(frameNo: number): FramePosition | null {
    if (frameNo < 1 || frameNo > this.count) return null;
    let lo = 0;
    let hi = this.states.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.states[mid][0] <= frameNo) lo = mid;
      else hi = mid - 1;
    }
    return { offset: this.offsets[frameNo], state: this.states[lo][1] };
  }
}

/** Where a row's messages are, or null when a frame of it has no position (gzip, stdin, live). */
export function locateRow(row: TxRow, positions: FramePositions): RowLocator | null {
  const msgs = [...row.calls, ...row.replies];
  if (msgs.length === 0) return null;
  let fromFrame = Infinity;
  let toFrame = 0;
  for (const ev of msgs) {
    fromFrame = Math.min(fromFrame, ev.record.frames[0] ?? ev.record.frameNo, ev.record.frameNo);
    toFrame = Math.max(toFrame, ev.record.frameNo);
  }
  const from = positions.get(fromFrame);
  return from ? { from, fromFrame, toFrame } : null;
}

/**
 * Makes a settled row compact, in place: its events become slim copies (the store's other readers — the
 * analyzers — keep their own references to the full events) and it learns where its messages are. Returns false
 * when a frame of the row has no position (it then stays as it is). A row made compact again (a late
 * retransmission or duplicate reply) widens its frame range.
 */
export function compactRow(row: TxRow, positions: FramePositions): boolean {
  const loc = locateRow(row, positions);
  if (!loc) return false;
  const known = row.locator;
  if (known && known.fromFrame < loc.fromFrame) {
    loc.fromFrame = known.fromFrame;
    loc.from = known.from;
  }
  if (known) loc.toFrame = Math.max(loc.toFrame, known.toFrame);
  row.locator = loc;
  for (let i = 0; i < row.calls.length; i++) if (!isSlim(row.calls[i])) row.calls[i] = slimEvent(row.calls[i]);
  for (let i = 0; i < row.replies.length; i++) if (!isSlim(row.replies[i])) row.replies[i] = slimEvent(row.replies[i]);
  return true;
}
