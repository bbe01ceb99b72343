/**
 * The TUI's pure model over a capture held in memory, for fuzz target (g): the pipeline feeds the transaction store
 * (as tui/app.ts wires it), then every row (up to MAX_ROWS) is turned into what the screen shows — list cells, the
 * detail tree with its byte ranges, the hex pane, the ladder — plus the status bar, the stats pane and the filter
 * bar. Nothing is drawn: blessed is never loaded.
 */
import { openCaptureBytes } from '../../../src/capture/open-capture';
import { CaptureError } from '../../../src/capture/raw-frame';
import type { CliOptions } from '../../../src/cli/options';
import { ExplainAnalyzer } from '../../../src/analysis/explain';
import { StatsAnalyzer } from '../../../src/analysis/stats';
import { createFormatContext } from '../../../src/format/format-context';
import { DEFAULT_PIPELINE, defaultRegistry, Pipeline } from '../../../src/pipeline';
import { isRpcEvent } from '../../../src/rpc/rpc-event';
import { ladderMessages, recentLadderMessages } from '../../../tui/ladder-model';
import { rowClient } from '../../../tui/ladder-columns';
import { statsLines } from '../../../tui/stats-model';
import { TransactionStore } from '../../../tui/store';
import { defaultExpandedIds, detailTree, filterBarState, flattenTree, hexLines, hexSelection, messageBytes, rowCells, rowLine, statusBar } from '../../../tui/view-model';
import { FILTERS } from './filters';

/** Rows whose screens are all built: enough for every kind of row, few enough to keep executions fast. */
const MAX_ROWS = 64;
const WIDTH = 120;

export async function runTuiModel(capture: Buffer, opts: CliOptions): Promise<void> {
  const registry = defaultRegistry();
  const store = new TransactionStore({ maxRows: 1000 });
  const explain = new ExplainAnalyzer();
  const stats = new StatsAnalyzer({ names: { path: (hex: string) => pipeline.names.path(hex) } });
  const pipeline: Pipeline = new Pipeline({ ...DEFAULT_PIPELINE, hold: false, allFrames: true }, (ev) => {
    store.push(ev);
    explain.add(ev);
    if (isRpcEvent(ev)) stats.add(ev);
  }, registry);
  const fmt = createFormatContext(registry, pipeline.names, { showNames: opts.names });
  try {
    const source = await openCaptureBytes(capture, 'fuzz.pcap');
    for await (const frame of source.frames()) pipeline.pushFrame(frame);
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
  }
  pipeline.finish();
  store.refresh();
  store.takeChanged();
  const n = Math.min(store.size, MAX_ROWS);
  for (let i = 0; i < n; i++) {
    const row = store.row(i);
    if (!row) continue;
    rowLine(rowCells(row, fmt), WIDTH);
    const tree = detailTree(row, fmt);
    const lines = flattenTree(tree, defaultExpandedIds(tree));
    for (let k = 0; k < lines.length; k++) {
      const sel = hexSelection(row, lines[k], null);
      if (sel) hexLines(sel.bytes, sel.range, { firstLine: 0, maxLines: 24 });
    }
    ladderMessages(row, fmt);
    for (let m = 0; messageBytes(row, m) !== null && m < 4; m++) hexSelection(row, null, m);
    const client = rowClient(row);
    if (client !== null) recentLadderMessages(store.rows(), client, fmt);
  }
  statusBar(store, { source: 'fuzz.pcap', mode: 'done' });
  statsLines(stats, WIDTH);
  explain.finish();
  const state = filterBarState(FILTERS[store.size % FILTERS.length]);
  if (state.ok) store.rows(state.filter, { path: (h) => pipeline.names.path(h.hex) });
}
