/**
 * NFSv3 summary lines (snoop-format.md §1.8) on real traffic: every one of the 22 procedures, call and reply, from
 * fixtures/nfs3_allprocs_tcp_lo.pcap, and the error replies of fixtures/rpc_errors_lo_nsec.pcap, decoded with
 * NFS3_PROCEDURES through the program harness and formatted by NFS_PROGRAM's version 3 entries. The values are
 * cross-checked with tshark's decode of the same frames (NAME.txt summaries: offsets, counts, names, modes,
 * status names; NAME.tsv nfs.fh.hash: which handle each `FH=` is). `--names` paths come from a FhNames root and what
 * LOOKUP/MKDIR/CREATE replies teach. Built messages cover what the lab cannot produce (snoop's SYMLINK3 bug, cut-off
 * READDIR lists, unknown enum values).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FhNames } from '../src/programs/fh-names';
import { FileHandle } from '../src/programs/file-handle';
import { LearnedPorts } from '../src/programs/learned-ports';
import { NFS_PROGRAM } from '../src/programs/nfs3/nfs-program';
import type * as T from '../src/programs/nfs3/types';
import { Registry, type FormatContext, type LearnContext, type ProcedureDef } from '../src/rpc/registry';
import type { RpcEvent } from '../src/rpc/rpc-event';
import type { Transaction } from '../src/rpc/pairing';
import { XdrReader } from '../src/rpc/xdr';
import { fhHashText } from './helpers/crc32';
import { fixture, readTsv } from './helpers/fixtures';
import { decodeArgs, decodeResult, fixtureEvents, formatContext } from './helpers/program-harness';
import { XdrWriter } from './helpers/rpc-builders';

const ALLPROCS = 'nfs3_allprocs_tcp_lo.pcap';
const ERRORS = 'rpc_errors_lo_nsec.pcap';
const V3 = NFS_PROGRAM.versions[3];

// ------------------------------------------------------------------------------------------------ fixture messages

interface Msg {
  frame: number;
  kind: 'call' | 'reply';
  def: ProcedureDef;
  ev: RpcEvent;
  /** Call: decoded arguments. Reply: decoded results (accepted SUCCESS replies only). */
  value?: unknown;
  /** Reply: its call's decoded arguments. */
  args?: unknown;
}

/** Every NFSv3 message of a fixture, decoded as the pipeline does (a reply's decoder gets its call's args). */
async function messages(name: string): Promise<Msg[]> {
  const argsOf = new Map<Transaction, unknown>();
  const out: Msg[] = [];
  for (const ev of await fixtureEvents(name)) {
    if (ev.prog !== 100003 || ev.vers !== 3 || ev.proc === null) continue;
    const def = V3[ev.proc];
    if (!def) continue;
    const m: Msg = { frame: ev.record.frameNo, kind: ev.msg.type, def, ev };
    try {
      if (ev.msg.type === 'call') {
        m.value = decodeArgs(def, ev);
        if (ev.tx) argsOf.set(ev.tx, m.value);
      } else {
        m.args = ev.tx ? argsOf.get(ev.tx) : undefined;
        if (ev.msg.replyStat === 0 && ev.msg.acceptStat === 0) m.value = decodeResult(def, ev, m.args);
      }
    } catch {
      // malformed messages (the errors capture has some) have no value
    }
    out.push(m);
  }
  return out;
}

function at(msgs: Msg[], frame: number): Msg {
  const found = msgs.filter((m) => m.frame === frame);
  assert.equal(found.length, 1, `one NFSv3 message in frame ${frame}`);
  assert.notEqual(found[0].value, undefined, `frame ${frame} decoded`);
  return found[0];
}

/** The summary text after `NFS C ` / `NFS R `. */
function summary(m: Msg, f: FormatContext = formatContext()): string {
  return m.kind === 'call' ? m.def.callSummary!(m.value, f) : m.def.replySummary!(m.value, m.args, f);
}

/** tshark's summary line of each frame (NAME.txt). */
function tsharkLines(name: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const l of readFileSync(fixture(`${name}.txt`), 'utf8').split('\n')) {
    const m = /^\s*(\d+)\s/.exec(l);
    if (m) out.set(Number(m[1]), l);
  }
  return out;
}

