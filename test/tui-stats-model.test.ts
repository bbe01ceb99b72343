/**
 * tui/stats-model.ts: the `--stats` tables for the TUI — the CLI's very text when the pane is wide enough, narrowed
 * (columns compacted, abbreviated, dropped; never wrapped) to 80 columns and below with the essential numbers kept;
 * fed as events arrive (StatsAnalyzer.snapshot()).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { DEFAULT_PIPELINE, StatsAnalyzer, statsTextLines, type StatsReport } from '../src/index';
import { statsLines } from '../tui/stats-model';
import { BIN, fixture, fixtureCaptures, ROOT } from './helpers/fixtures';
import { readFrames } from './helpers/capture-packets';
import { tuiFixture, tuiRun } from './helpers/tui-fixture';

function cliStats(name: string): string[] {
  const r = spawnSync(process.execPath, [BIN, '-r', fixture(name), '--stats'], { encoding: 'utf8', cwd: ROOT, timeout: 30_000, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.replace(/\n$/, '').split('\n');
}

test('at a wide width the lines are exactly what `rpcsnoop --stats` prints', async () => {
  for (const name of ['lab_mount_sequence_lo.pcap', 'rpc_errors_lo_nsec.pcap', 'nfs3_bulk_lo.pcap', 'nfs3_ipv6_lo.pcap', 'rpc_veth_any_sll.pcap']) {
    const r = await tuiFixture(name);
    const cli = cliStats(name);
    assert.ok(cli.length > 10, name);
    // the analyzer still open (snapshot) and the finished report render the same, as the CLI's
    assert.deepEqual(statsLines(r.stats, 200), cli, name);
    assert.deepEqual(statsLines(r.stats.finish(), 200), cli, name);
  }
});

test('every fixture: the CLI text itself when it fits, and no line wider than 80, 60 or 40 columns', async () => {
  for (const name of fixtureCaptures()) {
    const r = await tuiFixture(name);
    const report = r.stats.finish();
    const text = statsTextLines(report);
    const widest = Math.max(...text.map((l) => l.length));
    assert.deepEqual(statsLines(report, widest), text, name);
    for (const w of [80, 60, 40]) {
      const lines = statsLines(report, w);
      for (const l of lines) assert.ok(l.length <= w, `${name} at ${w}: ${JSON.stringify(l)}`);
    }
  }
});

/** Cells of the procedure table at `width`, keyed by (short) column title, one object per procedure row. */
function procedureRows(report: StatsReport, width: number): Array<Record<string, string>> {
  const lines = statsLines(report, width);
  const h = lines.findIndex((l) => /^Prog(ram)?\s/.test(l));
  assert.ok(h > 0, 'procedure table header');
  const titles = lines[h].trim().split(/\s+/);
  return lines.slice(h + 1, h + 1 + report.procedures.length).map((l) => {
    const cells = l.trim().split(/\s+/);
    assert.equal(cells.length, titles.length, l);
    return Object.fromEntries(titles.map((t, i) => [t, cells[i]]));
  });
}

test('at 80 columns every procedure keeps its name and its calls, replies, errors, unanswered calls and average RTT', async () => {
  for (const name of fixtureCaptures()) {
    const report = (await tuiFixture(name)).stats.finish();
    if (report.procedures.length === 0) continue;
    const rows = procedureRows(report, 80);
    report.procedures.forEach((p, i) => {
      const row = rows[i];
      assert.equal(row.Proc ?? row.Procedure, p.name, name);
      assert.equal(row.Prog ?? row.Program, p.programName ?? String(p.program), name);
      assert.equal(row.Calls, String(p.calls), name);
      assert.equal(row.Repl ?? row.Replies, String(p.replies), name);
      assert.equal(row.Err ?? row.Errors, String(p.errors), name);
      assert.equal(row.Unans ?? row.Unanswd, String(p.unanswered), name);
      assert.equal(row.Avg, p.rtt.avg === null ? '-' : p.rtt.avg.toFixed(6), name);
    });
  }
});

