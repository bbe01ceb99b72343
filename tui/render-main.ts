/**
 * The whole screen as styled text lines, from the controller's state: filter bar, list header, rows, the detail
 * tree, the hex dump, the status bar — or a full-screen view (statistics, ladder, help). Pure: the blessed layer
 * only paints these lines, so the tests read exactly what the user sees.
 */
import { escapeControls, hasControls } from '../src/index';
import type { Controller } from './controller';
import { helpLines } from './keymap';
import { padTo, plain, titleRule, type Span, type Style, type StyledLine } from './styled-line';
import type { LimitCount } from '../src/index';
import { headerLine, hexLines, hexSelection, HEX_BYTES_PER_LINE, rowCells, rowLine, statusBar, type RunMode, type Severity, type TreeLine } from './view-model';
import type { TxRow } from './store';

export interface ScreenInfo {
  /** The capture file or interface name. */
  source: string;
  /** Frames read so far (the pipeline's count). */
  frames: number;
  mode: RunMode;
  /** Why reading stopped early (a damaged or truncated file), shown in the status bar from then on. */
  problem?: string | null;
  /** Caps and their hits so far (the status bar lists those hit). */
  limits?: readonly LimitCount[];
}

/** A full-screen view's content for a width (statistics, ladder): rebuilt on each draw, cut to the screen. */
export interface SideView {
  title: string;
  lines(width: number): StyledLine[];
}

/** The style of a row or ladder line of each severity (side-views.ts uses it too). */
export const SEVERITY_STYLE: Record<Severity, Style> = { ok: 'normal', error: 'error', warning: 'warning', pending: 'pending' };

function filterBar(c: Controller, width: number): StyledLine[] {
  const p = c.prompt;
  if (p) {
    const label = p.kind === 'filter' ? 'Filter: ' : 'Search: ';
    // a line longer than the screen scrolls left so that the cursor stays on it
    const shift = Math.max(0, label.length + p.editor.cursor - (width - 1));
    const text = (label + p.editor.text).slice(shift);
    const cursor = label.length + p.editor.cursor - shift;
    const spans: Span[] = [];
    const errorAt = p.error ? label.length + Math.min(p.error.position, p.editor.text.length) - shift : -1;
    if (p.error && errorAt >= 0 && errorAt < cursor) spans.push({ start: errorAt, end: errorAt + 1, style: 'promptError' });
    spans.push({ start: cursor, end: cursor + 1, style: 'cursor' });
    const bar: StyledLine = { text: padTo(text, width), style: p.error ? 'promptError' : 'prompt', spans };
    const help = p.kind === 'filter' ? 'Enter apply, Esc cancel, empty clears: status != OK, proc == LOOKUP, rtt > 10ms' : 'Enter search the rows, Esc cancel; then n / N';
    const second: StyledLine = p.error ? { text: ' '.repeat(Math.max(0, errorAt)) + p.error.caretLine.trimStart(), style: 'promptError' } : plain(help, 'note');
    return [bar, second];
  }
  const active = c.filterText === '' ? '(none)' : c.filterText;
  const keys = '  f filter  / search  s stats  l ladder  ? help  q quit';
  return [plain(`Filter: ${active}${keys}`, 'prompt'), plain(headerLine(width), 'header')];
}

function rowStyleLine(c: Controller, row: TxRow, width: number, selected: boolean): StyledLine {
  const cells = rowCells(row, c.fmt, { timeBase: c.store.firstTs });
  const line: StyledLine = { text: rowLine(cells, width), style: SEVERITY_STYLE[cells.severity] };
  if (selected) {
    if (c.focus === 'list') line.inverse = true;
    else line.style = 'selectedDim';
  }
  return line;
}

function listLines(c: Controller, width: number): StyledLine[] {
  const out: StyledLine[] = [];
  const sel = c.selectedIndex;
  for (let k = 0; k < c.sizes.list; k++) {
    const i = c.listTop + k;
    const row = c.rows.rowAt(i);
    if (!row) break;
    out.push(rowStyleLine(c, row, width, i === sel));
  }
  if (out.length === 0) out.push(plain(c.filterText !== '' ? '(no row matches the filter)' : '(no RPC message yet)', 'note'));
  return out;
}

function treeText(l: TreeLine): string {
  const mark = l.hasChildren ? (l.expanded ? '[-] ' : '[+] ') : '    ';
  return '  '.repeat(l.depth) + mark + l.text;
}

