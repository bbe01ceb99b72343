/**
 * NFSv3 `-v` blocks as snoop prints them (snoop-format.md §2.4-2.5, §2.7; illumos snoop_nfs3.c nfscall3 and
 * nfsreply3): the lines after `NFS:  ----- Sun NFS -----` and its prefix-only line, from `Proc = N (<long name>)`
 * to the prefix-only line that closes the layer. Pure functions over the decoded values of types.ts; the building
 * blocks (and where we do better than snoop) are in detail-attrs.ts.
 *
 * As in snoop, a failed reply shows only what its resfail arm carries (the post_op_attr or wcc_data). What the TUI
 * folds hangs below its heading: each READDIRPLUS entry below its `------------------ entry #N` line, the READDIR
 * rows below the table header, the FSINFO sizes below their headings, flag diagrams below their bit words.
 *
 * Every line carries the bytes it shows: the builders walk an XdrSpans cursor through the arguments or results in
 * RFC 1813 §3.3 order, as the readers of args.ts and results.ts read them (see detail-attrs.ts).
 */
import { field, line, type ByteRange, type DetailNode } from '../../format/detail';
import { XdrSpans } from '../../format/xdr-spans';
import type { FormatContext } from '../../rpc/registry';
import {
  blank,
  bool,
  diropNodes,
  fattr3Nodes,
  fileHandleNode,
  flagNode,
  formatTime,
  hexUpper,
  postOpAttrNode,
  postOpFhNode,
  sattr3Nodes,
  statusNode,
  statusText,
  wccDataNodes,
} from './detail-attrs';
import { accessWords, createModeWords, fileTypeWords, procLineText, stableWords } from './summary';
import {
  ACCESS3_DELETE,
  ACCESS3_EXECUTE,
  ACCESS3_EXTEND,
  ACCESS3_LOOKUP,
  ACCESS3_MODIFY,
  ACCESS3_READ,
  FSF3_CANSETTIME,
  FSF3_HOMOGENEOUS,
  FSF3_LINK,
  FSF3_SYMLINK,
  type CREATE3res,
  type Nfs3Args,
  type Nfs3ProcName,
  type Nfs3Res,
  type createhow3,
  type entry3,
  type entryplus3,
  type mknoddata3,
  type sattrguard3,
} from './types';

// ------------------------------------------------------------------------------------------------ calls

type CallDetail<N extends Nfs3ProcName> = (args: Nfs3Args[N], f: FormatContext, c: XdrSpans) => DetailNode[];

/** snoop's detail_access(): `Access bits = 0x0000003f` and the six bit diagrams below it (all of them the word at
 *  `range`). */
function accessBitsNode(bits: number, range: ByteRange | undefined): DetailNode {
  return field(`Access bits = 0x${(bits >>> 0).toString(16).padStart(8, '0')}`, range, [
    flagNode(bits, ACCESS3_READ, 'Read', '(no read)', range),
    flagNode(bits, ACCESS3_LOOKUP, 'Lookup', '(no lookup)', range),
    flagNode(bits, ACCESS3_MODIFY, 'Modify', '(no modify)', range),
    flagNode(bits, ACCESS3_EXTEND, 'Extend', '(no extend)', range),
    flagNode(bits, ACCESS3_DELETE, 'Delete', '(no delete)', range),
    flagNode(bits, ACCESS3_EXECUTE, 'Execute', '(no execute)', range),
  ]);
}

/** CREATE's createhow3: `Method = Unchecked` / `Method = Guarded` with the sattr3 below it, or for EXCLUSIVE
 *  `Guard = <verifier hex>`. snoop shows an undefined mode as Guarded and reads a sattr3 that is not there; the
 *  decoder stops at an undefined mode, shown as `Method = ?`. */
function createHowNodes(how: createhow3, c: XdrSpans): DetailNode[] {
  const start = c.pos;
  const mode = c.word();
  if ('verf' in how) return [field(`Guard = ${hexUpper(how.verf)}`, c.view(how.verf, false))];
  if ('obj_attributes' in how) {
    const attrs = sattr3Nodes(how.obj_attributes, c);
    return [field(`Method = ${how.mode === 'UNCHECKED' ? 'Unchecked' : 'Guarded'}`, c.since(start), attrs)];
  }
  return [field(`Method = ${createModeWords(how.mode)}`, mode)];
}

/** MKNOD's mknoddata3: `File type = Named pipe`, with (for devices, sockets and pipes) the sattr3 and, for
 *  devices, `Major = N` and `Minor = N` below it. */
