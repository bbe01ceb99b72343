/**
 * tui/ladder-model.ts: a client's conversation with portmap/rpcbind, mountd and nfsd as a ladder — columns, arrows,
 * labels, error marks, the selected row, the `--explain` sentences under the mount steps — on real captures, on
 * synthetic messages (several servers, many programs, a hostile label) and within 80 and 200 columns.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isErrorReply, type RawFrame, type Timestamp } from '../src/index';
import { DEFAULT_LADDER_MESSAGES, explainNotes, ladderClients, ladderColumns, ladderLines, ladderMessages, recentLadderMessages, type LadderLine, type LadderMessage } from '../tui/ladder-model';
import { fixtureCaptures } from './helpers/fixtures';
import { ethernet, frame, ipv4, udp } from './helpers/net-builders';
import { buildCall, XdrWriter } from './helpers/rpc-builders';
import { tuiFixture, tuiRun, type TuiRun } from './helpers/tui-fixture';

const CONTROL = /[\x00-\x1f\x7f-\x9f]/;
const MOUNT_FIXTURES = ['lab_mount_sequence_lo.pcap', 'nfs3_udp_lo.pcap', 'nfs3_browse_lo.pcap', 'nfs3_ipv6_lo.pcap', 'rpc_errors_lo_nsec.pcap', 'nfs3_allprocs_tcp_lo.pcap'];
const EXPORT = '/tmp/rpcsnoop-mountseq-xvn3LZ/export';

function messagesOf(r: TuiRun): LadderMessage[] {
  return r.store.rows().flatMap((row) => ladderMessages(row, r.fmt));
}

/** The x position of each lane: the `|` of the header's lane line (the last header line). */
function laneXs(lines: readonly LadderLine[]): number[] {
  const lanesLine = lines[lines.findIndex((l) => l.rowId !== null) - 1].text;
  assert.match(lanesLine, /^ +\|/);
  return [...lanesLine].flatMap((c, i) => (c === '|' ? [i] : []));
}

const messageLine = (lines: readonly LadderLine[], frameNo: number): LadderLine => lines.find((l) => l.frame === frameNo && !l.isNote)!;

test('mount sequence: columns client, portmap, mountd, nfsd, with their ports; one client', async () => {
  const r = await tuiFixture('lab_mount_sequence_lo.pcap');
  const msgs = messagesOf(r);
  assert.equal(msgs.length, 32);
  assert.deepEqual(ladderClients(msgs), [{ client: '127.0.0.1', messages: 32 }]);
  assert.deepEqual(ladderClients(r.store.rows()), ladderClients(msgs), 'rows and messages agree');
  const cols = ladderColumns(msgs, '127.0.0.1');
  assert.deepEqual(
    cols.map((c) => [c.role, c.program, c.ports, c.versions]),
    [
      ['client', null, [], []],
      ['portmap', 100000, [111], [2]],
      ['mountd', 100005, [20048], [3]],
      ['nfsd', 100003, [2049], [3]],
    ],
  );
  const lines = ladderLines(msgs, '127.0.0.1', 80);
  assert.equal(lines[0].text, 'Ladder of client 127.0.0.1: 32 messages with 1 server');
  assert.equal(lines[1].text, 'server 127.0.0.1: portmap :111 v2, mountd :20048 v3, nfsd :2049 v3');
  assert.match(lines[2].text, /^ +time +client +portmap +mountd +nfsd$/);
  assert.equal(lines.filter((l) => l.rowId !== null).length, 32);
});

