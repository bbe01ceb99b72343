/**
 * Readers of the NFSv3 procedure results (RFC 1813 section 3.3, `<PROC>3res`): the nfsstat3 discriminant, then
 * the resok arm's fields for NFS3_OK and the resfail arm's fields otherwise, flattened into one object. Pure;
 * a short or hostile record throws XdrError, except READ data in a truncated record (readData3) and directory
 * entry lists (kept and marked `incomplete`).
 */
import type { DecodeContext } from '../../rpc/registry';
import type { XdrReader } from '../../rpc/xdr';
import type {
  ACCESS3res,
  COMMIT3res,
  CREATE3res,
  CREATE3resfail,
  CREATE3resok,
  FSINFO3res,
  FSSTAT3res,
  GETATTR3res,
  LINK3res,
  LOOKUP3res,
  PATHCONF3res,
  READ3res,
  READDIR3res,
  READDIRPLUS3res,
  READLINK3res,
  REMOVE3res,
  RENAME3res,
  Res3,
  SETATTR3res,
  WRITE3res,
} from './types';
import {
  readCookieverf3,
  readData3,
  readDirlist3,
  readDirlistplus3,
  readFattr3,
  readNfsFh3,
  readNfspath3,
  readNfsstat3,
  readNfstime3,
  readPostOpAttr,
  readPostOpFh3,
  readStableHow,
  readWccData,
  readWriteverf3,
} from './xdr3';

/** `<PROC>3res`: `union switch (nfsstat3 status) { case NFS3_OK: resok; default: resfail; }`, flattened. */
export function readRes3<OK extends object, FAIL extends object>(
  r: XdrReader,
  resok: (r: XdrReader) => OK,
  resfail: (r: XdrReader) => FAIL,
): Res3<OK, FAIL> {
  const status = readNfsstat3(r);
  return status === 'NFS3_OK' ? { status, ...resok(r) } : { status, ...resfail(r) };
}

/** Section 3.3.0: NULL returns void. */
export const readNULL3res = (): null => null;

const noFields = (): Record<string, never> => ({});


/** Section 3.3.1: the resfail arm is void. */
export const readGETATTR3res = (r: XdrReader): GETATTR3res =>
  readRes3(r, (r) => ({ obj_attributes: readFattr3(r) }), noFields);

/** Section 3.3.2: both arms are { wcc_data obj_wcc }. */
export const readSETATTR3res = (r: XdrReader): SETATTR3res => {
  const wcc = (r: XdrReader) => ({ obj_wcc: readWccData(r) });
  return readRes3(r, wcc, wcc);
};

/** Section 3.3.3. */
export const readLOOKUP3res = (r: XdrReader): LOOKUP3res =>
  readRes3(
    r,
    (r) => {
      const object = readNfsFh3(r, 'object');
      const obj_attributes = readPostOpAttr(r);
      const dir_attributes = readPostOpAttr(r);
      return { object, obj_attributes, dir_attributes };
    },
    (r) => ({ dir_attributes: readPostOpAttr(r) }),
  );

function requestedAccess(args: unknown): number | undefined {
  const a = (args as { access?: unknown } | null | undefined)?.access;
  return typeof a === 'number' ? a : undefined;
}

/** Section 3.3.4. With the call's mask, the result also has `requested` and `denied` (requested & ~granted). */
export const readACCESS3res = (r: XdrReader, args: unknown): ACCESS3res =>
  readRes3(
    r,
    (r) => {
      const obj_attributes = readPostOpAttr(r);
      const access = r.u32('access');
      const requested = requestedAccess(args);
      return requested === undefined
        ? { obj_attributes, access }
        : { obj_attributes, access, requested, denied: (requested & ~access) >>> 0 };
    },
    (r) => ({ obj_attributes: readPostOpAttr(r) }),
  );

/** Section 3.3.5. */
export const readREADLINK3res = (r: XdrReader): READLINK3res =>
  readRes3(
    r,
    (r) => {
      const symlink_attributes = readPostOpAttr(r);
      const data = readNfspath3(r, 'data');
      return { symlink_attributes, data };
    },
    (r) => ({ symlink_attributes: readPostOpAttr(r) }),
  );

/** Section 3.3.6; the data may be partial in a truncated record (readData3). */
export const readREAD3res = (r: XdrReader, _args: unknown, ctx: Pick<DecodeContext, 'truncated'>): READ3res =>
  readRes3(
    r,
    (r) => {
      const file_attributes = readPostOpAttr(r);
      const count = r.u32('count3');
      const eof = r.bool('eof');
      return { file_attributes, count, eof, ...readData3(r, ctx) };
    },
    (r) => ({ file_attributes: readPostOpAttr(r) }),
  );

/** Section 3.3.7. */
export const readWRITE3res = (r: XdrReader): WRITE3res =>
  readRes3(
    r,
    (r) => {
      const file_wcc = readWccData(r);
      const count = r.u32('count3');
      const committed = readStableHow(r);
      const verf = readWriteverf3(r);
      return { file_wcc, count, committed, verf };
    },
    (r) => ({ file_wcc: readWccData(r) }),
  );

