/**
 * The RFC 1813 type readers (xdr3.ts) on built messages: every union arm, enums outside the RFC, hostile lengths
 * (fh and name length 0xffffffff, a READDIRPLUS reply claiming 2^31 entries), and records cut at every 37th byte
 * (READ, WRITE, READDIRPLUS from fixtures/nfs3_allprocs_tcp_lo.pcap): never anything but a result or an XdrError,
 * bulk data kept partially with `dataTruncated` when the record is marked truncated, directory lists kept and
 * marked `incomplete`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XdrError, XdrReader } from '../src/rpc/xdr';
import type { DecodeContext } from '../src/rpc/registry';
import { Registry } from '../src/rpc/registry';
import { NFS3_PROCEDURES } from '../src/programs/nfs3/procs';
import { NFSPROC3 } from '../src/programs/nfs3/types';
import type * as T from '../src/programs/nfs3/types';
import {
  createmode3Of,
  createmode3Value,
  ftype3Of,
  ftype3Value,
  stable_howOf,
  stable_howValue,
  time_howOf,
  time_howValue,
} from '../src/programs/nfs3/enums';
import {
  MAX_DIR_ENTRIES,
  MAX_FILENAME3,
  readCreatehow3,
  readData3,
  readDiropargs3,
  readDirlist3,
  readFattr3,
  readMknoddata3,
  readNfsFh3,
  readNfspath3,
  readPostOpAttr,
  readPostOpFh3,
  readPreOpAttr,
  readSattr3,
  readWccData,
} from '../src/programs/nfs3/xdr3';
import { XdrWriter, nfsWriteArgs } from './helpers/rpc-builders';
import { atFrame, nfs3Messages } from './helpers/nfs3-fixture';

const ctx = (truncated = false): DecodeContext => ({ transport: 'tcp', registry: new Registry(), depth: 0, truncated });
const rd = (w: XdrWriter | Uint8Array): XdrReader => new XdrReader(w instanceof XdrWriter ? w.bytes() : w);

function fattr3(w: XdrWriter, type = 1, size = 6n): XdrWriter {
  return w
    .u32(type) // type
    .u32(0o100644) // mode
    .u32(1) // nlink
    .u32(1000) // uid
    .u32(100) // gid
    .u64(size)
    .u64(4096n) // used
    .u32(8) // specdata1
    .u32(1) // specdata2
    .u64(0xfedcba9876543210n) // fsid
    .u64(0x1_0000_0001n) // fileid
    .u32(1700000000).u32(1) // atime
    .u32(1700000001).u32(2) // mtime
    .u32(0xffffffff).u32(999999999); // ctime
}

// --------------------------------------------------------------------------------------------- structures

test('fattr3: every field, 64-bit values as bigint, uint32 times stay unsigned', () => {
  const r = rd(fattr3(new XdrWriter()));
  const a = readFattr3(r);
  assert.deepEqual(a, {
    type: 'NF3REG',
    mode: 0o100644,
    nlink: 1,
    uid: 1000,
    gid: 100,
    size: 6n,
    used: 4096n,
    rdev: { specdata1: 8, specdata2: 1 },
    fsid: 0xfedcba9876543210n,
    fileid: 0x1_0000_0001n,
    atime: { seconds: 1700000000, nseconds: 1 },
    mtime: { seconds: 1700000001, nseconds: 2 },
    ctime: { seconds: 0xffffffff, nseconds: 999999999 },
  });
  assert.equal(r.remaining, 0);
  assert.equal(readFattr3(rd(fattr3(new XdrWriter(), 9))).type, 'UNKNOWN(9)');
});

test('post_op_attr, pre_op_attr, wcc_data, post_op_fh3: present and absent arms', () => {
  assert.equal(readPostOpAttr(rd(new XdrWriter().u32(0))), null);
  assert.equal(readPostOpAttr(rd(fattr3(new XdrWriter().u32(1), 2)))?.type, 'NF3DIR');
  assert.equal(readPreOpAttr(rd(new XdrWriter().u32(0))), null);
  assert.deepEqual(readPreOpAttr(rd(new XdrWriter().u32(1).u64(5n).u32(1).u32(2).u32(3).u32(4))), {
    size: 5n,
    mtime: { seconds: 1, nseconds: 2 },
    ctime: { seconds: 3, nseconds: 4 },
  });
  const wcc = readWccData(rd(fattr3(new XdrWriter().u32(1).u64(5n).u32(1).u32(2).u32(3).u32(4).u32(1), 1, 7n)));
  assert.equal(wcc.before?.size, 5n);
  assert.equal(wcc.after?.size, 7n);
  assert.equal(readPostOpFh3(rd(new XdrWriter().u32(0))), null);
  assert.equal(readPostOpFh3(rd(new XdrWriter().u32(1).opaque(Uint8Array.of(1, 2, 3))))?.hex, '010203');
});

test('sattr3: every set_* arm; times DONT_CHANGE / SET_TO_SERVER_TIME / SET_TO_CLIENT_TIME / undefined', () => {
  const all = readSattr3(
    rd(new XdrWriter().u32(1).u32(0o755).u32(1).u32(7).u32(1).u32(8).u32(1).u64(1n << 40n).u32(2).u32(10).u32(20).u32(1)),
  );
  assert.deepEqual(all, {
    mode: 0o755,
    uid: 7,
    gid: 8,
    size: 1n << 40n,
    atime: { how: 'SET_TO_CLIENT_TIME', time: { seconds: 10, nseconds: 20 } },
    mtime: { how: 'SET_TO_SERVER_TIME' },
  });
  const none = readSattr3(rd(new XdrWriter().u32(0).u32(0).u32(0).u32(0).u32(0).u32(7)));
  assert.deepEqual(none, { atime: { how: 'DONT_CHANGE' }, mtime: { how: 'UNKNOWN(7)' } });
  assert.ok(!('mode' in none) && !('size' in none));
});

test('createhow3: UNCHECKED/GUARDED sattr3, EXCLUSIVE verifier, an undefined mode reads nothing more', () => {
  const sattrNone = (w: XdrWriter) => w.u32(0).u32(0).u32(0).u32(0).u32(0).u32(0);
  assert.deepEqual(readCreatehow3(rd(sattrNone(new XdrWriter().u32(0)))), {
    mode: 'UNCHECKED',
    obj_attributes: { atime: { how: 'DONT_CHANGE' }, mtime: { how: 'DONT_CHANGE' } },
  });
  assert.equal(readCreatehow3(rd(sattrNone(new XdrWriter().u32(1)))).mode, 'GUARDED');
  const ex = readCreatehow3(rd(new XdrWriter().u32(2).fixed(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8))));
  assert.ok(ex.mode === 'EXCLUSIVE' && 'verf' in ex);
  assert.deepEqual([...ex.verf], [1, 2, 3, 4, 5, 6, 7, 8]);
  const r = rd(new XdrWriter().u32(3).u32(99));
  assert.deepEqual(readCreatehow3(r), { mode: 'UNKNOWN(3)' });
  assert.equal(r.remaining, 4);
});

test('mknoddata3: CHR/BLK device, SOCK/FIFO pipe_attributes, other types void', () => {
  const sattrNone = (w: XdrWriter) => w.u32(0).u32(0).u32(0).u32(0).u32(0).u32(0);
  assert.deepEqual(readMknoddata3(rd(sattrNone(new XdrWriter().u32(4)).u32(1).u32(3))), {
    type: 'NF3CHR',
    device: { dev_attributes: { atime: { how: 'DONT_CHANGE' }, mtime: { how: 'DONT_CHANGE' } }, spec: { specdata1: 1, specdata2: 3 } },
  });
  assert.equal(readMknoddata3(rd(sattrNone(new XdrWriter().u32(3)).u32(8).u32(0))).type, 'NF3BLK');
  assert.ok('pipe_attributes' in readMknoddata3(rd(sattrNone(new XdrWriter().u32(6)))));
  assert.ok('pipe_attributes' in readMknoddata3(rd(sattrNone(new XdrWriter().u32(7)))));
  assert.deepEqual(readMknoddata3(rd(new XdrWriter().u32(1))), { type: 'NF3REG' });
  assert.deepEqual(readMknoddata3(rd(new XdrWriter().u32(2))), { type: 'NF3DIR' });
  assert.deepEqual(readMknoddata3(rd(new XdrWriter().u32(0))), { type: 'UNKNOWN(0)' });
});

test('enum tables map both ways, UNKNOWN(n) included', () => {
  assert.equal(ftype3Of(7), 'NF3FIFO');
  assert.equal(ftype3Value('NF3SOCK'), 6);
  assert.equal(ftype3Value('UNKNOWN(42)'), 42);
  assert.equal(time_howOf(2), 'SET_TO_CLIENT_TIME');
  assert.equal(time_howValue('DONT_CHANGE'), 0);
  assert.equal(stable_howOf(1), 'DATA_SYNC');
  assert.equal(stable_howValue('FILE_SYNC'), 2);
  assert.equal(stable_howOf(3), 'UNKNOWN(3)');
  assert.equal(createmode3Of(2), 'EXCLUSIVE');
  assert.equal(createmode3Value('GUARDED'), 1);
  assert.equal(createmode3Value('nope'), null);
});

// --------------------------------------------------------------------------------------------- hostile lengths

function throwsXdr(fn: () => unknown, kind?: 'short' | 'length_exceeded'): void {
  assert.throws(fn, (e: unknown) => e instanceof XdrError && (kind === undefined || e.kind === kind));
}

test('nfs_fh3: 0..64 bytes accepted, 65 and 0xffffffff refused without allocating', () => {
  assert.equal(readNfsFh3(rd(new XdrWriter().u32(0))).bytes.length, 0);
  assert.equal(readNfsFh3(rd(new XdrWriter().opaque(new Uint8Array(64)))).bytes.length, 64);
  throwsXdr(() => readNfsFh3(rd(new XdrWriter().opaque(new Uint8Array(65)))), 'length_exceeded');
  throwsXdr(() => readNfsFh3(rd(new XdrWriter().u32(0xffffffff))), 'length_exceeded');
  for (const proc of [NFSPROC3.GETATTR, NFSPROC3.READ, NFSPROC3.WRITE, NFSPROC3.READDIRPLUS, NFSPROC3.COMMIT]) {
    throwsXdr(() => NFS3_PROCEDURES[proc].readArgs!(rd(new XdrWriter().u32(0xffffffff).u32(0)), ctx(true)), 'length_exceeded');
  }
});

test('filename3 / nfspath3 length 0xffffffff refused; a long-but-sane name is read', () => {
  const dirop = (w: XdrWriter) => w.opaque(new Uint8Array(8));
  throwsXdr(() => readDiropargs3(rd(dirop(new XdrWriter()).u32(0xffffffff))), 'length_exceeded');
  throwsXdr(() => readDiropargs3(rd(dirop(new XdrWriter()).u32(MAX_FILENAME3 + 1))), 'length_exceeded');
  throwsXdr(() => readNfspath3(rd(new XdrWriter().u32(0xffffffff))), 'length_exceeded');
  throwsXdr(() => readDiropargs3(rd(dirop(new XdrWriter()).u32(1000).u32(0))), 'short');
  assert.equal(readDiropargs3(rd(dirop(new XdrWriter()).string('N'.repeat(300)))).name.length, 300);
  for (const proc of [NFSPROC3.LOOKUP, NFSPROC3.CREATE, NFSPROC3.REMOVE, NFSPROC3.RENAME, NFSPROC3.SYMLINK]) {
    throwsXdr(() => NFS3_PROCEDURES[proc].readArgs!(rd(dirop(new XdrWriter()).u32(0xffffffff)), ctx()), 'length_exceeded');
  }
  // READDIR entry name of length 0xffffffff: the list stops there, incomplete
  const w = new XdrWriter().u32(1).u64(1n).string('ok').u64(1n).u32(1).u64(2n).u32(0xffffffff);
  const list = readDirlist3(rd(w));
  assert.deepEqual(list, { entries: [{ fileid: 1n, name: 'ok', cookie: 1n }], eof: false, incomplete: true });
});

test('READDIRPLUS reply claiming 2^31 entries: bounded by the data, kept, marked incomplete', () => {
  const readResult = NFS3_PROCEDURES[NFSPROC3.READDIRPLUS].readResult!;
  // value_follows = 0x80000000 (any non-zero is TRUE), then entries until the data ends
  const w = new XdrWriter().u32(0).u32(0).fixed(new Uint8Array(8));
  for (let i = 0; i < 1000; i++) w.u32(0x80000000).u64(BigInt(i)).string(`f${i}`).u64(BigInt(i + 1)).u32(0).u32(0);
  w.u32(0x80000000).u64(1000n); // a claimed next entry, cut
  const started = Date.now();
  const res = readResult(rd(w), undefined, ctx()) as T.READDIRPLUS3res;
  assert.ok(Date.now() - started < 2000);
  assert.ok(res.status === 'NFS3_OK');
  assert.equal(res.entries.length, 1000);
  assert.equal(res.entries[999].name, 'f999');
  assert.equal(res.incomplete, true);
  assert.equal(res.eof, false);

  // a count-like word 2^31 where value_follows is expected, with nothing after it
  const hostile = readResult(rd(new XdrWriter().u32(0).u32(0).fixed(new Uint8Array(8)).u32(0x80000000)), undefined, ctx());
  assert.deepEqual((hostile as T.READDIRPLUS3resok).entries, []);
  assert.equal((hostile as T.READDIRPLUS3resok).incomplete, true);

  // a complete, empty list is not incomplete
  const empty = readResult(rd(new XdrWriter().u32(0).u32(0).fixed(new Uint8Array(8)).u32(0).u32(1)), undefined, ctx());
  assert.deepEqual(empty, { status: 'NFS3_OK', dir_attributes: null, cookieverf: new Uint8Array(8), entries: [], eof: true });
});

test(`READDIR list capped at MAX_DIR_ENTRIES (${MAX_DIR_ENTRIES}) entries`, () => {
  // smallest entry3: value_follows, fileid, empty name, cookie = 24 bytes
  const n = MAX_DIR_ENTRIES + 3;
  const buf = new Uint8Array(n * 24 + 8);
  const dv = new DataView(buf.buffer);
  for (let i = 0; i < n; i++) dv.setUint32(i * 24, 1);
  dv.setUint32(n * 24 + 4, 1); // eof
  const list = readDirlist3(new XdrReader(buf));
  assert.equal(list.entries.length, MAX_DIR_ENTRIES);
  assert.equal(list.incomplete, true);
});

// --------------------------------------------------------------------------------------------- bulk data

test('readData3: a view of the data; cut by a truncated record → partial with dataTruncated', () => {
  const data = Uint8Array.from({ length: 10 }, (_, i) => i + 1);
  const full = new XdrWriter().opaque(data).bytes(); // 4 + 10 + 2 padding
  const whole = readData3(new XdrReader(full), ctx());
  assert.deepEqual([...whole.data], [...data]);
  assert.equal(whole.dataLength, 10);
  assert.equal(whole.dataTruncated, undefined);
  assert.equal(whole.data.buffer, full.buffer, 'a view, not a copy');

  const cut = full.subarray(0, 9);
  throwsXdr(() => readData3(new XdrReader(cut), ctx(false)), 'short');
  const part = readData3(new XdrReader(cut), ctx(true));
  assert.deepEqual([...part.data], [1, 2, 3, 4, 5]);
  assert.equal(part.dataLength, 10);
  assert.equal(part.dataTruncated, true);

  // the data is all there, only the padding is cut
  const padCut = readData3(new XdrReader(full.subarray(0, 14)), ctx(true));
  assert.equal(padCut.data.length, 10);
  assert.equal(padCut.dataTruncated, undefined);
  throwsXdr(() => readData3(new XdrReader(new XdrWriter().u32(0xffffffff).bytes()), ctx(true)), 'length_exceeded');
});

test('WRITE3args built with nfsWriteArgs: whole, and cut inside the data of a truncated record', () => {
  const data = new TextEncoder().encode('hello, world');
  const bytes = nfsWriteArgs(data, 4096n);
  const readArgs = NFS3_PROCEDURES[NFSPROC3.WRITE].readArgs!;
  const a = readArgs(new XdrReader(bytes), ctx()) as T.WRITE3args;
  assert.equal(a.offset, 4096n);
  assert.equal(a.count, 12);
  assert.equal(a.stable, 'FILE_SYNC');
  assert.equal(new TextDecoder().decode(a.data), 'hello, world');
  const cut = readArgs(new XdrReader(bytes.subarray(0, bytes.length - 5)), ctx(true)) as T.WRITE3args;
  assert.equal(new TextDecoder().decode(cut.data), 'hello, ');
  assert.equal(cut.dataTruncated, true);
  assert.equal(cut.dataLength, 12);
});

// --------------------------------------------------------------------------------------------- cut records

/** Decodes `bytes` (body from `body`) cut at every 37th byte, with the record marked truncated or not. */
function cuts(bytes: Uint8Array, body: number, decode: (r: XdrReader, truncated: boolean) => unknown, check: (v: unknown, cut: number, truncated: boolean) => void): number {
  let n = 0;
  for (let cut = body; cut < bytes.length; cut += 37) {
    for (const truncated of [false, true]) {
      let v: unknown;
      try {
        v = decode(new XdrReader(bytes.subarray(0, cut), body), truncated);
      } catch (e) {
        assert.ok(e instanceof XdrError, `cut ${cut}: ${String(e)}`);
        continue;
      }
      check(v, cut, truncated);
      n++;
    }
  }
  return n;
}