/** Every FileHandle in a decoded value, in field (= XDR) order. */
function handles(v: unknown, out: FileHandle[] = []): FileHandle[] {
  if (v instanceof FileHandle) out.push(v);
  else if (Array.isArray(v)) for (const x of v) handles(x, out);
  else if (v && typeof v === 'object' && !(v instanceof Uint8Array)) for (const x of Object.values(v)) handles(x, out);
  return out;
}

// ------------------------------------------------------------------------------------------------ all 22 procedures

/**
 * [call frame, call line, reply frame, reply line, what tshark's call line shows, what its reply line shows].
 * Handles: the export root (tshark 0x637ba56d) is FH=706E, dir-tcp-17278 (0xe14b8972) FH=8F13, file.txt
 * (0x9221a26f) FH=09CC, link-sym (0x4349ea62) FH=AABA.
 */
const ALL: ReadonlyArray<readonly [number, string, number, string, string, string]> = [
  [41, 'NULL3', 43, 'NULL3 ', 'V3 NULL Call', 'V3 NULL Reply'],
  [51, 'GETATTR3 FH=706E', 52, 'GETATTR3 OK', 'GETATTR Call', 'GETATTR Reply'],
  [77, 'SETATTR3 FH=09CC', 78, 'SETATTR3 OK', 'SETATTR Call', 'SETATTR Reply'],
  [81, 'LOOKUP3 FH=8F13 link-sym', 82, 'LOOKUP3 OK FH=AABA', 'DH: 0xe14b8972/link-sym', 'FH: 0x4349ea62'],
  [
    53,
    'ACCESS3 FH=706E (read,lookup,modify,extend,delete,execute)',
    54,
    'ACCESS3 OK (read,lookup,modify,extend,delete)',
    '[Check: RD LU MD XT DL XE]',
    '[Access Denied: XE], [Allowed: RD LU MD XT DL]',
  ],
  [83, 'READLINK3 FH=AABA', 84, 'READLINK3 OK (Path=file.txt)', 'FH: 0x4349ea62', 'Path: file.txt'],
  [71, 'READ3 FH=09CC at 0 for 4096', 72, 'READ3 OK (4096 bytes)', 'Offset: 0 Len: 4096', 'Len: 4096'],
  [73, 'READ3 FH=09CC at 8000 for 4096', 74, 'READ3 OK (24 bytes) EOF', 'Offset: 8000 Len: 4096', 'Len: 24'],
  [75, 'READ3 FH=09CC at 1048576 for 100', 76, 'READ3 OK (0 bytes) EOF', 'Offset: 1048576 Len: 100', 'Len: 0'],
  [63, 'WRITE3 FH=09CC at 0 for 8000 (ASYNC)', 64, 'WRITE3 OK 8000 (ASYNC)', 'Offset: 0 Len: 8000 UNSTABLE', 'Len: 8000 UNSTABLE'],
  [65, 'WRITE3 FH=09CC at 8000 for 13 (DSYNC)', 66, 'WRITE3 OK 13 (FSYNC)', 'Offset: 8000 Len: 13 DATA_SYNC', 'Len: 13 FILE_SYNC'],
  [67, 'WRITE3 FH=09CC at 8013 for 11 (FSYNC)', 68, 'WRITE3 OK 11 (FSYNC)', 'Offset: 8013 Len: 11 FILE_SYNC', 'Len: 11 FILE_SYNC'],
  [57, 'CREATE3 FH=8F13 (UNCHECKED) file.txt', 58, 'CREATE3 OK FH=09CC', '/file.txt Mode: UNCHECKED', 'CREATE Reply'],
  [59, 'CREATE3 FH=8F13 (GUARDED) guarded.txt', 60, 'CREATE3 OK FH=497D', '/guarded.txt Mode: GUARDED', 'CREATE Reply'],
  [61, 'CREATE3 FH=8F13 (EXCLUSIVE) excl.txt', 62, 'CREATE3 OK FH=5679', '/excl.txt Mode: EXCLUSIVE', 'CREATE Reply'],
  [55, 'MKDIR3 FH=706E dir-tcp-17278', 56, 'MKDIR3 OK FH=8F13', 'DH: 0x637ba56d/dir-tcp-17278', 'MKDIR Reply'],
  [79, 'SYMLINK3 FH=8F13 link-sym to file.txt', 80, 'SYMLINK3 OK FH=AABA', 'DH: 0xe14b8972/link-sym To file.txt', 'SYMLINK Reply'],
  [87, 'MKNOD3 FH=8F13 (Named pipe) fifo', 88, 'MKNOD3 OK FH=618B', '/fifo Named Pipe', 'MKNOD Reply'],
  [89, 'MKNOD3 FH=8F13 (Unix domain socket) sock', 90, 'MKNOD3 OK FH=4ADD', '/sock Socket', 'MKNOD Reply'],
  [91, 'MKNOD3 FH=8F13 (Block special) blk', 92, 'MKNOD3 OK FH=A025', '/blk Block Special Device', 'MKNOD Reply'],
  [103, 'REMOVE3 FH=8F13 fifo', 104, 'REMOVE3 OK', 'DH: 0xe14b8972/fifo', 'REMOVE Reply'],
  [119, 'RMDIR3 FH=706E dir-tcp-17278', 120, 'RMDIR3 OK', 'DH: 0x637ba56d/dir-tcp-17278', 'RMDIR Reply'],
  [
    93,
    'RENAME3 FH=8F13 guarded.txt to FH=8F13 renamed.txt',
    94,
    'RENAME3 OK',
    'From DH: 0xe14b8972/guarded.txt To DH: 0xe14b8972/renamed.txt',
    'RENAME Reply',
  ],
  [85, 'LINK3 FH=09CC to FH=8F13 hardlink.txt', 86, 'LINK3 OK', 'From DH: 0x9221a26f To DH: 0xe14b8972/hardlink.txt', 'LINK Reply'],
  [95, 'READDIR3 FH=8F13 Cookie=0 for 8192', 96, 'READDIR3 OK 10 entries (No more)', 'READDIR Call', 'fifo hardlink.txt file.txt link-sym renamed.txt sock excl.txt blk'],
  [97, 'READDIR3 FH=8F13 Cookie=0 for 200', 98, 'READDIR3 OK 3 entries (More)', 'READDIR Call', 'Reply (Call In 97) . .. fifo'],
  [99, 'READDIRPLUS3 FH=8F13 Cookie=0 for 4096/32768', 100, 'READDIRPLUS3 OK 10 entries (No more)', 'READDIRPLUS Call', '. .. fifo hardlink.txt file.txt link-sym renamed.txt sock excl.txt blk'],
  [101, 'READDIRPLUS3 FH=8F13 Cookie=0 for 10/20', 102, 'READDIRPLUS3 OK 10 entries (No more)', 'READDIRPLUS Call', '. .. fifo hardlink.txt file.txt link-sym renamed.txt sock excl.txt blk'],
  [49, 'FSSTAT3 FH=706E', 50, 'FSSTAT3 OK', 'FSSTAT Call', 'FSSTAT Reply'],
  [45, 'FSINFO3 FH=706E', 46, 'FSINFO3 OK', 'FSINFO Call', 'FSINFO Reply'],
  [47, 'PATHCONF3 FH=706E', 48, 'PATHCONF3 OK', 'PATHCONF Call', 'PATHCONF Reply'],
  [69, 'COMMIT3 FH=09CC at 0 for 0', 70, 'COMMIT3 OK', 'COMMIT Call', 'COMMIT Reply'],
];

