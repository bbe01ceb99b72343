/**
 * tui/store.ts: pipeline events in, transaction rows out — a call, its retransmissions and its replies in one row;
 * orphan replies and `-a` frames in rows of their own; the counters of the status bar; the bound on rows; live
 * transactions that become unanswered after they were pushed (refresh()); filtering rows with the display filter.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileFilter, DEFAULT_PIPELINE, Pipeline, type PipelineEvent, type PipelineOptions, type RawFrame } from '../src/index';
import { rowMessages, rowState, TransactionStore } from '../tui/store';
import { readFrames } from './helpers/capture-packets';
import { fixture } from './helpers/fixtures';
import { ethernet, frame, ipv4, udp } from './helpers/net-builders';
import { buildAcceptedReply, buildCall, XdrWriter } from './helpers/rpc-builders';

async function feed(name: string, store: TransactionStore, opts: Partial<PipelineOptions> = {}): Promise<Pipeline> {
  return feedFrames(await readFrames(fixture(name)), store, opts);
}

function feedFrames(frames: RawFrame[], store: TransactionStore, opts: Partial<PipelineOptions> = {}, finish = true): Pipeline {
  const p = new Pipeline({ ...DEFAULT_PIPELINE, ...opts }, (ev: PipelineEvent) => store.push(ev));
  for (const f of frames) p.pushFrame(f);
  if (finish) p.finish();
  store.refresh();
  return p;
}

/** UDP datagrams between a client and an NFS server, one frame each, 1 ms apart. */
function udpFrames(msgs: Array<{ from: 'c' | 's'; bytes: Uint8Array }>): RawFrame[] {
  return msgs.map((m, i) => {
    const [src, dst, sport, dport] = m.from === 'c' ? ['10.1.0.2', '10.1.0.1', 800, 2049] : ['10.1.0.1', '10.1.0.2', 2049, 800];
    return frame(ethernet(ipv4(udp(m.bytes, { sport, dport }), { src, dst, protocol: 17 })), 1, { frameNo: i + 1, sec: 1_700_000_000, nsec: i * 1_000_000 });
  });
}

const getattr = (xid: number): Uint8Array => buildCall({ xid, prog: 100003, vers: 3, proc: 1, body: new XdrWriter().opaque(new Uint8Array(8).fill(7)).bytes() });
const nullReply = (xid: number): Uint8Array => buildAcceptedReply({ xid, acceptStat: 1 }); // PROG_UNAVAIL: no body needed

test('lab mount sequence: 16 transactions, one row each with its call and its reply; counters', async () => {
  const store = new TransactionStore();
  const p = await feed('lab_mount_sequence_lo.pcap', store);
  assert.equal(store.size, 16);
  for (let i = 0; i < store.size; i++) {
    const r = store.row(i)!;
    assert.equal(r.kind, 'transaction');
    assert.equal(r.calls.length, 1);
    assert.equal(r.replies.length, 1);
    assert.equal(rowState(r), 'answered');
    assert.equal(r.calls[0].tx, r.replies[0].tx);
    assert.equal(r.txId, r.calls[0].tx!.id);
  }
  assert.deepEqual(
    store.rows().map((r) => r.calls[0].record.frameNo),
    [1, 3, 5, 7, 9, 11, 13, 15, 20, 30, 34, 39, 49, 53, 55, 60],
  );
  assert.equal(store.row(16), undefined);
  assert.equal(store.row(-1), undefined);
  const c = store.counters;
  assert.deepEqual(
    { messages: c.messages, calls: c.calls, replies: c.replies, pairs: c.pairs, unanswered: c.unanswered, errors: c.errors, orphans: c.orphans, evicted: c.evicted },
    { messages: 32, calls: 16, replies: 16, pairs: 16, unanswered: 0, errors: 0, orphans: 0, evicted: 0 },
  );
  assert.equal(c.messages, p.counters.messages);
  assert.equal(c.frames, 61); // the last frame that completed a message (the pipeline counts 64 frames)
  assert.ok(store.version >= 32);
  assert.deepEqual(store.firstTs, store.row(0)!.ts);
});

test('rows by filter: the transaction matches as a whole (call-side and reply-side fields together)', async () => {
  const store = new TransactionStore();
  await feed('lab_mount_sequence_lo.pcap', store);
  assert.deepEqual(
    store.rows(compileFilter('proc == MNT')).map((r) => r.calls[0].record.frameNo),
    [5, 34],
  );
  // status is a reply field, proc a call field: both rows still match as pairs
  assert.equal(store.rows(compileFilter('program == MOUNT and status == MNT3_OK')).length, 2);
  assert.equal(store.rows(compileFilter('error')).length, 0);
  assert.equal(store.rows(null).length, 16);
});

test('rpc_veth_any_sll: the calls that got no reply are unanswered rows, counted', async () => {
  const store = new TransactionStore();
  await feed('rpc_veth_any_sll.pcap', store);
  const unanswered = store.rows().filter((r) => rowState(r) === 'unanswered');
  assert.equal(unanswered.length, 9);
  assert.equal(store.counters.unanswered, 9);
  assert.deepEqual(
    unanswered.map((r) => r.calls[0].record.frameNo),
    [75, 76, 96, 120, 150, 152, 184, 217, 222],
  );
  for (const r of unanswered) assert.equal(r.replies.length, 0);
  assert.equal(store.rows(compileFilter('unanswered')).length, 9);
  assert.ok(store.counters.errors > 0); // AUTH_TOOWEAK, SYSTEM_ERR
});

