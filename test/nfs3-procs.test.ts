/**
 * NFSv3 procedure decoding (RFC 1813 section 3) on real traffic: fixtures/nfs3_allprocs_tcp_lo.pcap has every one of
 * the 22 procedures (CREATE UNCHECKED/GUARDED/EXCLUSIVE, WRITE UNSTABLE/DATA_SYNC/FILE_SYNC, MKNOD FIFO/SOCK/BLK,
 * READDIR eof=0/1, READ past EOF, SETATTR with times). Every message is checked against tshark's fields in the
 * .tsv (nfs.status, nfs.name, nfs.fh.hash, nfs.offset3, nfs.count3), then each procedure's call and reply against
 * the values tshark shows for those frames (the .txt summary lines and `tshark -O nfs`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FileHandle } from '../src/programs/file-handle';
import { NFS3_PROCEDURES } from '../src/programs/nfs3/procs';
import { nfsstat3Value } from '../src/programs/nfs3/status';
import { XdrError } from '../src/rpc/xdr';
import type * as T from '../src/programs/nfs3/types';
import { fhHashText as nfsFhHash } from './helpers/crc32';
import { atFrame, nfs3Messages, type Nfs3Message } from './helpers/nfs3-fixture';
import { fixture, readTsv } from './helpers/fixtures';

const ALLPROCS = 'nfs3_allprocs_tcp_lo.pcap';
const ERRORS = 'rpc_errors_lo_nsec.pcap';

// --------------------------------------------------------------------------------------------- tshark's columns

/** Every FileHandle in a decoded value, depth first in field (= XDR) order. */
function handles(v: unknown, out: FileHandle[] = []): FileHandle[] {
  if (v instanceof FileHandle) out.push(v);
  else if (Array.isArray(v)) for (const x of v) handles(x, out);
  else if (v && typeof v === 'object' && !(v instanceof Uint8Array)) for (const x of Object.values(v)) handles(x, out);
  return out;
}

/** Every diropargs3 name (tshark's nfs.name), in order. */
function diropNames(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) diropNames(x, out);
  else if (v && typeof v === 'object' && !(v instanceof Uint8Array) && !(v instanceof FileHandle)) {
    const o = v as Record<string, unknown>;
    if (o.dir instanceof FileHandle && typeof o.name === 'string') out.push(o.name);
    else for (const x of Object.values(o)) diropNames(x, out);
  }
  return out;
}

/** What tshark puts in nfs.offset3 / nfs.count3 for a message. */
function offsetsAndCounts(m: Nfs3Message): { offsets: string[]; counts: string[] } {
  const v = m.value as Record<string, unknown> | null | undefined;
  const name = m.def.name;
  if (!v) return { offsets: [], counts: [] };
  if (m.kind === 'call') {
    const offsets = ['READ', 'WRITE', 'COMMIT'].includes(name) ? [String(v.offset)] : [];
    const counts = ['READ', 'WRITE', 'COMMIT', 'READDIR'].includes(name) ? [String(v.count)] : [];
    return { offsets, counts };
  }
  const counts = ['READ', 'WRITE'].includes(name) && v.status === 'NFS3_OK' ? [String(v.count)] : [];
  return { offsets: [], counts };
}

function list(cell: string | undefined): string[] {
  return cell ? cell.split(',') : [];
}

