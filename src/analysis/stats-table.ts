/**
 * Text output of `--stats` (pure functions: report → lines, no trailing newlines).
 *
 * - `statsLines`: one table for every program/version/procedure of the capture (tshark's SRT table laid out for all
 *   programs at once, with replies, errors, unanswered calls, retransmissions and RTT percentiles), the errors by
 *   status, per-client and per-server totals, then NFSv3 READ/WRITE volumes.
 * - `srtLines`: tshark's `-z rpc,srt,PROG,VERS` output, verbatim layout (Wireshark ui/cli/tap-srt.c, 4.0.17;
 *   wireshark-notes.md §5.1), from the report's `srt` numbers: rows in procedure (Index) order, procedures with at
 *   least one sample only, `%5d  %-22s %6u %3d.%06d %3d.%06d %3d.%06d %3d.%06d`; min and max rounded to the µs
 *   from nanoseconds (+500 ns, then truncated), the average from the integer nanosecond sum divided by the count
 *   (truncated), then rounded to the µs the same way; the sum rounded the same way.
 */
import { escapeControls } from '../format/escape';
import type { EndpointStats, ProcedureStats, StatsReport } from './stats';

/** Files listed in the text table (the JSON report has them all). */
const MAX_FILES_SHOWN = 20;

const RULE_OPEN = '===================================================================';
const RULE_CLOSE = '==================================================================';

function padL(s: string | number, n: number): string {
  return String(s).padStart(n);
}

function padR(s: string, n: number): string {
  return s.padEnd(n);
}

/** Seconds with 6 decimals (µs), or `-`. */
export function secondsText(s: number | null): string {
  return s === null ? '-' : s.toFixed(6);
}

/** tshark's `%3d.%06d` of a duration given in nanoseconds, µs rounded the way tap-srt.c rounds. */
function tsharkNs(secs: number, nsecRoundedUs: number): string {
  return `${padL(secs, 3)}.${String(nsecRoundedUs).padStart(6, '0')}`;
}

/** min/max: nstime secs and (nsecs + 500) / 1000 printed separately (as tap-srt.c does, even at 999999500 ns). */
function tsharkTime(ns: number): string {
  const secs = Math.floor(ns / 1e9);
  return tsharkNs(secs, Math.floor((ns - secs * 1e9 + 500) / 1000));
}

/** avg and sum: a µs count printed as secs.µs. */
function tsharkUs(us: number): string {
  return tsharkNs(Math.floor(us / 1e6), us % 1e6);
}

const toNs = (s: number): number => Math.round(s * 1e9);

/** tshark's procedure-field abbreviation shown on the `Filter:` line, by program number (packet-*.c hf names). */
const SRT_FILTER_PREFIX: Readonly<Record<number, string>> = {
  100000: 'portmap',
  100003: 'nfs',
  100005: 'mount',
  100011: 'rquota',
  100021: 'nlm',
  100024: 'stat',
  100227: 'nfsacl',
};

export function srtFilter(prog: number, vers: number): string {
  const p = SRT_FILTER_PREFIX[prog];
  return p ? `${p}.procedure_v${vers}` : '';
}

/** tshark `-q -z rpc,srt,PROG,VERS` lines (the leading empty line included, as tshark prints it). */
export function srtLines(report: StatsReport, prog: number, vers: number): string[] {
  const rows = report.procedures.filter((p) => p.program === prog && p.version === vers && p.srt.calls > 0).sort((a, b) => a.procedure - b.procedure);
  const out = ['', RULE_OPEN, 'RPC SRT Statistics:', `Filter: ${srtFilter(prog, vers)}`];
  out.push(`Index  ${padR('Procedure', 22)} Calls    Min SRT    Max SRT    Avg SRT    Sum SRT`);
  for (const p of rows) {
    const s = p.srt;
    const sumNs = toNs(s.sum);
    const avgUs = Math.floor((Math.floor(sumNs / s.calls) + 500) / 1000);
    const sumUs = Math.floor((sumNs + 500) / 1000);
    out.push(
      `${padL(p.procedure, 5)}  ${padR(p.name, 22)} ${padL(s.calls, 6)} ${tsharkTime(toNs(s.min ?? 0))} ${tsharkTime(toNs(s.max ?? 0))} ${tsharkUs(avgUs)} ${tsharkUs(sumUs)}`,
    );
  }
  out.push(RULE_CLOSE);
  return out;
}

// ------------------------------------------------------------------------------------------ --stats table

/**
 * The `--stats` report as sections: its content (cells already formatted) apart from its layout, so that the text
 * report and the TUI's statistics view (which narrows the tables to the terminal) show the same thing.
 */
