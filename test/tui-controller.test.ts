/**
 * tui/controller.ts: what keys do to the TUI's state, with keys typed through blessed's own key parser, on real
 * captures (and a few synthetic exchanges for what the captures lack: a retransmission after the reply, an orphan
 * reply, a call that never got one). Pane sizes are those of an 80×24 terminal (paneSizes): list 9 rows, detail 6
 * lines, hex 4 lines, full-screen views 22 lines.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { paneSizes, type Controller, type KeyOutcome, type Prompt } from '../tui/controller';
import type { TreeLine } from '../tui/view-model';
import { SEQ, typed } from './helpers/blessed-keys';
import { controllerOf, fixtureRun, getattrCall, shownIds, tuiRun, udpFrames, unavailReply, type TuiRun } from './helpers/tui-harness';

/** Types `bytes` at the controller; the outcome of each key blessed reports. */
function type(c: Controller, bytes: string): KeyOutcome[] {
  return typed(bytes).map((k) => c.key(k));
}

/** A finished capture in a controller, the view synced and settled as before a draw. */
async function finished(name: string, opts: { follow?: boolean } = {}): Promise<{ run: TuiRun; c: Controller }> {
  const run = await fixtureRun(name);
  run.finish();
  run.rows.sync();
  const c = controllerOf(run, opts);
  c.settle();
  return { run, c };
}

/** The frame number of the selected row's first message. */
function selectedFrame(c: Controller): number | undefined {
  const row = c.selectedRow();
  return (row?.calls[0] ?? row?.replies[0])?.record.frameNo;
}

/** The open prompt (a function, so that the compiler does not narrow c.prompt between keys). */
const promptOf = (c: Controller): Prompt | null => c.prompt;

const indexOfId = (lines: TreeLine[], id: string): number => lines.findIndex((l) => l.id === id);

// lab_mount_sequence_lo.pcap: the 16 rows' first frames
const MOUNT_ROWS = [1, 3, 5, 7, 9, 11, 13, 15, 20, 30, 34, 39, 49, 53, 55, 60];

test('pane sizes of an 80×24 terminal: list 9, detail 6, hex 4, filling 24 lines with the bars and rules', () => {
  const s = paneSizes(80, 24);
  assert.deepEqual(s, { width: 80, list: 9, detail: 6, hex: 4, body: 22 });
  for (const h of [24, 30, 43, 60]) {
    const t = paneSizes(120, h);
    assert.equal(t.list + t.detail + t.hex + 5, h, `height ${h}`);
    assert.ok(t.list >= t.detail && t.detail >= 1 && t.hex >= 1);
  }
  assert.equal(paneSizes(10, 3).width, 20);
});

test('list: up/down (and k/j), pages of 9 rows, g/G and Home/End, never outside the rows; the selection stays on screen', async () => {
  const { c } = await finished('lab_mount_sequence_lo.pcap');
  assert.equal(c.selectedIndex, 0);
  assert.equal(selectedFrame(c), 1);
  const at = (): number => c.selectedIndex;
  assert.deepEqual(type(c, SEQ.down), ['redraw']);
  assert.equal(at(), 1);
  type(c, 'j');
  assert.equal(at(), 2);
  assert.equal(selectedFrame(c), 5);
  type(c, 'k');
  type(c, SEQ.up);
  type(c, SEQ.up);
  assert.equal(at(), 0, 'up stops at the first row');
  type(c, SEQ.pagedown);
  assert.equal(at(), 9);
  assert.equal(c.listTop, 1, 'the selected row is the last line of the 9-row list');
  type(c, SEQ.ctrl('f'));
  assert.equal(at(), 15, 'a page down stops at the last row');
  assert.equal(c.listTop, 7);
  type(c, SEQ.pageup);
  assert.equal(at(), 6);
  assert.equal(c.listTop, 6);
  type(c, SEQ.ctrl('b'));
  assert.equal(at(), 0);
  assert.equal(c.listTop, 0);
  type(c, 'G');
  assert.equal(at(), 15);
  assert.equal(selectedFrame(c), 60);
  type(c, SEQ.down);
  assert.equal(at(), 15, 'down stops at the last row');
  type(c, 'g');
  assert.equal(at(), 0);
  type(c, SEQ.end);
  assert.equal(at(), 15);
  type(c, SEQ.home);
  assert.equal(at(), 0);
  // every row in order, by id
  const frames: number[] = [];
  for (let i = 0; i < 16; i++) {
    frames.push(selectedFrame(c) as number);
    type(c, 'j');
  }
  assert.deepEqual(frames, MOUNT_ROWS);
  // mouse: a click on the list's 3rd line, the wheel
  type(c, 'g');
  c.focus = 'detail';
  c.clickList(2);
  assert.equal(c.focus, 'list');
  assert.equal(at(), 2);
  c.wheel('list', 3);
  assert.equal(at(), 5);
  c.clickList(20);
  assert.equal(at(), 5, 'a click below the rows selects nothing');
});

