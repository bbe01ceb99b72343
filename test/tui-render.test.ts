/**
 * tui/render-main.ts: the whole screen as styled lines, read as the user sees it — exactly `height` lines of at
 * most `width` columns whatever the state, the bars, rules and panes where the layout (paneSizes) puts them, the
 * selection's look, the hex pane's marks on the bytes of the detail line under the cursor, pending and unanswered
 * rows, the prompts, the status line, the full-screen views.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { paneSizes, type Controller } from '../tui/controller';
import { helpLines } from '../tui/keymap';
import { renderScreen, type ScreenInfo, type SideView } from '../tui/render-main';
import { plain, type StyledLine } from '../tui/styled-line';
import { headerLine, limitNoticeLine, statusBar } from '../tui/view-model';
import { TransactionStore } from '../tui/store';
import { limitNotice, type LimitCount, type LimitNotice } from '../src/index';
import { hexSelection } from '../tui/view-model';
import { SEQ, typed } from './helpers/blessed-keys';
import { controllerOf, fixtureRun, getattrCall, tuiRun, udpFrames, type TuiRun } from './helpers/tui-harness';

function type(c: Controller, bytes: string): void {
  for (const k of typed(bytes)) c.key(k);
}

/** Side views with lines wider than any screen, and more of them than fit. */
const VIEWS: { stats: SideView; ladder: SideView } = {
  stats: { title: 'Statistics', lines: (w) => Array.from({ length: 100 }, (_, i) => plain(`stat ${i} `.padEnd(w + 30, '='))) },
  ladder: { title: 'Ladder', lines: () => Array.from({ length: 5 }, (_, i) => plain(`ladder ${i}`)) },
};

async function finished(name: string, opts: { allFrames?: boolean } = {}): Promise<{ run: TuiRun; c: Controller; info: ScreenInfo }> {
  const run = await fixtureRun(name, opts);
  run.finish();
  run.rows.sync();
  const c = controllerOf(run);
  return { run, c, info: { source: name, frames: run.pipeline.counters.frames, mode: 'done' } };
}

/** The screen for a size, laid out as the app does (sizes first). */
function screen(c: Controller, info: ScreenInfo, width = 80, height = 24): StyledLine[] {
  c.sizes = paneSizes(width, height);
  return renderScreen(c, info, VIEWS, width, height);
}

function selectFrame(c: Controller, frameNo: number): void {
  type(c, 'g');
  for (let i = 0; i < 1000 && (c.selectedRow()?.calls[0] ?? c.selectedRow()?.replies[0])?.record.frameNo !== frameNo; i++) type(c, 'j');
}

/** Where the layout puts each part of the main screen. */
function layout(width: number, height: number): { list: number; detailRule: number; hexRule: number; status: number } {
  const s = paneSizes(width, height);
  return { list: 2, detailRule: 2 + s.list, hexRule: 3 + s.list + s.detail, status: height - 1 };
}

test('every state at every size: exactly height lines, none wider than the screen', async () => {
  const { run, c, info } = await finished('nfs3_allprocs_tcp_lo.pcap');
  // states: the WRITE row with its detail (long lines) in each pane, a prompt with an error, the views, a notice
  const states: Array<[string, () => void]> = [
    ['list', () => selectFrame(c, 63)],
    ['detail, IP block open', () => type(c, SEQ.enter + SEQ.down + SEQ.down + SEQ.right)],
    ['detail, at the end', () => type(c, 'G')],
    ['hex', () => type(c, SEQ.tab + SEQ.pagedown)],
    ['filter prompt', () => type(c, 'fproc == WRITE')],
    ['filter prompt with an error', () => type(c, SEQ.ctrl('u') + 'proc = WRITE and status == '.repeat(8))],
    ['search prompt', () => type(c, SEQ.escape + '/' + 'x'.repeat(300))],
    ['a notice', () => type(c, '\r')],
    ['filter shown in the bar', () => type(c, 'f' + SEQ.ctrl('u') + 'not proc == ' + 'LOOKUP or not proc == '.repeat(10) + 'READ\r')],
    ['paused, following', () => type(c, ' F ')],
    ['stats', () => type(c, 's' + SEQ.pagedown)],
    ['ladder', () => type(c, 'l')],
    ['help', () => type(c, '?G')],
  ];
  let checked = 0;
  for (const [what, act] of states) {
    act();
    for (const width of [80, 81, 100, 132, 200]) {
      for (const height of [24, 25, 31, 43, 60]) {
        const lines = screen(c, info, width, height);
        assert.equal(lines.length, height, `${what} ${width}x${height}`);
        lines.forEach((l, i) => {
          assert.ok(l.text.length <= width, `${what} ${width}x${height} line ${i} has ${l.text.length} columns: ${l.text}`);
          for (const sp of l.spans ?? []) assert.ok(sp.start < sp.end && sp.end <= width, `${what} ${width}x${height} line ${i}: span ${sp.start}-${sp.end}`);
        });
        checked++;
      }
    }
  }
  assert.equal(checked, states.length * 25);
  assert.ok(run.rows.length > 0);
});

