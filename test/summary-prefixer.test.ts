import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summaryPrefix, SummaryPrefixer } from '../src/format/summary-prefix';

test('SummaryPrefixer gives summaryPrefix text for every line, whatever addresses it remembers', () => {
  const addrs = ['10.0.0.1', '10.0.0.2', '192.168.100.200', 'fe80::1', '2001:db8:1234:5678::abcd', '1.1.1.1', ''];
  const p = new SummaryPrefixer();
  let n = 0;
  // every ordered pair, twice over, in an order that both hits and misses the memos
  for (let round = 0; round < 2; round++) {
    for (const src of addrs) {
      for (const dst of addrs) {
        for (const frameNo of [1, 99, 100, 999, 1000, 1234567]) {
          n++;
          assert.equal(p.prefix(frameNo, '  0.00012', src, dst), summaryPrefix(frameNo, '  0.00012', src, dst));
          assert.equal(p.prefix(frameNo, '  1.00000', dst, src), summaryPrefix(frameNo, '  1.00000', dst, src));
        }
      }
    }
  }
  assert.equal(n, 2 * addrs.length * addrs.length * 6);
});

test('SummaryPrefixer stays right when more addresses pass than its memo holds (the memo starts afresh)', () => {
  const p = new SummaryPrefixer();
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 10_000; i++) {
      const src = `10.${i >> 8}.${i & 255}.${round}`;
      const dst = `172.16.${i & 255}.${i >> 8}`;
      assert.equal(p.prefix(i, '  0.00001', src, dst), summaryPrefix(i, '  0.00001', src, dst));
    }
  }
});
