/**
 * NFSv3 `-v` blocks (snoop-format.md §2.4, §2.5, §2.7): the examples of §2.7 reproduced byte for byte from
 * XdrWriter-built messages with the same values; on real traffic (fixtures/nfs3_allprocs_tcp_lo.pcap, errors from
 * fixtures/rpc_errors_lo_nsec.pcap) a GETATTR reply's whole block and the key lines of every one of the 22
 * procedures' calls and replies; the DetailNode tree the TUI folds; and where we print better than snoop
 * (nanoseconds, unsigned times, the learned path on the handle line).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { flattenDetail, type DetailNode } from '../src/format/detail';
import { renderBlock } from '../src/format/verbose-block';
import { FhNames } from '../src/programs/fh-names';
import { FileHandle } from '../src/programs/file-handle';
import { NFS_PROGRAM } from '../src/programs/nfs3/nfs-program';
import type * as T from '../src/programs/nfs3/types';
import { Registry, type FormatContext, type ProcedureDef } from '../src/rpc/registry';
import type { Transaction } from '../src/rpc/pairing';
import type { RpcEvent } from '../src/rpc/rpc-event';
import { XdrReader } from '../src/rpc/xdr';
import { fixture } from './helpers/fixtures';
import { decodeArgs, decodeResult, fixtureEvents, formatContext } from './helpers/program-harness';
import { XdrWriter } from './helpers/rpc-builders';

const ALLPROCS = 'nfs3_allprocs_tcp_lo.pcap';
const ERRORS = 'rpc_errors_lo_nsec.pcap';
const V3 = NFS_PROGRAM.versions[3];
const def = (name: T.Nfs3ProcName): ProcedureDef => V3.find((d) => d?.name === name)!;

// ------------------------------------------------------------------------------------------------ helpers

interface Msg {
  frame: number;
  kind: 'call' | 'reply';
  def: ProcedureDef;
  value?: unknown;
  args?: unknown;
}

/** Every NFSv3 message of a fixture, decoded as the pipeline does (a reply's decoder gets its call's args). */
async function messages(name: string): Promise<Map<number, Msg>> {
  const argsOf = new Map<Transaction, unknown>();
  const out = new Map<number, Msg>();
  for (const ev of (await fixtureEvents(name)) as RpcEvent[]) {
    if (ev.prog !== 100003 || ev.vers !== 3 || ev.proc === null || !V3[ev.proc]) continue;
    const m: Msg = { frame: ev.record.frameNo, kind: ev.msg.type, def: V3[ev.proc]! };
    try {
      if (ev.msg.type === 'call') {
        m.value = decodeArgs(m.def, ev);
        if (ev.tx) argsOf.set(ev.tx, m.value);
      } else {
        m.args = ev.tx ? argsOf.get(ev.tx) : undefined;
        if (ev.msg.replyStat === 0 && ev.msg.acceptStat === 0) m.value = decodeResult(m.def, ev, m.args);
      }
    } catch {
      // malformed messages have no value
    }
    out.set(m.frame, m);
  }
  return out;
}

function nodes(m: Msg, f: FormatContext = formatContext()): DetailNode[] {
  assert.notEqual(m.value, undefined, `frame ${m.frame} decoded`);
  return m.kind === 'call' ? m.def.callDetail!(m.value, f) : m.def.replyDetail!(m.value, m.args, f);
}

function lines(m: Msg | undefined, f?: FormatContext): string[] {
  assert.ok(m, 'message present');
  return flattenDetail(nodes(m, f));
}

/** `expected` appears in `actual` as consecutive lines. */
function assertBlock(actual: string[], expected: string[], what: string): void {
  for (let i = 0; i + expected.length <= actual.length; i++) {
    if (expected.every((l, j) => actual[i + j] === l)) return;
  }
  assert.fail(`${what}: lines not found in order:\n${expected.join('\n')}\n--- in ---\n${actual.join('\n')}`);
}

/** snoop's `-v` block of the NFS layer for these nodes, with NFS_PROGRAM's prefix and title. */
function block(n: DetailNode[]): string[] {
  const v = NFS_PROGRAM.verbose!(3)!;
  return renderBlock(v.prefix, v.title, n);
}

function decodeBuilt(name: T.Nfs3ProcName, kind: 'call' | 'reply', body: Uint8Array, args?: unknown): unknown {
  const r = new XdrReader(body);
  const ctx = { transport: 'tcp' as const, registry: new Registry(), depth: 0, truncated: false };
  return kind === 'call' ? def(name).readArgs!(r, ctx) : def(name).readResult!(r, args, ctx);
}

function builtCall(name: T.Nfs3ProcName, body: Uint8Array, f: FormatContext = formatContext()): DetailNode[] {
  return def(name).callDetail!(decodeBuilt(name, 'call', body), f);
}

function builtReply(name: T.Nfs3ProcName, body: Uint8Array, args?: unknown, f: FormatContext = formatContext()): DetailNode[] {
  return def(name).replyDetail!(decodeBuilt(name, 'reply', body, args), args, f);
}

// ------------------------------------------------------------------------------------------------ builders

const FH_711F = new Uint8Array(Buffer.from('01000601A3B2C1D40000000000000002000000001E4D0A37', 'hex'));
const FH_0CAE = new Uint8Array(Buffer.from('010006010000000000000000000000000000000000000BAF', 'hex'));
/** 12-Mar-24 14:03:55 and 14:00:01 GMT. */
const T_140355 = Date.UTC(2024, 2, 12, 14, 3, 55) / 1000;
const T_140001 = Date.UTC(2024, 2, 12, 14, 0, 1) / 1000;

