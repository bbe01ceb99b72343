/**
 * What a successful NFSv3 reply teaches the FH → name table (design.md; RFC 1813 sections 3.3.3, 3.3.8-3.3.11,
 * 3.3.14, 3.3.17). Called with the paired call's arguments; only NFS3_OK results teach. Keys are FileHandle.hex.
 */
import type { LearnContext } from '../../rpc/registry';
import { FileHandle } from '../file-handle';
import { nfs3Status } from './status';
import type { READDIRPLUS3args, diropargs3 } from './types';


function isOk(result: unknown): boolean {
  return nfs3Status(result) === 'NFS3_OK';
}

function hasDirop(x: unknown, key: string): diropargs3 | null {
  const d = (x as Record<string, unknown> | null | undefined)?.[key] as Partial<diropargs3> | undefined;
  return d && d.dir instanceof FileHandle && typeof d.name === 'string' ? (d as diropargs3) : null;
}

/** LOOKUP (section 3.3.3): what.dir + what.name → object. */
export function learnLOOKUP(args: unknown, result: unknown, l: LearnContext): void {
  const what = hasDirop(args, 'what');
  const object = (result as Partial<{ object: unknown }>)?.object;
  if (what && isOk(result) && object instanceof FileHandle) l.names.child(object.hex, what.dir.hex, what.name);
}

/** CREATE/MKDIR/SYMLINK/MKNOD (sections 3.3.8-3.3.11): where.dir + where.name → obj, when handle_follows. */
export function learnCreated(args: unknown, result: unknown, l: LearnContext): void {
  const where = hasDirop(args, 'where');
  const obj = (result as Partial<{ obj: unknown }>)?.obj;
  if (where && isOk(result) && obj instanceof FileHandle) l.names.child(obj.hex, where.dir.hex, where.name);
}

/** READDIRPLUS (section 3.3.17): each entry with a name_handle is a child of the directory ("." and ".." are not). */
export function learnREADDIRPLUS(args: unknown, result: unknown, l: LearnContext): void {
  const dir = (args as Partial<READDIRPLUS3args> | null | undefined)?.dir;
  const entries = (result as Partial<{ entries: unknown }>)?.entries;
  if (!(dir instanceof FileHandle) || !isOk(result) || !Array.isArray(entries)) return;
  for (const e of entries as Partial<{ name: unknown; name_handle: unknown }>[]) {
    if (typeof e.name !== 'string' || e.name === '.' || e.name === '..') continue;
    if (e.name_handle instanceof FileHandle) l.names.child(e.name_handle.hex, dir.hex, e.name);
  }
}

/** RENAME (section 3.3.14): from.dir/from.name is now to.dir/to.name. */
export function learnRENAME(args: unknown, result: unknown, l: LearnContext): void {
  const from = hasDirop(args, 'from');
  const to = hasDirop(args, 'to');
  if (from && to && isOk(result)) l.names.rename(from.dir.hex, from.name, to.dir.hex, to.name);
}