test('all 22 procedures have a call and a reply summary, and the table covers each of them', () => {
  assert.equal(V3.length, 22);
  for (const def of V3) {
    assert.ok(def?.callSummary && def.replySummary && def.callDetail && def.replyDetail, `${def?.name} has text`);
  }
  const covered = new Set(ALL.map(([, call]) => call.split(' ')[0]));
  assert.deepEqual([...covered].sort(), V3.map((d) => `${d!.name}3`).sort());
});

test('all-procedures capture: every call and reply line, as snoop prints them', async () => {
  const msgs = await messages(ALLPROCS);
  const tshark = tsharkLines(ALLPROCS);
  for (const [cf, call, rf, reply, tsCall, tsReply] of ALL) {
    const c = at(msgs, cf);
    const r = at(msgs, rf);
    assert.equal(c.ev.msg.xid, r.ev.msg.xid, `frames ${cf}/${rf} pair`);
    assert.equal(summary(c), call, `frame ${cf}`);
    assert.equal(summary(r), reply, `frame ${rf}`);
    // tshark shows the same offsets, counts, names, modes for these frames
    assert.ok(tshark.get(cf)?.includes(tsCall), `tshark frame ${cf}: ${tshark.get(cf)} has ${tsCall}`);
    assert.ok(tshark.get(rf)?.includes(tsReply), `tshark frame ${rf}: ${tshark.get(rf)} has ${tsReply}`);
    assert.ok(tshark.get(rf)?.includes(`(Call In ${cf})`), `tshark pairs ${rf} with ${cf}`);
  }
});

