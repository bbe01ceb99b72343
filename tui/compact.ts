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
/** Arguments of more nodes than this (rare: a long symlink target, a big sattr) keep only their file handles. */
const MAX_SLIM_NODES = 64;
const MAX_SLIM_HANDLES = 32;
/** Interned handles and credentials kept (the tables are emptied when full: a bound, not a cache policy). */
const MAX_INTERNED = 50_000;

function handles(v: unknown, out: FileHandle[], depth = 0): FileHandle[] {
  if (out.length >= MAX_SLIM_HANDLES || v === null || typeof v !== 'object' || depth > 64) return out;
  if (v instanceof FileHandle) out.push(v);
  else if (!(v instanceof Uint8Array)) for (const x of Object.values(v as Record<string, unknown>)) handles(x, out, depth + 1);
  return out;
}

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

/**
 * Makes settled rows compact and keeps what they share small: file handles and credentials repeat in almost every
 * message of a conversation, so slim events point at one interned copy of each.
 */
export class Compactor {
  readonly positions = new FramePositions();
  private readonly fhs = new Map<string, FileHandle>();
  private readonly creds = new Map<string, unknown>();

  /** The interned copy of a handle (an arrow: detachValue calls it for every handle). */
  private readonly handle = (h: FileHandle): FileHandle => {
    let k = this.fhs.get(h.hex);
    if (!k) {
      if (this.fhs.size >= MAX_INTERNED) this.fhs.clear();
      k = detachValue(h) as FileHandle;
      this.fhs.set(h.hex, k);
    }
    return k;
  };

  /** Arguments: all of them (detached) unless unusually large, then their handles (the filter's `fh`, `path`). */
  private args(v: unknown): unknown {
    if (v === undefined) return undefined;
    return nodes(v, MAX_SLIM_NODES) > MAX_SLIM_NODES ? { handles: handles(v, []).map(this.handle) } : detachValue(v, this.handle);
  }

  /**
   * Results: what the list, the ladder and the filter read of them — the top level's numbers and strings (a port,
   * an address), the handles at the top two levels (MNT's root handle, LOOKUP's object) and the first 32 handles
   * anywhere (the filter's `fh`); not the attributes and listings, which the detail pane reads again.
   */
  private result(v: unknown): unknown {
    if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return v === undefined ? undefined : detachValue(v);
    if (v instanceof FileHandle) return this.handle(v);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x instanceof FileHandle) out[k] = this.handle(x);
      else if (typeof x !== 'object' || x === null) out[k] = x;
      else if (!Array.isArray(x) && !(x instanceof Uint8Array)) {
        const inner: Record<string, unknown> = {};
        for (const [k2, y] of Object.entries(x as Record<string, unknown>)) if (y instanceof FileHandle) inner[k2] = this.handle(y);
        if (Object.keys(inner).length > 0) out[k] = inner;
      }
    }
    const all = handles(v, []).map(this.handle);
    if (all.length > 0) out.handles = all;
    return out;
  }

  /** A credential or verifier without its raw body (its parsed fields stay: machine, uid, gids), interned. */
  private auth<T extends { body: Uint8Array }>(a: T): T {
    const slim = detachValue({ ...a, body: EMPTY }) as T;
    const key = JSON.stringify(slim, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? x.length : x));
    const known = this.creds.get(key);
    if (known) return known as T;
    if (this.creds.size >= MAX_INTERNED) this.creds.clear();
    this.creds.set(key, slim);
    return slim;
  }

  private msg(msg: RpcEvent['msg']): RpcEvent['msg'] {
    if (msg.type === 'call') return { ...msg, cred: this.auth(msg.cred), verf: this.auth(msg.verf) };
    return msg.verf ? { ...msg, verf: this.auth(msg.verf) } : { ...msg };
  }

  /** A copy of an event without bytes: its record's scalars, a slim header, arguments and results. */
  slim(ev: RpcEvent): RpcEvent {
    const rec = ev.record;
    // every field spelled out, in one shape for all slim events: a spread copy of an event measured ~700 bytes
    return {
      seq: ev.seq,
      record: {
        transport: rec.transport,
        ipVersion: rec.ipVersion,
        src: rec.src,
        sport: rec.sport,
        dst: rec.dst,
        dport: rec.dport,
        connId: rec.connId,
        bytes: EMPTY,
        length: rec.length,
        frameNo: rec.frameNo,
        ts: rec.ts,
        frames: rec.frames.length > 0 ? [rec.frames[0]] : [],
        fragments: rec.fragments,
        truncated: rec.truncated,
        anomalies: rec.anomalies,
      },
      msg: this.msg(ev.msg),
      prog: ev.prog,
      vers: ev.vers,
      proc: ev.proc,
      programName: ev.programName,
      procedureName: ev.procedureName,
      tx: ev.tx,
      flags: ev.flags,
      retransmitOf: ev.retransmitOf,
      anomalies: ev.anomalies,
      args: this.args(ev.args),
      result: ev.result === undefined ? undefined : this.result(ev.result),
      status: ev.status,
      decodeError: ev.decodeError,
      frame: null,
    };
  }

  /**
   * Makes a settled row compact, in place: its events become slim copies (the store's other readers — the
   * analyzers — keep their own references to the full events) and it learns where its messages are. Returns false
   * when a frame of the row has no position (it then stays as it is). A row made compact again (a late
   * retransmission or duplicate reply) widens its frame range.
   */
  compact(row: TxRow): boolean {
    const loc = locateRow(row, this.positions);
    if (!loc) return false;
    const known = row.locator;
    if (known && known.fromFrame < loc.fromFrame) {
      loc.fromFrame = known.fromFrame;
      loc.from = known.from;
    }
    if (known) loc.toFrame = Math.max(loc.toFrame, known.toFrame);
    row.locator = loc;
    for (let i = 0; i < row.calls.length; i++) if (!isSlim(row.calls[i])) row.calls[i] = this.slim(row.calls[i]);
    for (let i = 0; i < row.replies.length; i++) if (!isSlim(row.replies[i])) row.replies[i] = this.slim(row.replies[i]);
    return true;
  }
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
