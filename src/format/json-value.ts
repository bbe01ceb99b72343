/**
 * Decoded values as JSON: 64-bit integers (bigint) become numbers when exact and decimal strings otherwise,
 * opaque bytes become lowercase hex — bulk data (READ/WRITE payloads, CALLIT arguments) over 64 bytes becomes
 * {length, head} with the first 32 bytes, since a 1 MiB WRITE would otherwise put 2 MB of hex on one line —
 * file handles become {fh, fhHash, path?}. Everything else is copied as is.
 */
import { FileHandle } from '../programs/file-handle';
import { hexLower } from './hex';

const MAX_INLINE_BYTES = 64;
const HEAD_BYTES = 32;
/** The exact range of a double, as bigints made once (not two BigInt constructions per value). */
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export function toJsonValue(v: unknown, path: (h: FileHandle) => string | null, depth = 0): unknown {
  if (depth > 64) return null; // decoders never nest this deep; a guard, not a feature
  if (typeof v === 'bigint') return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v.toString();
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof FileHandle) {
    const o: Record<string, unknown> = { fh: v.hex, fhHash: v.hash };
    const p = path(v);
    if (p !== null) o.path = p;
    return o;
  }
  if (v instanceof Uint8Array) {
    if (v.length <= MAX_INLINE_BYTES) return hexLower(v);
    return { length: v.length, head: hexLower(v.subarray(0, HEAD_BYTES)) };
  }
  if (Array.isArray(v)) return v.map((x) => toJsonValue(x, path, depth + 1));
  const out: Record<string, unknown> = {};
  // Object.keys: the order of Object.entries, without a [key, value] array per property
  const rec = v as Record<string, unknown>;
  for (const k of Object.keys(rec)) {
    const x = rec[k];
    if (x !== undefined) out[k] = toJsonValue(x, path, depth + 1);
  }
  return out;
}
