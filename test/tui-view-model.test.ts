/**
 * tui/view-model.ts: rows in, list cells and lines, detail tree lines, hex lines, status and filter bar out — on
 * real captures (an NFSv3 mount, unanswered calls, error replies) and on a synthetic LOOKUP whose name carries
 * an escape sequence.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFormatContext, DEFAULT_PIPELINE, defaultRegistry, FileHandle, Pipeline, type FormatContext, type RawFrame } from '../src/index';
import { TransactionStore, type TxRow } from '../tui/store';
import {
  columnWidths,
  defaultExpandedIds,
  detailTree,
  filterBarState,
  flattenTree,
  formatRtt,
  formatSeconds,
  headerLine,
  hexLines,
  hexSelection,
  messageBytes,
  rowCells,
  rowLine,
  statusBar,
} from '../tui/view-model';
import { readFrames } from './helpers/capture-packets';
import { fixture } from './helpers/fixtures';
import { ethernet, frame, ipv4, udp } from './helpers/net-builders';
import { buildCall, XdrWriter } from './helpers/rpc-builders';

interface Run {
  store: TransactionStore;
  fmt: FormatContext;
  pipeline: Pipeline;
}

function run(frames: RawFrame[], opts = DEFAULT_PIPELINE): Run {
  const store = new TransactionStore();
  const pipeline = new Pipeline(opts, (ev) => store.push(ev));
  for (const f of frames) pipeline.pushFrame(f);
  pipeline.finish();
  store.refresh();
  return { store, pipeline, fmt: createFormatContext(defaultRegistry(), pipeline.names, { showNames: true }) };
}

async function runFixture(name: string): Promise<Run> {
  return run(await readFrames(fixture(name)));
}

const byFrame = (r: Run, frameNo: number): TxRow => r.store.rows().find((x) => (x.calls[0] ?? x.replies[0])?.record.frameNo === frameNo)!;
const EXPORT = '/tmp/rpcsnoop-mountseq-xvn3LZ/export';
const CONTROL = /[\x00-\x1f\x7f-\x9f]/;

test('list cells: the MNT row has the export path as key argument and MNT3_OK; handles show their learned path', async () => {
  const r = await runFixture('lab_mount_sequence_lo.pcap');
  const base = { timeBase: r.store.firstTs };
  const mnt = rowCells(byFrame(r, 5), r.fmt, base);
  assert.equal(mnt.frame, '5');
  assert.equal(mnt.client, '127.0.0.1');
  assert.equal(mnt.server, '127.0.0.1');
  assert.equal(mnt.program, 'MOUNT3');
  assert.equal(mnt.procedure, 'MNT');
  assert.equal(mnt.keyArg, EXPORT);
  assert.equal(mnt.status, 'MNT3_OK');
  assert.equal(mnt.rtt, '0.161ms');
  assert.equal(mnt.time, '0.004427');
  assert.equal(mnt.flags, '');
  assert.equal(mnt.severity, 'ok');
  const fsinfo = rowCells(byFrame(r, 11), r.fmt, base);
  assert.equal(fsinfo.keyArg, `FH=412E 127.0.0.1:${EXPORT}`);
  assert.equal(fsinfo.status, 'NFS3_OK');
  const getport = rowCells(byFrame(r, 1), r.fmt, base);
  assert.equal(getport.keyArg, 'prog=100005 (MOUNT) vers=3 proto=UDP');
  assert.equal(getport.program, 'PORTMAP2');
  assert.equal(getport.status, 'OK');
  assert.equal(getport.time, '0.000000');
  assert.equal(rowCells(byFrame(r, 3), r.fmt, base).keyArg, ''); // MOUNT NULL
  // without a time base: absolute epoch seconds
  assert.match(rowCells(byFrame(r, 5), r.fmt).time, /^\d{10}\.\d{6}$/);
});

test('list lines: fixed columns that fit 80 columns and grow with the width', async () => {
  const r = await runFixture('lab_mount_sequence_lo.pcap');
  const cells = rowCells(byFrame(r, 11), r.fmt, { timeBase: r.store.firstTs });
  for (const w of [40, 80, 100, 132, 200]) {
    const line = rowLine(cells, w);
    assert.equal(line.length, Math.max(80, w), `width ${w}`);
    assert.equal(headerLine(w).length, Math.max(80, w));
  }
  const narrow = rowLine(cells, 80);
  assert.match(narrow, /^ {5}11 0\.006113 127\.0\.0\.1 127\.0\.0\.1 NFS3 {5}FSINFO {3}…\/export NFS3_OK {2}0\.278ms$/);
  // a 7-digit frame number is shown whole at 80 columns
  assert.match(rowLine({ ...cells, frame: '1234567' }, 80), /^1234567 /);
  const wide = rowLine(cells, 200);
  assert.ok(wide.includes(`FH=412E 127.0.0.1:${EXPORT}`), wide);
  assert.ok(headerLine(160).includes('Flags'));
  assert.ok(!headerLine(80).includes('Flags'));
  // the header's titles start where the cells start
  const h = headerLine(120);
  assert.equal(h.indexOf('Client'), rowLine(cells, 120).indexOf('127.0.0.1'));
  assert.equal(h.indexOf('Status'), rowLine(cells, 120).indexOf('NFS3_OK'));
  // widths add up, whatever the width
  for (const w of [80, 81, 97, 150, 300]) {
    const cw = columnWidths(w);
    const shown = Object.values(cw).filter((x) => x > 0);
    assert.equal(
      shown.reduce((a, b) => a + b, 0) + shown.length - 1,
      w,
    );
  }
  assert.equal(formatSeconds(1234.5678), '1234.568');
  assert.equal(formatRtt(0.000142), '0.142ms');
  assert.equal(formatRtt(1.5031), '1.503s');
});

test('unanswered calls: status `no reply`, flag unanswered, warning; rows that failed are errors', async () => {
  const r = await runFixture('rpc_veth_any_sll.pcap');
  const callit = rowCells(byFrame(r, 75), r.fmt);
  assert.equal(callit.status, 'no reply');
  assert.equal(callit.rtt, '');
  assert.equal(callit.flags, 'unanswered');
  assert.equal(callit.severity, 'warning');
  assert.equal(callit.keyArg, 'prog=NFS vers=3 proc=0 [NFS C NULL3]');
  const rows = r.store.rows().map((x) => rowCells(x, r.fmt));
  assert.equal(rows.filter((c) => c.status === 'no reply').length, 9);
  const set = rowCells(byFrame(r, 63), r.fmt);
  assert.equal(set.status, 'AUTH_TOOWEAK');
  assert.equal(set.severity, 'error');
});

test('error replies: error severity, the RFC status, its short form when the column is narrow', async () => {
  const r = await runFixture('rpc_errors_lo_nsec.pcap');
  const cells = r.store.rows().map((x) => rowCells(x, r.fmt));
  assert.equal(cells.filter((c) => c.severity === 'error').length, r.store.counters.errors);
  const lookup = rowCells(byFrame(r, 44), r.fmt);
  assert.equal(lookup.procedure, 'LOOKUP');
  assert.equal(lookup.status, 'NFS3ERR_NOENT');
  assert.equal(lookup.severity, 'error');
  assert.match(lookup.keyArg, /^FH=706E 127\.0\.0\.1:\/tmp\/lab\/export\/no-such-file\.txt$/);
  assert.match(rowLine(lookup, 80), / NOENT +\d/);
  assert.match(rowLine(lookup, 140), / NFS3ERR_NOENT /);
  const mnt = rowCells(byFrame(r, 64), r.fmt);
  assert.equal(mnt.status, 'MNT3ERR_ACCES');
  assert.equal(mnt.keyArg, '/not/exported');
  const rpcLevel = cells.filter((c) => c.status === 'PROC_UNAVAIL' || c.status === 'PROG_MISMATCH');
  assert.ok(rpcLevel.length >= 2 && rpcLevel.every((c) => c.severity === 'error'));
});

test('detail tree: the -v blocks of call and reply; lower layers collapsed; the MOUNT block with the handle', async () => {
  const r = await runFixture('lab_mount_sequence_lo.pcap');
  const row = byFrame(r, 5);
  const tree = detailTree(row, r.fmt);
  assert.equal(tree.length, 2);
  assert.equal(tree[0].text, `Call, frame 5: MOUNT3 C Mount ${EXPORT}`);
  assert.match(tree[1].text, /^Reply, frame 6: MOUNT3 R Mount OK FH=412E/);
  const lines = flattenTree(tree);
  const texts = lines.map((l) => l.text);
  // lower layers folded: their titles shown, their lines not
  assert.ok(texts.includes('IP:   ----- IP Header -----'));
  assert.ok(!texts.some((t) => t.startsWith('Version = 4')));
  const mount = lines.filter((l) => l.text === 'MOUNT:----- NFS MOUNT -----');
  assert.equal(mount.length, 2);
  assert.ok(mount.every((l) => l.depth === 1 && l.expanded));
  const fh = lines.find((l) => l.text.startsWith('File handle = '));
  assert.ok(fh);
  assert.equal(fh.text, `File handle = [412E] (127.0.0.1:${EXPORT})`);
  assert.equal(fh.depth, 2);
  assert.equal(fh.id, 'm1/prog/2');
  assert.equal(fh.hasChildren, true); // the handle's hex, folded
  assert.equal(fh.expanded, false);
  const reply = row.replies[0];
  // the handle's own bytes: after the status and the handle's length word
  const handle = (reply.result as { mountinfo: { fhandle: FileHandle } }).mountinfo.fhandle;
  assert.deepEqual(fh.range, { start: reply.msg.bodyOffset + 8, end: reply.msg.bodyOffset + 8 + handle.bytes.length });
  assert.equal(fh.rangeOf, 'record');
  assert.deepEqual(reply.record.bytes.subarray(fh.range.start, fh.range.end), handle.bytes);
  assert.deepEqual(lines.find((l) => l.id === 'm1/rpc')!.range, { start: 0, end: reply.msg.bodyOffset });
  assert.deepEqual(lines.find((l) => l.id === 'm1/prog')!.range, { start: reply.msg.bodyOffset, end: reply.record.bytes.length });
  assert.ok(texts.includes('Directory = ' + EXPORT));

  // expanding by id: the IP block of the call and the handle's hex
  const ids = defaultExpandedIds(tree);
  assert.ok(ids.has('m0') && ids.has('m1/prog') && !ids.has('m0/L1'));
  ids.add('m0/L1');
  ids.add('m1/prog/2');
  const more = flattenTree(tree, ids);
  assert.ok(more.some((l) => l.text === 'Version = 4' && l.depth === 2));
  assert.ok(more.some((l) => l.text === ' 4300000112445F4FC2A3E744DF0A0172E02000240EBF5A00' && l.depth === 3));
  // collapsing a message hides everything under it
  ids.delete('m0');
  assert.equal(flattenTree(tree, ids).filter((l) => l.id.startsWith('m0/')).length, 0);
  // ids are unique
  const all = flattenTree(tree, new Set(lines.map((l) => l.id).concat(more.map((l) => l.id))));
  assert.equal(new Set(all.map((l) => l.id)).size, all.length);
  assert.ok(!all.some((l) => l.text.includes('\t')));
});

test('hex lines: the MNT reply record, 16 bytes per line from offset 0, the selected field highlighted', async () => {
  const r = await runFixture('lab_mount_sequence_lo.pcap');
  const row = byFrame(r, 5);
  const reply = row.replies[0];
  const bytes = messageBytes(row, 1)!;
  assert.equal(bytes, reply.record.bytes);
  const lines = hexLines(bytes);
  assert.equal(lines.length, Math.ceil(bytes.length / 16));
  assert.equal(lines[0].offset, 0);
  assert.equal(lines[0].offsetText, '00000000');
  const xid = reply.msg.xid.toString(16).padStart(8, '0');
  assert.equal(lines[0].hex.slice(0, 9), `${xid.slice(0, 4)} ${xid.slice(4)}`);
  assert.equal(lines[0].hex.slice(10, 19), '0000 0001'); // msg_type REPLY
  assert.equal(lines[1].offsetText, '00000010');
  assert.equal(lines[0].text, `00000000: ${lines[0].hex}  ${lines[0].ascii}`);
  assert.ok(lines.every((l) => l.hex.length === 39 && !CONTROL.test(l.ascii)));
  assert.equal(lines[2].ascii.slice(0, 1), 'C'); // 0x43, the handle's first byte

  // the program block's range: from the results to the end
  const hl = hexLines(bytes, { start: reply.msg.bodyOffset, end: bytes.length });
  assert.equal(reply.msg.bodyOffset, 24);
  assert.equal(hl[0].highlight, null);
  assert.deepEqual(hl[1].highlight, { start: 8, end: 16 });
  assert.deepEqual(
    hl[1].spans.map(([a, b]) => hl[1].text.slice(a, b)),
    [hl[1].hex.slice(20, 39), hl[1].ascii.slice(8)],
  );
  assert.deepEqual(hl[2].highlight, { start: 0, end: 16 });
  // a window of lines
  const win = hexLines(bytes, null, { firstLine: 1, maxLines: 2 });
  assert.deepEqual(
    win.map((l) => l.offset),
    [16, 32],
  );
  assert.deepEqual(hexLines(new Uint8Array(0)), []);
  const odd = hexLines(Uint8Array.from([0x41, 0x00, 0x1b]));
  assert.equal(odd[0].hex, '4100 1b'.padEnd(39));
  assert.equal(odd[0].ascii, 'A..');
});

test('detail tree ranges: RPC lines in the record, lower-layer lines in the frame, lines without bytes inherit', async () => {
  const r = await runFixture('lab_mount_sequence_lo.pcap');
  const row = byFrame(r, 5);
  const [call, reply] = [row.calls[0], row.replies[0]];
  const tree = detailTree(row, r.fmt);
  const all = flattenTree(tree, new Set(flattenTree(tree, new Set(['m0', 'm1', 'm0/L0', 'm0/L1', 'm0/L2', 'm0/rpc', 'm1/rpc', 'm1/prog'])).map((l) => l.id)));
  const find = (id: string, text: string) => all.find((l) => l.id.startsWith(id) && l.text.startsWith(text))!;
  // the xid: the first word of the record
  const xid = find('m0/rpc/', 'Transaction id = ');
  assert.deepEqual([xid.range, xid.rangeOf], [{ start: 0, end: 4 }, 'record']);
  // the call's path: its string's bytes
  const dir = find('m0/prog/', 'Directory = ');
  assert.equal(Buffer.from(call.record.bytes.subarray(dir.range!.start, dir.range!.end)).toString(), EXPORT);
  // lower layers: ranges in the frame
  const ip = find('m0/L1', 'IP:   ----- IP Header');
  assert.deepEqual([ip.range, ip.rangeOf], [{ start: 14, end: 34 }, 'frame']);
  const src = find('m0/L1/', 'Source address = 127.0.0.1');
  assert.deepEqual([src.range, src.rangeOf], [{ start: 26, end: 30 }, 'frame']);
  assert.deepEqual([...call.frame!.bytes.subarray(26, 30)], [127, 0, 0, 1]);
  const dport = find('m0/L2/', 'Destination port = ');
  assert.equal(call.frame!.bytes[dport.range!.start] * 256 + call.frame!.bytes[dport.range!.start + 1], call.record.dport);
  // a reply's `Proc = 1` has no bytes of its own: its block's; `This is a reply to frame 5`: the RPC header's
  assert.deepEqual(find('m1/prog/', 'Proc = 1').range, { start: reply.msg.bodyOffset, end: reply.record.bytes.length });
  assert.deepEqual(find('m1/rpc/', 'This is a reply').range, { start: 0, end: reply.msg.bodyOffset });
  // the message lines themselves show no bytes
  assert.deepEqual([tree[0].range, tree[0].rangeOf], [null, null]);
  assert.ok(all.every((l) => (l.range === null) === (l.rangeOf === null)));
});

test('hex selection: the record of the line\'s message or the frame of a lower-layer line, with its bytes marked', async () => {
  const r = await runFixture('lab_mount_sequence_lo.pcap');
  const row = byFrame(r, 5);
  const [call, reply] = [row.calls[0], row.replies[0]];
  const tree = detailTree(row, r.fmt);
  const lines = flattenTree(tree, new Set(['m0', 'm1', 'm0/L1', 'm1/prog']));
  const fh = lines.find((l) => l.text.startsWith('File handle = '))!;
  const sel = hexSelection(row, fh, 0)!;
  assert.equal(sel.bytes, reply.record.bytes);
  assert.deepEqual(sel.range, fh.range);
  assert.equal(sel.title, `Reply record, frame 6: ${reply.record.bytes.length} bytes`);
  // its highlight in the hex lines: the handle's first byte (0x43, 'C') starts the third line
  const hl = hexLines(sel.bytes, sel.range);
  assert.equal(hl[1].highlight, null);
  assert.deepEqual(hl[2].highlight, { start: 0, end: 16 });
  assert.equal(hl[2].ascii[0], 'C');
  // a lower-layer line: the call's frame
  const src = lines.find((l) => l.id.startsWith('m0/L1/') && l.text.startsWith('Source address'))!;
  const fsel = hexSelection(row, src, null)!;
  assert.equal(fsel.bytes, call.frame!.bytes);
  assert.deepEqual([...fsel.bytes.subarray(fsel.range!.start, fsel.range!.end)], [127, 0, 0, 1]);
  assert.equal(fsel.title, `Frame 5: ${call.frame!.bytes.length} bytes`);
  // no line: the chosen message's record, nothing marked; the message line itself: the same
  assert.deepEqual(hexSelection(row, null, 1), { bytes: reply.record.bytes, range: null, title: sel.title });
  assert.deepEqual(hexSelection(row, lines[0], null), { bytes: call.record.bytes, range: null, title: `Call record, frame 5: ${call.record.bytes.length} bytes` });
  assert.equal(hexSelection(row, null, 7), null);
  assert.equal(hexSelection(row, null, null), null);
});

test('hex selection of a frame row: the frame, its lines marked; a cut frame says how long it was', async () => {
  const frames = await readFrames(fixture('nfs3_udp_ipfrag_veth.pcap'));
  const r = run(frames, { ...DEFAULT_PIPELINE, allFrames: true });
  const row = r.store.rows().find((x) => x.kind === 'frame')!;
  const fr = row.other!.frame;
  const lines = flattenTree(detailTree(row, r.fmt));
  const ident = lines.find((l) => l.text.startsWith('Identification = '))!;
  assert.equal(ident.rangeOf, 'frame');
  const sel = hexSelection(row, ident, null)!;
  assert.equal(sel.bytes, fr.bytes);
  assert.equal(sel.title, `Frame ${fr.frameNo}: ${fr.bytes.length} bytes`);
  assert.equal(fr.bytes[sel.range!.start] * 256 + fr.bytes[sel.range!.start + 1], Number(/= (\d+)/.exec(ident.text)![1]));
  assert.deepEqual(hexSelection(row, null, null)!.range, null);
  const cut = { ...fr, capLen: 40, bytes: fr.bytes.subarray(0, 40) };
  const small = run([cut], { ...DEFAULT_PIPELINE, allFrames: true });
  assert.equal(hexSelection(small.store.row(0)!, null, null)!.title, `Frame ${fr.frameNo}: 40 bytes (${fr.origLen} on the wire)`);
});

/** A LOOKUP call whose name holds an escape sequence and a newline (no reply). */
function hostileLookup(): RawFrame[] {
  const args = new XdrWriter().opaque(new Uint8Array(8).fill(9)).string('evil\x1b[2J\nname').bytes();
  const call = buildCall({ xid: 0x42, prog: 100003, vers: 3, proc: 3, body: args });
  return [frame(ethernet(ipv4(udp(call, { sport: 800, dport: 2049 }), { src: '10.1.0.2', dst: '10.1.0.1', protocol: 17 })), 1, { frameNo: 1 })];
}

