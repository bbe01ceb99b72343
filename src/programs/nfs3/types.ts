/**
 * NFS version 3 decoded values (RFC 1813), as plain objects named after the RFC's XDR (sections 2.4-2.6: sizes,
 * basic data types, nfsstat3 and the common structures; section 3.3: the procedures' arguments and results). Produced by xdr3.ts / procs.ts, read by the text formatters
 * (summary.ts, detail.ts) and the JSON output.
 *
 * Conventions (stable; additions only — any rename will be announced in this header):
 * - Field names are RFC 1813's (snake_case as in the XDR), e.g. `obj_attributes`, `dir_wcc`, `cookieverf`.
 * - 64-bit values (uint64, size3, fileid3, cookie3, offset3) are `bigint`; 32-bit values are `number`.
 * - File handles (nfs_fh3) are `FileHandle` (a view into the record, see file-handle.ts).
 * - Opaque data and verifiers are `Uint8Array` views (cookieverf3 / createverf3 / writeverf3: 8 bytes).
 * - Enums are decoded to their RFC name as a string (`'NF3REG'`, `'FILE_SYNC'`, `'GUARDED'`, `'NFS3ERR_NOENT'`).
 *   A value the RFC does not define is decoded as `UNKNOWN(<decimal value>)` (type `Unknown`). Numbers and names
 *   convert with enums.ts / status.ts: `ftype3Of(1) === 'NF3REG'`, `ftype3Value('NF3REG') === 1`,
 *   `nfsstat3Value('NFS3ERR_NOENT') === 2`, `nfsstat3Value('UNKNOWN(99)') === 99` (likewise time_how, stable_how,
 *   createmode3).
 * - Optional-value XDR unions (`post_op_attr`, `pre_op_attr`, `post_op_fh3`) are the value or `null`.
 * - Each `<PROC>3res` is a discriminated union on `status`: the NFS3_OK arm carries the RFC's `<PROC>3resok`
 *   fields, every other status the `<PROC>3resfail` fields (flattened into the same object).
 * - READDIR3resok / READDIRPLUS3resok flatten the RFC's `reply` (dirlist3: `entry3 *entries; bool eof`) into
 *   `entries: entry3[]` and `eof`.
 * - Additions not in the RFC, to help display: `dataLength` and `dataTruncated` (READ/WRITE data: the length the
 *   XDR claimed; set when the data was cut by the end of a truncated record), `incomplete` (READDIR/READDIRPLUS
 *   list cut off), ACCESS3resok's `requested` and `denied` (from the call's mask).
 */
import type { FileHandle } from '../file-handle';

/** An enum value outside the RFC's list, e.g. `UNKNOWN(9)`. */
export type Unknown = `UNKNOWN(${number})`;

// --------------------------------------------------------------------------------------------- 2.4-2.6 basic types

/** RFC 1813 section 2.6 nfsstat3 (all 29 values). */
export type nfsstat3Name =
  | 'NFS3_OK'
  | 'NFS3ERR_PERM'
  | 'NFS3ERR_NOENT'
  | 'NFS3ERR_IO'
  | 'NFS3ERR_NXIO'
  | 'NFS3ERR_ACCES'
  | 'NFS3ERR_EXIST'
  | 'NFS3ERR_XDEV'
  | 'NFS3ERR_NODEV'
  | 'NFS3ERR_NOTDIR'
  | 'NFS3ERR_ISDIR'
  | 'NFS3ERR_INVAL'
  | 'NFS3ERR_FBIG'
  | 'NFS3ERR_NOSPC'
  | 'NFS3ERR_ROFS'
  | 'NFS3ERR_MLINK'
  | 'NFS3ERR_NAMETOOLONG'
  | 'NFS3ERR_NOTEMPTY'
  | 'NFS3ERR_DQUOT'
  | 'NFS3ERR_STALE'
  | 'NFS3ERR_REMOTE'
  | 'NFS3ERR_BADHANDLE'
  | 'NFS3ERR_NOT_SYNC'
  | 'NFS3ERR_BAD_COOKIE'
  | 'NFS3ERR_NOTSUPP'
  | 'NFS3ERR_TOOSMALL'
  | 'NFS3ERR_SERVERFAULT'
  | 'NFS3ERR_BADTYPE'
  | 'NFS3ERR_JUKEBOX';