/** Checks every NFSv3 message against tshark; returns [messages checked, rows tshark decoded as NFSv3]. */
async function checkAgainstTshark(name: string): Promise<[number, number]> {
  const msgs = await nfs3Messages(name);
  const malformed = new Set(msgs.filter((m) => m.info.includes('Malformed')).map((m) => m.frame));
  const rows = readTsv(fixture(`${name}.tsv`)).filter(
    (r) =>
      r['rpc.program'] === '100003' &&
      r['rpc.programversion'].split(',')[0] === '3' &&
      Number(r['rpc.procedure']) <= 21 &&
      !malformed.has(Number(r['frame.number'])),
  );
  let checked = 0;
  for (const m of msgs) {
    const where = `${name} frame ${m.frame} ${m.def.name} ${m.kind}`;
    if (m.info.includes('Malformed')) {
      // tshark could not decode it either: we must give a value or an XdrError, nothing else
      if (m.error !== undefined) assert.ok(m.error instanceof XdrError, `${where}: ${String(m.error)}`);
      continue;
    }
    assert.equal(m.error, undefined, `${where}: ${String(m.error)}`);
    assert.ok(m.row, `${where}: no tshark row`);
    const row = m.row!;
    if (m.kind === 'reply' && m.value !== undefined && m.def.name !== 'NULL') {
      const status = (m.value as { status: string }).status;
      assert.equal(String(nfsstat3Value(status)), row['nfs.status'], `${where}: status`);
      assert.equal(m.def.status!(m.value), status);
    }
    // tshark adds no nfs.fh.hash field for a zero-length (WebNFS) handle; its summary shows `FH: 0x00000000`
    const hashes = handles(m.value).filter((h) => h.bytes.length > 0);
    assert.deepEqual(hashes.map((h) => nfsFhHash(h.bytes)), list(row['nfs.fh.hash']), `${where}: fh hashes`);
    assert.deepEqual(diropNames(m.value), list(row['nfs.name']), `${where}: names`);
    const { offsets, counts } = offsetsAndCounts(m);
    assert.deepEqual(offsets, list(row['nfs.offset3']), `${where}: offset3`);
    assert.deepEqual(counts, list(row['nfs.count3']), `${where}: count3`);
    checked++;
  }
  return [checked, rows.length];
}

test('every NFSv3 message of the all-procedures capture agrees with tshark (status, names, fh hashes, offset, count)', async () => {
  const [checked, rows] = await checkAgainstTshark(ALLPROCS);
  assert.equal(checked, rows);
  assert.equal(checked, 78); // frames 41-120: 39 calls and their replies
});

test('every NFSv3 message of the errors capture agrees with tshark, malformed ones give a value or an XdrError', async () => {
  const [checked, rows] = await checkAgainstTshark(ERRORS);
  assert.equal(checked, rows);
  assert.ok(checked >= 140, `only ${checked} messages checked`);
});

test('all 22 procedures are in the table, in RFC order, and each has a decoded call and reply in the capture', async () => {
  const names = NFS3_PROCEDURES.map((p) => p.name);
  assert.deepEqual(names, [
    'NULL', 'GETATTR', 'SETATTR', 'LOOKUP', 'ACCESS', 'READLINK', 'READ', 'WRITE', 'CREATE', 'MKDIR', 'SYMLINK',
    'MKNOD', 'REMOVE', 'RMDIR', 'RENAME', 'LINK', 'READDIR', 'READDIRPLUS', 'FSSTAT', 'FSINFO', 'PATHCONF', 'COMMIT',
  ]);
  const msgs = await nfs3Messages(ALLPROCS);
  for (const p of NFS3_PROCEDURES) {
    const calls = msgs.filter((m) => m.def === p && m.kind === 'call' && m.error === undefined);
    const replies = msgs.filter((m) => m.def === p && m.kind === 'reply' && m.error === undefined && m.value !== undefined);
    assert.ok(calls.length > 0 && replies.length > 0, `${p.name}: ${calls.length} calls, ${replies.length} replies`);
    assert.equal(p.status === undefined, p.name === 'NULL', `${p.name}: status`);
    assert.ok(Object.isFrozen(p));
  }
});

// --------------------------------------------------------------------------------------------- per procedure

const hash = (h: FileHandle | null | undefined): string | null => (h ? nfsFhHash(h.bytes) : null);
const ascii = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

