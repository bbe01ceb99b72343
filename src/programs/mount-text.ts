/**
 * MOUNT text: snoop's summary words (snoop-format.md §1.7) and `-v` lines (§2.6), built from the decoded values
 * of mount-xdr.ts. Pure functions; the FormatContext gives the `FH=XXXX` text (with the learned path under
 * --names).
 *
 * Where snoop is wrong or silent we do better, and say so where it happens:
 *  - DUMP, UMNTALL, EXPORT and EXPORTALL calls have no arguments (RFC 1094 §A.5, RFC 1813 Appendix I §5.2);
 *    snoop's v1/v2 summary tries to read a path there (and so never marks them ` (retransmit)`);
 *  - UMNT and UMNTALL replies are void; snoop's `-v` reads a status that is not on the wire and stops without
 *    the closing prefix-only line: we print `Proc = ...` and close the block;
 *  - PATHCONF (v2) results are decoded (snoop: "notyet");
 *  - lists cut by the end of the data say `N+ entries` in the summary and ` N+ entries. (Frame is incomplete)`
 *    in `-v`, as snoop does, and the auth flavor list is not cut at 64 characters;
 *  - detail strings (paths, host and group names) are printed whole, not cut at 60 characters (§4).
 *
 * `-v` lines carry the bytes they show: the builders walk an XdrSpans cursor through the arguments or results in
 * the order mount-xdr.ts reads them (default: a detached cursor, no ranges).
 */
import { field, line, type ByteRange, type DetailNode } from '../format/detail';
import { XdrSpans } from '../format/xdr-spans';
import type { FormatContext } from '../rpc/registry';
import type { FileHandle } from './file-handle';
import {
  pcIsSet,
  PC_CHOWN_RESTRICTED,
  PC_ERROR,
  PC_LINK_MAX,
  PC_MAX_CANON,
  PC_MAX_INPUT,
  PC_NAME_MAX,
  PC_NO_TRUNC,
  PC_PATH_MAX,
  PC_PIPE_BUF,
  PC_VDISABLE,
  type DirpathArgs,
  type Exports,
  type FhStatus,
  type MountList,
  type MountRes3,
  type PPathCnf,
} from './mount-xdr';

// ------------------------------------------------------------------------------------------------ names and words

/** snoop's summary names (procnames_short) and `-v` long names, by procedure number (0..7). */
export const MOUNT_SHORT_NAMES: readonly string[] = [
  'Null',
  'Mount',
  'Get mount list',
  'Unmount',
  'Unmountall',
  'Get export list',
  'Get export list',
  'PATHCONF',
];
export const MOUNT_LONG_NAMES: readonly string[] = [
  'Null procedure',
  'Add mount entry',
  'Return mount entries',
  'Remove mount entry',
  'Remove all mount entries',
  'Return export list',
  'Return export list',
  'Get POSIX Pathconf info',
];

/** RFC 1813 Appendix I §5.1.5 mountstat3: RFC name and snoop's words. The values are errno numbers, so the
 *  same table serves the v1/v2 fhstatus (RFC 1094 §A.4.2: "a UNIX error number"), as Wireshark does. snoop
 *  prints its host's strerror() for v1: the same words for the errnos every Unix shares (1, 2, 5, 13, 20, 22),
 *  OS-specific text otherwise; a table keeps our output the same on every host. */
const MOUNTSTAT3: ReadonlyMap<number, readonly [string, string]> = new Map([
  [0, ['MNT3_OK', 'OK']],
  [1, ['MNT3ERR_PERM', 'Not owner']],
  [2, ['MNT3ERR_NOENT', 'No such file or directory']],
  [5, ['MNT3ERR_IO', 'I/O error']],
  [13, ['MNT3ERR_ACCES', 'Permission denied']],
  [20, ['MNT3ERR_NOTDIR', 'Not a directory']],
  [22, ['MNT3ERR_INVAL', 'Invalid argument']],
  [63, ['MNT3ERR_NAMETOOLONG', 'File name too long']],
  [10004, ['MNT3ERR_NOTSUPP', 'Operation not supported']],
  [10006, ['MNT3ERR_SERVERFAULT', 'Server error']],
]);