test('panes: Enter opens the detail, Tab and S-Tab go round list → detail → hex', async () => {
  const { c } = await finished('lab_mount_sequence_lo.pcap');
  assert.equal(c.focus, 'list');
  type(c, SEQ.enter);
  assert.equal(c.focus, 'detail', 'a carriage return (enter, then return) moves once');
  type(c, SEQ.tab);
  assert.equal(c.focus, 'hex');
  type(c, SEQ.tab);
  assert.equal(c.focus, 'list');
  type(c, SEQ.stab);
  assert.equal(c.focus, 'hex');
  type(c, SEQ.stab);
  assert.equal(c.focus, 'detail');
  // keys of no action change nothing
  assert.deepEqual(type(c, 'x'), ['none']);
});

test('detail: the cursor moves by line, by pages of 6, to the ends; a new row starts at its top', async () => {
  const { c } = await finished('lab_mount_sequence_lo.pcap');
  type(c, 'jj' + SEQ.enter); // the MNT row
  assert.equal(selectedFrame(c), 5);
  const lines = c.detailLines()!;
  assert.equal(lines.length, 30);
  assert.equal(c.detailCursor, 0);
  type(c, SEQ.down + 'j');
  assert.equal(c.detailCursor, 2);
  type(c, SEQ.pagedown);
  assert.equal(c.detailCursor, 8);
  c.detailLines();
  assert.equal(c.detailTop, 3, 'the cursor on the pane\'s last line');
  type(c, 'G');
  assert.equal(c.detailCursor, 29);
  type(c, SEQ.down);
  assert.equal(c.detailCursor, 29);
  type(c, SEQ.pageup);
  assert.equal(c.detailCursor, 23);
  type(c, 'g');
  assert.equal(c.detailCursor, 0);
  type(c, SEQ.up);
  assert.equal(c.detailCursor, 0);
  // the list's selection does not move while the detail has the focus
  assert.equal(selectedFrame(c), 5);
  type(c, 'G');
  type(c, SEQ.tab + SEQ.tab + 'j'); // back to the list, next row
  assert.equal(selectedFrame(c), 7);
  c.detailLines();
  assert.equal(c.detailCursor, 0);
  assert.equal(c.detailTop, 0);
});

