import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { pcapngTimestamp, readPcapng, ticksPerSecond } from '../src/capture/pcapng';
import { pattern } from './helpers/bytes';
import {
  chunks,
  drain,
  frameSummary,
  ngBlock,
  ngEpb,
  ngIdb,
  ngOpb,
  ngShb,
  ngSpb,
  splitAt,
  thenEndlessZeros,
  thenFail,
} from './helpers/capture-builders';
import { checkCutInsideFrame, readLikeTshark, wantSummaries, type WantFrame } from './helpers/capture-checks';
import { fixture } from './helpers/fixtures';

const ETHERNET = 1;
const RAW = 101;
const LINUX_SLL2 = 276;

/**
 * Three sections: LE with three interfaces (µs Ethernet with snaplen 64, ns SLL2, 2^-10 s raw IP with a
 * +100 s offset) interleaved, SPB/OPB and skipped blocks; BE with one ps interface; LE with a -10 s offset.
 */
function multiSectionFile(): { file: Buffer; want: WantFrame[] } {
  const le = true;
  const be = false;
  const blocks: Buffer[] = [];
  const want: WantFrame[] = [];
  const epb = (l: boolean, ifId: number, ticks: bigint, data: Uint8Array, w: Omit<WantFrame, 'data' | 'interfaceId'>): void => {
    blocks.push(ngEpb(l, ifId, ticks, data, w.origLen));
    want.push({ ...w, data, interfaceId: ifId });
  };

  blocks.push(ngShb(le));
  blocks.push(ngIdb(le, ETHERNET, 64, { tsresol: 6 }));
  blocks.push(ngIdb(le, LINUX_SLL2, 0, { tsresol: 9 }));
  blocks.push(ngBlock(le, 4, Buffer.from('name resolution block, skipped')));
  blocks.push(ngIdb(le, RAW, 0, { tsresol: 0x8a, tsoffset: 100n }));
  epb(le, 0, 1700000000_123456n, pattern(60, 1), { sec: 1700000000, nsec: 123456000, linkType: ETHERNET });
  epb(le, 1, 1700000001_987654321n, pattern(50, 2), {
    sec: 1700000001,
    nsec: 987654321,
    origLen: 1500,
    linkType: LINUX_SLL2,
  });
  epb(le, 2, 1700000002n * 1024n + 1n, pattern(30, 3), { sec: 1700000102, nsec: 976562, linkType: RAW });
  blocks.push(ngBlock(le, 0x12345678, pattern(37))); // unknown block type
  blocks.push(ngBlock(le, 0x40000bad, pattern(8))); // custom block
  // SPB: interface 0, no timestamp; captured length = min(original, snaplen 64, room in the block)
  blocks.push(ngSpb(le, 100, pattern(64, 4)));
  want.push({ sec: 0, nsec: 0, data: pattern(64, 4), origLen: 100, linkType: ETHERNET, interfaceId: 0 });
  blocks.push(ngSpb(le, 41, pattern(41, 5))); // padded to 44 in the block: the padding is not data
  want.push({ sec: 0, nsec: 0, data: pattern(41, 5), linkType: ETHERNET, interfaceId: 0 });
  blocks.push(ngOpb(le, 1, 1700000003_000000001n, pattern(10, 6), 99));
  want.push({ sec: 1700000003, nsec: 1, data: pattern(10, 6), origLen: 99, linkType: LINUX_SLL2, interfaceId: 1 });
  blocks.push(ngBlock(le, 5, pattern(16))); // interface statistics, skipped
  epb(le, 0, 1700000004_000001n, pattern(1, 7), { sec: 1700000004, nsec: 1000, linkType: ETHERNET });
  epb(le, 2, 1024n * 2n + 512n, pattern(0), { sec: 102, nsec: 500000000, linkType: RAW });

  blocks.push(ngShb(be)); // new section, other byte order: interfaces start again from 0
  blocks.push(ngIdb(be, RAW, 0, { tsresol: 12 }));
  // picoseconds: 2^64 ticks is only ~213 days, so these timestamps are small
  epb(be, 0, 10000005n * 10n ** 12n + 123456789999n, pattern(20, 8), { sec: 10000005, nsec: 123456789, linkType: RAW });
  blocks.push(ngBlock(be, 0x0bad, pattern(5)));
  epb(be, 0, 10000006n * 10n ** 12n, pattern(21, 9), { sec: 10000006, nsec: 0, linkType: RAW });

  blocks.push(ngShb(le));
  blocks.push(ngIdb(le, LINUX_SLL2, 0, { tsoffset: -10n })); // default resolution: µs
  epb(le, 0, 1700000007_000002n, pattern(8, 10), { sec: 1699999997, nsec: 2000, linkType: LINUX_SLL2 });

  return { file: Buffer.concat(blocks), want };
}

