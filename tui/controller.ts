/**
 * The TUI's interaction state and what keys do to it: the selected row (by id, so it survives new rows, evictions
 * and filters), scrolling, the focused pane, the detail tree's cursor and folds, follow and pause, the filter and
 * search prompts, the full-screen views. No blessed here: app.ts feeds keys and mouse events in and draws what
 * render-main.ts makes of this state, so every behaviour is testable with plain calls.
 */
import type { FormatContext, LimitNotice } from '../src/index';
import { actionOf, type Action } from './keymap';
import { LineEditor, type KeyInput } from './line-editor';
import type { RowView } from './row-view';
import { rowMessages, type TransactionStore, type TxRow } from './store';
import { defaultExpandedIds, detailTree, filterBarState, flattenTree, limitNoticeLine, rowCells, rowLine, type FilterError, type TreeLine, type TreeNode } from './view-model';

export type Pane = 'list' | 'detail' | 'hex';
export type View = 'main' | 'stats' | 'ladder' | 'help';
export type KeyOutcome = 'quit' | 'redraw' | 'none';

/** Rows of each pane, from the screen size (render-main.ts lays them out). */
export interface PaneSizes {
  width: number;
  list: number;
  detail: number;
  hex: number;
  /** Lines of a full-screen view. */
  body: number;
}

export function paneSizes(width: number, height: number): PaneSizes {
  // filter bar, list header, detail title, hex title, status bar
  const body = Math.max(3, height - 5);
  const list = Math.max(1, Math.round(body * 0.45));
  const detail = Math.max(1, Math.round(body * 0.3));
  const hex = Math.max(1, body - list - detail);
  return { width: Math.max(20, width), list, detail, hex, body: Math.max(1, height - 2) };
}

/** The decoded messages of a row, when the row's events are at hand; null while they are being read again
 *  (large-file mode: the view shows "loading" and redraws when they arrive). */
export type RowDetails = (row: TxRow) => TxRow | null;

/** Why a row's full messages are not at hand (large-file mode: the file could not be read again), or null. */
export type DetailProblem = (row: TxRow) => string | null;

export interface Prompt {
  kind: 'filter' | 'search';
  editor: LineEditor;
  /** The filter prompt's error for the text as typed, or null. */
  error: FilterError | null;
}

export class Controller {
  focus: Pane = 'list';
  view: View = 'main';
  selectedId: number | null = null;
  listTop = 0;
  follow: boolean;
  detailCursor = 0;
  detailTop = 0;
  /** Top line of the hex pane (render-main.ts writes back the line it showed). */
  hexTop = 0;
  /** The hex pane shows the marked bytes of the detail line under the cursor until the user scrolls it. */
  hexAuto = true;
  /** Top line of the full-screen view. */
  viewTop = 0;
  prompt: Prompt | null = null;
  filterText = '';
  searchText = '';
  /** A one-line message for the status bar until the next key (no match, wrapped, a limit reached, ...). */
  notice: string | null = null;

  /** A cap was reached for the first time (the pipeline's onLimit, the statistics' --max-endpoints): said on the
   *  message line until the next key; the status bar keeps its count from then on. */
  limitReached(n: LimitNotice): void {
    this.notice = limitNoticeLine(n);
  }
  sizes: PaneSizes = paneSizes(80, 24);
  private readonly filterEditor = new LineEditor();
  private readonly searchEditor = new LineEditor();
  /** Set by the app in large-file mode. */
  detailProblem: DetailProblem = () => null;
  /** The detail tree of the selected row and the folds the user made in it. */
  private tree: { id: number; rev: number; nodes: TreeNode[]; expanded: Set<string> } | null = null;

  constructor(
    readonly store: TransactionStore,
    readonly rows: RowView,
    readonly fmt: FormatContext,
    readonly details: RowDetails,
    opts: { follow: boolean },
  ) {
    this.follow = opts.follow;
  }

  // ---------------------------------------------------------------------------------------------- selection

  get selectedIndex(): number {
    if (this.rows.length === 0) return -1;
    if (this.selectedId === null) return 0;
    const i = this.rows.indexOf(this.selectedId);
    return i >= 0 ? i : Math.max(0, this.rows.nearestIndex(this.selectedId));
  }