test('all-procedures capture: each FH= is the handle tshark names in that place (nfs.fh.hash, in order)', async () => {
  const msgs = await messages(ALLPROCS);
  const rows = new Map(readTsv(fixture(`${ALLPROCS}.tsv`)).map((r) => [Number(r['frame.number']), r]));
  let checked = 0;
  for (const m of msgs) {
    if (m.kind !== 'call') continue;
    assert.notEqual(m.value, undefined, `frame ${m.frame} decoded`);
    const hs = handles(m.value);
    const tsharkHashes = (rows.get(m.frame)?.['nfs.fh.hash'] ?? '').split(',').filter(Boolean);
    assert.deepEqual(hs.map((h) => fhHashText(h.bytes)), tsharkHashes, `frame ${m.frame}`);
    const shown = [...summary(m).matchAll(/FH=([0-9A-F]{4})/g)].map((x) => x[1]);
    assert.deepEqual(shown, hs.map((h) => h.hash), `frame ${m.frame}: ${summary(m)}`);
    checked++;
  }
  assert.equal(checked, 39); // every NFSv3 call of the capture
});

test('all-procedures capture: every line starts with the procedure name and a reply name is followed by a space', async () => {
  const msgs = await messages(ALLPROCS);
  for (const m of msgs) {
    const s = summary(m);
    assert.ok(s.startsWith(`${m.def.name}3`), s);
    if (m.kind === 'reply') assert.ok(s.startsWith(`${m.def.name}3 `), JSON.stringify(s));
  }
});

// ------------------------------------------------------------------------------------------------ error replies

/** RFC 1813 names → [value, snoop's words], written out independently of src/. */
const SNOOP_WORDS: Record<string, readonly [number, string]> = {
  NFS3ERR_PERM: [1, 'Not owner'],
  NFS3ERR_NOENT: [2, 'No such file or directory'],
  NFS3ERR_ACCES: [13, 'Permission denied'],
  NFS3ERR_EXIST: [17, 'File exists'],
  NFS3ERR_NOTDIR: [20, 'Not a directory'],
  NFS3ERR_ISDIR: [21, 'Is a directory'],
  NFS3ERR_INVAL: [22, 'Invalid argument'],
  NFS3ERR_NAMETOOLONG: [63, 'File name too long'],
  NFS3ERR_NOTEMPTY: [66, 'Directory not empty'],
  NFS3ERR_BADHANDLE: [10001, 'Illegal NFS file handle'],
  NFS3ERR_NOT_SYNC: [10002, 'Update synch mismatch'],
};

