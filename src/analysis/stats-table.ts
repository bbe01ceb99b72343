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
import type { EndpointStats, ProcedureStats, RttSummary, StatsReport } from './stats';

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

function programLabel(p: ProcedureStats): string {
  return p.programName ? `${p.programName}(${p.program})` : String(p.program);
}

function rttCells(r: RttSummary, percentiles: boolean): string[] {
  const cells = [r.min, r.avg];
  if (percentiles) cells.push(r.p50, r.p95, r.p99);
  cells.push(r.max);
  return cells.map((x) => padL(secondsText(x), 10));
}

function plural(n: number, word: string, words = `${word}s`): string {
  return `${n} ${n === 1 ? word : words}`;
}

function endpointLines(title: string, list: EndpointStats[], server: boolean): string[] {
  if (list.length === 0) return [];
  const w = Math.max(7, ...list.map((e) => e.address.length));
  const out = [`${title}:`];
  out.push(
    `${padR('Address', w)}  ${padL('Calls', 7)} ${padL('Replies', 7)} ${padL('Errors', 7)} ${padL('Unanswd', 7)} ${padL('Retrans', 7)} ${padL('DupRepl', 7)}` +
      `${server ? ` ${padL('Orphans', 7)}` : ''} ${padL('Min RTT', 10)} ${padL('Avg RTT', 10)} ${padL('Max RTT', 10)}`,
  );
  for (const e of list) {
    out.push(
      `${padR(e.address, w)}  ${padL(e.calls, 7)} ${padL(e.replies, 7)} ${padL(e.errors, 7)} ${padL(e.unanswered, 7)} ${padL(e.retransmissions, 7)} ` +
        `${padL(e.duplicateReplies, 7)}${server ? ` ${padL(e.orphanReplies, 7)}` : ''} ${rttCells(e.rtt, false).join(' ')}`,
    );
  }
  return out;
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

/** The `--stats` text report. */
export function statsLines(report: StatsReport): string[] {
  const c = report.capture;
  const out: string[] = [RULE_OPEN, 'RPC Statistics (all programs):'];
  out.push(
    `Capture: ${plural(c.messages, 'RPC message')} (${plural(c.calls, 'call')}, ${plural(c.replies, 'reply', 'replies')}, ` +
      `${c.orphanReplies} without their call), first ${c.first ?? '-'}, last ${c.last ?? '-'}, span ${secondsText(c.duration)} s`,
  );
  const procs = report.procedures;
  const progW = Math.max(7, ...procs.map((p) => programLabel(p).length));
  const nameW = Math.max(9, ...procs.map((p) => p.name.length));
  out.push(
    `${padR('Program', progW)} ${padL('Vers', 4)} ${padL('Index', 5)}  ${padR('Procedure', nameW)} ${padL('Calls', 7)} ${padL('Replies', 7)} ` +
      `${padL('Errors', 7)} ${padL('Unanswd', 7)} ${padL('Retrans', 7)} ${padL('Min RTT', 10)} ${padL('Avg RTT', 10)} ${padL('P50 RTT', 10)} ` +
      `${padL('P95 RTT', 10)} ${padL('P99 RTT', 10)} ${padL('Max RTT', 10)}`,
  );
  for (const p of procs) {
    out.push(
      `${padR(programLabel(p), progW)} ${padL(p.version, 4)} ${padL(p.procedure, 5)}  ${padR(p.name, nameW)} ${padL(p.calls, 7)} ${padL(p.replies, 7)} ` +
        `${padL(p.errors, 7)} ${padL(p.unanswered, 7)} ${padL(p.retransmissions, 7)} ${rttCells(p.rtt, true).join(' ')}`,
    );
  }
  const withErrors = procs.filter((p) => p.errors > 0);
  if (withErrors.length) {
    out.push('', 'Errors by status:');
    for (const p of withErrors) {
      const list = Object.entries(p.errorsByStatus)
        .map(([k, n]) => `${k}=${n}`)
        .join(' ');
      out.push(`${padR(programLabel(p), progW)} ${padL(p.version, 4)} ${padL(p.procedure, 5)}  ${padR(p.name, nameW)} ${list}`);
    }
  }
  const dups = procs.reduce((n, p) => n + p.duplicateReplies, 0);
  if (dups) out.push('', `Duplicate replies: ${dups} (counted in Replies, not in Errors or RTT)`);
  for (const [title, list, server] of [
    ['Clients', report.clients, false],
    ['Servers', report.servers, true],
  ] as const) {
    const lines = endpointLines(title, list, server);
    if (lines.length) out.push('', ...lines);
  }
  const n = report.nfs;
  if (n.readOps || n.writeOps || n.read.first || n.write.first) {
    out.push('', 'NFSv3 data (NFS3_OK replies; throughput over the capture span, and over the busy span first call to last reply):');
    out.push(
      `READ   ${padL(bytesText(n.readBytes), 15)} bytes in ${plural(n.readOps, 'reply', 'replies')}, ` +
        `${rateText(n.readThroughput)} (capture), ${rateText(n.read.throughput)} over ${secondsText(n.read.duration)} s (busy)`,
    );
    out.push(
      `WRITE  ${padL(bytesText(n.writeBytes), 15)} bytes in ${plural(n.writeOps, 'reply', 'replies')}, ` +
        `${rateText(n.writeThroughput)} (capture), ${rateText(n.write.throughput)} over ${secondsText(n.write.duration)} s (busy)`,
    );
  }
  if (n.files.length) {
    const shown = n.files.slice(0, MAX_FILES_SHOWN);
    out.push(`Files (${n.files.length}${n.files.length > shown.length ? `, the ${shown.length} busiest shown` : ''}):`);
    out.push(`  ${padR('FH', 7)} ${padL('Read bytes', 15)} ${padL('READs', 7)} ${padL('Written bytes', 15)} ${padL('WRITEs', 7)}  Path`);
    for (const f of shown) {
      out.push(
        `  ${padR(`FH=${f.fhHash}`, 7)} ${padL(bytesText(f.readBytes), 15)} ${padL(f.readOps, 7)} ${padL(bytesText(f.writeBytes), 15)} ${padL(f.writeOps, 7)}  ` +
          `${f.path === null ? '-' : escapeControls(f.path)}`,
      );
    }
  }
  if (report.notes.length) out.push('', 'Notes:', ...report.notes.map((s) => `  ${s}`));
  out.push(RULE_CLOSE);
  return out;
}
