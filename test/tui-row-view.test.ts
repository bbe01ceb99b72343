/**
 * tui/row-view.ts: the list's rows kept incrementally from the store's change list must always be the rows a full
 * rebuild gives (store.rows(filter)): checked after every frame of real captures fed one at a time as a live
 * capture delivers them, with filters that a row matches only once its reply arrived (`rtt > 0.1ms`) or stops
 * matching then (`status != OK` matches a call with no reply yet), with eviction, pause, and the change list's
 * overflow.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileFilter } from '../src/index';
import { fixtureRun, shownIds, type TuiRun } from './helpers/tui-harness';

const FILTERS = [null, 'status != OK', 'proc == LOOKUP', 'program == MOUNT', 'rtt > 0.1ms', 'error', 'not unanswered', 'path contains export'];
const FIXTURES = ['lab_mount_sequence_lo.pcap', 'nfs3_allprocs_tcp_lo.pcap', 'rpc_errors_lo_nsec.pcap', 'rpc_veth_any_sll.pcap', 'nfs3_browse_lo.pcap', 'lab_reordered_read_lo.pcap'];

/** What a full rebuild shows. */
function rebuilt(run: TuiRun): number[] {
  return run.store.rows(run.rows.activeFilter, run.ctx).map((r) => r.id);
}

interface Seen {
  /** Rows that entered the view after the frame that created them (their reply made them match). */
  enteredLate: number;
  /** Rows that left the view while still in the store. */
  left: number;
  evicted: number;
}

/** Feeds the run frame by frame, syncing the view after each and comparing it with a rebuild. */
function feedAndCompare(run: TuiRun, what: string): Seen {
  const seen: Seen = { enteredLate: 0, left: 0, evicted: 0 };
  let before = new Set<number>();
  let maxId = 0;
  const check = (where: string): void => {
    run.rows.sync();
    const ids = shownIds(run.rows);
    assert.deepEqual(ids, rebuilt(run), `${what}: ${where}`);
    const now = new Set(ids);
    for (const id of ids) if (!before.has(id) && id <= maxId) seen.enteredLate++;
    for (const id of before) if (!now.has(id) && run.store.indexOfId(id) >= 0) seen.left++;
    before = now;
    maxId = Math.max(maxId, run.store.row(run.store.size - 1)?.id ?? 0);
  };
  while (run.step()) check(`after frame ${run.fed}`);
  run.pipeline.finish();
  run.store.refresh();
  check('after the end of the capture');
  seen.evicted = run.store.counters.evicted;
  return seen;
}

test('incremental view = full rebuild after every frame, for every filter, on real captures fed one frame at a time', async () => {
  const total: Record<string, Seen> = {};
  for (const name of FIXTURES) {
    for (const expr of FILTERS) {
      const run = await fixtureRun(name);
      run.rows.setFilter(expr === null ? null : compileFilter(expr));
      const s = feedAndCompare(run, `${name} [${expr ?? 'no filter'}]`);
      const t = (total[expr ?? ''] ??= { enteredLate: 0, left: 0, evicted: 0 });
      t.enteredLate += s.enteredLate;
      t.left += s.left;
      assert.ok(run.rows.length > 0 || expr !== null, `${name}: rows shown`);
    }
  }
  // the filters did what this test is about: rows entered when their reply came, and left then
  assert.ok(total['rtt > 0.1ms'].enteredLate > 10, JSON.stringify(total['rtt > 0.1ms']));
  assert.ok(total['status != OK'].left > 10, JSON.stringify(total['status != OK']));
  assert.ok(total['not unanswered'].left > 0, JSON.stringify(total['not unanswered']));
  assert.equal(total[''].left + total[''].enteredLate, 0);
});