/** A decoded nfsstat3: an RFC name, or `UNKNOWN(n)`. */
export type nfsstat3 = nfsstat3Name | Unknown;
/** Any status but NFS3_OK (the resfail arms' discriminant). */
export type nfsstat3Fail = Exclude<nfsstat3, 'NFS3_OK'>;

/** Section 2.6 ftype3: NF3REG=1 … NF3FIFO=7. */
export type ftype3Name = 'NF3REG' | 'NF3DIR' | 'NF3BLK' | 'NF3CHR' | 'NF3LNK' | 'NF3SOCK' | 'NF3FIFO';
export type ftype3 = ftype3Name | Unknown;

/** Section 2.6 specdata3 (major/minor device numbers). */
export interface specdata3 {
  specdata1: number;
  specdata2: number;
}

/** Section 2.6 nfstime3. */
export interface nfstime3 {
  seconds: number;
  nseconds: number;
}

/** Section 2.4 sizes: NFS3_FHSIZE, NFS3_COOKIEVERFSIZE, NFS3_CREATEVERFSIZE, NFS3_WRITEVERFSIZE. */
export const NFS3_FHSIZE = 64;
export const NFS3_COOKIEVERFSIZE = 8;
export const NFS3_CREATEVERFSIZE = 8;
export const NFS3_WRITEVERFSIZE = 8;

// --------------------------------------------------------------------------------------------- 2.6 common structures

/** Section 2.6 fattr3. `mode` is mode3 (permission and setuid/setgid/sticky bits). */
export interface fattr3 {
  type: ftype3;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  size: bigint;
  used: bigint;
  rdev: specdata3;
  fsid: bigint;
  fileid: bigint;
  atime: nfstime3;
  mtime: nfstime3;
  ctime: nfstime3;
}

/** Section 2.6 post_op_attr: attributes_follow ? fattr3 : void. */
export type post_op_attr = fattr3 | null;

/** Section 2.6 wcc_attr (the pre-operation subset). */
export interface wcc_attr {
  size: bigint;
  mtime: nfstime3;
  ctime: nfstime3;
}

/** Section 2.6 pre_op_attr: attributes_follow ? wcc_attr : void. */
export type pre_op_attr = wcc_attr | null;

/** Section 2.6 wcc_data. */
export interface wcc_data {
  before: pre_op_attr;
  after: post_op_attr;
}

/** Section 2.6 post_op_fh3: handle_follows ? nfs_fh3 : void. */
export type post_op_fh3 = FileHandle | null;

/** Section 2.6 time_how. */
export type time_howName = 'DONT_CHANGE' | 'SET_TO_SERVER_TIME' | 'SET_TO_CLIENT_TIME';
export type time_how = time_howName | Unknown;

/** Section 2.6 set_atime / set_mtime: `time` is present only for SET_TO_CLIENT_TIME. */
export interface set_time {
  how: time_how;
  time?: nfstime3;
}
export type set_atime = set_time;
export type set_mtime = set_time;

/** Section 2.6 sattr3: the set_mode3/set_uid3/set_gid3/set_size3 arms are the value when `set_it`, else absent. */
export interface sattr3 {
  mode?: number;
  uid?: number;
  gid?: number;
  size?: bigint;
  atime: set_atime;
  mtime: set_mtime;
}

/** Section 2.6 diropargs3. */
export interface diropargs3 {
  dir: FileHandle;
  name: string;
}

// --------------------------------------------------------------------------------------------- result helpers

/** The NFS3_OK arm of a `<PROC>3res`: the resok fields. */
export type Ok<T> = { status: 'NFS3_OK' } & T;
/** Any other arm: the resfail fields. */
export type Fail<T> = { status: nfsstat3Fail } & T;
/** `<PROC>3res` as RFC 1813 writes it: `switch (nfsstat3 status) { case NFS3_OK: resok; default: resfail; }`. */
export type Res3<OK, FAIL> = Ok<OK> | Fail<FAIL>;

// --------------------------------------------------------------------------------------------- 3.3.0 NULL

export type NULL3args = null;
export type NULL3res = null;

