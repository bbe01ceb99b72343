/**
 * NFS (program 100003) as the registry sees it: version 3 fully decoded (procs.ts: readers, status, learning) and
 * shown as snoop shows it (summary.ts: `NFS C READ3 ...`; detail.ts: the `NFS:  ----- Sun NFS -----` block);
 * versions 2 and 4 named only (RFC 1094, RFC 7530), so their messages show snoop's RPC line.
 */
import type { ProcedureDef, ProgramDef } from '../../rpc/registry';
import { nfs3CallDetail, nfs3ReplyDetail } from './detail';
import { names } from '../procedure-names';
import { withPartialResults } from './partial-result';
import { NFS3_PROCEDURES } from './procs';
import { nfs3CallSummary, nfs3ReplySummary } from './summary';

export const NFS_PROG = 100003;

/** RFC 1094 section 2.2: the 18 NFSv2 procedures (ROOT and WRITECACHE are obsolete but numbered). */
const NFS_V2 = names('NULL GETATTR SETATTR ROOT LOOKUP READLINK READ WRITECACHE WRITE CREATE REMOVE RENAME LINK SYMLINK MKDIR RMDIR READDIR STATFS');

/** RFC 1813 section 3: the 22 procedures, each with its snoop-style text. */
export const NFS3_TEXT_PROCEDURES: ReadonlyArray<ProcedureDef> = Object.freeze(
  NFS3_PROCEDURES.map((p) => {
    const name = p.name;
    const def: ProcedureDef = {
      ...p,
      callSummary: (args, f) => nfs3CallSummary(name, args, f),
      replySummary: (result, _args, f) => nfs3ReplySummary(name, result, f),
      callDetail: (args, f, at) => nfs3CallDetail(name, args, f, at),
      replyDetail: (result, _args, f, at) => nfs3ReplyDetail(name, result, f, at),
    };
    return Object.freeze(withPartialResults(def, name));
  }),
);

/** RFC 7530 section 16: NULL and COMPOUND. */
const NFS_V4 = names('NULL COMPOUND');

export const NFS_PROGRAM: ProgramDef = Object.freeze({
  prog: NFS_PROG,
  name: 'NFS',
  versions: Object.freeze({ 2: NFS_V2, 3: NFS3_TEXT_PROCEDURES, 4: NFS_V4 }),
  layer: (vers: number) => (vers === 3 ? 'NFS' : null),
  verbose: (vers: number) => (vers === 3 ? { prefix: 'NFS:  ', title: 'Sun NFS' } : null),
});
