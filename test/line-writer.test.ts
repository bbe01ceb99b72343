/**
 * src/cli/line-writer.ts: lines are batched into large writes, except a line after a quiet spell, which is written
 * at once (the first line of a run does not wait for 64 KiB of others).
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { LineWriter } from '../src/cli/line-writer';

function sink(): { stream: Writable; writes: string[] } {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      writes.push(chunk.toString());
      cb();
    },
  });
  return { stream, writes };
}

test('the first line is written at once; the lines right after it wait for a full chunk or flush()', async () => {
  const { stream, writes } = sink();
  const w = new LineWriter(stream, 1024);
  w.line('first');
  assert.deepEqual(writes, ['first\n']);
  for (let i = 0; i < 10; i++) w.line(`line ${i}`);
  assert.equal(writes.length, 1, 'batched');
  await w.flush();
  assert.equal(writes.length, 2);
  assert.equal(writes[1], Array.from({ length: 10 }, (_, i) => `line ${i}`).join('\n') + '\n');
  // chunks fill: writes of about the limit (200 lines of 21 bytes: 4 full chunks, the rest buffered)
  for (let i = 0; i < 200; i++) w.line('x'.repeat(20));
  assert.equal(writes.length, 6);
  for (const c of writes.slice(2)) assert.ok(c.length >= 1024 && c.length < 1024 + 22, String(c.length));
});

test('a line that starts a new chunk more than 50 ms after the last write is written at once', async () => {
  const { stream, writes } = sink();
  const w = new LineWriter(stream, 1 << 20);
  w.line('a');
  w.line('b');
  assert.deepEqual(writes, ['a\n']);
  await w.flush();
  w.line('c'); // right after a write: batched
  assert.deepEqual(writes, ['a\n', 'b\n']);
  await w.flush();
  await new Promise((r) => setTimeout(r, 80));
  w.line('d');
  assert.deepEqual(writes, ['a\n', 'b\n', 'c\n', 'd\n']);
});