/** The RFC name of a MNT status: MNT3_OK, MNT3ERR_ACCES, ...; a number outside the enum gives MNT3ERR_<n>. */
export function mountStatusName(status: number): string {
  return MOUNTSTAT3.get(status)?.[0] ?? `MNT3ERR_${status}`;
}

/** snoop's words for a MNT status: `OK`, `Permission denied`, ..., `(unknown error)`. */
export function mountStatusWords(status: number): string {
  return MOUNTSTAT3.get(status)?.[1] ?? '(unknown error)';
}

/** snoop's auth flavor words in MNT v3 replies (RFC 5531 §8.2 numbers): none, unix, short, des, else decimal. */
export function flavorWord(flavor: number): string {
  return ['none', 'unix', 'short', 'des'][flavor] ?? String(flavor);
}

function flavorList(flavors: readonly number[]): string {
  return flavors.map(flavorWord).join(',');
}

/** Handle bytes as snoop's `-v` shows them: uppercase hex, at most 32 bytes per line, each line after a space,
 *  with its part of the handle's bytes `at`. */
export function handleHexLines(h: FileHandle, at?: ByteRange): DetailNode[] {
  const hex = h.hex.toUpperCase();
  const out: DetailNode[] = [];
  for (let i = 0; i < hex.length; i += 64) {
    const from = at ? at.start + i / 2 : 0;
    out.push(field(` ${hex.slice(i, i + 64)}`, at && from < at.end ? { start: from, end: Math.min(at.end, from + 32) } : undefined));
  }
  return out;
}

/** `File handle = [711F]` (with the learned path) and the hex lines; `at` is the handle's bytes. */
function handleNode(h: FileHandle, f: FormatContext, at: ByteRange | undefined): DetailNode {
  return field(`File handle = [${h.hash}]${pathSuffix(h, f)}`, at, handleHexLines(h, at));
}

/** The `-v` block of a procedure: `Proc = N (...)` (with the call header's procedure field when `c` knows it),
 *  its lines, and the closing prefix-only line. */
export function block(proc: number, lines: DetailNode[] = [], c?: XdrSpans): DetailNode[] {
  return [field(`Proc = ${proc} (${MOUNT_LONG_NAMES[proc]})`, c?.procedure), ...lines, { text: '' }];
}

// ------------------------------------------------------------------------------------------------ calls

/** MNT/UMNT call summary: `Mount /export/home`, `Unmount /export/home`; PATHCONF: `PATHCONF /export/home`. */
export function dirpathSummary(proc: number, args: DirpathArgs | undefined): string {
  return args ? `${MOUNT_SHORT_NAMES[proc]} ${args.dirpath}` : MOUNT_SHORT_NAMES[proc];
}

/** MNT/UMNT call detail: `Directory = /export/home`; PATHCONF (snoop's wording): `File = /export/home`. */
export function dirpathDetail(proc: number, args: DirpathArgs | undefined, c: XdrSpans = XdrSpans.detached()): DetailNode[] {
  if (!args) return block(proc, [], c);
  return block(proc, [field(`${proc === 7 ? 'File' : 'Directory'} = ${args.dirpath}`, c.opaque())], c);
}

// ------------------------------------------------------------------------------------------------ MNT replies

/** v3: `Mount OK FH=711F Auth=unix` / `Mount Permission denied`. */
export function mnt3ReplySummary(res: MountRes3 | undefined, f: FormatContext): string {
  if (!res) return 'Mount ';
  const head = `Mount ${mountStatusWords(res.fhs_status)}`;
  const ok = res.mountinfo;
  return ok ? `${head} ${f.fh(ok.fhandle)} Auth=${flavorList(ok.auth_flavors)}` : head;
}

/** ` (path)` after a handle's hash in -v when the handle's path was learned (the export root after a MNT). */
function pathSuffix(h: FileHandle, f: FormatContext): string {
  const p = f.path(h);
  return p !== null ? ` (${p})` : '';
}

/** v3 detail (mountres3: status, then fhandle3 and `int auth_flavors<>`): `Status = 0 (OK)`,
 *  `File handle = [711F]` + hex lines, `Authentication flavor = unix`. */
