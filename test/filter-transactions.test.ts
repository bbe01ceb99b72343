/**
 * Display filters select transactions: a call and its reply are shown together when the transaction matches
 * (Filter.matchesTransaction, and TransactionFilter on the pipeline's released stream, file and live mode),
 * with retransmissions, duplicate, orphan and late replies, bounds, and frames that are no RPC (`-a`). And the
 * property: X and `not X` partition the transactions, and the events of the stream.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilter, type Filter } from '../src/filter/evaluate';
import { TransactionFilter, type TransactionFilterOptions } from '../src/filter/transaction-filter';
import { isRpcEvent, type PipelineEvent, type RpcEvent } from '../src/rpc/rpc-event';
import { editedFrames, frames, runFixture, runFrames, transactions, type Run } from './filter-harness';

const byFrame = (r: Run, n: number): RpcEvent => r.events.find((e) => e.record.frameNo === n) as RpcEvent;

/**
 * What TransactionFilter shows when fed as the pipeline releases events (the run made again, so that every event
 * arrives with its transaction as it stood then), as frame numbers; `seqs` are the shown events' sequence
 * numbers, `order` the sequence numbers in the order verdicts came.
 */
function stream(
  r: Run,
  expr: string | Filter,
  opts: Partial<TransactionFilterOptions> = {},
): { shown: number[]; seqs: Set<number>; order: number[]; released: number[]; tf: TransactionFilter } {
  const f = typeof expr === 'string' ? compileFilter(expr) : expr;
  const shown: PipelineEvent[] = [];
  const order: number[] = [];
  let tf: TransactionFilter | null = null;
  const again = runFrames(r.frames, r.opts, (ev, ctx) => {
    tf ??= new TransactionFilter(
      f,
      (e, show) => {
        order.push(e.seq);
        if (show) shown.push(e);
      },
      { context: ctx, ...opts },
    );
    tf.push(ev);
  });
  const t = tf as TransactionFilter | null;
  if (!t) throw new Error('no events');
  t.finish();
  return { shown: frames(shown), seqs: new Set(shown.map((e) => e.seq)), order, released: again.all.map((e) => e.seq), tf: t };
}

/** Frames of the transactions whose call and first reply together match. */
function byTransaction(r: Run, expr: string): number[] {
  const f = compileFilter(expr);
  const keep = new Set<RpcEvent>();
  for (const t of transactions(r.events)) {
    if (f.matchesTransaction(t.calls[0] ?? null, t.replies[0] ?? null, r.ctx)) for (const e of [...t.calls, ...t.replies]) keep.add(e);
  }
  return frames(r.events.filter((e) => keep.has(e)));
}

test('matchesTransaction: status from the reply selects the pair; uid and name from the call select it too', async () => {
  const r = await runFixture('rpc_errors_lo_nsec.pcap');
  const call = byFrame(r, 44);
  const reply = byFrame(r, 45);
  const noent = compileFilter('status == NOENT');
  assert.equal(noent.matchesTransaction(call, reply), true);
  assert.equal(noent.matchesEvent(call), false, 'a call alone has no status');
  assert.equal(noent.matchesEvent(reply), true);
  const root = compileFilter('uid == 0');
  assert.equal(root.matchesTransaction(call, reply), true);
  assert.equal(root.matchesEvent(reply), false, 'a reply alone has no credential');
  assert.equal(root.matchesTransaction(null, reply), false);
  const both = compileFilter('name == no-such-file.txt and status == NOENT and rtt > 100us and error');
  assert.equal(both.matchesTransaction(call, reply), true);
  assert.equal(both.matchesEvent(call) || both.matchesEvent(reply), false, 'no message alone has it all');
  assert.equal(compileFilter('type == call and type == reply').matchesTransaction(call, reply), true);
  assert.equal(compileFilter('frame == 44 and frame == 45').matchesTransaction(call, reply), true);
  assert.equal(compileFilter('sport == 2049 and dport == 2049').matchesTransaction(call, reply), true);
  assert.equal(compileFilter('unanswered').matchesTransaction(call, reply), false);
  // the empty view: no field has a value, no flag is set
  assert.equal(compileFilter('not retransmit').matchesTransaction(null, null), true);
  assert.equal(compileFilter('status != OK').matchesMessages([]), true);
  assert.equal(compileFilter('status').matchesMessages([]), false);
});