test('labels: a call is its procedure and key argument, a reply its status, answer and RTT', async () => {
  const r = await tuiFixture('lab_mount_sequence_lo.pcap');
  const byFrame = new Map(messagesOf(r).map((m) => [m.frame, m]));
  const label = (f: number): string => byFrame.get(f)!.label;
  assert.equal(label(1), 'GETPORT MOUNT v3 UDP');
  assert.equal(label(2), 'port 20048 (0.142ms)');
  assert.equal(label(5), `MNT ${EXPORT}`);
  assert.equal(label(6), 'MNT3_OK FH=412E (0.161ms)');
  assert.equal(label(11), `FSINFO FH=412E 127.0.0.1:${EXPORT}`);
  assert.equal(label(12), 'NFS3_OK (0.278ms)');
  assert.equal(label(20), 'GETPORT MOUNT v3 TCP');
  const m = byFrame.get(5)!;
  assert.deepEqual([m.isCall, m.client, m.server, m.serverPort, m.program, m.programName, m.version, m.procedure, m.severity], [true, '127.0.0.1', '127.0.0.1', 20048, 100005, 'MOUNT', 3, 'MNT', 'ok']);
  const reply = byFrame.get(6)!;
  assert.deepEqual([reply.isCall, reply.client, reply.server, reply.serverPort, reply.rowId], [false, '127.0.0.1', '127.0.0.1', 20048, m.rowId]);
  // rpcbind v4 answers with a universal address: the port when it names the server itself
  const rpcinfo = messagesOf(await tuiFixture('rpcbind_rpcinfo_lo.pcapng'));
  assert.ok(rpcinfo.some((x) => x.label === 'GETADDR NFS v3 tcp'));
  assert.ok(rpcinfo.some((x) => /^port 2049 \(\d+\.\d{3}ms\)$/.test(x.label)));
});

test('arrows: a call runs from the client lane to its server lane (-->), a reply back (<--), across other lanes', async () => {
  for (const width of [80, 200]) {
    const r = await tuiFixture('lab_mount_sequence_lo.pcap');
    const msgs = messagesOf(r);
    const lines = ladderLines(msgs, '127.0.0.1', width);
    const xs = laneXs(lines);
    assert.equal(xs.length, 4);
    const laneOf: Record<string, number> = { PORTMAP: 1, MOUNT: 2, NFS: 3 };
    for (const m of msgs) {
      const t = messageLine(lines, m.frame).text;
      const to = xs[laneOf[m.programName]];
      assert.equal(t[xs[0]], '|', t);
      assert.equal(t[to], '|', t);
      const shaft = t.slice(xs[0] + 1, to);
      assert.equal(shaft, m.isCall ? `${'-'.repeat(shaft.length - 1)}>` : `<${'-'.repeat(shaft.length - 1)}`, `frame ${m.frame}: ${t}`);
      // lanes beyond the server's are untouched, and the label follows the lanes
      for (const x of xs.slice(laneOf[m.programName] + 1)) assert.equal(t[x], '|', t);
      assert.ok(t.slice(xs[3] + 1).trim().startsWith(m.label.split(' ')[0]), t);
    }
    // the MNT call reaches mountd's lane (the third), the FSINFO call nfsd's (the fourth)
    assert.ok(messageLine(lines, 5).text.includes(`|${'-'.repeat(xs[2] - xs[0] - 2)}>|`));
    assert.ok(messageLine(lines, 11).text.includes(`|${'-'.repeat(xs[3] - xs[0] - 2)}>|`));
  }
});

test('every fixture, with notes: no line wider than 80, 120 or 200 columns, no control character', async () => {
  for (const name of fixtureCaptures()) {
    const r = await tuiFixture(name);
    const msgs = messagesOf(r);
    const notes = explainNotes(r.explain.finish());
    for (const { client } of ladderClients(msgs)) {
      for (const width of [80, 120, 200]) {
        const lines = ladderLines(msgs, client, width, { notes });
        for (const l of lines) {
          assert.ok(l.text.length <= width, `${name} at ${width}: ${l.text}`);
          assert.ok(!CONTROL.test(l.text), `${name}: ${JSON.stringify(l.text)}`);
        }
        assert.equal(lines.filter((l) => l.rowId !== null && !l.isNote).length, Math.min(DEFAULT_LADDER_MESSAGES, msgs.filter((m) => m.client === client).length));
      }
    }
  }
});