test('detail folds: Enter toggles, right unfolds, left folds or goes to the parent (from a leaf too)', async () => {
  const { c } = await finished('lab_mount_sequence_lo.pcap');
  type(c, 'jj' + SEQ.enter);
  let lines = c.detailLines()!;
  const ip = indexOfId(lines, 'm0/L1');
  assert.equal(lines[ip].expanded, false);
  c.detailCursor = ip;
  type(c, SEQ.enter);
  lines = c.detailLines()!;
  assert.equal(lines[ip].expanded, true);
  assert.equal(lines[ip + 1].text, 'Version = 4');
  assert.equal(lines.length, 30 + 13, lines.slice(ip, ip + 15).map((l) => l.text).join('\n'));
  type(c, SEQ.enter);
  assert.equal(c.detailLines()!.length, 30);
  // right unfolds, twice is once
  type(c, SEQ.right + SEQ.right);
  lines = c.detailLines()!;
  assert.equal(lines[ip].expanded, true);
  const ipLen = lines.length;
  // left on a leaf: to its parent; left again: folds it; left again: to its parent, the call
  // the IP block's last leaf: its parent is some lines up, past its siblings
  const blockEnd = lines.findIndex((l, i) => i > ip && l.depth <= 1);
  let leaf = blockEnd - 1;
  while (lines[leaf].depth !== 2 || lines[leaf].hasChildren) leaf--;
  assert.ok(leaf > ip + 5, String(leaf));
  c.detailCursor = leaf;
  type(c, SEQ.left);
  assert.equal(c.detailCursor, ip);
  assert.equal(c.detailLines()!.length, ipLen, 'going to the parent folds nothing');
  type(c, SEQ.left);
  assert.equal(c.detailLines()!.length, 30);
  assert.equal(c.detailCursor, ip);
  type(c, SEQ.left);
  assert.equal(c.detailCursor, 0);
  // left on the call folds the whole message; right on a leaf does nothing
  type(c, SEQ.left);
  lines = c.detailLines()!;
  assert.deepEqual(
    lines.map((l) => l.id).slice(0, 2),
    ['m0', 'm1'],
  );
  type(c, SEQ.left);
  assert.equal(c.detailCursor, 0, 'a folded top line has no parent');
  type(c, SEQ.right);
  const flavor = indexOfId(c.detailLines()!, 'm1/prog/3'); // Authentication flavor = unix
  c.detailCursor = flavor;
  type(c, SEQ.right + SEQ.enter);
  assert.equal(c.detailLines()!.length, 30);
  assert.equal(c.detailCursor, flavor);
  // the folds are the selected row's: another row drawn in between starts from its defaults
  c.detailCursor = ip;
  type(c, SEQ.right);
  assert.equal(c.detailLines()!.length, ipLen);
  type(c, SEQ.tab + SEQ.tab + 'j');
  c.detailLines(); // drawn
  type(c, 'k' + SEQ.enter);
  assert.equal(selectedFrame(c), 5);
  assert.equal(c.detailLines()!.length, 30);
  assert.equal(c.detailCursor, 0);
});

test('hex: up/down and pages of 4 lines scroll, top and bottom go to the ends, the wheel scrolls too', async () => {
  const { c } = await finished('lab_mount_sequence_lo.pcap');
  type(c, 'jj' + SEQ.tab + SEQ.tab);
  assert.equal(c.focus, 'hex');
  assert.equal(c.hexTop, 0);
  type(c, SEQ.down + 'j');
  assert.equal(c.hexTop, 2);
  type(c, SEQ.pagedown);
  assert.equal(c.hexTop, 6);
  type(c, SEQ.pageup + SEQ.up + SEQ.up + SEQ.up);
  assert.equal(c.hexTop, 0);
  type(c, 'G');
  assert.ok(c.hexTop > 1000, 'bottom: the render clamps it to the last page');
  type(c, 'g');
  assert.equal(c.hexTop, 0);
  c.wheel('hex', 2);
  assert.equal(c.hexTop, 2);
  c.wheel('hex', -5);
  assert.equal(c.hexTop, 0);
  assert.equal(selectedFrame(c), 5, 'the list does not move');
});

