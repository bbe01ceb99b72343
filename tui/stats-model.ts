/**
 * The TUI's statistics view model: the `--stats` report (stats-table.ts's sections, the same content the CLI prints)
 * as lines no longer than the pane is wide. Pure: the blessed view feeds a StatsAnalyzer with the events as they
 * arrive and calls statsLines() on every redraw.
 *
 * Narrowing (a table that does not fit, step by step until it does):
 *   1. every column as wide as its longest cell or title (the CLI pads counts to 7 and times to 10 columns);
 *   2. programs by name only (`PORTMAP(100000)` → `PORTMAP`);
 *   3. the P99 and P50 columns go;
 *   4. short titles (`Replies` → `Repl`, `Avg RTT` → `Avg`);
 *   5. further columns go, least useful first (DROP_ORDER: Index, Min RTT, P95, DupRepl, Orphans, Max RTT, Retrans);
 *   6. addresses, program and procedure names are cut (with `…`) down to a minimum.
 * Columns are never wrapped. The last, free column (a file's path, a procedure's error statuses) takes what is left:
 * a path keeps its end, the statuses continue on further lines under their column. Prose lines (the capture span,
 * NFS volumes, notes) wrap at spaces; rules are cut. At 80 columns every table keeps the procedure, the counts of
 * calls, replies, errors and unanswered calls, and the average RTT; on the mount captures it keeps all but Index,
 * P50 and P99.
 *
 * Cost of a redraw: StatsAnalyzer.snapshot() (O(open calls) when nothing arrived since the last redraw; otherwise a
 * new report, see there), then O(cells × steps) to lay the tables out (at most `maxRows` rows each).
 */
import { StatsAnalyzer, statsSections, statsTableLines, type StatsReport, type StatsTable } from '../src/index';
import { fit } from './view-model';

export interface StatsViewOptions {
  /** Rows shown per table (procedures, clients, servers...); a line tells how many more there are. Default 200. */
  maxRows?: number;
}

export const DEFAULT_STATS_ROWS = 200;

/** Columns dropped when a table does not fit, first to last (after P99 and P50, see the header). */
const DROP_ORDER = ['index', 'minRtt', 'p95', 'duplicateReplies', 'orphanReplies', 'maxRtt', 'retransmissions', 'readOps', 'writeOps'];

const SHORT_TITLES: Readonly<Record<string, string>> = {
  program: 'Prog',
  vers: 'V',
  index: '#',
  procedure: 'Proc',
  calls: 'Calls',
  replies: 'Repl',
  errors: 'Err',
  unanswered: 'Unans',
  retransmissions: 'Retr',
  duplicateReplies: 'Dup',
  orphanReplies: 'Orph',
  minRtt: 'Min',
  avgRtt: 'Avg',
  p50: 'P50',
  p95: 'P95',
  p99: 'P99',
  maxRtt: 'Max',
  readBytes: 'Read',
  readOps: 'READs',
  writeBytes: 'Written',
  writeOps: 'WRITEs',
};

/** Columns that may be cut, and how narrow. */
const SQUEEZE: ReadonlyArray<[string, number]> = [
  ['address', 15],
  ['program', 6],
  ['procedure', 7],
];

/** Room a free last column keeps at least before other columns give way. */
const FREE_MIN = 16;

interface WorkColumn {
  key: string;
  title: string;
  align: 'left' | 'right';
  sep: string;
  free: boolean;
  cells: string[];
  /** Cut cells to this width (squeezing), or null. */
  max: number | null;
}

/** A column's width once compacted: its longest cell, or its title when the table shows titles. */
function widthOf(c: WorkColumn, header: boolean): number {
  let w = header ? c.title.length : 0;
  for (const s of c.cells) if (s.length > w) w = s.length;
  return c.max === null ? w : Math.min(w, c.max);
}

/** Columns before the free one, with their separators; plus what the free one needs. */
function needed(cols: readonly WorkColumn[], header: boolean): number {
  let n = 0;
  for (const c of cols) {
    if (!c.free) n += c.sep.length + widthOf(c, header);
    else n += c.sep.length + Math.min(FREE_MIN, widthOf(c, header));
  }
  return n;
}

type Step = (cols: WorkColumn[]) => WorkColumn[];

const dropStep =
  (key: string): Step =>
  (cols) =>
    cols.length > 1 && cols[0].key !== key ? cols.filter((c) => c.key !== key) : cols;

const STEPS: readonly Step[] = [
  // 1. compact: widths follow the content (widthOf), two-space separators become one
  (cols) => cols.map((c, i) => (i > 0 && c.sep.length > 1 ? { ...c, sep: ' ' } : c)),
  // 2. programs by name only
  (cols) => cols.map((c) => (c.key === 'program' ? { ...c, cells: c.cells.map((s) => /^(.*[^\d\s].*)\(\d+\)$/.exec(s)?.[1] ?? s) } : c)),
  dropStep('p99'),
  dropStep('p50'),
  (cols) => cols.map((c) => ({ ...c, title: SHORT_TITLES[c.key] ?? c.title })),
  ...DROP_ORDER.map(dropStep),
];