/** The sentences under a frame's message line, unwrapped. */
function notesUnder(lines: readonly LadderLine[], frameNo: number): string {
  const i = lines.findIndex((l) => l.frame === frameNo && !l.isNote);
  const out: string[] = [];
  for (let k = i + 1; k < lines.length && lines[k].isNote; k++) out.push(lines[k].text.replace(/^[ |]*\| {2}/, '').trim());
  return out.join(' ');
}

test('notes: the --explain sentences of every mount step appear under its call (GETPORT, MNT, FSINFO...)', async () => {
  for (const name of MOUNT_FIXTURES) {
    const r = await tuiFixture(name);
    const report = r.explain.finish();
    const notes = explainNotes(report);
    const msgs = messagesOf(r);
    let steps = 0;
    for (const c of report.clients) {
      for (const width of [80, 200]) {
        const lines = ladderLines(msgs, c.client, width, { notes });
        for (const a of c.attempts) {
          for (const s of a.steps) {
            const under = notesUnder(lines, s.callFrame);
            assert.ok(under.includes(s.why), `${name} frame ${s.callFrame} at ${width}: ${under}`);
            if (!s.ok && s.cause) assert.ok(notesUnder(lines, s.replyFrame ?? s.frames[s.frames.length - 1]).includes(`Likely cause: ${s.cause}`));
            steps++;
          }
          assert.ok(notesUnder(lines, a.lastFrame).includes('Verdict: '), `${name}: verdict of attempt ${a.attempt}`);
        }
      }
    }
    assert.ok(steps > 0, name);
  }
  // the mount capture: the GETPORT, MNT and FSINFO lines by name
  const r = await tuiFixture('lab_mount_sequence_lo.pcap');
  const lines = ladderLines(messagesOf(r), '127.0.0.1', 80, { notes: explainNotes(r.explain.finish()) });
  assert.match(notesUnder(lines, 1), /^Attempt 1: 127\.0\.0\.1:.* MOUNTED .* Attempt 1, step 1: MOUNT has no fixed port/);
  assert.match(notesUnder(lines, 5), /^Attempt 1, step 3: MNT is the mount itself/);
  assert.match(notesUnder(lines, 11), /^Attempt 1, step 6: FSINFO on the root handle/);
  assert.equal(notesUnder(lines, 2), '', 'a reply of a step that went well has no note');
  const i = lines.findIndex((l) => l.frame === 1 && !l.isNote);
  assert.ok(lines[i + 1].isNote && lines[i + 1].rowId === lines[i].rowId && lines[i + 1].severity === 'ok');
});

