/**
 * Issue 8 item 5: wire strings are printed with their control characters escaped in every output. The capture of
 * helpers/escape-capture.ts puts an erase-screen CSI, an OSC title, BEL, BS, CR, LF, TAB, DEL, bidi overrides, the C1
 * CSI and invalid UTF-8 into every string field rpcsnoop shows; each output mode — summary, -V, -v, --json, the
 * reports, -Y with a filter matching such a name, stderr lines naming a hostile file, filter errors echoing one, and
 * the TUI's screens — must be valid UTF-8 holding no byte or character a terminal acts on (only LF ends lines; TAB
 * only where rpcsnoop lays out -v bit diagrams), and must show the escaped forms instead.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ExplainAnalyzer, StatsAnalyzer } from '../src/index';
import { Controller, paneSizes } from '../tui/controller';
import { renderScreen } from '../tui/render-main';
import { ladderView, statsView } from '../tui/side-views';
import { detailTree, flattenTree, rowCells, rowLine } from '../tui/view-model';
import { readFrames } from './helpers/capture-packets';
import { ESCAPED_FORMS, escapePcap } from './helpers/escape-capture';
import { removeTempDir, tempFile } from './helpers/synthetic-capture';
import { tuiRun } from './helpers/tui-harness';

after(removeTempDir);

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'rpcsnoop.js');
const strict = new TextDecoder('utf-8', { fatal: true });

/** Characters a terminal acts on: C0 but LF (TAB too unless allowed), DEL, C1, bidi/format controls, lone surrogates,
 *  and U+FFFD (which would mean invalid bytes were replaced instead of shown). */
const ACTIVE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\u{d800}-\u{dfff}\ufffd]/u;

function assertSafe(text: string, where: string, allowTab = false): void {
  const lines = text.split('\n');
  lines.forEach((l, i) => {
    const m = ACTIVE.exec(allowTab ? l : l.replace(/\t/g, '\u0000'));
    assert.equal(m, null, `${where}, line ${i + 1}: U+${(m?.[0].codePointAt(0) ?? 0).toString(16).padStart(4, '0')} in ${JSON.stringify(l).slice(0, 200)}`);
  });
  if (allowTab) {
    // a tab only where -v lays out a bit diagram: right after the block prefix (`NFS:  \t.... ...1 = …`)
    for (const l of lines) if (l.includes('\t')) assert.match(l, /^[A-Z0-9]+:  \t[^\t]*$/, `${where}: a tab outside the layout: ${JSON.stringify(l)}`);
  }
}

function assertEscapedForms(text: string, where: string, forms: readonly string[] = ESCAPED_FORMS): void {
  for (const f of forms) assert.ok(text.includes(f), `${where} shows ${f}`);
}

function run(args: string[]): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(process.execPath, [BIN, ...args], { maxBuffer: 64 << 20, timeout: 30_000, cwd: ROOT });
  if (r.error) throw r.error;
  // valid UTF-8 first: a raw 0x9b byte on its own is CSI to a terminal in 8-bit mode
  return { stdout: strict.decode(r.stdout), stderr: strict.decode(r.stderr), status: r.status };
}

const file = (): string => tempFile('escape-outputs.pcap', escapePcap());

/** Tags of fields that each text mode shows (not every mode shows every field: -V and summary are one line each). */
const MODES: Array<{ args: string[]; tab?: boolean; tags: string[] }> = [
  { args: [], tags: ['set-netid', 'set-uaddr', 'set-owner', 'getaddr-reply', 'export', 'lookup', 'symlink', 'rename-from', 'rename-to'] },
  { args: ['--names'], tags: ['export', 'lookup'] },
  { args: ['-V'], tags: ['set-netid', 'export', 'lookup'] },
  {
    args: ['-v'],
    tab: true,
    tags: ['machine', 'set-owner', 'dump-netid', 'list-maddr', 'list-proto', 'exports-dir', 'exports-group', 'dump-host', 'dump-dir', 'readlink', 'readdir', 'readdirplus', 'symlink-target', 'rename-to'],
  },
  { args: ['--stats'], tags: ['export', 'lookup'] },
  { args: ['--services'], tags: [] },
  { args: ['--explain'], tags: ['export', 'denied', 'getaddr-netid', 'getaddr-reply'] },
  { args: ['--findings'], tags: ['lookup', 'dump-netid', 'machine', 'denied', 'exports-dir', 'exports-group', 'dump-host', 'dump-dir'] },
];

