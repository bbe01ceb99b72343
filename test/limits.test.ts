/** LimitWatch (src/limits.ts): a cap is reported once, at the first check that sees its count above 0. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LIMIT_SPECS, LimitWatch, limitNoticeJson, limitNoticeText, type LimitNotice } from '../src/limits';
import { ANOMALIES } from '../src/anomaly';

test('each cap is reported once, at the frame where its count first leaves 0', () => {
  const counts = { pending: 0, streams: 0 };
  const seen: LimitNotice[] = [];
  const w = new LimitWatch(
    [
      { name: 'pending', value: 10, count: () => counts.pending },
      { name: 'streams', value: 5, count: () => counts.streams },
    ],
    (n) => seen.push(n),
  );
  w.check(1, { sec: 1, nsec: 0 });
  assert.equal(seen.length, 0);
  counts.streams = 1;
  w.check(2, { sec: 2, nsec: 0 });
  counts.streams = 7;
  counts.pending = 3;
  w.check(3, { sec: 3, nsec: 0 });
  w.check(4, { sec: 4, nsec: 0 });
  w.check(0, null);
  assert.deepEqual(
    seen.map((n) => [n.limit, n.anomaly, n.option, n.value, n.frameNo]),
    [
      ['streams', 'tcp_stream_table_full', '--max-streams', 5, 2],
      ['pending', 'pairing_table_full', '--max-pending', 10, 3],
    ],
  );
});

test('a cap reached only at the end of input is reported then', () => {
  let n = 0;
  const seen: LimitNotice[] = [];
  const w = new LimitWatch([{ name: 'record', value: 64, count: () => n }], (x) => seen.push(x));
  w.check(9, { sec: 9, nsec: 0 });
  n = 1;
  w.check(0, null);
  assert.equal(seen.length, 1);
  assert.match(limitNoticeText(seen[0]), /^rpcsnoop: limit reached at the end of input: more than 64 bytes in a TCP record/);
  assert.deepEqual(JSON.parse(limitNoticeJson(seen[0])), { type: 'limit', anomaly: 'record_too_large', limit: 'record', option: '--max-record-size', value: 64, frame: 0, time: null });
});

test('every cap has a known anomaly name and an option', () => {
  for (const s of Object.values(LIMIT_SPECS)) {
    assert.ok((ANOMALIES as readonly string[]).includes(s.anomaly), s.anomaly);
    assert.match(s.option, /^--max-[a-z-]+$/);
  }
});
