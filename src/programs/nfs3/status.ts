/**
 * nfsstat3 (RFC 1813 section 2.6): number ↔ RFC name, for all 29 values. A value outside the RFC's list is named
 * `UNKNOWN(<n>)` (see types.ts) and maps back to its number.
 */
import type { nfsstat3, nfsstat3Name } from './types';
import { unknownName, unknownValue } from './enums';

/** Section 2.6: every nfsstat3 value with its RFC name. */
export const NFSSTAT3: Readonly<Record<number, nfsstat3Name>> = Object.freeze({
  0: 'NFS3_OK',
  1: 'NFS3ERR_PERM',
  2: 'NFS3ERR_NOENT',
  5: 'NFS3ERR_IO',
  6: 'NFS3ERR_NXIO',
  13: 'NFS3ERR_ACCES',
  17: 'NFS3ERR_EXIST',
  18: 'NFS3ERR_XDEV',
  19: 'NFS3ERR_NODEV',
  20: 'NFS3ERR_NOTDIR',
  21: 'NFS3ERR_ISDIR',
  22: 'NFS3ERR_INVAL',
  27: 'NFS3ERR_FBIG',
  28: 'NFS3ERR_NOSPC',
  30: 'NFS3ERR_ROFS',
  31: 'NFS3ERR_MLINK',
  63: 'NFS3ERR_NAMETOOLONG',
  66: 'NFS3ERR_NOTEMPTY',
  69: 'NFS3ERR_DQUOT',
  70: 'NFS3ERR_STALE',
  71: 'NFS3ERR_REMOTE',
  10001: 'NFS3ERR_BADHANDLE',
  10002: 'NFS3ERR_NOT_SYNC',
  10003: 'NFS3ERR_BAD_COOKIE',
  10004: 'NFS3ERR_NOTSUPP',
  10005: 'NFS3ERR_TOOSMALL',
  10006: 'NFS3ERR_SERVERFAULT',
  10007: 'NFS3ERR_BADTYPE',
  10008: 'NFS3ERR_JUKEBOX',
});

const BY_NAME: ReadonlyMap<string, number> = new Map(Object.entries(NFSSTAT3).map(([n, name]) => [name, Number(n)]));

/** The RFC name of an nfsstat3 value, or `UNKNOWN(n)`. */
export function nfsstat3Of(value: number): nfsstat3 {
  return NFSSTAT3[value] ?? unknownName(value);
}

/** The number of a decoded nfsstat3 (RFC name or `UNKNOWN(n)`); null for a string that is neither. */
export function nfsstat3Value(name: string): number | null {
  return BY_NAME.get(name) ?? unknownValue(name);
}

/** The RFC status name of any NFSv3 result but NULL's (`NFS3_OK`, `NFS3ERR_NOENT`, `UNKNOWN(n)`). */
export function nfs3Status(result: unknown): string | null {
  const s = (result as { status?: unknown } | null | undefined)?.status;
  return typeof s === 'string' ? s : null;
}
