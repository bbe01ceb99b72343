/**
 * NFSv3 results' error arms (RFC 1813 section 3.3: `default: <PROC>3resfail`) on real traffic:
 * fixtures/rpc_errors_lo_nsec.pcap has NOENT, ACCES, NOTDIR, ISDIR, EXIST, NOTEMPTY, NAMETOOLONG, BADHANDLE,
 * NOT_SYNC, INVAL and PERM over TCP and UDP. Values are tshark's (`-T fields` nfs.status, nfs.fattr3.*,
 * nfs.wcc_attr.size for these frames; the .txt summary lines). Also: each arm carries exactly the RFC's fields.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as T from '../src/programs/nfs3/types';
import { NFSSTAT3, nfsstat3Of, nfsstat3Value } from '../src/programs/nfs3/status';
import { atFrame, nfs3Messages, type Nfs3Message } from './helpers/nfs3-fixture';

const ERRORS = 'rpc_errors_lo_nsec.pcap';
const ALLPROCS = 'nfs3_allprocs_tcp_lo.pcap';

/** The fields of each arm, as RFC 1813 section 3.3 defines them (plus this project's documented additions). */
const RESFAIL: Record<string, string[]> = {
  GETATTR: [],
  SETATTR: ['obj_wcc'],
  LOOKUP: ['dir_attributes'],
  ACCESS: ['obj_attributes'],
  READLINK: ['symlink_attributes'],
  READ: ['file_attributes'],
  WRITE: ['file_wcc'],
  CREATE: ['dir_wcc'],
  MKDIR: ['dir_wcc'],
  SYMLINK: ['dir_wcc'],
  MKNOD: ['dir_wcc'],
  REMOVE: ['dir_wcc'],
  RMDIR: ['dir_wcc'],
  RENAME: ['fromdir_wcc', 'todir_wcc'],
  LINK: ['file_attributes', 'linkdir_wcc'],
  READDIR: ['dir_attributes'],
  READDIRPLUS: ['dir_attributes'],
  FSSTAT: ['obj_attributes'],
  FSINFO: ['obj_attributes'],
  PATHCONF: ['obj_attributes'],
  COMMIT: ['file_wcc'],
};
const CREATED = ['obj', 'obj_attributes', 'dir_wcc'];
const RESOK: Record<string, string[]> = {
  GETATTR: ['obj_attributes'],
  SETATTR: ['obj_wcc'],
  LOOKUP: ['object', 'obj_attributes', 'dir_attributes'],
  ACCESS: ['obj_attributes', 'access', 'requested', 'denied'],
  READLINK: ['symlink_attributes', 'data'],
  READ: ['file_attributes', 'count', 'eof', 'data', 'dataLength'],
  WRITE: ['file_wcc', 'count', 'committed', 'verf'],
  CREATE: CREATED,
  MKDIR: CREATED,
  SYMLINK: CREATED,
  MKNOD: CREATED,
  REMOVE: ['dir_wcc'],
  RMDIR: ['dir_wcc'],
  RENAME: ['fromdir_wcc', 'todir_wcc'],
  LINK: ['file_attributes', 'linkdir_wcc'],
  // dirlist3 / dirlistplus3 flattened
  READDIR: ['dir_attributes', 'cookieverf', 'entries', 'eof'],
  READDIRPLUS: ['dir_attributes', 'cookieverf', 'entries', 'eof'],
  FSSTAT: ['obj_attributes', 'tbytes', 'fbytes', 'abytes', 'tfiles', 'ffiles', 'afiles', 'invarsec'],
  FSINFO: ['obj_attributes', 'rtmax', 'rtpref', 'rtmult', 'wtmax', 'wtpref', 'wtmult', 'dtpref', 'maxfilesize', 'time_delta', 'properties'],
  PATHCONF: ['obj_attributes', 'linkmax', 'name_max', 'no_trunc', 'chown_restricted', 'case_insensitive', 'case_preserving'],
  COMMIT: ['file_wcc', 'verf'],
};

function decodedReplies(msgs: Nfs3Message[]): Nfs3Message[] {
  return msgs.filter((m) => m.kind === 'reply' && m.value !== undefined && m.def.name !== 'NULL');
}

