/**
 * Large-file mode (tui/compact.ts, tui/row-details.ts): settled rows keep slim events and read their messages again
 * from the file. On every fixture, a store with compaction is held against one without: the same rows, the same
 * list cells, the same ladder labels, the same rows for every display filter; and the messages read again give the
 * same detail tree and hex bytes as the ones decoded in the first pass.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileFilter, createFormatContext, DEFAULT_PIPELINE, defaultRegistry, openCapture, Pipeline, type FormatContext, type PipelineEvent } from '../src/index';
import { Compactor, isSlim } from '../tui/compact';
import { ladderMessages } from '../tui/ladder-model';
import { RowDetails } from '../tui/row-details';
import { TransactionStore, type TxRow } from '../tui/store';
import { detailTree, flattenTree, hexSelection, rowCells } from '../tui/view-model';
import { fixture, fixtureCaptures } from './helpers/fixtures';

interface Pair {
  full: TransactionStore;
  compact: TransactionStore;
  fmt: FormatContext;
  ctx: { path: (h: { hex: string }) => string | null };
}

/** One pipeline feeding two stores: one keeps full rows, one makes settled rows compact. */
async function pair(name: string): Promise<Pair> {
  const full = new TransactionStore({ maxRows: 1_000_000 });
  const compact = new TransactionStore({ maxRows: 1_000_000 });
  const compactor = new Compactor();
  compact.onSettle = (row) => compactor.compact(row);
  const registry = defaultRegistry();
  const p = new Pipeline({ ...DEFAULT_PIPELINE, hold: false }, (ev: PipelineEvent) => {
    full.push(ev);
    compact.push(ev);
  }, registry);
  const src = await openCapture(fixture(name));
  for await (const f of src.frames()) {
    compactor.positions.note(f.frameNo, f.position);
    p.pushFrame(f);
  }
  p.finish();
  full.refresh();
  compact.refresh();
  return { full, compact, fmt: createFormatContext(registry, p.names, { showNames: true }), ctx: { path: (h) => p.names.path(h.hex) } };
}

const FILTERS = ['status != OK', 'proc == LOOKUP', 'program == MOUNT', 'rtt > 0.1ms', 'fh', 'uid == 0', 'name contains "a"', 'path ~ "export"', 'retransmit or unanswered', 'transport == udp and port == 2049'];

test('every fixture: compact rows show the same cells and ladder labels and match the same filters as full rows', async () => {
  let rows = 0;
  let compacted = 0;
  for (const name of fixtureCaptures()) {
    const { full, compact, fmt, ctx } = await pair(name);
    assert.equal(compact.size, full.size, name);
    for (let i = 0; i < full.size; i++) {
      const a = full.row(i) as TxRow;
      const b = compact.row(i) as TxRow;
      rows++;
      if (b.locator) {
        compacted++;
        assert.ok([...b.calls, ...b.replies].every(isSlim), `${name} row ${i}: every message slim`);
      }
      assert.deepEqual(rowCells(b, fmt, { timeBase: compact.firstTs }), rowCells(a, fmt, { timeBase: full.firstTs }), `${name} row ${i}`);
      assert.deepEqual(ladderMessages(b, fmt), ladderMessages(a, fmt), `${name} row ${i} ladder`);
    }
    for (const expr of FILTERS) {
      const f = compileFilter(expr);
      assert.deepEqual(
        compact.rows(f, ctx).map((r) => r.id),
        full.rows(f, ctx).map((r) => r.id),
        `${name}: ${expr}`,
      );
    }
  }
  assert.ok(rows > 1000 && compacted > rows * 0.95, `${compacted} of ${rows} rows compact`);
});

test('rows read again from the file: the same detail tree and hex bytes as in the first pass', async () => {
  let checked = 0;
  for (const name of ['lab_mount_sequence_lo.pcap', 'nfs3_allprocs_tcp_lo.pcap', 'nfs3_bulk_veth_mtu1500.pcap', 'nfs3_udp_ipfrag_veth.pcap', 'rpc_tcp_record_marking_lo.pcap', 'nfs3_browse_lo_nsec.pcapng']) {
    const { full, compact, fmt } = await pair(name);
    let ready: () => void = () => {};
    const details = new RowDetails(fixture(name), () => ready());
    for (let i = 0; i < compact.size; i++) {
      const slim = compact.row(i) as TxRow;
      const a = full.row(i) as TxRow;
      if (!slim.locator) continue;
      let got = details.get(slim);
      if (got === null) {
        await new Promise<void>((r) => (ready = r));
        got = details.get(slim);
      }
      assert.ok(got, `${name} row ${i}`);
      assert.equal(details.problem(slim), null, `${name} row ${i}: ${details.problem(slim)}`);
      const texts = (row: TxRow): string[] => flattenTree(detailTree(row, fmt)).map((l) => l.text);
      assert.deepEqual(texts(got), texts(a), `${name} row ${i} (frame ${a.calls[0]?.record.frameNo ?? a.replies[0]?.record.frameNo})`);
      for (let m = 0; m < got.calls.length + got.replies.length; m++) {
        const bytes = (row: TxRow): number[] => [...(hexSelection(row, null, m)?.bytes ?? [])];
        assert.deepEqual(bytes(got), bytes(a), `${name} row ${i} message ${m}`);
      }
      checked++;
    }
  }
  assert.ok(checked > 300, String(checked));
});