/** SHB + IDB(Ethernet, µs) + two EPBs: a good start to append damage to. Returns the bytes and frame count. */
function goodStart(): Buffer {
  return Buffer.concat([
    ngShb(true),
    ngIdb(true, ETHERNET, 0),
    ngEpb(true, 0, 1_000001n, pattern(14)),
    ngEpb(true, 0, 2_000002n, pattern(15)),
  ]);
}

describe('readPcapng', () => {
  for (const [name, count] of [
    ['nfs3_browse_lo_nsec.pcapng', 418],
    ['rpcbind_rpcinfo_lo.pcapng', 286],
  ] as const) {
    it(`reads ${name} exactly as tshark numbers and times it`, async () => {
      const frames = await readLikeTshark(readPcapng, name, count);
      assert.ok(frames.every((f) => f.linkType === ETHERNET && f.interfaceId === 0));
    });
  }

  it('handles several interfaces, sections, byte orders, resolutions and block types', async () => {
    const { file, want } = multiSectionFile();
    const { frames, error } = await drain(readPcapng(chunks(file), 't'));
    assert.equal(error, undefined);
    assert.deepEqual(frames.map(frameSummary), wantSummaries(want));
  });

  it('gives the same frames whatever the chunk boundaries', async () => {
    const { file, want } = multiSectionFile();
    const summaries = wantSummaries(want);
    for (let at = 0; at <= file.length; at += 3) {
      const { frames, error } = await drain(readPcapng(splitAt(file, at), 't'));
      assert.equal(error, undefined, `split at ${at}`);
      assert.deepEqual(frames.map(frameSummary), summaries, `split at ${at}`);
    }
    const bytewise = await drain(readPcapng(chunks(file, 1), 't'));
    assert.deepEqual(bytewise.frames.map(frameSummary), summaries);
  });

  it('converts ticks exactly, rounding resolutions finer than 1 ns down', () => {
    assert.deepEqual(pcapngTimestamp(1_999999n, ticksPerSecond(6), 0n), { sec: 1, nsec: 999999000 });
    assert.deepEqual(pcapngTimestamp(1795229090_371369331n, ticksPerSecond(9), 0n), { sec: 1795229090, nsec: 371369331 });
    assert.deepEqual(pcapngTimestamp(3n * 1024n + 1023n, ticksPerSecond(0x8a), 0n), { sec: 3, nsec: 999023437 });
    assert.deepEqual(pcapngTimestamp(5_000000001999n, ticksPerSecond(12), 0n), { sec: 5, nsec: 1 });
    assert.deepEqual(pcapngTimestamp(7n, ticksPerSecond(0), -3n), { sec: 4, nsec: 0 });
    assert.deepEqual(pcapngTimestamp(15n, ticksPerSecond(1), 0n), { sec: 1, nsec: 500000000 });
    // the largest tick count at ns resolution still splits exactly
    assert.deepEqual(pcapngTimestamp(0xffffffffffffffffn, ticksPerSecond(9), 0n), { sec: 18446744073, nsec: 709551615 });
  });

  describe('damage after good frames', () => {
    const start = goodStart();
    const at = start.length;
    const epbBody = ngEpb(true, 0, 3n, pattern(4)).subarray(8, -4);
    const epbLen = 12 + epbBody.length;
    type Forge = { length?: number; trailer?: number };
    const epb = (forge: Forge): Buffer => ngBlock(true, 6, epbBody, forge);
    const unknown = (forge: Forge): Buffer => ngBlock(true, 0x99, pattern(8), forge);
    const cases: [string, Buffer, string][] = [
      ['length not a multiple of 4', epb({ length: 30 }), 'bad length 30'],
      ['length under 12', epb({ length: 8 }), 'bad length 8'],
      ['length under the EPB minimum', epb({ length: 28 }), 'bad length 28'],
      ['length over the 64 MiB cap', epb({ length: 0x7ffffffc }), 'bad length 2147483644'],
      ['length over the cap, unknown block', unknown({ length: 0xfffffffc }), 'bad length 4294967292'],
      ['trailing length differs', epb({ trailer: 48 }), `bad length ${epbLen} (trailing copy says 48)`],
      ['trailing length differs, skipped block', unknown({ trailer: 4 }), 'bad length 20 (trailing copy says 4)'],
    ];
    for (const [what, damage, message] of cases) {
      it(`${what}: CaptureError damaged, without reading on`, async () => {
        const input = thenEndlessZeros(Buffer.concat([start, damage]));
        const { frames, error } = await drain(readPcapng(input, 'bad.pcapng'));
        assert.equal(frames.length, 2);
        assert.equal(error?.kind, 'damaged');
        assert.equal(error?.message, `bad.pcapng: pcapng block at offset ${at} has ${message}`);
      });
    }

    it('a captured length larger than its block', async () => {
      const overlong = ngEpb(true, 0, 3n, pattern(8), 8, 100);
      const { frames, error } = await drain(readPcapng(chunks(Buffer.concat([start, overlong])), 't'));
      assert.equal(frames.length, 2);
      assert.equal(error?.kind, 'damaged');
      assert.match(error?.message ?? '', /frame 3\) claims 100 captured bytes in a block of 60$/);
    });

    it('an undefined interface, and an SPB before any IDB', async () => {
      const bad = await drain(readPcapng(chunks(Buffer.concat([start, ngEpb(true, 5, 3n, pattern(8))])), 't'));
      assert.equal(bad.frames.length, 2);
      assert.equal(bad.error?.kind, 'damaged');
      assert.match(bad.error?.message ?? '', /refers to interface 5, but the section defines 1$/);
      const spb = await drain(readPcapng(chunks(Buffer.concat([start, ngShb(true), ngSpb(true, 4, pattern(4))])), 't'));
      assert.equal(spb.frames.length, 2);
      assert.match(spb.error?.message ?? '', /refers to interface 0, but the section defines 0$/);
    });

    it('an interface option running past its block', async () => {
      const body = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 9, 0, 40, 0]); // if_tsresol claiming 40 bytes
      const { frames, error } = await drain(readPcapng(chunks(Buffer.concat([start, ngBlock(true, 1, body)])), 't'));
      assert.equal(frames.length, 2);
      assert.equal(error?.kind, 'damaged');
      assert.match(error?.message ?? '', /option \(code 9\) past its end/);
    });

    it('a later section header with a bad byte-order magic, and an unknown version', async () => {
      const shb = ngShb(true);
      shb.writeUInt32LE(0x01020304, 8);
      const bom = await drain(readPcapng(chunks(Buffer.concat([start, shb])), 't'));
      assert.equal(bom.frames.length, 2);
      assert.equal(bom.error?.kind, 'damaged');
      const v2 = await drain(readPcapng(chunks(Buffer.concat([start, ngShb(false, 2)])), 't'));
      assert.equal(v2.frames.length, 2);
      assert.equal(v2.error?.kind, 'unsupported');
    });
  });

  describe('truncation and non-pcapng input', () => {
    it('a file cut inside a packet block, after every complete frame', async () => {
      const file = readFileSync(fixture('nfs3_browse_lo_nsec.pcapng'));
      const last = file.length - file.readUInt32LE(file.length - 4); // the last block: frame 418's EPB
      await checkCutInsideFrame(readPcapng, file, [file.length - 10, last + 9, last + 30], 417, 'cut.pcapng', 4096);
      const atBoundary = await drain(readPcapng(chunks(file.subarray(0, last)), 'cut.pcapng'));
      assert.equal(atBoundary.error, undefined);
      assert.equal(atBoundary.frames.length, 417);
    });

    it('a file cut inside a skipped block or a block header', async () => {
      const file = readFileSync(fixture('rpcbind_rpcinfo_lo.pcapng'));
      // The capture ends with an interface statistics block (type 5).
      const isbLen = file.readUInt32LE(file.length - 4);
      const isbAt = file.length - isbLen;
      assert.equal(file.readUInt32LE(isbAt), 5);
      const inIsb = await drain(readPcapng(chunks(file.subarray(0, file.length - 4)), 'cut'));
      assert.equal(inIsb.frames.length, 286);
      assert.equal(inIsb.error?.message, `cut: file ends in the middle of the pcapng block (type 0x5) at offset ${isbAt}`);
      const inHeader = await drain(readPcapng(chunks(file.subarray(0, isbAt + 5)), 'cut'));
      assert.equal(inHeader.frames.length, 286);
      assert.equal(inHeader.error?.message, `cut: file ends in the block header at offset ${isbAt}`);
    });

    it('rejects input that does not start with a section header, and empty input', async () => {
      const noShb = await drain(readPcapng(chunks(ngIdb(true, 1, 0)), 't'));
      assert.equal(noShb.error?.kind, 'not_a_capture');
      const empty = await drain(readPcapng(chunks(Buffer.alloc(0)), 't'));
      assert.equal(empty.error?.kind, 'not_a_capture');
      const shb = ngShb(true);
      shb.writeUInt32LE(0x01020304, 8);
      const badBom = await drain(readPcapng(chunks(shb), 't'));
      assert.equal(badBom.error?.kind, 'not_a_capture');
    });

    it('passes an input error through after the frames before it', async () => {
      const { frames, error } = await drain(readPcapng(thenFail(goodStart(), new Error('EPIPE')), 't'));
      assert.equal(frames.length, 2);
      assert.equal(error?.kind, 'io');
      assert.equal(error?.message, 't: read error: EPIPE');
    });

    it('accepts a file with sections but no packets', async () => {
      const { frames, error } = await drain(readPcapng(chunks(Buffer.concat([ngShb(false), ngIdb(false, 1, 0)])), 't'));
      assert.equal(error, undefined);
      assert.equal(frames.length, 0);
    });
  });
});