test('errors capture: failed replies show only the status words', async () => {
  const msgs = await messages(ERRORS);
  const expected: ReadonlyArray<readonly [number, string]> = [
    [45, 'LOOKUP3 No such file or directory'],
    [133, 'CREATE3 Permission denied'],
    [181, 'READDIRPLUS3 Permission denied'],
    [227, 'LOOKUP3 Permission denied'],
    [281, 'GETATTR3 Illegal NFS file handle'],
    [383, 'LOOKUP3 Not a directory'],
    [385, 'READDIR3 Not a directory'],
    [387, 'READ3 Is a directory'],
    [389, 'MKDIR3 File exists'],
    [391, 'RMDIR3 Directory not empty'],
    [393, 'LOOKUP3 File name too long'],
    [401, 'SETATTR3 Update synch mismatch'],
    [403, 'READLINK3 Invalid argument'],
    [419, 'WRITE3 Permission denied'],
    [421, 'SETATTR3 Not owner'],
  ];
  for (const [frame, line] of expected) assert.equal(summary(at(msgs, frame)), line, `frame ${frame}`);

  // Every failed NFSv3 reply in the capture: tshark's nfs.status gives snoop's words.
  const rows = new Map(readTsv(fixture(`${ERRORS}.tsv`)).map((r) => [Number(r['frame.number']), r]));
  let failed = 0;
  for (const m of msgs) {
    if (m.kind !== 'reply' || m.value === undefined || m.def.name === 'NULL') continue;
    const status = (m.value as { status: string }).status;
    if (status === 'NFS3_OK') continue;
    failed++;
    const known = SNOOP_WORDS[status];
    assert.ok(known, `frame ${m.frame}: ${status} is in the table`);
    assert.equal(rows.get(m.frame)?.['nfs.status'], String(known[0]), `tshark's status in frame ${m.frame}`);
    assert.equal(summary(m), `${m.def.name}3 ${known[1]}`, `frame ${m.frame}`);
  }
  assert.ok(failed >= expected.length, `${failed} failed replies`);
});

test('errors capture: odd but valid calls (long names, 8- and 16-byte and empty handles, a cookie)', async () => {
  const msgs = await messages(ERRORS);
  assert.equal(summary(at(msgs, 392)), `LOOKUP3 FH=706E ${'N'.repeat(300)}`);
  assert.equal(summary(at(msgs, 280)), 'GETATTR3 FH=0000'); // 0101010101010101: the halfwords cancel out
  assert.equal(summary(at(msgs, 394)), 'GETATTR3 FH=0000'); // DEADBEEF x 4
  assert.equal(summary(at(msgs, 396)), 'GETATTR3 FH=0000'); // an empty handle
  assert.equal(summary(at(msgs, 398)), 'READDIR3 FH=706E Cookie=513105426295 for 4096');
  assert.equal(summary(at(msgs, 399)), 'READDIR3 OK 6 entries (No more)');
  assert.equal(summary(at(msgs, 404)), 'MKNOD3 FH=706E (Block special) chr-tcp');
  assert.equal(summary(at(msgs, 415)), 'ACCESS3 OK ()');
});

// ------------------------------------------------------------------------------------------------ --names

function learnContext(names: FhNames): LearnContext {
  return { transport: 'tcp', server: '127.0.0.1', client: '127.0.0.1', ports: new LearnedPorts(), names };
}

/** Learns from every decoded reply in order, the export root being the handle of the call at `rootFrame`. */
async function named(name: string, rootFrame: number, root: string) {
  const msgs = await messages(name);
  const names = new FhNames();
  names.root(handles(at(msgs, rootFrame).value)[0].hex, root);
  const f = formatContext({ names, showNames: true });
  const l = learnContext(names);
  const lines = new Map<number, string>();
  for (const m of msgs) {
    if (m.value === undefined) continue;
    // the pipeline learns when it decodes a reply, before the reply's line is formatted
    if (m.kind === 'reply' && m.def.learn) m.def.learn(m.args, m.value, l);
    lines.set(m.frame, summary(m, f));
  }
  return lines;
}

test('--names: a root and a LOOKUP give FH=XXXX (/export/dir/file)', async () => {
  const lines = await named(ERRORS, 378, '/export');
  assert.equal(lines.get(378), 'LOOKUP3 FH=706E (/export) no-such-file-tcp');
  assert.equal(lines.get(381), 'LOOKUP3 OK FH=F349 (/export/hello.txt)');
  assert.equal(lines.get(382), 'LOOKUP3 FH=F349 (/export/hello.txt) x');
  assert.equal(lines.get(384), 'READDIR3 FH=F349 (/export/hello.txt) Cookie=0 for 4096');
  // without --names the same context prints the hash alone
  const msgs = await messages(ERRORS);
  assert.equal(summary(at(msgs, 382)), 'LOOKUP3 FH=F349 x');
});