test('error replies: severity error and a double shaft; other lines ok', async () => {
  const r = await tuiFixture('rpc_errors_lo_nsec.pcap');
  const msgs = messagesOf(r);
  const events = new Map(r.events.map((ev) => [ev.record.frameNo, ev]));
  const lines = ladderLines(msgs, '127.0.0.1', 120);
  let errors = 0;
  for (const m of msgs) {
    const l = messageLine(lines, m.frame);
    const ev = events.get(m.frame)!;
    const bad = !m.isCall && isErrorReply(ev);
    assert.equal(l.severity === 'error', bad, `frame ${m.frame}: ${l.text}`);
    assert.equal(l.text.includes('<='), bad, l.text);
    if (bad) errors++;
  }
  assert.ok(errors >= 20, `${errors} error replies`);
  assert.ok(lines.some((l) => l.severity === 'error' && /MNT3ERR_ACCES \(\d/.test(l.text)));
  // unanswered calls are warnings, drawn with `~`
  const veth = await tuiFixture('rpc_veth_any_sll.pcap');
  const vmsgs = messagesOf(veth);
  const noReply = vmsgs.filter((m) => m.label.endsWith('(no reply)'));
  assert.ok(noReply.length > 0);
  const vlines = ladderLines(vmsgs, noReply[0].client, 80);
  for (const m of noReply) {
    assert.equal(m.severity, 'warning');
    assert.ok(messageLine(vlines, m.frame).text.includes('~>'));
  }
});

function msg(over: Partial<LadderMessage>): LadderMessage {
  const ts: Timestamp = { sec: 1000, nsec: 0 };
  return { rowId: 1, frame: 1, ts, isCall: true, client: '10.0.0.9', server: '10.0.0.1', serverPort: 2049, program: 100003, programName: 'NFS', version: 3, procedure: 'GETATTR', label: 'GETATTR', severity: 'ok', ...over };
}

test('a hostile label or address is shown with its control characters escaped', async () => {
  const evil = msg({ label: 'LOOKUP evil\x1b[31m\nname', client: '10.0.0.9' });
  const lines = ladderLines([evil, msg({ frame: 2, server: 'srv\x07', isCall: false, label: 'NFS3_OK' })], '10.0.0.9', 80, { notes: new Map([[1, ['a note \x1b]0;title\x07']]]) });
  for (const l of lines) assert.ok(!CONTROL.test(l.text), JSON.stringify(l.text));
  assert.ok(lines.some((l) => l.text.endsWith('LOOKUP evil\\x1b[31m\\nname')));
  assert.ok(lines.some((l) => l.text.includes('srv\\x07')));
  assert.ok(lines.some((l) => l.isNote && l.text.includes('a note \\x1b]0;title\\x07')));
  // from the wire: a LOOKUP of such a name, through the store
  const args = new XdrWriter().opaque(new Uint8Array(8).fill(9)).string('evil\x1b[2J\nname').bytes();
  const call = buildCall({ xid: 0x42, prog: 100003, vers: 3, proc: 3, body: args });
  const frames: RawFrame[] = [frame(ethernet(ipv4(udp(call, { sport: 800, dport: 2049 }), { src: '10.1.0.2', dst: '10.1.0.1', protocol: 17 })), 1, { frameNo: 1 })];
  const r = tuiRun(frames);
  const msgs = messagesOf(r);
  assert.equal(msgs[0].label, 'LOOKUP FH=0000 evil\x1b[2J\nname (no reply)', 'raw in the message, escaped when drawn');
  const drawn = ladderLines(msgs, '10.1.0.2', 80);
  assert.ok(drawn.some((l) => l.text.includes('evil\\x1b[2J\\nname')));
  for (const l of drawn) assert.ok(!CONTROL.test(l.text));
});

test('the selected row: its call and reply lines are flagged and marked with >', async () => {
  const r = await tuiFixture('lab_mount_sequence_lo.pcap');
  const msgs = messagesOf(r);
  const mnt = msgs.find((m) => m.frame === 5)!;
  const lines = ladderLines(msgs, '127.0.0.1', 80, { selectedRowId: mnt.rowId, notes: explainNotes(r.explain.finish()) });
  const selected = lines.filter((l) => l.selected);
  assert.deepEqual([...new Set(selected.map((l) => l.frame))], [5, 6]);
  assert.ok(selected.every((l) => l.rowId === mnt.rowId));
  for (const l of selected.filter((x) => !x.isNote)) assert.ok(l.text.startsWith('>'), l.text);
  assert.ok(lines.filter((l) => !l.selected && l.rowId !== null && !l.isNote).every((l) => l.text.startsWith(' ')));
});

test('several servers: grouped by server in order of appearance, portmap, mountd, nfsd first, then others', () => {
  const msgs = [
    msg({ frame: 1, server: '10.0.0.1', program: 100003, programName: 'NFS', serverPort: 2049 }),
    msg({ frame: 2, server: '10.0.0.2', program: 100005, programName: 'MOUNT', serverPort: 635 }),
    msg({ frame: 3, server: '10.0.0.1', program: 100021, programName: 'NLM', serverPort: 4045 }),
    msg({ frame: 4, server: '10.0.0.1', program: 100000, programName: 'PORTMAP', serverPort: 111, version: 4 }),
    msg({ frame: 5, server: '10.0.0.1', program: null, programName: '?', isCall: false, label: '(call not seen) OK' }),
    msg({ frame: 6, server: '10.0.0.1', program: 100003, programName: 'NFS', serverPort: 20490, version: 4 }),
    msg({ frame: 7, client: '10.0.0.8', server: '10.0.0.3' }),
  ];
  const cols = ladderColumns(msgs, '10.0.0.9');
  assert.deepEqual(
    cols.map((c) => `${c.serverIndex}:${c.role}:${c.address}:${c.ports.join('/')}`),
    ['0:client:10.0.0.9:', '1:rpcbind:10.0.0.1:111', '1:nfsd:10.0.0.1:2049/20490', '1:nlm:10.0.0.1:4045', '1:?:10.0.0.1:2049', '2:mountd:10.0.0.2:635'],
  );
  const lines = ladderLines(msgs, '10.0.0.9', 80);
  assert.equal(lines[0].text, 'Ladder of client 10.0.0.9: 6 messages with 2 servers');
  assert.ok(lines[1].text.startsWith('[1] server 10.0.0.1: rpcbind :111 v4, nfsd :2049,20490 v3,4'));
  assert.ok(lines.some((l) => l.text.startsWith('[2] server 10.0.0.2: mountd :635 v3')));
  assert.ok(lines.some((l) => l.text.includes('1:rpcbind') && l.text.includes('2:mountd')));
  const xs = laneXs(lines);
  assert.equal(xs.length, 6);
  assert.equal(messageLine(lines, 2).text[xs[5] - 1], '>', 'MOUNT on the second server: the last lane');
  assert.equal(messageLine(lines, 5).text[xs[0] + 1], '<');
  assert.ok(!lines.some((l) => l.frame === 7), "another client's message is not drawn");
});

test('many programs: lanes are squeezed, then the last lane stands for the rest; still within 80 columns', () => {
  const msgs = Array.from({ length: 20 }, (_, i) => msg({ frame: i + 1, program: 200000 + i, programName: `P${i}`, label: `CALL${i}` }));
  for (const width of [80, 200]) {
    const lines = ladderLines(msgs, '10.0.0.9', width);
    for (const l of lines) assert.ok(l.text.length <= width, l.text);
    const xs = laneXs(lines);
    assert.ok(xs.length >= 5, `${xs.length} lanes`);
    for (let i = 1; i < xs.length; i++) assert.ok(xs[i] - xs[i - 1] >= 4);
    const merged = lines.find((l) => l.text.includes('more'));
    if (width === 80) assert.ok(merged, 'a +N more lane');
    // every message is drawn, those of merged programs to the last lane
    assert.equal(lines.filter((l) => l.rowId !== null).length, 20);
    assert.equal(messageLine(lines, 20).text[xs[xs.length - 1] - 1], '>');
  }
});

test('bounded: the most recent messages only, said in the first line; a line window keeps the selection', async () => {
  const r = await tuiFixture('nfs3_bulk_lo.pcap');
  const msgs = messagesOf(r);
  const client = ladderClients(msgs)[0].client;
  const all = msgs.filter((m) => m.client === client);
  const lines = ladderLines(msgs, client, 80, { maxMessages: 10 });
  assert.equal(lines[0].text, `Ladder of client ${client}: 10 messages with 1 server; the last 10 of ${all.length} shown`);
  assert.deepEqual(
    lines.filter((l) => l.rowId !== null).map((l) => l.frame),
    all.slice(-10).map((m) => m.frame),
  );
  // from the rows: only the last rows are formatted, the total counts them all
  const recent = recentLadderMessages(r.store.rows(), client, r.fmt, 10);
  assert.equal(recent.total, all.length);
  assert.deepEqual(recent.messages, all.slice(-10));
  assert.equal(ladderLines(recent.messages, client, 80, { total: recent.total })[0].text, lines[0].text);
  // maxLines: the newest lines, or a window around the selected row
  const capped = ladderLines(msgs, client, 80, { maxLines: 12 });
  assert.equal(capped.length, 12);
  assert.equal(capped[capped.length - 1].frame, all[all.length - 1].frame);
  const first = all[2];
  const around = ladderLines(msgs, client, 80, { maxLines: 12, selectedRowId: first.rowId });
  assert.ok(around.some((l) => l.selected && l.frame === first.frame));
});