test('follow: the newest row stays selected as rows arrive; moving up ends it, F starts it again', async () => {
  const run = await fixtureRun('rpc_errors_lo_nsec.pcap');
  const c = controllerOf(run, { follow: true });
  c.settle();
  assert.equal(c.selectedIndex, -1);
  while (run.fed < 60) {
    run.step();
    run.rows.sync();
    c.settle();
    if (run.rows.length > 0) {
      assert.equal(c.selectedId, run.rows.idAt(run.rows.length - 1), `after frame ${run.fed}`);
      assert.ok(c.listTop <= c.selectedIndex && c.selectedIndex < c.listTop + c.sizes.list);
    }
  }
  assert.ok(run.rows.length > 10);
  type(c, 'G');
  assert.equal(c.follow, true, 'moving to the last row keeps following');
  type(c, SEQ.up);
  assert.equal(c.follow, false);
  const kept = c.selectedId;
  run.feedTo(120);
  run.rows.sync();
  c.settle();
  assert.equal(c.selectedId, kept, 'new rows do not move the selection');
  type(c, 'F');
  assert.equal(c.follow, true);
  assert.equal(c.notice, 'follow: on (newest row selected)');
  assert.equal(c.selectedId, run.rows.idAt(run.rows.length - 1));
  type(c, 'F');
  assert.equal(c.follow, false);
  assert.equal(c.notice, 'follow: off');
  type(c, 'x');
  assert.equal(c.notice, null, 'a notice lasts until the next key');
});

test('pause: space freezes the list (rows wait), again resumes; F resumes a paused list', async () => {
  const run = await fixtureRun('lab_mount_sequence_lo.pcap');
  const c = controllerOf(run, { follow: true });
  run.feedTo(10);
  run.rows.sync();
  c.settle();
  type(c, ' ');
  assert.equal(run.rows.paused, true);
  const shown = run.rows.length;
  run.feedTo(30);
  run.rows.sync();
  c.settle();
  assert.equal(run.rows.length, shown);
  assert.ok(run.rows.waiting > 0);
  assert.equal(c.selectedId, run.rows.idAt(shown - 1), 'following the last row shown');
  type(c, ' ');
  assert.equal(run.rows.paused, false);
  assert.equal(c.selectedId, run.rows.idAt(run.rows.length - 1));
  type(c, ' ');
  type(c, 'F'); // off
  type(c, 'F'); // on: resumes
  assert.equal(run.rows.paused, false);
});

test('selection by row id: kept when rows arrive, when a filter keeps the row, moved to the next row when it hides it', async () => {
  const run = await fixtureRun('lab_mount_sequence_lo.pcap');
  const c = controllerOf(run);
  run.feedTo(36);
  run.rows.sync();
  c.settle();
  while (selectedFrame(c) !== 34) type(c, 'j');
  const mnt = c.selectedId;
  run.finish();
  run.rows.sync();
  c.settle();
  assert.equal(c.selectedId, mnt);
  assert.equal(selectedFrame(c), 34);
  type(c, 'fprogram == MOUNT\r');
  assert.equal(c.filterText, 'program == MOUNT');
  assert.equal(c.selectedId, mnt);
  assert.equal(c.selectedIndex, shownIds(run.rows).indexOf(mnt as number));
  assert.equal(c.selectedIndex, 4); // NULL, MNT, UMNT, NULL, MNT
  type(c, 'f' + SEQ.ctrl('u') + 'program == NFS\r');
  assert.equal(selectedFrame(c), 49, 'the MNT row is hidden: the next NFS row');
  type(c, 'f' + SEQ.ctrl('u') + '\r');
  assert.equal(c.filterText, '');
  assert.equal(run.rows.length, 16);
  assert.equal(selectedFrame(c), 49);
  assert.equal(c.listTop + c.sizes.list > c.selectedIndex, true);
});

test('search: / finds the next row with the text (any case), n and N go on, wrapping with a notice', async () => {
  const { c } = await finished('lab_mount_sequence_lo.pcap');
  type(c, 'jj'); // MNT, frame 5
  type(c, '/getattr');
  assert.equal(promptOf(c)?.kind, 'search');
  assert.equal(promptOf(c)?.editor.text, 'getattr');
  type(c, '\r');
  assert.equal(c.prompt, null);
  assert.equal(selectedFrame(c), 13);
  assert.equal(c.notice, null);
  type(c, 'n');
  assert.equal(selectedFrame(c), 55);
  type(c, 'n');
  assert.equal(selectedFrame(c), 13);
  assert.equal(c.notice, 'search "getattr": wrapped around');
  type(c, 'N');
  assert.equal(selectedFrame(c), 55);
  assert.equal(c.notice, 'search "getattr": wrapped around');
  type(c, 'N');
  assert.equal(selectedFrame(c), 13);
  assert.equal(c.notice, null);
  // no match: the selection stays
  type(c, '/no such text\r');
  assert.equal(c.notice, 'search "no such text": none');
  assert.equal(selectedFrame(c), 13);
  // Esc cancels: the last search stays
  type(c, '/MNT' + SEQ.escape);
  assert.equal(c.prompt, null);
  assert.equal(c.searchText, 'no such text');
  // the prompt starts empty, with the earlier searches on Up
  type(c, '/');
  assert.equal(promptOf(c)?.editor.text, '');
  type(c, SEQ.up + SEQ.up + '\r');
  assert.equal(c.searchText, 'getattr');
});

