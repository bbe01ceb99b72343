import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PairingTable, type Conversation, type Transaction } from '../src/rpc/pairing';

const ts = (sec: number, nsec = 0) => ({ sec, nsec });
const udp = (client = '10.0.0.1', clientPort = 800, server = '10.0.0.2'): Conversation => ({
  transport: 'udp',
  connId: null,
  client,
  clientPort,
  server,
  serverPort: 2049,
});
const tcp = (connId: string, clientPort = 900): Conversation => ({
  transport: 'tcp',
  connId,
  client: '10.0.0.1',
  clientPort,
  server: '10.0.0.2',
  serverPort: 2049,
});

test('a reply pairs with its call and gets the RTT', () => {
  const p = new PairingTable();
  const c = p.call(udp(), 7, 100003, 3, 1, 1, ts(10));
  assert.deepEqual(c.flags, []);
  const r = p.reply(udp(), 7, 2, ts(10, 2_500_000));
  assert.equal(r.tx, c.tx);
  assert.equal(r.tx?.callFrame, 1);
  assert.equal(r.tx?.replyFrame, 2);
  assert.ok(Math.abs((r.tx?.rtt ?? 0) - 0.0025) < 1e-12);
  assert.equal(p.counters.pairs, 1);
});

test('UDP retransmission from another source port is one transaction; RTT from the first send', () => {
  const p = new PairingTable();
  const first = p.call(udp('10.0.0.1', 800), 9, 100003, 3, 6, 1, ts(0));
  const again = p.call(udp('10.0.0.1', 801), 9, 100003, 3, 6, 5, ts(1));
  assert.deepEqual(again.flags, ['retransmit']);
  assert.equal(again.retransmitOf, 1);
  assert.equal(again.tx, first.tx);
  const r = p.reply(udp('10.0.0.1', 801), 9, 6, ts(1, 1000));
  assert.equal(r.tx?.callFrame, 1);
  assert.equal(r.tx?.lastCallFrame, 5);
  assert.equal(r.tx?.callCount, 2);
});

test('one client, two servers, same XID: two transactions', () => {
  const p = new PairingTable();
  const a = p.call(udp('10.0.0.1', 800, '10.0.0.2'), 5, 100003, 3, 1, 1, ts(0));
  const b = p.call(udp('10.0.0.1', 800, '10.0.0.3'), 5, 100003, 3, 1, 2, ts(0));
  assert.deepEqual(b.flags, []);
  assert.notEqual(a.tx, b.tx);
  assert.equal(p.reply(udp('10.0.0.1', 800, '10.0.0.3'), 5, 3, ts(0, 10)).tx, b.tx);
  assert.equal(p.reply(udp('10.0.0.1', 800, '10.0.0.2'), 5, 4, ts(0, 20)).tx, a.tx);
});

test('TCP: the same XID on two connections are two transactions', () => {
  const p = new PairingTable();
  const a = p.call(tcp('A', 900), 5, 100003, 3, 1, 1, ts(0));
  const b = p.call(tcp('B', 901), 5, 100003, 3, 3, 2, ts(0));
  assert.notEqual(a.tx, b.tx);
  assert.equal(p.reply(tcp('B', 901), 5, 3, ts(0, 1)).tx?.proc, 3);
  assert.equal(p.reply(tcp('A', 900), 5, 4, ts(0, 2)).tx?.proc, 1);
});

test('TCP: the same call resent on a new connection is flagged as a retransmission', () => {
  const p = new PairingTable();
  p.call(tcp('A', 900), 5, 100003, 3, 1, 1, ts(0));
  const b = p.call(tcp('B', 901), 5, 100003, 3, 1, 9, ts(30));
  assert.deepEqual(b.flags, ['retransmit']);
  assert.equal(b.retransmitOf, 1);
});