// --------------------------------------------------------------------------------------------- 3.3.1 GETATTR

export interface GETATTR3args {
  object: FileHandle;
}
export interface GETATTR3resok {
  obj_attributes: fattr3;
}
export interface GETATTR3resfail {}
export type GETATTR3res = Res3<GETATTR3resok, GETATTR3resfail>;

// --------------------------------------------------------------------------------------------- 3.3.2 SETATTR

/** sattrguard3: `check` ? obj_ctime : void. */
export interface sattrguard3 {
  check: boolean;
  obj_ctime?: nfstime3;
}
export interface SETATTR3args {
  object: FileHandle;
  new_attributes: sattr3;
  guard: sattrguard3;
}
export interface SETATTR3resok {
  obj_wcc: wcc_data;
}
export interface SETATTR3resfail {
  obj_wcc: wcc_data;
}
export type SETATTR3res = Res3<SETATTR3resok, SETATTR3resfail>;

// --------------------------------------------------------------------------------------------- 3.3.3 LOOKUP

export interface LOOKUP3args {
  what: diropargs3;
}
export interface LOOKUP3resok {
  object: FileHandle;
  obj_attributes: post_op_attr;
  dir_attributes: post_op_attr;
}
export interface LOOKUP3resfail {
  dir_attributes: post_op_attr;
}
export type LOOKUP3res = Res3<LOOKUP3resok, LOOKUP3resfail>;

// --------------------------------------------------------------------------------------------- 3.3.4 ACCESS

/** Section 3.3.4 ACCESS3_* bits. */
export const ACCESS3_READ = 0x0001;
export const ACCESS3_LOOKUP = 0x0002;
export const ACCESS3_MODIFY = 0x0004;
export const ACCESS3_EXTEND = 0x0008;
export const ACCESS3_DELETE = 0x0010;
export const ACCESS3_EXECUTE = 0x0020;

export interface ACCESS3args {
  object: FileHandle;
  /** The requested mask. */
  access: number;
}
export interface ACCESS3resok {
  obj_attributes: post_op_attr;
  /** The granted mask. */
  access: number;
  /** Not in the RFC: the call's requested mask, when the call was decoded. */
  requested?: number;
  /** Not in the RFC: requested & ~granted, when the call was decoded. */
  denied?: number;
}
export interface ACCESS3resfail {
  obj_attributes: post_op_attr;
}
export type ACCESS3res = Res3<ACCESS3resok, ACCESS3resfail>;

// --------------------------------------------------------------------------------------------- 3.3.5 READLINK

export interface READLINK3args {
  symlink: FileHandle;
}
export interface READLINK3resok {
  symlink_attributes: post_op_attr;
  /** nfspath3. */
  data: string;
}
export interface READLINK3resfail {
  symlink_attributes: post_op_attr;
}
export type READLINK3res = Res3<READLINK3resok, READLINK3resfail>;

// --------------------------------------------------------------------------------------------- 3.3.6 READ

export interface READ3args {
  file: FileHandle;
  offset: bigint;
  count: number;
}
export interface READ3resok {
  file_attributes: post_op_attr;
  count: number;
  eof: boolean;
  /** A view of the data; shorter than its XDR length when `dataTruncated`. */
  data: Uint8Array;
  /** Not in the RFC: set when the record was truncated (snaplen, lost bytes) inside the data. */
  dataTruncated?: true;
  /** The data length the XDR claimed (equals data.length unless dataTruncated). */
  dataLength: number;
}
export interface READ3resfail {
  file_attributes: post_op_attr;
}
export type READ3res = Res3<READ3resok, READ3resfail>;

// --------------------------------------------------------------------------------------------- 3.3.7 WRITE

/** Section 3.3.7 stable_how. */
export type stable_howName = 'UNSTABLE' | 'DATA_SYNC' | 'FILE_SYNC';
export type stable_how = stable_howName | Unknown;