async function pair<A, R>(frameCall: number, frameReply: number): Promise<{ a: A; r: R; msgs: Nfs3Message[] }> {
  const msgs = await nfs3Messages(ALLPROCS);
  const c = atFrame(msgs, frameCall);
  const r = atFrame(msgs, frameReply);
  assert.equal(r.args, c.value, 'the reply was decoded with its call');
  return { a: c.value as A, r: r.value as R, msgs };
}

function ok<R extends { status: string }>(r: R): Extract<R, { status: 'NFS3_OK' }> {
  assert.equal(r.status, 'NFS3_OK');
  return r as Extract<R, { status: 'NFS3_OK' }>;
}

const ROOT = '0x637ba56d';
const DIR = '0xe14b8972';
const FILE = '0x9221a26f';

test('NULL (frames 41/43): void both ways', async () => {
  const { a, r } = await pair<T.NULL3args, T.NULL3res>(41, 43);
  assert.equal(a, null);
  assert.equal(r, null);
});

test('GETATTR (51/52): "Directory mode: 0755 uid: 0 gid: 0"', async () => {
  const { a, r } = await pair<T.GETATTR3args, T.GETATTR3res>(51, 52);
  assert.equal(hash(a.object), ROOT);
  const at = ok(r).obj_attributes;
  assert.equal(at.type, 'NF3DIR');
  assert.equal(at.mode, 0o755);
  assert.equal(at.uid, 0);
  assert.equal(at.gid, 0);
  assert.equal(at.nlink, 5);
  assert.equal(at.size, 4096n);
  assert.equal(at.fileid, 2146473n);
  assert.equal(at.fsid, 0x14dd4093220e0b83n);
  assert.deepEqual(at.rdev, { specdata1: 0, specdata2: 0 });
  assert.deepEqual(at.atime, { seconds: 1795229107, nseconds: 172866404 });
  assert.deepEqual(at.mtime, { seconds: 1795229107, nseconds: 177049700 });
});

test('SETATTR (77/78): mode 0640, size 4000, atime client time 1700000000.000000005, mtime server time', async () => {
  const { a, r } = await pair<T.SETATTR3args, T.SETATTR3res>(77, 78);
  assert.equal(hash(a.object), FILE);
  assert.deepEqual(a.new_attributes, {
    mode: 0o640,
    size: 4000n,
    atime: { how: 'SET_TO_CLIENT_TIME', time: { seconds: 1700000000, nseconds: 5 } },
    mtime: { how: 'SET_TO_SERVER_TIME' },
  });
  assert.deepEqual(a.guard, { check: false });
  const wcc = ok(r).obj_wcc;
  assert.equal(wcc.before?.size, 8024n);
  assert.equal(wcc.after?.size, 4000n);
  assert.equal(wcc.after?.mode, 0o640);
});

test('LOOKUP (81/82): DH 0xe14b8972/link-sym → FH 0x4349ea62, a symlink', async () => {
  const { a, r } = await pair<T.LOOKUP3args, T.LOOKUP3res>(81, 82);
  assert.equal(hash(a.what.dir), DIR);
  assert.equal(a.what.name, 'link-sym');
  const res = ok(r);
  assert.equal(hash(res.object), '0x4349ea62');
  assert.equal(res.obj_attributes?.type, 'NF3LNK');
  assert.equal(res.obj_attributes?.mode, 0o777);
  assert.equal(res.obj_attributes?.size, 8n);
  assert.equal(res.dir_attributes?.fileid, 2146734n);
});

test('ACCESS (53/54): [Check: RD LU MD XT DL XE] → [Access Denied: XE], [Allowed: RD LU MD XT DL]', async () => {
  const { a, r } = await pair<T.ACCESS3args, T.ACCESS3res>(53, 54);
  assert.equal(hash(a.object), ROOT);
  assert.equal(a.access, 0x3f);
  const res = ok(r);
  assert.equal(res.access, 0x1f);
  assert.equal(res.requested, 0x3f);
  assert.equal(res.denied, 0x20);
  assert.equal(res.obj_attributes?.fileid, 2146473n);
});

