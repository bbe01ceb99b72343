/**
 * Readers for the RFC 1813 data types (sections 2.5-2.6; the per-procedure unions of section 3.3),
 * each named after the XDR type it reads. Pure functions over a bounds-checked XdrReader: every variable length is
 * capped, byte items are views, and a short or hostile record throws XdrError — except where noted: bulk data in a
 * truncated record (readData3) and directory entry lists (readEntry3List / readEntryplus3List), which keep what
 * was read.
 */
import { FileHandle } from '../file-handle';
import { XdrError, type XdrReader } from '../../rpc/xdr';
import type { DecodeContext } from '../../rpc/registry';
import { createmode3Of, ftype3Of, stable_howOf, time_howOf } from './enums';
import { nfsstat3Of } from './status';
import {
  NFS3_COOKIEVERFSIZE,
  NFS3_CREATEVERFSIZE,
  NFS3_FHSIZE,
  NFS3_WRITEVERFSIZE,
  type createhow3,
  type devicedata3,
  type diropargs3,
  type entry3,
  type entryplus3,
  type fattr3,
  type ftype3,
  type mknoddata3,
  type nfsstat3,
  type nfstime3,
  type post_op_attr,
  type post_op_fh3,
  type pre_op_attr,
  type sattr3,
  type sattrguard3,
  type set_time,
  type specdata3,
  type stable_how,
  type symlinkdata3,
  type wcc_attr,
  type wcc_data,
} from './types';

/** Cap on filename3 (RFC 1813 leaves it unbounded; servers use 255). Generous so NAMETOOLONG calls decode. */
export const MAX_FILENAME3 = 8192;
/** Cap on nfspath3 (symlink targets; RFC 1813 leaves it unbounded; servers use 1024–4096). */
export const MAX_NFSPATH3 = 65536;
/** Cap on READ/WRITE data (RFC 1813 opaque data<>; real rtmax/wtmax are at most a few MiB). */
export const MAX_DATA3 = 1 << 26;
/** Cap on entries in one READDIR/READDIRPLUS reply (the list is value_follows-chained, so it is also bounded by
 *  the data). */
export const MAX_DIR_ENTRIES = 1 << 20;

// --------------------------------------------------------------------------------------------- sections 2.5-2.6: basic types

/** nfs_fh3: opaque data<NFS3_FHSIZE> (a zero-length WebNFS handle is accepted). */
export function readNfsFh3(r: XdrReader, what = 'nfs_fh3'): FileHandle {
  return new FileHandle(r.opaque(NFS3_FHSIZE, what));
}

/** filename3: string<> (capped at MAX_FILENAME3). */
export function readFilename3(r: XdrReader, what = 'filename3'): string {
  return r.string(MAX_FILENAME3, what);
}

/** nfspath3: string<> (capped at MAX_NFSPATH3). */
export function readNfspath3(r: XdrReader, what = 'nfspath3'): string {
  return r.string(MAX_NFSPATH3, what);
}

export function readNfsstat3(r: XdrReader): nfsstat3 {
  return nfsstat3Of(r.u32('nfsstat3'));
}

export function readFtype3(r: XdrReader): ftype3 {
  return ftype3Of(r.u32('ftype3'));
}

export function readSpecdata3(r: XdrReader): specdata3 {
  const specdata1 = r.u32('specdata1');
  const specdata2 = r.u32('specdata2');
  return { specdata1, specdata2 };
}

export function readNfstime3(r: XdrReader, what = 'nfstime3'): nfstime3 {
  const seconds = r.u32(what);
  const nseconds = r.u32(what);
  return { seconds, nseconds };
}

/** cookieverf3: opaque[NFS3_COOKIEVERFSIZE] (a view). */
export function readCookieverf3(r: XdrReader): Uint8Array {
  return r.fixed(NFS3_COOKIEVERFSIZE, 'cookieverf3');
}

/** createverf3: opaque[NFS3_CREATEVERFSIZE] (a view). */
export function readCreateverf3(r: XdrReader): Uint8Array {
  return r.fixed(NFS3_CREATEVERFSIZE, 'createverf3');
}

/** writeverf3: opaque[NFS3_WRITEVERFSIZE] (a view). */
export function readWriteverf3(r: XdrReader): Uint8Array {
  return r.fixed(NFS3_WRITEVERFSIZE, 'writeverf3');
}

// --------------------------------------------------------------------------------------------- section 2.6: structures