export interface WRITE3args {
  file: FileHandle;
  offset: bigint;
  count: number;
  stable: stable_how;
  /** A view of the data; shorter than its XDR length when `dataTruncated`. */
  data: Uint8Array;
  /** Not in the RFC: set when the record was truncated (snaplen, lost bytes) inside the data. */
  dataTruncated?: true;
  /** The data length the XDR claimed (equals data.length unless dataTruncated). */
  dataLength: number;
}
export interface WRITE3resok {
  file_wcc: wcc_data;
  count: number;
  committed: stable_how;
  /** writeverf3, 8 bytes. */
  verf: Uint8Array;
}
export interface WRITE3resfail {
  file_wcc: wcc_data;
}
export type WRITE3res = Res3<WRITE3resok, WRITE3resfail>;

// --------------------------------------------------------------------------------------------- 3.3.8 CREATE

/** Section 3.3.8 createmode3. */
export type createmode3Name = 'UNCHECKED' | 'GUARDED' | 'EXCLUSIVE';
export type createmode3 = createmode3Name | Unknown;

/** Section 3.3.8 createhow3, a union on `mode`. An undefined mode carries nothing (decoding stops there). */
export type createhow3 =
  | { mode: 'UNCHECKED' | 'GUARDED'; obj_attributes: sattr3 }
  | { mode: 'EXCLUSIVE'; /** createverf3, 8 bytes. */ verf: Uint8Array }
  | { mode: Unknown };

export interface CREATE3args {
  where: diropargs3;
  how: createhow3;
}
/** The resok of CREATE, MKDIR, SYMLINK and MKNOD (identical in the RFC). */
export interface CREATE3resok {
  obj: post_op_fh3;
  obj_attributes: post_op_attr;
  dir_wcc: wcc_data;
}
export interface CREATE3resfail {
  dir_wcc: wcc_data;
}
export type CREATE3res = Res3<CREATE3resok, CREATE3resfail>;

// --------------------------------------------------------------------------------------------- 3.3.9 MKDIR

export interface MKDIR3args {
  where: diropargs3;
  attributes: sattr3;
}
export type MKDIR3resok = CREATE3resok;
export type MKDIR3resfail = CREATE3resfail;
export type MKDIR3res = Res3<MKDIR3resok, MKDIR3resfail>;

// --------------------------------------------------------------------------------------------- 3.3.10 SYMLINK

export interface symlinkdata3 {
  symlink_attributes: sattr3;
  /** nfspath3. */
  symlink_data: string;
}
export interface SYMLINK3args {
  where: diropargs3;
  symlink: symlinkdata3;
}
export type SYMLINK3resok = CREATE3resok;
export type SYMLINK3resfail = CREATE3resfail;
export type SYMLINK3res = Res3<SYMLINK3resok, SYMLINK3resfail>;

// --------------------------------------------------------------------------------------------- 3.3.11 MKNOD

export interface devicedata3 {
  dev_attributes: sattr3;
  spec: specdata3;
}
/** Section 3.3.11 mknoddata3, a union on `type`: NF3CHR/NF3BLK → device; NF3SOCK/NF3FIFO → pipe_attributes;
 *  any other type → void. */
export type mknoddata3 =
  | { type: 'NF3CHR' | 'NF3BLK'; device: devicedata3 }
  | { type: 'NF3SOCK' | 'NF3FIFO'; pipe_attributes: sattr3 }
  | { type: 'NF3REG' | 'NF3DIR' | 'NF3LNK' | Unknown };

export interface MKNOD3args {
  where: diropargs3;
  what: mknoddata3;
}
export type MKNOD3resok = CREATE3resok;
export type MKNOD3resfail = CREATE3resfail;
export type MKNOD3res = Res3<MKNOD3resok, MKNOD3resfail>;

// --------------------------------------------------------------------------------------------- 3.3.12 REMOVE, 3.3.13 RMDIR

export interface REMOVE3args {
  object: diropargs3;
}
export interface REMOVE3resok {
  dir_wcc: wcc_data;
}
export interface REMOVE3resfail {
  dir_wcc: wcc_data;
}
export type REMOVE3res = Res3<REMOVE3resok, REMOVE3resfail>;

export interface RMDIR3args {
  object: diropargs3;
}
export type RMDIR3resok = REMOVE3resok;
export type RMDIR3resfail = REMOVE3resfail;
export type RMDIR3res = Res3<RMDIR3resok, RMDIR3resfail>;

// --------------------------------------------------------------------------------------------- 3.3.14 RENAME