for (const m of MODES) {
  test(`rpcsnoop ${m.args.join(' ') || '(summary)'}: no terminal control in the output, the hostile strings shown escaped`, () => {
    const r = run(['-r', file(), ...m.args]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.length > 0);
    assertSafe(r.stdout, m.args.join(' ') || 'summary', m.tab);
    assertSafe(r.stderr, 'stderr');
    for (const tag of m.tags) assert.ok(r.stdout.includes(`${tag}<\\x1b[2J`), `the ${tag} field is shown, escaped`);
    if (m.tags.length > 0) assertEscapedForms(r.stdout, m.args.join(' ') || 'summary');
  });
}

test('--json and the reports with --json: JSON with every terminal control as \\u escapes, values intact', () => {
  for (const args of [['--json'], ['--stats', '--json'], ['--services', '--json'], ['--explain', '--json'], ['--findings', '--json']]) {
    const r = run(['-r', file(), ...args]);
    assert.equal(r.status, 0, r.stderr);
    assertSafe(r.stdout, args.join(' '));
    for (const line of r.stdout.split('\n').filter((l) => l !== '')) JSON.parse(line);
  }
  const r = run(['-r', file(), '--json']);
  const values = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const lookup = values.find((v) => v.procedureName === 'LOOKUP' && v.type === 'call') as { args: { name?: string; what?: { name?: string } }; auth: { machine: string } };
  // the values are the wire strings: C1 and bidi as themselves, invalid bytes as U+DC00+byte
  assert.equal(lookup.auth.machine, 'machine<\x1b[2J\x1b]0;owned\x07\b\r\n\t\x7f\u202e\u2066\u009b\udc9b\udcff>');
  assert.ok(r.stdout.includes('\\u202e\\u2066\\u009b\\udc9b\\udcff'), 'raw in JSON text only as escapes');
});

test('-Y with a filter matching a hostile name: the matching messages, escaped', () => {
  const r = run(['-r', file(), '-Y', 'name contains "\\x1b[2J"']);
  assert.equal(r.status, 0, r.stderr);
  assertSafe(r.stdout, '-Y');
  assert.ok(r.stdout.includes('lookup<\\x1b[2J'), r.stdout);
  assert.ok(!r.stdout.includes('PORTMAP'), 'only the calls with such names');
});

test('stderr and filter errors: a hostile file name or expression is echoed escaped', () => {
  const missing = run(['-r', join(ROOT, 'no\x1b[2Jsuch\u202e\x07.pcap')]);
  assert.equal(missing.status, 1);
  assertSafe(missing.stderr, 'stderr');
  assert.ok(missing.stderr.includes('no\\x1b[2Jsuch\\u202e\\x07.pcap'), missing.stderr);
  const truncated = tempFile('cut\x1b]0;x\x07.pcap', escapePcap().subarray(0, 300));
  const cut = run(['-r', truncated]);
  assertSafe(cut.stderr, 'stderr (damaged file)');
  const bad = run(['-r', file(), '-Y', 'rtt > "5\x1b[31m\u202e"']);
  assert.equal(bad.status, 2);
  assertSafe(bad.stderr, 'filter error');
  assert.ok(bad.stderr.includes('\\x1b[31m'), bad.stderr);
});