test('XID reuse with another procedure starts a new pair instead of decoding against the old call', () => {
  const p = new PairingTable();
  const old = p.call(udp(), 3, 100003, 3, 1, 1, ts(0));
  p.reply(udp(), 3, 2, ts(0, 1));
  const reuse = p.call(udp(), 3, 100003, 3, 6, 3, ts(1));
  assert.deepEqual(reuse.flags, ['xid_reuse']);
  assert.notEqual(reuse.tx, old.tx);
  const r = p.reply(udp(), 3, 4, ts(1, 1));
  assert.equal(r.tx?.proc, 6);
  assert.deepEqual(r.flags, []);
});

test('duplicate and orphan replies', () => {
  const p = new PairingTable();
  p.call(udp(), 1, 100005, 3, 1, 1, ts(0));
  p.reply(udp(), 1, 2, ts(0, 5));
  const dup = p.reply(udp(), 1, 3, ts(0, 9));
  assert.deepEqual(dup.flags, ['duplicate_reply']);
  assert.equal(dup.tx?.callFrame, 1);
  const orphan = p.reply(udp(), 99, 4, ts(1));
  assert.equal(orphan.tx, null);
  assert.deepEqual(orphan.flags, ['orphan_reply']);
  assert.equal(p.counters.duplicateReplies, 1);
  assert.equal(p.counters.orphanReplies, 1);
});

test('calls without a reply become unanswered after the timeout and at the end', () => {
  const resolved: Transaction[] = [];
  const p = new PairingTable({ maxTransactions: 100, replyTimeout: 5, reuseAfter: 5 }, (tx) => resolved.push(tx));
  const a = p.call(udp(), 1, 100000, 2, 3, 1, ts(0));
  const b = p.call(udp(), 2, 100000, 2, 3, 2, ts(4));
  p.sweep(ts(5));
  assert.equal(a.tx.state, 'pending');
  p.sweep(ts(6));
  assert.equal(a.tx.state, 'unanswered');
  assert.equal(b.tx.state, 'pending');
  p.finish();
  assert.equal(b.tx.state, 'unanswered');
  assert.deepEqual(resolved, [a.tx, b.tx]);
  assert.equal(p.counters.unanswered, 2);
});

test('a reply after the timeout still pairs, flagged late', () => {
  const p = new PairingTable({ maxTransactions: 100, replyTimeout: 1, reuseAfter: 1 });
  p.call(udp(), 1, 100003, 3, 0, 1, ts(0));
  p.sweep(ts(3));
  const r = p.reply(udp(), 1, 2, ts(3));
  assert.deepEqual(r.flags, ['late_reply']);
  assert.equal(r.tx?.state, 'answered');
  assert.equal(p.counters.unanswered, 0);
});

test('the table is bounded: the oldest call is evicted, counted and resolved as unanswered', () => {
  const resolved: Transaction[] = [];
  const p = new PairingTable({ maxTransactions: 3, replyTimeout: 60, reuseAfter: 60 }, (tx) => resolved.push(tx));
  for (let i = 0; i < 5; i++) p.call(udp(), i, 100003, 3, 1, i + 1, ts(0));
  assert.equal(p.size, 3);
  assert.equal(p.counters.evicted, 2);
  assert.deepEqual(
    resolved.map((t) => [t.xid, t.evicted]),
    [
      [0, true],
      [1, true],
    ],
  );
  assert.equal(p.reply(udp(), 0, 9, ts(1)).tx, null, 'the evicted call no longer pairs');
});

