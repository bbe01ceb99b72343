/**
 * Keys to actions, as people know them from less, vim and termshark. One table, so the help screen and the
 * handling cannot disagree. Pure.
 */
import type { KeyInput } from './line-editor';

export type Action =
  | 'quit'
  | 'up'
  | 'down'
  | 'pageUp'
  | 'pageDown'
  | 'top'
  | 'bottom'
  | 'enter'
  | 'expand'
  | 'collapse'
  | 'nextPane'
  | 'prevPane'
  | 'search'
  | 'filter'
  | 'nextMatch'
  | 'prevMatch'
  | 'follow'
  | 'pause'
  | 'nextError'
  | 'prevError'
  | 'callReply'
  | 'stats'
  | 'ladder'
  | 'help'
  | 'back'
  | 'redraw';

/** [keys (blessed's full names, or the typed character), action, what the help screen says]. */
export const KEY_TABLE: ReadonlyArray<[string[], Action, string]> = [
  [['up', 'k'], 'up', 'previous row / line'],
  [['down', 'j'], 'down', 'next row / line'],
  [['pageup', 'C-b'], 'pageUp', 'a page up'],
  [['pagedown', 'C-f'], 'pageDown', 'a page down'],
  [['g', 'home'], 'top', 'first row'],
  [['G', 'end'], 'bottom', 'last row'],
  [['enter'], 'enter', 'list: open the detail; detail: fold or unfold the line'],
  [['right'], 'expand', 'detail: unfold the line'],
  [['left'], 'collapse', 'detail: fold the line (or go to its parent)'],
  [['tab'], 'nextPane', 'next pane (list, detail, hex)'],
  [['S-tab'], 'prevPane', 'previous pane'],
  [['/'], 'search', 'search the rows for text'],
  [['f'], 'filter', 'display filter (as -Y), e.g. status != OK; empty clears it'],
  [['n'], 'nextMatch', 'next search match'],
  [['N'], 'prevMatch', 'previous search match'],
  [['F'], 'follow', 'follow: keep the newest row selected (live tail)'],
  [['space'], 'pause', 'pause / resume the list (new rows wait, nothing is lost)'],
  [['e'], 'nextError', 'next error'],
  [['E'], 'prevError', 'previous error'],
  [['c'], 'callReply', 'jump between the call and its reply'],
  [['s'], 'stats', 'statistics view (as --stats)'],
  [['l'], 'ladder', "ladder view of the selected client's conversation"],
  [['?', 'h'], 'help', 'this help'],
  [['escape'], 'back', 'back to the list (closes a view or this help)'],
  [['C-l'], 'redraw', 'redraw the screen'],
  [['q', 'C-c'], 'quit', 'quit'],
];

const BY_KEY: ReadonlyMap<string, Action> = new Map(KEY_TABLE.flatMap(([keys, action]) => keys.map((k) => [k, action] as [string, Action])));

/** The action of a key: by blessed's full name first (`C-c`, `pagedown`, `S-tab`), then by the typed character
 *  (`G`, `?`, `/` — blessed names `G` as `S-g`). */
export function actionOf(k: KeyInput): Action | null {
  // blessed reports a carriage return twice, as `enter` then as `return`: act on the first only
  if (k.full === 'return') return null;
  if (k.full === 'linefeed') return 'enter';
  const byName = BY_KEY.get(k.full);
  if (byName) return byName;
  if (k.ch !== undefined && k.ch.length === 1) return BY_KEY.get(k.ch === ' ' ? 'space' : k.ch) ?? null;
  return null;
}

/** The help screen's lines. */
export function helpLines(): string[] {
  const out = ['rpcsnoop TUI keys', ''];
  for (const [keys, , what] of KEY_TABLE) out.push(`  ${keys.join(', ').padEnd(16)} ${what}`);
  out.push('', 'Mouse: click a row to select it, the wheel scrolls the pane under it.');
  out.push('Filter fields and operators: see rpcsnoop --help (-Y).');
  return out;
}
