/**
 * For the TUI's view-model tests: a capture run through the pipeline as the TUI will run it — every event pushed
 * into a TransactionStore and fed to the `--stats` and `--explain` analyzers as it comes — with the FormatContext
 * the CLI would use (learned names shown).
 */
import { createFormatContext, DEFAULT_PIPELINE, defaultRegistry, ExplainAnalyzer, isRpcEvent, Pipeline, StatsAnalyzer, type FormatContext, type PipelineEvent, type PipelineOptions, type RawFrame, type RpcEvent } from '../../src/index';
import { TransactionStore } from '../../tui/store';
import { readFrames } from './capture-packets';
import { fixture } from './fixtures';

export interface TuiRun {
  store: TransactionStore;
  stats: StatsAnalyzer;
  explain: ExplainAnalyzer;
  pipeline: Pipeline;
  fmt: FormatContext;
  /** Every RPC event, in output order. */
  events: RpcEvent[];
}

/** Runs frames through a pipeline into a store and both analyzers; `finish` false leaves the pipeline open (live). */
export function tuiRun(frames: readonly RawFrame[], finish = true, opts: PipelineOptions = DEFAULT_PIPELINE): TuiRun {
  const store = new TransactionStore();
  const events: RpcEvent[] = [];
  let stats: StatsAnalyzer | null = null;
  const explain = new ExplainAnalyzer();
  const onEvent = (ev: PipelineEvent): void => {
    store.push(ev);
    explain.add(ev);
    if (isRpcEvent(ev)) {
      events.push(ev);
      stats?.add(ev);
    }
  };
  const pipeline = new Pipeline(opts, onEvent);
  // the CLI's --stats names the files it lists by the paths the pipeline learned
  stats = new StatsAnalyzer({ names: { path: (hex: string) => pipeline.names.path(hex) } });
  for (const f of frames) pipeline.pushFrame(f);
  if (finish) pipeline.finish();
  store.refresh();
  return { store, stats, explain, pipeline, events, fmt: createFormatContext(defaultRegistry(), pipeline.names, { showNames: true }) };
}

export async function tuiFixture(name: string, finish = true): Promise<TuiRun> {
  return tuiRun(await readFrames(fixture(name)), finish);
}
