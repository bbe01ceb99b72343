/**
 * MOUNT (100005) messages the lab cannot produce (ganesha answers MOUNT v1 MNT with PROC_UNAVAIL and does not
 * serve v2; its DUMP list is always empty): built with XdrWriter as whole RPC messages, their headers decoded by
 * the real RPC decoder, their bodies by the MOUNT decoders. Also truncated and hostile input: lists cut by the
 * end of data are kept and marked incomplete, hostile lengths and counts give XdrError and nothing else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flattenDetail, type DetailNode } from '../src/format/detail';
import { MOUNT_PROGRAM } from '../src/programs/mount';
import { flavorWord, mountStatusName, mountStatusWords } from '../src/programs/mount-text';
import {
  MAX_AUTH_FLAVORS,
  MAX_EXPORT_ENTRIES,
  MAX_GROUPS_PER_EXPORT,
  MAX_MOUNT_ENTRIES,
  type Exports,
  type FhStatus,
  type MountList,
  type MountRes3,
  type PPathCnf,
} from '../src/programs/mount-xdr';
import { decodeRpcHeader } from '../src/rpc/message';
import { Registry, type DecodeContext, type ProcedureDef } from '../src/rpc/registry';
import { XdrError, XdrReader } from '../src/rpc/xdr';
import { randomBytes } from './helpers/bytes';
import { formatContext } from './helpers/program-harness';
import { authUnix, buildAcceptedReply, buildCall, XdrWriter } from './helpers/rpc-builders';

const f = formatContext();
const ctx: DecodeContext = { transport: 'udp', registry: new Registry(), depth: 0, truncated: false };
const EMPTY = new Uint8Array(0);

function def(vers: number, proc: number): ProcedureDef {
  const d = MOUNT_PROGRAM.versions[vers]?.[proc];
  assert.ok(d, `MOUNT v${vers} proc ${proc}`);
  return d;
}

/** snoop's hash written out independently: XOR of the big-endian 16-bit halfwords of the zero-padded handle. */
function xorFold(b: Uint8Array): string {
  let h = 0;
  for (let i = 0; i < b.length; i += 2) h ^= (b[i] << 8) | (b[i + 1] ?? 0);
  return h.toString(16).toUpperCase().padStart(4, '0');
}

/** A call and its SUCCESS reply as whole RPC messages, decoded: the RPC header by decodeRpcHeader, the body by the
 *  MOUNT decoders, which must read it to the last byte. Returns the decoded values and the snoop texts. */
function exchange(vers: number, proc: number, argsBody: Uint8Array, resultBody: Uint8Array) {
  const d = def(vers, proc);
  const callBytes = buildCall({ xid: 0x4d4e5400 + proc, prog: 100005, vers, proc, cred: authUnix({ machine: 'verona' }), body: argsBody });
  const replyBytes = buildAcceptedReply({ xid: 0x4d4e5400 + proc, body: resultBody });
  const c = decodeRpcHeader(callBytes);
  const r = decodeRpcHeader(replyBytes);
  assert.ok(c.ok && c.msg.type === 'call' && c.msg.prog === 100005 && c.msg.vers === vers && c.msg.proc === proc);
  assert.ok(r.ok && r.msg.type === 'reply' && r.msg.acceptStat === 0);
  const ar = new XdrReader(callBytes, c.msg.bodyOffset);
  const args = d.readArgs!(ar, ctx);
  assert.equal(ar.remaining, 0, 'the arguments are read to their end');
  const rr = new XdrReader(replyBytes, r.msg.bodyOffset);
  const result = d.readResult!(rr, args, ctx);
  assert.equal(rr.remaining, 0, 'the results are read to their end');
  return {
    def: d,
    args,
    result,
    call: d.callSummary!(args, f),
    reply: d.replySummary!(result, args, f),
    callDetail: flattenDetail(d.callDetail!(args, f)),
    replyDetail: flattenDetail(d.replyDetail!(result, args, f)),
    replyNodes: d.replyDetail!(result, args, f),
  };
}

/** Runs a procedure's result reader on bare result bytes. */
function readResult(vers: number, proc: number, body: Uint8Array): unknown {
  return def(vers, proc).readResult!(new XdrReader(body), undefined, ctx);
}

function readArgs(vers: number, proc: number, body: Uint8Array): unknown {
  return def(vers, proc).readArgs!(new XdrReader(body), ctx);
}

