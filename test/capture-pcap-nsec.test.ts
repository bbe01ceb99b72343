import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readPcapNsec } from '../src/capture/pcap-nsec';
import { readPcapng } from '../src/capture/pcapng';
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
  { sec: 1795229103, frac: 898702235, data: pattern(66, 3) },
  { sec: 1795229103, frac: 999999999, data: pattern(0) },
  { sec: 1795229104, frac: 1, data: pattern(20, 5), origLen: 9000 },
  { sec: 1795229105, frac: 2_000_000_005, data: pattern(4) }, // fraction over a second: carried
];
const WANT_TS = [
  [1795229103, 898702235],
  [1795229103, 999999999],
  [1795229104, 1],
  [1795229107, 5],
];

describe('readPcapNsec (nanosecond classic pcap)', () => {
  it('reads rpc_errors_lo_nsec.pcap (little-endian) with tshark’s nanosecond timestamps', async () => {
    await readLikeTshark(readPcapNsec, 'rpc_errors_lo_nsec.pcap', 486);
  });

  it('reads nfs3_browse_lo_nsec_bigendian.pcap and matches the pcapng copy of the same traffic', async () => {
    const frames = await readLikeTshark(readPcapNsec, 'nfs3_browse_lo_nsec_bigendian.pcap', 418);
    const ng = await drain(readPcapng(createReadStream(fixture('nfs3_browse_lo_nsec.pcapng')), 'ng'));
    assert.deepEqual(frames.map(frameSummary), ng.frames.map(frameSummary));
  });

  for (const littleEndian of [true, false]) {
    it(`decodes a synthetic ${littleEndian ? 'little' : 'big'}-endian file at every chunk boundary`, async () => {
      const file = pcapFile({ littleEndian, nanosecond: true, linkType: 276 }, RECORDS);
      const want = wantRecords(RECORDS, WANT_TS, 276);
      for (let at = 0; at <= file.length; at++) {
        const { frames, error } = await drain(readPcapNsec(splitAt(file, at), 't'));
        assert.equal(error, undefined, `split at ${at}`);
        assert.deepEqual(frames.map(frameSummary), want, `split at ${at}`);
      }
      const bytewise = await drain(readPcapNsec(chunks(file, 1), 't'));
      assert.deepEqual(bytewise.frames.map(frameSummary), want);
    });
  }

  it('also reads microsecond files (used to cross-check pcap-parser)', async () => {
    const file = pcapFile({ littleEndian: false }, [{ sec: 10, frac: 999999, data: pattern(5) }]);
    const { frames } = await drain(readPcapNsec(chunks(file), 't'));
    assert.deepEqual(frames[0].ts, { sec: 10, nsec: 999999000 });
  });

  it('accepts snaplen 0 and 0xffffffff, and caps records at max(snaplen, 262144) up to 16 MiB', async () => {
    for (const snaplen of [0, 0xffffffff]) {
      const { frames, error } = await drain(readPcapNsec(chunks(pcapFile({ nanosecond: true, snaplen }, RECORDS)), 't'));
      assert.equal(error, undefined);
      assert.equal(frames.length, RECORDS.length);
    }
    const big = { sec: 1, frac: 0, data: pattern(262145) };
    const over = await drain(readPcapNsec(chunks(pcapFile({ nanosecond: true, snaplen: 0 }, [RECORDS[0], big])), 't'));
    assert.equal(over.frames.length, 1);
    assert.equal(over.error?.kind, 'damaged');
    const allowed = await drain(readPcapNsec(chunks(pcapFile({ nanosecond: true, snaplen: 300000 }, [big])), 't'));
    assert.equal(allowed.error, undefined);
    assert.equal(allowed.frames[0].capLen, 262145);
  });

  it('stops at a record claiming 0xffffffff bytes', async () => {
    const file = Buffer.concat([
      pcapFile({ nanosecond: true, littleEndian: false }, RECORDS.slice(0, 3)),
      pcapRecord({ sec: 5, frac: 0, data: pattern(0), capLenField: 0xffffffff }, false),
    ]);
    const { frames, error } = await drain(readPcapNsec(thenEndlessZeros(file), 'bad.pcap'));
    assert.equal(frames.length, 3);
    assert.equal(error?.kind, 'damaged');
    assert.match(error?.message ?? '', /^bad\.pcap: frame 4 at offset \d+ claims 4294967295 captured bytes/);
  });

  it('reports a file cut inside a record or record header after every complete frame', async () => {
    const file = readFileSync(fixture('rpc_errors_lo_nsec.pcap'));
    const offsets = pcapRecordOffsets(file);
    const mid = offsets[100];
    await checkCutInsideFrame(readPcapNsec, file, [mid + 3, mid + 16, mid + 20], 100, 'cut.pcap', 1000);
  });

  it('rejects a cut file header, an unknown version and a non-pcap', async () => {
    const short = await drain(readPcapNsec(chunks(pcapHeader({ nanosecond: true }).subarray(0, 23)), 't'));
    assert.equal(short.error?.kind, 'truncated');
    assert.equal(short.error?.message, 't: file ends in the pcap file header (23 of 24 bytes)');
    const v3 = await drain(readPcapNsec(chunks(pcapFile({ nanosecond: true, versionMajor: 3 }, RECORDS)), 't'));
    assert.equal(v3.error?.kind, 'unsupported');
    const text = await drain(readPcapNsec(chunks(Buffer.from('#!/bin/sh\necho this is a script\n')), 't'));
    assert.equal(text.error?.kind, 'not_a_capture');
    const empty = await drain(readPcapNsec(chunks(Buffer.alloc(0)), 't'));
    assert.equal(empty.error?.kind, 'truncated');
  });

  it('passes an input error through after the frames before it, and labels foreign errors as io', async () => {
    await checkInputErrors(readPcapNsec, pcapFile({ nanosecond: true }, RECORDS), 4);
  });
});
