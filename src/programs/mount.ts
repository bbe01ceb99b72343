/**
 * MOUNT (program 100005), versions 1, 2 and 3, registered as data:
 *  - v1: RFC 1094 Appendix A (§A.5: NULL, MNT, DUMP, UMNT, UMNTALL, EXPORT) plus EXPORTALL (6) from Sun's mount.x;
 *  - v2 (MOUNTVERS_POSIX): v1 plus PATHCONF (7), from mount.x (Wireshark's mount2_proc table is the same);
 *  - v3: RFC 1813 Appendix I §5.2 (NULL, MNT, DUMP, UMNT, UMNTALL, EXPORT).
 * Readers are in mount-xdr.ts, snoop-style text in mount-text.ts. snoop shows the layer as `MOUNT1`, `MOUNT2` or
 * `MOUNT3` and its `-v` block as `MOUNT:----- NFS MOUNT -----` (snoop-format.md §1.7, §2.2).
 *
 * Status names (`status`): v3 replies use the RFC 1813 mountstat3 names (MNT3_OK, MNT3ERR_ACCES, ...). The v1/v2
 * fhstatus is "a UNIX error number" (RFC 1094 §A.4.2) with no names of its own; mountstat3 was defined with the
 * same errno values, so v1/v2 use the same names, as Wireshark does (its mount.status field reuses the v3 table).
 *
 * Learning: a successful MNT teaches the handle of the export root, named `server:/dirpath` (IPv6 server in
 * brackets, `[::1]:/export`): what mount(8) and /etc/fstab use, what Wireshark's name snooping shows, and
 * unambiguous when one capture holds several servers exporting the same path.
 */
import type { LearnContext, ProcedureDef, ProgramDef } from '../rpc/registry';
import type { XdrReader } from '../rpc/xdr';
import {
  block,
  dirpathDetail,
  dirpathSummary,
  dumpReplyDetail,
  dumpReplySummary,
  exportReplyDetail,
  exportReplySummary,
  mnt1ReplyDetail,
  mnt1ReplySummary,
  mnt3ReplyDetail,
  mnt3ReplySummary,
  mountStatusName,
  pathconfReplyDetail,
  pathconfReplySummary,
} from './mount-text';
import {
  readDirpath,
  readExports,
  readFhstatus,
  readMountlist,
  readMountres3,
  readPpathcnf,
  type DirpathArgs,
  type Exports,
  type FhStatus,
  type MountList,
  type MountRes3,
  type PPathCnf,
} from './mount-xdr';

export const MOUNT_PROG = 100005;

/** Arguments or results of type void: nothing to read. */
function readVoid(_r: XdrReader): null {
  return null;
}

/** The name under which an export root is learned: `server:/export/home`, `[::1]:/export/home`. */
export function exportRootName(server: string, dirpath: string): string {
  return `${server.includes(':') ? `[${server}]` : server}:${dirpath}`;
}

/** MNT taught a root handle (any version): the handle's hex and the export's name. */
function learnRoot(args: unknown, fhHex: string | undefined, l: LearnContext): void {
  const a = args as DirpathArgs | undefined;
  if (!a || fhHex === undefined) return;
  l.names.root(fhHex, exportRootName(l.server, a.dirpath));
}

// ------------------------------------------------------------------------------------------------ procedures

/** Procedure 0 in every version (RFC 1094 §A.5.1, RFC 1813 Appendix I §5.2.0): void → void. */
const NULL: ProcedureDef = {
  name: 'NULL',
  readArgs: readVoid,
  readResult: readVoid,
  callSummary: () => 'Null',
  replySummary: () => 'Null ',
  callDetail: (_a, _f, at) => block(0, [], at),
  replyDetail: () => block(0),
};

/** MNT v3 (RFC 1813 Appendix I §5.2.1): dirpath → mountres3. */
const MNT3: ProcedureDef = {
  name: 'MNT',
  readArgs: (r) => readDirpath(r),
  readResult: (r) => readMountres3(r),
  callSummary: (args) => dirpathSummary(1, args as DirpathArgs | undefined),
  replySummary: (res, _args, f) => mnt3ReplySummary(res as MountRes3 | undefined, f),
  callDetail: (args, _f, at) => dirpathDetail(1, args as DirpathArgs | undefined, at),
  replyDetail: (res, _args, f, at) => mnt3ReplyDetail(res as MountRes3 | undefined, f, at),
  status: (res) => mountStatusName((res as MountRes3).fhs_status),
  learn: (args, res, l) => learnRoot(args, (res as MountRes3 | undefined)?.mountinfo?.fhandle.hex, l),
};

