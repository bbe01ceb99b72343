/**
 * `--explain` as text: per client, each mount attempt as numbered steps (what was asked, what came back, the
 * frames, the latency, why the step exists, and for a failed step the likely cause), then the verdict; MOUNT/NFS
 * traffic that is not a mount last. Wire strings (paths, names) are escaped (escape.ts): a hostile path cannot
 * drive the terminal.
 */
import { escapeControls } from '../format/escape';
import { fmtMs, framesText } from './event-facts';
import { clipPath, type ExplainReport, type ExplainStep, type MountAttempt, type OtherUse } from './explain';

export interface ExplainTextOptions {
  /** Leave out the one-sentence explanation of each step (default: shown, this is for teaching). */
  brief?: boolean;
}

const VERDICT_WORDS: Record<MountAttempt['verdict'], string> = { mounted: 'MOUNTED', failed: 'FAILED', incomplete: 'INCOMPLETE' };

const e = (s: string): string => escapeControls(s);

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The header line of the whole report. */
export function explainHeadline(r: ExplainReport): string {
  const t = r.totals;
  const parts = [`${t.mounted} mounted`, `${t.failed} failed`];
  if (t.incomplete) parts.push(`${t.incomplete} incomplete`);
  const other = t.other ? `; ${plural(t.other, 'other use')} of MOUNT/NFS` : '';
  const dropped = r.dropped ? `; ${r.dropped} more not kept` : '';
  return `Mount sequences: ${plural(t.attempts, 'attempt')} (${parts.join(', ')})${other}${dropped}`;
}

/** An attempt's title line (without its indent). */
export function attemptTitle(a: MountAttempt): string {
  const where = a.export !== null ? `${a.server}:${e(clipPath(a.export))}` : `${a.server} (no MNT)`;
  const how: string[] = [];
  if (a.mountVersion !== null || a.mountTransport !== null) how.push(`MOUNT v${a.mountVersion ?? '?'} over ${(a.mountTransport ?? '?').toUpperCase()}`);
  if (a.nfsTransport !== null) how.push(`NFS over ${a.nfsTransport.toUpperCase()}`);
  const span = a.firstFrame === a.lastFrame ? `frame ${a.firstFrame}` : `frames ${a.firstFrame}-${a.lastFrame}`;
  return `Attempt ${a.attempt}: ${where}${how.length ? `, ${how.join(', ')}` : ''}: ${VERDICT_WORDS[a.verdict]} (${fmtMs(a.duration)}, ${span})`;
}

function stepLines(s: ExplainStep, opts: ExplainTextOptions): string[] {
  const mark = s.ok ? 'ok  ' : s.optional ? 'warn' : 'FAIL';
  const resent = s.retransmissions ? `, ${plural(s.retransmissions, 'retransmission')}` : '';
  const latency = s.rtt === null ? '' : `, ${fmtMs(s.rtt)}`;
  const lines = [`  ${String(s.step).padStart(3)}. [${mark}] ${e(s.asked)} -> ${e(s.answered)}  (${framesText(s.frames)}${latency}${resent})`];
  const indent = '          ';
  if (!opts.brief) lines.push(`${indent}Why: ${s.why}`);
  if (!s.ok && s.cause) lines.push(`${indent}Likely cause: ${e(s.cause)}`);
  return lines;
}

/** An attempt's verdict line (indented by two, as the report prints it). */
export function verdictLine(a: MountAttempt): string {
  if (a.verdict === 'mounted') {
    return `  Verdict: mounted; the root handle FH=${a.rootFhHash ?? '?'} works (${fmtMs(a.duration)} from the first call to the last answer).`;
  }
  if (a.verdict === 'failed') {
    const s = a.steps[(a.failedStep ?? 1) - 1];
    return `  Verdict: FAILED at step ${a.failedStep} (${e(s.asked)}): ${e(a.cause ?? '')}`;
  }
  return `  Verdict: incomplete: ${e(a.cause ?? '')}`;
}

function otherLines(o: OtherUse): string[] {
  const lines = [`  Not a mount (${framesText(o.frames, 6)}): ${o.description}`];
  for (const s of o.steps) lines.push(`       ${e(s.asked)} -> ${e(s.answered)}`);
  return lines;
}

/** The whole report as lines (no trailing newline on any). */
export function explainLines(r: ExplainReport, opts: ExplainTextOptions = {}): string[] {
  const out = [explainHeadline(r)];
  if (r.clients.length === 0) {
    out.push('No mount sequence, MOUNT or NFS lookup in the capture.');
    return out;
  }
  for (const c of r.clients) {
    out.push('', `Client ${c.client}`);
    for (const a of c.attempts) {
      out.push(`  ${attemptTitle(a)}`);
      if (a.retryOf !== null) out.push(`  (a retry of attempt ${a.retryOf}: ${a.retryChange})`);
      for (const s of a.steps) out.push(...stepLines(s, opts));
      out.push(verdictLine(a));
      for (const n of a.notes) out.push(`  Note: ${e(n)}`);
      if (a.retriedBy !== null) out.push(`  The client tried again in attempt ${a.retriedBy}.`);
    }
    for (const o of c.other) out.push(...otherLines(o));
  }
  return out;
}
