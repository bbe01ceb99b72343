/**
 * NFSv3 `-v` blocks as snoop prints them (snoop-format.md §2.4-2.5, §2.7; illumos snoop_nfs3.c nfscall3 and
 * nfsreply3): the lines after `NFS:  ----- Sun NFS -----` and its prefix-only line, from `Proc = N (<long name>)`
 * to the prefix-only line that closes the layer. Pure functions over the decoded values of types.ts; the building
 * blocks (and where we do better than snoop) are in detail-attrs.ts.
 *
 * As in snoop, a failed reply shows only what its resfail arm carries (the post_op_attr or wcc_data). What the TUI
 * folds hangs below its heading: each READDIRPLUS entry below its `------------------ entry #N` line, the READDIR
 * rows below the table header, the FSINFO sizes below their headings, flag diagrams below their bit words.
 */
import { line, type DetailNode } from '../../format/detail';
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
  type mknoddata3,
} from './types';

// ------------------------------------------------------------------------------------------------ calls

type CallDetail<N extends Nfs3ProcName> = (args: Nfs3Args[N], f: FormatContext) => DetailNode[];

/** snoop's detail_access(): `Access bits = 0x0000003f` and the six bit diagrams below it. */
function accessBitsNode(bits: number): DetailNode {
  return line(`Access bits = 0x${(bits >>> 0).toString(16).padStart(8, '0')}`, [
    flagNode(bits, ACCESS3_READ, 'Read', '(no read)'),
    flagNode(bits, ACCESS3_LOOKUP, 'Lookup', '(no lookup)'),
    flagNode(bits, ACCESS3_MODIFY, 'Modify', '(no modify)'),
    flagNode(bits, ACCESS3_EXTEND, 'Extend', '(no extend)'),
    flagNode(bits, ACCESS3_DELETE, 'Delete', '(no delete)'),
    flagNode(bits, ACCESS3_EXECUTE, 'Execute', '(no execute)'),
  ]);
}

/** CREATE's createhow3: `Method = Unchecked` / `Method = Guarded` with the sattr3 below it, or for EXCLUSIVE
 *  `Guard = <verifier hex>`. snoop shows an undefined mode as Guarded and reads a sattr3 that is not there; the
 *  decoder stops at an undefined mode, shown as `Method = ?`. */
function createHowNodes(how: createhow3): DetailNode[] {
  if ('verf' in how) return [line(`Guard = ${hexUpper(how.verf)}`)];
  if ('obj_attributes' in how) {
    return [line(`Method = ${how.mode === 'UNCHECKED' ? 'Unchecked' : 'Guarded'}`, sattr3Nodes(how.obj_attributes))];
  }
  return [line(`Method = ${createModeWords(how.mode)}`)];
}

/** MKNOD's mknoddata3: `File type = Named pipe`, with (for devices, sockets and pipes) the sattr3 and, for
 *  devices, `Major = N` and `Minor = N` below it. */
function mknodDataNodes(what: mknoddata3): DetailNode[] {
  let below: DetailNode[] = [];
  if ('device' in what) {
    below = [
      ...sattr3Nodes(what.device.dev_attributes),
      line(`Major = ${what.device.spec.specdata1}`),
      line(`Minor = ${what.device.spec.specdata2}`),
    ];
  } else if ('pipe_attributes' in what) {
    below = sattr3Nodes(what.pipe_attributes);
  }
  return [line(`File type = ${fileTypeWords(what.type)}`, below)];
}

