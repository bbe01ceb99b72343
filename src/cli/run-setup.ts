/**
 * What a file run and a live run share: the output writer, the pipeline (its options from the command line) and
 * the printer for the chosen mode. The display filter's event logic and the analysis reports are loaded only
 * when asked for (`-Y`, `--stats` and the like), and the printer loads only its own mode's formatting.
 */
import { createFormatContext } from '../format/format-context';
import type { Filter } from '../filter/evaluate';
import type { TransactionFilter } from '../filter/transaction-filter';
import type { PipelineEvent } from '../rpc/rpc-event';
import { Pipeline, defaultRegistry } from '../pipeline';
import { limitNoticeJson, limitNoticeText, type LimitNotice } from '../limits';
import { LineWriter } from './line-writer';
import type { CliOptions } from './options';
import { createPrinter, type OutputMode, type Printer } from './printer';
import type { Reports } from './reports';

export interface Run {
  out: LineWriter;
  pipeline: Pipeline;
  printer: Printer;
  /** Call after pipeline.finish(): releases what the display filter still holds and prints the reports. */
  finish(): void;
  /** After finish(): the pipeline's and the reports' end-of-run lines for stderr (anomalies, limits reached). */
  warningLines(): string[];
}

/** `out`: where the lines go (stdout for the command; the fuzz harness passes a writer that discards them). */
export async function setupRun(opts: CliOptions, live: boolean, filter: Filter | null = null, out: LineWriter = new LineWriter(process.stdout)): Promise<Run> {
  const registry = defaultRegistry();
  const mode: OutputMode = opts.json ? 'json' : opts.verbose ? 'verbose' : opts.layers ? 'layers' : 'summary';
  // a limit reached: one line (one JSON object) in the output, at once, whatever the mode, filter or report
  const notice = (n: LimitNotice): void => out.line(mode === 'json' ? limitNoticeJson(n) : limitNoticeText(n));
  const pipeline = new Pipeline(
    {
      maxTransactions: opts.maxPending,
      replyTimeout: opts.replyTimeout,
      maxRecordSize: opts.maxRecordSize,
      maxRecordBuffer: opts.maxRecordBuffer,
      maxHeld: opts.maxHeld,
      maxAnswered: opts.maxAnswered,
      maxStreams: opts.maxStreams,
      maxFragments: opts.maxFragments,
      maxStreamBuffer: opts.maxStreamBuffer,
      maxTcpBuffer: opts.maxTcpBuffer,
      onLimit: notice,
      // live output is printed as each message completes
      hold: opts.hold && !live,
      allFrames: opts.all && mode !== 'json',
    },
    (ev) => (tf ? tf.push(ev) : show(ev)),
    registry,
  );
  // --stats/--services/--explain/--findings replace the per-message lines (like tshark -q -z)
  const reports: Reports | null =
    opts.reports.length > 0 ? new (await import('./reports')).Reports(opts.reports, pipeline.names, { maxEndpoints: opts.maxEndpoints, onLimit: notice }) : null;
  const printer = await createPrinter(mode, opts.timeMode, createFormatContext(registry, pipeline.names, { showNames: opts.names }), opts.rtt ?? live);
  const show = (ev: PipelineEvent): void => {
    if (reports) reports.add(ev);
    else for (const l of printer.lines(ev)) out.line(l);
  };
  // -Y: a call and its reply are shown together when either matches (filter/transaction-filter.ts)
  const tf: TransactionFilter | null = filter
    ? new (await import('../filter/transaction-filter')).TransactionFilter(filter, (ev, visible) => visible && show(ev), {
        hold: opts.hold && !live,
        // the same bound as the release queue: what one held event costs is the same here
        maxHeld: opts.maxHeld,
        context: { path: (h) => pipeline.names.path(h.hex) },
      })
    : null;
  const finish = (): void => {
    tf?.finish();
    if (reports) for (const l of reports.lines(opts.json)) out.line(l);
  };
  return { out, pipeline, printer, finish, warningLines: () => [...pipeline.warningLines(), ...(reports ? reports.warningLines() : [])] };
}
