/**
 * NFSv3 summary lines as snoop prints them (snoop-format.md §1.8; illumos snoop_nfs3.c interpret_nfs3): the text
 * after `NFS C ` / `NFS R `, built from the decoded values of types.ts. Pure functions. Every handle goes through
 * FormatContext.fh, so `--names` gives `FH=711F (/export/dir/file)`.
 *
 * Also the word tables the `-v` lines share (status words, file types, stable_how, createmode3, ACCESS bits).
 *
 * Where snoop is wrong we do better, and say so where it happens: the SYMLINK3 call line is built from the decoded
 * arguments, so a sattr3 with SET_TO_SERVER_TIME no longer garbles the ` to <target>` part (§4).
 */
import type { FormatContext } from '../../rpc/registry';
import type { FileHandle } from '../file-handle';
import { createmode3Value, ftype3Value, stable_howValue } from './enums';
import { nfsstat3Value } from './status';
import {
  ACCESS3_DELETE,
  ACCESS3_EXECUTE,
  ACCESS3_EXTEND,
  ACCESS3_LOOKUP,
  ACCESS3_MODIFY,
  ACCESS3_READ,
  NFSPROC3,
  type Nfs3Args,
  type Nfs3ProcName,
  type Nfs3Res,
} from './types';

// ------------------------------------------------------------------------------------------------ words

/** snoop's NFS3 status words (sum_nfsstat3), by nfsstat3 value. */
const STATUS_WORDS: ReadonlyMap<number, string> = new Map([
  [0, 'OK'],
  [1, 'Not owner'],
  [2, 'No such file or directory'],
  [5, 'I/O error'],
  [6, 'No such device or address'],
  [13, 'Permission denied'],
  [17, 'File exists'],
  [18, 'Attempted cross-device link'],
  [19, 'No such device'],
  [20, 'Not a directory'],
  [21, 'Is a directory'],
  [22, 'Invalid argument'],
  [27, 'File too large'],
  [28, 'No space left on device'],
  [30, 'Read-only file system'],
  [31, 'Too many links'],
  [63, 'File name too long'],
  [66, 'Directory not empty'],
  [69, 'Disc quota exceeded'],
  [70, 'Stale NFS file handle'],
  [71, 'Too many levels of remote in path'],
  [10001, 'Illegal NFS file handle'],
  [10002, 'Update synch mismatch'],
  [10003, 'Readdir cookie is stale'],
  [10004, 'Operation not supported'],
  [10005, 'Buffer/request too small'],
  [10006, 'Server fault'],
  [10007, 'Bad type'],
  [10008, 'File is temporarily unavailable'],
]);

/** The number of a decoded nfsstat3 (`NFS3ERR_NOENT` → 2, `UNKNOWN(99)` → 99). */
export function statusNumber(status: string): number {
  return nfsstat3Value(status) ?? -1;
}

/** snoop's words for a decoded nfsstat3: `OK`, `No such file or directory`, ..., `(unknown error)`. */
export function statusWords(status: string): string {
  return STATUS_WORDS.get(statusNumber(status)) ?? '(unknown error)';
}

/** snoop's procnames_long, by procedure number. */
export const NFS3_LONG_NAMES: readonly string[] = [
  'Null procedure',
  'Get file attributes',
  'Set file attributes',
  'Look up file name',
  'Check access permission',
  'Read from symbolic link',
  'Read from file',
  'Write to file',
  'Create file',
  'Make directory',
  'Make symbolic link',
  'Make special file',
  'Remove file',
  'Remove directory',
  'Rename',
  'Link',
  'Read from directory',
  'Read from directory - plus',
  'Get filesystem statistics',
  'Get filesystem information',
  'Get POSIX information',
  'Commit to stable storage',
];

/** `Proc = 1 (Get file attributes)`. */
export function procLineText(name: Nfs3ProcName): string {
  const n = NFSPROC3[name];
  return `Proc = ${n} (${NFS3_LONG_NAMES[n]})`;
}

const FILE_TYPE_WORDS: readonly string[] = [
  '?',
  'Regular File',
  'Directory',
  'Block special',
  'Character special',
  'Symbolic Link',
  'Unix domain socket',
  'Named pipe',
];

/** The number of a decoded ftype3 (`NF3REG` → 1, `UNKNOWN(9)` → 9). */
export function fileTypeNumber(type: string): number {
  return ftype3Value(type) ?? 0;
}

/** snoop's filetype(): `Regular File`, `Directory`, ..., `Named pipe`, `?`. */
export function fileTypeWords(type: string): string {
  const n = fileTypeNumber(type);
  return (n >= 1 && n <= 7 && FILE_TYPE_WORDS[n]) || '?';
}