test('READLINK (83/84): Path: file.txt', async () => {
  const { a, r } = await pair<T.READLINK3args, T.READLINK3res>(83, 84);
  assert.equal(hash(a.symlink), '0x4349ea62');
  const res = ok(r);
  assert.equal(res.data, 'file.txt');
  assert.equal(res.symlink_attributes?.fileid, 2146738n);
});

test('READ (71/72, 73/74, 75/76): a full block, the tail with EOF, and past EOF', async () => {
  const full = await pair<T.READ3args, T.READ3res>(71, 72);
  assert.equal(hash(full.a.file), FILE);
  assert.equal(full.a.offset, 0n);
  assert.equal(full.a.count, 4096);
  const r1 = ok(full.r);
  assert.equal(r1.count, 4096);
  assert.equal(r1.eof, false);
  assert.equal(r1.data.length, 4096);
  assert.equal(r1.dataLength, 4096);
  assert.equal(r1.dataTruncated, undefined);
  assert.ok(ascii(r1.data).startsWith('The quick brown fox jumps over the lazy dog.\n'));
  assert.equal(r1.file_attributes?.size, 8024n);

  const tail = await pair<T.READ3args, T.READ3res>(73, 74);
  assert.equal(tail.a.offset, 8000n);
  const r2 = ok(tail.r);
  assert.equal(r2.count, 24);
  assert.equal(r2.eof, true);
  assert.equal(ascii(r2.data), 'data_sync!!!\nfile_sync!\n');

  const past = await pair<T.READ3args, T.READ3res>(75, 76);
  assert.equal(past.a.offset, 1048576n);
  assert.equal(past.a.count, 100);
  const r3 = ok(past.r);
  assert.equal(r3.count, 0);
  assert.equal(r3.eof, true);
  assert.equal(r3.data.length, 0);
});

test('WRITE (63-68): UNSTABLE, DATA_SYNC and FILE_SYNC, with counts, committed and the verifier', async () => {
  const cases: [number, number, bigint, number, T.stable_how, T.stable_how, bigint][] = [
    [63, 64, 0n, 8000, 'UNSTABLE', 'UNSTABLE', 8000n],
    [65, 66, 8000n, 13, 'DATA_SYNC', 'FILE_SYNC', 8013n],
    [67, 68, 8013n, 11, 'FILE_SYNC', 'FILE_SYNC', 8024n],
  ];
  for (const [fc, fr, offset, count, stable, committed, sizeAfter] of cases) {
    const { a, r } = await pair<T.WRITE3args, T.WRITE3res>(fc, fr);
    assert.equal(hash(a.file), FILE);
    assert.equal(a.offset, offset);
    assert.equal(a.count, count);
    assert.equal(a.stable, stable);
    assert.equal(a.data.length, count);
    assert.equal(a.dataTruncated, undefined);
    const res = ok(r);
    assert.equal(res.count, count);
    assert.equal(res.committed, committed);
    assert.equal(hex(res.verf), 'fafe006b00000000');
    assert.equal(res.file_wcc.after?.size, sizeAfter);
  }
  const { a } = await pair<T.WRITE3args, T.WRITE3res>(65, 66);
  assert.equal(ascii(a.data), 'data_sync!!!\n');
});

