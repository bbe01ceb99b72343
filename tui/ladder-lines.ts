/**
 * The ladder drawn: lines of text for one client's messages, in a given width. See ladder-model.ts for the picture.
 */
import { escapeControls, tsDiffSeconds, type Timestamp } from '../src/index';
import { ladderColumns, type LadderColumn } from './ladder-columns';
import type { LadderMessage } from './ladder-model';
import { fit, fitKeyArg, formatSeconds, type Severity } from './view-model';

export const DEFAULT_LADDER_MESSAGES = 2000;

export interface LadderLine {
  text: string;
  /** The row of the message the line shows, or that a note belongs to; null for the header lines. */
  rowId: number | null;
  frame: number | null;
  /** The message's severity (a note's and a header's: 'ok'). */
  severity: Severity;
  /** A teaching sentence (explainNotes) under its message. */
  isNote: boolean;
  /** The line belongs to the selected row. */
  selected: boolean;
}

export interface LadderOptions {
  /** Sentences shown under the message of a frame (explainNotes), by frame number. */
  notes?: ReadonlyMap<number, readonly string[]>;
  selectedRowId?: number | null;
  /** Most lines returned (the header included); the window keeps the newest lines, or the selected row's. */
  maxLines?: number;
  /** Most recent messages of the client drawn (default DEFAULT_LADDER_MESSAGES). */
  maxMessages?: number;
  /** The client's messages before the caller cut them (recentLadderMessages' total), for the first line. */
  total?: number;
  /** Times are seconds since this (the store's firstTs); default: the first message drawn. */
  timeBase?: Timestamp | null;
}

/** Marker column, time column (formatSeconds: 8), two spaces: where the client's lane is. */
const TIME_W = 8;
const LANES_X = 1 + TIME_W + 2;
/** Columns between two lanes: squeezed down to MIN_SPACING with many columns, at most MAX_SPACING. */
const MIN_SPACING = 4;
const MAX_SPACING = 16;
/** The label column keeps at least this much (more lanes are merged into a last one), and aims at 45% of the width. */
const MIN_LABEL = 24;
/** Notes go beside the lanes when the label column is this wide, else across the lanes right of the client's. */
const NOTE_BESIDE = 40;

const SHAFT: Record<Severity, string> = { ok: '-', pending: '-', error: '=', warning: '~' };

/** Words in lines of at most `w` columns (a longer word is cut). */
function wrap(s: string, w: number): string[] {
  const width = Math.max(1, w);
  const out: string[] = [];
  let line = '';
  for (let word of s.split(' ')) {
    while (word.length > width) {
      if (line) out.push(line);
      line = '';
      out.push(word.slice(0, width));
      word = word.slice(width);
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      out.push(line);
      line = word;
    }
  }
  if (line || out.length === 0) out.push(line);
  return out;
}

/** A label in `w` columns: a path keeps its end after the procedure's name (`MNT …/lab/export`). */
function fitLabel(s: string, w: number): string {
  if (s.length <= w) return s;
  const sp = s.indexOf(' ');
  if (sp > 0 && s.includes('/', sp) && w - sp - 1 >= 10) return `${s.slice(0, sp + 1)}${fitKeyArg(s.slice(sp + 1), w - sp - 1)}`.trimEnd();
  return fit(s, w).trimEnd();
}

interface Layout {
  columns: LadderColumn[];
  spacing: number;
  /** Lane index of each (server, program). */
  lane: Map<string, number>;
  labelX: number;
}

const laneKey = (server: string, program: number | null): string => `${server}|${program ?? '?'}`;

