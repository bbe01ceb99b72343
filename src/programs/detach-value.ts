/**
 * A decoded value without views of its record: what a transaction keeps of its call's arguments once the reply has
 * been decoded (for late and duplicate replies, and XID reuse checks, for as long as pairing remembers it).
 *
 * Why: XDR readers return opaque data and file handles as views of the record (no copy while decoding), and a view
 * keeps its whole buffer alive — a 1 MiB WRITE's reassembled record stays in memory as long as any handle of its
 * arguments does, and pairing remembers up to --max-transactions answered calls. Here every view is copied to an
 * array of its own, and bulk data (over 64 bytes) is kept as {length, head} with its first 32 bytes: exactly what
 * the JSON output shows of it (format/json-value.ts), so output made from the detached value does not change.
 */
import { FileHandle } from './file-handle';

const MAX_INLINE_BYTES = 64;
const HEAD_BYTES = 32;
const MAX_DEPTH = 64;

/** A copy in an array of its own: `Buffer#slice` (records read from files are Buffers) would be another view. */
function copy(v: Uint8Array): Uint8Array {
  return Uint8Array.prototype.slice.call(v);
}

function copyHandle(h: FileHandle): FileHandle {
  return new FileHandle(copy(h.bytes));
}

/** `handle` makes the copy of each file handle (a caller that interns handles passes its own). */
export function detachValue(v: unknown, handle: (h: FileHandle) => FileHandle = copyHandle, depth = 0): unknown {
  if (v === null || typeof v !== 'object' || depth > MAX_DEPTH) return v;
  if (v instanceof FileHandle) return handle(v);
  if (v instanceof Uint8Array) return v.length <= MAX_INLINE_BYTES ? copy(v) : { length: v.length, head: copy(v.subarray(0, HEAD_BYTES)) };
  if (Array.isArray(v)) return v.map((x) => detachValue(x, handle, depth + 1));
  // decoded XDR values are plain objects (some made with a null prototype); anything else is kept as it is
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const out: Record<string, unknown> = {};
  const rec = v as Record<string, unknown>;
  // Object.keys: the order of Object.entries, without a [key, value] array per property
  for (const k of Object.keys(rec)) out[k] = detachValue(rec[k], handle, depth + 1);
  return out;
}
