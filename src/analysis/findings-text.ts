/**
 * `--findings` as text: a count line, then each finding, most severe first: `[SEVERITY] title`, the evidence
 * frames, the advice, and up to a few lines of its facts (paths of errors, slowest replies, amplification peers,
 * what a DUMP or EXPORT listed). Wire strings (paths, names) are escaped (escape.ts).
 */
import { escapeControls } from '../format/escape';
import { clipPath, fmtMs, framesText } from './event-facts';
import type {
  AmplificationDetails,
  DisclosureDetails,
  ErrorDetails,
  Finding,
  FindingsReport,
  LookupDetails,
  OutlierDetails,
  RootDetails,
  AuthNoneDetails,
} from './findings';

export interface FindingsTextOptions {
  /** Lines of facts shown per finding (default 8). */
  maxDetailLines?: number;
}

const e = (s: string): string => escapeControls(s);

const INDENT = '         ';

export function findingsHeadline(r: FindingsReport): string {
  const c = r.counts;
  const n = r.findings.length;
  return `Findings: ${n} (${c.high} high, ${c.medium} medium, ${c.low} low, ${c.info} info) in ${r.stats.calls} calls and ${r.stats.replies} replies`;
}

function detailLines(f: Finding, max: number): string[] {
  const out: string[] = [];
  switch (f.kind) {
    case 'error-replies':
    case 'stale-handles': {
      const d = f.details as unknown as ErrorDetails;
      for (const p of d.paths.slice(0, max)) out.push(`${e(clipPath(p.path))}: ${p.count}× ${p.procedures.join(', ')} (${framesText(p.frames, 6)})`);
      if (d.paths.length > max) out.push(`… ${d.paths.length - max} more paths`);
      break;
    }
    case 'latency-outliers': {
      const d = f.details as unknown as OutlierDetails;
      out.push(`median ${fmtMs(d.median)}, p99 ${fmtMs(d.p99)}, ${d.samples} replies; outlier above ${fmtMs(d.threshold)}`);
      for (const o of d.outliers.slice(0, max)) out.push(`frame ${o.callFrame} -> ${o.replyFrame}: ${fmtMs(o.rtt)}`);
      break;
    }
    case 'udp-amplification': {
      const d = f.details as unknown as AmplificationDetails;
      const ip = d.ipRatio !== null ? `; IP datagrams: ${d.ipBytesOut} bytes out / ${d.ipBytesIn} in = ${d.ipRatio.toFixed(2)}×` : '; IP datagram lengths not at hand';
      out.push(`${d.pairs} answered call${d.pairs === 1 ? '' : 's'}: UDP payload ${d.bytesOut} bytes out / ${d.bytesIn} in = ${d.ratio.toFixed(2)}× (largest ${d.maxRatio.toFixed(2)}×)${ip}`);
      for (const p of d.peers.slice(0, max)) out.push(`peer ${p.address} (${p.remote ? 'remote' : 'local'}): ${p.pairs} answered, ${p.bytesOut} bytes out / ${p.bytesIn} in`);
      if (d.unanswered) out.push(`${d.unanswered} call${d.unanswered === 1 ? '' : 's'} of the kind got no reply`);
      break;
    }
    case 'service-disclosure': {
      const d = f.details as unknown as DisclosureDetails;
      for (const i of d.items.slice(0, max)) out.push(e(i));
      if (d.items.length > max) out.push(`… ${d.items.length - max} more`);
      break;
    }
    case 'unregistered-lookups': {
      const d = f.details as unknown as LookupDetails;
      for (const l of d.lookups.slice(0, max)) out.push(`${l.program === String(l.prog) ? 'program' : l.program} ${l.prog} v${l.vers} ${l.transport.toUpperCase()}: ${l.count}× (${framesText(l.frames, 6)})`);
      break;
    }
    case 'auth-unix-root': {
      const d = f.details as unknown as RootDetails;
      if (d.machines.length) out.push(`machine name${d.machines.length === 1 ? '' : 's'} in the credential: ${d.machines.map(e).join(', ')}`);
      for (const x of d.notSquashed.slice(0, max)) out.push(`frame ${x.replyFrame}: ${e(clipPath(x.path))} created as root, owned by uid ${x.uid}`);
      break;
    }
    case 'auth-none': {
      const d = f.details as unknown as AuthNoneDetails;
      for (const a of d.accepted.slice(0, max)) out.push(`frame ${a.callFrame}: ${a.procedure} from ${a.client} with AUTH_NONE, accepted`);
      for (const o of d.offered.slice(0, max)) out.push(`frame ${o.replyFrame}: MNT ${e(clipPath(o.export))} offers AUTH_NONE`);
      break;
    }
    default:
      break;
  }
  return out;
}

/** The whole report as lines (no trailing newline on any). */
export function findingsLines(r: FindingsReport, opts: FindingsTextOptions = {}): string[] {
  const max = opts.maxDetailLines ?? 8;
  const out = [findingsHeadline(r)];
  if (r.findings.length === 0) {
    out.push('Nothing to report.');
    return out;
  }
  for (const f of r.findings) {
    const tag = `[${f.severity.toUpperCase()}]`.padEnd(INDENT.length - 1);
    out.push('', `${tag} ${e(f.title)}`);
    if (f.evidence.length) out.push(`${INDENT}Evidence: ${framesText(f.evidence, 12, Math.max(f.evidenceCount, f.evidence.length))}`);
    for (const l of detailLines(f, max)) out.push(`${INDENT}  ${l}`);
    out.push(`${INDENT}Advice: ${f.advice}`);
  }
  return out;
}