function layout(all: LadderColumn[], width: number): Layout {
  const maxLanes = Math.max(2, Math.floor((width - LANES_X - 2 - MIN_LABEL - 1) / MIN_SPACING) + 1);
  let columns = all;
  const lane = new Map<string, number>();
  if (all.length > maxLanes) {
    // too many parties for the width: the last lane stands for the rest
    const rest = all.slice(maxLanes - 1);
    const other: LadderColumn = { kind: 'server', address: '', program: null, role: `+${rest.length} more`, serverIndex: 0, ports: [], versions: [], messages: 0 };
    for (const c of rest) {
      other.messages += c.messages;
      lane.set(laneKey(c.address, c.program), maxLanes - 1);
    }
    columns = [...all.slice(0, maxLanes - 1), other];
  }
  columns.forEach((c, i) => {
    if (c.kind === 'server' && c.address !== '') lane.set(laneKey(c.address, c.program), i);
  });
  const n = columns.length;
  const target = Math.max(MIN_LABEL, Math.floor(width * 0.45));
  const spacing = n > 1 ? Math.min(MAX_SPACING, Math.max(MIN_SPACING, Math.floor((width - LANES_X - 2 - target) / (n - 1)))) : MIN_SPACING;
  return { columns, spacing, lane, labelX: LANES_X + (n - 1) * spacing + 3 };
}

/** The lanes (`|`) of a line, with an arrow between lane 0 and lane `to` when given. */
function lanes(l: Layout, to: number | null, isCall: boolean, shaft: string): string {
  const n = l.columns.length;
  const chars = new Array<string>((n - 1) * l.spacing + 1).fill(' ');
  for (let i = 0; i < n; i++) chars[i * l.spacing] = '|';
  if (to !== null && to > 0) {
    const b = to * l.spacing;
    for (let x = 1; x < b; x++) chars[x] = shaft;
    if (isCall) chars[b - 1] = '>';
    else chars[1] = '<';
  }
  return chars.join('');
}

function columnTitle(c: LadderColumn, manyServers: boolean): string {
  return manyServers && c.serverIndex > 0 ? `${c.serverIndex}:${c.role}` : c.role;
}

function headerLines(client: string, shown: number, total: number, all: LadderColumn[], l: Layout, width: number): string[] {
  const servers = [...new Set(all.filter((c) => c.kind === 'server').map((c) => c.address))];
  const many = servers.length > 1;
  const out: string[] = [];
  const cut = total > shown ? `; the last ${shown} of ${total} shown` : '';
  out.push(...wrap(`Ladder of client ${escapeControls(client)}: ${shown} message${shown === 1 ? '' : 's'} with ${servers.length} server${servers.length === 1 ? '' : 's'}${cut}`, width));
  servers.forEach((addr, i) => {
    const parts = all
      .filter((c) => c.kind === 'server' && c.address === addr)
      .map((c) => `${c.role} :${c.ports.join(',')}${c.versions.length ? ` v${[...c.versions].sort((a, b) => a - b).join(',')}` : ''}`);
    const text = `${many ? `[${i + 1}] ` : ''}server ${escapeControls(addr)}: ${parts.join(', ')}`;
    out.push(...wrap(text, width - 2).map((t, k) => (k === 0 ? t : `  ${t}`)));
  });
  // Titles start at their lane. When one is wider than the lanes are apart, they take turns on two lines, each
  // getting the room of two lanes.
  const titles = l.columns.map((c) => escapeControls(columnTitle(c, many)));
  const n = titles.length;
  const stagger = titles.some((t, i) => i < n - 1 && t.length > l.spacing - 1);
  const rows = stagger ? [0, 1] : [0];
  for (const r of rows) {
    let line = r === 0 ? ` ${fit('time', TIME_W, 'right')}  ` : ' '.repeat(LANES_X);
    for (let i = r; i < n; i += rows.length) {
      const x = LANES_X + i * l.spacing;
      line = line.padEnd(x);
      const room = i + rows.length < n ? rows.length * l.spacing - 1 : width - x;
      line += fit(titles[i], Math.max(0, room)).trimEnd();
    }
    out.push(line.trimEnd());
  }
  out.push((' '.repeat(LANES_X) + lanes(l, null, true, '-')).trimEnd());
  return out;
}

