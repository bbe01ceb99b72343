/**
 * What successful NFSv3 replies teach the FH → name table (design.md; RFC 1813 sections 3.3.3 LOOKUP, 3.3.8-3.3.11
 * CREATE/MKDIR/SYMLINK/MKNOD, 3.3.14 RENAME, 3.3.17 READDIRPLUS): on the fixtures, from the export root that the
 * MNT reply gave (its handle is the one FSINFO/GETATTR use, tshark hash 0x637ba56d), and on built messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FhNames } from '../src/programs/fh-names';
import { FileHandle } from '../src/programs/file-handle';
import { LearnedPorts } from '../src/programs/learned-ports';
import { NFS3_PROCEDURES } from '../src/programs/nfs3/procs';
import { NFSPROC3 } from '../src/programs/nfs3/types';
import type * as T from '../src/programs/nfs3/types';
import type { LearnContext } from '../src/rpc/registry';
import { XdrReader } from '../src/rpc/xdr';
import { XdrWriter } from './helpers/rpc-builders';
import { fhHashText as nfsFhHash } from './helpers/crc32';
import { atFrame, nfs3Messages } from './helpers/nfs3-fixture';

function learnContext(names: FhNames): LearnContext {
  return { transport: 'tcp', server: '127.0.0.1', client: '127.0.0.1', ports: new LearnedPorts(), names };
}

/** Learns from every decoded reply of a fixture, in order, from the export root (the first handle of the call at
 *  `rootFrame`); returns hash → path. */
async function learnFixture(name: string, rootFrame: number): Promise<Map<string, string | null>> {
  const msgs = await nfs3Messages(name);
  const names = new FhNames();
  const root = handlesOf(atFrame(msgs, rootFrame).value)[0];
  assert.equal(nfsFhHash(root.bytes), '0x637ba56d', 'the MNT root');
  names.root(root.hex, '/tmp/lab/export');
  const l = learnContext(names);
  const seen = new Map<string, string>();
  for (const m of msgs) {
    for (const h of handlesOf(m.value)) seen.set(nfsFhHash(h.bytes), h.hex);
    if (m.kind === 'reply' && m.value !== undefined && m.def.learn) m.def.learn(m.args, m.value, l);
  }
  return new Map([...seen].map(([hash, hex]) => [hash, names.path(hex)]));
}

function handlesOf(v: unknown, out: FileHandle[] = []): FileHandle[] {
  if (v instanceof FileHandle) out.push(v);
  else if (Array.isArray(v)) for (const x of v) handlesOf(x, out);
  else if (v && typeof v === 'object' && !(v instanceof Uint8Array)) for (const x of Object.values(v)) handlesOf(x, out);
  return out;
}

test('all-procedures capture: MKDIR, CREATE, SYMLINK, LOOKUP, MKNOD, RENAME and READDIRPLUS give full paths', async () => {
  const paths = await learnFixture('nfs3_allprocs_tcp_lo.pcap', 45);
  const dir = '/tmp/lab/export/dir-tcp-17278';
  assert.equal(paths.get('0x637ba56d'), '/tmp/lab/export', '".." in READDIRPLUS does not move the export root');
  assert.equal(paths.get('0xe14b8972'), dir);
  // CREATE file.txt; READDIRPLUS lists the same handle as hardlink.txt, then file.txt (the last name wins)
  assert.equal(paths.get('0x9221a26f'), `${dir}/file.txt`);
  assert.equal(paths.get('0xab24eb83'), `${dir}/renamed.txt`, 'guarded.txt was renamed');
  assert.equal(paths.get('0xeb215dd7'), `${dir}/excl.txt`);
  assert.equal(paths.get('0x4349ea62'), `${dir}/link-sym`);
  assert.equal(paths.get('0x456a724d'), `${dir}/fifo`);
  assert.equal(paths.get('0x689f92b7'), `${dir}/sock`);
  assert.equal(paths.get('0x22fd738c'), `${dir}/blk`);
});