test('a row enters `rtt > 0.1ms` and leaves `status != OK` when its reply arrives (MNT, frames 5 and 6)', async () => {
  const late = await fixtureRun('lab_mount_sequence_lo.pcap');
  const notOk = await fixtureRun('lab_mount_sequence_lo.pcap');
  late.rows.setFilter(compileFilter('rtt > 0.1ms'));
  notOk.rows.setFilter(compileFilter('status != OK'));
  for (const r of [late, notOk]) {
    r.feedTo(5);
    assert.equal(r.rows.sync(), true);
  }
  const mnt = late.byFrame(5).id;
  assert.equal(late.rows.indexOf(mnt), -1, 'the call alone has no rtt');
  assert.ok(notOk.rows.indexOf(mnt) >= 0, 'a call with no reply yet has no status: != OK');
  for (const r of [late, notOk]) {
    r.step();
    assert.equal(r.rows.sync(), true);
  }
  assert.equal(late.byFrame(5).replies[0].record.frameNo, 6);
  assert.ok(late.rows.indexOf(mnt) >= 0, 'answered in 0.161ms');
  assert.equal(late.rows.rowAt(late.rows.indexOf(mnt))!.id, mnt);
  assert.equal(notOk.rows.indexOf(mnt), -1, 'MNT3_OK');
  // nothing new: nothing to redraw
  assert.equal(late.rows.sync(), false);
});

test('eviction: with a store of 5 rows the view keeps up after every frame, and shows at most 5', async () => {
  for (const expr of [null, 'status != OK', 'rtt > 0.1ms']) {
    for (const name of ['lab_mount_sequence_lo.pcap', 'rpc_errors_lo_nsec.pcap']) {
      const run = await fixtureRun(name, { maxRows: 5 });
      run.rows.setFilter(expr === null ? null : compileFilter(expr));
      const s = feedAndCompare(run, `${name} [${expr ?? 'no filter'}] maxRows 5`);
      assert.ok(s.evicted > 10, String(s.evicted));
      assert.ok(run.rows.length <= 5);
    }
  }
});

test('pause: the shown rows stay as they were while new ones arrive and are counted waiting; resume shows them', async () => {
  const run = await fixtureRun('rpc_errors_lo_nsec.pcap');
  run.feedTo(40);
  run.rows.sync();
  const frozen = shownIds(run.rows);
  assert.ok(frozen.length > 5);
  run.rows.setPaused(true);
  assert.equal(run.rows.paused, true);
  assert.equal(run.rows.waiting, 0);
  while (run.step()) {
    run.rows.sync();
    assert.deepEqual(shownIds(run.rows), frozen, `after frame ${run.fed}`);
    assert.equal(run.rows.waiting, run.store.size - frozen.length);
    assert.equal(run.rows.idAt(frozen.length), undefined, 'a waiting row is not reachable');
    assert.equal(run.rows.indexOf(run.store.row(run.store.size - 1)!.id), frozen.length === run.store.size ? frozen.length - 1 : -1);
  }
  assert.ok(run.rows.waiting > 10, String(run.rows.waiting));
  run.rows.setPaused(false);
  assert.equal(run.rows.waiting, 0);
  assert.deepEqual(shownIds(run.rows), rebuilt(run));
  // paused on an empty view: everything waits
  const empty = await fixtureRun('lab_mount_sequence_lo.pcap');
  empty.rows.setPaused(true);
  while (empty.step());
  empty.rows.sync();
  assert.equal(empty.rows.length, 0);
  assert.equal(empty.rows.waiting, 16);
  assert.equal(empty.rows.nearestIndex(1), -1);
});

test('pause with a filter: rows that match later wait like new ones; a filter change while paused keeps the pause', async () => {
  const run = await fixtureRun('rpc_errors_lo_nsec.pcap');
  run.rows.setFilter(compileFilter('error'));
  run.feedTo(40);
  run.rows.sync();
  run.rows.setPaused(true);
  const frozen = shownIds(run.rows);
  while (run.step()) run.rows.sync();
  assert.deepEqual(shownIds(run.rows), frozen);
  const all = rebuilt(run);
  assert.equal(run.rows.waiting, all.length - frozen.length);
  assert.ok(run.rows.waiting > 0);
  run.rows.setFilter(null);
  assert.equal(run.rows.paused, true);
  assert.ok(run.rows.length >= frozen.length);
  assert.ok(shownIds(run.rows).every((id) => id <= frozen[frozen.length - 1]));
  run.rows.setPaused(false);
  assert.deepEqual(shownIds(run.rows), rebuilt(run));
});