const isXdr = (kind: 'short' | 'length_exceeded') => (e: unknown) => e instanceof XdrError && e.kind === kind;

// ------------------------------------------------------------------------------------------------ XDR builders

const dirpath = (p: string) => new XdrWriter().string(p).bytes();

function fhstatusOk(fh: Uint8Array): Uint8Array {
  return new XdrWriter().u32(0).fixed(fh).bytes();
}

function mountres3Ok(fh: Uint8Array, flavors: number[]): Uint8Array {
  const w = new XdrWriter().u32(0).opaque(fh).u32(flavors.length);
  for (const x of flavors) w.u32(x);
  return w.bytes();
}

function mountlist(entries: [string, string][]): Uint8Array {
  const w = new XdrWriter();
  for (const [host, dir] of entries) w.u32(1).string(host).string(dir);
  return w.u32(0).bytes();
}

function exportsList(entries: [string, string[]][]): Uint8Array {
  const w = new XdrWriter();
  for (const [dir, groups] of entries) {
    w.u32(1).string(dir);
    for (const g of groups) w.u32(1).string(g);
    w.u32(0);
  }
  return w.u32(0).bytes();
}

function ppathcnf(v: Omit<PPathCnf, 'pc_xxx'>): Uint8Array {
  return new XdrWriter()
    .u32(v.pc_link_max)
    .u32(v.pc_max_canon)
    .u32(v.pc_max_input)
    .u32(v.pc_name_max)
    .u32(v.pc_path_max)
    .u32(v.pc_pipe_buf)
    .u32(v.pc_vdisable)
    .u32(0)
    .u32(v.pc_mask[0])
    .u32(v.pc_mask[1])
    .bytes();
}

const MOUNTS: [string, string][] = [
  ['rome', '/export/home'],
  ['zeus', '/export/home'],
  ['verona', '/export/eng'],
];
const EXPORTS: [string, string[]][] = [
  ['/export/eng', ['verona', '*.example.com']],
  ['/export/home', []],
];
const DUMP_DETAIL = ['Proc = 2 (Return mount entries)', 'Mount list', '   rome:/export/home', '   zeus:/export/home', '   verona:/export/eng', ''];

// ------------------------------------------------------------------------------------------------ v1

test('MOUNT1 MNT success: fixed 32-byte fhandle, `Mount OK FH=XXXX`, one 32-byte hex line', () => {
  const fh = randomBytes(32, 11);
  const x = exchange(1, 1, dirpath('/export/home'), fhstatusOk(fh));
  const res = x.result as FhStatus;
  assert.equal(res.fhs_status, 0);
  assert.equal(res.fhandle!.hex, Buffer.from(fh).toString('hex'));
  assert.equal(x.def.status!(res), 'MNT3_OK');
  assert.equal(x.call, 'Mount /export/home');
  assert.equal(x.reply, `Mount OK FH=${xorFold(fh)}`);
  assert.deepEqual(x.callDetail, ['Proc = 1 (Add mount entry)', 'Directory = /export/home', '']);
  assert.deepEqual(x.replyDetail, [
    'Proc = 1 (Add mount entry)',
    'Status = 0 (OK)',
    `File handle = [${xorFold(fh)}]`,
    ` ${Buffer.from(fh).toString('hex').toUpperCase()}`,
    '',
  ]);
  assert.equal(x.replyDetail[3].length, 65, 'one space and 64 hex digits');
});

test('MOUNT1 MNT error: the errno in words, status named like Wireshark (the mountstat3 table)', () => {
  const x = exchange(1, 1, dirpath('/secret'), new XdrWriter().u32(13).bytes());
  assert.deepEqual(x.result, { fhs_status: 13 });
  assert.equal(x.reply, 'Mount Permission denied');
  assert.equal(x.def.status!(x.result), 'MNT3ERR_ACCES');
  assert.deepEqual(x.replyDetail, ['Proc = 1 (Add mount entry)', 'Status = 13 (Permission denied)', '']);
  const noent = exchange(1, 1, dirpath('/nope'), new XdrWriter().u32(2).bytes());
  assert.equal(noent.reply, 'Mount No such file or directory');
});