test('each result arm carries exactly the RFC 1813 fields, in XDR order (both captures, every reply)', async () => {
  let fails = 0;
  for (const name of [ERRORS, ALLPROCS]) {
    for (const m of decodedReplies(await nfs3Messages(name))) {
      const res = m.value as { status: string };
      const keys = Object.keys(res);
      assert.equal(keys[0], 'status');
      const want = res.status === 'NFS3_OK' ? RESOK[m.def.name] : RESFAIL[m.def.name];
      if (res.status !== 'NFS3_OK') fails++;
      assert.deepEqual(keys.slice(1), want, `${name} frame ${m.frame} ${m.def.name} ${res.status}`);
    }
  }
  assert.ok(fails >= 30, `${fails} error replies`);
});

test('the errors capture has every expected status, named as in RFC 1813', async () => {
  const msgs = await nfs3Messages(ERRORS);
  const seen = new Set(decodedReplies(msgs).map((m) => (m.value as { status: string }).status));
  for (const s of [
    'NFS3ERR_NOENT', 'NFS3ERR_ACCES', 'NFS3ERR_NOTDIR', 'NFS3ERR_ISDIR', 'NFS3ERR_EXIST', 'NFS3ERR_NOTEMPTY',
    'NFS3ERR_NAMETOOLONG', 'NFS3ERR_BADHANDLE', 'NFS3ERR_NOT_SYNC', 'NFS3ERR_INVAL', 'NFS3ERR_PERM',
  ]) {
    assert.ok(seen.has(s), s);
  }
});

function res<R>(msgs: Nfs3Message[], frame: number, procName: string, status: string): R {
  const m = atFrame(msgs, frame);
  assert.equal(m.def.name, procName, `frame ${frame}`);
  assert.equal(m.kind, 'reply');
  assert.equal((m.value as { status: string }).status, status, `frame ${frame}`);
  assert.equal(m.def.status!(m.value), status);
  return m.value as R;
}

// Over TCP (379-421) and the same sequence over UDP (442-484).
for (const [transport, d] of [
  ['TCP', 0],
  ['UDP', 63],
] as const) {
  test(`error arms over ${transport}: the attributes each resfail carries decode`, async () => {
    const msgs = await nfs3Messages(ERRORS);

    const noent = res<T.LOOKUP3res>(msgs, 379 + d, 'LOOKUP', 'NFS3ERR_NOENT');
    assert.equal(noent.dir_attributes?.type, 'NF3DIR');
    assert.equal(noent.dir_attributes?.fileid, 2146473n);
    assert.equal(noent.dir_attributes?.size, 4096n);

    const notdir = res<T.LOOKUP3res>(msgs, 383 + d, 'LOOKUP', 'NFS3ERR_NOTDIR');
    assert.equal(notdir.dir_attributes?.type, 'NF3REG');
    assert.equal(notdir.dir_attributes?.fileid, 2146475n);
    assert.equal(notdir.dir_attributes?.size, 6n);

    assert.deepEqual(res(msgs, 385 + d, 'READDIR', 'NFS3ERR_NOTDIR'), { status: 'NFS3ERR_NOTDIR', dir_attributes: null });
    assert.deepEqual(res(msgs, 387 + d, 'READ', 'NFS3ERR_ISDIR'), { status: 'NFS3ERR_ISDIR', file_attributes: null });

    const exist = res<T.MKDIR3res>(msgs, 389 + d, 'MKDIR', 'NFS3ERR_EXIST');
    assert.equal(exist.dir_wcc.before, null);
    assert.equal(exist.dir_wcc.after?.fileid, 2146473n);

    const notempty = res<T.RMDIR3res>(msgs, 391 + d, 'RMDIR', 'NFS3ERR_NOTEMPTY');
    assert.equal(notempty.dir_wcc.before?.size, 4096n);
    assert.equal(notempty.dir_wcc.after?.fileid, 2146473n);

    const toolong = res<T.LOOKUP3res>(msgs, 393 + d, 'LOOKUP', 'NFS3ERR_NAMETOOLONG');
    assert.equal(toolong.dir_attributes?.fileid, 2146473n);
    const longName = (atFrame(msgs, 392 + d).value as T.LOOKUP3args).what.name;
    assert.match(longName, /^N{256,}$/);
    assert.equal(longName, atFrame(msgs, 392 + d).row?.['nfs.name']);

    assert.deepEqual(res(msgs, 395 + d, 'GETATTR', 'NFS3ERR_BADHANDLE'), { status: 'NFS3ERR_BADHANDLE' });
    assert.equal((atFrame(msgs, 396 + d).value as T.GETATTR3args).object.bytes.length, 0, 'zero-length handle');
    assert.deepEqual(res(msgs, 397 + d, 'GETATTR', 'NFS3ERR_BADHANDLE'), { status: 'NFS3ERR_BADHANDLE' });

    const guard = (atFrame(msgs, 400 + d).value as T.SETATTR3args).guard;
    assert.deepEqual(guard, { check: true, obj_ctime: { seconds: 1, nseconds: 2 } });
    const notSync = res<T.SETATTR3res>(msgs, 401 + d, 'SETATTR', 'NFS3ERR_NOT_SYNC');
    assert.deepEqual(notSync.obj_wcc, { before: null, after: null });

    assert.deepEqual(res(msgs, 403 + d, 'READLINK', 'NFS3ERR_INVAL'), { status: 'NFS3ERR_INVAL', symlink_attributes: null });

    const acces = res<T.CREATE3res>(msgs, 411 + d, 'CREATE', 'NFS3ERR_ACCES');
    assert.equal(acces.dir_wcc.before?.size, 4096n);
    assert.equal(acces.dir_wcc.after?.fileid, 2147356n);
    assert.equal((atFrame(msgs, 410 + d).value as T.CREATE3args).how.mode, 'UNCHECKED');

    const lookupAcces = res<T.LOOKUP3res>(msgs, 413 + d, 'LOOKUP', 'NFS3ERR_ACCES');
    assert.equal(lookupAcces.dir_attributes?.fileid, 2147356n);

    // ACCESS succeeds but grants nothing: [Access Denied: RD LU MD XT DL XE]
    const access = res<T.ACCESS3res>(msgs, 415 + d, 'ACCESS', 'NFS3_OK');
    assert.ok(access.status === 'NFS3_OK');
    assert.equal(access.access, 0);
    assert.equal(access.requested, 0x3f);
    assert.equal(access.denied, 0x3f);

    const write = res<T.WRITE3res>(msgs, 419 + d, 'WRITE', 'NFS3ERR_ACCES');
    assert.deepEqual(write.file_wcc, { before: null, after: null });

    const perm = res<T.SETATTR3res>(msgs, 421 + d, 'SETATTR', 'NFS3ERR_PERM');
    assert.equal(perm.obj_wcc.before?.size, 21n);
    assert.equal(perm.obj_wcc.after?.type, 'NF3REG');
    assert.equal(perm.obj_wcc.after?.fileid, 2147444n);
  });
}

