import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteReader } from '../src/capture/byte-reader';

async function* chunks(...parts: number[][]): AsyncGenerator<Uint8Array, void, undefined> {
  for (const p of parts) yield Uint8Array.from(p);
}

test('u32 reads words in place, in one chunk and across chunk boundaries, in both byte orders', async () => {
  // every split of 12 bytes into two chunks: the words at 0, 4, 8 (and at odd offsets) read the same
  const bytes = [0x01, 0x02, 0x03, 0x04, 0xf5, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0xfc];
  const view = new DataView(Uint8Array.from(bytes).buffer);
  for (let split = 0; split <= bytes.length; split++) {
    const r = new ByteReader(chunks(bytes.slice(0, split), bytes.slice(split)), 'test');
    assert.equal(await r.ensure(12), true);
    for (let at = 0; at + 4 <= 12; at++) {
      assert.equal(r.u32(at, false), view.getUint32(at, false), `split ${split} at ${at} BE`);
      assert.equal(r.u32(at, true), view.getUint32(at, true), `split ${split} at ${at} LE`);
    }
    assert.equal(r.offset, 0, 'u32 consumes nothing');
    r.discard(5);
    assert.equal(r.offset, 5);
    assert.equal(r.buffered, 7);
    assert.equal(r.u32(0, false), view.getUint32(5, false));
    assert.deepEqual([...r.take(7)], bytes.slice(5));
  }
});

test('discard refuses more than is buffered', async () => {
  const r = new ByteReader(chunks([1, 2, 3]), 'test');
  await r.ensure(3);
  assert.throws(() => r.discard(4), RangeError);
  r.discard(3);
  assert.equal(r.buffered, 0);
});