export function mnt3ReplyDetail(res: MountRes3 | undefined, f: FormatContext, c: XdrSpans = XdrSpans.detached()): DetailNode[] {
  if (!res) return block(1, [], c);
  const lines: DetailNode[] = [field(`Status = ${res.fhs_status} (${mountStatusWords(res.fhs_status)})`, c.word())];
  const ok = res.mountinfo;
  if (ok) {
    lines.push(handleNode(ok.fhandle, f, c.view(ok.fhandle.bytes, true)));
    lines.push(field(`Authentication flavor = ${flavorList(ok.auth_flavors)}`, c.words(1 + ok.auth_flavors.length)));
  }
  return block(1, lines, c);
}

/** v1/v2: `Mount OK FH=1A2B` / `Mount Permission denied` (fixed 32-byte handle). */
export function mnt1ReplySummary(res: FhStatus | undefined, f: FormatContext): string {
  if (!res) return 'Mount ';
  const head = `Mount ${mountStatusWords(res.fhs_status)}`;
  return res.fhandle ? `${head} ${f.fh(res.fhandle)}` : head;
}

/** v1/v2 detail (fhstatus: status, then the fixed fhandle): `Status = 0 (OK)`, `File handle = [1A2B]` and one
 *  line of 32 bytes in hex. */
export function mnt1ReplyDetail(res: FhStatus | undefined, f: FormatContext, c: XdrSpans = XdrSpans.detached()): DetailNode[] {
  if (!res) return block(1, [], c);
  const lines: DetailNode[] = [field(`Status = ${res.fhs_status} (${mountStatusWords(res.fhs_status)})`, c.word())];
  if (res.fhandle) lines.push(handleNode(res.fhandle, f, c.view(res.fhandle.bytes, false)));
  return block(1, lines, c);
}

// ------------------------------------------------------------------------------------------------ lists

function entriesText(n: number, incomplete: boolean | undefined): string {
  return `${n}${incomplete ? '+' : ''} entries`;
}

/** ` N+ entries. (Frame is incomplete)`, showing the part of the list that was captured. */
function incompleteLine(n: number, list: ByteRange | undefined): DetailNode {
  return field(` ${n}+ entries. (Frame is incomplete)`, list);
}

/** DUMP reply: `Get mount list 3 entries` (`3+ entries` when cut). */
export function dumpReplySummary(res: MountList | undefined): string {
  return res ? `Get mount list ${entriesText(res.entries.length, res.incomplete)}` : 'Get mount list ';
}

/** DUMP detail: `Mount list` (the whole mountlist), then `   host:/dir` per entry (a mountbody after its
 *  value_follows). */
export function dumpReplyDetail(res: MountList | undefined, c: XdrSpans = XdrSpans.detached()): DetailNode[] {
  if (!res) return block(2, [], c);
  const start = c.pos;
  const rows = res.entries.map((e) => {
    c.word();
    const from = c.pos;
    c.opaque();
    c.opaque();
    return field(`   ${e.ml_hostname}:${e.ml_directory}`, c.since(from));
  });
  if (!res.incomplete) c.word();
  const list = c.since(start);
  const lines = [line('Mount list', rows, list)];
  if (res.incomplete) lines.push(incompleteLine(res.entries.length, list));
  return block(2, lines, c);
}

/** EXPORT/EXPORTALL reply: `Get export list 2 entries` (`2+ entries` when cut). */
export function exportReplySummary(res: Exports | undefined): string {
  return res ? `Get export list ${entriesText(res.entries.length, res.incomplete)}` : 'Get export list ';
}

/** EXPORT/EXPORTALL detail: `Directory = /export/eng` with ` Group = verona` under it (an exportnode after its
 *  value_follows: ex_dir, then each group name after its own value_follows). The directory line's bytes run from
 *  the path to the end of its last group's name. */