interface Fattr {
  type?: number;
  mode?: number;
  nlink?: number;
  uid?: number;
  gid?: number;
  size?: bigint;
  used?: bigint;
  rdev?: [number, number];
  fsid?: bigint;
  fileid?: bigint;
  atime?: [number, number];
  mtime?: [number, number];
  ctime?: [number, number];
}

/** The fattr3 of snoop-format.md §2.7's GETATTR3 reply, with changes. */
function fattr3(w: XdrWriter, a: Fattr = {}): XdrWriter {
  w.u32(a.type ?? 1).u32(a.mode ?? 0o644).u32(a.nlink ?? 1).u32(a.uid ?? 1000).u32(a.gid ?? 1000);
  w.u64(a.size ?? 4096n).u64(a.used ?? 4096n);
  const [ma, mi] = a.rdev ?? [0, 0];
  w.u32(ma).u32(mi).u64(a.fsid ?? 2049n).u64(a.fileid ?? 131074n);
  for (const [s, ns] of [a.atime ?? [T_140355, 123456789], a.mtime ?? [T_140001, 0], a.ctime ?? [T_140001, 0]]) w.u32(s).u32(ns);
  return w;
}

/** The 15 lines of that fattr3 (with the prefix-only line that closes it). */
const FATTR3_27 = [
  '  File type = 1 (Regular File)',
  '  Mode = 0644',
  '   Setuid = 0, Setgid = 0, Sticky = 0',
  "   Owner's permissions = rw-",
  "   Group's permissions = r--",
  "   Other's permissions = r--",
  '  Link count = 1, User ID = 1000, Group ID = 1000',
  '  File size = 4096, Used = 4096',
  '  Special: Major = 0, Minor = 0',
  '  File system id = 2049, File id = 131074',
  '  Last access time      = 12-Mar-24 14:03:55.123456789 GMT',
  '  Modification time     = 12-Mar-24 14:00:01.000000000 GMT',
  '  Attribute change time = 12-Mar-24 14:00:01.000000000 GMT',
  '',
];

// ------------------------------------------------------------------------------------------------ §2.7 examples

test('§2.7 GETATTR3 call and reply, byte for byte', () => {
  const call = block(builtCall('GETATTR', new XdrWriter().opaque(FH_711F).bytes()));
  assert.deepEqual(call, [
    'NFS:  ----- Sun NFS -----',
    'NFS:  ',
    'NFS:  Proc = 1 (Get file attributes)',
    'NFS:  File handle = [711F]',
    'NFS:   01000601A3B2C1D40000000000000002000000001E4D0A37',
    'NFS:  ',
  ]);
  const reply = block(builtReply('GETATTR', fattr3(new XdrWriter().u32(0)).bytes()));
  assert.deepEqual(reply, [
    'NFS:  ----- Sun NFS -----',
    'NFS:  ',
    'NFS:  Proc = 1 (Get file attributes)',
    'NFS:  Status = 0 (OK)',
    'NFS:    File type = 1 (Regular File)',
    'NFS:    Mode = 0644',
    'NFS:     Setuid = 0, Setgid = 0, Sticky = 0',
    "NFS:     Owner's permissions = rw-",
    "NFS:     Group's permissions = r--",
    "NFS:     Other's permissions = r--",
    'NFS:    Link count = 1, User ID = 1000, Group ID = 1000',
    'NFS:    File size = 4096, Used = 4096',
    'NFS:    Special: Major = 0, Minor = 0',
    'NFS:    File system id = 2049, File id = 131074',
    'NFS:    Last access time      = 12-Mar-24 14:03:55.123456789 GMT',
    'NFS:    Modification time     = 12-Mar-24 14:00:01.000000000 GMT',
    'NFS:    Attribute change time = 12-Mar-24 14:00:01.000000000 GMT',
    'NFS:  ',
    'NFS:  ',
  ]);
});

test('§2.7 LOOKUP3 exchange: directory handle and name; object handle, (object) fattr3, (directory) not available', () => {
  const call = flattenDetail(builtCall('LOOKUP', new XdrWriter().opaque(FH_0CAE).string('report.txt').bytes()));
  assert.deepEqual(call, [
    'Proc = 3 (Look up file name)',
    'File handle = [0CAE]',
    ' 010006010000000000000000000000000000000000000BAF',
    'File name = report.txt',
    '',
  ]);
  const body = fattr3(new XdrWriter().u32(0).opaque(FH_711F).u32(1)).u32(0).bytes();
  assert.deepEqual(flattenDetail(builtReply('LOOKUP', body)), [
    'Proc = 3 (Look up file name)',
    'Status = 0 (OK)',
    'File handle = [711F]',
    ' 01000601A3B2C1D40000000000000002000000001E4D0A37',
    'Post-operation attributes: (object)',
    ...FATTR3_27,
    'Post-operation attributes: (directory) (not available)',
    '',
  ]);
  // a failed LOOKUP carries only the directory's attributes
  const fail = fattr3(new XdrWriter().u32(2).u32(1), { type: 2, mode: 0o755 }).bytes();
  const failed = flattenDetail(builtReply('LOOKUP', fail));
  assert.deepEqual(failed.slice(0, 5), [
    'Proc = 3 (Look up file name)',
    'Status = 2 (No such file or directory)',
    'Post-operation attributes: (directory)',
    '  File type = 2 (Directory)',
    '  Mode = 0755',
  ]);
  assert.deepEqual(failed.slice(-2), ['', '']);
});

// ------------------------------------------------------------------------------------------------ real traffic