function mknodDataNodes(what: mknoddata3, c: XdrSpans): DetailNode[] {
  const start = c.pos;
  c.word();
  let below: DetailNode[] = [];
  if ('device' in what) {
    below = [
      ...sattr3Nodes(what.device.dev_attributes, c),
      field(`Major = ${what.device.spec.specdata1}`, c.word()),
      field(`Minor = ${what.device.spec.specdata2}`, c.word()),
    ];
  } else if ('pipe_attributes' in what) {
    below = sattr3Nodes(what.pipe_attributes, c);
  }
  return [field(`File type = ${fileTypeWords(what.type)}`, c.since(start), below)];
}

/** SETATTR's sattrguard3 (union switch (bool check)): `Guard = <ctime>` when checked. */
function guardNodes(g: sattrguard3, c: XdrSpans): DetailNode[] {
  c.word();
  return g.check && g.obj_ctime ? [field(`Guard = ${formatTime(g.obj_ctime)}`, c.hyper())] : [];
}

const CALL_DETAILS: { readonly [N in Nfs3ProcName]: CallDetail<N> } = {
  NULL: () => [],
  GETATTR: (a, f, c) => [fileHandleNode(a.object, f, c)],
  SETATTR: (a, f, c) => [fileHandleNode(a.object, f, c), ...sattr3Nodes(a.new_attributes, c), ...guardNodes(a.guard, c)],
  LOOKUP: (a, f, c) => diropNodes(a.what, f, c),
  ACCESS: (a, f, c) => [fileHandleNode(a.object, f, c), accessBitsNode(a.access, c.word())],
  READLINK: (a, f, c) => [fileHandleNode(a.symlink, f, c)],
  READ: (a, f, c) => [fileHandleNode(a.file, f, c), field(`Offset = ${a.offset}`, c.hyper()), field(`Count = ${a.count}`, c.word())],
  WRITE: (a, f, c) => [
    fileHandleNode(a.file, f, c),
    field(`Offset = ${a.offset}`, c.hyper()),
    field(`Size   = ${a.count}`, c.word()),
    field(`Stable = ${stableWords(a.stable)}`, c.word()),
  ],
  CREATE: (a, f, c) => [...diropNodes(a.where, f, c), ...createHowNodes(a.how, c)],
  MKDIR: (a, f, c) => [...diropNodes(a.where, f, c), ...sattr3Nodes(a.attributes, c)],
  SYMLINK: (a, f, c) => [
    ...diropNodes(a.where, f, c),
    ...sattr3Nodes(a.symlink.symlink_attributes, c),
    field(`Path = ${a.symlink.symlink_data}`, c.opaque()),
  ],
  MKNOD: (a, f, c) => [...diropNodes(a.where, f, c), ...mknodDataNodes(a.what, c)],
  REMOVE: (a, f, c) => diropNodes(a.object, f, c),
  RMDIR: (a, f, c) => diropNodes(a.object, f, c),
  RENAME: (a, f, c) => [...diropNodes(a.from, f, c), ...diropNodes(a.to, f, c)],
  LINK: (a, f, c) => [fileHandleNode(a.file, f, c), ...diropNodes(a.link, f, c)],
  READDIR: (a, f, c) => [
    fileHandleNode(a.dir, f, c),
    field(`Cookie   = ${a.cookie}`, c.hyper()),
    field(`Verifier = ${hexUpper(a.cookieverf)}`, c.view(a.cookieverf, false)),
    field(`Count = ${a.count}`, c.word()),
  ],
  READDIRPLUS: (a, f, c) => [
    fileHandleNode(a.dir, f, c),
    field(`Cookie   = ${a.cookie}`, c.hyper()),
    field(`Verifier = ${hexUpper(a.cookieverf)}`, c.view(a.cookieverf, false)),
    field(`Dircount = ${a.dircount}`, c.word()),
    field(`Maxcount = ${a.maxcount}`, c.word()),
  ],
  FSSTAT: (a, f, c) => [fileHandleNode(a.fsroot, f, c)],
  FSINFO: (a, f, c) => [fileHandleNode(a.fsroot, f, c)],
  PATHCONF: (a, f, c) => [fileHandleNode(a.object, f, c)],
  COMMIT: (a, f, c) => [fileHandleNode(a.file, f, c), field(`Offset = ${a.offset}`, c.hyper()), field(`Count = ${a.count}`, c.word())],
};

// ------------------------------------------------------------------------------------------------ replies

type ReplyDetail<N extends Nfs3ProcName> = (res: Nfs3Res[N], f: FormatContext, c: XdrSpans) => DetailNode[];

/** CREATE, MKDIR, SYMLINK, MKNOD: with NFS3_OK the handle (or `(No file handle available)`) and post_op(""); then
 *  always the directory's wcc(""). */
