/**
 * The TUI's view model: pure functions from the store's rows to what the panes show — the transaction list's cells
 * and fixed-width lines, the detail pane's collapsible tree (the `-v` blocks of the row's call and replies), the hex
 * pane's lines with the selected field's bytes marked, the status bar and the filter bar's state. No blessed, no
 * state of its own: the blessed views call these and draw the result. Every string from the wire reaches the screen
 * with its control characters escaped (escapeControls), so a hostile file name cannot drive the terminal.
 *
 * Widths count UTF-16 code units as columns (wide characters in names may overflow a column by a cell).
 */
import {
  compileFilter,
  escapeControls,
  escapeDetailText,
  FileHandle,
  FilterSyntaxError,
  formatFilterError,
  frameAddresses,
  layerDetailBlocks,
  layerSummaries,
  limitCountsText,
  LIMIT_SPECS,
  programBlock,
  programSummary,
  renderBlock,
  rpcDetail,
  RPC_PREFIX,
  RPC_TITLE,
  statusNames,
  summaryText,
  tsDiffSeconds,
  currentFlags,
  type DetailNode,
  type Filter,
  type FormatContext,
  type LimitCount,
  type LimitNotice,
  type RawFrame,
  type RpcEvent,
  type Timestamp,
} from '../src/index';
import { rowMessages, rowState, rowTransaction, type TransactionStore, type TxRow } from './store';

// ------------------------------------------------------------------------------------------------ list rows

export type Severity = 'ok' | 'error' | 'warning' | 'pending';

export interface RowCells {
  frame: string;
  time: string;
  client: string;
  server: string;
  program: string;
  procedure: string;
  /** The call's key argument: the MOUNT path, `FH=XXXX <learned path>[/name]`, a name, or the call's own words. */
  keyArg: string;
  /** The reply's status (RFC name: MNT3_OK, NFS3ERR_NOENT; RPC-level: PROG_UNAVAIL, AUTH_TOOWEAK; OK when the
   *  procedure has no status), `no reply`, `pending`, or '' for a frame row. */
  status: string;
  rtt: string;
  /** Pairing flags, anomalies and `truncated`, space-separated (the display filter's names). */
  flags: string;
  severity: Severity;
}

export interface CellOptions {
  /** The time column shows seconds since this time (the store's firstTs); absolute epoch seconds without one. */
  timeBase?: Timestamp | null;
}

/** Seconds in at most 8 columns, as many decimals as fit (6 below 10 s). */
export function formatSeconds(s: number): string {
  if (s < 0) s = 0;
  for (let d = 6; d >= 0; d--) {
    const t = s.toFixed(d);
    if (t.length <= 8) return t;
  }
  return s.toFixed(0);
}