test('all-procedures capture: a GETATTR reply, whole (tshark: Directory mode: 0755 uid: 0 gid: 0)', async () => {
  const msgs = await messages(ALLPROCS);
  const tshark = readFileSync(fixture(`${ALLPROCS}.txt`), 'utf8');
  assert.match(tshark, /\n\s+52 .*GETATTR Reply \(Call In 51\)\s+Directory mode: 0755 uid: 0 gid: 0\n/);
  assert.deepEqual(lines(msgs.get(52)), [
    'Proc = 1 (Get file attributes)',
    'Status = 0 (OK)',
    '  File type = 2 (Directory)',
    '  Mode = 0755',
    '   Setuid = 0, Setgid = 0, Sticky = 0',
    "   Owner's permissions = rwx",
    "   Group's permissions = r-x",
    "   Other's permissions = r-x",
    '  Link count = 5, User ID = 0, Group ID = 0',
    '  File size = 4096, Used = 4096',
    '  Special: Major = 0, Minor = 0',
    '  File system id = 1503428851287329667, File id = 2146473',
    '  Last access time      = 21-Nov-26 02:45:07.172866404 GMT',
    '  Modification time     = 21-Nov-26 02:45:07.177049700 GMT',
    '  Attribute change time = 21-Nov-26 02:45:07.177049700 GMT',
    '',
    '',
  ]);
  assert.deepEqual(lines(msgs.get(51)), [
    'Proc = 1 (Get file attributes)',
    'File handle = [706E]',
    ' 430000011244830B0E229340DD1401A9C02000A65F797C00',
    '',
  ]);
});

