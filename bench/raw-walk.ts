/**
 * The practical limit of reading a capture: read the file in large chunks and step over its pcap records (classic
 * pcap, either byte order), nothing else. Prints the records and bytes. Used by compare.ts as the yardstick for
 * rpcsnoop's `--stats`.
 *
 *   node dist/bench/raw-walk.js FILE
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** Counts the records of the classic pcap file at `path`, reading `chunk` bytes at a time. */
export function rawWalk(path: string, chunk = 8 << 20): { records: number; bytes: number } {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(chunk);
    let have = readSync(fd, buf, 0, chunk, null);
    if (have < 24) throw new Error(`${path}: too short for a pcap file`);
    const magic = buf.readUInt32LE(0);
    const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
    if (!le && buf.readUInt32BE(0) !== 0xa1b2c3d4 && buf.readUInt32BE(0) !== 0xa1b23c4d) throw new Error(`${path}: not a classic pcap file`);
    let bytes = have;
    let records = 0;
    let at = 24; // offset in `buf` of the next record header
    for (;;) {
      // step over every record whose header lies in the buffer; a body may end beyond it
      while (at + 16 <= have) {
        const len = le ? buf.readUInt32LE(at + 8) : buf.readUInt32BE(at + 8);
        at += 16 + len;
        records++;
      }
      // keep the partial header (if any), skip the part of a body beyond the buffer, read on
      let keep = 0;
      let skip = 0;
      if (at < have) {
        keep = have - at;
        buf.copy(buf, 0, at, have);
      } else skip = at - have;
      const n = readSync(fd, buf, keep, chunk - keep, null);
      if (n === 0) break;
      bytes += n;
      have = keep + n;
      at = skip;
      while (at > have) {
        // a body longer than the buffer: keep reading past it
        const m = readSync(fd, buf, 0, chunk, null);
        if (m === 0) return { records, bytes };
        bytes += m;
        at -= have;
        have = m;
      }
    }
    return { records, bytes };
  } finally {
    closeSync(fd);
  }
}

if (require.main === module) {
  const path = process.argv[2];
  if (!path) {
    process.stderr.write('usage: raw-walk.js FILE\n');
    process.exit(2);
  }
  const r = rawWalk(path);
  process.stdout.write(`${r.records} records ${r.bytes} bytes\n`);
}
