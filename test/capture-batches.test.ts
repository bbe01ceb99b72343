/**
 * PacketSource.batches() (the batch form of frames(), which rpcsnoop -r reads): for every fixture capture it gives
 * the frames frames() gives, in order, with the same contents; `positions: false` leaves frames without positions;
 * a source is iterated once, whichever form is asked for; damage after some frames still comes after them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { openCapture } from '../src/capture/open-capture';
import { CaptureError, type RawFrame } from '../src/capture/raw-frame';
import { fixture, fixtureCaptures } from './helpers/fixtures';
import { removeTempDir, tempFile } from './helpers/synthetic-capture';

async function viaFrames(path: string): Promise<RawFrame[]> {
  const out: RawFrame[] = [];
  for await (const f of (await openCapture(path)).frames()) out.push(f);
  return out;
}

async function viaBatches(path: string, positions = true): Promise<{ frames: RawFrame[]; batches: number }> {
  const src = await openCapture(path, { positions });
  assert.ok(src.batches, 'openCapture sources have batches()');
  const frames: RawFrame[] = [];
  let batches = 0;
  for await (const b of src.batches()) {
    assert.ok(b.length > 0, 'no empty batches');
    batches++;
    frames.push(...b);
  }
  return { frames, batches };
}

const plain = (f: RawFrame) => ({ ...f, bytes: Buffer.from(f.bytes).toString('hex'), position: undefined });

describe('batches() gives the frames frames() gives', () => {
  const names = fixtureCaptures();
  for (const name of names) {
    it(name, async () => {
      const one = await viaFrames(fixture(name));
      const { frames } = await viaBatches(fixture(name));
      assert.ok(one.length > 0);
      assert.deepEqual(frames.map(plain), one.map(plain));
      assert.deepEqual(
        frames.map((f) => f.position?.offset),
        one.map((f) => f.position?.offset),
      );
    });
  }

  it('a classic pcap comes in fewer batches than frames', async () => {
    const name = names.find((n) => n.endsWith('.pcap') && readFileSync(fixture(n)).readUInt32LE(0) === 0xa1b2c3d4);
    assert.ok(name);
    const { frames, batches } = await viaBatches(fixture(name));
    assert.ok(frames.length > 10);
    assert.ok(batches < frames.length, `${batches} batches for ${frames.length} frames`);
  });

  it('positions: false gives frames without positions', async () => {
    for (const name of names) {
      const { frames } = await viaBatches(fixture(name), false);
      assert.equal(frames.filter((f) => f.position !== undefined).length, 0, name);
    }
  });
});

describe('batches(): once, and damage after the frames before it', () => {
  after(removeTempDir);
  it('frames() after batches() (and the reverse) throws', async () => {
    const a = await openCapture(fixture(fixtureCaptures()[0]));
    (a.batches as () => AsyncIterable<RawFrame[]>)();
    assert.throws(() => a.frames(), /only once/);
    const b = await openCapture(fixture(fixtureCaptures()[0]));
    b.frames();
    assert.throws(() => (b.batches as () => AsyncIterable<RawFrame[]>)(), /only once/);
  });

  it('a file cut inside a record: every whole frame, then CaptureError truncated', async () => {
    const name = fixtureCaptures().find((n) => n.endsWith('.pcap') && readFileSync(fixture(n)).readUInt32LE(0) === 0xa1b2c3d4) as string;
    const whole = readFileSync(fixture(name));
    const all = await viaFrames(fixture(name));
    const cut = tempFile('cut.pcap', whole.subarray(0, whole.length - 3));
    const got: RawFrame[] = [];
    await assert.rejects(
      (async () => {
        const src = await openCapture(cut);
        for await (const b of (src.batches as () => AsyncIterable<RawFrame[]>)()) got.push(...b);
      })(),
      (e: unknown) => e instanceof CaptureError && e.kind === 'truncated',
    );
    assert.equal(got.length, all.length - 1);
  });
});

describe('the first batch of a file comes from a small first read (issue 7: the first line sooner)', () => {
  // 16 KiB, then 64 KiB reads (open-capture.ts readFileChunks): the first batch holds only the records of the first
  // 16 KiB, so the pipeline starts after a quarter of a chunk's parsing. Both classic (pcap-parser) and nanosecond.
  for (const name of ['nfs3_bulk_veth_mtu1500.pcap', 'nfs3_browse_lo.pcap', 'nfs3_browse_lo_nsec_bigendian.pcap']) {
    it(name, async () => {
      const size = readFileSync(fixture(name)).length;
      assert.ok(size > 64 * 1024, `${name} is larger than one full read`);
      const src = await openCapture(fixture(name), { positions: false });
      const batches = (src.batches as () => AsyncIterable<RawFrame[]>)()[Symbol.asyncIterator]();
      const first = await batches.next();
      assert.equal(first.done, false);
      const bytes = 24 + (first.value as RawFrame[]).reduce((n, f) => n + 16 + f.capLen, 0);
      assert.ok(bytes <= 16 * 1024, `first batch: ${bytes} bytes of records`);
      assert.ok(src.bytesRead() <= 16 * 1024 + 64 * 1024, `${src.bytesRead()} bytes read so far (the first read and one ahead)`);
      await batches.return?.();
    });
  }
});