test('the main screen at 80×24: filter bar, header, 9 rows, detail rule and 6 lines, hex rule and 4 lines, status', async () => {
  const { c, info } = await finished('lab_mount_sequence_lo.pcap');
  const lines = screen(c, info);
  const at = layout(80, 24);
  assert.deepEqual(at, { list: 2, detailRule: 11, hexRule: 18, status: 23 });
  assert.match(lines[0].text, /^Filter: \(none\) {2}f filter {2}\/ search/);
  assert.equal(lines[0].style, 'prompt');
  assert.equal(lines[1].text, headerLine(80));
  assert.equal(lines[1].style, 'header');
  const rows = lines.slice(2, 11).map((l) => /^ *(\d+) /.exec(l.text)?.[1]);
  assert.deepEqual(rows, ['1', '3', '5', '7', '9', '11', '13', '15', '20']);
  assert.match(lines[at.detailRule].text, /^-- Detail \(Enter folds, c call\/reply\) -+$|^-- Detail -+$/);
  assert.equal(lines[at.detailRule].text.length, 80);
  assert.equal(lines[at.detailRule].style, 'title');
  assert.match(lines[at.detailRule + 1].text, /^\[-\] Call, frame 1: PORTMAP C GETPORT/);
  assert.match(lines[at.hexRule].text, /^-- Hex: Call record, frame 1: 56 bytes -+$/);
  assert.match(lines[at.hexRule + 1].text, /^00000000: /);
  assert.match(lines[at.hexRule + 4].text, /^00000030: /);
  const status = 'done | lab_mount_sequence_lo.pcap | frames 64 | messages 32 | pairs 16 | unanswered 0 | errors 0';
  assert.equal(lines[at.status].text, status.slice(0, 80), 'cut at the screen\'s edge');
  assert.equal(screen(c, info, 120, 24)[23].text, status);
  assert.equal(lines[at.status].style, 'status');
  // a taller screen: the same parts where paneSizes puts them
  for (const [w, h] of [
    [120, 40],
    [200, 60],
  ]) {
    const big = screen(c, info, w, h);
    const p = layout(w, h);
    assert.equal(big[1].text, headerLine(w));
    assert.match(big[p.detailRule].text, /^-- Detail/);
    assert.match(big[p.hexRule].text, /^-- Hex/);
    assert.match(big[p.status].text, /^done \| /);
    assert.match(big[p.detailRule - 1].text, /^ *(\d+) |^$/);
  }
});

test('the selected row: inverse while the list has the focus, dim otherwise; the detail cursor likewise', async () => {
  const { c, info } = await finished('lab_mount_sequence_lo.pcap');
  type(c, 'jj');
  let lines = screen(c, info);
  const sel = 2 + 2;
  assert.match(lines[sel].text, /^ +5 /);
  assert.equal(lines[sel].inverse, true);
  assert.equal(lines.filter((l) => l.inverse).length, 1, 'nothing else inverse');
  assert.ok(lines.slice(2, 11).every((l, i) => i === 2 || (l.style === 'normal' && !l.inverse)));
  type(c, SEQ.enter + SEQ.down);
  lines = screen(c, info);
  assert.equal(lines[sel].inverse, undefined);
  assert.equal(lines[sel].style, 'selectedDim');
  const cursorLine = lines[12 + 1];
  assert.equal(cursorLine.inverse, true, 'the detail cursor, focused');
  assert.match(cursorLine.text, /^ {2}\[\+\] ETHER: /);
  type(c, SEQ.tab);
  lines = screen(c, info);
  assert.equal(lines[13].style, 'selectedDim');
  assert.equal(lines.filter((l) => l.inverse).length, 0);
});

