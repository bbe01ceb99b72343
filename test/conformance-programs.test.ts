/**
 * Conformance of the program decoders with tshark on every fixture: NFSv3 and MOUNT status, PORTMAP GETPORT
 * ports, MOUNT paths, the file handles of each message (tshark's nfs.fh.hash, a CRC-32 of the handle bytes,
 * computed from our hex) and the names in NFS arguments (tshark's nfs.name; the fixtures' decodes were made
 * without tshark's name snooping, so nfs.name holds exactly the argument names).
 * Frames carrying several RPC messages are skipped here (tshark joins their values); test/conformance.test.ts
 * checks their RPC layer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from './helpers/crc32';
import { runJson, type JsonMessage } from './helpers/conformance';
import { fixture, fixtureCaptures, readTsv } from './helpers/fixtures';

/** RFC 1813 nfsstat3 and mountstat3 values, written out independently of src/. */
const NFS3: Record<string, number> = {
  NFS3_OK: 0, NFS3ERR_PERM: 1, NFS3ERR_NOENT: 2, NFS3ERR_IO: 5, NFS3ERR_NXIO: 6, NFS3ERR_ACCES: 13,
  NFS3ERR_EXIST: 17, NFS3ERR_XDEV: 18, NFS3ERR_NODEV: 19, NFS3ERR_NOTDIR: 20, NFS3ERR_ISDIR: 21,
  NFS3ERR_INVAL: 22, NFS3ERR_FBIG: 27, NFS3ERR_NOSPC: 28, NFS3ERR_ROFS: 30, NFS3ERR_MLINK: 31,
  NFS3ERR_NAMETOOLONG: 63, NFS3ERR_NOTEMPTY: 66, NFS3ERR_DQUOT: 69, NFS3ERR_STALE: 70, NFS3ERR_REMOTE: 71,
  NFS3ERR_BADHANDLE: 10001, NFS3ERR_NOT_SYNC: 10002, NFS3ERR_BAD_COOKIE: 10003, NFS3ERR_NOTSUPP: 10004,
  NFS3ERR_TOOSMALL: 10005, NFS3ERR_SERVERFAULT: 10006, NFS3ERR_BADTYPE: 10007, NFS3ERR_JUKEBOX: 10008,
};
const MNT3: Record<string, number> = {
  MNT3_OK: 0, MNT3ERR_PERM: 1, MNT3ERR_NOENT: 2, MNT3ERR_IO: 5, MNT3ERR_ACCES: 13, MNT3ERR_NOTDIR: 20,
  MNT3ERR_INVAL: 22, MNT3ERR_NAMETOOLONG: 63, MNT3ERR_NOTSUPP: 10004, MNT3ERR_SERVERFAULT: 10006,
};

/** Every file handle in a decoded value: objects of the shape {fh, fhHash}. */
function handles(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) handles(x, out);
  else if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.fh === 'string' && typeof o.fhHash === 'string') out.push(o.fh);
    else for (const x of Object.values(o)) handles(x, out);
  }
  return out;
}

/** Every string under a key named like a file name in NFS arguments. */
function names(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) names(x, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (typeof x === 'string' && /^(name|from_name|to_name)$/.test(k)) out.push(x);
      else names(x, out);
    }
  }
  return out;
}

const hashOf = (hex: string) => `0x${crc32(Buffer.from(hex, 'hex')).toString(16).padStart(8, '0')}`;

for (const name of fixtureCaptures()) {
  test(`program fields agree with tshark: ${name}`, () => {
    const { messages, status } = runJson(fixture(name));
    assert.equal(status, 0);
    const byFrame = new Map<number, JsonMessage[]>();
    for (const m of messages) byFrame.set(m.frame, [...(byFrame.get(m.frame) ?? []), m]);
    const problems: string[] = [];
    let checked = 0;
    for (const row of readTsv(fixture(`${name}.tsv`))) {
      const frame = Number(row['frame.number']);
      const ours = byFrame.get(frame) ?? [];
      if (ours.length !== 1 || row['rpc.xid'].includes(',')) continue;
      const m = ours[0];
      const where = `frame ${frame} ${m.type} ${m.programName} ${m.procedureName}`;
      const want = (col: string) => row[col] ?? '';
      if (want('nfs.status') !== '' && m.program === 100003 && m.version === 3) {
        checked++;
        if (NFS3[m.status as string] !== Number(want('nfs.status'))) problems.push(`${where}: status ${m.status} != tshark ${want('nfs.status')}`);
      }
      if (want('mount.status') !== '' && m.program === 100005 && m.version === 3) {
        checked++;
        if (MNT3[m.status as string] !== Number(want('mount.status'))) problems.push(`${where}: status ${m.status} != tshark ${want('mount.status')}`);
      }
      if (want('mount.path') !== '' && m.type === 'call') {
        checked++;
        const got = (m.args as Record<string, unknown> | undefined)?.dirpath;
        if (got !== want('mount.path')) problems.push(`${where}: dirpath ${String(got)} != tshark ${want('mount.path')}`);
      }
      if (want('portmap.port') !== '' && m.type === 'reply' && m.program === 100000 && m.version === 2 && m.procedure === 3) {
        checked++;
        const got = (m.result as Record<string, unknown> | undefined)?.port;
        if (got !== Number(want('portmap.port'))) problems.push(`${where}: port ${String(got)} != tshark ${want('portmap.port')}`);
      }
      if (want('nfs.fh.hash') !== '' && (m.program === 100003 || m.program === 100005)) {
        checked++;
        const ourHashes = new Set(handles(m.type === 'call' ? m.args : m.result).map(hashOf));
        for (const h of want('nfs.fh.hash').split(',')) if (!ourHashes.has(h)) problems.push(`${where}: no handle with tshark's hash ${h} (ours: ${[...ourHashes].join(',')})`);
      }
      if (want('nfs.name') !== '' && m.type === 'call' && m.program === 100003) {
        checked++;
        const ourNames = names(m.args);
        for (const n of want('nfs.name').split(',')) if (!ourNames.includes(n)) problems.push(`${where}: no name '${n}' (ours: ${ourNames.join(',')})`);
      }
    }
    assert.deepEqual(problems, []);
    if (/nfs3|errors|lab_/.test(name)) assert.ok(checked > 0, 'some program fields were compared');
  });
}