test('change-list overflow (more rows changed than the store holds): takeChanged gives null and sync rebuilds', async () => {
  // the same frames twice: one run shows that the store overflows its change list there, the other that the view
  // survives it
  const probe = await fixtureRun('nfs3_allprocs_tcp_lo.pcap', { maxRows: 4 });
  const run = await fixtureRun('nfs3_allprocs_tcp_lo.pcap', { maxRows: 4 });
  run.rows.setFilter(compileFilter('status != OK'));
  for (const r of [probe, run]) {
    r.feedTo(20);
    assert.ok(r.store.takeChanged() !== null || r === probe);
  }
  run.rows.sync();
  assert.deepEqual(shownIds(run.rows), rebuilt(run));
  for (const r of [probe, run]) r.feedTo(r.frames.length);
  assert.equal(probe.store.takeChanged(), null);
  assert.equal(run.rows.sync(), true);
  assert.deepEqual(shownIds(run.rows), rebuilt(run));
  assert.ok(run.store.counters.evicted > 4);
});

test('lookups: idAt, rowAt, indexOf, nearestIndex by id, out-of-range indexes give undefined', async () => {
  const run = await fixtureRun('lab_mount_sequence_lo.pcap');
  run.finish();
  run.rows.setFilter(compileFilter('program == NFS'));
  const ids = shownIds(run.rows);
  assert.equal(ids.length, 6);
  const all = run.store.rows().map((r) => r.id);
  const notShown = all.find((id) => !ids.includes(id) && id > ids[0] && id < ids[ids.length - 1])!;
  assert.ok(notShown !== undefined);
  assert.equal(run.rows.indexOf(notShown), -1);
  // a row not shown: its neighbour is the first shown row after it
  const next = ids.findIndex((id) => id > notShown);
  assert.equal(run.rows.nearestIndex(notShown), next);
  assert.equal(run.rows.nearestIndex(10_000), ids.length - 1);
  assert.equal(run.rows.nearestIndex(0), 0);
  assert.equal(run.rows.idAt(-1), undefined);
  assert.equal(run.rows.idAt(ids.length), undefined);
  assert.equal(run.rows.rowAt(ids.length), undefined);
  ids.forEach((id, i) => {
    assert.equal(run.rows.indexOf(id), i);
    assert.equal(run.rows.rowAt(i)!.id, id);
    assert.equal(run.rows.rowAt(i)!.calls[0].procedureName !== null, true);
  });
});

test('pause with a filter freezes the rows shown: a shown call whose OK reply arrives stays until the resume', async () => {
  // `status != OK` shows a call until its reply: the last row shown at the pause is typically such a call
  for (const name of ['nfs3_udp_lo.pcap', 'rpc_veth_any_sll.pcap']) {
    for (const at of [11, 30, 57, 75]) {
      for (const expr of ['status != OK', 'not unanswered']) {
        const run = await fixtureRun(name);
        run.rows.setFilter(compileFilter(expr));
        run.feedTo(at);
        run.rows.sync();
        run.rows.setPaused(true);
        const frozen = shownIds(run.rows);
        while (run.step()) {
          run.rows.sync();
          assert.deepEqual(shownIds(run.rows), frozen, `${name} [${expr}] paused after frame ${at}, now ${run.fed}`);
        }
        run.rows.setPaused(false);
        assert.deepEqual(shownIds(run.rows), rebuilt(run), `${name} [${expr}] resumed`);
      }
    }
  }
});