test('MOUNT1 DUMP, UMNT, UMNTALL, EXPORT and EXPORTALL', () => {
  const dump = exchange(1, 2, EMPTY, mountlist(MOUNTS));
  assert.deepEqual((dump.result as MountList).entries, MOUNTS.map(([ml_hostname, ml_directory]) => ({ ml_hostname, ml_directory })));
  assert.equal(dump.call, 'Get mount list');
  assert.equal(dump.reply, 'Get mount list 3 entries');
  assert.deepEqual(dump.replyDetail, DUMP_DETAIL);

  const umnt = exchange(1, 3, dirpath('/export/home'), EMPTY);
  assert.deepEqual([umnt.call, umnt.reply], ['Unmount /export/home', 'Unmount reply']);
  assert.deepEqual(umnt.replyDetail, ['Proc = 3 (Remove mount entry)', '']);

  const all = exchange(1, 4, EMPTY, EMPTY);
  assert.deepEqual([all.args, all.result, all.call, all.reply], [null, null, 'Unmountall', 'Unmountall reply']);
  assert.deepEqual(all.callDetail, ['Proc = 4 (Remove all mount entries)', '']);
  assert.deepEqual(all.replyDetail, ['Proc = 4 (Remove all mount entries)', '']);

  for (const proc of [5, 6]) {
    const x = exchange(1, proc, EMPTY, exportsList(EXPORTS));
    assert.equal(x.def.name, proc === 5 ? 'EXPORT' : 'EXPORTALL');
    assert.deepEqual((x.result as Exports).entries, EXPORTS.map(([ex_dir, ex_groups]) => ({ ex_dir, ex_groups })));
    assert.equal(x.call, 'Get export list');
    assert.equal(x.reply, 'Get export list 2 entries');
    assert.deepEqual(x.callDetail, [`Proc = ${proc} (Return export list)`, '']);
    assert.deepEqual(x.replyDetail, [
      `Proc = ${proc} (Return export list)`,
      'Directory = /export/eng',
      ' Group = verona',
      ' Group = *.example.com',
      'Directory = /export/home',
      '',
    ]);
    // The tree (TUI): groups hang under their directory.
    assert.deepEqual(x.replyNodes[1], { text: 'Directory = /export/eng', children: [{ text: ' Group = verona' }, { text: ' Group = *.example.com' }] });
  }
});

// ------------------------------------------------------------------------------------------------ v2

test('MOUNT2: every v1 procedure, with v1 results (fhstatus)', () => {
  assert.deepEqual(exchange(2, 0, EMPTY, EMPTY).reply, 'Null ');
  const fh = randomBytes(32, 12);
  const mnt = exchange(2, 1, dirpath('/export/home'), fhstatusOk(fh));
  assert.equal(mnt.reply, `Mount OK FH=${xorFold(fh)}`);
  assert.equal(exchange(2, 2, EMPTY, mountlist(MOUNTS)).reply, 'Get mount list 3 entries');
  assert.equal(exchange(2, 3, dirpath('/export/home'), EMPTY).reply, 'Unmount reply');
  assert.equal(exchange(2, 4, EMPTY, EMPTY).reply, 'Unmountall reply');
  assert.equal(exchange(2, 5, EMPTY, exportsList(EXPORTS)).reply, 'Get export list 2 entries');
  assert.equal(exchange(2, 6, EMPTY, exportsList(EXPORTS)).reply, 'Get export list 2 entries');
});

const PC_GOOD = {
  pc_link_max: 32767,
  pc_max_canon: 255,
  pc_max_input: 255,
  pc_name_max: 255,
  pc_path_max: 4096,
  pc_pipe_buf: 4096,
  pc_vdisable: 0,
  pc_mask: [0x0180, 0] as [number, number], // _PC_CHOWN_RESTRICTED and _PC_NO_TRUNC set, every value valid
};

test('MOUNT2 PATHCONF: dirpath → ppathcnf, decoded (snoop does not)', () => {
  const x = exchange(2, 7, dirpath('/export/home'), ppathcnf(PC_GOOD));
  assert.deepEqual(x.args, { dirpath: '/export/home' });
  assert.deepEqual(x.result, { ...PC_GOOD, pc_xxx: 0 });
  assert.equal(x.call, 'PATHCONF /export/home');
  assert.equal(x.reply, 'PATHCONF link_max=32767 name_max=255 path_max=4096');
  assert.deepEqual(x.callDetail, ['Proc = 7 (Get POSIX Pathconf info)', 'File = /export/home', '']);
  assert.deepEqual(x.replyDetail, [
    'Proc = 7 (Get POSIX Pathconf info)',
    'Link max = 32767',
    'Max canon = 255',
    'Max input = 255',
    'Name max = 255',
    'Path max = 4096',
    'Pipe buf = 4096',
    'Vdisable = 0x00',
    'Chown restricted = True',
    'No trunc = True',
    'Mask = 0x0180',
    '',
  ]);
});