  selectedRow(): TxRow | undefined {
    const i = this.selectedIndex;
    return i < 0 ? undefined : this.rows.rowAt(i);
  }

  /** After new rows or a resize: follow the tail, keep the selection on screen. */
  settle(): void {
    const n = this.rows.length;
    if (n === 0) {
      this.listTop = 0;
      return;
    }
    if (this.follow) this.selectedId = this.rows.idAt(n - 1) ?? null;
    else if (this.selectedId === null || this.rows.indexOf(this.selectedId) < 0) this.selectedId = this.rows.idAt(this.selectedIndex) ?? null;
    const i = this.selectedIndex;
    const h = this.sizes.list;
    if (i < this.listTop) this.listTop = i;
    if (i >= this.listTop + h) this.listTop = i - h + 1;
    this.listTop = Math.max(0, Math.min(this.listTop, n - h));
  }

  selectIndex(i: number): void {
    const n = this.rows.length;
    if (n === 0) return;
    const j = Math.max(0, Math.min(n - 1, i));
    this.selectedId = this.rows.idAt(j) ?? null;
    // moving away from the last row ends follow mode, as in less
    if (j < n - 1) this.follow = false;
    this.settle();
  }

  /** Mouse: the list's line `y` (0 = first row line). */
  clickList(y: number): void {
    this.focus = 'list';
    const i = this.listTop + y;
    if (i < this.rows.length) this.selectIndex(i);
  }

  // ---------------------------------------------------------------------------------------------- detail

  /** The selected row's detail lines (null while its messages are being read again). */
  detailLines(): TreeLine[] | null {
    const row = this.selectedRow();
    if (!row) return [];
    const full = this.details(row);
    if (!full) return null;
    if (!this.tree || this.tree.id !== row.id || this.tree.rev !== row.rev) {
      const nodes = detailTree(full, this.fmt);
      let keep: Set<string>;
      if (this.tree && this.tree.id === row.id) {
        // the user's folds stay; a message that arrived since (the reply of the call being read) opens as it
        // would on a row selected now
        const had = new Set(this.tree.nodes.map((n) => n.id));
        keep = this.tree.expanded;
        for (const n of nodes) if (!had.has(n.id)) defaultExpandedIds([n], keep);
      } else keep = defaultExpandedIds(nodes);
      if (!this.tree || this.tree.id !== row.id) {
        this.detailCursor = 0;
        this.detailTop = 0;
        this.hexTop = 0;
        this.hexAuto = true;
      }
      this.tree = { id: row.id, rev: row.rev, nodes, expanded: keep };
    }
    const lines = flattenTree(this.tree.nodes, this.tree.expanded);
    this.detailCursor = Math.max(0, Math.min(this.detailCursor, lines.length - 1));
    const h = this.sizes.detail;
    if (this.detailCursor < this.detailTop) this.detailTop = this.detailCursor;
    if (this.detailCursor >= this.detailTop + h) this.detailTop = this.detailCursor - h + 1;
    this.detailTop = Math.max(0, Math.min(this.detailTop, Math.max(0, lines.length - h)));
    return lines;
  }

  private setFold(open: boolean | 'toggle'): void {
    const lines = this.detailLines();
    const line = lines?.[this.detailCursor];
    if (!line || !this.tree) return;
    if (!line.hasChildren) {
      if (open === false) this.toParent(lines, line);
      return;
    }
    const want = open === 'toggle' ? !line.expanded : open;
    if (want) this.tree.expanded.add(line.id);
    else if (line.expanded) this.tree.expanded.delete(line.id);
    else this.toParent(lines, line);
  }

  private toParent(lines: TreeLine[], line: TreeLine): void {
    for (let i = this.detailCursor - 1; i >= 0; i--) {
      if (lines[i].depth < line.depth) {
        this.detailCursor = i;
        return;
      }
    }
  }