test('CREATE (57-62): UNCHECKED and GUARDED carry sattr3, EXCLUSIVE an 8-byte verifier; replies give the handle', async () => {
  const unchecked = await pair<T.CREATE3args, T.CREATE3res>(57, 58);
  assert.equal(hash(unchecked.a.where.dir), DIR);
  assert.equal(unchecked.a.where.name, 'file.txt');
  assert.equal(unchecked.a.how.mode, 'UNCHECKED');
  const u = ok(unchecked.r);
  assert.equal(hash(u.obj), FILE);
  assert.equal(u.obj_attributes?.type, 'NF3REG');
  assert.equal(u.obj_attributes?.mode, 0o644);
  assert.equal(u.obj_attributes?.fileid, 2146735n);
  assert.equal(u.dir_wcc.before?.size, 4096n);
  assert.equal(u.dir_wcc.after?.fileid, 2146734n);

  const guarded = await pair<T.CREATE3args, T.CREATE3res>(59, 60);
  assert.deepEqual(guarded.a.how, {
    mode: 'GUARDED',
    obj_attributes: { mode: 0o600, atime: { how: 'DONT_CHANGE' }, mtime: { how: 'DONT_CHANGE' } },
  });
  assert.equal(hash(ok(guarded.r).obj), '0xab24eb83');

  const exclusive = await pair<T.CREATE3args, T.CREATE3res>(61, 62);
  assert.equal(exclusive.a.where.name, 'excl.txt');
  assert.equal(exclusive.a.how.mode, 'EXCLUSIVE');
  assert.ok('verf' in exclusive.a.how);
  assert.equal(ascii(exclusive.a.how.verf), 'EXCLVERF');
  const e = ok(exclusive.r);
  assert.equal(hash(e.obj), '0xeb215dd7');
  assert.equal(e.obj_attributes?.fileid, 2146737n);
});

test('MKDIR (55/56): dir-tcp-17278 in the export root, mode 0755 uid 0 gid 0', async () => {
  const { a, r } = await pair<T.MKDIR3args, T.MKDIR3res>(55, 56);
  assert.equal(hash(a.where.dir), ROOT);
  assert.equal(a.where.name, 'dir-tcp-17278');
  assert.deepEqual(a.attributes, { mode: 0o755, uid: 0, gid: 0, atime: { how: 'DONT_CHANGE' }, mtime: { how: 'DONT_CHANGE' } });
  const res = ok(r);
  assert.equal(hash(res.obj), DIR);
  assert.equal(res.obj_attributes?.type, 'NF3DIR');
  assert.equal(res.obj_attributes?.fileid, 2146734n);
  assert.equal(res.dir_wcc.after?.fileid, 2146473n);
});

test('SYMLINK (79/80): link-sym to file.txt, mode 0777', async () => {
  const { a, r } = await pair<T.SYMLINK3args, T.SYMLINK3res>(79, 80);
  assert.equal(hash(a.where.dir), DIR);
  assert.equal(a.where.name, 'link-sym');
  assert.equal(a.symlink.symlink_data, 'file.txt');
  assert.equal(a.symlink.symlink_attributes.mode, 0o777);
  const res = ok(r);
  assert.equal(hash(res.obj), '0x4349ea62');
  assert.equal(res.obj_attributes?.size, 8n);
  assert.equal(res.obj_attributes?.fileid, 2146738n);
});

test('MKNOD (87-92): FIFO and SOCK carry pipe_attributes, BLK device 8,1', async () => {
  const fifo = await pair<T.MKNOD3args, T.MKNOD3res>(87, 88);
  assert.equal(fifo.a.where.name, 'fifo');
  assert.equal(fifo.a.what.type, 'NF3FIFO');
  assert.ok('pipe_attributes' in fifo.a.what);
  assert.equal(fifo.a.what.pipe_attributes.mode, 0o644);
  const rf = ok(fifo.r);
  assert.equal(hash(rf.obj), '0x456a724d');
  assert.equal(rf.obj_attributes?.type, 'NF3FIFO');

  const sock = await pair<T.MKNOD3args, T.MKNOD3res>(89, 90);
  assert.equal(sock.a.what.type, 'NF3SOCK');
  const rs = ok(sock.r);
  assert.equal(hash(rs.obj), '0x689f92b7');
  assert.equal(rs.obj_attributes?.type, 'NF3SOCK');
  assert.equal(rs.obj_attributes?.fileid, 2146740n);

  const blk = await pair<T.MKNOD3args, T.MKNOD3res>(91, 92);
  assert.equal(blk.a.where.name, 'blk');
  assert.equal(blk.a.what.type, 'NF3BLK');
  assert.ok('device' in blk.a.what);
  assert.deepEqual(blk.a.what.device.spec, { specdata1: 8, specdata2: 1 });
  const rb = ok(blk.r);
  assert.equal(hash(rb.obj), '0x22fd738c');
  assert.equal(rb.obj_attributes?.type, 'NF3BLK');
  assert.deepEqual(rb.obj_attributes?.rdev, { specdata1: 8, specdata2: 1 });
});