test('MOUNT2 PATHCONF: invalid values (mask bits) and "no info" (_PC_ERROR); shorts are signed', () => {
  const some = exchange(2, 7, dirpath('/x'), ppathcnf({ ...PC_GOOD, pc_link_max: 0, pc_max_canon: -1 >>> 0, pc_mask: [0x0002, 0] }));
  assert.equal((some.result as PPathCnf).pc_max_canon, -1);
  assert.equal(some.reply, 'PATHCONF name_max=255 path_max=4096');
  assert.equal(some.replyDetail[1], 'Link max = 0 (not valid)');
  assert.equal(some.replyDetail[2], 'Max canon = -1');
  assert.ok(some.replyDetail.includes('Chown restricted = False'));
  const none = exchange(2, 7, dirpath('/x'), ppathcnf({ ...PC_GOOD, pc_mask: [0x0001, 0] }));
  assert.equal(none.reply, 'PATHCONF no info');
  assert.ok(none.replyDetail.slice(1, 8).every((l) => l.endsWith(' (not valid)')));
  assert.equal(none.replyDetail.at(-2), 'Mask = 0x0001 (no information)');
});

// ------------------------------------------------------------------------------------------------ v3, built

test('MOUNT3 MNT: a 64-byte handle on two hex lines, several auth flavors (snoop words, numbers otherwise)', () => {
  const fh = randomBytes(64, 13);
  const x = exchange(3, 1, dirpath('/export/home'), mountres3Ok(fh, [390003, 1, 0, 2, 3, 6]));
  const hex = Buffer.from(fh).toString('hex').toUpperCase();
  assert.equal(x.reply, `Mount OK FH=${xorFold(fh)} Auth=390003,unix,none,short,des,6`);
  assert.deepEqual(x.replyDetail, [
    'Proc = 1 (Add mount entry)',
    'Status = 0 (OK)',
    `File handle = [${xorFold(fh)}]`,
    ` ${hex.slice(0, 64)}`,
    ` ${hex.slice(64)}`,
    'Authentication flavor = 390003,unix,none,short,des,6',
    '',
  ]);
  const odd = exchange(3, 1, dirpath('/e'), mountres3Ok(randomBytes(5, 1), []));
  assert.equal(odd.reply, `Mount OK FH=${xorFold(randomBytes(5, 1))} Auth=`);
});

test('MOUNT3 MNT: every mountstat3 in snoop words and RFC 1813 names', () => {
  const table: [number, string, string][] = [
    [0, 'MNT3_OK', 'OK'],
    [1, 'MNT3ERR_PERM', 'Not owner'],
    [2, 'MNT3ERR_NOENT', 'No such file or directory'],
    [5, 'MNT3ERR_IO', 'I/O error'],
    [13, 'MNT3ERR_ACCES', 'Permission denied'],
    [20, 'MNT3ERR_NOTDIR', 'Not a directory'],
    [22, 'MNT3ERR_INVAL', 'Invalid argument'],
    [63, 'MNT3ERR_NAMETOOLONG', 'File name too long'],
    [10004, 'MNT3ERR_NOTSUPP', 'Operation not supported'],
    [10006, 'MNT3ERR_SERVERFAULT', 'Server error'],
    [12345, 'MNT3ERR_12345', '(unknown error)'],
  ];
  for (const [n, name, words] of table) {
    assert.equal(mountStatusName(n), name);
    assert.equal(mountStatusWords(n), words);
    if (n === 0) continue;
    const x = exchange(3, 1, dirpath('/e'), new XdrWriter().u32(n).bytes());
    assert.equal(x.def.status!(x.result), name);
    assert.equal(x.reply, `Mount ${words}`);
    assert.deepEqual(x.replyDetail, ['Proc = 1 (Add mount entry)', `Status = ${n} (${words})`, '']);
  }
  assert.deepEqual([0, 1, 2, 3, 4, 390003].map(flavorWord), ['none', 'unix', 'short', 'des', '4', '390003']);
});

