/**
 * src/programs/detach-value.ts: what pairing keeps of an answered call's arguments holds no view of the call's
 * record (so a 1 MiB WRITE's buffer can be freed), and shows exactly as the decoded arguments in JSON.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toJsonValue } from '../src/format/json-value';
import { detachValue } from '../src/programs/detach-value';
import { FileHandle } from '../src/programs/file-handle';
import { fixtureCaptures } from './helpers/fixtures';
import { fixtureEvents } from './helpers/program-harness';

/** Every Uint8Array reachable from a value (file handles' bytes included). */
function views(v: unknown, out: Uint8Array[] = [], depth = 0): Uint8Array[] {
  if (v === null || typeof v !== 'object' || depth > 64) return out;
  if (v instanceof FileHandle) out.push(v.bytes);
  else if (v instanceof Uint8Array) out.push(v);
  else for (const x of Object.values(v as Record<string, unknown>)) views(x, out, depth + 1);
  return out;
}

test('every call of every fixture: detached arguments share no buffer with the record and render the same JSON', async () => {
  const path = (): string | null => null;
  let calls = 0;
  let withViews = 0;
  for (const name of fixtureCaptures()) {
    for (const ev of await fixtureEvents(name)) {
      if (ev.msg.type !== 'call' || ev.args === undefined) continue;
      calls++;
      const d = detachValue(ev.args);
      const vs = views(d);
      if (views(ev.args).length > 0) withViews++;
      for (const v of vs) assert.notEqual(v.buffer, ev.record.bytes.buffer, `${name} frame ${ev.record.frameNo}: a view of the record survived`);
      for (const v of vs) assert.ok(v.byteLength <= 64, `${name} frame ${ev.record.frameNo}: ${v.byteLength} bytes kept`);
      assert.deepEqual(toJsonValue(d, path), toJsonValue(ev.args, path), `${name} frame ${ev.record.frameNo}`);
    }
  }
  assert.ok(calls > 1000 && withViews > 500, `${calls} calls, ${withViews} with views`);
});

test('bulk data keeps its length and first 32 bytes; small opaques and handles are copies', () => {
  const record = new Uint8Array(2000).map((_, i) => i & 0xff);
  const args = { file: new FileHandle(record.subarray(8, 40)), verf: record.subarray(40, 48), data: record.subarray(100, 1100), count: 1000, list: [record.subarray(0, 4)] };
  const d = detachValue(args) as { file: FileHandle; verf: Uint8Array; data: { length: number; head: Uint8Array }; count: number; list: Uint8Array[] };
  assert.equal(d.count, 1000);
  assert.equal(d.file.hex, args.file.hex);
  assert.notEqual(d.file.bytes.buffer, record.buffer);
  assert.deepEqual([...d.verf], [...args.verf]);
  assert.equal(d.data.length, 1000);
  assert.deepEqual([...d.data.head], [...record.subarray(100, 132)]);
  assert.deepEqual([...d.list[0]], [0, 1, 2, 3]);
  assert.notEqual(d.list[0].buffer, record.buffer);
});