test('READ reply and WRITE call cut at every 37th byte: a result or an XdrError; partial data when truncated', async () => {
  const msgs = await nfs3Messages('nfs3_allprocs_tcp_lo.pcap');
  const readReply = atFrame(msgs, 72); // 4096 bytes of data
  const full = readReply.value as T.READ3resok;
  const readDef = NFS3_PROCEDURES[NFSPROC3.READ];
  let partial = 0;
  cuts(
    readReply.ev.record.bytes,
    readReply.ev.msg.bodyOffset,
    (r, truncated) => readDef.readResult!(r, readReply.args, ctx(truncated)),
    (v, cut, truncated) => {
      const res = v as T.READ3res;
      assert.ok(res.status === 'NFS3_OK');
      assert.equal(res.dataLength, 4096);
      assert.deepEqual(res.data, full.data.subarray(0, res.data.length), `cut ${cut}`);
      if (res.dataTruncated) {
        assert.ok(truncated, 'only a truncated record gives partial data');
        assert.ok(res.data.length < 4096);
        partial++;
      } else assert.equal(res.data.length, 4096);
    },
  );
  assert.ok(partial > 100, `${partial} partial decodes`);

  const writeCall = atFrame(msgs, 63); // 8000 bytes of data
  const wfull = writeCall.value as T.WRITE3args;
  const writeDef = NFS3_PROCEDURES[NFSPROC3.WRITE];
  let wpartial = 0;
  cuts(
    writeCall.ev.record.bytes,
    writeCall.ev.msg.bodyOffset,
    (r, truncated) => writeDef.readArgs!(r, ctx(truncated)),
    (v, cut, truncated) => {
      const a = v as T.WRITE3args;
      assert.equal(a.count, 8000);
      assert.deepEqual(a.data, wfull.data.subarray(0, a.data.length), `cut ${cut}`);
      if (a.dataTruncated) {
        assert.ok(truncated);
        wpartial++;
      }
    },
  );
  assert.ok(wpartial > 200, `${wpartial} partial decodes`);

  // WRITE reply and READ call: fixed-size, so every cut is an XdrError
  for (const [frame, fn] of [
    [64, (r: XdrReader, t: boolean) => writeDef.readResult!(r, wfull, ctx(t))],
    [71, (r: XdrReader, t: boolean) => readDef.readArgs!(r, ctx(t))],
  ] as const) {
    const m = atFrame(msgs, frame);
    const n = cuts(m.ev.record.bytes, m.ev.msg.bodyOffset, fn, () => assert.fail(`frame ${frame}: decoded a cut record`));
    assert.equal(n, 0);
  }
});