test('search before any search: n says how to search', async () => {
  const { c } = await finished('lab_mount_sequence_lo.pcap');
  type(c, 'n');
  assert.equal(c.notice, 'no search yet: press / to search');
  assert.equal(c.selectedIndex, 0);
});

test('errors: e and E go to the next and previous row with an error reply, wrapping with a notice', async () => {
  const { run, c } = await finished('rpc_errors_lo_nsec.pcap');
  const errorFrames = run.store
    .rows()
    .filter((r) => r.error)
    .map((r) => r.calls[0].record.frameNo);
  assert.deepEqual(errorFrames.slice(0, 4), [44, 64, 84, 132]);
  type(c, 'e');
  assert.equal(selectedFrame(c), 44);
  type(c, 'e');
  assert.equal(selectedFrame(c), 64);
  type(c, 'E');
  assert.equal(selectedFrame(c), 44);
  assert.equal(c.notice, null);
  type(c, 'E');
  assert.equal(selectedFrame(c), errorFrames[errorFrames.length - 1]);
  assert.equal(c.notice, 'errors: wrapped around');
  type(c, 'e');
  assert.equal(selectedFrame(c), 44);
  assert.equal(c.notice, 'errors: wrapped around');
  // every error row in turn
  const seen: number[] = [];
  for (let i = 0; i < errorFrames.length; i++) {
    seen.push(selectedFrame(c) as number);
    type(c, 'e');
  }
  assert.deepEqual(seen, errorFrames);
  const clean = await finished('lab_mount_sequence_lo.pcap');
  type(clean.c, 'e');
  assert.equal(clean.c.notice, 'errors: none');
  assert.equal(clean.c.selectedIndex, 0);
});

test('c: between the call\'s and the reply\'s top lines of the detail, from anywhere in either', async () => {
  const { c } = await finished('lab_mount_sequence_lo.pcap');
  type(c, 'jj');
  type(c, 'c');
  assert.equal(c.focus, 'detail');
  const lines = c.detailLines()!;
  const reply = indexOfId(lines, 'm1');
  assert.equal(c.detailCursor, reply);
  assert.match(lines[c.detailCursor].text, /^Reply, frame 6: /);
  type(c, 'c');
  assert.equal(c.detailCursor, 0);
  c.detailCursor = indexOfId(lines, 'm0/prog/1'); // Directory = …
  type(c, 'c');
  assert.equal(c.detailCursor, reply);
  c.detailCursor = indexOfId(lines, 'm1/prog/2'); // File handle = …
  type(c, 'c');
  assert.equal(c.detailCursor, 0);
});

test('c with a retransmission after the reply: the call goes to the reply and the reply to the first call', () => {
  const run = tuiRun(udpFrames([getattrCall(5), unavailReply(5), getattrCall(5)]));
  run.finish();
  run.rows.sync();
  const c = controllerOf(run);
  c.settle();
  const row = c.selectedRow()!;
  assert.equal(row.calls.length, 2);
  const lines = c.detailLines()!;
  const tops = lines.filter((l) => l.depth === 0).map((l) => l.text.replace(/:.*/, ''));
  assert.deepEqual(tops, ['Call, frame 1', 'Reply, frame 2', 'Call (retransmit), frame 3']);
  type(c, 'c');
  assert.match(lines[c.detailCursor].text, /^Reply, frame 2/);
  type(c, 'c');
  assert.match(lines[c.detailCursor].text, /^Call, frame 1/);
  c.detailCursor = lines.findIndex((l) => l.text.startsWith('Call (retransmit)'));
  type(c, 'c');
  assert.match(lines[c.detailCursor].text, /^Reply, frame 2/);
});