test('errors capture: successful LOOKUPs teach, refused ones do not', async () => {
  const paths = await learnFixture('rpc_errors_lo_nsec.pcap', 378);
  assert.equal(paths.get('0x87f896ad'), '/tmp/lab/export/hello.txt');
  assert.equal(paths.get('0x9e15ffd7'), '/tmp/lab/export/rootonly');
  assert.equal(paths.get('0xa3102cf1'), '/tmp/lab/export/readonly.txt');
  assert.equal(paths.get('0x14b17bb2'), '/tmp/lab/export/chr-tcp', 'MKNOD');
  assert.equal(paths.get('0x10a59c2d'), null, 'a bad handle stays unknown');
});

// --------------------------------------------------------------------------------------------- built messages

const fh = (n: number): Uint8Array => Uint8Array.from({ length: 28 }, (_, i) => (n * 31 + i * 7) & 0xff);
const noAttr = (w: XdrWriter): XdrWriter => w.u32(0);

function decode<X>(proc: number, kind: 'args' | 'result', bytes: Uint8Array, args?: unknown): X {
  const def = NFS3_PROCEDURES[proc];
  const ctx = { transport: 'tcp' as const, registry: undefined as never, depth: 0, truncated: false };
  const r = new XdrReader(bytes);
  return (kind === 'args' ? def.readArgs!(r, ctx) : def.readResult!(r, args, ctx)) as X;
}

function lookup(l: LearnContext, dir: Uint8Array, name: string, obj: Uint8Array | null): void {
  const args = decode<T.LOOKUP3args>(NFSPROC3.LOOKUP, 'args', new XdrWriter().opaque(dir).string(name).bytes());
  const w = new XdrWriter();
  if (obj) noAttr(noAttr(w.u32(0).opaque(obj)));
  else noAttr(w.u32(2)); // NFS3ERR_NOENT, dir_attributes absent
  const res = decode<T.LOOKUP3res>(NFSPROC3.LOOKUP, 'result', w.bytes(), args);
  NFS3_PROCEDURES[NFSPROC3.LOOKUP].learn!(args, res, l);
}

test('a LOOKUP chain from a MNT root gives full paths; a failed LOOKUP teaches nothing', () => {
  const names = new FhNames();
  const l = learnContext(names);
  const [root, a, b, c, x] = [fh(1), fh(2), fh(3), fh(4), fh(5)];
  const hex = (u: Uint8Array) => new FileHandle(u).hex;
  names.root(hex(root), '/export/home');
  lookup(l, root, 'alice', a);
  lookup(l, a, 'src', b);
  lookup(l, b, 'main.c', c);
  lookup(l, b, 'missing.c', null);
  assert.equal(names.path(hex(c)), '/export/home/alice/src/main.c');
  assert.equal(names.path(hex(b)), '/export/home/alice/src');
  assert.equal(names.path(hex(x)), null);
  assert.equal(names.size, 4);

  // RENAME main.c (in src) → old.c (in alice)
  const renameArgs = decode<T.RENAME3args>(
    NFSPROC3.RENAME,
    'args',
    new XdrWriter().opaque(b).string('main.c').opaque(a).string('old.c').bytes(),
  );
  const wcc = (w: XdrWriter) => w.u32(0).u32(0);
  const renameOk = decode<T.RENAME3res>(NFSPROC3.RENAME, 'result', wcc(wcc(new XdrWriter().u32(0))).bytes());
  NFS3_PROCEDURES[NFSPROC3.RENAME].learn!(renameArgs, renameOk, l);
  assert.equal(names.path(hex(c)), '/export/home/alice/old.c');
  // a failed RENAME teaches nothing
  const back = decode<T.RENAME3args>(NFSPROC3.RENAME, 'args', new XdrWriter().opaque(a).string('old.c').opaque(b).string('x').bytes());
  const renameFail = decode<T.RENAME3res>(NFSPROC3.RENAME, 'result', wcc(wcc(new XdrWriter().u32(13))).bytes());
  NFS3_PROCEDURES[NFSPROC3.RENAME].learn!(back, renameFail, l);
  assert.equal(names.path(hex(c)), '/export/home/alice/old.c');
});