/** snoop's sum_stablehow(): `ASYNC`, `DSYNC`, `FSYNC`, `?`. */
export function stableWords(stable: string): string {
  return ['ASYNC', 'DSYNC', 'FSYNC'][stable_howValue(stable) ?? -1] ?? '?';
}

/** snoop's sum_createhow(): `UNCHECKED`, `GUARDED`, `EXCLUSIVE`, `?`. */
export function createModeWords(mode: string): string {
  return ['UNCHECKED', 'GUARDED', 'EXCLUSIVE'][createmode3Value(mode) ?? -1] ?? '?';
}

const ACCESS_WORDS: ReadonlyArray<readonly [number, string]> = [
  [ACCESS3_READ, 'read'],
  [ACCESS3_LOOKUP, 'lookup'],
  [ACCESS3_MODIFY, 'modify'],
  [ACCESS3_EXTEND, 'extend'],
  [ACCESS3_DELETE, 'delete'],
  [ACCESS3_EXECUTE, 'execute'],
];

/** snoop's sum_access(): the set bits as words in fixed order, comma-separated (`read,lookup`; '' if none). */
export function accessWords(bits: number): string {
  return ACCESS_WORDS.filter(([b]) => (bits & b) !== 0)
    .map(([, w]) => w)
    .join(',');
}

// ------------------------------------------------------------------------------------------------ calls

/** snoop's short name: `GETATTR3`. */
function short(name: Nfs3ProcName): string {
  return `${name}3`;
}

type CallSummary<N extends Nfs3ProcName> = (args: Nfs3Args[N], f: FormatContext) => string;

const fhOnly =
  <N extends Nfs3ProcName>(name: N, pick: (a: Nfs3Args[N]) => FileHandle): CallSummary<N> =>
  (a, f) =>
    `${short(name)} ${f.fh(pick(a))}`;

const dirop =
  <N extends 'LOOKUP' | 'REMOVE' | 'RMDIR' | 'MKDIR'>(
    name: N,
    pick: (a: Nfs3Args[N]) => { dir: FileHandle; name: string },
  ): CallSummary<N> =>
  (a, f) => {
    const d = pick(a);
    return `${short(name)} ${f.fh(d.dir)} ${d.name}`;
  };

const CALL_SUMMARIES: { readonly [N in Nfs3ProcName]: CallSummary<N> } = {
  NULL: () => 'NULL3',
  GETATTR: fhOnly('GETATTR', (a) => a.object),
  SETATTR: fhOnly('SETATTR', (a) => a.object),
  LOOKUP: dirop('LOOKUP', (a) => a.what),
  ACCESS: (a, f) => `ACCESS3 ${f.fh(a.object)} (${accessWords(a.access)})`,
  READLINK: fhOnly('READLINK', (a) => a.symlink),
  READ: (a, f) => `READ3 ${f.fh(a.file)} at ${a.offset} for ${a.count}`,
  WRITE: (a, f) => `WRITE3 ${f.fh(a.file)} at ${a.offset} for ${a.count} (${stableWords(a.stable)})`,
  CREATE: (a, f) => `CREATE3 ${f.fh(a.where.dir)} (${createModeWords(a.how.mode)}) ${a.where.name}`,
  MKDIR: dirop('MKDIR', (a) => a.where),
  // snoop skips the sattr3 times as booleans and garbles the target after SET_TO_SERVER_TIME (§4); the decoded
  // arguments give the right target.
  SYMLINK: (a, f) => `SYMLINK3 ${f.fh(a.where.dir)} ${a.where.name} to ${a.symlink.symlink_data}`,
  MKNOD: (a, f) => `MKNOD3 ${f.fh(a.where.dir)} (${fileTypeWords(a.what.type)}) ${a.where.name}`,
  REMOVE: dirop('REMOVE', (a) => a.object),
  RMDIR: dirop('RMDIR', (a) => a.object),
  RENAME: (a, f) => `RENAME3 ${f.fh(a.from.dir)} ${a.from.name} to ${f.fh(a.to.dir)} ${a.to.name}`,
  LINK: (a, f) => `LINK3 ${f.fh(a.file)} to ${f.fh(a.link.dir)} ${a.link.name}`,
  READDIR: (a, f) => `READDIR3 ${f.fh(a.dir)} Cookie=${a.cookie} for ${a.count}`,
  READDIRPLUS: (a, f) => `READDIRPLUS3 ${f.fh(a.dir)} Cookie=${a.cookie} for ${a.dircount}/${a.maxcount}`,
  FSSTAT: fhOnly('FSSTAT', (a) => a.fsroot),
  FSINFO: fhOnly('FSINFO', (a) => a.fsroot),
  PATHCONF: fhOnly('PATHCONF', (a) => a.object),
  COMMIT: (a, f) => `COMMIT3 ${f.fh(a.file)} at ${a.offset} for ${a.count}`,
};