function detailAndHex(c: Controller, width: number): StyledLine[] {
  const out: StyledLine[] = [];
  const row = c.selectedRow();
  const lines = row ? c.detailLines() : [];
  const focusStyle = (pane: 'detail' | 'hex'): Partial<StyledLine> => (c.focus === pane ? { inverse: true } : { style: 'selectedDim' });
  out.push(titleRule(row ? `Detail${c.focus === 'detail' ? ' (Enter folds, c call/reply)' : ''}` : 'Detail', width));
  const problem = row ? c.detailProblem(row) : null;
  if (problem) out.push(plain(`(${problem})`, 'warning'));
  if (lines === null) {
    out.push(plain('(reading this transaction again from the file…)', 'note'));
  } else {
    for (let k = problem ? 1 : 0; k < c.sizes.detail; k++) {
      const i = c.detailTop + k - (problem ? 1 : 0);
      const l = lines[i];
      if (!l) break;
      out.push({ text: treeText(l), ...(i === c.detailCursor ? focusStyle('detail') : {}) });
    }
  }
  while (out.length < 1 + c.sizes.detail) out.push(plain(''));
  const src = row && lines ? hexSelection(c.details(row) ?? row, lines[c.detailCursor] ?? null, 0) : null;
  if (!src) {
    out.push(titleRule('Hex', width));
  } else {
    const total = Math.ceil(src.bytes.length / HEX_BYTES_PER_LINE);
    const firstHl = src.range ? Math.floor(src.range.start / HEX_BYTES_PER_LINE) : 0;
    // a newly selected field scrolls into view; the user's own scrolling (hexTop) counts from the line shown
    const top = Math.max(0, Math.min(c.hexAuto ? Math.max(0, firstHl - 1) : c.hexTop, total - c.sizes.hex));
    c.hexTop = top;
    const hl = src.range ? `, bytes ${src.range.start}-${src.range.end - 1} marked` : '';
    out.push(titleRule(`Hex: ${src.title}${hl}`, width));
    for (const h of hexLines(src.bytes, src.range, { firstLine: top, maxLines: c.sizes.hex })) {
      out.push({ text: h.text, spans: h.spans.map(([start, end]) => ({ start, end, style: 'highlight' as Style })) });
    }
  }
  while (out.length < 2 + c.sizes.detail + c.sizes.hex) out.push(plain(''));
  return out;
}

function statusLine(c: Controller, info: ScreenInfo): StyledLine {
  const mode: RunMode = c.rows.paused ? 'paused' : info.mode;
  let text = statusBar(c.store, { source: info.source, frames: info.frames, filter: c.filterText || null, shown: c.rows.length, mode, limits: info.limits });
  const extra = (c.rows.paused && c.rows.waiting > 0 ? ` (${c.rows.waiting} new)` : '') + (c.follow ? ' follow' : '');
  if (extra) text = text.replace(/^\S+/, (m) => m + extra);
  if (info.problem) text = `${text} | ${info.problem}`.replace(/^\S+/, (m) => `${m} (input damaged)`);
  if (c.notice) text = `${c.notice} | ${text}`;
  return plain(text, 'status');
}

function fullView(c: Controller, title: string, body: StyledLine[], info: ScreenInfo, height: number): StyledLine[] {
  const room = Math.max(1, height - 2);
  // a view just opened starts a little above its highlighted lines (the ladder's selected row), else at the top
  const want = c.viewTop >= 0 ? c.viewTop : Math.max(0, body.findIndex((l) => l.inverse) - 3);
  const top = Math.max(0, Math.min(want, body.length - room));
  c.viewTop = top;
  const out: StyledLine[] = [plain(`${title}  (Esc back, arrows/PgUp/PgDn scroll, q quit)`, 'prompt')];
  out.push(...body.slice(top, top + room));
  while (out.length < height - 1) out.push(plain(''));
  out.push(statusLine(c, info));
  return out;
}

/** A line cut to the screen's width, its spans with it (long detail lines, a long filter, the status bar). */
function cutTo(line: StyledLine, width: number): StyledLine {
  if (line.text.length <= width) return line;
  const out: StyledLine = { ...line, text: line.text.slice(0, width) };
  if (line.spans) out.spans = line.spans.filter((sp) => sp.start < width).map((sp) => ({ ...sp, end: Math.min(sp.end, width) }));
  return out;
}

/** The last guard: every piece of wire text is escaped where it enters a line (view-model.ts, ladder-lines.ts), but a
 *  line that still holds a control or bidi character (a capture error naming a hostile file, text a later change
 *  forgot to escape) is escaped whole here, so nothing reaches blessed that could drive the terminal. */
function escapedLine(line: StyledLine): StyledLine {
  return hasControls(line.text) ? { ...line, text: escapeControls(line.text) } : line;
}

/** Exactly `height` lines of at most `width` columns for a `width` × `height` screen. */
export function renderScreen(c: Controller, info: ScreenInfo, views: { stats: SideView; ladder: SideView }, width: number, height: number): StyledLine[] {
  c.settle();
  let out: StyledLine[];
  if (c.view === 'help') out = fullView(c, 'Help', helpLines().map((t) => plain(t)), info, height);
  else if (c.view === 'stats' || c.view === 'ladder') out = fullView(c, views[c.view].title, views[c.view].lines(width), info, height);
  else {
    out = [...filterBar(c, width)];
    const list = listLines(c, width);
    out.push(...list);
    while (out.length < 2 + c.sizes.list) out.push(plain(''));
    out.push(...detailAndHex(c, width));
    out.push(statusLine(c, info));
  }
  return out.slice(0, height).map((l) => cutTo(escapedLine(l), width));
}