test('stream, file mode: `status == NOENT` shows each failing LOOKUP call AND its reply', async () => {
  const r = await runFixture('rpc_errors_lo_nsec.pcap');
  assert.deepEqual(stream(r, 'status == NOENT').shown, [44, 45, 378, 379, 441, 442]);
  assert.deepEqual(stream(r, 'status == MNT3ERR_ACCES').shown, byTransaction(r, 'status == MNT3ERR_ACCES'));
  assert.ok(stream(r, 'status == MNT3ERR_ACCES').shown.includes(64));
});

test('stream, file mode: `uid == 0` shows the replies to root\'s calls as well as the calls', async () => {
  const r = await runFixture('rpc_errors_lo_nsec.pcap');
  const rootCalls = r.events.filter((e) => e.msg.type === 'call' && e.msg.cred.unix?.uid === 0);
  const want = new Set<RpcEvent>(rootCalls);
  for (const e of r.events) if (e.msg.type === 'reply' && e.tx && rootCalls.some((c) => c.tx === e.tx)) want.add(e);
  const shown = stream(r, 'uid == 0').shown;
  assert.deepEqual(shown, frames(r.events.filter((e) => want.has(e))));
  assert.ok(shown.includes(45) && shown.includes(44));
  assert.ok(!shown.includes(411), 'CREATE by uid 1000');
});

test('stream, file mode: shown = transactions whose call and reply match, on every fixture and many filters', async () => {
  for (const name of ['rpc_errors_lo_nsec.pcap', 'nfs3_allprocs_tcp_lo.pcap', 'rpc_veth_any_sll.pcap', 'lab_reordered_read_lo.pcap', 'rpc_tcp_record_marking_lo.pcap']) {
    const r = await runFixture(name);
    for (const expr of EXPRS) assert.deepEqual(stream(r, expr).shown, byTransaction(r, expr), `${name}: ${expr}`);
  }
});

test('stream: every event comes out once, in input order, and nothing is left held', async () => {
  const r = await runFixture('nfs3_allprocs_tcp_lo.pcap');
  const s = stream(r, 'status == OK');
  assert.deepEqual(s.order, s.released);
  assert.equal(s.tf.held, 0);
  assert.equal(s.tf.counters.shown + s.tf.counters.hidden, r.all.length);
});

test('stream: a call waits for its reply, and what follows it waits too; the decision comes with the reply', async () => {
  const r = await runFixture('rpc_errors_lo_nsec.pcap');
  const out: Array<[number, boolean]> = [];
  const tf = new TransactionFilter(compileFilter('status == NOENT'), (ev, show) => out.push([isRpcEvent(ev) ? ev.record.frameNo : -1, show]), { context: r.ctx });
  tf.push(byFrame(r, 44));
  assert.deepEqual(out, []);
  assert.equal(tf.held, 1);
  tf.push(byFrame(r, 45));
  assert.deepEqual(out, [
    [44, true],
    [45, true],
  ]);
  tf.push(byFrame(r, 40));
  tf.push(byFrame(r, 41));
  assert.deepEqual(out.slice(2), [
    [40, false],
    [41, false],
  ]);
});

test('live mode (no hold): a call is decided alone at once; its reply still sees the call', async () => {
  const r = await runFixture('rpc_errors_lo_nsec.pcap', { hold: false });
  // the limitation: a reply-side condition cannot show the call, printed before the reply existed
  assert.deepEqual(stream(r, 'status == NOENT', { hold: false }).shown, [45, 379, 442]);
  // call-side conditions follow the transaction to the reply
  const file = await runFixture('rpc_errors_lo_nsec.pcap');
  assert.deepEqual(stream(r, 'uid == 1000', { hold: false }).shown, stream(file, 'uid == 1000').shown);
  assert.deepEqual(stream(r, 'name == no-such-file.txt', { hold: false }).shown, [44, 45]);
  // each call is decided the moment it arrives
  const out: number[] = [];
  const tf = new TransactionFilter(compileFilter('proc == LOOKUP'), (ev) => out.push(isRpcEvent(ev) ? ev.record.frameNo : -1), { hold: false, context: r.ctx });
  tf.push(byFrame(r, 44));
  assert.deepEqual(out, [44]);
});