const CALL_DETAILS: { readonly [N in Nfs3ProcName]: CallDetail<N> } = {
  NULL: () => [],
  GETATTR: (a, f) => [fileHandleNode(a.object, f)],
  SETATTR: (a, f) => [
    fileHandleNode(a.object, f),
    ...sattr3Nodes(a.new_attributes),
    ...(a.guard.check && a.guard.obj_ctime ? [line(`Guard = ${formatTime(a.guard.obj_ctime)}`)] : []),
  ],
  LOOKUP: (a, f) => diropNodes(a.what, f),
  ACCESS: (a, f) => [fileHandleNode(a.object, f), accessBitsNode(a.access)],
  READLINK: (a, f) => [fileHandleNode(a.symlink, f)],
  READ: (a, f) => [fileHandleNode(a.file, f), line(`Offset = ${a.offset}`), line(`Count = ${a.count}`)],
  WRITE: (a, f) => [
    fileHandleNode(a.file, f),
    line(`Offset = ${a.offset}`),
    line(`Size   = ${a.count}`),
    line(`Stable = ${stableWords(a.stable)}`),
  ],
  CREATE: (a, f) => [...diropNodes(a.where, f), ...createHowNodes(a.how)],
  MKDIR: (a, f) => [...diropNodes(a.where, f), ...sattr3Nodes(a.attributes)],
  SYMLINK: (a, f) => [
    ...diropNodes(a.where, f),
    ...sattr3Nodes(a.symlink.symlink_attributes),
    line(`Path = ${a.symlink.symlink_data}`),
  ],
  MKNOD: (a, f) => [...diropNodes(a.where, f), ...mknodDataNodes(a.what)],
  REMOVE: (a, f) => diropNodes(a.object, f),
  RMDIR: (a, f) => diropNodes(a.object, f),
  RENAME: (a, f) => [...diropNodes(a.from, f), ...diropNodes(a.to, f)],
  LINK: (a, f) => [fileHandleNode(a.file, f), ...diropNodes(a.link, f)],
  READDIR: (a, f) => [
    fileHandleNode(a.dir, f),
    line(`Cookie   = ${a.cookie}`),
    line(`Verifier = ${hexUpper(a.cookieverf)}`),
    line(`Count = ${a.count}`),
  ],
  READDIRPLUS: (a, f) => [
    fileHandleNode(a.dir, f),
    line(`Cookie   = ${a.cookie}`),
    line(`Verifier = ${hexUpper(a.cookieverf)}`),
    line(`Dircount = ${a.dircount}`),
    line(`Maxcount = ${a.maxcount}`),
  ],
  FSSTAT: (a, f) => [fileHandleNode(a.fsroot, f)],
  FSINFO: (a, f) => [fileHandleNode(a.fsroot, f)],
  PATHCONF: (a, f) => [fileHandleNode(a.object, f)],
  COMMIT: (a, f) => [fileHandleNode(a.file, f), line(`Offset = ${a.offset}`), line(`Count = ${a.count}`)],
};

// ------------------------------------------------------------------------------------------------ replies

type ReplyDetail<N extends Nfs3ProcName> = (res: Nfs3Res[N], f: FormatContext) => DetailNode[];

/** CREATE, MKDIR, SYMLINK, MKNOD: with NFS3_OK the handle (or `(No file handle available)`) and post_op(""); then
 *  always the directory's wcc(""). */
function createdReply(r: CREATE3res, f: FormatContext): DetailNode[] {
  if (r.status === 'NFS3_OK') {
    return [statusNode(r.status), postOpFhNode(r.obj, f), postOpAttrNode('', r.obj_attributes), ...wccDataNodes('', r.dir_wcc)];
  }
  return [statusNode(r.status), ...wccDataNodes('', r.dir_wcc)];
}

/** One READDIR table row: file id and cookie right-aligned in 10 columns, then the name. */
function readdirRow(fileid: bigint, cookie: bigint, name: string): DetailNode {
  return line(` ${String(fileid).padStart(10)} ${String(cookie).padStart(10)} ${name}`);
}

/** FSINFO properties: `Properties = 0x1b` and the four flag diagrams below it. */
function propertiesNode(bits: number): DetailNode {
  return line(`Properties = 0x${(bits >>> 0).toString(16).padStart(2, '0')}`, [
    flagNode(bits, FSF3_LINK, 'Hard links supported', '(hard links not supported)'),
    flagNode(bits, FSF3_SYMLINK, 'Symbolic links supported', '(symbolic links not supported)'),
    flagNode(bits, FSF3_HOMOGENEOUS, 'Pathconf cannot vary per file', '(pathconf can vary per file)'),
    flagNode(bits, FSF3_CANSETTIME, 'Server can always set file times', '(server cannot always set file times)'),
  ]);
}