test('narrowing on the mount capture: compact columns, short titles, Index, P50 and P99 dropped at 80', async () => {
  const report = (await tuiFixture('lab_mount_sequence_lo.pcap')).stats.finish();
  const lines = statsLines(report, 80);
  const header = lines.find((l) => l.startsWith('Prog'))!;
  assert.deepEqual(header.trim().split(/\s+/), ['Prog', 'V', 'Proc', 'Calls', 'Repl', 'Err', 'Unans', 'Retr', 'Min', 'Avg', 'P95', 'Max']);
  assert.ok(lines.includes('PORTMAP 2 GETPORT     4    4   0     0    0 0.000072 0.000112 0.000159 0.000159'), lines.join('\n'));
  // the capture line is prose: wrapped at a space, its continuation indented
  const cap = lines.findIndex((l) => l.startsWith('Capture: '));
  assert.ok(lines[cap + 1].startsWith('  '), lines[cap + 1]);
  assert.ok(`${lines[cap]} ${lines[cap + 1].trim()}`.endsWith('span 0.094274 s'));
  // the endpoint tables fit once compacted and abbreviated: nothing dropped there
  assert.ok(lines.includes('Address   Calls Repl Err Unans Retr Dup Orph      Min      Avg      Max'), lines.join('\n'));
});

test('free columns: error statuses continue under their column, never cut', async () => {
  const report = (await tuiFixture('rpc_errors_lo_nsec.pcap')).stats.finish();
  const lines = statsLines(report, 80);
  const start = lines.indexOf('Errors by status:');
  assert.ok(start > 0);
  const block: string[] = [];
  for (let i = start + 1; lines[i] !== ''; i++) block.push(lines[i]);
  const text = block.join(' ');
  for (const p of report.procedures) for (const [status, n] of Object.entries(p.errorsByStatus)) assert.ok(text.includes(`${status}=${n}`), `${p.name} ${status}`);
  const cont = block.filter((l) => l.startsWith(' '));
  assert.ok(cont.length > 0, 'some statuses continue on a second line');
  const col = block[0].indexOf('PROC_UNAVAIL');
  for (const l of cont) assert.equal(l.length - l.trimStart().length, col, l);
});

test('tables are cut at maxRows, with a line saying how many more', async () => {
  const report = (await tuiFixture('rpc_errors_lo_nsec.pcap')).stats.finish();
  const lines = statsLines(report, 200, { maxRows: 3 });
  const h = lines.findIndex((l) => l.startsWith('Program'));
  assert.ok(lines[h + 3].startsWith('NFS') || lines[h + 3].startsWith('PORTMAP'));
  assert.equal(lines[h + 4], `  … ${report.procedures.length - 3} more (rpcsnoop --stats lists them all)`);
});

test('live: snapshots follow the events, cost nothing when nothing changed, and see calls turn unanswered', async () => {
  const frames = await readFrames(fixture('rpc_veth_any_sll.pcap'));
  // without hold, calls come out at once, still pending; the pipeline's finish() makes them unanswered, no event
  const live = { ...DEFAULT_PIPELINE, hold: false };
  const half = tuiRun(frames.slice(0, Math.floor(frames.length / 2)), false, live);
  const early = half.stats.snapshot();
  assert.equal(half.stats.snapshot(), early, 'no new event, no state change: the same report');
  const r = tuiRun(frames, false, live);
  const open = r.stats.snapshot();
  assert.ok(open.capture.calls > early.capture.calls, `${open.capture.calls} > ${early.capture.calls}`);
  const events = r.events.length;
  const unansweredOpen = open.clients.reduce((n, c) => n + c.unanswered, 0);
  r.pipeline.finish();
  assert.equal(r.events.length, events, 'finish() delivered no event');
  const closed = r.stats.snapshot();
  assert.notEqual(closed, open);
  const unanswered = closed.clients.reduce((n, c) => n + c.unanswered, 0);
  assert.ok(unanswered > unansweredOpen, `${unanswered} > ${unansweredOpen}`);
  assert.deepEqual(statsLines(r.stats, 200), cliStats('rpc_veth_any_sll.pcap'));
  // add() still works after snapshots (finish() would close the analyzer)
  const a = new StatsAnalyzer();
  a.snapshot();
  for (const ev of r.events) a.add(ev);
  assert.equal(a.snapshot().capture.messages, r.events.length);
});