test('live (no hold): a pending call becomes unanswered without a new event; refresh() counts it once', async () => {
  const frames = await readFrames(fixture('rpc_veth_any_sll.pcap'));
  const store = new TransactionStore();
  const p = feedFrames(frames, store, { hold: false }, false);
  const before = store.counters.unanswered;
  assert.ok(before < 9, `before the end of the capture: ${before}`);
  const pending = store.rows().filter((r) => rowState(r) === 'pending').length;
  assert.ok(pending > 0);
  p.finish();
  const v = store.version;
  assert.equal(store.refresh(), true);
  assert.ok(store.version > v);
  assert.equal(store.counters.unanswered, 9);
  assert.equal(store.refresh(), false);
  assert.equal(store.counters.unanswered, 9);
});

test('rpc_errors_lo_nsec: rows with an error reply are marked and counted once per row', async () => {
  const store = new TransactionStore();
  await feed('rpc_errors_lo_nsec.pcap', store);
  const errors = store.rows().filter((r) => r.error);
  assert.ok(errors.length >= 9, String(errors.length));
  assert.equal(store.counters.errors, errors.length);
  assert.equal(store.rows(compileFilter('error')).length, errors.length);
  const noent = store.rows(compileFilter('status == NOENT'));
  assert.ok(noent.length >= 1 && noent.every((r) => r.error));
});

test('retransmissions and duplicate replies join their row; an orphan reply is a row of its own', () => {
  const frames = udpFrames([
    { from: 'c', bytes: getattr(0x100) },
    { from: 'c', bytes: getattr(0x100) }, // retransmission
    { from: 's', bytes: nullReply(0x100) },
    { from: 's', bytes: nullReply(0x100) }, // duplicate reply
    { from: 's', bytes: nullReply(0x999) }, // orphan
  ]);
  const store = new TransactionStore();
  feedFrames(frames, store);
  assert.equal(store.size, 2);
  const [tx, orphan] = store.rows();
  assert.equal(tx.kind, 'transaction');
  assert.deepEqual(
    tx.calls.map((e) => e.record.frameNo),
    [1, 2],
  );
  assert.deepEqual(
    tx.replies.map((e) => e.record.frameNo),
    [3, 4],
  );
  assert.deepEqual(tx.calls[1].flags, ['retransmit']);
  assert.deepEqual(tx.replies[1].flags, ['duplicate_reply']);
  assert.deepEqual(
    rowMessages(tx).map((e) => e.seq),
    [1, 2, 3, 4],
  );
  assert.equal(orphan.kind, 'orphan');
  assert.equal(rowState(orphan), 'orphan');
  assert.equal(orphan.calls.length, 0);
  assert.equal(orphan.replies[0].msg.xid, 0x999);
  const c = store.counters;
  assert.deepEqual({ calls: c.calls, replies: c.replies, pairs: c.pairs, orphans: c.orphans, errors: c.errors }, { calls: 2, replies: 3, pairs: 1, orphans: 1, errors: 2 });
  assert.equal(store.rows(compileFilter('orphan')).length, 1);
  assert.equal(store.rows(compileFilter('retransmit and duplicate')).length, 1);
});

test('bounded: beyond maxRows the oldest rows are evicted and counted; ids stay; counters stay totals', async () => {
  const store = new TransactionStore({ maxRows: 5 });
  await feed('lab_mount_sequence_lo.pcap', store);
  assert.equal(store.size, 5);
  assert.equal(store.counters.evicted, 11);
  assert.equal(store.counters.messages, 32);
  assert.equal(store.counters.pairs, 16);
  assert.deepEqual(
    store.rows().map((r) => r.calls[0].record.frameNo),
    [39, 49, 53, 55, 60],
  );
  const ids = store.rows().map((r) => r.id);
  assert.deepEqual(ids, [12, 13, 14, 15, 16]);
  assert.equal(store.indexOfId(14), 2);
  assert.equal(store.indexOfId(3), -1); // evicted
  assert.equal(store.indexOfId(99), -1);
  assert.throws(() => new TransactionStore({ maxRows: 0 }), RangeError);
});

test('bounded with many evictions: the queue is compacted and stays correct', () => {
  const msgs: Array<{ from: 'c' | 's'; bytes: Uint8Array }> = [];
  for (let i = 0; i < 3000; i++) msgs.push({ from: 'c', bytes: getattr(i + 1) }, { from: 's', bytes: nullReply(i + 1) });
  const store = new TransactionStore({ maxRows: 10 });
  feedFrames(udpFrames(msgs), store);
  assert.equal(store.size, 10);
  assert.equal(store.counters.evicted, 2990);
  assert.deepEqual(
    store.rows().map((r) => r.calls[0].msg.xid),
    Array.from({ length: 10 }, (_, i) => 2991 + i),
  );
  assert.equal(store.row(9)!.replies.length, 1);
  assert.equal(store.indexOfId(store.row(4)!.id), 4);
});

test('-a: frames that complete no RPC message are rows of kind frame, tested on the empty view', async () => {
  const store = new TransactionStore();
  const p = await feed('lab_mount_sequence_lo.pcap', store, { allFrames: true });
  const frames = store.rows().filter((r) => r.kind === 'frame');
  assert.equal(p.counters.frames, 64);
  assert.equal(frames.length, 64 - 32); // every frame here carries at most one message
  assert.ok(frames.every((r) => r.other !== null && rowState(r) === 'frame' && rowMessages(r).length === 0));
  assert.equal(store.counters.frames, 64);
  assert.equal(store.rows(compileFilter('program == MOUNT')).filter((r) => r.kind === 'frame').length, 0);
  assert.equal(store.rows(compileFilter('not retransmit')).length, store.size);
});