/** Sections 3.3.8-3.3.11: CREATE, MKDIR, SYMLINK and MKNOD share their result. */
export const readCREATE3res = (r: XdrReader): CREATE3res =>
  readRes3<CREATE3resok, CREATE3resfail>(
    r,
    (r) => {
      const obj = readPostOpFh3(r);
      const obj_attributes = readPostOpAttr(r);
      const dir_wcc = readWccData(r);
      return { obj, obj_attributes, dir_wcc };
    },
    (r) => ({ dir_wcc: readWccData(r) }),
  );

/** Sections 3.3.12-3.3.13: both arms are { wcc_data dir_wcc }. */
export const readREMOVE3res = (r: XdrReader): REMOVE3res => {
  const wcc = (r: XdrReader) => ({ dir_wcc: readWccData(r) });
  return readRes3(r, wcc, wcc);
};

/** Section 3.3.14: both arms are { fromdir_wcc, todir_wcc }. */
export const readRENAME3res = (r: XdrReader): RENAME3res => {
  const arm = (r: XdrReader) => {
    const fromdir_wcc = readWccData(r);
    const todir_wcc = readWccData(r);
    return { fromdir_wcc, todir_wcc };
  };
  return readRes3(r, arm, arm);
};

/** Section 3.3.15: both arms are { file_attributes, linkdir_wcc }. */
export const readLINK3res = (r: XdrReader): LINK3res => {
  const arm = (r: XdrReader) => {
    const file_attributes = readPostOpAttr(r);
    const linkdir_wcc = readWccData(r);
    return { file_attributes, linkdir_wcc };
  };
  return readRes3(r, arm, arm);
};

/** Section 3.3.16; a cut-off entry list is kept and marked `incomplete`. */
export const readREADDIR3res = (r: XdrReader): READDIR3res =>
  readRes3(
    r,
    (r) => {
      const dir_attributes = readPostOpAttr(r);
      const cookieverf = readCookieverf3(r);
      return { dir_attributes, cookieverf, ...readDirlist3(r) };
    },
    (r) => ({ dir_attributes: readPostOpAttr(r) }),
  );

/** Section 3.3.17; a cut-off entry list is kept and marked `incomplete`. */
export const readREADDIRPLUS3res = (r: XdrReader): READDIRPLUS3res =>
  readRes3(
    r,
    (r) => {
      const dir_attributes = readPostOpAttr(r);
      const cookieverf = readCookieverf3(r);
      return { dir_attributes, cookieverf, ...readDirlistplus3(r) };
    },
    (r) => ({ dir_attributes: readPostOpAttr(r) }),
  );

/** Section 3.3.18. */
export const readFSSTAT3res = (r: XdrReader): FSSTAT3res =>
  readRes3(
    r,
    (r) => {
      const obj_attributes = readPostOpAttr(r);
      const tbytes = r.u64('tbytes');
      const fbytes = r.u64('fbytes');
      const abytes = r.u64('abytes');
      const tfiles = r.u64('tfiles');
      const ffiles = r.u64('ffiles');
      const afiles = r.u64('afiles');
      const invarsec = r.u32('invarsec');
      return { obj_attributes, tbytes, fbytes, abytes, tfiles, ffiles, afiles, invarsec };
    },
    (r) => ({ obj_attributes: readPostOpAttr(r) }),
  );

/** Section 3.3.19. */
export const readFSINFO3res = (r: XdrReader): FSINFO3res =>
  readRes3(
    r,
    (r) => {
      const obj_attributes = readPostOpAttr(r);
      const rtmax = r.u32('rtmax');
      const rtpref = r.u32('rtpref');
      const rtmult = r.u32('rtmult');
      const wtmax = r.u32('wtmax');
      const wtpref = r.u32('wtpref');
      const wtmult = r.u32('wtmult');
      const dtpref = r.u32('dtpref');
      const maxfilesize = r.u64('maxfilesize');
      const time_delta = readNfstime3(r, 'time_delta');
      const properties = r.u32('properties');
      return { obj_attributes, rtmax, rtpref, rtmult, wtmax, wtpref, wtmult, dtpref, maxfilesize, time_delta, properties };
    },
    (r) => ({ obj_attributes: readPostOpAttr(r) }),
  );

/** Section 3.3.20. */
export const readPATHCONF3res = (r: XdrReader): PATHCONF3res =>
  readRes3(
    r,
    (r) => {
      const obj_attributes = readPostOpAttr(r);
      const linkmax = r.u32('linkmax');
      const name_max = r.u32('name_max');
      const no_trunc = r.bool('no_trunc');
      const chown_restricted = r.bool('chown_restricted');
      const case_insensitive = r.bool('case_insensitive');
      const case_preserving = r.bool('case_preserving');
      return { obj_attributes, linkmax, name_max, no_trunc, chown_restricted, case_insensitive, case_preserving };
    },
    (r) => ({ obj_attributes: readPostOpAttr(r) }),
  );

/** Section 3.3.21. */
export const readCOMMIT3res = (r: XdrReader): COMMIT3res =>
  readRes3(
    r,
    (r) => {
      const file_wcc = readWccData(r);
      const verf = readWriteverf3(r);
      return { file_wcc, verf };
    },
    (r) => ({ file_wcc: readWccData(r) }),
  );
