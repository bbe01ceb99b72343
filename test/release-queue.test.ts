import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReleaseQueue } from '../src/rpc/release-queue';
import type { RpcEvent } from '../src/rpc/rpc-event';
import type { Transaction } from '../src/rpc/pairing';

function tx(): Transaction {
  const t = { sec: 0, nsec: 0 };
  return {
    id: 1, xid: 1, prog: 100003, vers: 3, proc: 1, callFrame: 1, callTs: t, lastCallFrame: 1, lastCallTs: t,
    callCount: 1, replyFrame: null, replyTs: null, replyCount: 0, rtt: null, state: 'pending', evicted: false, args: undefined,
  };
}

function ev(seq: number, type: 'call' | 'reply', t: Transaction | null, size = 10): RpcEvent {
  return {
    seq,
    record: { bytes: new Uint8Array(size) } as unknown as RpcEvent['record'],
    msg: { type, xid: 1 } as unknown as RpcEvent['msg'],
    prog: null, vers: null, proc: null, programName: null, procedureName: null,
    tx: t, flags: [], retransmitOf: null, anomalies: [], status: null, decodeError: null, frame: null,
  };
}

test('a pending call holds back everything after it, in order, until it is resolved', () => {
  const out: number[] = [];
  const q = new ReleaseQueue({ hold: true, maxMessages: 100, maxBytes: 1000 }, (e) => out.push(e.seq));
  const a = tx();
  q.push(ev(1, 'call', a));
  q.push(ev(2, 'reply', null));
  assert.deepEqual(out, []);
  a.state = 'answered';
  q.push(ev(3, 'reply', a));
  assert.deepEqual(out, [1, 2, 3]);
});

test('without hold every message goes at once', () => {
  const out: number[] = [];
  const q = new ReleaseQueue({ hold: false, maxMessages: 100, maxBytes: 1000 }, (e) => out.push(e.seq));
  q.push(ev(1, 'call', tx()));
  assert.deepEqual(out, [1]);
});

test('the bounds release the oldest message as it stands', () => {
  const out: number[] = [];
  const q = new ReleaseQueue({ hold: true, maxMessages: 2, maxBytes: 1 << 20 }, (e) => out.push(e.seq));
  q.push(ev(1, 'call', tx()));
  q.push(ev(2, 'call', tx()));
  assert.deepEqual(out, []);
  q.push(ev(3, 'call', tx()));
  assert.deepEqual(out, [1]);
  const bytes: number[] = [];
  const qb = new ReleaseQueue({ hold: true, maxMessages: 100, maxBytes: 100 }, (e) => bytes.push(e.seq));
  qb.push(ev(1, 'call', tx(), 60));
  qb.push(ev(2, 'call', tx(), 60));
  assert.deepEqual(bytes, [1]);
  qb.finish();
  assert.deepEqual(bytes, [1, 2]);
});

test('calls released by a bound while still waiting are counted', () => {
  const out: number[] = [];
  const q = new ReleaseQueue({ hold: true, maxMessages: 2, maxBytes: 1 << 20 }, (e) => out.push(e.seq));
  for (let i = 1; i <= 5; i++) q.push(ev(i, 'call', tx()));
  assert.deepEqual(out, [1, 2, 3]);
  assert.equal(q.forcedOut, 3);
  q.finish();
  assert.equal(q.forcedOut, 3, 'the end of input is not a bound');
});