function createdReply(r: CREATE3res, f: FormatContext, c: XdrSpans): DetailNode[] {
  if (r.status === 'NFS3_OK') {
    return [statusNode(r.status, c), postOpFhNode(r.obj, f, c), postOpAttrNode('', r.obj_attributes, c), ...wccDataNodes('', r.dir_wcc, c)];
  }
  return [statusNode(r.status, c), ...wccDataNodes('', r.dir_wcc, c)];
}

/** Entries of one directory list shown in the detail tree (-v, the TUI). A hostile reply can carry a million
 *  (MAX_DIR_ENTRIES), at about 1.5 KB of nodes each; past this many the rest are walked (so later byte ranges stay
 *  right) but not kept, and one line says how many were left out. Real replies (maxcount ≤ a few MiB) stay below. */
export const MAX_DETAIL_ENTRIES = 10_000;

/** The entries of a dirlist3 / dirlistplus3 (RFC 1813 §3.3.16, §3.3.17), each after its value_follows TRUE:
 *  `entry` walks one and gives its line, whose range becomes the entry's bytes (without that discriminant). */
function entryNodes<E>(entries: readonly E[], c: XdrSpans, entry: (e: E, i: number) => DetailNode): DetailNode[] {
  const out: DetailNode[] = [];
  const shown = Math.min(entries.length, MAX_DETAIL_ENTRIES);
  for (let i = 0; i < shown; i++) {
    c.word();
    const start = c.pos;
    const node = entry(entries[i], i);
    out.push(field(node.text, c.since(start), node.children));
  }
  if (shown === entries.length) return out;
  const start = c.pos;
  for (let i = shown; i < entries.length; i++) {
    c.word();
    entry(entries[i], i);
  }
  out.push(field(`  ... ${entries.length - shown} more entries not shown`, c.since(start)));
  return out;
}

/** One READDIR table row (entry3: fileid, name, cookie): file id and cookie right-aligned in 10 columns, then
 *  the name. */
function readdirRow(e: entry3, c: XdrSpans): DetailNode {
  c.hyper();
  c.opaque();
  c.hyper();
  return line(` ${String(e.fileid).padStart(10)} ${String(e.cookie).padStart(10)} ${e.name}`);
}

/** One READDIRPLUS entry (entryplus3) below its `------------------ entry #N` heading. */
function readdirplusEntry(e: entryplus3, i: number, f: FormatContext, c: XdrSpans): DetailNode {
  return line(`------------------ entry #${i + 1}`, [
    field(`File ID = ${e.fileid}`, c.hyper()),
    field(`Name = ${e.name}`, c.opaque()),
    field(`Cookie = ${e.cookie}`, c.hyper()),
    postOpAttrNode('', e.name_attributes, c),
    postOpFhNode(e.name_handle, f, c),
  ]);
}

/** The end of a directory list: `  N entries` (the whole list, from `start`: its entries and, complete, the closing
 *  value_follows FALSE) and `EOF = ...`, or for a list cut short `  N+ entries. (Frame is incomplete)`. `blankFirst`
 *  puts READDIRPLUS's prefix-only line before the count (snoop leaves it out of a cut list). */
function listEnd(n: number, r: { eof: boolean; incomplete?: true }, c: XdrSpans, start: number, blankFirst: boolean): DetailNode[] {
  if (r.incomplete) return [field(`  ${n}+ entries. (Frame is incomplete)`, c.since(start))];
  c.word();
  const count = field(`  ${n} entries`, c.since(start));
  const eof = field(`EOF = ${bool(r.eof)}`, c.word());
  return blankFirst ? [blank(), count, eof] : [count, eof];
}

/** FSINFO properties: `Properties = 0x1b` and the four flag diagrams below it. */
function propertiesNode(bits: number, range: ByteRange | undefined): DetailNode {
  return field(`Properties = 0x${(bits >>> 0).toString(16).padStart(2, '0')}`, range, [
    flagNode(bits, FSF3_LINK, 'Hard links supported', '(hard links not supported)', range),
    flagNode(bits, FSF3_SYMLINK, 'Symbolic links supported', '(symbolic links not supported)', range),
    flagNode(bits, FSF3_HOMOGENEOUS, 'Pathconf cannot vary per file', '(pathconf can vary per file)', range),
    flagNode(bits, FSF3_CANSETTIME, 'Server can always set file times', '(server cannot always set file times)', range),
  ]);
}

/** A heading whose lines below it are walked by `below`: its range covers theirs. */
function heading(text: string, c: XdrSpans, below: () => DetailNode[]): DetailNode {
  const start = c.pos;
  const lines = below();
  return field(text, c.since(start), lines);
}

