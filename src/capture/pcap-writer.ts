/**
 * Writes frames as a classic pcap file with the nanosecond magic (0xa1b23c4d, little-endian, version 2.4), which
 * tcpdump, tshark and rpcsnoop read. Records are written whole, synchronously, from one buffer each, so a process
 * stopped at any point leaves a file that is valid up to its last complete frame. The file is opened by the
 * constructor (before privileges are dropped) and owned by the writer until close().
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { RawFrame } from './raw-frame';

export class PcapWriter {
  private fd: number | null;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  frames = 0;
  bytes = 0;

  constructor(
    readonly path: string,
    linkType: number,
    snaplen: number,
    /** Flush after this many buffered bytes; 0 writes every frame at once (live capture). */
    private readonly batchBytes = 0,
  ) {
    this.fd = openSync(path, 'w', 0o644);
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b23c4d, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeInt32LE(0, 8); // thiszone
    h.writeUInt32LE(0, 12); // sigfigs
    h.writeUInt32LE(snaplen, 16);
    h.writeUInt32LE(linkType, 20);
    writeSync(this.fd, h);
    this.bytes = 24;
  }

  write(f: RawFrame): void {
    if (this.fd === null) return;
    const rec = Buffer.allocUnsafe(16 + f.bytes.length);
    rec.writeUInt32LE(f.ts.sec >>> 0, 0);
    rec.writeUInt32LE(f.ts.nsec, 4);
    rec.writeUInt32LE(f.bytes.length, 8);
    rec.writeUInt32LE(Math.max(f.origLen, f.bytes.length), 12);
    rec.set(f.bytes, 16);
    this.frames++;
    this.bytes += rec.length;
    this.pending.push(rec);
    this.pendingBytes += rec.length;
    if (this.pendingBytes >= this.batchBytes) this.flush();
  }

  flush(): void {
    if (this.fd === null || this.pending.length === 0) return;
    writeSync(this.fd, this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending));
    this.pending = [];
    this.pendingBytes = 0;
  }

  close(): void {
    if (this.fd === null) return;
    this.flush();
    closeSync(this.fd);
    this.fd = null;
  }
}