test('READDIRPLUS reply (and its call) cut at every 37th byte: entries a prefix of the full list, incomplete', async () => {
  const msgs = await nfs3Messages('nfs3_allprocs_tcp_lo.pcap');
  const m = atFrame(msgs, 100);
  const full = m.value as T.READDIRPLUS3resok;
  const def = NFS3_PROCEDURES[NFSPROC3.READDIRPLUS];
  let incomplete = 0;
  cuts(
    m.ev.record.bytes,
    m.ev.msg.bodyOffset,
    (r, truncated) => def.readResult!(r, m.args, ctx(truncated)),
    (v, cut) => {
      const res = v as T.READDIRPLUS3res;
      assert.ok(res.status === 'NFS3_OK');
      assert.equal(res.incomplete, true, `cut ${cut}`);
      assert.equal(res.eof, false);
      assert.ok(res.entries.length < full.entries.length);
      assert.deepEqual(
        res.entries.map((e) => [e.name, e.cookie, e.name_handle?.hex]),
        full.entries.slice(0, res.entries.length).map((e) => [e.name, e.cookie, e.name_handle?.hex]),
      );
      incomplete++;
    },
  );
  assert.ok(incomplete >= 30, `${incomplete} incomplete decodes`);
  const call = atFrame(msgs, 99);
  assert.equal(cuts(call.ev.record.bytes, call.ev.msg.bodyOffset, (r, t) => def.readArgs!(r, ctx(t)), () => assert.fail()), 0);
});

test('every procedure, every cut of every record in the capture: only results or XdrErrors', async () => {
  const msgs = await nfs3Messages('nfs3_allprocs_tcp_lo.pcap');
  let decoded = 0;
  for (const m of msgs) {
    const { bytes } = m.ev.record;
    const body = m.ev.msg.bodyOffset;
    const fn =
      m.kind === 'call'
        ? (r: XdrReader, t: boolean) => m.def.readArgs!(r, ctx(t))
        : m.value === undefined
          ? null
          : (r: XdrReader, t: boolean) => m.def.readResult!(r, m.args, ctx(t));
    if (!fn) continue;
    for (let cut = body; cut < bytes.length; cut += 37) {
      for (const t of [false, true]) {
        try {
          fn(new XdrReader(bytes.subarray(0, cut), body), t);
          decoded++;
        } catch (e) {
          assert.ok(e instanceof XdrError, `frame ${m.frame} cut ${cut}: ${String(e)}`);
        }
      }
    }
  }
  assert.ok(decoded > 0);
});