test('row styles: error rows are errors, unanswered rows warnings with `no reply`, a call waiting for its reply `pending`', async () => {
  const errors = await finished('rpc_errors_lo_nsec.pcap');
  type(errors.c, 'eE');
  type(errors.c, SEQ.tab); // the list unfocused: its rows keep their colour
  const styles = new Set<string>();
  for (const l of screen(errors.c, errors.info, 120, 60).slice(2, 2 + paneSizes(120, 60).list)) {
    const row = errors.run.byFrame(Number(/^ *(\d+) /.exec(l.text)![1]));
    if (row === errors.c.selectedRow()) {
      assert.equal(l.style, 'selectedDim');
      continue;
    }
    assert.equal(l.style, row.error ? 'error' : 'normal', l.text);
    styles.add(l.style as string);
  }
  assert.deepEqual([...styles].sort(), ['error', 'normal']);
  const veth = await finished('rpc_veth_any_sll.pcap');
  selectFrame(veth.c, 75);
  type(veth.c, SEQ.tab);
  const row = screen(veth.c, veth.info).find((l) => /^ +75 /.test(l.text))!;
  assert.match(row.text, / no reply /);
  assert.equal(row.style, 'selectedDim');
  type(veth.c, 'jk'.repeat(0) + SEQ.tab + SEQ.tab + 'j');
  assert.equal(screen(veth.c, veth.info).find((l) => /^ +75 /.test(l.text))!.style, 'warning');

  // live: the MNT call before its reply
  const run = await fixtureRun('lab_mount_sequence_lo.pcap');
  const c = controllerOf(run, { follow: true });
  run.feedTo(5);
  run.rows.sync();
  type(c, SEQ.tab);
  const info: ScreenInfo = { source: 'lo', frames: 5, mode: 'live' };
  let line = screen(c, info).find((l) => /^ +5 /.test(l.text))!;
  assert.match(line.text, / pending +$/);
  run.step();
  run.rows.sync();
  line = screen(c, info).find((l) => /^ +5 /.test(l.text))!;
  assert.match(line.text, / MNT3_OK +0\.161ms$/);
  assert.match(screen(c, info)[23].text, /^live follow \| lo \| frames 5 \| messages 6 /);
});

/** The hex pane's lines with the text under each highlight span. */
function hexMarks(lines: StyledLine[], from: number, count: number): Array<{ offset: number; marked: string[] }> {
  return lines.slice(from, from + count).map((l) => ({ offset: parseInt(l.text.slice(0, 8), 16), marked: (l.spans ?? []).filter((s) => s.style === 'highlight').map((s) => l.text.slice(s.start, s.end)) }));
}