export interface RENAME3args {
  from: diropargs3;
  to: diropargs3;
}
export interface RENAME3resok {
  fromdir_wcc: wcc_data;
  todir_wcc: wcc_data;
}
export interface RENAME3resfail {
  fromdir_wcc: wcc_data;
  todir_wcc: wcc_data;
}
export type RENAME3res = Res3<RENAME3resok, RENAME3resfail>;

// --------------------------------------------------------------------------------------------- 3.3.15 LINK

export interface LINK3args {
  file: FileHandle;
  link: diropargs3;
}
export interface LINK3resok {
  file_attributes: post_op_attr;
  linkdir_wcc: wcc_data;
}
export interface LINK3resfail {
  file_attributes: post_op_attr;
  linkdir_wcc: wcc_data;
}
export type LINK3res = Res3<LINK3resok, LINK3resfail>;

// --------------------------------------------------------------------------------------------- 3.3.16 READDIR

export interface READDIR3args {
  dir: FileHandle;
  cookie: bigint;
  /** cookieverf3, 8 bytes. */
  cookieverf: Uint8Array;
  count: number;
}
/** Section 3.3.16 entry3 (the `nextentry` chain is flattened into an array). */
export interface entry3 {
  fileid: bigint;
  name: string;
  cookie: bigint;
}
/** READDIR3resok with dirlist3 (`reply`) flattened: `entries`, `eof`. */
export interface READDIR3resok {
  dir_attributes: post_op_attr;
  cookieverf: Uint8Array;
  entries: entry3[];
  /** dirlist3.eof; false when `incomplete` (never read). */
  eof: boolean;
  /** Not in the RFC: the entry list was cut off (end of data, malformed, or over the cap); `entries` holds those
   *  read in full. */
  incomplete?: true;
}
export interface READDIR3resfail {
  dir_attributes: post_op_attr;
}
export type READDIR3res = Res3<READDIR3resok, READDIR3resfail>;

// --------------------------------------------------------------------------------------------- 3.3.17 READDIRPLUS

export interface READDIRPLUS3args {
  dir: FileHandle;
  cookie: bigint;
  cookieverf: Uint8Array;
  dircount: number;
  maxcount: number;
}
/** Section 3.3.17 entryplus3 (the `nextentry` chain is flattened into an array). */
export interface entryplus3 {
  fileid: bigint;
  name: string;
  cookie: bigint;
  name_attributes: post_op_attr;
  name_handle: post_op_fh3;
}
/** READDIRPLUS3resok with dirlistplus3 (`reply`) flattened: `entries`, `eof`. */
export interface READDIRPLUS3resok {
  dir_attributes: post_op_attr;
  cookieverf: Uint8Array;
  entries: entryplus3[];
  /** dirlistplus3.eof; false when `incomplete` (never read). */
  eof: boolean;
  /** Not in the RFC: the entry list was cut off; `entries` holds those read in full. */
  incomplete?: true;
}
export interface READDIRPLUS3resfail {
  dir_attributes: post_op_attr;
}
export type READDIRPLUS3res = Res3<READDIRPLUS3resok, READDIRPLUS3resfail>;

// --------------------------------------------------------------------------------------------- 3.3.18 FSSTAT

export interface FSSTAT3args {
  fsroot: FileHandle;
}
export interface FSSTAT3resok {
  obj_attributes: post_op_attr;
  tbytes: bigint;
  fbytes: bigint;
  abytes: bigint;
  tfiles: bigint;
  ffiles: bigint;
  afiles: bigint;
  invarsec: number;
}
export interface FSSTAT3resfail {
  obj_attributes: post_op_attr;
}
export type FSSTAT3res = Res3<FSSTAT3resok, FSSTAT3resfail>;

// --------------------------------------------------------------------------------------------- 3.3.19 FSINFO

/** Section 3.3.19 FSINFO properties bits. */
export const FSF3_LINK = 0x0001;
export const FSF3_SYMLINK = 0x0002;
export const FSF3_HOMOGENEOUS = 0x0008;
export const FSF3_CANSETTIME = 0x0010;