test('earlier sessions: CREATE GUARDED and READDIRPLUS refused with NFS3ERR_ACCES, LOOKUP NFS3ERR_NOENT', async () => {
  const msgs = await nfs3Messages(ERRORS);
  assert.equal(res<T.LOOKUP3res>(msgs, 45, 'LOOKUP', 'NFS3ERR_NOENT').dir_attributes?.fileid, 2146473n);
  const create = res<T.CREATE3res>(msgs, 133, 'CREATE', 'NFS3ERR_ACCES');
  assert.equal(create.dir_wcc.after?.fileid, 2147356n);
  assert.equal((atFrame(msgs, 132).value as T.CREATE3args).how.mode, 'GUARDED');
  const rdp = res<T.READDIRPLUS3res>(msgs, 181, 'READDIRPLUS', 'NFS3ERR_ACCES');
  assert.equal(rdp.dir_attributes?.fileid, 2147356n);
  assert.ok(!('entries' in rdp));
});

test('nfsstat3: all 29 RFC 1813 values both ways; other values are UNKNOWN(n)', () => {
  assert.equal(Object.keys(NFSSTAT3).length, 29);
  for (const [n, name] of Object.entries(NFSSTAT3)) {
    assert.equal(nfsstat3Of(Number(n)), name);
    assert.equal(nfsstat3Value(name), Number(n));
  }
  assert.equal(nfsstat3Of(0), 'NFS3_OK');
  assert.equal(nfsstat3Of(10008), 'NFS3ERR_JUKEBOX');
  assert.equal(nfsstat3Of(3), 'UNKNOWN(3)');
  assert.equal(nfsstat3Of(0xffffffff), 'UNKNOWN(4294967295)');
  assert.equal(nfsstat3Value('UNKNOWN(3)'), 3);
  assert.equal(nfsstat3Value('bogus'), null);
});