test('--names: MKDIR, CREATE, SYMLINK and LOOKUP paths on the all-procedures capture', async () => {
  const lines = await named(ALLPROCS, 45, '/tmp/lab/export');
  const dir = '/tmp/lab/export/dir-tcp-17278';
  assert.equal(lines.get(55), 'MKDIR3 FH=706E (/tmp/lab/export) dir-tcp-17278');
  assert.equal(lines.get(56), `MKDIR3 OK FH=8F13 (${dir})`);
  assert.equal(lines.get(58), `CREATE3 OK FH=09CC (${dir}/file.txt)`);
  assert.equal(lines.get(71), `READ3 FH=09CC (${dir}/file.txt) at 0 for 4096`);
  assert.equal(lines.get(82), `LOOKUP3 OK FH=AABA (${dir}/link-sym)`);
  assert.equal(lines.get(83), `READLINK3 FH=AABA (${dir}/link-sym)`);
  assert.equal(lines.get(85), `LINK3 FH=09CC (${dir}/file.txt) to FH=8F13 (${dir}) hardlink.txt`);
  assert.equal(lines.get(93), `RENAME3 FH=8F13 (${dir}) guarded.txt to FH=8F13 (${dir}) renamed.txt`);
});

// ------------------------------------------------------------------------------------------------ built messages

const fh711f = new Uint8Array(Buffer.from('01000601A3B2C1D40000000000000002000000001E4D0A37', 'hex'));
const fh0cae = new Uint8Array(Buffer.from('010006010000000000000000000000000000000000000BAF', 'hex'));

function decode(name: T.Nfs3ProcName, kind: 'call' | 'reply', body: Uint8Array, args?: unknown): unknown {
  const def = V3.find((d) => d?.name === name)!;
  const r = new XdrReader(body);
  const ctx = { transport: 'tcp' as const, registry: new Registry(), depth: 0, truncated: false };
  return kind === 'call' ? def.readArgs!(r, ctx) : def.readResult!(r, args, ctx);
}

function callLine(name: T.Nfs3ProcName, body: Uint8Array): string {
  return V3.find((d) => d?.name === name)!.callSummary!(decode(name, 'call', body), formatContext());
}

function replyLine(name: T.Nfs3ProcName, body: Uint8Array, args?: unknown): string {
  return V3.find((d) => d?.name === name)!.replySummary!(decode(name, 'reply', body, args), args, formatContext());
}

/** sattr3 with nothing set but the two times. */
function sattr3(w: XdrWriter, atime: 0 | 1 | 2, mtime: 0 | 1 | 2): XdrWriter {
  w.u32(0).u32(0).u32(0).u32(0);
  w.u32(atime);
  if (atime === 2) w.u32(1710252235).u32(5);
  w.u32(mtime);
  if (mtime === 2) w.u32(1710252235).u32(5);
  return w;
}