/** Key lines of each procedure's call and reply: [frame, consecutive lines expected in its block]. */
const KEY_LINES: ReadonlyArray<readonly [number, string[]]> = [
  [41, ['Proc = 0 (Null procedure)', '']],
  [43, ['Proc = 0 (Null procedure)', '']],
  // GETATTR: whole in the test above
  [51, ['Proc = 1 (Get file attributes)', 'File handle = [706E]']],
  [52, ['Status = 0 (OK)', '  File type = 2 (Directory)']],
  // SETATTR: mode, size and a client time with 5 ns (snoop: `.000005`); the server time
  [77, ['File handle = [09CC]', ' 430000011244830B0E229340DD1401AFC12000A6DEDD8500', '  Mode = 0640']],
  [
    77,
    [
      "   Other's permissions = ---",
      'User ID = (not set)',
      'Group ID = (not set)',
      'Size = 4000',
      'Access time = 14-Nov-23 22:13:20.000000005 GMT (set to client time)',
      'Modification time = (set to server time)',
      '',
      '',
    ],
  ],
  [78, ['Proc = 2 (Set file attributes)', 'Status = 0 (OK)', 'Pre-operation attributes: ', '  Size = 8024 bytes']],
  [81, ['Proc = 3 (Look up file name)', 'File handle = [8F13]', ' 430000011244830B0E229340DD1401AEC12000B02A15F700', 'File name = link-sym', '']],
  [82, ['Status = 0 (OK)', 'File handle = [AABA]', ' 430000011244830B0E229340DD1401B2C12000BE80AE7800', 'Post-operation attributes: (object)', '  File type = 5 (Symbolic Link)']],
  [82, ['', 'Post-operation attributes: (directory)', '  File type = 2 (Directory)']],
  [
    53,
    [
      'Access bits = 0x0000003f',
      '\t.... ...1 = Read',
      '\t.... ..1. = Lookup',
      '\t.... .1.. = Modify',
      '\t.... 1... = Extend',
      '\t...1 .... = Delete',
      '\t..1. .... = Execute',
      '',
    ],
  ],
  [54, ['', 'Access = read,lookup,modify,extend,delete', '']],
  [83, ['Proc = 5 (Read from symbolic link)', 'File handle = [AABA]']],
  [84, ['Status = 0 (OK)', 'Post-operation attributes: ', '  File type = 5 (Symbolic Link)']],
  [84, ['', 'Path = file.txt', '']],
  [73, ['Proc = 6 (Read from file)', 'File handle = [09CC]', ' 430000011244830B0E229340DD1401AFC12000A6DEDD8500', 'Offset = 8000', 'Count = 4096', '']],
  [74, ['  File size = 8024, Used = 8192']],
  [74, ['', 'Count = 24 bytes read', 'End of file = True', '']],
  [72, ['', 'Count = 4096 bytes read', 'End of file = False', '']],
  [65, ['Proc = 7 (Write to file)', 'File handle = [09CC]', ' 430000011244830B0E229340DD1401AFC12000A6DEDD8500', 'Offset = 8000', 'Size   = 13', 'Stable = DSYNC', '']],
  [64, ['Status = 0 (OK)', 'Pre-operation attributes:  (not available)', 'Post-operation attributes: ', '  File type = 1 (Regular File)']],
  [64, ['', 'Count = 8000 bytes written', 'Stable = ASYNC', 'Verifier = FAFE006B00000000', '']],
  [66, ['Count = 13 bytes written', 'Stable = FSYNC']],
  [57, ['File name = file.txt', 'Method = Unchecked', '  Mode = 0644']],
  [57, ['Size = 0', 'Access time = (set to server time)', 'Modification time = (set to server time)', '', '']],
  [59, ['File name = guarded.txt', 'Method = Guarded', '  Mode = 0600']],
  [61, ['Proc = 8 (Create file)', 'File handle = [8F13]', ' 430000011244830B0E229340DD1401AEC12000B02A15F700', 'File name = excl.txt', 'Guard = 4558434C56455246', '']],
  [58, ['Proc = 8 (Create file)', 'Status = 0 (OK)', 'File handle = [09CC]', ' 430000011244830B0E229340DD1401AFC12000A6DEDD8500', 'Post-operation attributes: ', '  File type = 1 (Regular File)']],
  [58, ['', 'Pre-operation attributes: ', '  Size = 4096 bytes', '  Modification time      = 21-Nov-26 02:45:35.936867636 GMT', '  Attribute change time  = 21-Nov-26 02:45:35.936867636 GMT', '', 'Post-operation attributes: ', '  File type = 2 (Directory)']],
  [62, ['  Last access time      = 18-Jul-10 19:38:45.000000000 GMT']],
  [55, ['File name = dir-tcp-17278', '  Mode = 0755']],
  [55, ['User ID = 0', 'Group ID = 0', 'Size = (not set)', 'Access time = (do not set)', 'Modification time = (do not set)', '', '']],
  [56, ['Status = 0 (OK)', 'File handle = [8F13]', ' 430000011244830B0E229340DD1401AEC12000B02A15F700', 'Post-operation attributes: ']],
  [56, ['', 'Pre-operation attributes:  (not available)', 'Post-operation attributes: ', '  File type = 2 (Directory)']],
  [79, ['File name = link-sym', '  Mode = 0777', '   Setuid = 0, Setgid = 0, Sticky = 0', "   Owner's permissions = rwx"]],
  [79, ['Modification time = (do not set)', '', 'Path = file.txt', '']],
  [80, ['Proc = 10 (Make symbolic link)', 'Status = 0 (OK)', 'File handle = [AABA]']],
  [87, ['File name = fifo', 'File type = Named pipe', '  Mode = 0644']],
  [89, ['File name = sock', 'File type = Unix domain socket']],
  [91, ['File name = blk', 'File type = Block special']],
  [91, ['Modification time = (do not set)', '', 'Major = 8', 'Minor = 1', '']],
  [92, ['Proc = 11 (Make special file)', 'Status = 0 (OK)', 'File handle = [A025]', ' 430000011244830B0E229340DD1401B5C12000FA0072F200', 'Post-operation attributes: ', '  File type = 3 (Block special)']],
  [92, ['  Special: Major = 8, Minor = 1']],
  [103, ['Proc = 12 (Remove file)', 'File handle = [8F13]', ' 430000011244830B0E229340DD1401AEC12000B02A15F700', 'File name = fifo', '']],
  [104, ['Proc = 12 (Remove file)', 'Status = 0 (OK)', 'Pre-operation attributes: ', '  Size = 4096 bytes']],
  [119, ['Proc = 13 (Remove directory)', 'File handle = [706E]', ' 430000011244830B0E229340DD1401A9C02000A65F797C00', 'File name = dir-tcp-17278', '']],
  [120, ['Proc = 13 (Remove directory)', 'Status = 0 (OK)', 'Pre-operation attributes: ']],
  [
    93,
    [
      'Proc = 14 (Rename)',
      'File handle = [8F13]',
      ' 430000011244830B0E229340DD1401AEC12000B02A15F700',
      'File name = guarded.txt',
      'File handle = [8F13]',
      ' 430000011244830B0E229340DD1401AEC12000B02A15F700',
      'File name = renamed.txt',
      '',
    ],
  ],
  [94, ['Status = 0 (OK)', 'Pre-operation attributes: (from directory)', '  Size = 4096 bytes']],
  [94, ['', 'Post-operation attributes: (from directory)', '  File type = 2 (Directory)']],
  [94, ['', 'Pre-operation attributes: (to directory)', '  Size = 4096 bytes']],
  [94, ['', 'Post-operation attributes: (to directory)', '  File type = 2 (Directory)']],
  [
    85,
    [
      'Proc = 15 (Link)',
      'File handle = [09CC]',
      ' 430000011244830B0E229340DD1401AFC12000A6DEDD8500',
      'File handle = [8F13]',
      ' 430000011244830B0E229340DD1401AEC12000B02A15F700',
      'File name = hardlink.txt',
      '',
    ],
  ],
  [86, ['Status = 0 (OK)', 'Post-operation attributes: ', '  File type = 1 (Regular File)', '  Mode = 0640']],
  [86, ['  Link count = 2, User ID = 0, Group ID = 0', '  File size = 4000, Used = 4096']],
  [86, ['', 'Pre-operation attributes: ', '  Size = 4096 bytes']],
  [95, ['File handle = [8F13]', ' 430000011244830B0E229340DD1401AEC12000B02A15F700', 'Cookie   = 0', 'Verifier = 0000000000000000', 'Count = 8192', '']],
  [
    96,
    [
      'Cookie verifier = 0000000000000000',
      '',
      '   File id    Cookie   Name',
      '    2146734          1 .',
      '    2146473          2 ..',
      '    2146739 3089150708067218700 fifo',
      '    2146735 3638330705032827880 hardlink.txt',
      '    2146735 3837292263784823046 file.txt',
      '    2146738 4128897569540436166 link-sym',
      '    2146736 6020920917084131213 renamed.txt',
      '    2146740 6357504699377170974 sock',
      '    2146737 7413441451535057419 excl.txt',
      '    2146741 9223372036854775807 blk',
      '  10 entries',
      'EOF = True',
      '',
    ],
  ],
  [98, ['    2146739 3089150708067218700 fifo', '  3 entries', 'EOF = False', '']],
  [99, ['Cookie   = 0', 'Verifier = 0000000000000000', 'Dircount = 4096', 'Maxcount = 32768', '']],
  [
    100,
    [
      'Cookie verifier = 0000000000000000',
      '',
      '------------------ entry #1',
      'File ID = 2146734',
      'Name = .',
      'Cookie = 1',
      'Post-operation attributes: ',
      '  File type = 2 (Directory)',
    ],
  ],
  [
    100,
    [
      '------------------ entry #3',
      'File ID = 2146739',
      'Name = fifo',
      'Cookie = 3089150708067218700',
      'Post-operation attributes: ',
      '  File type = 7 (Named pipe)',
    ],
  ],
  [
    100,
    [
      '',
      'File handle = [A025]',
      ' 430000011244830B0E229340DD1401B5C12000FA0072F200',
      '',
      '  10 entries',
      'EOF = True',
      '',
    ],
  ],
  [49, ['Proc = 18 (Get filesystem statistics)', 'File handle = [706E]', ' 430000011244830B0E229340DD1401A9C02000A65F797C00', '']],
  [
    50,
    [
      '',
      'Total space = 270553174016 bytes',
      'Available space = 246838857728 bytes',
      'Available space - this user = 85229977600 bytes',
      'Total file slots = 16777216',
      'Available file slots = 16370961',
      'Available file slots - this user = 16370961',
      'Invariant time = 0 sec',
      '',
    ],
  ],
  [45, ['Proc = 19 (Get filesystem information)', 'File handle = [706E]']],
  [
    46,
    [
      '',
      'Read transfer sizes:',
      '   Maximum = 67108864 bytes',
      '   Preferred = 67108864 bytes',
      '   Suggested multiple = 512 bytes',
      'Write transfer sizes:',
      '   Maximum = 67108864 bytes',
      '   Preferred = 67108864 bytes',
      '   Suggested multiple = 512 bytes',
      'Directory read size:',
      '   Preferred = 16384 bytes',
      'File system limits:',
      '   Max file size = 9223372036854775807 bytes',
      // 100 ns; snoop's %06d printed `0.000100`, which reads as 100 µs
      '   Server minimum time discrimination = 0.000000100 sec',
      'Properties = 0x1b',
      '\t.... ...1 = Hard links supported',
      '\t.... ..1. = Symbolic links supported',
      '\t.... 1... = Pathconf cannot vary per file',
      '\t...1 .... = Server can always set file times',
      '',
    ],
  ],
  [47, ['Proc = 20 (Get POSIX information)', 'File handle = [706E]']],
  [
    48,
    [
      '',
      'Link max = 8',
      'Name max = 1024',
      'No trunc         = True',
      'Chown restricted = True',
      'Case insensitive = False',
      'Case preserving  = True',
      '',
    ],
  ],
  [69, ['Proc = 21 (Commit to stable storage)', 'File handle = [09CC]', ' 430000011244830B0E229340DD1401AFC12000A6DEDD8500', 'Offset = 0', 'Count = 0', '']],
  [70, ['Status = 0 (OK)', 'Pre-operation attributes:  (not available)', 'Post-operation attributes: ']],
  [70, ['', 'Verifier = FAFE006B00000000', '']],
];