/** MNT v1/v2 (RFC 1094 §A.5.2): dirpath → fhstatus. */
const MNT1: ProcedureDef = {
  name: 'MNT',
  readArgs: (r) => readDirpath(r),
  readResult: (r) => readFhstatus(r),
  callSummary: (args) => dirpathSummary(1, args as DirpathArgs | undefined),
  replySummary: (res, _args, f) => mnt1ReplySummary(res as FhStatus | undefined, f),
  callDetail: (args, _f, at) => dirpathDetail(1, args as DirpathArgs | undefined, at),
  replyDetail: (res, _args, f, at) => mnt1ReplyDetail(res as FhStatus | undefined, f, at),
  status: (res) => mountStatusName((res as FhStatus).fhs_status),
  learn: (args, res, l) => learnRoot(args, (res as FhStatus | undefined)?.fhandle?.hex, l),
};

/** DUMP (RFC 1094 §A.5.3, RFC 1813 Appendix I §5.2.2): void → mountlist. */
const DUMP: ProcedureDef = {
  name: 'DUMP',
  readArgs: readVoid,
  readResult: (r) => readMountlist(r),
  callSummary: () => 'Get mount list',
  replySummary: (res) => dumpReplySummary(res as MountList | undefined),
  callDetail: (_a, _f, at) => block(2, [], at),
  replyDetail: (res, _args, _f, at) => dumpReplyDetail(res as MountList | undefined, at),
};

/** UMNT (RFC 1094 §A.5.4, RFC 1813 Appendix I §5.2.3): dirpath → void. */
const UMNT: ProcedureDef = {
  name: 'UMNT',
  readArgs: (r) => readDirpath(r),
  readResult: readVoid,
  callSummary: (args) => dirpathSummary(3, args as DirpathArgs | undefined),
  replySummary: () => 'Unmount reply',
  callDetail: (args, _f, at) => dirpathDetail(3, args as DirpathArgs | undefined, at),
  // snoop reads a status that is not on the wire and stops before the closing line; the result is void.
  replyDetail: () => block(3),
};

/** UMNTALL (RFC 1094 §A.5.5, RFC 1813 Appendix I §5.2.4): void → void. */
const UMNTALL: ProcedureDef = {
  name: 'UMNTALL',
  readArgs: readVoid,
  readResult: readVoid,
  callSummary: () => 'Unmountall',
  replySummary: () => 'Unmountall reply',
  callDetail: (_a, _f, at) => block(4, [], at),
  replyDetail: () => block(4),
};

/** EXPORT (RFC 1094 §A.5.6, RFC 1813 Appendix I §5.2.5) and EXPORTALL (mount.x v1/v2: "identical to
 *  MOUNTPROC_EXPORT"): void → exports. */
function exportProc(name: 'EXPORT' | 'EXPORTALL', proc: 5 | 6): ProcedureDef {
  return {
    name,
    readArgs: readVoid,
    readResult: (r) => readExports(r),
    callSummary: () => 'Get export list',
    replySummary: (res) => exportReplySummary(res as Exports | undefined),
    callDetail: (_a, _f, at) => block(proc, [], at),
    replyDetail: (res, _args, _f, at) => exportReplyDetail(proc, res as Exports | undefined, at),
  };
}
const EXPORT = exportProc('EXPORT', 5);
const EXPORTALL = exportProc('EXPORTALL', 6);

/** PATHCONF (v2 only, mount.x MOUNTPROC_PATHCONF): dirpath → ppathcnf. */
const PATHCONF: ProcedureDef = {
  name: 'PATHCONF',
  readArgs: (r) => readDirpath(r),
  readResult: (r) => readPpathcnf(r),
  callSummary: (args) => dirpathSummary(7, args as DirpathArgs | undefined),
  replySummary: (res) => pathconfReplySummary(res as PPathCnf | undefined),
  callDetail: (args, _f, at) => dirpathDetail(7, args as DirpathArgs | undefined, at),
  replyDetail: (res, _args, _f, at) => pathconfReplyDetail(res as PPathCnf | undefined, at),
};

export const MOUNT_V1_PROCEDURES: ReadonlyArray<ProcedureDef> = [NULL, MNT1, DUMP, UMNT, UMNTALL, EXPORT, EXPORTALL];
export const MOUNT_V2_PROCEDURES: ReadonlyArray<ProcedureDef> = [...MOUNT_V1_PROCEDURES, PATHCONF];
export const MOUNT_V3_PROCEDURES: ReadonlyArray<ProcedureDef> = [NULL, MNT3, DUMP, UMNT, UMNTALL, EXPORT];

const VERSIONS = new Set([1, 2, 3]);

export const MOUNT_PROGRAM: ProgramDef = {
  prog: MOUNT_PROG,
  name: 'MOUNT',
  versions: { 1: MOUNT_V1_PROCEDURES, 2: MOUNT_V2_PROCEDURES, 3: MOUNT_V3_PROCEDURES },
  layer: (vers) => (VERSIONS.has(vers) ? `MOUNT${vers}` : null),
  // snoop's MOUNT prefix has no space after the colon (snoop-format.md §2.2).
  verbose: (vers) => (VERSIONS.has(vers) ? { prefix: 'MOUNT:', title: 'NFS MOUNT' } : null),
};