export function readFattr3(r: XdrReader): fattr3 {
  const type = readFtype3(r);
  const mode = r.u32('mode3');
  const nlink = r.u32('nlink');
  const uid = r.u32('uid3');
  const gid = r.u32('gid3');
  const size = r.u64('size3');
  const used = r.u64('size3');
  const rdev = readSpecdata3(r);
  const fsid = r.u64('fsid');
  const fileid = r.u64('fileid3');
  const atime = readNfstime3(r, 'atime');
  const mtime = readNfstime3(r, 'mtime');
  const ctime = readNfstime3(r, 'ctime');
  return { type, mode, nlink, uid, gid, size, used, rdev, fsid, fileid, atime, mtime, ctime };
}

/** post_op_attr: union switch (bool attributes_follow) { TRUE: fattr3; FALSE: void }. */
export function readPostOpAttr(r: XdrReader): post_op_attr {
  return r.bool('post_op_attr.attributes_follow') ? readFattr3(r) : null;
}

export function readWccAttr(r: XdrReader): wcc_attr {
  const size = r.u64('size3');
  const mtime = readNfstime3(r, 'mtime');
  const ctime = readNfstime3(r, 'ctime');
  return { size, mtime, ctime };
}

/** pre_op_attr: union switch (bool attributes_follow) { TRUE: wcc_attr; FALSE: void }. */
export function readPreOpAttr(r: XdrReader): pre_op_attr {
  return r.bool('pre_op_attr.attributes_follow') ? readWccAttr(r) : null;
}

/** wcc_data: { pre_op_attr before; post_op_attr after }. */
export function readWccData(r: XdrReader): wcc_data {
  const before = readPreOpAttr(r);
  const after = readPostOpAttr(r);
  return { before, after };
}

/** post_op_fh3: union switch (bool handle_follows) { TRUE: nfs_fh3; FALSE: void }. */
export function readPostOpFh3(r: XdrReader): post_op_fh3 {
  return r.bool('post_op_fh3.handle_follows') ? readNfsFh3(r) : null;
}

/** set_atime / set_mtime: union switch (time_how set_it) { SET_TO_CLIENT_TIME: nfstime3; default: void }. */
export function readSetTime(r: XdrReader, what: string): set_time {
  const how = time_howOf(r.u32(`${what}.set_it`));
  return how === 'SET_TO_CLIENT_TIME' ? { how, time: readNfstime3(r, what) } : { how };
}

/** sattr3: set_mode3, set_uid3, set_gid3, set_size3 (each union switch (bool set_it)), set_atime, set_mtime. */
export function readSattr3(r: XdrReader): sattr3 {
  const out: { mode?: number; uid?: number; gid?: number; size?: bigint } = {};
  if (r.bool('set_mode3.set_it')) out.mode = r.u32('mode3');
  if (r.bool('set_uid3.set_it')) out.uid = r.u32('uid3');
  if (r.bool('set_gid3.set_it')) out.gid = r.u32('gid3');
  if (r.bool('set_size3.set_it')) out.size = r.u64('size3');
  const atime = readSetTime(r, 'atime');
  const mtime = readSetTime(r, 'mtime');
  return { ...out, atime, mtime };
}

/** diropargs3: { nfs_fh3 dir; filename3 name }. */
export function readDiropargs3(r: XdrReader): diropargs3 {
  const dir = readNfsFh3(r, 'diropargs3.dir');
  const name = readFilename3(r);
  return { dir, name };
}

// --------------------------------------------------------------------------------------------- section 3 unions

/** Section 3.3.2 sattrguard3: union switch (bool check) { TRUE: nfstime3 obj_ctime; FALSE: void }. */
export function readSattrguard3(r: XdrReader): sattrguard3 {
  return r.bool('sattrguard3.check') ? { check: true, obj_ctime: readNfstime3(r, 'obj_ctime') } : { check: false };
}

/** Section 3.3.7 stable_how. */
export function readStableHow(r: XdrReader): stable_how {
  return stable_howOf(r.u32('stable_how'));
}

/** Section 3.3.8 createhow3: union switch (createmode3 mode) { UNCHECKED, GUARDED: sattr3 obj_attributes;
 *  EXCLUSIVE: createverf3 verf }. An undefined mode has no arm: nothing more is read. */
export function readCreatehow3(r: XdrReader): createhow3 {
  const mode = createmode3Of(r.u32('createmode3'));
  switch (mode) {
    case 'UNCHECKED':
    case 'GUARDED':
      return { mode, obj_attributes: readSattr3(r) };
    case 'EXCLUSIVE':
      return { mode, verf: readCreateverf3(r) };
    default:
      return { mode };
  }
}