test('a name with an escape sequence is shown escaped in the list, the tree and the status bar', () => {
  const r = run(hostileLookup());
  const row = r.store.row(0)!;
  const cells = rowCells(row, r.fmt);
  assert.equal(cells.keyArg, 'FH=0000 evil\\x1b[2J\\nname');
  assert.equal(cells.status, 'no reply');
  for (const w of [80, 200]) assert.ok(!CONTROL.test(rowLine(cells, w)));
  const tree = detailTree(row, r.fmt);
  const ids = new Set(flattenTree(tree, new Set(['m0', 'm0/L0', 'm0/L1', 'm0/L2', 'm0/rpc', 'm0/prog'])).map((l) => l.id));
  const lines = flattenTree(tree, ids);
  assert.ok(lines.some((l) => l.text.includes('evil\\x1b[2J\\nname')));
  assert.ok(lines.every((l) => !CONTROL.test(l.text)));
  const bar = statusBar(r.store, { source: 'cap\x1b[31m.pcap', filter: 'name == "a\x07"', mode: 'done' });
  assert.ok(!CONTROL.test(bar));
  assert.ok(bar.includes('cap\\x1b[31m.pcap'));
});

test('status bar: source, frames, messages, pairs, unanswered, errors, filter, live/paused', async () => {
  const r = await runFixture('lab_mount_sequence_lo.pcap');
  assert.equal(
    statusBar(r.store, { source: 'lab.pcap', frames: r.pipeline.counters.frames, mode: 'done' }),
    'done | lab.pcap | frames 64 | messages 32 | pairs 16 | unanswered 0 | errors 0',
  );
  assert.equal(
    statusBar(r.store, { source: 'lo', filter: 'proc == MNT', shown: 2, mode: 'paused' }),
    'paused | filter: proc == MNT (2 shown) | lo | frames 61 | messages 32 | pairs 16 | unanswered 0 | errors 0',
  );
  const small = new TransactionStore({ maxRows: 4 });
  for (const row of r.store.rows()) for (const ev of [...row.calls, ...row.replies]) small.push(ev);
  assert.match(statusBar(small, { source: 'lo', mode: 'live' }), /^live \| .*\| evicted 12 \(kept 4\)$/);
});

test('filter bar: empty is no filter; a good expression compiles; a bad one gives its position and caret line', () => {
  assert.deepEqual(filterBarState('  '), { ok: true, filter: null });
  const good = filterBarState('proc == LOOKUP and status == NOENT');
  assert.ok(good.ok && good.filter !== null && good.filter.expr === 'proc == LOOKUP and status == NOENT');
  const bad = filterBarState('proc = LOOKUP');
  assert.equal(bad.ok, false);
  if (bad.ok) return;
  assert.equal(bad.error.position, 5);
  assert.match(bad.error.reason, /unknown operator '='/);
  assert.equal(bad.error.caretLine, `     ^ ${bad.error.reason}`);
  const unknown = filterBarState('prog == NFS and procx == 3');
  assert.ok(!unknown.ok && unknown.error.position === 16 && /did you mean 'proc'/.test(unknown.error.reason));
  const end = filterBarState('proc ==');
  assert.ok(!end.ok && end.error.position === 7 && end.error.caretLine.startsWith('       ^ '));
});