test('the handle of snoop-format.md §1.4 is FH=711F, and §1.8 lines come out as written there', () => {
  assert.equal(new FileHandle(fh711f).hash, '711F');
  assert.equal(new FileHandle(fh0cae).hash, '0CAE');
  assert.equal(callLine('GETATTR', new XdrWriter().opaque(fh711f).bytes()), 'GETATTR3 FH=711F');
  assert.equal(callLine('LOOKUP', new XdrWriter().opaque(fh0cae).string('report.txt').bytes()), 'LOOKUP3 FH=0CAE report.txt');
  assert.equal(callLine('READ', new XdrWriter().opaque(fh711f).u64(0n).u32(32768).bytes()), 'READ3 FH=711F at 0 for 32768');
  assert.equal(
    callLine('WRITE', new XdrWriter().opaque(fh711f).u64(65536n).u32(32768).u32(0).opaque(new Uint8Array(0)).bytes()),
    'WRITE3 FH=711F at 65536 for 32768 (ASYNC)',
  );
  assert.equal(
    callLine('CREATE', sattr3(new XdrWriter().opaque(fh0cae).string('newfile').u32(1), 0, 0).bytes()),
    'CREATE3 FH=0CAE (GUARDED) newfile',
  );
  assert.equal(
    callLine('MKNOD', sattr3(new XdrWriter().opaque(fh0cae).string('fifo0').u32(7), 0, 0).bytes()),
    'MKNOD3 FH=0CAE (Named pipe) fifo0',
  );
  assert.equal(
    callLine('RENAME', new XdrWriter().opaque(fh0cae).string('a.tmp').opaque(fh0cae).string('a.txt').bytes()),
    'RENAME3 FH=0CAE a.tmp to FH=0CAE a.txt',
  );
  assert.equal(
    callLine('LINK', new XdrWriter().opaque(fh711f).opaque(fh0cae).string('hardlink').bytes()),
    'LINK3 FH=711F to FH=0CAE hardlink',
  );
  const verf = new Uint8Array(8);
  assert.equal(
    callLine('READDIR', new XdrWriter().opaque(fh0cae).u64(0n).fixed(verf).u32(8192).bytes()),
    'READDIR3 FH=0CAE Cookie=0 for 8192',
  );
  assert.equal(
    callLine('READDIRPLUS', new XdrWriter().opaque(fh0cae).u64(0n).fixed(verf).u32(8192).u32(32768).bytes()),
    'READDIRPLUS3 FH=0CAE Cookie=0 for 8192/32768',
  );
  assert.equal(callLine('COMMIT', new XdrWriter().opaque(fh711f).u64(0n).u32(0).bytes()), 'COMMIT3 FH=711F at 0 for 0');
  assert.equal(replyLine('NULL', new Uint8Array(0)), 'NULL3 ');
  // READ3 OK (4096 bytes) EOF: status, no attributes, count, eof, data
  assert.equal(
    replyLine('READ', new XdrWriter().u32(0).u32(0).u32(4096).u32(1).opaque(new Uint8Array(4096)).bytes()),
    'READ3 OK (4096 bytes) EOF',
  );
  // WRITE3 OK 32768 (FSYNC): status, wcc (no pre, no post), count, committed, verifier
  assert.equal(
    replyLine('WRITE', new XdrWriter().u32(0).u32(0).u32(0).u32(32768).u32(2).fixed(verf).bytes()),
    'WRITE3 OK 32768 (FSYNC)',
  );
  assert.equal(replyLine('GETATTR', new XdrWriter().u32(70).bytes()), 'GETATTR3 Stale NFS file handle');
});

test('SYMLINK3 with SET_TO_SERVER_TIME shows the right target (snoop garbles it, §4)', () => {
  for (const [atime, mtime] of [
    [1, 1],
    [2, 1],
    [1, 2],
    [0, 0],
  ] as const) {
    const body = sattr3(new XdrWriter().opaque(fh0cae).string('mylink'), atime, mtime).string('/tmp/target').bytes();
    assert.equal(callLine('SYMLINK', body), 'SYMLINK3 FH=0CAE mylink to /tmp/target', `times ${atime}/${mtime}`);
  }
});

test('CREATE, MKDIR, SYMLINK, MKNOD replies show a handle only when one follows', () => {
  const noWcc = (w: XdrWriter) => w.u32(0).u32(0);
  assert.equal(replyLine('CREATE', noWcc(new XdrWriter().u32(0).u32(1).opaque(fh711f).u32(0)).bytes()), 'CREATE3 OK FH=711F');
  assert.equal(replyLine('CREATE', noWcc(new XdrWriter().u32(0).u32(0).u32(0)).bytes()), 'CREATE3 OK');
  assert.equal(replyLine('MKDIR', noWcc(new XdrWriter().u32(17)).bytes()), 'MKDIR3 File exists');
  assert.equal(replyLine('SYMLINK', noWcc(new XdrWriter().u32(0).u32(1).opaque(fh0cae).u32(0)).bytes()), 'SYMLINK3 OK FH=0CAE');
  assert.equal(replyLine('MKNOD', noWcc(new XdrWriter().u32(10007)).bytes()), 'MKNOD3 Bad type');
});