test('all-procedures capture: key -v lines of every procedure, call and reply', async () => {
  const msgs = await messages(ALLPROCS);
  const seen = new Set<string>();
  for (const [frame, expected] of KEY_LINES) {
    const m = msgs.get(frame);
    assert.ok(m, `frame ${frame}`);
    assertBlock(lines(m), expected, `frame ${frame}`);
    seen.add(`${m.def.name} ${m.kind}`);
  }
  for (const d of V3) for (const kind of ['call', 'reply']) assert.ok(seen.has(`${d!.name} ${kind}`), `${d!.name} ${kind} checked`);
});

test('all-procedures capture: every block starts with its Proc line and ends with the prefix-only line', async () => {
  const msgs = await messages(ALLPROCS);
  for (const m of msgs.values()) {
    const l = lines(m);
    assert.match(l[0], /^Proc = \d+ \(.+\)$/, `frame ${m.frame}`);
    assert.equal(l[l.length - 1], '', `frame ${m.frame}`);
    if (m.kind === 'reply' && m.def.name !== 'NULL') assert.match(l[1], /^Status = \d+ \(.+\)$/);
  }
});

test('errors capture: failed replies show what the resfail arm carries', async () => {
  const msgs = await messages(ERRORS);
  assert.deepEqual(lines(msgs.get(401)), [
    'Proc = 2 (Set file attributes)',
    'Status = 10002 (Update synch mismatch)',
    'Pre-operation attributes:  (not available)',
    'Post-operation attributes:  (not available)',
    '',
  ]);
  assert.deepEqual(lines(msgs.get(385)), [
    'Proc = 16 (Read from directory)',
    'Status = 20 (Not a directory)',
    'Post-operation attributes:  (not available)',
    '',
  ]);
  assert.deepEqual(lines(msgs.get(387)), ['Proc = 6 (Read from file)', 'Status = 21 (Is a directory)', 'Post-operation attributes:  (not available)', '']);
  assert.deepEqual(lines(msgs.get(281)), ['Proc = 1 (Get file attributes)', 'Status = 10001 (Illegal NFS file handle)', '']);
  assert.deepEqual(lines(msgs.get(419)), [
    'Proc = 7 (Write to file)',
    'Status = 13 (Permission denied)',
    'Pre-operation attributes:  (not available)',
    'Post-operation attributes:  (not available)',
    '',
  ]);
  const lookup = lines(msgs.get(45));
  assert.deepEqual(lookup.slice(0, 4), ['Proc = 3 (Look up file name)', 'Status = 2 (No such file or directory)', 'Post-operation attributes: (directory)', '  File type = 2 (Directory)']);
  const create = lines(msgs.get(133));
  assert.deepEqual(create.slice(0, 4), ['Proc = 8 (Create file)', 'Status = 13 (Permission denied)', 'Pre-operation attributes: ', '  Size = 4096 bytes']);
  assertBlock(lines(msgs.get(181)), ['Status = 13 (Permission denied)', 'Post-operation attributes: '], 'frame 181');
  assertBlock(lines(msgs.get(389)), ['Status = 17 (File exists)', 'Pre-operation attributes:  (not available)', 'Post-operation attributes: '], 'frame 389');
  assertBlock(lines(msgs.get(391)), ['Status = 66 (Directory not empty)', 'Pre-operation attributes: '], 'frame 391');
  assertBlock(lines(msgs.get(403)), ['Status = 22 (Invalid argument)', 'Post-operation attributes:  (not available)', ''], 'frame 403');
  assertBlock(lines(msgs.get(393)), ['Status = 63 (File name too long)', 'Post-operation attributes: (directory)'], 'frame 393');
  // the guard of a SETATTR: 1 s and 2 ns (snoop: `1.000002`)
  assertBlock(lines(msgs.get(400)), ['Modification time = (do not set)', '', 'Guard = 1.000000002', ''], 'frame 400');
  // an empty handle has the hash line and no hex line; a 16-byte one a single line
  assert.deepEqual(lines(msgs.get(396)), ['Proc = 1 (Get file attributes)', 'File handle = [0000]', '']);
  assert.deepEqual(lines(msgs.get(394)), ['Proc = 1 (Get file attributes)', 'File handle = [0000]', ' DEADBEEFDEADBEEFDEADBEEFDEADBEEF', '']);
  // ACCESS granted nothing: `Access = ` (snoop's empty list)
  assertBlock(lines(msgs.get(415)), ['Access = ', ''], 'frame 415');
  assertBlock(lines(msgs.get(398)), ['Cookie   = 513105426295', 'Verifier = 1212121212121212', 'Count = 4096', ''], 'frame 398');
});

