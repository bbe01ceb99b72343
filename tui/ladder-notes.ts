/**
 * The ladder's teaching notes: what `--explain` says about each step of a mount, keyed by the frame of the message
 * it belongs to, for ladderLines' `notes`. Pure. ExplainAnalyzer.finish() does not close the analyzer (it only reads
 * its state), so a live view may ask for a report on every redraw: O(steps kept).
 */
import { explainAttemptTitle, explainVerdictLine, type ExplainReport } from '../src/index';

/**
 * Frame number → sentences, from an ExplainReport:
 * - a step's call frame: the attempt's title line before its first step (`Attempt 1: server:/export, MOUNT v3 over
 *   UDP, ...: MOUNTED (...)`) and, for a retry, what changed; then `Step N: <why the step exists>`;
 * - a failed step's reply frame (its last transmission when it got none): `Likely cause: ...`;
 * - the attempt's last frame: its verdict and its notes;
 * - the first frame of MOUNT/NFS traffic that is not a mount: `Not a mount: <what it looks like>`.
 * Texts are as the report has them (paths in titles already escaped); ladderLines escapes every note again, which
 * leaves escaped text unchanged.
 */
export function explainNotes(report: ExplainReport): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const add = (frame: number | undefined, text: string): void => {
    if (frame === undefined) return;
    const list = out.get(frame);
    if (list) list.push(text);
    else out.set(frame, [text]);
  };
  for (const c of report.clients) {
    const many = c.attempts.length > 1;
    for (const a of c.attempts) {
      const first = a.steps[0];
      if (first) {
        add(first.callFrame, explainAttemptTitle(a));
        if (a.retryOf !== null) add(first.callFrame, `A retry of attempt ${a.retryOf}: ${a.retryChange ?? ''}`);
      }
      for (const s of a.steps) {
        add(s.callFrame, `${many ? `Attempt ${a.attempt}, step` : 'Step'} ${s.step}: ${s.why}`);
        if (!s.ok && s.cause) add(s.replyFrame ?? s.frames[s.frames.length - 1], `Likely cause: ${s.cause}`);
      }
      add(a.lastFrame, explainVerdictLine(a).trim());
      for (const n of a.notes) add(a.lastFrame, `Note: ${n}`);
    }
    for (const o of c.other) add(o.frames[0], `Not a mount: ${o.description}`);
  }
  return out;
}