test('REMOVE (103/104) and RMDIR (119/120): diropargs3 in, dir_wcc out', async () => {
  const rm = await pair<T.REMOVE3args, T.REMOVE3res>(103, 104);
  assert.equal(hash(rm.a.object.dir), DIR);
  assert.equal(rm.a.object.name, 'fifo');
  assert.equal(ok(rm.r).dir_wcc.after?.fileid, 2146734n);
  const rd = await pair<T.RMDIR3args, T.RMDIR3res>(119, 120);
  assert.equal(hash(rd.a.object.dir), ROOT);
  assert.equal(rd.a.object.name, 'dir-tcp-17278');
  assert.equal(ok(rd.r).dir_wcc.after?.fileid, 2146473n);
});

test('RENAME (93/94): guarded.txt → renamed.txt in the same directory', async () => {
  const { a, r } = await pair<T.RENAME3args, T.RENAME3res>(93, 94);
  assert.equal(hash(a.from.dir), DIR);
  assert.equal(a.from.name, 'guarded.txt');
  assert.equal(hash(a.to.dir), DIR);
  assert.equal(a.to.name, 'renamed.txt');
  const res = ok(r);
  assert.equal(res.fromdir_wcc.before?.size, 4096n);
  assert.equal(res.todir_wcc.after?.fileid, 2146734n);
});

test('LINK (85/86): FH 0x9221a26f to DH 0xe14b8972/hardlink.txt, nlink becomes 2', async () => {
  const { a, r } = await pair<T.LINK3args, T.LINK3res>(85, 86);
  assert.equal(hash(a.file), FILE);
  assert.equal(hash(a.link.dir), DIR);
  assert.equal(a.link.name, 'hardlink.txt');
  const res = ok(r);
  assert.equal(res.file_attributes?.nlink, 2);
  assert.equal(res.file_attributes?.size, 4000n);
  assert.equal(res.linkdir_wcc.before?.size, 4096n);
});

const LISTING = ['.', '..', 'fifo', 'hardlink.txt', 'file.txt', 'link-sym', 'renamed.txt', 'sock', 'excl.txt', 'blk'];

test('READDIR (95/96 eof=1, 97/98 eof=0): entries with file ids and cookies', async () => {
  const all = await pair<T.READDIR3args, T.READDIR3res>(95, 96);
  assert.equal(hash(all.a.dir), DIR);
  assert.equal(all.a.cookie, 0n);
  assert.equal(hex(all.a.cookieverf), '0000000000000000');
  assert.equal(all.a.count, 8192);
  const r1 = ok(all.r);
  assert.deepEqual(r1.entries.map((e) => e.name), LISTING);
  assert.equal(r1.eof, true);
  assert.equal(r1.incomplete, undefined);
  assert.deepEqual(r1.entries[2], { fileid: 2146739n, name: 'fifo', cookie: 3089150708067218700n });
  assert.deepEqual(r1.entries[0], { fileid: 2146734n, name: '.', cookie: 1n });
  assert.equal(r1.entries[9].fileid, 2146741n);
  assert.equal(r1.dir_attributes?.fileid, 2146734n);

  const some = await pair<T.READDIR3args, T.READDIR3res>(97, 98);
  assert.equal(some.a.count, 200);
  const r2 = ok(some.r);
  assert.deepEqual(r2.entries.map((e) => e.name), ['.', '..', 'fifo']);
  assert.equal(r2.eof, false);
  assert.equal(r2.incomplete, undefined);
});