test('bounded: past maxHeld the oldest waiting call is decided without its reply', async () => {
  const r = await runFixture('rpc_errors_lo_nsec.pcap');
  const s = stream(r, 'status == NOENT', { maxHeld: 0 });
  assert.deepEqual(s.shown, [45, 379, 442]);
  assert.ok(s.tf.counters.forced > 0);
  assert.deepEqual(s.order, s.released);
  // maxRemembered 0: a reply of a decided transaction is tested alone
  assert.deepEqual(stream(r, 'uid == 0', { maxHeld: 0, maxRemembered: 0 }).shown, frames(r.events.filter((e) => e.msg.type === 'call' && e.msg.cred.unix?.uid === 0)));
});

test('retransmissions, duplicate, orphan and late replies in the stream', async () => {
  // nfs3_udp_lo.pcap: 23/24 LOOKUP (23 sent twice), 25/26 LOOKUP (call dropped), 27/28 the second GETATTR (reply
  // twice), 33/34 the second READ (reply 100 s late)
  const r = runFrames(await editedFrames('nfs3_udp_lo.pcap', { repeat: [23, 28], drop: [25], later: { 34: 100 } }));
  const names = (expr: string, opts: Partial<TransactionFilterOptions> = {}): string[] => {
    const s = stream(r, expr, opts);
    return r.all
      .filter((ev) => s.seqs.has(ev.seq) && isRpcEvent(ev))
      .map((ev) => {
        const e = ev as RpcEvent;
        return `${e.msg.type[0]}:${e.procedureName ?? '?'}${e.flags.length ? `(${e.flags.join(',')})` : ''}`;
      });
  };
  // the retransmission makes the whole transaction match: both calls and the reply
  assert.deepEqual(names('retransmit'), ['c:LOOKUP', 'c:LOOKUP(retransmit)', 'r:LOOKUP']);
  // a duplicate reply comes after its transaction was decided: it is shown for itself
  assert.deepEqual(names('duplicate'), ['r:GETATTR(duplicate_reply)']);
  assert.deepEqual(names('proc == GETATTR and xid == ' + byXid(r, 'GETATTR', 2)), ['c:GETATTR', 'r:GETATTR', 'r:GETATTR(duplicate_reply)']);
  assert.deepEqual(names('orphan'), ['r:?(orphan_reply)']);
  // the READ call timed out (decided alone, unanswered at the time); its late reply follows the transaction
  assert.deepEqual(names('late'), ['r:READ(late_reply)']);
  const readXid = byXid(r, 'READ', 2);
  assert.deepEqual(names(`xid == ${readXid}`), ['c:READ', 'r:READ(late_reply)']);
});

test('a retransmission after the reply never waits for a reply, even when its transaction is forgotten', async () => {
  // nfs3_udp_lo.pcap: the LOOKUP call of frame 23 sent again 30 s after the end (a retransmission of an answered call)
  const fr = await editedFrames('nfs3_udp_lo.pcap', { again: { 23: 30 } });
  for (const maxRemembered of [0, 200_000]) {
    const out: Array<[number, boolean]> = [];
    let tf: TransactionFilter | null = null;
    const r = runFrames(fr, {}, (ev, ctx) => {
      tf ??= new TransactionFilter(compileFilter('proc == LOOKUP'), (e, show) => out.push([e.seq, show]), { context: ctx, maxRemembered });
      tf.push(ev);
    });
    const t = tf as TransactionFilter | null;
    assert.ok(t);
    assert.equal(t.held, 0, `maxRemembered ${maxRemembered}: nothing held before finish()`);
    const last = r.events[r.events.length - 1];
    assert.deepEqual(last.flags, ['retransmit']);
    assert.deepEqual(out[out.length - 1], [last.seq, true]);
  }
});

/** The XID of the n-th (1-based) call of a procedure. */
function byXid(r: Run, proc: string, n: number): number {
  return r.events.filter((e) => e.msg.type === 'call' && e.procedureName === proc)[n - 1].msg.xid;
}

test('frames that are no RPC message (-a) are tested on the empty view', async () => {
  const r = await runFixture('lab_mount_sequence_lo.pcap', { allFrames: true });
  const others = r.all.filter((e) => !isRpcEvent(e));
  assert.ok(others.length > 0);
  const shownOthers = (expr: string) => stream(r, expr).shown.filter((n) => others.some((o) => !isRpcEvent(o) && o.frame.frameNo === n)).length;
  assert.equal(shownOthers('not retransmit'), others.length);
  assert.equal(shownOthers('program == NFS'), 0);
  assert.equal(shownOthers('status != OK'), others.length);
  const s = stream(r, 'status == OK');
  assert.deepEqual(s.order, s.released);
});