// ------------------------------------------------------------------------------------------------ the tree

test('the tree: fattr3 under its heading, mode bits under the mode, hex under the handle, entries under their line', async () => {
  const msgs = await messages(ALLPROCS);
  const lookup = nodes(msgs.get(82)!);
  const post = lookup.find((n) => n.text === 'Post-operation attributes: (object)')!;
  assert.equal(post.children?.length, 10);
  assert.equal(post.children![0].text, '  File type = 5 (Symbolic Link)');
  assert.equal(post.children![1].text, '  Mode = 0777');
  assert.equal(post.children![1].children?.length, 4);
  assert.equal(post.children![9].text, '');
  const fh = lookup.find((n) => n.text === 'File handle = [AABA]')!;
  assert.deepEqual(fh.children, [{ text: ' 430000011244830B0E229340DD1401B2C12000BE80AE7800' }]);

  // GETATTR: no heading, the fattr3 hangs below the status
  const getattr = nodes(msgs.get(52)!);
  assert.deepEqual(getattr.map((n) => n.text), ['Proc = 1 (Get file attributes)', 'Status = 0 (OK)', '']);
  assert.equal(getattr[1].children?.length, 10);

  const plus = nodes(msgs.get(100)!);
  const entries = plus.filter((n) => n.text.startsWith('------------------ entry #'));
  assert.equal(entries.length, 10);
  assert.deepEqual(
    entries[2].children!.map((n) => n.text),
    ['File ID = 2146739', 'Name = fifo', 'Cookie = 3089150708067218700', 'Post-operation attributes: ', 'File handle = [618B]'],
  );
  const readdir = nodes(msgs.get(96)!);
  assert.equal(readdir.find((n) => n.text === '   File id    Cookie   Name')!.children?.length, 10);
  const access = nodes(msgs.get(53)!).find((n) => n.text.startsWith('Access bits'))!;
  assert.equal(access.children?.length, 6);

  // flattened depth-first, the tree is the text
  for (const m of msgs.values()) {
    const n = nodes(m);
    assert.deepEqual(flattenDetail(n), lines(m));
  }
});

// ------------------------------------------------------------------------------------------------ built messages

test('sattr3: every field set, client times with nanoseconds (snoop printed them as microseconds)', () => {
  const w = new XdrWriter().opaque(FH_711F);
  w.u32(1).u32(0o4755).u32(1).u32(1000).u32(1).u32(4294967294).u32(1).u64(1n << 40n);
  w.u32(2).u32(T_140355).u32(1000).u32(2).u32(T_140001).u32(999999999);
  w.u32(1).u32(T_140001).u32(0); // guard
  assert.deepEqual(flattenDetail(builtCall('SETATTR', w.bytes())), [
    'Proc = 2 (Set file attributes)',
    'File handle = [711F]',
    ' 01000601A3B2C1D40000000000000002000000001E4D0A37',
    '  Mode = 04755',
    '   Setuid = 1, Setgid = 0, Sticky = 0',
    "   Owner's permissions = rwx",
    "   Group's permissions = r-x",
    "   Other's permissions = r-x",
    'User ID = 1000',
    'Group ID = 4294967294',
    'Size = 1099511627776',
    // 1000 ns: snoop's microsecond formatter showed `.001000`
    'Access time = 12-Mar-24 14:03:55.000001000 GMT (set to client time)',
    'Modification time = 12-Mar-24 14:00:01.999999999 GMT (set to client time)',
    '',
    'Guard = 12-Mar-24 14:00:01.000000000 GMT',
    '',
  ]);
});