test('CREATE teaches only when handle_follows; READDIRPLUS skips "." and ".." and entries without a handle', () => {
  const names = new FhNames();
  const l = learnContext(names);
  const [root, dir, f1, f2, f3] = [fh(10), fh(11), fh(12), fh(13), fh(14)];
  const hex = (u: Uint8Array) => new FileHandle(u).hex;
  names.root(hex(root), '/x');
  names.child(hex(dir), hex(root), 'd');

  const createArgs = (name: string) =>
    decode<T.CREATE3args>(NFSPROC3.CREATE, 'args', new XdrWriter().opaque(dir).string(name).u32(2).fixed(new Uint8Array(8)).bytes());
  const created = (obj: Uint8Array | null) => {
    const w = new XdrWriter().u32(0);
    if (obj) w.u32(1).opaque(obj);
    else w.u32(0);
    return decode<T.CREATE3res>(NFSPROC3.CREATE, 'result', w.u32(0).u32(0).u32(0).bytes());
  };
  const createDef = NFS3_PROCEDURES[NFSPROC3.CREATE];
  createDef.learn!(createArgs('new'), created(f1), l);
  createDef.learn!(createArgs('nohandle'), created(null), l);
  assert.equal(names.path(hex(f1)), '/x/d/new');
  assert.equal(names.size, 3);

  // READDIRPLUS of d: ".", "..", "a" (handle f2), "b" (no handle), "c" (handle f3)
  const args = decode<T.READDIRPLUS3args>(
    NFSPROC3.READDIRPLUS,
    'args',
    new XdrWriter().opaque(dir).u64(0n).fixed(new Uint8Array(8)).u32(4096).u32(32768).bytes(),
  );
  const w = new XdrWriter().u32(0).u32(0).fixed(new Uint8Array(8));
  const entry = (name: string, h: Uint8Array | null, cookie: bigint) => {
    w.u32(1).u64(cookie + 100n).string(name).u64(cookie).u32(0);
    if (h) w.u32(1).opaque(h);
    else w.u32(0);
  };
  entry('.', dir, 1n);
  entry('..', root, 2n);
  entry('a', f2, 3n);
  entry('b', null, 4n);
  entry('c', f3, 5n);
  w.u32(0).u32(1);
  const res = decode<T.READDIRPLUS3res>(NFSPROC3.READDIRPLUS, 'result', w.bytes(), args);
  assert.ok(res.status === 'NFS3_OK');
  assert.deepEqual(res.entries.map((e) => e.name), ['.', '..', 'a', 'b', 'c']);
  assert.equal(res.eof, true);
  NFS3_PROCEDURES[NFSPROC3.READDIRPLUS].learn!(args, res, l);
  assert.equal(names.path(hex(f2)), '/x/d/a');
  assert.equal(names.path(hex(f3)), '/x/d/c');
  assert.equal(names.path(hex(dir)), '/x/d', '"." does not rename the directory');
  assert.equal(names.path(hex(root)), '/x', '".." does not move the root');
  assert.equal(names.size, 5);
});

test('learn tolerates missing or foreign arguments (call not decoded)', () => {
  const names = new FhNames();
  const l = learnContext(names);
  for (const p of NFS3_PROCEDURES) {
    if (!p.learn) continue;
    p.learn(undefined, { status: 'NFS3_OK' }, l);
    p.learn({}, { status: 'NFS3_OK', entries: [{}] }, l);
    p.learn(null, null, l);
  }
  assert.equal(names.size, 0);
});
