/**
 * Frame positions (RawFrame.position) and openCaptureAt: every frame of every fixture read again from its own
 * position gives the very frame of the first pass, reading on from a position gives the rest of the file, and
 * the offsets are those an independent walk of the file finds. Synthetic files cover what the fixtures lack
 * (pcapng with several sections and interfaces, big-endian µs pcap), gzip/stdin/FIFO input (no positions) and
 * positions that are wrong (past the end, into garbage, a changed file).
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { openCaptureAt } from '../src/capture/open-capture-at';
import { CaptureError, type FramePosition, type RawFrame } from '../src/capture/raw-frame';
import { pattern } from './helpers/bytes';
import {
  drain,
  ngBlock,
  ngEpb,
  ngIdb,
  ngOpb,
  ngShb,
  ngSpb,
  pcapFile,
  pcapRecordOffsets,
  type PcapRecordSpec,
} from './helpers/capture-builders';
import { readFrames } from './helpers/capture-packets';
import { fixture, fixtureCaptures } from './helpers/fixtures';
import { removeTempDir, tempDir, tempFile } from './helpers/synthetic-capture';

/** Everything a frame holds, position included, as comparable plain values. */
function view(f: RawFrame): Record<string, unknown> {
  return { ...f, bytes: Buffer.from(f.bytes).toString('hex') };
}

function positionOf(f: RawFrame): FramePosition {
  assert.ok(f.position, `frame ${f.frameNo} has no position`);
  return f.position;
}

/** The first frame read again at `f`'s position. */
async function rereadOne(path: string, f: RawFrame): Promise<RawFrame> {
  for await (const g of openCaptureAt(path, positionOf(f), f.frameNo).frames()) return g;
  assert.fail(`nothing read at frame ${f.frameNo}`);
}

/** Every frame from `f` to the end of the file, read again. */
async function rereadRest(path: string, f: RawFrame): Promise<RawFrame[]> {
  const out: RawFrame[] = [];
  for await (const g of openCaptureAt(path, positionOf(f), f.frameNo).frames()) out.push(g);
  return out;
}

/** The CaptureError openCaptureAt's frames end with (frames before it are returned too). */
async function rereadError(path: string, at: FramePosition, frameNo: number): Promise<{ frames: RawFrame[]; error?: CaptureError }> {
  return drain(openCaptureAt(path, at, frameNo).frames());
}

/** Offsets of the packet blocks (EPB, SPB, OPB) of a pcapng file, walking block lengths. */
function pcapngPacketOffsets(file: Buffer): number[] {
  const out: number[] = [];
  let le = true;
  for (let o = 0; o + 12 <= file.length; ) {
    if (file.readUInt32LE(o) === 0x0a0d0d0a) le = file.readUInt32LE(o + 8) === 0x1a2b3c4d;
    const type = le ? file.readUInt32LE(o) : file.readUInt32BE(o);
    const len = le ? file.readUInt32LE(o + 4) : file.readUInt32BE(o + 4);
    if (type === 6 || type === 3 || type === 2) out.push(o);
    o += len;
  }
  return out;
}

function independentOffsets(path: string): number[] {
  const file = readFileSync(path);
  return file.readUInt32LE(0) === 0x0a0d0d0a ? pcapngPacketOffsets(file) : pcapRecordOffsets(file);
}

/** Several frame indexes spread over n frames: the first two, some inside, the last. */
function spotChecks(n: number): number[] {
  return [...new Set([0, 1, Math.floor(n / 3), Math.floor(n / 2), Math.floor((n * 4) / 5), n - 1])].filter((i) => i >= 0 && i < n);
}

/**
 * Checks `path` as the tests of this file do: every frame has a position at the offset found independently; each
 * frame read again alone is identical and shares the first pass's state object; reading on from several positions
 * gives every later frame identically. Returns the frames.
 */
async function checkFile(path: string, offsets = independentOffsets(path)): Promise<RawFrame[]> {
  const frames = await readFrames(path);
  assert.ok(frames.length > 0);
  assert.deepEqual(
    frames.map((f) => positionOf(f).offset),
    offsets,
  );
  for (const f of frames) {
    const g = await rereadOne(path, f);
    assert.deepEqual(view(g), view(f), `frame ${f.frameNo}`);
    assert.equal(g.position?.state, f.position?.state, `frame ${f.frameNo}: the state object is shared`);
  }
  for (const i of spotChecks(frames.length)) {
    const rest = await rereadRest(path, frames[i]);
    assert.deepEqual(rest.map(view), frames.slice(i).map(view), `from frame ${frames[i].frameNo}`);
  }
  return frames;
}

const fixtures = fixtureCaptures();