export function exportReplyDetail(proc: number, res: Exports | undefined, c: XdrSpans = XdrSpans.detached()): DetailNode[] {
  if (!res) return block(proc, [], c);
  const start = c.pos;
  const lines = res.entries.map((e) => {
    c.word();
    const dir = c.opaque();
    const groups = e.ex_groups.map((g) => {
      c.word();
      return field(` Group = ${g}`, c.opaque());
    });
    c.word();
    const last = groups.length ? groups[groups.length - 1].range : dir;
    return line(`Directory = ${e.ex_dir}`, groups, dir && last ? { start: dir.start, end: last.end } : dir);
  });
  if (res.incomplete) lines.push(incompleteLine(res.entries.length, c.since(start)));
  return block(proc, lines, c);
}

// ------------------------------------------------------------------------------------------------ PATHCONF (v2)

type PathconfNumber = Exclude<keyof PPathCnf, 'pc_mask'>;

/** The numeric ppathcnf fields, their validity bit in pc_mask, and their `-v` names. */
const PATHCONF_FIELDS: ReadonlyArray<readonly [PathconfNumber, number, string]> = [
  ['pc_link_max', PC_LINK_MAX, 'Link max'],
  ['pc_max_canon', PC_MAX_CANON, 'Max canon'],
  ['pc_max_input', PC_MAX_INPUT, 'Max input'],
  ['pc_name_max', PC_NAME_MAX, 'Name max'],
  ['pc_path_max', PC_PATH_MAX, 'Path max'],
  ['pc_pipe_buf', PC_PIPE_BUF, 'Pipe buf'],
];

/** The fields worth a place on the summary line: the limits an NFS client applies. */
const PATHCONF_SUMMARY: ReadonlyArray<readonly [PathconfNumber, number, string]> = [
  ['pc_link_max', PC_LINK_MAX, 'link_max'],
  ['pc_name_max', PC_NAME_MAX, 'name_max'],
  ['pc_path_max', PC_PATH_MAX, 'path_max'],
];

/** snoop prints nothing after `PATHCONF ` (its decoder is "notyet"); we show the valid limits:
 *  `PATHCONF link_max=32767 name_max=255 path_max=1024`, or `PATHCONF no info` when the server set _PC_ERROR
 *  (all information invalid). */
export function pathconfReplySummary(res: PPathCnf | undefined): string {
  if (!res) return 'PATHCONF ';
  if (pcIsSet(res, PC_ERROR)) return 'PATHCONF no info';
  const parts = PATHCONF_SUMMARY.filter(([, bit]) => !pcIsSet(res, bit)).map(([k, , name]) => `${name}=${res[k]}`);
  return `PATHCONF ${parts.join(' ')}`;
}

const bool = (b: boolean): string => (b ? 'True' : 'False');

/** PATHCONF detail (ours; snoop prints only `Proc = 7`): one line per field, `(not valid)` after a field whose
 *  mask bit is set, the two booleans, and the raw mask. */
export function pathconfReplyDetail(res: PPathCnf | undefined, c: XdrSpans = XdrSpans.detached()): DetailNode[] {
  if (!res) return block(7, [], c);
  const all = pcIsSet(res, PC_ERROR);
  const invalid = (bit: number): string => (all || pcIsSet(res, bit) ? ' (not valid)' : '');
  // ppathcnf: the six limits, pc_vdisable, pc_xxx, pc_mask[0], pc_mask[1], one XDR word each (PATHCONF_FIELDS
  // is in wire order); the booleans and the mask line show pc_mask[0].
  const lines: DetailNode[] = PATHCONF_FIELDS.map(([k, bit, name]) => field(`${name} = ${res[k]}${invalid(bit)}`, c.word()));
  lines.push(field(`Vdisable = 0x${(res.pc_vdisable & 0xff).toString(16).padStart(2, '0')}${invalid(PC_VDISABLE)}`, c.word()));
  c.word();
  const maskAt = c.word();
  lines.push(field(`Chown restricted = ${bool(pcIsSet(res, PC_CHOWN_RESTRICTED))}`, maskAt));
  lines.push(field(`No trunc = ${bool(pcIsSet(res, PC_NO_TRUNC))}`, maskAt));
  const mask = (res.pc_mask[0] & 0xffff).toString(16).padStart(4, '0');
  lines.push(field(`Mask = 0x${mask}${all ? ' (no information)' : ''}`, maskAt));
  return block(7, lines, c);
}