const REPLY_DETAILS: { readonly [N in Nfs3ProcName]: ReplyDetail<N> } = {
  NULL: () => [],
  // The fattr3 has no "Post-operation" heading here: it hangs below the status line, which covers it.
  GETATTR: (r, _f, c) => {
    if (r.status !== 'NFS3_OK') return [statusNode(r.status, c)];
    const start = c.pos;
    c.word();
    const attrs = fattr3Nodes(r.obj_attributes, c);
    return [field(statusText(r.status), c.since(start), attrs)];
  },
  SETATTR: (r, _f, c) => [statusNode(r.status, c), ...wccDataNodes('', r.obj_wcc, c)],
  LOOKUP: (r, f, c) =>
    r.status === 'NFS3_OK'
      ? [
          statusNode(r.status, c),
          fileHandleNode(r.object, f, c),
          postOpAttrNode('(object)', r.obj_attributes, c),
          postOpAttrNode('(directory)', r.dir_attributes, c),
        ]
      : [statusNode(r.status, c), postOpAttrNode('(directory)', r.dir_attributes, c)],
  ACCESS: (r, _f, c) => [
    statusNode(r.status, c),
    postOpAttrNode('', r.obj_attributes, c),
    ...(r.status === 'NFS3_OK' ? [field(`Access = ${accessWords(r.access)}`, c.word())] : []),
  ],
  READLINK: (r, _f, c) => [
    statusNode(r.status, c),
    postOpAttrNode('', r.symlink_attributes, c),
    ...(r.status === 'NFS3_OK' ? [field(`Path = ${r.data}`, c.opaque())] : []),
  ],
  READ: (r, _f, c) => [
    statusNode(r.status, c),
    postOpAttrNode('', r.file_attributes, c),
    ...(r.status === 'NFS3_OK' ? [field(`Count = ${r.count} bytes read`, c.word()), field(`End of file = ${bool(r.eof)}`, c.word())] : []),
  ],
  WRITE: (r, _f, c) => [
    statusNode(r.status, c),
    ...wccDataNodes('', r.file_wcc, c),
    ...(r.status === 'NFS3_OK'
      ? [
          field(`Count = ${r.count} bytes written`, c.word()),
          field(`Stable = ${stableWords(r.committed)}`, c.word()),
          field(`Verifier = ${hexUpper(r.verf)}`, c.view(r.verf, false)),
        ]
      : []),
  ],
  CREATE: createdReply,
  MKDIR: createdReply,
  SYMLINK: createdReply,
  MKNOD: createdReply,
  REMOVE: (r, _f, c) => [statusNode(r.status, c), ...wccDataNodes('', r.dir_wcc, c)],
  RMDIR: (r, _f, c) => [statusNode(r.status, c), ...wccDataNodes('', r.dir_wcc, c)],
  RENAME: (r, _f, c) => [
    statusNode(r.status, c),
    ...wccDataNodes('(from directory)', r.fromdir_wcc, c),
    ...wccDataNodes('(to directory)', r.todir_wcc, c),
  ],
  LINK: (r, _f, c) => [statusNode(r.status, c), postOpAttrNode('', r.file_attributes, c), ...wccDataNodes('', r.linkdir_wcc, c)],
  READDIR: (r, _f, c) => {
    if (r.status !== 'NFS3_OK') return [statusNode(r.status, c), postOpAttrNode('', r.dir_attributes, c)];
    const head = [
      statusNode(r.status, c),
      postOpAttrNode('', r.dir_attributes, c),
      field(`Cookie verifier = ${hexUpper(r.cookieverf)}`, c.view(r.cookieverf, false)),
      blank(),
    ];
    const start = c.pos;
    const table = heading('   File id    Cookie   Name', c, () => entryNodes(r.entries, c, (e) => readdirRow(e, c)));
    return [...head, table, ...listEnd(r.entries.length, r, c, start, false)];
  },
  READDIRPLUS: (r, f, c) => {
    if (r.status !== 'NFS3_OK') return [statusNode(r.status, c), postOpAttrNode('', r.dir_attributes, c)];
    const head = [
      statusNode(r.status, c),
      postOpAttrNode('', r.dir_attributes, c),
      field(`Cookie verifier = ${hexUpper(r.cookieverf)}`, c.view(r.cookieverf, false)),
      blank(),
    ];
    const start = c.pos;
    const entries = entryNodes(r.entries, c, (e, i) => readdirplusEntry(e, i, f, c));
    // snoop's error handler prints the partial count right after the entries, without the prefix-only line.
    return [...head, ...entries, ...listEnd(r.entries.length, r, c, start, true)];
  },
  FSSTAT: (r, _f, c) =>
    r.status === 'NFS3_OK'
      ? [
          statusNode(r.status, c),
          postOpAttrNode('', r.obj_attributes, c),
          field(`Total space = ${r.tbytes} bytes`, c.hyper()),
          field(`Available space = ${r.fbytes} bytes`, c.hyper()),
          field(`Available space - this user = ${r.abytes} bytes`, c.hyper()),
          field(`Total file slots = ${r.tfiles}`, c.hyper()),
          field(`Available file slots = ${r.ffiles}`, c.hyper()),
          field(`Available file slots - this user = ${r.afiles}`, c.hyper()),
          field(`Invariant time = ${r.invarsec} sec`, c.word()),
        ]
      : [statusNode(r.status, c), postOpAttrNode('', r.obj_attributes, c)],
  FSINFO: (r, _f, c) =>
    r.status === 'NFS3_OK'
      ? [
          statusNode(r.status, c),
          postOpAttrNode('', r.obj_attributes, c),
          heading('Read transfer sizes:', c, () => [
            field(`   Maximum = ${r.rtmax} bytes`, c.word()),
            field(`   Preferred = ${r.rtpref} bytes`, c.word()),
            field(`   Suggested multiple = ${r.rtmult} bytes`, c.word()),
          ]),
          heading('Write transfer sizes:', c, () => [
            field(`   Maximum = ${r.wtmax} bytes`, c.word()),
            field(`   Preferred = ${r.wtpref} bytes`, c.word()),
            field(`   Suggested multiple = ${r.wtmult} bytes`, c.word()),
          ]),
          heading('Directory read size:', c, () => [field(`   Preferred = ${r.dtpref} bytes`, c.word())]),
          heading('File system limits:', c, () => [
            field(`   Max file size = ${r.maxfilesize} bytes`, c.hyper()),
            // snoop: `0.000001 sec` for 1 ns (its %06d); formatTime prints the 9 digits.
            field(`   Server minimum time discrimination = ${formatTime(r.time_delta)} sec`, c.hyper()),
          ]),
          propertiesNode(r.properties, c.word()),
        ]
      : [statusNode(r.status, c), postOpAttrNode('', r.obj_attributes, c)],
  PATHCONF: (r, _f, c) =>
    r.status === 'NFS3_OK'
      ? [
          statusNode(r.status, c),
          postOpAttrNode('', r.obj_attributes, c),
          field(`Link max = ${r.linkmax}`, c.word()),
          field(`Name max = ${r.name_max}`, c.word()),
          field(`No trunc         = ${bool(r.no_trunc)}`, c.word()),
          field(`Chown restricted = ${bool(r.chown_restricted)}`, c.word()),
          field(`Case insensitive = ${bool(r.case_insensitive)}`, c.word()),
          field(`Case preserving  = ${bool(r.case_preserving)}`, c.word()),
        ]
      : [statusNode(r.status, c), postOpAttrNode('', r.obj_attributes, c)],
  COMMIT: (r, _f, c) => [
    statusNode(r.status, c),
    ...wccDataNodes('', r.file_wcc, c),
    ...(r.status === 'NFS3_OK' ? [field(`Verifier = ${hexUpper(r.verf)}`, c.view(r.verf, false))] : []),
  ],
};