describe('frame positions in every fixture capture', () => {
  it(`covers every capture in fixtures/ (${fixtures.length})`, () => {
    assert.ok(fixtures.length >= 18);
  });

  for (const name of fixtures) {
    it(`${name}: positions at the right offsets, one shared state, every frame read again identically`, async () => {
      const frames = await checkFile(fixture(name));
      // One section (pcapng) or one file header (pcap): one state object for all frames.
      assert.equal(new Set(frames.map((f) => f.position?.state)).size, 1);
      if (!name.endsWith('.pcapng')) assert.equal(frames[0].position?.offset, 24);
    });
  }

  after(removeTempDir);
  it('gives no positions for gzip input (every fixture, compressed)', async () => {
    for (const name of fixtures) {
      const path = tempFile(`${name}.gz`, gzipSync(readFileSync(fixture(name))));
      const frames = await readFrames(path);
      assert.ok(frames.length > 0, name);
      assert.equal(frames.filter((f) => f.position !== undefined).length, 0, name);
    }
  });
});

describe('no positions for input that cannot be read again', () => {
  after(removeTempDir);

  it('stdin', async () => {
    const modulePath = resolve(__dirname, '../src/capture/open-capture.js');
    const script = `
      const { openCapture } = require(${JSON.stringify(modulePath)});
      (async () => {
        let frames = 0, positioned = 0;
        for await (const f of (await openCapture('-')).frames()) { frames++; if (f.position) positioned++; }
        console.log(JSON.stringify({ frames, positioned }));
      })();`;
    const out = await new Promise<string>((done, fail) => {
      execFile(
        '/bin/sh',
        ['-c', 'cat "$1" | "$2" -e "$3"', 'sh', fixture('nfs3_browse_lo.pcap'), process.execPath, script],
        { timeout: 10_000 },
        (err, stdout) => (err ? fail(err) : done(stdout)),
      );
    });
    assert.deepEqual(JSON.parse(out), { frames: 418, positioned: 0 });
  });

  it('a FIFO (not a regular file)', async () => {
    const fifo = join(tempDir(), 'capture.fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('/bin/sh', ['-c', 'cat "$1" > "$2"', 'sh', fixture('rpcbind_rpcinfo_lo.pcapng'), fifo]);
    const exited = new Promise((done) => writer.on('exit', done));
    const frames = await readFrames(fifo);
    await exited;
    assert.equal(frames.length, 286);
    assert.equal(frames.filter((f) => f.position !== undefined).length, 0);
  });
});

describe('synthetic captures', () => {
  after(removeTempDir);

  it('pcapng: two sections of both byte orders, interfaces of several link types and tsresol, an IDB after packets', async () => {
    const le = true;
    const be = false;
    const file = Buffer.concat([
      ngShb(le),
      ngIdb(le, 1, 0),
      ngIdb(le, 113, 65535, { tsresol: 9, tsoffset: 100n }),
      ngEpb(le, 0, 1_700_000_000_123_456n, pattern(60)),
      ngEpb(le, 1, 1_700_000_000_123_456_789n, pattern(61), 1500),
      ngBlock(le, 4, Buffer.from('name resolution block')),
      ngOpb(le, 1, 5_000_000_001n, pattern(62)),
      ngSpb(le, 64, pattern(64)),
      ngIdb(le, 276, 0, { tsresol: 0x80 | 20 }), // 2^-20 s
      ngEpb(le, 2, (3n << 20n) | 1n, pattern(63)),
      ngEpb(le, 0, 7n, pattern(65)),
      ngBlock(le, 5, Buffer.alloc(24)), // interface statistics
      ngShb(be),
      ngIdb(be, 101, 0, { tsresol: 3 }),
      ngEpb(be, 0, 1_700_000_000_999n, pattern(66)),
      ngEpb(be, 0, 1_700_000_001_000n, pattern(67)),
    ]);
    const path = tempFile('sections.pcapng', file);
    const frames = await checkFile(path);
    assert.equal(frames.length, 8);
    assert.deepEqual(
      frames.map((f) => [f.linkType, f.interfaceId, f.ts.sec, f.ts.nsec]),
      [
        [1, 0, 1_700_000_000, 123_456_000],
        [113, 1, 1_700_000_100, 123_456_789],
        [113, 1, 105, 1],
        [1, 0, 0, 0], // SPB: no timestamp
        [276, 2, 3, 953], // 1/2^20 s, rounded down to ns
        [1, 0, 0, 7000],
        [101, 0, 1_700_000_000, 999_000_000],
        [101, 0, 1_700_000_001, 0],
      ],
    );
    // One state per interface list that packets were read under: before the third IDB, after it, section 2.
    const states = frames.map((f) => f.position?.state);
    assert.equal(new Set(states).size, 3);
    assert.equal(states[0], states[3]);
    assert.notEqual(states[3], states[4]);
    assert.equal(states[4], states[5]);
    assert.notEqual(states[5], states[6]);
    // Resumed before the IDB and the SHB, the reader applies them as it meets them.
    const rest = await rereadRest(path, frames[1]);
    assert.equal(rest[0].position?.state, frames[1].position?.state);
    assert.notEqual(rest[3].position?.state, frames[4].position?.state); // a new object, equal in content
    assert.deepEqual(rest.map(view), frames.slice(1).map(view));
  });

  const records: PcapRecordSpec[] = [
    { sec: 1_700_000_000, frac: 1, data: pattern(40) },
    { sec: 1_700_000_000, frac: 999_999, data: pattern(41), origLen: 1514 },
    { sec: 1_700_000_001, frac: 0, data: pattern(0) },
    { sec: 1_700_000_002, frac: 500, data: pattern(300) },
  ];
  for (const littleEndian of [true, false]) {
    for (const nanosecond of [false, true]) {
      const kind = `${littleEndian ? 'little' : 'big'}-endian ${nanosecond ? 'ns' : 'µs'} pcap`;
      it(`${kind}: positions, and every frame read again`, async () => {
        const path = tempFile(`${kind.replace(/\W+/g, '-')}.pcap`, pcapFile({ littleEndian, nanosecond, linkType: 113 }, records));
        const frames = await checkFile(path, [24, 24 + 56, 24 + 56 + 57, 24 + 56 + 57 + 16]);
        assert.deepEqual(
          frames.map((f) => [f.ts.sec, f.ts.nsec, f.capLen, f.origLen, f.linkType]),
          records.map((r) => [r.sec, r.frac * (nanosecond ? 1 : 1000), r.data.length, r.origLen ?? r.data.length, 113]),
        );
      });
    }
  }
});

describe('openCaptureAt: wrong positions are CaptureErrors', { timeout: 20_000 }, () => {
  after(removeTempDir);

  const pcapPath = fixture('nfs3_browse_lo.pcap');
  const ngPath = fixture('rpcbind_rpcinfo_lo.pcapng');
  const nsPath = fixture('rpc_errors_lo_nsec.pcap');

  it('a position at or past the end of the file', async () => {
    for (const path of [pcapPath, ngPath, nsPath]) {
      const frames = await readFrames(path);
      const last = frames[frames.length - 1];
      const state = positionOf(last).state;
      const size = readFileSync(path).length;
      for (const offset of [size, size + 1000]) {
        const r = await rereadError(path, { offset, state }, last.frameNo + 1);
        assert.deepEqual(r.frames, [], path);
        assert.equal(r.error?.kind, 'truncated', path);
        assert.equal(r.error?.message, `${path}: no frame at offset ${offset} (the file ends there)`);
      }
    }
  });

  it('a position into the middle of a frame, or at a pcapng block that is not a packet', async () => {
    // classic pcap: inside frame 2's data (all 0xff), the captured-length field reads 0xffffffff
    const ones = Buffer.alloc(100, 0xff);
    const path = tempFile('ones.pcap', pcapFile({}, [{ sec: 1, frac: 0, data: ones }, { sec: 2, frac: 0, data: ones }]));
    const frames = await readFrames(path);
    const p2 = positionOf(frames[1]);
    const garbage = await rereadError(path, { offset: p2.offset + 20, state: p2.state }, 2);
    assert.deepEqual(garbage.frames, []);
    assert.equal(garbage.error?.kind, 'damaged');
    assert.equal(
      garbage.error?.message,
      `${path}: frame 2 at offset ${p2.offset + 20} claims 4294967295 captured bytes (more than the 262144 allowed with snaplen 262144)`,
    );
    // pcapng: 4 bytes into a block (its length, a multiple of 4 >= 32, is read as the block type), and the SHB
    const ng = await readFrames(ngPath);
    const q = positionOf(ng[5]);
    const inside = await rereadError(ngPath, { offset: q.offset + 4, state: q.state }, 6);
    assert.equal(inside.error?.kind, 'damaged');
    assert.match(inside.error?.message ?? '', new RegExp(`no pcapng packet block at offset ${q.offset + 4} `));
    const atShb = await rereadError(ngPath, { offset: 0, state: q.state }, 1);
    assert.equal(atShb.error?.kind, 'damaged');
    assert.match(atShb.error?.message ?? '', /no pcapng packet block at offset 0 \(block type 0xa0d0d0a\)/);
  });

  it('a file cut inside a later frame: the frames before it, then truncated', async () => {
    const file = readFileSync(pcapPath);
    const path = tempFile('cut.pcap', file.subarray(0, file.length - 10));
    const frames = await readFrames(pcapPath);
    const r = await rereadError(path, positionOf(frames[410]), 411);
    assert.equal(r.frames.length, 7);
    assert.equal(r.error?.kind, 'truncated');
    assert.equal(r.error?.message, `${path}: file ends in the middle of frame 418`);
  });

  it('a file whose header changed, a missing file, a foreign state, a bad offset or frame number', async () => {
    const frames = await readFrames(pcapPath);
    const at = positionOf(frames[3]);
    const other = tempFile('other-link.pcap', pcapFile({ linkType: 113 }, [{ sec: 1, frac: 0, data: pattern(100) }]));
    assert.equal((await rereadError(other, at, 4)).error?.message, `${other}: the file header has changed since the file was read`);
    const gone = join(tempDir(), 'gone.pcap');
    assert.equal((await rereadError(gone, at, 4)).error?.message, `${gone}: No such file or directory`);
    const foreign = await rereadError(pcapPath, { offset: 24, state: { format: 'pcap' } }, 1);
    assert.equal(foreign.error?.kind, 'unsupported');
    assert.equal((await rereadError(pcapPath, { offset: -1, state: at.state }, 1)).error?.kind, 'unsupported');
    assert.equal((await rereadError(pcapPath, { offset: 24.5, state: at.state }, 1)).error?.kind, 'unsupported');
    assert.equal((await rereadError(pcapPath, at, 0)).error?.kind, 'unsupported');
  });

  it('a pcapng with one interface read again under a state that has none: damaged, no crash', async () => {
    const ng = await readFrames(ngPath);
    const at = positionOf(ng[0]);
    const emptied = { ...(at.state as object), interfaces: [] };
    const r = await rereadError(ngPath, { offset: at.offset, state: emptied }, 1);
    assert.equal(r.error?.kind, 'damaged');
    assert.match(r.error?.message ?? '', /refers to interface 0, but the section defines 0/);
  });
});

describe('openCaptureAt: the file is read in bounded pieces and closed', () => {
  after(removeTempDir);
  const openFds = (): number => readdirSync('/proc/self/fd').length;

  /** Waits (a bounded while) for the count of open descriptors to come back to `n`. */
  async function settlesTo(n: number): Promise<number> {
    for (let i = 0; i < 100 && openFds() !== n; i++) await new Promise((r) => setTimeout(r, 10));
    return openFds();
  }

  for (const name of ['nfs3_bulk_veth_mtu1500.pcap', 'rpc_errors_lo_nsec.pcap', 'nfs3_browse_lo_nsec.pcapng']) {
    it(`${name}: stopping early, reading to the end and failing all close the file; bytesRead counts reads`, async () => {
      const path = fixture(name);
      const frames = await readFrames(path);
      const before = openFds();
      const src = openCaptureAt(path, positionOf(frames[10]), 11);
      let n = 0;
      for await (const f of src.frames()) {
        assert.equal(f.frameNo, 11 + n);
        if (++n === 3) break;
      }
      assert.equal(await settlesTo(before), before);
      // reads are 64 KiB pieces (plus the 24-byte header again for classic pcap): far from the whole file
      assert.ok(src.bytesRead() > 0 && src.bytesRead() <= 2 * 65536 + 24, `${src.bytesRead()} bytes read`);
      assert.throws(() => src.frames(), /can be iterated only once/);

      const all = openCaptureAt(path, positionOf(frames[frames.length - 2]), frames.length - 1);
      assert.equal((await drain(all.frames())).frames.length, 2);
      assert.equal(await settlesTo(before), before);

      const bad = await rereadError(path, { offset: 1 << 30, state: positionOf(frames[0]).state }, 1);
      assert.equal(bad.error?.kind, 'truncated');
      assert.equal(await settlesTo(before), before);
    });
  }

  it('a damaged record in a file being re-read: CaptureError after the frames before it', async () => {
    const file = Buffer.from(readFileSync(fixture('nfs3_udp_lo.pcap')));
    const offsets = pcapRecordOffsets(file);
    file.writeUInt32LE(0x7fffffff, offsets[20] + 8); // frame 21 claims 2 GiB
    const path = tempFile('damaged.pcap', file);
    const at = positionOf((await readFrames(fixture('nfs3_udp_lo.pcap')))[15]);
    assert.equal(at.offset, offsets[15]);
    const r = await rereadError(path, at, 16);
    assert.equal(r.frames.length, 5);
    assert.equal(r.error?.kind, 'damaged');
    assert.match(r.error?.message ?? '', new RegExp(`frame 21 at offset ${offsets[20]} claims 2147483647 captured bytes`));
    writeFileSync(path, ''); // emptied since: no frame there any more
    const emptied = await rereadError(path, at, 16);
    assert.equal(emptied.error?.message, `${path}: file ends in the pcap file header (0 of 24 bytes)`);
  });
});