  /** `c`: from the call's part of the detail to the reply's, and back. */
  private jumpCallReply(): void {
    const row = this.selectedRow();
    const lines = this.detailLines();
    if (!row || !lines || lines.length === 0) return;
    if (row.calls.length === 0 || row.replies.length === 0) {
      this.notice = row.kind === 'frame' ? 'this row is a frame with no RPC message' : row.calls.length === 0 ? 'this reply has no call in the capture' : 'this call has no reply (yet)';
      return;
    }
    // by the message's type, not its place: a retransmission after the reply comes after it in rowMessages
    const msgs = rowMessages(row);
    const here = msgs[lines[this.detailCursor]?.message ?? 0];
    const target = msgs.indexOf(here?.msg.type === 'reply' ? row.calls[0] : row.replies[0]);
    const at = lines.findIndex((l) => l.depth === 0 && l.message === target);
    if (at >= 0) this.detailCursor = at;
    this.focus = 'detail';
  }

  // ---------------------------------------------------------------------------------------------- search

  private rowText(row: TxRow): string {
    return rowLine(rowCells(row, this.fmt, { timeBase: this.store.firstTs }), 200).toLowerCase();
  }

  private findRow(from: number, step: 1 | -1, test: (row: TxRow) => boolean, what: string): void {
    const n = this.rows.length;
    if (n === 0) return;
    for (let k = 1; k <= n; k++) {
      const i = (((from + step * k) % n) + n) % n;
      const row = this.rows.rowAt(i);
      if (row && test(row)) {
        if ((step === 1 && i <= from) || (step === -1 && i >= from)) this.notice = `${what}: wrapped around`;
        this.selectIndex(i);
        return;
      }
    }
    this.notice = `${what}: none`;
  }

  private searchNext(step: 1 | -1): void {
    if (this.searchText === '') {
      this.notice = 'no search yet: press / to search';
      return;
    }
    const needle = this.searchText.toLowerCase();
    this.findRow(this.selectedIndex, step, (r) => this.rowText(r).includes(needle), `search "${this.searchText}"`);
  }

  // ---------------------------------------------------------------------------------------------- keys

  key(k: KeyInput): KeyOutcome {
    // blessed's second report of a carriage return (`return` after `enter`) is not a key press of its own: the
    // notice the Enter just gave (no match, no row matches the filter) stays
    if (k.full !== 'return') this.notice = null;
    if (this.prompt) return this.promptKey(k);
    const action = actionOf(k);
    if (action === null) return 'none';
    return this.act(action);
  }

  private promptKey(k: KeyInput): KeyOutcome {
    const p = this.prompt as Prompt;
    const r = p.editor.key(k);
    if (r === 'cancel') {
      this.prompt = null;
      return 'redraw';
    }
    if (r === 'edited') {
      if (p.kind === 'filter') {
        const st = filterBarState(p.editor.text);
        p.error = st.ok ? null : st.error;
      }
      return 'redraw';
    }
    if (r === 'ignored') return k.full === 'C-c' ? 'quit' : 'none';
    // accept
    const text = p.editor.text;
    if (p.kind === 'filter') {
      const st = filterBarState(text);
      if (!st.ok) {
        p.error = st.error;
        return 'redraw'; // stays open on the mistake, as the caret shows it
      }
      this.prompt = null;
      this.filterEditor.remember(text);
      this.filterText = text.trim();
      const keep = this.selectedId;
      this.rows.setFilter(st.filter);
      this.selectedId = keep;
      this.listTop = 0;
      this.settle();
      if (this.filterText !== '' && this.rows.length === 0) this.notice = 'no row matches the filter';
      return 'redraw';
    }
    this.prompt = null;
    this.searchEditor.remember(text);
    this.searchText = text;
    if (text !== '') this.searchNext(1);
    return 'redraw';
  }

  private openPrompt(kind: 'filter' | 'search'): void {
    const editor = kind === 'filter' ? this.filterEditor : this.searchEditor;
    editor.start(kind === 'filter' ? this.filterText : '');
    this.prompt = { kind, editor, error: null };
  }

