/**
 * What a file run and a live run share: the output writer, the pipeline (its options from the command line) and
 * the printer for the chosen mode.
 */
import { createFormatContext } from '../format/format-context';
import { Pipeline, defaultRegistry } from '../pipeline';
import { LineWriter } from './line-writer';
import type { CliOptions } from './options';
import { Printer, type OutputMode } from './printer';

export interface Run {
  out: LineWriter;
  pipeline: Pipeline;
  printer: Printer;
}

export function setupRun(opts: CliOptions, live: boolean): Run {
  const out = new LineWriter(process.stdout);
  const registry = defaultRegistry();
  const mode: OutputMode = opts.json ? 'json' : opts.verbose ? 'verbose' : opts.layers ? 'layers' : 'summary';
  let printer: Printer | null = null;
  const pipeline = new Pipeline(
    {
      maxTransactions: opts.maxTransactions,
      replyTimeout: opts.replyTimeout,
      maxRecordSize: opts.maxRecordSize,
      // live output is printed as each message completes
      hold: opts.hold && !live,
      allFrames: opts.all && mode !== 'json',
    },
    (ev) => {
      for (const l of (printer as Printer).lines(ev)) out.line(l);
    },
    registry,
  );
  const showRtt = opts.rtt ?? live;
  printer = new Printer(mode, opts.timeMode, createFormatContext(registry, pipeline.names, { showNames: opts.names }), undefined, showRtt);
  return { out, pipeline, printer };
}