test('READDIR and READDIRPLUS: entry counts, More / No more, and a list cut off (`N+ entries (incomplete)`)', () => {
  const verf = new Uint8Array(8);
  const entry = (w: XdrWriter, id: number, name: string) => w.u32(1).u64(BigInt(id)).string(name).u64(BigInt(id));
  const list = new XdrWriter().u32(0).u32(0).fixed(verf);
  entry(entry(list, 1, '.'), 2, '..');
  const full = list.bytes();
  assert.equal(replyLine('READDIR', new Uint8Array([...full, 0, 0, 0, 0, 0, 0, 0, 1])), 'READDIR3 OK 2 entries (No more)');
  assert.equal(replyLine('READDIR', new Uint8Array([...full, 0, 0, 0, 0, 0, 0, 0, 0])), 'READDIR3 OK 2 entries (More)');
  // cut inside a third entry
  const cut = entry(new XdrWriter(), 3, 'third').bytes().subarray(0, 10);
  assert.equal(replyLine('READDIR', new Uint8Array([...full, ...cut])), 'READDIR3 OK 2+ entries (incomplete)');
  // READDIRPLUS: entries with no attributes and no handle
  const plus = new XdrWriter().u32(0).u32(0).fixed(verf);
  for (const [id, name] of [
    [1, '.'],
    [2, '..'],
    [3, 'x'],
  ] as const) plus.u32(1).u64(BigInt(id)).string(name).u64(BigInt(id)).u32(0).u32(0);
  assert.equal(replyLine('READDIRPLUS', plus.u32(0).u32(0).bytes()), 'READDIRPLUS3 OK 3 entries (More)');
});

test('values outside the RFC: stable_how, createmode3, ftype3 and nfsstat3 print as snoop does', () => {
  assert.equal(
    callLine('WRITE', new XdrWriter().opaque(fh711f).u64(0n).u32(1).u32(7).opaque(new Uint8Array(1)).bytes()),
    'WRITE3 FH=711F at 0 for 1 (?)',
  );
  assert.equal(callLine('CREATE', new XdrWriter().opaque(fh0cae).string('f').u32(9).bytes()), 'CREATE3 FH=0CAE (?) f');
  assert.equal(callLine('MKNOD', new XdrWriter().opaque(fh0cae).string('n').u32(1).bytes()), 'MKNOD3 FH=0CAE (Regular File) n');
  assert.equal(callLine('MKNOD', new XdrWriter().opaque(fh0cae).string('n').u32(42).bytes()), 'MKNOD3 FH=0CAE (?) n');
  assert.equal(replyLine('GETATTR', new XdrWriter().u32(12345).bytes()), 'GETATTR3 (unknown error)');
  assert.equal(
    replyLine('WRITE', new XdrWriter().u32(0).u32(0).u32(0).u32(5).u32(3).fixed(new Uint8Array(8)).bytes()),
    'WRITE3 OK 5 (?)',
  );
  // ACCESS: bits beyond the six are ignored; none gives ()
  assert.equal(callLine('ACCESS', new XdrWriter().opaque(fh711f).u32(0x40 | 0x21).bytes()), 'ACCESS3 FH=711F (read,execute)');
  assert.equal(callLine('ACCESS', new XdrWriter().opaque(fh711f).u32(0).bytes()), 'ACCESS3 FH=711F ()');
});

test('64-bit offsets and cookies print in full', () => {
  assert.equal(
    callLine('READ', new XdrWriter().opaque(fh711f).u64(0xffffffffffffffffn).u32(0xffffffff).bytes()),
    'READ3 FH=711F at 18446744073709551615 for 4294967295',
  );
  assert.equal(
    callLine('READDIR', new XdrWriter().opaque(fh0cae).u64(1n << 63n).fixed(new Uint8Array(8)).u32(1).bytes()),
    'READDIR3 FH=0CAE Cookie=9223372036854775808 for 1',
  );
});