/** A response time: `0.142ms`, `12.35ms`, `1.503s`. */
export function formatRtt(s: number): string {
  const ms = s * 1000;
  if (ms < 10) return `${ms.toFixed(3)}ms`;
  if (ms < 100) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${ms.toFixed(1)}ms`;
  return `${s.toFixed(3)}s`;
}

function timeCell(ts: Timestamp, base: Timestamp | null | undefined): string {
  if (base) return formatSeconds(tsDiffSeconds(base, ts));
  return `${ts.sec}.${String(Math.floor(ts.nsec / 1000)).padStart(6, '0')}`;
}

/** `NFS3`, `MOUNT3`, `PORTMAP2`; a program without a name: `100099 v1`. */
function programCell(ev: RpcEvent): string {
  if (ev.prog === null) return '?';
  const vers = ev.vers === null ? '' : String(ev.vers);
  return ev.programName ? `${ev.programName}${vers}` : `${ev.prog}${vers ? ` v${vers}` : ''}`;
}

/** The reply's status word (see RowCells.status). */
export function replyStatus(ev: RpcEvent): string {
  if (ev.status !== null) return ev.status;
  const names = statusNames(ev);
  return names[names.length - 1] ?? '';
}

const MAX_WALK = 16;

interface KeyParts {
  dirpath: string | null;
  names: string[];
  handles: FileHandle[];
}

function walkArgs(v: unknown, out: KeyParts, depth = 0): void {
  if (v === null || typeof v !== 'object' || depth > MAX_WALK || v instanceof Uint8Array) return;
  if (v instanceof FileHandle) {
    out.handles.push(v);
    return;
  }
  if (Array.isArray(v)) {
    for (const x of v) walkArgs(x, out, depth + 1);
    return;
  }
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (k === 'dirpath' && typeof x === 'string') out.dirpath ??= x;
    else if (k === 'name' && typeof x === 'string') out.names.push(x);
    else walkArgs(x, out, depth + 1);
  }
}

const MARKERS = /(?: \((?:retransmit|XID reused|no reply|truncated)\))+$/;

/**
 * The call's key argument, from its decoded arguments: a MOUNT path; the first file handle as `FH=XXXX` with its
 * learned path (and the name looked up in it: `FH=F8EA 127.0.0.1:/export/dir/name`); a name. Otherwise the part of
 * the summary line from its first `key=value` (`prog=100005 (MOUNT) vers=3 proto=UDP`), or ''.
 */
export function keyArgument(ev: RpcEvent | undefined, fmt: FormatContext): string {
  if (!ev) return '';
  const parts: KeyParts = { dirpath: null, names: [], handles: [] };
  walkArgs(ev.args, parts);
  if (parts.dirpath !== null) return parts.dirpath;
  const name = parts.names[0] ?? null;
  const h = parts.handles[0];
  if (h) {
    const path = fmt.path(h);
    const where = path !== null && name !== null ? `${path.replace(/\/+$/, '')}/${name}` : (path ?? name);
    return where === null ? `FH=${h.hash}` : `FH=${h.hash} ${where}`;
  }
  if (name !== null) return name;
  if (ev.msg.type !== 'call') return '';
  const s = programSummary(ev, fmt);
  if (s === null) return '';
  const body = s.replace(/^\S+ C /, '').replace(MARKERS, '');
  const m = /\S*=/.exec(body);
  return m ? body.slice(m.index) : '';
}

function flagsOf(row: TxRow): string[] {
  const out = new Set<string>();
  for (const ev of rowMessages(row)) {
    for (const f of currentFlags(ev)) out.add(f);
    for (const a of ev.anomalies) out.add(a);
    if (ev.record.truncated) out.add('truncated');
    if (ev.decodeError !== null) out.add('decode_error');
  }
  // The pipeline flags the call unanswered only on its first transmission's event; say it once for the row.
  if (rowState(row) === 'unanswered') out.add('unanswered');
  return [...out];
}

function severityOf(row: TxRow, flags: string[]): Severity {
  if (row.kind === 'frame') return 'ok';
  if (row.error) return 'error';
  const state = rowState(row);
  if (state === 'pending') return 'pending';
  if (state !== 'answered' || flags.length > 0) return 'warning';
  return 'ok';
}

/** The list's cells for a row; every text escaped. */
export function rowCells(row: TxRow, fmt: FormatContext, opts: CellOptions = {}): RowCells {
  const base = opts.timeBase;
  if (row.kind === 'frame' && row.other) {
    const fr = row.other.frame;
    const addrs = frameAddresses(fr);
    const layers = layerSummaries(fr);
    return cleanCells({
      frame: String(fr.frameNo),
      time: timeCell(fr.ts, base),
      client: addrs?.src ?? '?',
      server: addrs?.dst ?? '?',
      program: '',
      procedure: '',
      keyArg: layers[layers.length - 1] ?? `frame of ${fr.capLen} bytes`,
      status: '',
      rtt: '',
      flags: '',
      severity: 'ok',
    });
  }
  const call = row.calls[0];
  const reply = row.replies[0];
  const first = (call ?? reply) as RpcEvent;
  const rec = first.record;
  const fromClient = first.msg.type === 'call';
  const tx = rowTransaction(row);
  const state = rowState(row);
  const flags = flagsOf(row);
  let status = '';
  if (reply) status = replyStatus(reply);
  else if (state === 'unanswered') status = 'no reply';
  else if (state === 'pending') status = 'pending';
  return cleanCells({
    frame: String(rec.frameNo),
    time: timeCell(rec.ts, base),
    client: fromClient ? rec.src : rec.dst,
    server: fromClient ? rec.dst : rec.src,
    program: programCell(first),
    procedure: first.procedureName ?? (first.proc !== null ? `proc-${first.proc}` : '?'),
    keyArg: call ? keyArgument(call, fmt) : reply && row.kind === 'orphan' ? '(call not seen)' : keyArgument(reply, fmt),
    status,
    rtt: tx && tx.rtt !== null && reply ? formatRtt(tx.rtt) : '',
    flags: flags.join(' '),
    severity: severityOf(row, flags),
  });
}

function cleanCells(c: RowCells): RowCells {
  const out = { ...c };
  for (const k of Object.keys(out) as Array<keyof RowCells>) if (k !== 'severity') out[k] = escapeControls(out[k]);
  return out;
}

// ------------------------------------------------------------------------------------------------ list layout

type Column = Exclude<keyof RowCells, 'severity'>;

interface ColumnSpec {
  key: Column;
  title: string;
  min: number;
  align: 'left' | 'right';
  /** Fits a value into the column (default: fit()). */
  fitter?: (s: string, w: number) => string;
}

const COLUMNS: readonly ColumnSpec[] = [
  // 7 digits: a frame number cut short is no use (a 1 GB capture has ~800 000 frames)
  { key: 'frame', title: 'No.', min: 7, align: 'right' },
  { key: 'time', title: 'Time', min: 8, align: 'right' },
  { key: 'client', title: 'Client', min: 9, align: 'left' },
  { key: 'server', title: 'Server', min: 9, align: 'left' },
  { key: 'program', title: 'Program', min: 8, align: 'left' },
  { key: 'procedure', title: 'Proc', min: 8, align: 'left' },
  { key: 'keyArg', title: 'Argument', min: 8, align: 'left', fitter: fitKeyArg },
  { key: 'status', title: 'Status', min: 8, align: 'left', fitter: fitStatus },
  { key: 'rtt', title: 'RTT', min: 7, align: 'right' },
  { key: 'flags', title: 'Flags', min: 0, align: 'left' },
];

/** Where extra width goes, in order, each step up to a width: addresses first, then the argument, ... */
const GROWTH: ReadonlyArray<[Column, number]> = [
  ['client', 15],
  ['server', 15],
  ['keyArg', 20],
  ['status', 13],
  ['procedure', 11],
  ['time', 10],
  ['rtt', 9],
  ['flags', 20],
  ['keyArg', 60],
  ['client', 39],
  ['server', 39],
  ['status', 20],
  ['flags', 30],
];

/** Column widths for a line of `width` columns (at least 80; one space between columns). The flags column shows
 *  once it gets 6 columns; the argument takes what is left over. */
export function columnWidths(width: number): Record<Column, number> {
  const w = Math.max(80, Math.floor(width));
  const widths = {} as Record<Column, number>;
  for (const c of COLUMNS) widths[c.key] = c.min;
  const used = (): number => {
    let n = 0;
    let cols = 0;
    for (const c of COLUMNS) {
      if (widths[c.key] > 0) {
        n += widths[c.key];
        cols++;
      }
    }
    return n + cols - 1;
  };
  for (const [key, max] of GROWTH) {
    let room = w - used();
    if (room <= 0) break;
    // a hidden column needs its separator too, and is not worth showing narrower than 6
    if (widths[key] === 0) {
      if (room < 7) continue;
      room -= 1;
    }
    widths[key] += Math.max(0, Math.min(room, max - widths[key]));
  }
  const rest = w - used();
  if (rest > 0) widths.keyArg += rest;
  return widths;
}

/** `s` in exactly `w` columns: padded, or cut with an ellipsis (at the end, or at the start with `keepTail`). */
export function fit(s: string, w: number, align: 'left' | 'right' = 'left', keepTail = false): string {
  if (w <= 0) return '';
  if (s.length > w) return w === 1 ? '…' : keepTail ? '…' + s.slice(s.length - (w - 1)) : s.slice(0, w - 1) + '…';
  return align === 'right' ? s.padStart(w) : s.padEnd(w);
}

/** A key argument: a path keeps its end (`…/export/dir`), after the `FH=XXXX ` it follows when there is room;
 *  anything else is cut at its end. */
export function fitKeyArg(s: string, w: number): string {
  if (s.length <= w) return fit(s, w);
  const fh = /^FH=[0-9A-F]{4} /.exec(s);
  if (fh && w >= fh[0].length + 8) return fh[0] + fit(s.slice(fh[0].length), w - fh[0].length, 'left', true);
  return fit(s, w, 'left', s.includes('/'));
}

/** A status that does not fit loses its program prefix, as the display filter's short forms: `NFS3ERR_NOENT` →
 *  `NOENT`, `MNT3_OK` → `OK`. */
export function fitStatus(s: string, w: number): string {
  if (s.length > w) {
    const short = /ERR_(.+)$/.exec(s)?.[1] ?? (/^[A-Z0-9]+_OK$/.test(s) ? 'OK' : null);
    if (short) s = short;
  }
  return fit(s, w);
}

function layoutLine(text: (c: ColumnSpec) => string, width: number): string {
  const widths = columnWidths(width);
  const parts: string[] = [];
  for (const c of COLUMNS) {
    const w = widths[c.key];
    if (w > 0) parts.push(c.fitter ? c.fitter(text(c), w) : fit(text(c), w, c.align));
  }
  return parts.join(' ');
}

/** One list line of exactly max(80, width) columns; control characters escaped. */
export function rowLine(cells: RowCells, width: number): string {
  return layoutLine((c) => escapeControls(cells[c.key]), width);
}

/** The list's header line, laid out like rowLine. */
export function headerLine(width: number): string {
  return layoutLine((c) => c.title, width);
}

// ------------------------------------------------------------------------------------------------ detail tree

/** Bytes [start, end) of a message's record or of a frame (see RangeOf). */
export interface ByteRange {
  start: number;
  end: number;
}

/** What a tree node's range counts in: its message's RPC record (`ev.record.bytes`: the RPC header and program
 *  blocks) or the frame (`ev.frame.bytes`, or a frame row's frame: the lower layers). */
export type RangeOf = 'record' | 'frame';

export interface TreeNode {
  /** Stable for a row across redraws (a path of positions: `m0/rpc/4`), so the expanded set survives updates. */
  id: string;
  text: string;
  children: TreeNode[];
  /** Shown expanded by default. */
  expanded: boolean;
  /** Index into rowMessages(row) of the message this node belongs to (the hex pane shows its record). */
  message: number | null;
  /** The bytes this node describes (DetailNode.range); for a line that shows none by itself (`Record Mark`, a
   *  reply's `Proc = N`), those of the nearest node above it that has some — at least its block's. */
  range: ByteRange | null;
  /** What `range` counts in; null when there is no range. */
  rangeOf: RangeOf | null;
}

/** Tabs as spaces (tab stops every 8 columns): `-v` bit diagrams use tabs, terminals widgets do not agree on them. */
function expandTabs(s: string): string {
  if (!s.includes('\t')) return s;
  let out = '';
  for (const ch of s) out += ch === '\t' ? ' '.repeat(8 - (out.length % 8)) : ch;
  return out;
}

function clean(s: string): string {
  return expandTabs(escapeDetailText(s));
}

/** Where a block's nodes count their bytes: the message and what the ranges are of. */
interface Place {
  message: number | null;
  rangeOf: RangeOf;
}

function fromDetail(nodes: readonly DetailNode[], parent: string, place: Place, inherited: ByteRange | null): TreeNode[] {
  const list = nodes.slice();
  // snoop's prefix-only closing line is a separator in `-v`; a tree has no use for it
  while (list.length > 0 && list[list.length - 1].text.trim() === '' && !list[list.length - 1].children?.length) list.pop();
  return list.map((n, i) => {
    const id = `${parent}/${i}`;
    const range = n.range ? { start: n.range.start, end: n.range.end } : inherited;
    const children = n.children ? fromDetail(n.children, id, place, range) : [];
    return { id, text: clean(n.text), children, expanded: false, message: place.message, range, rangeOf: range ? place.rangeOf : null };
  });
}

function blockNode(id: string, prefix: string, title: string | null, nodes: DetailNode[], expanded: boolean, place: Place, range: ByteRange | null): TreeNode {
  const rangeOf = range ? place.rangeOf : null;
  if (title === null) {
    // snoop's one-line notes (`UDP:  [1480 byte(s) of data, continuation of IP ident=4660]`)
    const text = renderBlock(prefix, null, nodes).join(' ');
    return { id, text: clean(text), children: [], expanded: false, message: place.message, range, rangeOf };
  }
  const children = fromDetail(nodes, id, place, range);
  return { id, text: clean(`${prefix}----- ${title} -----`), children, expanded, message: place.message, range, rangeOf };
}

function roleOf(row: TxRow, ev: RpcEvent): string {
  if (ev.msg.type === 'call') return ev === row.calls[0] ? 'Call' : 'Call (retransmit)';
  if (row.kind === 'orphan') return 'Reply (call not seen)';
  return ev === row.replies[0] ? 'Reply' : 'Reply (again)';
}

/**
 * The detail pane of a row: one node per message (the call, its retransmissions, its replies) with the `-v`
 * blocks under it — the lower layers (collapsed), the RPC header and the program block (expanded; their own
 * sub-lines, e.g. a credential's body, folded). Nodes carry the bytes they describe: RPC and program nodes in
 * the message's record, lower-layer nodes in its frame (`rangeOf`).
 */
export function detailTree(row: TxRow, fmt: FormatContext): TreeNode[] {
  if (row.kind === 'frame' && row.other) {
    const fr = row.other.frame;
    const layers = layerSummaries(fr);
    const top: TreeNode = {
      id: 'f',
      text: clean(`Frame ${fr.frameNo}: ${layers[layers.length - 1] ?? `${fr.capLen} bytes`}`),
      children: [],
      expanded: true,
      message: null,
      range: null,
      rangeOf: null,
    };
    const place: Place = { message: null, rangeOf: 'frame' };
    layerDetailBlocks(fr).forEach((b, k) => top.children.push(blockNode(`f/L${k}`, b.prefix, b.title, b.nodes, true, place, b.range ?? null)));
    return [top];
  }
  const msgs = rowMessages(row);
  return msgs.map((ev, i) => {
    const id = `m${i}`;
    const first = ev === row.calls[0] || ev === row.replies[0];
    const top: TreeNode = {
      id,
      text: clean(`${roleOf(row, ev)}, frame ${ev.record.frameNo}: ${summaryText(ev, fmt)}`),
      children: [],
      expanded: first,
      message: i,
      range: null,
      rangeOf: null,
    };
    if (ev.frame) {
      const inFrame: Place = { message: i, rangeOf: 'frame' };
      layerDetailBlocks(ev.frame, { rpc: true }).forEach((b, k) =>
        top.children.push(blockNode(`${id}/L${k}`, b.prefix, b.title, b.nodes, false, inFrame, b.range ?? null)),
      );
    } else {
      const text = '(lower layers: the frame is no longer at hand)';
      top.children.push({ id: `${id}/L`, text, children: [], expanded: false, message: i, range: null, rangeOf: null });
    }
    const inRecord: Place = { message: i, rangeOf: 'record' };
    const len = ev.record.bytes.length;
    const body = Math.min(ev.msg.bodyOffset, len);
    top.children.push(blockNode(`${id}/rpc`, RPC_PREFIX, RPC_TITLE, rpcDetail(ev), true, inRecord, { start: 0, end: body }));
    const pb = programBlock(ev, fmt);
    if (pb) top.children.push(blockNode(`${id}/prog`, pb.prefix, pb.title, pb.nodes, true, inRecord, { start: body, end: len }));
    if (ev.decodeError !== null) {
      const text = clean(`Decode error: ${ev.decodeError}`);
      top.children.push({ id: `${id}/err`, text, children: [], expanded: false, message: i, range: { start: body, end: len }, rangeOf: 'record' });
    }
    return top;
  });
}

/** The ids of the nodes expanded by default (the view's starting set for a newly selected row). */
export function defaultExpandedIds(nodes: readonly TreeNode[], out: Set<string> = new Set()): Set<string> {
  for (const n of nodes) {
    if (n.expanded && n.children.length > 0) out.add(n.id);
    defaultExpandedIds(n.children, out);
  }
  return out;
}

export interface TreeLine {
  depth: number;
  text: string;
  id: string;
  hasChildren: boolean;
  expanded: boolean;
  message: number | null;
  range: ByteRange | null;
  rangeOf: RangeOf | null;
}

/** The visible lines of a tree: a node's children follow it when it is expanded — per `expandedIds` when given,
 *  else per each node's default. */
export function flattenTree(nodes: readonly TreeNode[], expandedIds?: ReadonlySet<string>, depth = 0, out: TreeLine[] = []): TreeLine[] {
  for (const n of nodes) {
    const hasChildren = n.children.length > 0;
    const expanded = hasChildren && (expandedIds ? expandedIds.has(n.id) : n.expanded);
    out.push({ depth, text: n.text, id: n.id, hasChildren, expanded, message: n.message, range: n.range, rangeOf: n.rangeOf });
    if (expanded) flattenTree(n.children, expandedIds, depth + 1, out);
  }
  return out;
}

/** The record bytes of message `index` of a row (rowMessages order), for the hex pane. */
export function messageBytes(row: TxRow, index: number | null): Uint8Array | null {
  if (index === null) return row.other ? row.other.frame.bytes : null;
  return rowMessages(row)[index]?.record.bytes ?? null;
}

/** What the hex pane shows: the bytes, the part to highlight in them, and a title saying what they are. */
export interface HexSelection {
  bytes: Uint8Array;
  /** Within `bytes`; null when nothing is selected or the line knows no bytes. */
  range: ByteRange | null;
  /** `Call record, frame 5: 120 bytes`, `Frame 5: 162 bytes (1514 on the wire)`. */
  title: string;
}

function within(r: ByteRange | null, bytes: Uint8Array): ByteRange | null {
  if (!r) return null;
  const start = Math.max(0, Math.min(r.start, bytes.length));
  return { start, end: Math.max(start, Math.min(r.end, bytes.length)) };
}

function frameSelection(fr: RawFrame, range: ByteRange | null): HexSelection {
  const wire = fr.capLen < fr.origLen ? ` (${fr.origLen} on the wire)` : '';
  return { bytes: fr.bytes, range: within(range, fr.bytes), title: `Frame ${fr.frameNo}: ${fr.bytes.length} bytes${wire}` };
}

/**
 * The hex pane for the selected tree line of a row: a lower-layer line shows its frame, any other line the record
 * of its message, with the line's bytes highlighted. Without a line (or for a line of no message, such as a frame
 * row's title) it shows message `messageIndex`'s record, or a frame row's frame, with nothing highlighted. Null
 * when there is nothing to show (no such message).
 */
export function hexSelection(row: TxRow, line: TreeLine | null, messageIndex: number | null): HexSelection | null {
  if (row.kind === 'frame' && row.other) return frameSelection(row.other.frame, line?.rangeOf === 'frame' ? line.range : null);
  const index = line?.message ?? messageIndex;
  const ev = index === null ? undefined : rowMessages(row)[index];
  if (!ev) return null;
  if (line?.rangeOf === 'frame' && ev.frame) return frameSelection(ev.frame, line.range);
  const rec = ev.record;
  const wire = rec.bytes.length < rec.length ? ` (${rec.length} on the wire)` : '';
  const title = `${roleOf(row, ev)} record, frame ${rec.frameNo}: ${rec.bytes.length} bytes${wire}`;
  return { bytes: rec.bytes, range: line?.rangeOf === 'record' ? within(line.range, rec.bytes) : null, title };
}

// ------------------------------------------------------------------------------------------------ hex pane

export interface HexLine {
  offset: number;
  /** `00000010`. */
  offsetText: string;
  /** xxd's groups of two bytes: `0001 0203 0405 0607 0809 0a0b 0c0d 0e0f`, padded to 39 columns. */
  hex: string;
  /** Printable ASCII, `.` for anything else (so never a control character). */
  ascii: string;
  /** `offsetText: hex  ascii`, as xxd prints it. */
  text: string;
  /** The highlighted bytes of this line, [start, end) as indexes 0..16 within the line, or null. */
  highlight: ByteRange | null;
  /** Character ranges [start, end) of the highlight within `text`: the hex part, then the ASCII part. */
  spans: Array<[number, number]>;
}

export const HEX_BYTES_PER_LINE = 16;
const HEX_WIDTH = 39;

function hexCol(j: number): number {
  return j * 2 + (j >> 1);
}

export interface HexWindow {
  /** First line to produce (default 0). */
  firstLine?: number;
  /** Most lines to produce (default: all): a record can be 16 MiB, a pane shows a screenful. */
  maxLines?: number;
}

/** xxd-style lines of `bytes`, 16 per line, with the bytes in `highlight` ([start, end)) marked. */
export function hexLines(bytes: Uint8Array, highlight?: ByteRange | null, window: HexWindow = {}): HexLine[] {
  const total = Math.ceil(bytes.length / HEX_BYTES_PER_LINE);
  const first = Math.max(0, window.firstLine ?? 0);
  const last = Math.min(total, window.maxLines === undefined ? total : first + Math.max(0, window.maxLines));
  const out: HexLine[] = [];
  for (let l = first; l < last; l++) {
    const offset = l * HEX_BYTES_PER_LINE;
    const end = Math.min(bytes.length, offset + HEX_BYTES_PER_LINE);
    let hex = '';
    let ascii = '';
    for (let i = offset; i < end; i++) {
      const b = bytes[i];
      hex += b.toString(16).padStart(2, '0');
      if ((i - offset) % 2 === 1 && i + 1 < end) hex += ' ';
      ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    hex = hex.padEnd(HEX_WIDTH);
    const offsetText = offset.toString(16).padStart(8, '0');
    const text = `${offsetText}: ${hex}  ${ascii}`;
    let hl: ByteRange | null = null;
    const spans: Array<[number, number]> = [];
    if (highlight) {
      const s = Math.max(highlight.start, offset);
      const e = Math.min(highlight.end, end);
      if (s < e) {
        hl = { start: s - offset, end: e - offset };
        const hexAt = offsetText.length + 2;
        const asciiAt = hexAt + HEX_WIDTH + 2;
        spans.push([hexAt + hexCol(hl.start), hexAt + hexCol(hl.end - 1) + 2], [asciiAt + hl.start, asciiAt + hl.end]);
      }
    }
    out.push({ offset, offsetText, hex, ascii, text, highlight: hl, spans });
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ bars

export type RunMode = 'live' | 'paused' | 'reading' | 'done';

export interface StatusContext {
  /** The capture file or interface. */
  source: string;
  /** Frames read (the pipeline's counter); default: the highest frame number the store saw. */
  frames?: number;
  /** The active display filter's text, or null. */
  filter?: string | null;
  /** Rows the filter shows, when filtering. */
  shown?: number;
  mode: RunMode;
  /** Every cap with its hits so far (Pipeline.limitCounts(), plus the statistics' --max-endpoints); the ones hit
   *  are listed at the end. */
  limits?: readonly LimitCount[];
}

/** The message line when a cap is first reached (Controller.limitReached): which cap, where, what it means. */
export function limitNoticeLine(n: LimitNotice): string {
  const at = n.frameNo > 0 ? `at frame ${n.frameNo}` : 'at the end of input';
  return `limit reached ${at}: ${n.option} ${n.value}, more ${LIMIT_SPECS[n.limit].what} (count in the status bar)`;
}

/** `done | filter: … (3 shown) | file.pcap | frames 61 | messages 32 | pairs 16 | unanswered 0 | errors 1`: what
 *  changes most and matters most first, as a narrow terminal cuts the end. */
export function statusBar(store: TransactionStore, ctx: StatusContext): string {
  const c = store.counters;
  // the mode first: a narrow terminal cuts the line's end
  const parts: string[] = [ctx.mode];
  if (ctx.filter) parts.push(`filter: ${escapeControls(ctx.filter)}${ctx.shown !== undefined ? ` (${ctx.shown} shown)` : ''}`);
  parts.push(
    escapeControls(ctx.source),
    `frames ${ctx.frames ?? c.frames}`,
    `messages ${c.messages}`,
    `pairs ${c.pairs}`,
    `unanswered ${c.unanswered}`,
    `errors ${c.errors}`,
  );
  if (c.orphans > 0) parts.push(`orphans ${c.orphans}`);
  if (c.evicted > 0) parts.push(`evicted ${c.evicted} (kept ${store.size})`);
  const limits = ctx.limits ? limitCountsText(ctx.limits) : '';
  if (limits) parts.push(`limits ${limits}`);
  return parts.join(' | ');
}

export interface FilterError {
  /** UTF-16 index into the expression. */
  position: number;
  reason: string;
  /** formatFilterError's second line: spaces to the place, `^`, the reason (for a line under the input). */
  caretLine: string;
}

export type FilterBarState = { ok: true; filter: Filter | null } | { ok: false; error: FilterError };

/** Compiles what the filter bar holds: empty means no filter; an error comes with its caret line. */
export function filterBarState(expr: string): FilterBarState {
  if (expr.trim() === '') return { ok: true, filter: null };
  try {
    return { ok: true, filter: compileFilter(expr) };
  } catch (e) {
    if (!(e instanceof FilterSyntaxError)) throw e;
    const lines = formatFilterError(expr, e);
    return { ok: false, error: { position: e.position, reason: e.reason, caretLine: lines[1] } };
  }
}
