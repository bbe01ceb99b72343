/**
 * The shared budget for partial TCP records (src/rpc/record-budget.ts, --max-record-buffer): what every direction
 * holds is summed, and past the budget the partial record held longest is cut — emitted truncated with
 * 'record_buffer_full', its rest skipped so the stream stays in sync.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordBudget, type BudgetHolder } from '../src/rpc/record-budget';
import { concat } from './helpers/bytes';
import { buildCall, frameRecord, recordMark } from './helpers/rpc-builders';
import { runTcp, TcpSession, xidOf } from './helpers/tcp-session';
import type { L4Packet } from '../src/net/l4-packet';

const NFS = 100003;

/** A WRITE-like call of `n` body bytes. */
function call(xid: number, n: number): Uint8Array {
  return buildCall({ xid, prog: NFS, vers: 3, proc: 7, body: new Uint8Array(n).fill(xid & 0xff) });
}

class FakeHolder implements BudgetHolder {
  cuts = 0;
  constructor(
    readonly name: string,
    private readonly budget: RecordBudget,
    private readonly log: string[],
  ) {}
  cutForBudget(): void {
    this.cuts++;
    this.log.push(this.name);
    this.budget.set(this, 0);
  }
}

test('RecordBudget: past the budget the holder whose record began holding first is cut, until the total fits', () => {
  const log: string[] = [];
  const b = new RecordBudget(100);
  const [a, c, d] = ['a', 'c', 'd'].map((n) => new FakeHolder(n, b, log));
  b.set(a, 40, true);
  b.set(c, 40, true);
  b.enforce();
  assert.deepEqual(log, []);
  // a's record grows: it keeps its place in the line
  b.set(a, 50);
  b.set(d, 30, true);
  assert.equal(b.held, 120);
  b.enforce();
  assert.deepEqual(log, ['a'], 'the oldest goes, once: 70 fits');
  assert.equal(b.held, 70);
  // c finishes its record and starts another: the new one goes to the back, behind d
  b.set(c, 60, true);
  b.set(d, 50);
  b.enforce();
  assert.deepEqual(log, ['a', 'd']);
  assert.equal(b.held, 60);
  assert.equal(b.cuts, 2);
  assert.equal(b.peak, 120);
});

test('RecordBudget: a holder that does not give its bytes up is dropped from the line, not asked forever', () => {
  const b = new RecordBudget(10);
  let asked = 0;
  const stubborn: BudgetHolder = { cutForBudget: () => asked++ };
  b.set(stubborn, 50, true);
  b.enforce();
  assert.equal(asked, 1);
  assert.equal(b.held, 0);
});

/** Three connections, each sending the first `head` bytes of a 20 000-byte record, one after the other. */
function threePartial(head: number): { sessions: TcpSession[]; packets: L4Packet[]; records: Uint8Array[] } {
  const sessions = [0, 1, 2].map((i) => new TcpSession({ addr: '10.0.0.1', port: 900 + i }, { addr: '10.0.0.2', port: 2049 }, {}, 1 + i * 100));
  const records = sessions.map((_, i) => frameRecord(call(0x100 + i, 20_000)));
  const packets: L4Packet[] = [];
  for (const s of sessions) packets.push(...s.handshake());
  sessions.forEach((s, i) => packets.push(s.segment('c', records[i].subarray(0, head))));
  return { sessions, packets, records };
}

test('partial records of several connections past --max-record-buffer: the oldest is cut truncated, its stream stays in sync', () => {
  const { sessions, packets, records } = threePartial(5000);
  assert.equal(packets.length, 12, 'three handshakes, then the three first segments');
  // connection 0 then sends the rest of its record and a whole next call; connection 1 finishes its record
  packets.push(sessions[0].segment('c', concat(records[0].subarray(5000), frameRecord(call(0x200, 100)))));
  packets.push(sessions[1].segment('c', records[1].subarray(5000)));
  const res = runTcp(packets, { records: { maxRecordBuffer: 12_000 } });
  const got = res.records.map((r) => [xidOf(r), r.truncated, r.anomalies.join(','), r.bytes.length]);
  assert.deepEqual(got, [
    [0x100, true, 'record_buffer_full', 4996], // cut when the third connection's bytes came: 15 000 > 12 000
    [0x200, false, '', call(0x200, 100).length], // the rest of 0x100 skipped by counting: the next record is whole
    [0x101, false, '', records[1].length - 4],
    [0x102, true, 'record_truncated', 4996], // flushed at the end, within the budget
  ]);
  assert.equal(res.records[0].frameNo, packets[9].frameNo, 'a truncated record carries the frame where it began');
  assert.equal(res.layer.counters.record_buffer_full, 1);
  assert.equal(res.layer.stats.budgetCutRecords, 1);
  assert.equal(res.layer.budget.held, 0, 'nothing held once every stream ended');
  assert.ok(res.layer.budget.peak <= 12_000 + 5000, String(res.layer.budget.peak));
});

test('without the budget reached, partial records are left alone', () => {
  const { packets } = threePartial(5000);
  const res = runTcp(packets, { records: { maxRecordBuffer: 15_000 } });
  assert.deepEqual(res.records.map((r) => r.anomalies.join(',')), ['record_truncated', 'record_truncated', 'record_truncated']);
  assert.equal(res.layer.counters.record_buffer_full, undefined);
});

test('a record cut between two fragments: its later fragments are skipped, even with a mark split across segments', () => {
  const s0 = new TcpSession({ addr: '10.0.0.1', port: 900 }, undefined, {}, 1);
  const s1 = new TcpSession({ addr: '10.0.0.1', port: 901 }, undefined, {}, 100);
  const body = call(0x300, 9000);
  const first = concat(recordMark(6000, false), body.subarray(0, 6000));
  const rest = concat(recordMark(body.length - 6000, true), body.subarray(6000));
  const packets = [...s0.handshake(), ...s1.handshake()];
  // connection 0: a whole non-last fragment and 2 bytes of the next mark; then connection 1 pushes past the budget
  packets.push(s0.segment('c', concat(first, rest.subarray(0, 2))));
  packets.push(s1.segment('c', frameRecord(call(0x301, 8000)).subarray(0, 7000)));
  packets.push(s0.segment('c', concat(rest.subarray(2), frameRecord(call(0x302, 40)))));
  const res = runTcp(packets, { records: { maxRecordBuffer: 10_000 } });
  assert.deepEqual(
    res.records.map((r) => [xidOf(r), r.truncated, r.anomalies.join(',')]),
    [
      [0x300, true, 'record_buffer_full'],
      [0x302, false, ''],
      [0x301, true, 'record_truncated'],
    ],
  );
  assert.equal(res.records[0].bytes.length, 6000);
});