test('c on a call with no reply and on an orphan reply: a notice says which side is missing', () => {
  const run = tuiRun(udpFrames([getattrCall(1), unavailReply(99)]));
  run.feedTo(2);
  run.rows.sync();
  const c = controllerOf(run);
  c.settle();
  assert.equal(run.rows.length, 2);
  type(c, 'c');
  assert.equal(c.notice, 'this call has no reply (yet)');
  assert.equal(c.focus, 'list');
  type(c, 'jc');
  assert.equal(c.selectedRow()!.kind, 'orphan');
  assert.equal(c.notice, 'this reply has no call in the capture');
});

test('c on a frame row (-a): a notice that it is no RPC message, not a missing call', async () => {
  const run = await fixtureRun('lab_mount_sequence_lo.pcap', { allFrames: true });
  run.finish();
  run.rows.sync();
  const c = controllerOf(run);
  c.settle();
  c.selectIndex(run.store.rows().findIndex((r) => r.kind === 'frame'));
  assert.equal(c.selectedRow()!.kind, 'frame');
  type(c, 'c');
  assert.equal(c.notice, 'this row is a frame with no RPC message');
});

test('a row selected before its reply arrives: the reply shows unfolded like the call, the folds made stay', () => {
  const run = tuiRun(udpFrames([getattrCall(7), unavailReply(7)]));
  const c = controllerOf(run, { follow: true });
  run.feedTo(1);
  run.rows.sync();
  c.settle();
  let lines = c.detailLines()!;
  assert.deepEqual(
    lines.filter((l) => l.depth === 0).map((l) => l.id),
    ['m0'],
  );
  const rpcAt = indexOfId(lines, 'm0/rpc');
  c.focus = 'detail';
  c.detailCursor = rpcAt;
  type(c, SEQ.left); // fold the call's RPC header
  run.step();
  run.rows.sync();
  c.settle();
  lines = c.detailLines()!;
  const reply = lines.find((l) => l.id === 'm1')!;
  assert.ok(reply, 'the reply is in the detail');
  assert.equal(reply.expanded, true, 'the reply unfolded as for a row selected after it arrived');
  assert.ok(lines.some((l) => l.id === 'm1/rpc' && l.expanded));
  assert.equal(lines.find((l) => l.id === 'm0/rpc')!.expanded, false, 'the user\'s fold stays');
  assert.equal(c.detailCursor, rpcAt, 'the cursor stays');
});