test('fattr3: special files, setgid/sticky, times after 2038 and -1, mode 0', () => {
  const body = fattr3(new XdrWriter().u32(0), {
    type: 4,
    mode: 0o3000,
    rdev: [136, 3],
    atime: [0x80000000, 1],
    mtime: [0xffffffff, 0],
    ctime: [5, 20],
  }).bytes();
  assertBlock(
    flattenDetail(builtReply('GETATTR', body)),
    [
      '  File type = 4 (Character special)',
      '  Mode = 03000',
      '   Setuid = 0, Setgid = 1, Sticky = 1',
      "   Owner's permissions = ---",
      "   Group's permissions = ---",
      "   Other's permissions = ---",
      '  Link count = 1, User ID = 1000, Group ID = 1000',
      '  File size = 4096, Used = 4096',
      '  Special: Major = 136, Minor = 3',
      '  File system id = 2049, File id = 131074',
      // unsigned seconds: snoop read them as signed and printed -2147483648.000001
      '  Last access time      = 19-Jan-38 03:14:08.000000001 GMT',
      '  Modification time     = -1 ',
      '  Attribute change time = 5.000000020',
      '',
    ],
    'fattr3',
  );
  const zero = fattr3(new XdrWriter().u32(0), { mode: 0, type: 9 }).bytes();
  assertBlock(flattenDetail(builtReply('GETATTR', zero)), ['  File type = 9 (?)', '  Mode = 00'], 'mode 0');
});

test('handles: 64 bytes give two hex lines; a CREATE without a handle; a learned path follows the handle line', () => {
  const big = new Uint8Array(64).map((_, i) => i);
  const n = flattenDetail(builtCall('FSSTAT', new XdrWriter().opaque(big).bytes()));
  assert.deepEqual(n.slice(1), [
    `File handle = [${new FileHandle(big).hash}]`,
    ' 000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F',
    ' 202122232425262728292A2B2C2D2E2F303132333435363738393A3B3C3D3E3F',
    '',
  ]);
  const created = new XdrWriter().u32(0).u32(0).u32(0).u32(1).u64(0n).u32(T_140001).u32(0).u32(T_140001).u32(0).u32(0);
  assert.deepEqual(flattenDetail(builtReply('CREATE', created.bytes())), [
    'Proc = 8 (Create file)',
    'Status = 0 (OK)',
    '(No file handle available)',
    'Post-operation attributes:  (not available)',
    'Pre-operation attributes: ',
    '  Size = 0 bytes',
    '  Modification time      = 12-Mar-24 14:00:01.000000000 GMT',
    '  Attribute change time  = 12-Mar-24 14:00:01.000000000 GMT',
    '',
    'Post-operation attributes:  (not available)',
    '',
  ]);
  const names = new FhNames();
  names.root(new FileHandle(FH_0CAE).hex, '/export');
  names.child(new FileHandle(FH_711F).hex, new FileHandle(FH_0CAE).hex, 'report.txt');
  const f = formatContext({ names, showNames: true });
  assert.deepEqual(flattenDetail(builtCall('LINK', new XdrWriter().opaque(FH_711F).opaque(FH_0CAE).string('hard').bytes(), f)), [
    'Proc = 15 (Link)',
    'File handle = [711F] (/export/report.txt)',
    ' 01000601A3B2C1D40000000000000002000000001E4D0A37',
    'File handle = [0CAE] (/export)',
    ' 010006010000000000000000000000000000000000000BAF',
    'File name = hard',
    '',
  ]);
  // -v shows learned paths with or without --names (which is about summary lines); unknown handles give snoop's line
  const plain = formatContext({ names });
  assert.equal(flattenDetail(builtCall('LINK', new XdrWriter().opaque(FH_711F).opaque(FH_0CAE).string('hard').bytes(), plain))[1], 'File handle = [711F] (/export/report.txt)');
  const unknown = formatContext();
  assert.equal(flattenDetail(builtCall('LINK', new XdrWriter().opaque(FH_711F).opaque(FH_0CAE).string('hard').bytes(), unknown))[1], 'File handle = [711F]');
});

test('CREATE EXCLUSIVE, MKNOD character device, FSINFO with no properties and 1 ns, PATHCONF all false', () => {
  const excl = new XdrWriter().opaque(FH_0CAE).string('x').u32(2).fixed(new Uint8Array([1, 2, 3, 4, 0xab, 0xcd, 0xef, 0])).bytes();
  assert.deepEqual(flattenDetail(builtCall('CREATE', excl)).slice(3), ['File name = x', 'Guard = 01020304ABCDEF00', '']);
  const chr = new XdrWriter().opaque(FH_0CAE).string('tty').u32(4).u32(1).u32(0o620).u32(0).u32(0).u32(0).u32(0).u32(0).u32(136).u32(3);
  assert.deepEqual(flattenDetail(builtCall('MKNOD', chr.bytes())).slice(3), [
    'File name = tty',
    'File type = Character special',
    '  Mode = 0620',
    '   Setuid = 0, Setgid = 0, Sticky = 0',
    "   Owner's permissions = rw-",
    "   Group's permissions = -w-",
    "   Other's permissions = ---",
    'User ID = (not set)',
    'Group ID = (not set)',
    'Size = (not set)',
    'Access time = (do not set)',
    'Modification time = (do not set)',
    '',
    'Major = 136',
    'Minor = 3',
    '',
  ]);
  const fsinfo = new XdrWriter().u32(0).u32(0);
  for (const v of [1, 2, 3, 4, 5, 6, 7]) fsinfo.u32(v);
  fsinfo.u64(8n).u32(0).u32(1).u32(0);
  assert.deepEqual(flattenDetail(builtReply('FSINFO', fsinfo.bytes())).slice(15), [
    '   Server minimum time discrimination = 0.000000001 sec',
    'Properties = 0x00',
    '\t.... ...0 = (hard links not supported)',
    '\t.... ..0. = (symbolic links not supported)',
    '\t.... 0... = (pathconf can vary per file)',
    '\t...0 .... = (server cannot always set file times)',
    '',
  ]);
  const pathconf = new XdrWriter().u32(0).u32(0).u32(0).u32(255).u32(0).u32(0).u32(0).u32(0);
  assert.deepEqual(flattenDetail(builtReply('PATHCONF', pathconf.bytes())), [
    'Proc = 20 (Get POSIX information)',
    'Status = 0 (OK)',
    'Post-operation attributes:  (not available)',
    'Link max = 0',
    'Name max = 255',
    'No trunc         = False',
    'Chown restricted = False',
    'Case insensitive = False',
    'Case preserving  = False',
    '',
  ]);
  const access = flattenDetail(builtCall('ACCESS', new XdrWriter().opaque(FH_711F).u32(0x12).bytes()));
  assert.deepEqual(access.slice(3), [
    'Access bits = 0x00000012',
    '\t.... ...0 = (no read)',
    '\t.... ..1. = Lookup',
    '\t.... .0.. = (no modify)',
    '\t.... 0... = (no extend)',
    '\t...1 .... = Delete',
    '\t..0. .... = (no execute)',
    '',
  ]);
});