test('MOUNT3 DUMP and EXPORT with entries and groups', () => {
  const dump = exchange(3, 2, EMPTY, mountlist(MOUNTS));
  assert.equal(dump.reply, 'Get mount list 3 entries');
  assert.deepEqual(dump.replyDetail, DUMP_DETAIL);
  const exp = exchange(3, 5, EMPTY, exportsList(EXPORTS));
  assert.equal(exp.reply, 'Get export list 2 entries');
  assert.equal(exp.replyDetail.length, 6);
});

// ------------------------------------------------------------------------------------------------ truncation

test('lists cut by the end of the data keep what was read: `N+ entries`, ` N+ entries. (Frame is incomplete)`', () => {
  const exp = exportsList(EXPORTS);
  // Cut inside the second group name of the first export.
  const cut = exp.subarray(0, 4 + 4 + 12 + 4 + 4 + 8 + 4 + 4 + 4);
  const r = readResult(3, 5, cut) as Exports;
  assert.deepEqual(r, { entries: [{ ex_dir: '/export/eng', ex_groups: ['verona'] }], incomplete: true });
  const d = def(3, 5);
  assert.equal(d.replySummary!(r, null, f), 'Get export list 1+ entries');
  assert.deepEqual(flattenDetail(d.replyDetail!(r, null, f)), [
    'Proc = 5 (Return export list)',
    'Directory = /export/eng',
    ' Group = verona',
    ' 1+ entries. (Frame is incomplete)',
    '',
  ]);
  const dumpCut = mountlist(MOUNTS).subarray(0, 30);
  const m = readResult(1, 2, dumpCut) as MountList;
  assert.deepEqual(m, { entries: [{ ml_hostname: 'rome', ml_directory: '/export/home' }], incomplete: true });
  assert.equal(def(1, 2).replySummary!(m, null, f), 'Get mount list 1+ entries');
  assert.deepEqual(flattenDetail(def(1, 2).replyDetail!(m, null, f)).slice(-2), [' 1+ entries. (Frame is incomplete)', '']);
});

test('every truncation of every reply decodes partially or throws XdrError, nothing else', () => {
  const cases: [number, number, Uint8Array][] = [
    [3, 1, mountres3Ok(randomBytes(28, 3), [1, 390003, 6])],
    [1, 1, fhstatusOk(randomBytes(32, 4))],
    [3, 2, mountlist(MOUNTS)],
    [3, 5, exportsList(EXPORTS)],
    [2, 6, exportsList(EXPORTS)],
    [2, 7, ppathcnf(PC_GOOD)],
  ];
  for (const [vers, proc, body] of cases) {
    for (let n = 0; n < body.length; n++) {
      let res: unknown;
      try {
        res = readResult(vers, proc, body.subarray(0, n));
      } catch (e) {
        assert.ok(isXdr('short')(e), `v${vers} proc ${proc} cut at ${n}: ${String(e)}`);
        continue;
      }
      // What decodes from a cut body says so (lists), or is a complete value that stopped early (MNT errors).
      const o = res as { incomplete?: true; mountinfo?: { incomplete?: true } };
      assert.ok(o.incomplete || o.mountinfo?.incomplete, `v${vers} proc ${proc} cut at ${n} decoded without a mark`);
      const d = def(vers, proc);
      d.replySummary!(res, undefined, f);
      d.replyDetail!(res, undefined, f);
    }
  }
  // The auth flavor list cut after 2 of 3 flavors.
  const mnt = readResult(3, 1, mountres3Ok(randomBytes(28, 3), [1, 390003, 6]).subarray(0, 4 + 4 + 28 + 4 + 8)) as MountRes3;
  assert.deepEqual(mnt.mountinfo!.auth_flavors, [1, 390003]);
  assert.equal(mnt.mountinfo!.incomplete, true);
});

// ------------------------------------------------------------------------------------------------ hostile input