test('filter prompt: an invalid expression keeps the prompt open with its error position; valid applies; empty clears; Esc cancels', async () => {
  const { run, c } = await finished('lab_mount_sequence_lo.pcap');
  type(c, 'f');
  assert.equal(promptOf(c)?.kind, 'filter');
  assert.equal(promptOf(c)?.editor.text, '', 'no filter yet');
  type(c, 'proc = MNT');
  assert.equal(promptOf(c)?.error?.position, 5);
  assert.match(promptOf(c)!.error!.reason, /unknown operator '='/);
  assert.deepEqual(type(c, '\r'), ['redraw', 'none']);
  assert.ok(promptOf(c), 'still open');
  assert.equal(promptOf(c)?.error?.position, 5);
  assert.equal(c.filterText, '');
  assert.equal(run.rows.length, 16);
  // fixed in place: the error goes as soon as the text is right
  type(c, SEQ.ctrl('a') + SEQ.right.repeat(5) + '=');
  assert.equal(promptOf(c)?.editor.text, 'proc == MNT');
  assert.equal(promptOf(c)?.error, null);
  type(c, '\r');
  assert.equal(c.prompt, null);
  assert.equal(c.filterText, 'proc == MNT');
  assert.equal(run.rows.length, 2);
  assert.equal(run.rows.activeFilter?.expr, 'proc == MNT');
  // the prompt starts with the filter in force; Esc leaves it as it was
  type(c, 'f');
  assert.equal(promptOf(c)?.editor.text, 'proc == MNT');
  type(c, ' or error' + SEQ.escape);
  assert.equal(c.prompt, null);
  assert.equal(c.filterText, 'proc == MNT');
  assert.equal(run.rows.length, 2);
  // a filter nothing matches: said so
  type(c, 'f' + SEQ.ctrl('u') + 'error\r');
  assert.equal(run.rows.length, 0);
  assert.equal(c.notice, 'no row matches the filter');
  assert.equal(c.selectedIndex, -1);
  // blanks are no filter
  type(c, 'f' + SEQ.ctrl('u') + '   \r');
  assert.equal(c.filterText, '');
  assert.equal(run.rows.activeFilter, null);
  assert.equal(run.rows.length, 16);
  assert.equal(c.notice, null);
  // the filter history
  type(c, 'f' + SEQ.ctrl('u') + SEQ.up);
  assert.equal(promptOf(c)?.editor.text, 'error');
  type(c, SEQ.up);
  assert.equal(promptOf(c)?.editor.text, 'proc == MNT');
  // keys of the list are text in the prompt; C-c still quits
  type(c, SEQ.ctrl('u') + 'q');
  assert.equal(promptOf(c)?.editor.text, 'q');
  assert.deepEqual(type(c, SEQ.ctrl('c')), ['quit']);
});

test('views: s, l and ? (or h) open full-screen views and close them again; Escape goes back; movement scrolls them', async () => {
  const { c } = await finished('lab_mount_sequence_lo.pcap');
  for (const [key, view] of [
    ['s', 'stats'],
    ['l', 'ladder'],
    ['?', 'help'],
    ['h', 'help'],
  ] as const) {
    type(c, key);
    assert.equal(c.view, view, key);
    type(c, key);
    assert.equal(c.view, 'main', `${key} again`);
    type(c, key + SEQ.escape);
    assert.equal(c.view, 'main', `${key} then Escape`);
  }
  type(c, 's');
  type(c, 'l');
  assert.equal(c.view, 'ladder', 'one view replaces another');
  type(c, SEQ.down + SEQ.down);
  assert.equal(c.viewTop, 2);
  type(c, SEQ.pagedown);
  assert.equal(c.viewTop, 24);
  type(c, SEQ.pageup + SEQ.pageup);
  assert.equal(c.viewTop, 0);
  type(c, 'G');
  assert.ok(c.viewTop > 1000);
  type(c, 'g');
  assert.equal(c.viewTop, 0);
  assert.equal(c.selectedIndex, 0, 'the list does not move under a view');
  type(c, '?');
  assert.equal(c.viewTop, -1, 'a new view places itself when drawn (the ladder at its selected row, others at the top)');
  // the filter key leaves the view for the prompt
  type(c, 'f');
  assert.equal(c.view, 'main');
  assert.equal(promptOf(c)?.kind, 'filter');
  type(c, SEQ.escape);
  assert.deepEqual(type(c, SEQ.ctrl('l')), ['redraw']);
  assert.deepEqual(type(c, 'q'), ['quit']);
  assert.deepEqual(type(c, SEQ.ctrl('c')), ['quit']);
});

test('an empty capture: keys do nothing harmful', () => {
  const run = tuiRun([]);
  run.finish();
  const c = controllerOf(run);
  c.settle();
  for (const bytes of ['j', 'k', 'G', 'g', SEQ.pagedown, 'e', 'E', 'c', 'n', SEQ.enter, SEQ.right, SEQ.left, SEQ.tab, SEQ.down, ' ', 'F']) type(c, bytes);
  assert.equal(c.selectedIndex, -1);
  assert.equal(c.selectedRow(), undefined);
  assert.deepEqual(c.detailLines(), []);
});