export interface StatsColumn {
  /** Stable name of the column, for a view's narrowing policy (`program`, `calls`, `p95`, `address`, `path`...). */
  key: string;
  title: string;
  align: 'left' | 'right';
  /** The width the text report pads every cell to (a longer cell overflows it, as printf's `%7d` does). */
  width: number;
  /** What precedes the column: the table's indent for the first one, the separator for the others. */
  sep: string;
  /** The last column's free text (a list of statuses, a path): never padded. */
  free?: boolean;
}

export interface StatsTable {
  kind: 'table';
  id: 'procedures' | 'errors' | 'clients' | 'servers' | 'files';
  columns: StatsColumn[];
  /** The first line shows the column titles. */
  header: boolean;
  /** Cells in column order; wire strings (paths) already escaped. */
  rows: string[][];
}

/** A rule (`=====`), a line of text (possibly empty), or a table. */
export type StatsSection = { kind: 'rule'; text: string } | { kind: 'text'; text: string } | StatsTable;

function programLabel(p: ProcedureStats): string {
  return p.programName ? `${p.programName}(${p.program})` : String(p.program);
}

function plural(n: number, word: string, words = `${word}s`): string {
  return `${n} ${n === 1 ? word : words}`;
}

function col(key: string, title: string, width: number, align: 'left' | 'right' = 'right', sep = ' '): StatsColumn {
  return { key, title, align, width, sep };
}

const rtt = (key: string, title: string): StatsColumn => col(key, title, 10);

function endpointTable(id: 'clients' | 'servers', list: EndpointStats[]): StatsTable {
  const server = id === 'servers';
  const w = Math.max(7, ...list.map((e) => e.address.length));
  const columns = [
    col('address', 'Address', w, 'left', ''),
    col('calls', 'Calls', 7, 'right', '  '),
    col('replies', 'Replies', 7),
    col('errors', 'Errors', 7),
    col('unanswered', 'Unanswd', 7),
    col('retransmissions', 'Retrans', 7),
    col('duplicateReplies', 'DupRepl', 7),
    ...(server ? [col('orphanReplies', 'Orphans', 7)] : []),
    rtt('minRtt', 'Min RTT'),
    rtt('avgRtt', 'Avg RTT'),
    rtt('maxRtt', 'Max RTT'),
  ];
  const rows = list.map((e) => [
    e.address,
    String(e.calls),
    String(e.replies),
    String(e.errors),
    String(e.unanswered),
    String(e.retransmissions),
    String(e.duplicateReplies),
    ...(server ? [String(e.orphanReplies)] : []),
    secondsText(e.rtt.min),
    secondsText(e.rtt.avg),
    secondsText(e.rtt.max),
  ]);
  return { kind: 'table', id, columns, header: true, rows };
}

function bytesText(n: number): string {
  return n.toLocaleString('en-US');
}

