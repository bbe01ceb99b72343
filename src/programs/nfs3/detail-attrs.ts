/**
 * The building blocks of snoop's NFSv3 `-v` lines (snoop-format.md §2.4; illumos snoop_nfs3.c and
 * snoop_rpcprint.c): status, file handles, dates, fattr3, post_op_attr, pre_op_attr, wcc_data, sattr3 and bit
 * diagrams, as DetailNode trees whose depth-first texts are snoop's lines. What the TUI folds hangs below its
 * heading: the hex lines under `File handle = [...]`, a fattr3 under its `Post-operation attributes:` line, the
 * mode bits under `  Mode = 0644`.
 *
 * Where snoop is wrong we do better, and say so where it happens:
 *  - times: the nanoseconds word is always printed as 9 digits. snoop prints sattr3 times with its microsecond
 *    formatter (`%06d` of the nanoseconds word) and times under one year (FSINFO time_delta, small values) with
 *    `%lld.%06d`, so 1 ns showed as `0.000001`; here it is `0.000000001`.
 *  - nfstime3 seconds and uid3/gid3 are unsigned (RFC 1813); snoop reads them as signed longs, so times after
 *    2038 printed as negative numbers and sattr3 uids over 2^31 as negative ones. 0xffffffff seconds still print
 *    as snoop's `-1 `.
 *  - detail strings (names, paths) are printed whole, not cut at 60 characters (§4), as the MOUNT lines are.
 *  - `File handle = [711F]` is followed by the learned path when there is one (always, unlike summary lines).
 *
 * Each builder takes the XdrSpans cursor standing where its value begins in the record (RFC 1813 §2.5-2.6 and
 * §3.3 give the layouts) and walks it past the value, giving every line the bytes it shows: a field its own
 * bytes, an optional value that is not set its discriminant, a heading (`Post-operation attributes:`, `Mode =`,
 * `File handle =`) the bytes of everything below it.
 */
import { hexUpper } from '../../format/hex';
import { field, type ByteRange, type DetailNode } from '../../format/detail';
import type { XdrSpans } from '../../format/xdr-spans';
import type { FormatContext } from '../../rpc/registry';
import type { FileHandle } from '../file-handle';
import { fileTypeNumber, fileTypeWords, statusNumber, statusWords } from './summary';
import type { diropargs3, fattr3, nfstime3, post_op_attr, pre_op_attr, sattr3, set_time, wcc_data } from './types';

/** The prefix-only line (snoop's show_line("") / show_trailer()). */
export function blank(): DetailNode {
  return { text: '' };
}

/** Opaque data as snoop's getxdr_hex: uppercase, no separators. */
export { hexUpper };

/** `Status = 0 (OK)`, `Status = 2 (No such file or directory)`: the nfsstat3 every result begins with. */
export function statusNode(status: string, c: XdrSpans): DetailNode {
  return field(statusText(status), c.word());
}

export function statusText(status: string): string {
  return `Status = ${statusNumber(status)} (${statusWords(status)})`;
}

/** `True` / `False` (snoop's showxdr_bool). */
export function bool(b: boolean): string {
  return b ? 'True' : 'False';
}

// ------------------------------------------------------------------------------------------------ dates

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ONE_YEAR = 3600 * 24 * 365;

const two = (n: number): string => String(n).padStart(2, '0');

/**
 * An nfstime3 as snoop's format_time: `12-Mar-24 14:03:55.123456789 GMT`; under one year's worth of seconds (not a
 * date: a delta) `<sec>.<9-digit nsec>`; 0xffffffff seconds `-1 `. snoop printed the nanoseconds of small values
 * (and of every sattr3 time) with `%06d`, which misplaces the decimal point; here they are always 9 digits.
 */
export function formatTime(t: nfstime3): string {
  const sec = t.seconds >>> 0;
  if (sec === 0xffffffff) return '-1 ';
  const ns = String(t.nseconds >>> 0).padStart(9, '0');
  if (sec < ONE_YEAR) return `${sec}.${ns}`;
  const d = new Date(sec * 1000);
  const date = `${two(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${two(d.getUTCFullYear() % 100)}`;
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return `${date} ${time}.${ns} GMT`;
}

// ------------------------------------------------------------------------------------------------ bit diagrams

/**
 * snoop's getflag(): the 8-bit diagram of the lowest bit of `mask` and the words for its value,
 * `.... ...1 = Read`, `..0. .... = (no execute)`.
 */
