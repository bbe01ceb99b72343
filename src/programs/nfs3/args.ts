/**
 * Readers of the NFSv3 procedure arguments (RFC 1813 section 3.3, `<PROC>3args`), named after the RFC types.
 * Pure; a short or hostile record throws XdrError, except WRITE data in a truncated record (readData3).
 */
import type { DecodeContext } from '../../rpc/registry';
import type { XdrReader } from '../../rpc/xdr';
import type {
  ACCESS3args,
  COMMIT3args,
  CREATE3args,
  FSINFO3args,
  FSSTAT3args,
  GETATTR3args,
  LINK3args,
  LOOKUP3args,
  MKDIR3args,
  MKNOD3args,
  PATHCONF3args,
  READ3args,
  READDIR3args,
  READDIRPLUS3args,
  READLINK3args,
  REMOVE3args,
  RENAME3args,
  RMDIR3args,
  SETATTR3args,
  SYMLINK3args,
  WRITE3args,
} from './types';
import {
  readCookieverf3,
  readCreatehow3,
  readData3,
  readDiropargs3,
  readMknoddata3,
  readNfsFh3,
  readSattr3,
  readSattrguard3,
  readStableHow,
  readSymlinkdata3,
} from './xdr3';

/** Section 3.3.0: NULL takes void. */
export const readNULL3args = (): null => null;

/** Section 3.3.3. */
export const readLOOKUP3args = (r: XdrReader): LOOKUP3args => ({ what: readDiropargs3(r) });
/** Section 3.3.12. */
export const readREMOVE3args = (r: XdrReader): REMOVE3args => ({ object: readDiropargs3(r) });
/** Section 3.3.13. */
export const readRMDIR3args = (r: XdrReader): RMDIR3args => ({ object: readDiropargs3(r) });

/** GETATTR3args { object }, READLINK3args { symlink }, FSSTAT3args/FSINFO3args { fsroot }, PATHCONF3args { object }. */
export const readGETATTR3args = (r: XdrReader): GETATTR3args => ({ object: readNfsFh3(r, 'object') });
export const readREADLINK3args = (r: XdrReader): READLINK3args => ({ symlink: readNfsFh3(r, 'symlink') });
export const readFSSTAT3args = (r: XdrReader): FSSTAT3args => ({ fsroot: readNfsFh3(r, 'fsroot') });
export const readFSINFO3args = (r: XdrReader): FSINFO3args => ({ fsroot: readNfsFh3(r, 'fsroot') });
export const readPATHCONF3args = (r: XdrReader): PATHCONF3args => ({ object: readNfsFh3(r, 'object') });

/** Section 3.3.2. */
export function readSETATTR3args(r: XdrReader): SETATTR3args {
  const object = readNfsFh3(r, 'object');
  const new_attributes = readSattr3(r);
  const guard = readSattrguard3(r);
  return { object, new_attributes, guard };
}

/** Section 3.3.4. */
export function readACCESS3args(r: XdrReader): ACCESS3args {
  const object = readNfsFh3(r, 'object');
  const access = r.u32('access');
  return { object, access };
}

/** Section 3.3.6 (READ) and 3.3.21 (COMMIT): { file, offset3 offset, count3 count }. */
export function readREAD3args(r: XdrReader): READ3args {
  const file = readNfsFh3(r, 'file');
  const offset = r.u64('offset3');
  const count = r.u32('count3');
  return { file, offset, count };
}
export const readCOMMIT3args: (r: XdrReader) => COMMIT3args = readREAD3args;

/** Section 3.3.7; the data may be partial in a truncated record (readData3). */
export function readWRITE3args(r: XdrReader, ctx: Pick<DecodeContext, 'truncated'>): WRITE3args {
  const file = readNfsFh3(r, 'file');
  const offset = r.u64('offset3');
  const count = r.u32('count3');
  const stable = readStableHow(r);
  return { file, offset, count, stable, ...readData3(r, ctx) };
}

/** Section 3.3.8. */
export function readCREATE3args(r: XdrReader): CREATE3args {
  const where = readDiropargs3(r);
  const how = readCreatehow3(r);
  return { where, how };
}

/** Section 3.3.9. */
export function readMKDIR3args(r: XdrReader): MKDIR3args {
  const where = readDiropargs3(r);
  const attributes = readSattr3(r);
  return { where, attributes };
}

/** Section 3.3.10. */
export function readSYMLINK3args(r: XdrReader): SYMLINK3args {
  const where = readDiropargs3(r);
  const symlink = readSymlinkdata3(r);
  return { where, symlink };
}

/** Section 3.3.11. */
export function readMKNOD3args(r: XdrReader): MKNOD3args {
  const where = readDiropargs3(r);
  const what = readMknoddata3(r);
  return { where, what };
}

/** Section 3.3.14. */
export function readRENAME3args(r: XdrReader): RENAME3args {
  const from = readDiropargs3(r);
  const to = readDiropargs3(r);
  return { from, to };
}

/** Section 3.3.15. */
export function readLINK3args(r: XdrReader): LINK3args {
  const file = readNfsFh3(r, 'file');
  const link = readDiropargs3(r);
  return { file, link };
}

/** Section 3.3.16. */
export function readREADDIR3args(r: XdrReader): READDIR3args {
  const dir = readNfsFh3(r, 'dir');
  const cookie = r.u64('cookie3');
  const cookieverf = readCookieverf3(r);
  const count = r.u32('count3');
  return { dir, cookie, cookieverf, count };
}

/** Section 3.3.17. */
export function readREADDIRPLUS3args(r: XdrReader): READDIRPLUS3args {
  const dir = readNfsFh3(r, 'dir');
  const cookie = r.u64('cookie3');
  const cookieverf = readCookieverf3(r);
  const dircount = r.u32('dircount');
  const maxcount = r.u32('maxcount');
  return { dir, cookie, cookieverf, dircount, maxcount };
}