/** Section 3.3.10 symlinkdata3: { sattr3 symlink_attributes; nfspath3 symlink_data }. */
export function readSymlinkdata3(r: XdrReader): symlinkdata3 {
  const symlink_attributes = readSattr3(r);
  const symlink_data = readNfspath3(r, 'symlink_data');
  return { symlink_attributes, symlink_data };
}

/** Section 3.3.11 devicedata3: { sattr3 dev_attributes; specdata3 spec }. */
export function readDevicedata3(r: XdrReader): devicedata3 {
  const dev_attributes = readSattr3(r);
  const spec = readSpecdata3(r);
  return { dev_attributes, spec };
}

/** Section 3.3.11 mknoddata3: union switch (ftype3 type) { NF3CHR, NF3BLK: devicedata3 device;
 *  NF3SOCK, NF3FIFO: sattr3 pipe_attributes; default: void }. */
export function readMknoddata3(r: XdrReader): mknoddata3 {
  const type = readFtype3(r);
  switch (type) {
    case 'NF3CHR':
    case 'NF3BLK':
      return { type, device: readDevicedata3(r) };
    case 'NF3SOCK':
    case 'NF3FIFO':
      return { type, pipe_attributes: readSattr3(r) };
    default:
      return { type };
  }
}

/** The READ3resok / WRITE3args `opaque data<>`: a view. When the record was truncated (`ctx.truncated`) and the
 *  data runs past its end, what is there is returned with `dataTruncated: true` (and the reader left at the end);
 *  otherwise a short record throws XdrError as usual. `dataLength` is the length the XDR claimed. */
export function readData3(
  r: XdrReader,
  ctx: Pick<DecodeContext, 'truncated'>,
): { data: Uint8Array; dataLength: number; dataTruncated?: true } {
  const dataLength = r.length(MAX_DATA3, 'data');
  const padded = (dataLength + 3) & ~3;
  if (r.remaining >= padded || !ctx.truncated) return { data: r.fixed(dataLength, 'data'), dataLength };
  const have = Math.min(dataLength, r.remaining);
  const data = r.buf.subarray(r.pos, r.pos + have);
  r.pos = r.end;
  return have < dataLength ? { data, dataLength, dataTruncated: true } : { data, dataLength };
}

// --------------------------------------------------------------------------------------------- directory lists

/** Reads a value_follows-chained list (`entry3 *entries; bool eof`, section 3.3.16/3.3.17), keeping every entry
 *  read in full. The list is cut off (incomplete, eof false) by the end of the data, a malformed entry, or
 *  MAX_DIR_ENTRIES; nothing is allocated ahead of the data. */
function readDirList<T>(r: XdrReader, readEntry: (r: XdrReader) => T): { entries: T[]; eof: boolean; incomplete?: true } {
  const entries: T[] = [];
  try {
    while (r.bool('value_follows')) {
      if (entries.length >= MAX_DIR_ENTRIES) return { entries, eof: false, incomplete: true };
      entries.push(readEntry(r));
    }
    return { entries, eof: r.bool('eof') };
  } catch (e) {
    if (!(e instanceof XdrError)) throw e;
    return { entries, eof: false, incomplete: true };
  }
}

/** Section 3.3.16 entry3 (without its nextentry link). */
export function readEntry3(r: XdrReader): entry3 {
  const fileid = r.u64('fileid3');
  const name = readFilename3(r);
  const cookie = r.u64('cookie3');
  return { fileid, name, cookie };
}

/** Section 3.3.17 entryplus3 (without its nextentry link). */
export function readEntryplus3(r: XdrReader): entryplus3 {
  const fileid = r.u64('fileid3');
  const name = readFilename3(r);
  const cookie = r.u64('cookie3');
  const name_attributes = readPostOpAttr(r);
  const name_handle = readPostOpFh3(r);
  return { fileid, name, cookie, name_attributes, name_handle };
}

/** Section 3.3.16 dirlist3 { entry3 *entries; bool eof }, flattened; see readDirList for `incomplete`. */
export function readDirlist3(r: XdrReader): { entries: entry3[]; eof: boolean; incomplete?: true } {
  return readDirList(r, readEntry3);
}

/** Section 3.3.17 dirlistplus3 { entryplus3 *entries; bool eof }, flattened; see readDirList for `incomplete`. */
export function readDirlistplus3(r: XdrReader): { entries: entryplus3[]; eof: boolean; incomplete?: true } {
  return readDirList(r, readEntryplus3);
}