export function flagText(value: number, mask: number, ifSet: string, ifClear: string): string {
  const chars = '.... .... = '.split('');
  for (let bit = 0; bit < 8; bit++) {
    if ((mask >>> bit) & 1) {
      const set = ((value >>> bit) & 1) === 1;
      chars[bit < 4 ? 8 - bit : 3 - (bit - 4)] = set ? '1' : '0';
      return chars.join('') + (set ? ifSet : ifClear);
    }
  }
  return chars.join('') + ifClear;
}

/** A flag line as snoop prints them under a bit word (whose bytes are `range`): a tab, then the diagram. */
export function flagNode(value: number, mask: number, ifSet: string, ifClear: string, range: ByteRange | undefined): DetailNode {
  return field(`\t${flagText(value, mask, ifSet, ifClear)}`, range);
}

// ------------------------------------------------------------------------------------------------ handles

/**
 * `File handle = [711F]`, then the handle in uppercase hex, 32 bytes per line, each line after one space (its
 * children). The learned path, when known, follows the hash in parentheses: -v always shows what rpcsnoop
 * learned of a handle (summary lines only with --names).
 */
export function fileHandleNode(h: FileHandle, f: FormatContext, c: XdrSpans): DetailNode {
  const path = f.path(h);
  const hex = hexUpper(h.bytes);
  const at = c.view(h.bytes, true); // nfs_fh3: opaque data<NFS3_FHSIZE>
  const lines: DetailNode[] = [];
  for (let i = 0; i < hex.length; i += 64) {
    const from = at ? at.start + i / 2 : 0;
    lines.push(field(` ${hex.slice(i, i + 64)}`, at ? c.range(from, Math.min(at.end, from + 32)) : undefined));
  }
  return field(`File handle = [${h.hash}]${path !== null ? ` (${path})` : ''}`, at, lines);
}

/** A post_op_fh3 (union switch (bool handle_follows)): the handle lines, or `(No file handle available)` with the
 *  bytes of its discriminant. */
export function postOpFhNode(h: FileHandle | null, f: FormatContext, c: XdrSpans): DetailNode {
  const follows = c.word();
  return h ? fileHandleNode(h, f, c) : field('(No file handle available)', follows);
}

/** diropargs3: the directory's handle lines, then `File name = <name>`. */
export function diropNodes(d: diropargs3, f: FormatContext, c: XdrSpans): DetailNode[] {
  return [fileHandleNode(d.dir, f, c), field(`File name = ${d.name}`, c.opaque())];
}

// ------------------------------------------------------------------------------------------------ attributes

function perms(n: number): string {
  return `${n & 4 ? 'r' : '-'}${n & 2 ? 'w' : '-'}${n & 1 ? 'x' : '-'}`;
}

/** snoop's detail_mode(): `  Mode = 0644` (`0` + octal), with the setuid/setgid/sticky line and the three
 *  permission lines below it; all of them show the mode3 word at `range`. */
export function modeNode(mode: number, range: ByteRange | undefined): DetailNode {
  const m = mode >>> 0;
  return field(`  Mode = 0${m.toString(8)}`, range, [
    field(`   Setuid = ${m & 0o4000 ? 1 : 0}, Setgid = ${m & 0o2000 ? 1 : 0}, Sticky = ${m & 0o1000 ? 1 : 0}`, range),
    field(`   Owner's permissions = ${perms(m >>> 6)}`, range),
    field(`   Group's permissions = ${perms(m >>> 3)}`, range),
    field(`   Other's permissions = ${perms(m)}`, range),
  ]);
}

/** snoop's detail_fattr3(): the attribute lines and the prefix-only line that closes them. RFC 1813 §2.6 fattr3:
 *  type, mode, nlink, uid, gid (4 bytes each), size, used (8), rdev (two 4-byte words), fsid, fileid (8), atime,
 *  mtime, ctime (nfstime3: 8). */