function squeeze(cols: WorkColumn[], header: boolean, width: number): WorkColumn[] {
  let over = needed(cols, header) - width;
  return cols.map((c) => {
    const min = SQUEEZE.find(([k]) => k === c.key)?.[1];
    if (over <= 0 || min === undefined) return c;
    const w = widthOf(c, header);
    const cut = Math.min(over, Math.max(0, w - min));
    over -= cut;
    return cut > 0 ? { ...c, max: w - cut } : c;
  });
}

/** Words of `s` in lines of at most `w` columns (a longer word is cut into pieces). */
function wrapWords(s: string, w: number): string[] {
  const out: string[] = [];
  let line = '';
  for (let word of s.split(' ')) {
    while (word.length > w) {
      if (line) {
        out.push(line);
        line = '';
      }
      out.push(word.slice(0, w));
      word = word.slice(w);
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= w) line += ` ${word}`;
    else {
      out.push(line);
      line = word;
    }
  }
  if (line || out.length === 0) out.push(line);
  return out;
}

function renderColumns(cols: readonly WorkColumn[], header: boolean, rows: number, width: number): string[] {
  const widths = cols.map((c) => widthOf(c, header));
  const out: string[] = [];
  const line = (cell: (c: WorkColumn, i: number) => string): void => {
    let prefix = '';
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i];
      if (c.free) {
        const room = Math.max(1, width - prefix.length - c.sep.length);
        const s = cell(c, i);
        if (c.key === 'path') {
          out.push(prefix + c.sep + (s.length > room ? fit(s, room, 'left', true) : s));
        } else {
          const parts = wrapWords(s, room);
          out.push(prefix + c.sep + parts[0]);
          for (const p of parts.slice(1)) out.push(' '.repeat(prefix.length + c.sep.length) + p);
        }
        return;
      }
      prefix += c.sep + fit(cell(c, i), widths[i], c.align);
    }
    out.push(prefix.trimEnd());
  };
  if (header) line((c) => c.title);
  for (let r = 0; r < rows; r++) line((c) => c.cells[r] ?? '');
  return out;
}

/** A table's lines in at most `width` columns: as the CLI prints it when it fits, narrowed otherwise. */
export function tableLinesFitted(t: StatsTable, width: number): string[] {
  const full = statsTableLines(t);
  if (full.every((l) => l.length <= width)) return full;
  let cols: WorkColumn[] = t.columns.map((c, i) => ({
    key: c.key,
    title: c.title,
    align: c.align,
    sep: c.sep,
    free: c.free === true,
    cells: t.rows.map((r) => r[i] ?? ''),
    max: null,
  }));
  // the first two steps lose nothing (padding, a program number that the name already says): always taken, so that a
  // free column gets that room too
  STEPS.forEach((step, i) => {
    if (i < 2 || needed(cols, t.header) > width) cols = step(cols);
  });
  if (needed(cols, t.header) > width) cols = squeeze(cols, t.header, width);
  return renderColumns(cols, t.header, t.rows.length, width);
}

/** A prose line wrapped at spaces, continuation lines indented by two (one line when it fits). */
function wrapText(s: string, width: number): string[] {
  if (s.length <= width) return [s];
  const lead = /^ */.exec(s)?.[0] ?? '';
  const indent = width > lead.length + 12 ? `${lead}  ` : '';
  const first = wrapWords(s.slice(lead.length), Math.max(1, width - lead.length));
  const head = lead + first[0];
  const rest = wrapWords(first.slice(1).join(' '), Math.max(1, width - indent.length)).filter((x) => x !== '');
  return [head, ...rest.map((x) => indent + x)];
}

/**
 * The `--stats` report in lines of at most `width` columns (at least 1): the CLI's text exactly when it fits,
 * narrowed as the module header says otherwise. `source`: the analyzer being fed (its snapshot() is shown) or a
 * finished report.
 */
export function statsLines(source: StatsAnalyzer | StatsReport, width: number, opts: StatsViewOptions = {}): string[] {
  const w = Math.max(1, Math.floor(width));
  const maxRows = Math.max(1, opts.maxRows ?? DEFAULT_STATS_ROWS);
  const report = source instanceof StatsAnalyzer ? source.snapshot() : source;
  const out: string[] = [];
  for (const s of statsSections(report)) {
    if (s.kind === 'rule') out.push(s.text.slice(0, w));
    else if (s.kind === 'text') out.push(...wrapText(s.text, w));
    else {
      const more = s.rows.length - maxRows;
      out.push(...tableLinesFitted(more > 0 ? { ...s, rows: s.rows.slice(0, maxRows) } : s, w));
      if (more > 0) out.push(...wrapText(`  … ${more} more (rpcsnoop --stats lists them all)`, w));
    }
  }
  // the last guard: nothing above should be longer, but a view must never get a line wider than itself
  return out.map((l) => (l.length > w ? fit(l, w) : l));
}