test('READDIR and READDIRPLUS lists cut off: `N+ entries. (Frame is incomplete)`', () => {
  const verf = new Uint8Array(8);
  const rd = new XdrWriter().u32(0).u32(0).fixed(verf);
  rd.u32(1).u64(12345678901n).string('a').u64(1n);
  const cut = new XdrWriter().u32(1).u64(2n).bytes();
  assert.deepEqual(flattenDetail(builtReply('READDIR', new Uint8Array([...rd.bytes(), ...cut]))), [
    'Proc = 16 (Read from directory)',
    'Status = 0 (OK)',
    'Post-operation attributes:  (not available)',
    'Cookie verifier = 0000000000000000',
    '',
    '   File id    Cookie   Name',
    ' 12345678901          1 a',
    '  1+ entries. (Frame is incomplete)',
    '',
  ]);
  const rdp = new XdrWriter().u32(0).u32(0).fixed(verf);
  rdp.u32(1).u64(7n).string('b').u64(9n).u32(0).u32(1).opaque(FH_711F);
  assert.deepEqual(flattenDetail(builtReply('READDIRPLUS', new Uint8Array([...rdp.bytes(), ...cut]))), [
    'Proc = 17 (Read from directory - plus)',
    'Status = 0 (OK)',
    'Post-operation attributes:  (not available)',
    'Cookie verifier = 0000000000000000',
    '',
    '------------------ entry #1',
    'File ID = 7',
    'Name = b',
    'Cookie = 9',
    'Post-operation attributes:  (not available)',
    'File handle = [711F]',
    ' 01000601A3B2C1D40000000000000002000000001E4D0A37',
    '  1+ entries. (Frame is incomplete)',
    '',
  ]);
  // an entry without a handle; an empty complete list
  const none = new XdrWriter().u32(0).u32(0).fixed(verf).u32(1).u64(1n).string('c').u64(2n).u32(0).u32(0).u32(0).u32(0);
  assertBlock(flattenDetail(builtReply('READDIRPLUS', none.bytes())), ['Post-operation attributes:  (not available)', '(No file handle available)', '', '  1 entries', 'EOF = False', ''], 'no handle');
  const empty = new XdrWriter().u32(0).u32(0).fixed(verf).u32(0).u32(1);
  assertBlock(flattenDetail(builtReply('READDIR', empty.bytes())), ['   File id    Cookie   Name', '  0 entries', 'EOF = True', ''], 'empty');
});

test('NFS_PROGRAM: versions 2 and 4 named only; layer and verbose block for version 3 only', () => {
  assert.equal(NFS_PROGRAM.prog, 100003);
  assert.equal(NFS_PROGRAM.name, 'NFS');
  assert.deepEqual(NFS_PROGRAM.versions[2].map((d) => d?.name), [
    'NULL', 'GETATTR', 'SETATTR', 'ROOT', 'LOOKUP', 'READLINK', 'READ', 'WRITECACHE', 'WRITE', 'CREATE', 'REMOVE',
    'RENAME', 'LINK', 'SYMLINK', 'MKDIR', 'RMDIR', 'READDIR', 'STATFS',
  ]);
  assert.deepEqual(NFS_PROGRAM.versions[4].map((d) => d?.name), ['NULL', 'COMPOUND']);
  assert.ok(NFS_PROGRAM.versions[2].every((d) => d && !d.callSummary && !d.readArgs));
  assert.deepEqual(V3.map((d) => d?.name).slice(0, 4), ['NULL', 'GETATTR', 'SETATTR', 'LOOKUP']);
  assert.ok(V3.every((d) => d && d.readArgs && d.readResult && d.callSummary && d.replySummary && d.callDetail && d.replyDetail));
  assert.equal(V3[3]!.learn !== undefined, true);
  assert.equal(NFS_PROGRAM.layer!(3), 'NFS');
  assert.equal(NFS_PROGRAM.layer!(2), null);
  assert.equal(NFS_PROGRAM.layer!(4), null);
  assert.deepEqual(NFS_PROGRAM.verbose!(3), { prefix: 'NFS:  ', title: 'Sun NFS' });
  assert.equal(NFS_PROGRAM.verbose!(2), null);
  // registered, the registry finds the procedures
  const reg = new Registry().register(NFS_PROGRAM);
  assert.equal(reg.lookup(100003, 3, 17).procedure?.name, 'READDIRPLUS');
  assert.equal(reg.lookup(100003, 2, 7).procedure?.name, 'WRITECACHE');
  assert.equal(reg.lookup(100003, 3, 22).procedure, null);
});