/**
 * The ladder of one client, one line per message (oldest first) with its notes under it, after a header (what is
 * shown, the servers and their ports, the column titles). No line is longer than `width`; 80 columns and more are
 * laid out comfortably (lanes are squeezed down to 4 columns apart before a last lane stands for the rest).
 * Cost: a filter and a sort of the messages given (linear when they come in frame order, as recentLadderMessages
 * gives them), then O(m × width) for the m messages drawn (at most maxMessages): about 5-10 ms for 2000 messages
 * at 80 columns. Pass recentLadderMessages' output rather than every row's messages on a large store.
 */
export function ladderLines(messages: readonly LadderMessage[], client: string, width: number, opts: LadderOptions = {}): LadderLine[] {
  const w = Math.max(1, Math.floor(width));
  const max = Math.max(1, Math.floor(opts.maxMessages ?? DEFAULT_LADDER_MESSAGES));
  const mine = messages.filter((m) => m.client === client).sort((a, b) => a.frame - b.frame);
  const shown = mine.length > max ? mine.slice(mine.length - max) : mine;
  const total = Math.max(opts.total ?? 0, mine.length);
  const all = ladderColumns(shown, client);
  const l = layout(all, w);
  const head: LadderLine[] = headerLines(client, shown.length, total, all, l, w).map((text) => ({ text, rowId: null, frame: null, severity: 'ok', isNote: false, selected: false }));
  if (shown.length === 0) head.push({ text: '(no messages of this client)', rowId: null, frame: null, severity: 'ok', isNote: false, selected: false });
  const base = opts.timeBase ?? shown[0]?.ts;
  const labelRoom = w - l.labelX;
  const noteBeside = labelRoom >= NOTE_BESIDE;
  const noted = new Set<number>();
  // the few distinct lane pictures (lane × direction × shaft), drawn once each
  const drawn = new Map<string, string>();
  const lanesOf = (to: number | null, isCall: boolean, shaft: string): string => {
    const key = `${to}|${isCall}|${shaft}`;
    let s = drawn.get(key);
    if (s === undefined) {
      s = lanes(l, to, isCall, shaft);
      drawn.set(key, s);
    }
    return s;
  };
  const body: LadderLine[] = [];
  for (const m of shown) {
    const selected = opts.selectedRowId !== undefined && opts.selectedRowId !== null && m.rowId === opts.selectedRowId;
    const to = l.lane.get(laneKey(m.server, m.program)) ?? null;
    const time = base ? formatSeconds(tsDiffSeconds(base, m.ts)) : '';
    const prefix = `${selected ? '>' : ' '}${fit(time, TIME_W, 'right')}  ${lanesOf(to, m.isCall, SHAFT[m.severity])}  `;
    const label = labelRoom > 0 ? fitLabel(escapeControls(m.label), labelRoom) : '';
    body.push({ text: (prefix + label).trimEnd(), rowId: m.rowId, frame: m.frame, severity: m.severity, isNote: false, selected });
    const notes = opts.notes?.get(m.frame);
    if (!notes || noted.has(m.frame)) continue;
    noted.add(m.frame);
    const lead = noteBeside ? `${' '.repeat(LANES_X)}${lanesOf(null, true, '-')}  ` : `${' '.repeat(LANES_X)}|  `;
    for (const sentence of notes) {
      wrap(escapeControls(sentence), w - lead.length - 2).forEach((t, k) => {
        body.push({ text: `${lead}${k === 0 ? '' : '  '}${t}`, rowId: m.rowId, frame: m.frame, severity: 'ok', isNote: true, selected });
      });
    }
  }
  let out = body;
  if (opts.maxLines !== undefined) {
    const room = Math.max(0, Math.floor(opts.maxLines) - head.length);
    if (body.length > room) {
      const sel = body.findIndex((x) => x.selected && !x.isNote);
      const start = sel >= 0 && sel < body.length - room ? Math.max(0, sel - Math.floor(room / 2)) : body.length - room;
      out = body.slice(start, start + room);
    }
  }
  const lines = opts.maxLines !== undefined ? [...head, ...out].slice(0, Math.max(0, Math.floor(opts.maxLines))) : [...head, ...out];
  // the last guard: a view must never get a line wider than itself
  for (const x of lines) if (x.text.length > w) x.text = fit(x.text, w);
  return lines;
}