const REPLY_DETAILS: { readonly [N in Nfs3ProcName]: ReplyDetail<N> } = {
  NULL: () => [],
  // The fattr3 has no "Post-operation" heading here: it hangs below the status line.
  GETATTR: (r) => [statusNode(r.status, r.status === 'NFS3_OK' ? fattr3Nodes(r.obj_attributes) : undefined)],
  SETATTR: (r) => [statusNode(r.status), ...wccDataNodes('', r.obj_wcc)],
  LOOKUP: (r, f) =>
    r.status === 'NFS3_OK'
      ? [
          statusNode(r.status),
          fileHandleNode(r.object, f),
          postOpAttrNode('(object)', r.obj_attributes),
          postOpAttrNode('(directory)', r.dir_attributes),
        ]
      : [statusNode(r.status), postOpAttrNode('(directory)', r.dir_attributes)],
  ACCESS: (r) => [
    statusNode(r.status),
    postOpAttrNode('', r.obj_attributes),
    ...(r.status === 'NFS3_OK' ? [line(`Access = ${accessWords(r.access)}`)] : []),
  ],
  READLINK: (r) => [
    statusNode(r.status),
    postOpAttrNode('', r.symlink_attributes),
    ...(r.status === 'NFS3_OK' ? [line(`Path = ${r.data}`)] : []),
  ],
  READ: (r) => [
    statusNode(r.status),
    postOpAttrNode('', r.file_attributes),
    ...(r.status === 'NFS3_OK' ? [line(`Count = ${r.count} bytes read`), line(`End of file = ${bool(r.eof)}`)] : []),
  ],
  WRITE: (r) => [
    statusNode(r.status),
    ...wccDataNodes('', r.file_wcc),
    ...(r.status === 'NFS3_OK'
      ? [
          line(`Count = ${r.count} bytes written`),
          line(`Stable = ${stableWords(r.committed)}`),
          line(`Verifier = ${hexUpper(r.verf)}`),
        ]
      : []),
  ],
  CREATE: createdReply,
  MKDIR: createdReply,
  SYMLINK: createdReply,
  MKNOD: createdReply,
  REMOVE: (r) => [statusNode(r.status), ...wccDataNodes('', r.dir_wcc)],
  RMDIR: (r) => [statusNode(r.status), ...wccDataNodes('', r.dir_wcc)],
  RENAME: (r) => [
    statusNode(r.status),
    ...wccDataNodes('(from directory)', r.fromdir_wcc),
    ...wccDataNodes('(to directory)', r.todir_wcc),
  ],
  LINK: (r) => [statusNode(r.status), postOpAttrNode('', r.file_attributes), ...wccDataNodes('', r.linkdir_wcc)],
  READDIR: (r) => {
    if (r.status !== 'NFS3_OK') return [statusNode(r.status), postOpAttrNode('', r.dir_attributes)];
    const n = r.entries.length;
    return [
      statusNode(r.status),
      postOpAttrNode('', r.dir_attributes),
      line(`Cookie verifier = ${hexUpper(r.cookieverf)}`),
      blank(),
      line('   File id    Cookie   Name', r.entries.map((e) => readdirRow(e.fileid, e.cookie, e.name))),
      ...(r.incomplete
        ? [line(`  ${n}+ entries. (Frame is incomplete)`)]
        : [line(`  ${n} entries`), line(`EOF = ${bool(r.eof)}`)]),
    ];
  },
  READDIRPLUS: (r, f) => {
    if (r.status !== 'NFS3_OK') return [statusNode(r.status), postOpAttrNode('', r.dir_attributes)];
    const n = r.entries.length;
    return [
      statusNode(r.status),
      postOpAttrNode('', r.dir_attributes),
      line(`Cookie verifier = ${hexUpper(r.cookieverf)}`),
      blank(),
      ...r.entries.map((e, i) =>
        line(`------------------ entry #${i + 1}`, [
          line(`File ID = ${e.fileid}`),
          line(`Name = ${e.name}`),
          line(`Cookie = ${e.cookie}`),
          postOpAttrNode('', e.name_attributes),
          postOpFhNode(e.name_handle, f),
        ]),
      ),
      // snoop's error handler prints the partial count right after the entries, without the prefix-only line.
      ...(r.incomplete
        ? [line(`  ${n}+ entries. (Frame is incomplete)`)]
        : [blank(), line(`  ${n} entries`), line(`EOF = ${bool(r.eof)}`)]),
    ];
  },
  FSSTAT: (r) =>
    r.status === 'NFS3_OK'
      ? [
          statusNode(r.status),
          postOpAttrNode('', r.obj_attributes),
          line(`Total space = ${r.tbytes} bytes`),
          line(`Available space = ${r.fbytes} bytes`),
          line(`Available space - this user = ${r.abytes} bytes`),
          line(`Total file slots = ${r.tfiles}`),
          line(`Available file slots = ${r.ffiles}`),
          line(`Available file slots - this user = ${r.afiles}`),
          line(`Invariant time = ${r.invarsec} sec`),
        ]
      : [statusNode(r.status), postOpAttrNode('', r.obj_attributes)],
  FSINFO: (r) =>
    r.status === 'NFS3_OK'
      ? [
          statusNode(r.status),
          postOpAttrNode('', r.obj_attributes),
          line('Read transfer sizes:', [
            line(`   Maximum = ${r.rtmax} bytes`),
            line(`   Preferred = ${r.rtpref} bytes`),
            line(`   Suggested multiple = ${r.rtmult} bytes`),
          ]),
          line('Write transfer sizes:', [
            line(`   Maximum = ${r.wtmax} bytes`),
            line(`   Preferred = ${r.wtpref} bytes`),
            line(`   Suggested multiple = ${r.wtmult} bytes`),
          ]),
          line('Directory read size:', [line(`   Preferred = ${r.dtpref} bytes`)]),
          line('File system limits:', [
            line(`   Max file size = ${r.maxfilesize} bytes`),
            // snoop: `0.000001 sec` for 1 ns (its %06d); formatTime prints the 9 digits.
            line(`   Server minimum time discrimination = ${formatTime(r.time_delta)} sec`),
          ]),
          propertiesNode(r.properties),
        ]
      : [statusNode(r.status), postOpAttrNode('', r.obj_attributes)],
  PATHCONF: (r) =>
    r.status === 'NFS3_OK'
      ? [
          statusNode(r.status),
          postOpAttrNode('', r.obj_attributes),
          line(`Link max = ${r.linkmax}`),
          line(`Name max = ${r.name_max}`),
          line(`No trunc         = ${bool(r.no_trunc)}`),
          line(`Chown restricted = ${bool(r.chown_restricted)}`),
          line(`Case insensitive = ${bool(r.case_insensitive)}`),
          line(`Case preserving  = ${bool(r.case_preserving)}`),
        ]
      : [statusNode(r.status), postOpAttrNode('', r.obj_attributes)],
  COMMIT: (r) => [
    statusNode(r.status),
    ...wccDataNodes('', r.file_wcc),
    ...(r.status === 'NFS3_OK' ? [line(`Verifier = ${hexUpper(r.verf)}`)] : []),
  ],
};

// ------------------------------------------------------------------------------------------------ entry points

/** A call's `-v` lines: `Proc = N (...)`, the arguments, the closing prefix-only line. */
export function nfs3CallDetail(name: Nfs3ProcName, args: unknown, f: FormatContext): DetailNode[] {
  const body = (CALL_DETAILS[name] as CallDetail<Nfs3ProcName>)(args as never, f);
  return [line(procLineText(name)), ...body, blank()];
}

/** A reply's `-v` lines: `Proc = N (...)`, `Status = ...` and the results, the closing prefix-only line. A result
 *  that is not an object (never for a decoded reply but NULL's) gives the `Proc` line alone. */
export function nfs3ReplyDetail(name: Nfs3ProcName, result: unknown, f: FormatContext): DetailNode[] {
  const decoded = name === 'NULL' || (typeof result === 'object' && result !== null);
  const body = decoded ? (REPLY_DETAILS[name] as ReplyDetail<Nfs3ProcName>)(result as never, f) : [];
  return [line(procLineText(name)), ...body, blank()];
}