export function fattr3Nodes(a: fattr3, c: XdrSpans): DetailNode[] {
  return [
    field(`  File type = ${fileTypeNumber(a.type)} (${fileTypeWords(a.type)})`, c.word()),
    modeNode(a.mode, c.word()),
    field(`  Link count = ${a.nlink}, User ID = ${a.uid}, Group ID = ${a.gid}`, c.words(3)),
    field(`  File size = ${a.size}, Used = ${a.used}`, c.words(4)),
    field(`  Special: Major = ${a.rdev.specdata1}, Minor = ${a.rdev.specdata2}`, c.words(2)),
    field(`  File system id = ${a.fsid}, File id = ${a.fileid}`, c.words(4)),
    field(`  Last access time      = ${formatTime(a.atime)}`, c.hyper()),
    field(`  Modification time     = ${formatTime(a.mtime)}`, c.hyper()),
    field(`  Attribute change time = ${formatTime(a.ctime)}`, c.hyper()),
    blank(),
  ];
}

/** post_op_attr (union switch (bool attributes_follow)): `Post-operation attributes: <label>` with the fattr3
 *  below it, or `Post-operation attributes: <label> (not available)`. An empty label leaves snoop's trailing space
 *  (or two spaces before `(not available)`). */
export function postOpAttrNode(label: string, a: post_op_attr, c: XdrSpans): DetailNode {
  const start = c.pos;
  const follows = c.word();
  if (!a) return field(`Post-operation attributes: ${label} (not available)`, follows);
  const attrs = fattr3Nodes(a, c);
  return field(`Post-operation attributes: ${label}`, c.since(start), attrs);
}

/** pre_op_attr (union switch (bool attributes_follow)): `Pre-operation attributes: <label>` with the wcc_attr
 *  lines (size 8, mtime 8, ctime 8) and a prefix-only line below it, or `... (not available)`. */
export function preOpAttrNode(label: string, a: pre_op_attr, c: XdrSpans): DetailNode {
  const start = c.pos;
  const follows = c.word();
  if (!a) return field(`Pre-operation attributes: ${label} (not available)`, follows);
  const attrs = [
    field(`  Size = ${a.size} bytes`, c.hyper()),
    field(`  Modification time      = ${formatTime(a.mtime)}`, c.hyper()),
    field(`  Attribute change time  = ${formatTime(a.ctime)}`, c.hyper()),
    blank(),
  ];
  return field(`Pre-operation attributes: ${label}`, c.since(start), attrs);
}

/** wcc_data: the pre_op_attr, then the post_op_attr, with the same label. */
export function wccDataNodes(label: string, w: wcc_data, c: XdrSpans): DetailNode[] {
  return [preOpAttrNode(label, w.before, c), postOpAttrNode(label, w.after, c)];
}

/** set_atime / set_mtime (union switch (time_how set_it)): the discriminant and, set to the client's time, the
 *  nfstime3. */
function setTimeNode(what: string, t: set_time, c: XdrSpans): DetailNode {
  const start = c.pos;
  const how = c.word();
  if (t.how === 'SET_TO_CLIENT_TIME' && t.time) {
    c.hyper();
    return field(`${what} = ${formatTime(t.time)} (set to client time)`, c.since(start));
  }
  if (t.how === 'SET_TO_SERVER_TIME') return field(`${what} = (set to server time)`, how);
  return field(`${what} = (do not set)`, how);
}

/** One optional sattr3 field (union switch (bool set_it)): the value's bytes, or when not set the discriminant's. */
function setIt(c: XdrSpans, set: boolean, size: 4 | 8): ByteRange | undefined {
  const discriminant = c.word();
  if (!set) return discriminant;
  return size === 4 ? c.word() : c.hyper();
}

/** snoop's detail_sattr3(): mode (the five mode lines, or `Mode = (not set)`), User ID, Group ID, Size, the two
 *  set times, and a prefix-only line. Times use the nanosecond formatter (snoop: microseconds, see formatTime). */
export function sattr3Nodes(s: sattr3, c: XdrSpans): DetailNode[] {
  const mode = setIt(c, s.mode !== undefined, 4);
  return [
    s.mode !== undefined ? modeNode(s.mode, mode) : field('Mode = (not set)', mode),
    field(`User ID = ${s.uid ?? '(not set)'}`, setIt(c, s.uid !== undefined, 4)),
    field(`Group ID = ${s.gid ?? '(not set)'}`, setIt(c, s.gid !== undefined, 4)),
    field(`Size = ${s.size ?? '(not set)'}`, setIt(c, s.size !== undefined, 8)),
    setTimeNode('Access time', s.atime, c),
    setTimeNode('Modification time', s.mtime, c),
    blank(),
  ];
}