/** About thirty filters of every kind, for the property and the stream equivalence. */
const EXPRS = [
  'retransmit',
  'unanswered',
  'orphan',
  'duplicate',
  'error',
  'truncated',
  'fh',
  'path',
  'name',
  'uid',
  'status == OK',
  'status != OK',
  'status == NOENT',
  'status == ACCES or status == PROG_MISMATCH',
  'program == NFS',
  'program == MOUNT and proc == MNT',
  'program == RPCBIND',
  'proc == LOOKUP',
  'proc > 10',
  'version == 3',
  'xid > 2000000000',
  'type == call',
  'type == reply',
  'transport == udp',
  'host == 127.0.0.1',
  'port == 2049',
  'dport == 111',
  'src == 10.99.0.2',
  'rtt > 50us',
  'rtt <= 20us',
  'uid == 0',
  'gid != 0',
  'name contains .txt',
  'path ~ "dir-"',
  'fh == 706e',
  'error and not uid == 0',
  '(proc == LOOKUP or proc == GETATTR) and not status == OK',
  'not (error or unanswered)',
  'machine == libnfs or status == MSG_DENIED',
  'frame < 100 || !fh && rtt > 0.0001',
];

const PROPERTY_FIXTURES = [
  'rpc_errors_lo_nsec.pcap',
  'nfs3_allprocs_tcp_lo.pcap',
  'rpc_veth_any_sll.pcap',
  'nfs3_ipv6_lo.pcap',
  'lab_reordered_read_lo.pcap',
  'rpcbind_all_procs_any_sll2.pcap',
  'nlm_rquota_other_programs_lo.pcap',
  'nfs3_udp_lo.pcap',
];

test('property: X and `not X` partition the transactions (every transaction in exactly one)', async () => {
  const runs: Array<[string, Run]> = [];
  for (const name of PROPERTY_FIXTURES) runs.push([name, await runFixture(name)]);
  runs.push(['nfs3_udp_lo.pcap (edited)', runFrames(await editedFrames('nfs3_udp_lo.pcap', { repeat: [23, 28], drop: [25], cut: { 32: 120 }, later: { 34: 100 }, again: { 29: 200 } }))]);
  let checked = 0;
  for (const [name, r] of runs) {
    const txs = transactions(r.events);
    for (const expr of EXPRS) {
      const x = compileFilter(expr);
      const notX = compileFilter(`not (${expr})`);
      let inX = 0;
      for (const t of txs) {
        const msgs = [...t.calls, ...t.replies];
        const a = x.matchesMessages(msgs, r.ctx);
        const b = notX.matchesMessages(msgs, r.ctx);
        assert.notEqual(a, b, `${name}: ${expr} on the transaction of frame ${msgs[0].record.frameNo}`);
        const pa = x.matchesTransaction(t.calls[0] ?? null, t.replies[0] ?? null, r.ctx);
        assert.notEqual(pa, notX.matchesTransaction(t.calls[0] ?? null, t.replies[0] ?? null, r.ctx), `${name}: ${expr} (pair)`);
        if (a) inX++;
        checked++;
      }
      // and in the stream: every event shown by exactly one of X and not X
      const sx = stream(r, x).seqs;
      const sn = stream(r, notX).seqs;
      for (const e of r.all) assert.notEqual(sx.has(e.seq), sn.has(e.seq), `${name}: ${expr} stream, event ${e.seq}`);
      assert.equal(sx.size + sn.size, r.all.length, `${name}: ${expr} stream sizes`);
      assert.ok(inX <= txs.length);
    }
  }
  assert.ok(checked > 5000, `${checked} transaction checks`);
});

test('property: the filters select something somewhere and leave something out somewhere (they are not trivial)', async () => {
  const runs: Run[] = [];
  for (const name of PROPERTY_FIXTURES) runs.push(await runFixture(name));
  runs.push(runFrames(await editedFrames('nfs3_udp_lo.pcap', { repeat: [23, 28], drop: [25], cut: { 32: 120 } })));
  for (const expr of EXPRS) {
    const f = compileFilter(expr);
    const hits = runs.map((r) => transactions(r.events).filter((t) => f.matchesMessages([...t.calls, ...t.replies], r.ctx)).length);
    const totals = runs.map((r) => transactions(r.events).length);
    assert.ok(hits.some((h) => h > 0), `${expr} selects nothing`);
    assert.ok(hits.some((h, i) => h < totals[i]), `${expr} selects everything`);
  }
});
