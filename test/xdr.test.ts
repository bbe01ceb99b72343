import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XdrReader, XdrError } from '../src/rpc/xdr';

const bytes = (...words: number[]): Uint8Array => {
  const b = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => b.writeUInt32BE(w >>> 0, i * 4));
  return b;
};

test('reads unsigned, signed, hyper and bool', () => {
  const r = new XdrReader(bytes(0xffffffff, 0xfffffffe, 0x00000001, 0x00000002, 1));
  assert.equal(r.u32(), 0xffffffff);
  assert.equal(r.i32(), -2);
  assert.equal(r.u64(), (1n << 32n) + 2n);
  assert.equal(r.bool(), true);
  assert.equal(r.remaining, 0);
});

test('opaque and string are padded to 4 and returned as views', () => {
  const b = Buffer.concat([bytes(5), Buffer.from('hello\0\0\0'), bytes(7)]);
  const r = new XdrReader(b);
  const s = r.opaque(16);
  assert.equal(Buffer.from(s).toString(), 'hello');
  assert.equal(s.buffer, b.buffer, 'a view, not a copy');
  assert.equal(r.u32(), 7);
});

test('a length of 0xffffffff fails fast without allocating', () => {
  const r = new XdrReader(bytes(0xffffffff, 1, 2));
  assert.throws(() => r.opaque(1 << 20), (e: unknown) => e instanceof XdrError && e.kind === 'length_exceeded');
});

test('a length within the cap but past the data is a short read', () => {
  const r = new XdrReader(bytes(100, 1, 2));
  assert.throws(() => r.string(1000), (e: unknown) => e instanceof XdrError && e.kind === 'short');
});

test('count() rejects arrays that cannot fit in what remains', () => {
  const r = new XdrReader(bytes(1000, 1, 2));
  assert.throws(() => r.count(1 << 30, 4, 'gids'), XdrError);
});

test('reading past the end of a sub-range fails even when the buffer goes on', () => {
  const r = new XdrReader(bytes(1, 2, 3), 0, 8);
  r.u32();
  r.u32();
  assert.throws(() => r.u32(), XdrError);
});
