/**
 * PcapWriter (`-w` of live capture): what it writes is read back by openCapture — the reader `rpcsnoop -r` uses —
 * frame for frame, with the exact nanoseconds; and a record is always on disk whole, so a file cut after N
 * records reads those N records, then a truncation error (never a garbled frame).
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openCapture } from '../src/capture/open-capture';
import { PcapWriter } from '../src/capture/pcap-writer';
import type { RawFrame } from '../src/capture/raw-frame';
import { pattern } from './helpers/bytes';
import { drain, frameSummary } from './helpers/capture-builders';
import { removeTempDir, tempDir } from './helpers/synthetic-capture';

after(removeTempDir);

let seq = 0;
function tempPath(name: string): string {
  return join(tempDir(), `${++seq}-${name}`);
}

/** Frames as live capture makes them: linkType 1, interface 0, numbered from 1. */
function frame(frameNo: number, sec: number, nsec: number, bytes: Uint8Array, origLen = bytes.length): RawFrame {
  return { frameNo, ts: { sec, nsec }, capLen: bytes.length, origLen, linkType: 1, bytes, interfaceId: 0 };
}

const FRAMES: RawFrame[] = [
  frame(1, 1795233644, 84491853, pattern(74, 1)),
  frame(2, 1795233644, 0, pattern(60, 2)), // nsec 0
  frame(3, 1795233644, 999_999_999, pattern(1514, 3)), // the last nanosecond of a second
  frame(4, 1795233645, 1, pattern(65535, 4), 65549), // cut by cap's 65535 snaplen: origLen kept
  frame(5, 1795233645, 123_456_789, new Uint8Array(0)), // an empty record
  frame(6, 0xffffffff, 999_999_999, pattern(42, 6)), // the largest time a classic pcap can hold
  frame(7, 1795233645, 500_000_000, pattern(16398, 7)),
];

const RECORD_LEN = (f: RawFrame): number => 16 + f.bytes.length;

function writeAll(path: string, frames: RawFrame[], batchBytes?: number): PcapWriter {
  const w = new PcapWriter(path, 1, 65535, batchBytes);
  for (const f of frames) w.write(f);
  w.close();
  return w;
}

async function readBack(path: string): ReturnType<typeof drain> {
  return drain((await openCapture(path)).frames());
}

describe('PcapWriter', () => {
  it('writes a nanosecond pcap (0xa1b23c4d, 2.4) with the link type and snaplen given', () => {
    const path = tempPath('header.pcap');
    new PcapWriter(path, 113, 1500).close();
    const b = readFileSync(path);
    assert.equal(b.length, 24);
    assert.equal(b.readUInt32LE(0), 0xa1b23c4d);
    assert.deepEqual([b.readUInt16LE(4), b.readUInt16LE(6)], [2, 4]);
    assert.equal(b.readUInt32LE(16), 1500);
    assert.equal(b.readUInt32LE(20), 113);
  });

  it('frames are read back by openCapture identically, with exact nanoseconds and original lengths', async () => {
    const path = tempPath('frames.pcap');
    const w = writeAll(path, FRAMES);
    assert.equal(w.frames, FRAMES.length);
    assert.equal(w.bytes, 24 + FRAMES.reduce((n, f) => n + RECORD_LEN(f), 0));
    assert.equal(statSync(path).size, w.bytes);
    const got = await readBack(path);
    assert.equal(got.error, undefined, got.error?.message);
    assert.deepEqual(got.frames.map(frameSummary), FRAMES.map(frameSummary));
  });

  it('a frame whose origLen is below its length gets origLen = length (a valid record)', async () => {
    const path = tempPath('origlen.pcap');
    writeAll(path, [{ ...frame(1, 1795233644, 5, pattern(100)), origLen: 10 }]);
    const got = await readBack(path);
    assert.equal(got.error, undefined);
    assert.equal(got.frames[0].origLen, 100);
  });

  it('with batchBytes 0 (live capture) every record is on disk whole as soon as write() returns', () => {
    const path = tempPath('unbatched.pcap');
    const w = new PcapWriter(path, 1, 65535);
    let size = 24;
    assert.equal(statSync(path).size, size);
    for (const f of FRAMES) {
      w.write(f);
      size += RECORD_LEN(f);
      assert.equal(statSync(path).size, size, `after frame ${f.frameNo}`);
    }
    w.close();
    assert.equal(statSync(path).size, size);
  });

  it('with batchBytes, records wait in memory until the batch is full, flush() or close(), and are written whole', async () => {
    const path = tempPath('batched.pcap');
    const w = new PcapWriter(path, 1, 65535, 1 << 20);
    w.write(FRAMES[0]);
    w.write(FRAMES[1]);
    assert.equal(statSync(path).size, 24, 'nothing written before the batch is full');
    w.flush();
    assert.equal(statSync(path).size, 24 + RECORD_LEN(FRAMES[0]) + RECORD_LEN(FRAMES[1]));
    w.flush(); // nothing pending: no-op
    for (const f of FRAMES.slice(2)) w.write(f);
    w.close();
    w.close(); // twice is harmless
    w.write(FRAMES[0]); // after close: ignored
    assert.equal(w.frames, FRAMES.length);
    const got = await readBack(path);
    assert.equal(got.error, undefined);
    assert.deepEqual(got.frames.map(frameSummary), FRAMES.map(frameSummary));
  });

  it('a file cut after N whole records reads N records and ends cleanly; cut inside record N+1, N records then a truncation error', async () => {
    const path = tempPath('whole.pcap');
    writeAll(path, FRAMES);
    const whole = readFileSync(path);
    let end = 24;
    for (let n = 0; n <= FRAMES.length; n++) {
      const cuts: [number, boolean][] = [[end, false]];
      if (n < FRAMES.length) {
        const next = RECORD_LEN(FRAMES[n]);
        cuts.push([end + 1, true], [end + 15, true]); // inside the record header
        if (next > 16) cuts.push([end + 16, true], [end + next - 1, true]); // header whole, data cut
      }
      for (const [at, cut] of cuts) {
        const p = tempPath(`cut-${n}-${at}.pcap`);
        writeFileSync(p, whole.subarray(0, at));
        const got = await readBack(p);
        assert.deepEqual(got.frames.map(frameSummary), FRAMES.slice(0, n).map(frameSummary), `cut at byte ${at}: the first ${n} frames`);
        if (cut) {
          assert.equal(got.error?.kind, 'truncated', `cut at byte ${at}: ${String(got.error?.message)}`);
          assert.match(got.error?.message ?? '', new RegExp(`frame ${n + 1}\\b`));
        } else {
          assert.equal(got.error, undefined, `cut at byte ${at} (a record boundary): ${String(got.error?.message)}`);
        }
      }
      if (n < FRAMES.length) end += RECORD_LEN(FRAMES[n]);
    }
    assert.equal(end, whole.length);
  });
});
