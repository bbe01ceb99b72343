/**
 * The full-screen views behind `s` and `l`: the `--stats` tables, live (the analyzer is fed every event as it comes
 * and asked for a snapshot at each draw), and the ladder of the selected row's client, with the `--explain`
 * sentences under the mount steps. Both are made from the analyzers the app feeds; only what fits is drawn.
 */
import type { ExplainAnalyzer, StatsAnalyzer } from '../src/index';
import type { Controller } from './controller';
import { explainNotes, ladderLines, recentLadderMessages, rowClient } from './ladder-model';
import { SEVERITY_STYLE, type SideView } from './render-main';
import { statsLines } from './stats-model';
import type { StyledLine } from './styled-line';


export function statsView(stats: StatsAnalyzer): SideView {
  return {
    title: 'Statistics (as --stats, updated as messages arrive)',
    lines: (width) => statsLines(stats, width).map((text) => ({ text })),
  };
}

export function ladderView(ctl: Controller, explain: ExplainAnalyzer): SideView {
  return {
    title: 'Ladder of the selected client (with --explain notes)',
    lines: (width): StyledLine[] => {
      const row = ctl.selectedRow();
      const client = row ? rowClient(row) : null;
      if (!row || client === null) return [{ text: 'Select an RPC row first: the ladder shows its client’s conversation.', style: 'note' }];
      const full = ctl.details(row) ?? row;
      const rows = ctl.store.rows().map((r) => (r.id === row.id ? full : r));
      const recent = recentLadderMessages(rows, client, ctl.fmt);
      const lines = ladderLines(recent.messages, client, width, {
        notes: explainNotes(explain.finish()),
        selectedRowId: row.id,
        total: recent.total,
        timeBase: ctl.store.firstTs,
      });
      return lines.map((l) => ({ text: l.text, style: l.isNote ? 'note' : SEVERITY_STYLE[l.severity], inverse: l.selected && !l.isNote }));
    },
  };
}