test('a closed TCP connection forgets its answered and unanswered transactions; its pending calls stay', () => {
  const p = new PairingTable({ maxTransactions: 100, replyTimeout: 60, reuseAfter: 60 });
  const answered = p.call(tcp('c1'), 1, 100003, 3, 1, 1, ts(0));
  p.reply(tcp('c1'), 1, 2, ts(0, 1000));
  const pending = p.call(tcp('c1'), 2, 100003, 3, 1, 3, ts(1));
  p.call(tcp('c2'), 1, 100003, 3, 1, 4, ts(1));
  p.reply(tcp('c2'), 1, 5, ts(1, 1000));
  assert.equal(p.size, 3);
  p.closeConnection('c1');
  assert.equal(p.size, 2, 'the answered call of c1 is forgotten, the pending one and c2 stay');
  assert.equal(answered.tx.state, 'answered');
  assert.equal(pending.tx.state, 'pending');
  // the pending call is resolved as before: at the end, unanswered, not evicted
  p.finish();
  assert.equal(pending.tx.state, 'unanswered');
  assert.equal(pending.tx.evicted, false);
  assert.equal(p.counters.evicted, 0);
});

test('answered transactions are bounded on their own (maxAnswered), the most recently answered kept', () => {
  const p = new PairingTable({ maxTransactions: 1000, replyTimeout: 60, reuseAfter: 60, maxAnswered: 3 });
  for (let x = 1; x <= 5; x++) {
    p.call(udp(), x, 100003, 3, 1, 2 * x - 1, ts(x));
    p.reply(udp(), x, 2 * x, ts(x, 1000));
  }
  const pending = p.call(udp(), 99, 100003, 3, 1, 20, ts(6));
  assert.equal(p.size, 4, '3 answered + 1 pending');
  assert.equal(p.counters.forgottenAnswered, 2);
  assert.equal(p.counters.evicted, 0);
  // a duplicate of a remembered reply is still one; of a forgotten one, an orphan
  assert.deepEqual(p.reply(udp(), 5, 30, ts(7)).flags, ['duplicate_reply']);
  assert.deepEqual(p.reply(udp(), 1, 31, ts(7)).flags, ['orphan_reply']);
  assert.equal(pending.tx.state, 'pending');
});

test('eviction takes the oldest transaction in table order, also after XID reuse and forgotten connections', () => {
  const p = new PairingTable({ maxTransactions: 3, replyTimeout: 60, reuseAfter: 60 });
  const a = p.call(udp(), 1, 100003, 3, 1, 1, ts(0));
  const b = p.call(udp(), 2, 100003, 3, 1, 2, ts(0));
  // XID 1 again with another procedure: a new transaction, now the newest
  const a2 = p.call(udp(), 1, 100003, 3, 4, 3, ts(0));
  assert.deepEqual(a2.flags, ['xid_reuse']);
  const c = p.call(tcp('c9'), 3, 100003, 3, 1, 4, ts(0));
  p.reply(tcp('c9'), 3, 5, ts(0, 10));
  p.closeConnection('c9');
  const d = p.call(udp(), 4, 100003, 3, 1, 6, ts(0));
  const e = p.call(udp(), 5, 100003, 3, 1, 7, ts(0));
  // table: b, a2, d, e → b (the oldest) is evicted; a (replaced) and c (forgotten) are skipped
  assert.equal(p.counters.evicted, 1);
  assert.equal(b.tx.evicted, true);
  assert.equal(a.tx.evicted, false);
  assert.equal(c.tx.state, 'answered');
  assert.equal(a2.tx.evicted, false);
  assert.equal(d.tx.state, 'pending');
  assert.equal(e.tx.state, 'pending');
  assert.equal(p.counters.evictedPending, 1);
});

test('many transactions keep the table within its bound and evict in creation order', () => {
  const p = new PairingTable({ maxTransactions: 1000, replyTimeout: 60, reuseAfter: 60 });
  const txs: Transaction[] = [];
  for (let x = 1; x <= 5000; x++) txs.push(p.call(udp(), x, 100003, 3, 1, x, ts(0)).tx);
  assert.equal(p.size, 1000);
  assert.equal(p.counters.evicted, 4000);
  assert.ok(txs.slice(0, 4000).every((t) => t.evicted));
  assert.ok(txs.slice(4000).every((t) => !t.evicted && t.state === 'pending'));
});