test('hostile lengths: dirpath, fhandle3 and auth_flavors of 0xffffffff or 2^31 give length_exceeded', () => {
  for (const [vers, proc] of [
    [1, 1],
    [3, 1],
    [3, 3],
    [2, 7],
  ]) {
    assert.throws(() => readArgs(vers, proc, new XdrWriter().u32(0xffffffff).bytes()), isXdr('length_exceeded'));
  }
  assert.throws(() => readArgs(3, 1, new XdrWriter().u32(100).u32(0x41414141).bytes()), isXdr('short'));
  assert.throws(() => readResult(3, 1, new XdrWriter().u32(0).u32(0xffffffff).bytes()), isXdr('length_exceeded'));
  assert.throws(() => readResult(3, 1, new XdrWriter().u32(0).opaque(new Uint8Array(65)).bytes()), isXdr('length_exceeded'), 'over FHSIZE3');
  assert.throws(
    () => readResult(3, 1, new XdrWriter().u32(0).opaque(new Uint8Array(24)).u32(0x80000000).bytes()),
    isXdr('length_exceeded'),
  );
  assert.throws(
    () => readResult(3, 1, new XdrWriter().u32(0).opaque(new Uint8Array(24)).u32(MAX_AUTH_FLAVORS + 1).bytes()),
    isXdr('length_exceeded'),
  );
  assert.throws(() => readResult(1, 1, new XdrWriter().u32(0).fixed(new Uint8Array(8)).bytes()), isXdr('short'), 'fhandle needs 32 bytes');
});

test('hostile EXPORT and DUMP: 2^31 lengths throw, "value follows" without values and endless lists are bounded', () => {
  // ex_dir and gr_name claiming 2^31 bytes.
  assert.throws(() => readResult(3, 5, new XdrWriter().u32(1).u32(0x80000000).bytes()), isXdr('length_exceeded'));
  assert.throws(() => readResult(3, 5, new XdrWriter().u32(1).string('/e').u32(1).u32(0x80000000).bytes()), isXdr('length_exceeded'));
  assert.throws(() => readResult(3, 2, new XdrWriter().u32(1).u32(0x80000000).bytes()), isXdr('length_exceeded'));
  // A value_follows of 2^31 (true) with nothing after it: no entries, incomplete.
  assert.deepEqual(readResult(3, 5, new XdrWriter().u32(0x80000000).bytes()), { entries: [], incomplete: true });
  assert.deepEqual(readResult(3, 2, new XdrWriter().u32(0x80000000).bytes()), { entries: [], incomplete: true });

  // More entries than the caps: cut at the cap and marked incomplete.
  const many = new XdrWriter();
  for (let i = 0; i <= MAX_EXPORT_ENTRIES; i++) many.u32(1).u32(0).u32(0);
  const manyExports = readResult(3, 5, many.u32(0).bytes()) as Exports;
  assert.equal(manyExports.entries.length, MAX_EXPORT_ENTRIES);
  assert.equal(manyExports.incomplete, true);
  assert.equal(def(3, 5).replySummary!(manyExports, null, f), `Get export list ${MAX_EXPORT_ENTRIES}+ entries`);

  const groups = new XdrWriter().u32(1).string('/e');
  for (let i = 0; i <= MAX_GROUPS_PER_EXPORT; i++) groups.u32(1).u32(0);
  const manyGroups = readResult(1, 6, groups.u32(0).u32(0).bytes()) as Exports;
  assert.equal(manyGroups.entries[0].ex_groups.length, MAX_GROUPS_PER_EXPORT);
  assert.equal(manyGroups.incomplete, true);

  const mounts = new XdrWriter();
  for (let i = 0; i <= MAX_MOUNT_ENTRIES; i++) mounts.u32(1).u32(0).u32(0);
  const manyMounts = readResult(3, 2, mounts.u32(0).bytes()) as MountList;
  assert.equal(manyMounts.entries.length, MAX_MOUNT_ENTRIES);
  assert.equal(manyMounts.incomplete, true);
});

test('summaries and details of values that were not decoded (undefined) are still built, never throw', () => {
  for (const vers of [1, 2, 3]) {
    for (const d of MOUNT_PROGRAM.versions[vers]) {
      if (!d) continue;
      for (const nodes of [d.callDetail!(undefined, f), d.replyDetail!(undefined, undefined, f)] as DetailNode[][]) {
        assert.match(nodes[0].text, /^Proc = \d \(/);
        assert.equal(nodes.at(-1)!.text, '');
      }
      assert.ok(d.callSummary!(undefined, f).length > 0);
      assert.ok(d.replySummary!(undefined, undefined, f).length > 0);
    }
  }
});