  act(action: Action): KeyOutcome {
    switch (action) {
      case 'quit':
        return 'quit';
      case 'redraw':
        return 'redraw';
      case 'help':
      case 'stats':
      case 'ladder':
        this.view = this.view === action ? 'main' : action;
        // -1: let the view place itself (the ladder scrolls to the selected row)
        this.viewTop = -1;
        return 'redraw';
      case 'back':
        this.view = 'main';
        return 'redraw';
      case 'filter':
      case 'search':
        this.view = 'main';
        this.openPrompt(action);
        return 'redraw';
      case 'nextMatch':
      case 'prevMatch':
        this.searchNext(action === 'nextMatch' ? 1 : -1);
        return 'redraw';
      case 'nextError':
      case 'prevError':
        this.findRow(this.selectedIndex, action === 'nextError' ? 1 : -1, (r) => r.error, 'errors');
        return 'redraw';
      case 'follow':
        this.follow = !this.follow;
        if (this.follow && this.rows.paused) this.rows.setPaused(false);
        this.notice = this.follow ? 'follow: on (newest row selected)' : 'follow: off';
        this.settle();
        return 'redraw';
      case 'pause':
        this.rows.setPaused(!this.rows.paused);
        this.settle();
        return 'redraw';
      case 'callReply':
        this.jumpCallReply();
        return 'redraw';
      case 'nextPane':
      case 'prevPane': {
        const order: Pane[] = ['list', 'detail', 'hex'];
        const i = order.indexOf(this.focus) + (action === 'nextPane' ? 1 : 2);
        this.focus = order[i % 3];
        return 'redraw';
      }
      default:
        return this.move(action);
    }
  }

  /** Movement keys act on the full-screen view, or on the focused pane. */
  private move(action: Action): KeyOutcome {
    if (this.view !== 'main') {
      const page = this.sizes.body;
      const delta: Partial<Record<Action, number>> = { up: -1, down: 1, pageUp: -page, pageDown: page, top: -Infinity, bottom: Infinity };
      const d = delta[action];
      if (d === undefined) return 'none';
      this.viewTop = Math.max(0, Number.isFinite(d) ? Math.max(0, this.viewTop) + d : d > 0 ? Number.MAX_SAFE_INTEGER : 0);
      return 'redraw';
    }
    if (this.focus === 'list') {
      const i = this.selectedIndex;
      const page = this.sizes.list;
      switch (action) {
        case 'up':
          this.selectIndex(i - 1);
          break;
        case 'down':
          this.selectIndex(i + 1);
          break;
        case 'pageUp':
          this.selectIndex(i - page);
          break;
        case 'pageDown':
          this.selectIndex(i + page);
          break;
        case 'top':
          this.selectIndex(0);
          break;
        case 'bottom':
          this.selectIndex(this.rows.length - 1);
          break;
        case 'enter':
          this.focus = 'detail';
          break;
        default:
          return 'none';
      }
      return 'redraw';
    }
    if (this.focus === 'detail') {
      const lines = this.detailLines() ?? [];
      const page = this.sizes.detail;
      const to = (c: number): void => {
        this.detailCursor = Math.max(0, Math.min(lines.length - 1, c));
        this.hexTop = 0;
        this.hexAuto = true;
      };
      switch (action) {
        case 'up':
          to(this.detailCursor - 1);
          break;
        case 'down':
          to(this.detailCursor + 1);
          break;
        case 'pageUp':
          to(this.detailCursor - page);
          break;
        case 'pageDown':
          to(this.detailCursor + page);
          break;
        case 'top':
          to(0);
          break;
        case 'bottom':
          to(lines.length - 1);
          break;
        case 'enter':
          this.setFold('toggle');
          break;
        case 'expand':
          this.setFold(true);
          break;
        case 'collapse':
          this.setFold(false);
          break;
        default:
          return 'none';
      }
      return 'redraw';
    }
    // hex: scrolls; render clamps
    const page = this.sizes.hex;
    const delta: Partial<Record<Action, number>> = { up: -1, down: 1, pageUp: -page, pageDown: page };
    if (action === 'top' || action === 'bottom' || delta[action] !== undefined) this.hexAuto = false;
    if (action === 'top') this.hexTop = 0;
    else if (action === 'bottom') this.hexTop = Number.MAX_SAFE_INTEGER;
    else if (delta[action] !== undefined) this.hexTop = Math.max(0, this.hexTop + (delta[action] as number));
    else return 'none';
    return 'redraw';
  }

  /** Mouse wheel over a pane. */
  wheel(pane: Pane, step: number): void {
    if (pane === 'list') this.selectIndex(this.selectedIndex + step);
    else if (pane === 'detail') this.detailCursor = Math.max(0, this.detailCursor + step);
    else {
      this.hexAuto = false;
      this.hexTop = Math.max(0, this.hexTop + step);
    }
  }
}