function rateText(bps: number | null): string {
  if (bps === null) return '-';
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(3)} MB/s`;
  if (bps >= 1e3) return `${(bps / 1e3).toFixed(3)} kB/s`;
  return `${bps.toFixed(1)} B/s`;
}

/** The `--stats` report as sections, in the order the text report prints them. */
export function statsSections(report: StatsReport): StatsSection[] {
  const c = report.capture;
  const text = (t: string): StatsSection => ({ kind: 'text', text: t });
  const out: StatsSection[] = [{ kind: 'rule', text: RULE_OPEN }, text('RPC Statistics (all programs):')];
  out.push(
    text(
      `Capture: ${plural(c.messages, 'RPC message')} (${plural(c.calls, 'call')}, ${plural(c.replies, 'reply', 'replies')}, ` +
        `${c.orphanReplies} without their call), first ${c.first ?? '-'}, last ${c.last ?? '-'}, span ${secondsText(c.duration)} s`,
    ),
  );
  const procs = report.procedures;
  const progW = Math.max(7, ...procs.map((p) => programLabel(p).length));
  const nameW = Math.max(9, ...procs.map((p) => p.name.length));
  const procColumns = [col('program', 'Program', progW, 'left', ''), col('vers', 'Vers', 4), col('index', 'Index', 5), col('procedure', 'Procedure', nameW, 'left', '  ')];
  const procCells = (p: ProcedureStats): string[] => [programLabel(p), String(p.version), String(p.procedure), p.name];
  out.push({
    kind: 'table',
    id: 'procedures',
    header: true,
    columns: [
      ...procColumns,
      col('calls', 'Calls', 7),
      col('replies', 'Replies', 7),
      col('errors', 'Errors', 7),
      col('unanswered', 'Unanswd', 7),
      col('retransmissions', 'Retrans', 7),
      rtt('minRtt', 'Min RTT'),
      rtt('avgRtt', 'Avg RTT'),
      rtt('p50', 'P50 RTT'),
      rtt('p95', 'P95 RTT'),
      rtt('p99', 'P99 RTT'),
      rtt('maxRtt', 'Max RTT'),
    ],
    rows: procs.map((p) => [
      ...procCells(p),
      String(p.calls),
      String(p.replies),
      String(p.errors),
      String(p.unanswered),
      String(p.retransmissions),
      ...[p.rtt.min, p.rtt.avg, p.rtt.p50, p.rtt.p95, p.rtt.p99, p.rtt.max].map(secondsText),
    ]),
  });
  const withErrors = procs.filter((p) => p.errors > 0);
  if (withErrors.length) {
    out.push(text(''), text('Errors by status:'));
    out.push({
      kind: 'table',
      id: 'errors',
      header: false,
      columns: [...procColumns, { ...col('statuses', 'Statuses', 0, 'left'), free: true }],
      rows: withErrors.map((p) => [
        ...procCells(p),
        Object.entries(p.errorsByStatus)
          .map(([k, n]) => `${k}=${n}`)
          .join(' '),
      ]),
    });
  }
  const dups = procs.reduce((n, p) => n + p.duplicateReplies, 0);
  if (dups) out.push(text(''), text(`Duplicate replies: ${dups} (counted in Replies, not in Errors or RTT)`));
  for (const [title, list, id] of [
    ['Clients', report.clients, 'clients'],
    ['Servers', report.servers, 'servers'],
  ] as const) {
    if (list.length) out.push(text(''), text(`${title}:`), endpointTable(id, list));
  }
  const n = report.nfs;
  if (n.readOps || n.writeOps || n.read.first || n.write.first) {
    out.push(text(''), text('NFSv3 data (NFS3_OK replies; throughput over the capture span, and over the busy span first call to last reply):'));
    out.push(
      text(
        `READ   ${padL(bytesText(n.readBytes), 15)} bytes in ${plural(n.readOps, 'reply', 'replies')}, ` +
          `${rateText(n.readThroughput)} (capture), ${rateText(n.read.throughput)} over ${secondsText(n.read.duration)} s (busy)`,
      ),
    );
    out.push(
      text(
        `WRITE  ${padL(bytesText(n.writeBytes), 15)} bytes in ${plural(n.writeOps, 'reply', 'replies')}, ` +
          `${rateText(n.writeThroughput)} (capture), ${rateText(n.write.throughput)} over ${secondsText(n.write.duration)} s (busy)`,
      ),
    );
  }
  if (n.files.length) {
    const shown = n.files.slice(0, MAX_FILES_SHOWN);
    out.push(text(`Files (${n.files.length}${n.files.length > shown.length ? `, the ${shown.length} busiest shown` : ''}):`));
    out.push({
      kind: 'table',
      id: 'files',
      header: true,
      columns: [
        col('fh', 'FH', 7, 'left', '  '),
        col('readBytes', 'Read bytes', 15),
        col('readOps', 'READs', 7),
        col('writeBytes', 'Written bytes', 15),
        col('writeOps', 'WRITEs', 7),
        { ...col('path', 'Path', 0, 'left', '  '), free: true },
      ],
      rows: shown.map((f) => [
        `FH=${f.fhHash}`,
        bytesText(f.readBytes),
        String(f.readOps),
        bytesText(f.writeBytes),
        String(f.writeOps),
        f.path === null ? '-' : escapeControls(f.path),
      ]),
    });
  }
  if (report.notes.length) out.push(text(''), text('Notes:'), ...report.notes.map((s) => text(`  ${s}`)));
  out.push({ kind: 'rule', text: RULE_CLOSE });
  return out;
}

/** A cell padded as the text report pads it (a free column is not). */
function cellText(c: StatsColumn, s: string): string {
  if (c.free) return s;
  return c.align === 'right' ? padL(s, c.width) : padR(s, c.width);
}

/** A table's lines as the text report prints them. */
export function statsTableLines(t: StatsTable): string[] {
  const line = (cells: readonly string[]): string => t.columns.map((c, i) => c.sep + cellText(c, cells[i] ?? '')).join('');
  const out = t.header ? [line(t.columns.map((c) => c.title))] : [];
  for (const r of t.rows) out.push(line(r));
  return out;
}

/** The `--stats` text report. */
export function statsLines(report: StatsReport): string[] {
  return statsSections(report).flatMap((s) => (s.kind === 'table' ? statsTableLines(s) : [s.text]));
}