// ------------------------------------------------------------------------------------------------ replies

type ReplySummary<N extends Nfs3ProcName> = (res: Nfs3Res[N], f: FormatContext) => string;
/** The NFS3_OK arm of a procedure's result. */
export type OkOf<N extends Nfs3ProcName> = Extract<Nfs3Res[N], { status: 'NFS3_OK' }>;

/** `<PROC>3 <status words>`, and with NFS3_OK what `ok` adds from the resok fields. */
function withStatus<N extends Nfs3ProcName>(name: N, ok?: (res: OkOf<N>, f: FormatContext) => string): ReplySummary<N> {
  return (res, f) => {
    const status = (res as { status: string }).status;
    const head = `${short(name)} ${statusWords(status)}`;
    return status === 'NFS3_OK' && ok ? head + ok(res as OkOf<N>, f) : head;
  };
}

/** CREATE/MKDIR/SYMLINK/MKNOD: ` FH=5A3C` only when handle_follows. */
function created<N extends 'CREATE' | 'MKDIR' | 'SYMLINK' | 'MKNOD'>(name: N): ReplySummary<N> {
  return withStatus(name, (r, f) => (r.obj ? ` ${f.fh(r.obj)}` : ''));
}

/** READDIR/READDIRPLUS: ` 12 entries (No more)`, ` 12 entries (More)`, ` 5+ entries (incomplete)`. */
function dirList(r: { entries: readonly unknown[]; eof: boolean; incomplete?: true }): string {
  const n = r.entries.length;
  if (r.incomplete) return ` ${n}+ entries (incomplete)`;
  return ` ${n} entries (${r.eof ? 'No more' : 'More'})`;
}

const REPLY_SUMMARIES: { readonly [N in Nfs3ProcName]: ReplySummary<N> } = {
  // snoop prints "NFS R %s " and nothing more for NULL: a trailing space.
  NULL: () => 'NULL3 ',
  GETATTR: withStatus('GETATTR'),
  SETATTR: withStatus('SETATTR'),
  LOOKUP: withStatus('LOOKUP', (r, f) => ` ${f.fh(r.object)}`),
  ACCESS: withStatus('ACCESS', (r) => ` (${accessWords(r.access)})`),
  READLINK: withStatus('READLINK', (r) => ` (Path=${r.data})`),
  READ: withStatus('READ', (r) => ` (${r.count} bytes)${r.eof ? ' EOF' : ''}`),
  WRITE: withStatus('WRITE', (r) => ` ${r.count} (${stableWords(r.committed)})`),
  CREATE: created('CREATE'),
  MKDIR: created('MKDIR'),
  SYMLINK: created('SYMLINK'),
  MKNOD: created('MKNOD'),
  REMOVE: withStatus('REMOVE'),
  RMDIR: withStatus('RMDIR'),
  RENAME: withStatus('RENAME'),
  LINK: withStatus('LINK'),
  READDIR: withStatus('READDIR', dirList),
  READDIRPLUS: withStatus('READDIRPLUS', dirList),
  FSSTAT: withStatus('FSSTAT'),
  FSINFO: withStatus('FSINFO'),
  PATHCONF: withStatus('PATHCONF'),
  COMMIT: withStatus('COMMIT'),
};

// ------------------------------------------------------------------------------------------------ entry points

/** The call's summary text after `NFS C `, e.g. `READ3 FH=711F at 0 for 32768`. */
export function nfs3CallSummary(name: Nfs3ProcName, args: unknown, f: FormatContext): string {
  return (CALL_SUMMARIES[name] as CallSummary<Nfs3ProcName>)(args as never, f);
}

/** The reply's summary text after `NFS R `, e.g. `READ3 OK (4096 bytes) EOF`, `LOOKUP3 No such file or directory`.
 *  A result that is not an object (never for a decoded reply but NULL's) gives the name and its space alone. */
export function nfs3ReplySummary(name: Nfs3ProcName, result: unknown, f: FormatContext): string {
  if (name !== 'NULL' && (typeof result !== 'object' || result === null)) return `${short(name)} `;
  return (REPLY_SUMMARIES[name] as ReplySummary<Nfs3ProcName>)(result as never, f);
}