// ------------------------------------------------------------------------------------------------ entry points

/** A call's `-v` lines: `Proc = N (...)` (the call header's procedure field), the arguments, the closing
 *  prefix-only line. `c` stands at the arguments (default: no ranges). */
export function nfs3CallDetail(name: Nfs3ProcName, args: unknown, f: FormatContext, c: XdrSpans = XdrSpans.detached()): DetailNode[] {
  const body = (CALL_DETAILS[name] as CallDetail<Nfs3ProcName>)(args as never, f, c);
  return [field(procLineText(name), c.procedure), ...body, blank()];
}

/** A reply's `-v` lines: `Proc = N (...)`, `Status = ...` and the results, the closing prefix-only line. A result
 *  that is not an object (never for a decoded reply but NULL's) gives the `Proc` line alone. `c` stands at the
 *  results (default: no ranges). */
export function nfs3ReplyDetail(name: Nfs3ProcName, result: unknown, f: FormatContext, c: XdrSpans = XdrSpans.detached()): DetailNode[] {
  const decoded = name === 'NULL' || (typeof result === 'object' && result !== null);
  const body = decoded ? (REPLY_DETAILS[name] as ReplyDetail<Nfs3ProcName>)(result as never, f, c) : [];
  return [line(procLineText(name)), ...body, blank()];
}