export interface FSINFO3args {
  fsroot: FileHandle;
}
export interface FSINFO3resok {
  obj_attributes: post_op_attr;
  rtmax: number;
  rtpref: number;
  rtmult: number;
  wtmax: number;
  wtpref: number;
  wtmult: number;
  dtpref: number;
  maxfilesize: bigint;
  time_delta: nfstime3;
  properties: number;
}
export interface FSINFO3resfail {
  obj_attributes: post_op_attr;
}
export type FSINFO3res = Res3<FSINFO3resok, FSINFO3resfail>;

// --------------------------------------------------------------------------------------------- 3.3.20 PATHCONF

export interface PATHCONF3args {
  object: FileHandle;
}
export interface PATHCONF3resok {
  obj_attributes: post_op_attr;
  linkmax: number;
  name_max: number;
  no_trunc: boolean;
  chown_restricted: boolean;
  case_insensitive: boolean;
  case_preserving: boolean;
}
export interface PATHCONF3resfail {
  obj_attributes: post_op_attr;
}
export type PATHCONF3res = Res3<PATHCONF3resok, PATHCONF3resfail>;

// --------------------------------------------------------------------------------------------- 3.3.21 COMMIT

export interface COMMIT3args {
  file: FileHandle;
  offset: bigint;
  count: number;
}
export interface COMMIT3resok {
  file_wcc: wcc_data;
  /** writeverf3, 8 bytes. */
  verf: Uint8Array;
}
export interface COMMIT3resfail {
  file_wcc: wcc_data;
}
export type COMMIT3res = Res3<COMMIT3resok, COMMIT3resfail>;

// --------------------------------------------------------------------------------------------- by procedure

/** Procedure numbers (RFC 1813 section 3, program NFS_PROGRAM 100003 version 3). */
export const NFSPROC3 = {
  NULL: 0,
  GETATTR: 1,
  SETATTR: 2,
  LOOKUP: 3,
  ACCESS: 4,
  READLINK: 5,
  READ: 6,
  WRITE: 7,
  CREATE: 8,
  MKDIR: 9,
  SYMLINK: 10,
  MKNOD: 11,
  REMOVE: 12,
  RMDIR: 13,
  RENAME: 14,
  LINK: 15,
  READDIR: 16,
  READDIRPLUS: 17,
  FSSTAT: 18,
  FSINFO: 19,
  PATHCONF: 20,
  COMMIT: 21,
} as const;
export type Nfs3ProcName = keyof typeof NFSPROC3;

/** Arguments and result types by procedure name, for formatters: `Nfs3Args['READ']` is READ3args. */
export interface Nfs3Args {
  NULL: NULL3args;
  GETATTR: GETATTR3args;
  SETATTR: SETATTR3args;
  LOOKUP: LOOKUP3args;
  ACCESS: ACCESS3args;
  READLINK: READLINK3args;
  READ: READ3args;
  WRITE: WRITE3args;
  CREATE: CREATE3args;
  MKDIR: MKDIR3args;
  SYMLINK: SYMLINK3args;
  MKNOD: MKNOD3args;
  REMOVE: REMOVE3args;
  RMDIR: RMDIR3args;
  RENAME: RENAME3args;
  LINK: LINK3args;
  READDIR: READDIR3args;
  READDIRPLUS: READDIRPLUS3args;
  FSSTAT: FSSTAT3args;
  FSINFO: FSINFO3args;
  PATHCONF: PATHCONF3args;
  COMMIT: COMMIT3args;
}
export interface Nfs3Res {
  NULL: NULL3res;
  GETATTR: GETATTR3res;
  SETATTR: SETATTR3res;
  LOOKUP: LOOKUP3res;
  ACCESS: ACCESS3res;
  READLINK: READLINK3res;
  READ: READ3res;
  WRITE: WRITE3res;
  CREATE: CREATE3res;
  MKDIR: MKDIR3res;
  SYMLINK: SYMLINK3res;
  MKNOD: MKNOD3res;
  REMOVE: REMOVE3res;
  RMDIR: RMDIR3res;
  RENAME: RENAME3res;
  LINK: LINK3res;
  READDIR: READDIR3res;
  READDIRPLUS: READDIRPLUS3res;
  FSSTAT: FSSTAT3res;
  FSINFO: FSINFO3res;
  PATHCONF: PATHCONF3res;
  COMMIT: COMMIT3res;
}