test('TUI: rows, every detail tree line, the status bar, statistics and ladder views hold no terminal control', async () => {
  const frames = await readFrames(file());
  const run = tuiRun(frames);
  run.finish();
  run.rows.sync();
  const c = new Controller(run.store, run.rows, run.fmt, (row) => row, { follow: false });
  const stats = new StatsAnalyzer({ names: { path: (hex: string) => run.pipeline.names.path(hex) } });
  const explain = new ExplainAnalyzer();
  for (const row of run.store.rows()) for (const ev of [...row.calls, ...row.replies]) (stats.add(ev), explain.add(ev));
  const views = { stats: statsView(stats), ladder: ladderView(c, explain) };
  const info = { source: 'capture\x1b[2J\u202e.pcap', frames: frames.length, mode: 'done' as const, problem: 'cut short in cut\x1b]0;x\x07.pcap' };
  const all: string[] = [];
  for (let i = 0; i < run.rows.length; i++) {
    c.selectIndex(i);
    const row = c.selectedRow()!;
    const cells = rowCells(row, run.fmt);
    all.push(rowLine(cells, 200));
    // the whole tree, every node expanded
    const tree = detailTree(row, run.fmt);
    const ids = new Set<string>();
    const walk = (ns: typeof tree): void => ns.forEach((n) => (ids.add(n.id), walk(n.children)));
    walk(tree);
    all.push(...flattenTree(tree, ids).map((l) => l.text));
    for (const view of ['main', 'stats', 'ladder'] as const) {
      c.view = view;
      c.viewTop = -1;
      c.sizes = paneSizes(160, 60);
      all.push(...renderScreen(c, info, views, 160, 60).map((l) => l.text));
    }
    c.view = 'main';
  }
  const text = all.join('\n');
  assertSafe(text, 'TUI');
  assertEscapedForms(text, 'TUI', ['\\x1b[2J', '\\x1b]0;owned\\x07', '\\u202e\\u2066\\u009b', '\\x9b\\xff']);
  for (const tag of ['machine', 'set-netid', 'exports-group', 'dump-host', 'readdir', 'readdirplus', 'symlink-target', 'rename-to']) {
    assert.ok(text.includes(`${tag}<\\x1b[2J`), `the TUI shows the ${tag} field, escaped`);
  }
  assert.ok(text.includes('capture\\x1b[2J\\u202e.pcap'), 'the source name in the status bar, escaped');
});

/** The committed hostile capture (test/hostile/escape-sequences.ts builds it independently of this file's capture):
 *  every output mode and the TUI rows must be as clean on it. */
const HOSTILE = join(ROOT, 'fixtures', 'hostile', 'escape_sequences.pcap');

test('fixtures/hostile/escape_sequences.pcap: every output mode escaped', () => {
  const modes = [[], ['--names'], ['-a'], ['-V'], ['-v'], ['--json'], ['--stats'], ['--services'], ['--explain'], ['--findings'], ['--stats', '--json'], ['--findings', '--json']];
  for (const args of modes) {
    const r = run(['-r', HOSTILE, ...args]);
    const where = `escape_sequences.pcap ${args.join(' ') || '(summary)'}`;
    assert.equal(r.status, 0, r.stderr);
    assertSafe(r.stdout, where, args.includes('-v'));
    assertSafe(r.stderr, `${where} stderr`);
    assert.ok(/\\x1b\[2J|\\u001b\[2J/.test(r.stdout) || args.includes('--services') || args.includes('--stats'), `${where} shows an escaped ESC[2J`);
  }
});

test('fixtures/hostile/escape_sequences.pcap: TUI rows and detail trees escaped', async () => {
  const tui = tuiRun(await readFrames(HOSTILE));
  tui.finish();
  tui.rows.sync();
  const all: string[] = [];
  for (const row of tui.store.rows()) {
    all.push(rowLine(rowCells(row, tui.fmt), 200));
    const tree = detailTree(row, tui.fmt);
    const ids = new Set<string>();
    const walk = (ns: typeof tree): void => ns.forEach((n) => (ids.add(n.id), walk(n.children)));
    walk(tree);
    all.push(...flattenTree(tree, ids).map((l) => l.text));
  }
  const text = all.join('\n');
  assert.ok(all.length > 40, `rows and details rendered: ${all.length}`);
  assertSafe(text, 'TUI on escape_sequences.pcap');
  assert.ok(text.includes('\\x1b[2J'), 'the TUI shows ESC[2J escaped');
});
