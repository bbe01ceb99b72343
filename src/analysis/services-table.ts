/**
 * Text and JSON output of `--services` (pure functions).
 *
 * Text: for each server, a line naming it and what taught its announcements, then `rpcinfo -p`'s table — its header
 * `   program vers proto   port  service` and rows `%10d%5d%6s%7d  %s` (rpcinfo.c's pmapdump) — with one more
 * column, `seen`: `announced (DUMP v2)`, `observed (3 calls)`, or both. Rows sorted by program, version, protocol,
 * port. Hostile text (a service name from a custom /etc/rpc) is escaped.
 */
import { escapeControls } from '../format/escape';
import { jsonText } from '../format/json-text';
import type { ServiceRow, ServicesReport } from './services';

export const RPCINFO_HEADER = '   program vers proto   port  service';

/** What the `seen` column says of a row. */
export function seenText(r: ServiceRow): string {
  const parts: string[] = [];
  if (r.announced) {
    const by = [...new Set(r.announcedBy.map((a) => `${a.procedure} v${a.version}`))].join(', ');
    parts.push(`announced (${by})`);
  }
  if (r.observed) parts.push(`observed (${r.observedCalls} call${r.observedCalls === 1 ? '' : 's'})`);
  let s = parts.join(', ');
  if (r.address !== null) s += ` at ${r.address}`;
  return s;
}

/** One rpcinfo -p row (without the seen column). */
export function rpcinfoRow(r: ServiceRow): string {
  return `${String(r.program).padStart(10)}${String(r.version).padStart(5)}${r.proto.padStart(6)}${String(r.port).padStart(7)}  ${escapeControls(r.service)}`;
}

export function servicesLines(report: ServicesReport): string[] {
  const out: string[] = [];
  for (const s of report.servers) {
    if (out.length) out.push('');
    const from = s.sources.map((x) => `${x.procedure} v${x.version}${x.replies > 1 ? ` x${x.replies}` : ''}`);
    out.push(`${s.address}${from.length ? ` (PORTMAP/RPCBIND replies: ${from.join(', ')})` : ''}:`);
    if (s.services.length === 0) {
      out.push('   (no services)');
      continue;
    }
    const w = Math.max(7, ...s.services.map((r) => escapeControls(r.service).length));
    out.push(`${RPCINFO_HEADER}${' '.repeat(w - 'service'.length)}  seen`);
    for (const r of s.services) {
      const row = rpcinfoRow(r);
      out.push(`${row}${' '.repeat(w - escapeControls(r.service).length)}  ${seenText(r)}`);
    }
  }
  if (report.servers.length === 0) out.push('no RPC services seen');
  for (const n of report.notes) out.push(`note: ${n}`);
  return out;
}

/** The JSON shape of `--services --json`: the report itself (plain data). */
export function servicesJson(report: ServicesReport): string {
  return jsonText(report);
}
