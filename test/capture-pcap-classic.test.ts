import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readPcapClassic } from '../src/capture/pcap-classic';
import { readPcapNsec } from '../src/capture/pcap-nsec';
import { pattern } from './helpers/bytes';
import {
  chunks,
  drain,
  frameSummary,
  pcapFile,
  pcapHeader,
  pcapRecord,
  pcapRecordOffsets,
  splitAt,
  thenEndlessZeros,
  type PcapRecordSpec,
} from './helpers/capture-builders';
import { checkCutInsideFrame, checkInputErrors, readLikeTshark, wantRecords } from './helpers/capture-checks';
import { fixture } from './helpers/fixtures';

const RECORDS: PcapRecordSpec[] = [
  { sec: 1700000000, frac: 123456, data: pattern(60, 1) },
  { sec: 1700000001, frac: 0, data: pattern(0) }, // an empty frame is valid
  { sec: 1700000002, frac: 999999, data: pattern(40, 7), origLen: 1514 }, // cut by the snaplen
  { sec: 1700000003, frac: 1_500_000, data: pattern(3, 9) }, // fraction over a second: carried
];
const WANT_TS = [
  [1700000000, 123456000],
  [1700000001, 0],
  [1700000002, 999999000],
  [1700000004, 500000000],
];

describe('readPcapClassic (pcap-parser, microsecond pcap)', () => {
  it('reads nfs3_browse_lo.pcap exactly as tshark numbers and times it', async () => {
    const frames = await readLikeTshark(readPcapClassic, 'nfs3_browse_lo.pcap', 418);
    assert.ok(frames.every((f) => f.linkType === 1 && f.interfaceId === 0));
  });

  it('agrees with the direct reader frame for frame (cross-check of pcap-parser)', async () => {
    const path = fixture('rpcbind_all_procs_any_sll2.pcap');
    const viaParser = await drain(readPcapClassic(createReadStream(path), 'x'));
    const direct = await drain(readPcapNsec(createReadStream(path), 'x'));
    assert.equal(viaParser.frames.length, 153);
    assert.equal(viaParser.frames[0].linkType, 276);
    assert.deepEqual(viaParser.frames.map(frameSummary), direct.frames.map(frameSummary));
  });

  for (const littleEndian of [true, false]) {
    it(`decodes a synthetic ${littleEndian ? 'little' : 'big'}-endian file, in one chunk and byte by byte`, async () => {
      const file = pcapFile({ littleEndian, linkType: 113 }, RECORDS);
      const want = wantRecords(RECORDS, WANT_TS, 113);
      const whole = await drain(readPcapClassic(chunks(file), 't'));
      assert.equal(whole.error, undefined);
      assert.deepEqual(whole.frames.map(frameSummary), want);
      const bytewise = await drain(readPcapClassic(chunks(file, 1), 't'));
      assert.deepEqual(bytewise.frames.map(frameSummary), want);
    });
  }

  it('gives the same frames whatever the chunk boundaries', async () => {
    const file = pcapFile({ littleEndian: false }, RECORDS);
    const want = wantRecords(RECORDS, WANT_TS, 1);
    for (let at = 0; at <= file.length; at++) {
      const { frames, error } = await drain(readPcapClassic(splitAt(file, at), 't'));
      assert.equal(error, undefined, `split at ${at}`);
      assert.deepEqual(frames.map(frameSummary), want, `split at ${at}`);
    }
  });

  it('accepts snaplen 0 and snaplen 0xffffffff in the file header', async () => {
    for (const snaplen of [0, 0xffffffff]) {
      const { frames, error } = await drain(readPcapClassic(chunks(pcapFile({ snaplen }, RECORDS)), 't'));
      assert.equal(error, undefined);
      assert.equal(frames.length, RECORDS.length);
    }
  });

  it('caps a record at max(snaplen, 262144), never above 16 MiB', async () => {
    const big = { sec: 1, frac: 0, data: pattern(300000) };
    const small = await drain(readPcapClassic(chunks(pcapFile({ snaplen: 65535 }, [RECORDS[0], big])), 't'));
    assert.equal(small.frames.length, 1);
    assert.equal(small.error?.kind, 'damaged');
    assert.match(small.error?.message ?? '', /^t: frame 2 at offset 100 claims 300000 captured bytes/);
    const huge = await drain(readPcapClassic(chunks(pcapFile({ snaplen: 0xffffffff }, [RECORDS[0], big])), 't'));
    assert.equal(huge.error, undefined);
    assert.equal(huge.frames[1].capLen, 300000);
  });

  it('stops at a record claiming 0xffffffff bytes instead of buffering the rest of the input', async () => {
    const file = Buffer.concat([
      pcapFile({}, RECORDS.slice(0, 2)),
      pcapRecord({ sec: 5, frac: 0, data: pattern(0), capLenField: 0xffffffff }),
    ]);
    const { frames, error } = await drain(readPcapClassic(thenEndlessZeros(file), 'bad.pcap'));
    assert.equal(frames.length, 2);
    assert.equal(error?.kind, 'damaged');
    assert.match(error?.message ?? '', /^bad\.pcap: frame 3 at offset 116 claims 4294967295 captured bytes/);
  });

  it('reports a file cut inside a record after every complete frame', async () => {
    const file = readFileSync(fixture('nfs3_browse_lo.pcap'));
    const last = pcapRecordOffsets(file).at(-1) ?? 0;
    await checkCutInsideFrame(readPcapClassic, file, [file.length - 10, last + 8, last + 16], 417, 'cut.pcap', 4096);
    const atBoundary = await drain(readPcapClassic(chunks(file.subarray(0, last)), 'cut.pcap'));
    assert.equal(atBoundary.error, undefined);
    assert.equal(atBoundary.frames.length, 417);
  });

  it('rejects a cut file header and versions other than 2.x (which pcap-parser would let through)', async () => {
    const short = await drain(readPcapClassic(chunks(pcapHeader().subarray(0, 10)), 't'));
    assert.equal(short.error?.kind, 'truncated');
    for (const [versionMajor, versionMinor] of [
      [3, 4],
      [1, 0],
    ]) {
      const { error } = await drain(readPcapClassic(chunks(pcapFile({ versionMajor, versionMinor }, RECORDS)), 't'));
      assert.equal(error?.kind, 'unsupported');
      assert.equal(error?.message, `t: pcap version ${versionMajor}.${versionMinor} is not supported (only 2.x)`);
    }
    const headerOnly = await drain(readPcapClassic(chunks(pcapHeader()), 't'));
    assert.deepEqual(headerOnly, { frames: [] });
  });

  it('refuses nanosecond files and non-pcap input with CaptureErrors', async () => {
    const ns = await drain(readPcapClassic(chunks(pcapFile({ nanosecond: true }, RECORDS)), 't'));
    assert.equal(ns.error?.kind, 'unsupported');
    const text = await drain(readPcapClassic(chunks(Buffer.from('hello, this is not a capture file\n')), 't'));
    assert.equal(text.error?.kind, 'not_a_capture');
  });

  it('applies backpressure: a slow consumer does not make it read the whole input', async () => {
    const records = Array.from({ length: 5000 }, (_, i) => ({ sec: i, frac: 0, data: pattern(60, i) }));
    const file = pcapFile({}, records);
    let pulled = 0;
    let closed = false;
    async function* counting(): AsyncGenerator<Buffer> {
      try {
        for await (const c of chunks(file, 1024)) {
          pulled += c.length;
          yield c;
        }
      } finally {
        closed = true;
      }
    }
    const it = readPcapClassic(counting(), 't')[Symbol.asyncIterator]();
    const first = await it.next();
    assert.equal(first.done, false);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    assert.ok(pulled < file.length / 2, `pulled ${pulled} of ${file.length} bytes while the consumer waited`);
    let n = 1;
    let prev = 1;
    for (let r = await it.next(); !r.done; r = await it.next()) {
      n++;
      assert.equal(r.value.frameNo, prev + 1);
      prev = r.value.frameNo;
    }
    assert.equal(n, 5000);
    assert.equal(pulled, file.length);
    assert.ok(closed);
  });

  it('releases the input when the consumer stops early', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<Buffer> {
      try {
        yield* thenEndlessZeros(pcapHeader({ snaplen: 0 }));
      } finally {
        closed = true;
      }
    }
    // zeros forever decode as empty frames at time 0: take a few and stop.
    let n = 0;
    for await (const f of readPcapClassic(source(), 't')) {
      assert.equal(f.capLen, 0);
      if (++n === 3) break;
    }
    for (let i = 0; i < 20 && !closed; i++) await new Promise((r) => setImmediate(r));
    assert.ok(closed);
  });

  it('passes an input error through after the frames before it, and labels foreign errors as io', async () => {
    await checkInputErrors(readPcapClassic, pcapFile({}, RECORDS), 4);
  });
});
