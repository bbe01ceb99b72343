import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MapQueue } from '../src/map-queue';
import { xorshift32 } from '../src/xorshift';


test('shift() removes entries oldest first, like a model list, through sets, moves, deletes and clears', () => {
  for (const seed of [1, 2, 3, 42, 1234]) {
    const r = xorshift32(seed);
    const map = new Map<number, string>();
    const q = new MapQueue(map);
    let model: number[] = []; // keys in insertion order
    for (let step = 0; step < 20_000; step++) {
      const op = r();
      const k = Math.floor(r() * 300);
      if (op < 0.45) {
        // set: a new key goes to the end; an existing key keeps its place (Map semantics)
        if (!map.has(k)) model.push(k);
        map.set(k, `v${k}`);
      } else if (op < 0.55) {
        // move to the end (delete, then set), as LRU tables do
        map.delete(k);
        model = model.filter((x) => x !== k);
        map.set(k, `v${k}`);
        model.push(k);
      } else if (op < 0.65) {
        map.delete(k);
        model = model.filter((x) => x !== k);
      } else if (op < 0.66) {
        map.clear();
        model = [];
      } else {
        const got = q.shift();
        const want = model.shift();
        if (want === undefined) assert.equal(got, undefined);
        else assert.deepEqual(got, [want, `v${want}`], `seed ${seed} step ${step}`);
      }
      assert.equal(map.size, model.length);
    }
    // drain: everything, in order, then undefined
    const rest: number[] = [];
    for (let e = q.shift(); e; e = q.shift()) rest.push(e[0]);
    assert.deepEqual(rest, model);
    assert.equal(q.shift(), undefined);
  }
});

test('shift() after the map emptied and refilled starts again at the front', () => {
  const map = new Map<string, number>();
  const q = new MapQueue(map);
  map.set('a', 1);
  assert.deepEqual(q.shift(), ['a', 1]);
  assert.equal(q.shift(), undefined);
  map.set('b', 2).set('c', 3);
  assert.deepEqual(q.shift(), ['b', 2]);
  map.set('d', 4);
  assert.deepEqual(q.shift(), ['c', 3]);
  assert.deepEqual(q.shift(), ['d', 4]);
  assert.equal(map.size, 0);
});

test('a bounded map evicting on every insertion keeps the newest entries, in order', () => {
  const map = new Map<number, number>();
  const q = new MapQueue(map);
  const cap = 50_000;
  const evicted: number[] = [];
  for (let i = 0; i < 4 * cap; i++) {
    map.set(i, i);
    while (map.size > cap) evicted.push((q.shift() as [number, number])[0]);
  }
  assert.equal(map.size, cap);
  assert.equal(map.keys().next().value, 3 * cap);
  assert.equal(evicted.length, 3 * cap);
  assert.ok(evicted.every((k, i) => k === i));
});