/** What the hex and ASCII marks of the bytes [start, end) of a 16-byte line at `offset` must read. */
function expectedMarks(bytes: Uint8Array, offset: number, start: number, end: number): string[] {
  const s = Math.max(start, offset);
  const e = Math.min(end, offset + 16, bytes.length);
  if (s >= e) return [];
  let hex = '';
  for (let i = s; i < e; i++) hex += bytes[i].toString(16).padStart(2, '0') + ((i - offset) % 2 === 1 && i + 1 < e ? ' ' : '');
  const ascii = Array.from(bytes.subarray(s, e), (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
  return [hex, ascii];
}

test('hex marks: on the bytes of the detail line under the cursor — the RPC header, the program block, the reply', async () => {
  const { c, info } = await finished('lab_mount_sequence_lo.pcap');
  selectFrame(c, 5);
  type(c, SEQ.enter);
  const row = c.selectedRow()!;
  const tall = 60;
  const sizes = paneSizes(80, tall);
  const hexRule = layout(80, tall).hexRule;
  const detail = c.detailLines()!;
  let checked = 0;
  for (const id of ['m0/rpc', 'm0/rpc/0', 'm0/prog', 'm0/prog/1', 'm1', 'm1/rpc', 'm1/prog', 'm1/prog/2']) {
    c.detailCursor = detail.findIndex((l) => l.id === id);
    c.hexTop = 0;
    const lines = screen(c, info, 80, tall);
    const line = detail[c.detailCursor];
    // what the pane shows is view-model's hexSelection (tested in tui-view-model.test.ts): its title, its marks
    const sel = hexSelection(row, line, 0)!;
    const bytes = sel.bytes;
    const esc = (t: string): string => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (sel.range === null) {
      assert.match(lines[hexRule].text, new RegExp(`^-- Hex: ${esc(sel.title)} -`), id);
      assert.ok(hexMarks(lines, hexRule + 1, sizes.hex).every((h) => h.marked.length === 0), id);
      continue;
    }
    const { start, end } = sel.range;
    assert.match(lines[hexRule].text, new RegExp(`^-- Hex: ${esc(sel.title)}, bytes ${start}-${end - 1} marked -`), id);
    const shown = hexMarks(lines, hexRule + 1, Math.ceil(bytes.length / 16));
    for (const h of shown) {
      assert.deepEqual(h.marked, expectedMarks(bytes, h.offset, start, end), `${id} at ${h.offset}`);
      if (h.marked.length) checked++;
    }
  }
  assert.ok(checked >= 10, String(checked));
});

test('hex pane: the marked bytes scroll into view; scrolling goes on from where the pane shows', async () => {
  const { c, info } = await finished('nfs3_allprocs_tcp_lo.pcap');
  selectFrame(c, 63); // WRITE, an 8128-byte record; its arguments from byte 80 (line 5)
  type(c, SEQ.enter);
  const detail = c.detailLines()!;
  c.detailCursor = detail.findIndex((l) => l.id === 'm0/prog');
  assert.deepEqual(detail[c.detailCursor].range, { start: 80, end: 8128 });
  const hexRule = layout(80, 24).hexRule;
  const firstOffset = (): number => parseInt(screen(c, info)[hexRule + 1].text.slice(0, 8), 16);
  assert.equal(firstOffset(), 0x40, 'the line before the first marked one');
  type(c, SEQ.tab); // the hex pane
  type(c, SEQ.down);
  assert.equal(firstOffset(), 0x50, 'down: one line further');
  type(c, SEQ.up + SEQ.up);
  assert.equal(firstOffset(), 0x30, 'up: one line back, twice');
  type(c, SEQ.pagedown);
  assert.equal(firstOffset(), 0x70, 'a page of 4 lines');
  type(c, 'g');
  assert.equal(firstOffset(), 0);
  type(c, 'G');
  const lastPage = (Math.ceil(8128 / 16) - 4) * 16;
  assert.equal(firstOffset(), lastPage, 'the last page');
  type(c, SEQ.up);
  assert.equal(firstOffset(), lastPage - 16);
  // another detail line: its bytes scroll into view again (from the line before its first marked one)
  type(c, SEQ.stab + SEQ.up);
  const above = c.detailLines()![c.detailCursor];
  assert.ok(above.range && above.range.start < 80, 'a line of the RPC header');
  assert.equal(firstOffset(), Math.max(0, Math.floor(above.range.start / 16) - 1) * 16, 'its bytes in view');
});

test('prompts: the text with its cursor; a filter error marked where it is, with a caret line under it', async () => {
  const { c, info } = await finished('lab_mount_sequence_lo.pcap');
  type(c, 'fproc = MNT');
  let lines = screen(c, info);
  assert.equal(lines[0].text, 'Filter: proc = MNT'.padEnd(80));
  assert.equal(lines[0].style, 'promptError');
  const spans = lines[0].spans!;
  assert.deepEqual(
    spans.map((s) => [s.start, s.end, s.style]),
    [
      [8 + 5, 8 + 6, 'promptError'],
      [8 + 10, 8 + 11, 'cursor'],
    ],
  );
  assert.equal(lines[1].text.indexOf('^'), 8 + 5, 'the caret under the mistake');
  assert.match(lines[1].text, /\^ unknown operator '='/);
  // fixed: no error; the help line
  type(c, SEQ.left.repeat(4) + '=');
  lines = screen(c, info);
  assert.equal(lines[0].style, 'prompt');
  assert.deepEqual(
    lines[0].spans!.map((s) => [s.start, s.style]),
    [[8 + 7, 'cursor']],
  );
  assert.equal(lines[1].style, 'note');
  assert.match(lines[1].text, /^Enter apply, Esc cancel/);
  type(c, '\r');
  lines = screen(c, info);
  assert.match(lines[0].text, /^Filter: proc == MNT {2}f filter/);
  assert.equal(lines.slice(2, 11).filter((l) => /^ +\d+ /.test(l.text)).length, 2);
  assert.match(lines[23].text, /^done \| filter: proc == MNT \(2 shown\) \| /);
  type(c, '/MNT');
  lines = screen(c, info);
  assert.equal(lines[0].text.trimEnd(), 'Search: MNT');
  assert.match(lines[1].text, /^Enter search the rows/);
});

test('status line: paused with the rows waiting, follow, a notice before the counters', async () => {
  const run = await fixtureRun('lab_mount_sequence_lo.pcap');
  const c = controllerOf(run, { follow: true });
  const info: ScreenInfo = { source: 'lo', frames: 0, mode: 'live' };
  run.feedTo(10);
  run.rows.sync();
  type(c, ' ');
  run.feedTo(20);
  run.rows.sync();
  info.frames = 20;
  const waiting = run.store.size - run.rows.length;
  assert.ok(waiting > 1);
  let status = screen(c, info)[23];
  assert.ok(status.text.startsWith(`paused (${waiting} new) follow | lo | frames 20 | `), status.text);
  type(c, 'F');
  status = screen(c, info)[23];
  assert.ok(status.text.startsWith(`follow: off | paused (${waiting} new) | lo | `), status.text);
  type(c, ' ');
  assert.ok(screen(c, info)[23].text.startsWith(`live | lo | frames 20 | messages ${run.store.counters.messages} | `));
});

test('empty lists: a note instead of rows, the rest of the screen in place', async () => {
  const run = await fixtureRun('lab_mount_sequence_lo.pcap');
  const c = controllerOf(run);
  const info: ScreenInfo = { source: 'lo', frames: 0, mode: 'live' };
  let lines = screen(c, info);
  assert.equal(lines.length, 24);
  assert.equal(lines[2].text, '(no RPC message yet)');
  assert.equal(lines[11].text.slice(0, 11), '-- Detail -');
  assert.equal(lines[18].text.slice(0, 8), '-- Hex -');
  run.finish();
  run.rows.sync();
  type(c, 'ferror\r');
  lines = screen(c, info);
  assert.equal(lines[2].text, '(no row matches the filter)');
  assert.match(lines[23].text, /^no row matches the filter \| live \| filter: error \(0 shown\)/);
});

test('full-screen views: a title line, the body from its top line, the status line; scrolling stops at the end', async () => {
  const { c, info } = await finished('lab_mount_sequence_lo.pcap');
  type(c, '?');
  let lines = screen(c, info);
  assert.match(lines[0].text, /^Help {2}\(Esc back/);
  const help = helpLines();
  assert.deepEqual(
    lines.slice(1, 23).map((l) => l.text),
    help.slice(0, 22),
  );
  assert.match(lines[23].text, /^done \| /);
  type(c, 'G');
  lines = screen(c, info);
  assert.equal(c.viewTop, help.length - 22);
  assert.deepEqual(
    lines.slice(1, 23).map((l) => l.text),
    help.slice(help.length - 22),
  );
  type(c, SEQ.up);
  screen(c, info);
  assert.equal(c.viewTop, help.length - 23, 'up from the clamped end moves at once');
  type(c, 'l');
  lines = screen(c, info);
  assert.match(lines[0].text, /^Ladder /);
  assert.deepEqual(
    lines.slice(1, 6).map((l) => l.text),
    ['ladder 0', 'ladder 1', 'ladder 2', 'ladder 3', 'ladder 4'],
  );
  assert.ok(lines.slice(6, 23).every((l) => l.text === ''));
  type(c, SEQ.escape);
  assert.match(screen(c, info)[1].text, /^ +No\. /);
});

test('a prompt longer than the screen scrolls with its cursor: what is typed stays in view', async () => {
  const { c, info } = await finished('lab_mount_sequence_lo.pcap');
  const long = 'proc == MNT or ' + 'proc == LOOKUP or '.repeat(8) + 'proc == READ';
  type(c, 'f' + long);
  for (const width of [80, 100]) {
    const bar = screen(c, info, width, 24)[0];
    const cursor = bar.spans!.find((s) => s.style === 'cursor')!;
    assert.ok(cursor && cursor.end <= width, `${width}: cursor at ${cursor?.start}`);
    assert.ok(bar.text.slice(0, cursor.start).endsWith('or proc == READ'), bar.text);
  }
  // back at the start: the start is shown
  type(c, SEQ.home);
  const bar = screen(c, info)[0];
  assert.ok(bar.text.startsWith('Filter: proc == MNT or '), bar.text);
  assert.equal(bar.spans!.find((s) => s.style === 'cursor')!.start, 8);
  // an error far to the right: its mark and caret where the text shows it
  type(c, SEQ.end + ' or proc = X');
  const lines = screen(c, info);
  const err = lines[0].spans!.find((s) => s.style === 'promptError')!;
  assert.ok(err, JSON.stringify(lines[0].spans));
  assert.equal(lines[0].text[err.start], '=');
  assert.equal(lines[1].text.indexOf('^'), err.start);
});

test('the filter prompt\'s help line is whole in 80 columns', async () => {
  const { c, info } = await finished('lab_mount_sequence_lo.pcap');
  type(c, 'f');
  const help = screen(c, info)[1];
  assert.equal(help.style, 'note');
  assert.match(help.text, /^Enter apply, Esc cancel.*rtt > 10ms$/);
});

test('a cap reached: its notice on the message line until the next key, its count in the status bar from then on', () => {
  // six unanswered calls with --max-pending 2: the third evicts the first (frame 3), and so on
  let reached: (n: LimitNotice) => void = () => {};
  const run = tuiRun(udpFrames([1, 2, 3, 4, 5, 6].map((x) => getattrCall(x))), { pipeline: { maxTransactions: 2, onLimit: (n) => reached(n) } });
  const c = controllerOf(run);
  reached = (n) => c.limitReached(n);
  const info = (): ScreenInfo => ({ source: 'cap.pcap', frames: run.fed, mode: 'reading', limits: run.pipeline.limitCounts() });
  run.feedTo(2);
  run.rows.sync();
  assert.equal(c.notice, null);
  assert.doesNotMatch(screen(c, info(), 200).at(-1)?.text ?? '', /limit/);
  run.feedTo(3);
  run.rows.sync();
  const status = (): string => screen(c, info(), 300).at(-1)?.text ?? '';
  assert.match(status(), /^limit reached at frame 3: --max-pending 2, more calls remembered for pairing: the oldest are evicted .*\| reading \| .*\| limits --max-pending 2: 1$/);
  run.finish();
  run.rows.sync();
  type(c, 'j');
  assert.equal(c.notice, null, 'the notice lasts until the next key');
  assert.match(status(), /^reading \| .*\| limits --max-pending 2: 4$/);
  // only caps hit are listed
  assert.equal(run.pipeline.limitCounts().filter((l) => l.count > 0).length, 1);
});

test('statusBar lists the caps hit with their value and count; limitNoticeLine says where and what', () => {
  const counts: LimitCount[] = [
    { limit: 'pending', option: '--max-pending', value: 10, count: 0 },
    { limit: 'streams', option: '--max-streams', value: 5, count: 7 },
    { limit: 'endpoints', option: '--max-endpoints', value: 100, count: 3 },
  ];
  const store = new TransactionStore();
  assert.equal(statusBar(store, { source: 'x', mode: 'done', limits: counts }), 'done | x | frames 0 | messages 0 | pairs 0 | unanswered 0 | errors 0 | limits --max-streams 5: 7, --max-endpoints 100: 3');
  assert.equal(statusBar(store, { source: 'x', mode: 'done', limits: [counts[0]] }), 'done | x | frames 0 | messages 0 | pairs 0 | unanswered 0 | errors 0');
  assert.equal(
    limitNoticeLine(limitNotice('record_buffer', 1024, 0, null)),
    'limit reached at the end of input: --max-record-buffer 1024, more bytes of partial TCP records held in all connections: the one held longest is cut (kept truncated, its rest skipped) (count in the status bar)',
  );
});