test('READDIRPLUS (99/100, 101/102): entries with attributes and handles', async () => {
  for (const [fc, fr, dircount, maxcount] of [
    [99, 100, 4096, 32768],
    [101, 102, 10, 20],
  ]) {
    const { a, r } = await pair<T.READDIRPLUS3args, T.READDIRPLUS3res>(fc, fr);
    assert.equal(hash(a.dir), DIR);
    assert.equal(a.cookie, 0n);
    assert.equal(a.dircount, dircount);
    assert.equal(a.maxcount, maxcount);
    const res = ok(r);
    assert.deepEqual(res.entries.map((e) => e.name), LISTING);
    assert.equal(res.eof, true);
    assert.deepEqual(
      res.entries.map((e) => hash(e.name_handle)),
      [DIR, ROOT, '0x456a724d', FILE, FILE, '0x4349ea62', '0xab24eb83', '0x689f92b7', '0xeb215dd7', '0x22fd738c'],
    );
    const types = res.entries.map((e) => e.name_attributes?.type);
    assert.deepEqual(types, ['NF3DIR', 'NF3DIR', 'NF3FIFO', 'NF3REG', 'NF3REG', 'NF3LNK', 'NF3REG', 'NF3SOCK', 'NF3REG', 'NF3BLK']);
    assert.equal(res.entries[3].cookie, 3638330705032827880n);
    assert.equal(res.entries[6].name_attributes?.mode, 0o600);
  }
});

test('FSSTAT (49/50): byte and file counts', async () => {
  const { a, r } = await pair<T.FSSTAT3args, T.FSSTAT3res>(49, 50);
  assert.equal(hash(a.fsroot), ROOT);
  const res = ok(r);
  assert.equal(res.tbytes, 270553174016n);
  assert.equal(res.fbytes, 246838857728n);
  assert.equal(res.abytes, 85229977600n);
  assert.equal(res.tfiles, 16777216n);
  assert.equal(res.ffiles, 16370961n);
  assert.equal(res.afiles, 16370961n);
  assert.equal(res.invarsec, 0);
});

test('FSINFO (45/46): transfer sizes, max file size, time delta 100 ns, properties 0x1b', async () => {
  const { a, r } = await pair<T.FSINFO3args, T.FSINFO3res>(45, 46);
  assert.equal(hash(a.fsroot), ROOT);
  const res = ok(r);
  assert.deepEqual(
    [res.rtmax, res.rtpref, res.rtmult, res.wtmax, res.wtpref, res.wtmult, res.dtpref],
    [67108864, 67108864, 512, 67108864, 67108864, 512, 16384],
  );
  assert.equal(res.maxfilesize, 9223372036854775807n);
  assert.deepEqual(res.time_delta, { seconds: 0, nseconds: 100 });
  assert.equal(res.properties, 0x1b);
  assert.equal(res.obj_attributes?.type, 'NF3DIR');
});

test('PATHCONF (47/48): limits and booleans', async () => {
  const { a, r } = await pair<T.PATHCONF3args, T.PATHCONF3res>(47, 48);
  assert.equal(hash(a.object), ROOT);
  const res = ok(r);
  assert.equal(res.linkmax, 8);
  assert.equal(res.name_max, 1024);
  assert.equal(res.no_trunc, true);
  assert.equal(res.chown_restricted, true);
  assert.equal(res.case_insensitive, false);
  assert.equal(res.case_preserving, true);
});

test('COMMIT (69/70): offset 0 count 0, the write verifier', async () => {
  const { a, r } = await pair<T.COMMIT3args, T.COMMIT3res>(69, 70);
  assert.equal(hash(a.file), FILE);
  assert.equal(a.offset, 0n);
  assert.equal(a.count, 0);
  const res = ok(r);
  assert.equal(hex(res.verf), 'fafe006b00000000');
  assert.equal(res.file_wcc.after?.size, 8024n);
});
