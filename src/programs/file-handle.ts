/**
 * An NFS file handle (RFC 1813 nfs_fh3, MOUNT fhandle3; RFC 1094's fixed 32-byte fhandle) as decoded: the bytes,
 * their hex, and snoop's short hash. Ownership: `bytes` is a view into the record; FileHandle never copies it, so
 * learned-name tables key on `hex`, not on the view.
 */
import { hexLower } from '../format/hex';

export class FileHandle {
  private hexCache: string | null = null;

  constructor(readonly bytes: Uint8Array) {}

  /** Lowercase hex of the handle bytes (JSON, name tables). */
  get hex(): string {
    this.hexCache ??= hexLower(this.bytes);
    return this.hexCache;
  }

  /** snoop's `FH=XXXX`: the XOR of the big-endian 16-bit halfwords of the handle zero-padded to a multiple of 4
   *  bytes, as 4 uppercase hex digits (snoop-format.md §1.4). */
  get hash(): string {
    return snoopFhHash(this.bytes);
  }
}

export function snoopFhHash(b: Uint8Array): string {
  let h = 0;
  for (let i = 0; i < b.length; i += 2) h ^= (b[i] << 8) | (i + 1 < b.length ? b[i + 1] : 0);
  return h.toString(16).toUpperCase().padStart(4, '0');
}
