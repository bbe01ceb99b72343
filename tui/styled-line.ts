/**
 * What the TUI's render functions produce: plain text lines with named styles, turned into terminal attributes at
 * the very end (theme.ts), so everything before is testable as text and NO_COLOR is one switch in one place.
 */
export type Style =
  | 'normal'
  | 'selected'
  | 'selectedDim'
  | 'error'
  | 'warning'
  | 'pending'
  | 'header'
  | 'title'
  | 'highlight'
  | 'note'
  | 'prompt'
  | 'promptError'
  | 'status'
  | 'cursor';

export interface Span {
  /** [start, end) in UTF-16 code units of the line's text. */
  start: number;
  end: number;
  style: Style;
}

export interface StyledLine {
  text: string;
  /** Style of the whole line (default normal). */
  style?: Style;
  /** Shown in reverse video (the selected row: its colour stays visible as the background). */
  inverse?: boolean;
  /** Styled parts, over the line's style; non-overlapping, in order. */
  spans?: Span[];
}

export function plain(text: string, style: Style = 'normal'): StyledLine {
  return { text, style };
}

/** `text` padded or cut to exactly `width` columns. */
export function padTo(text: string, width: number): string {
  return text.length >= width ? text.slice(0, width) : text + ' '.repeat(width - text.length);
}

/** A pane title rule: `-- Detail: frame 9 ------…` in `width` columns (ASCII: box-drawing characters come out as
 *  letters where the terminal's line-drawing set is not switched on, and as garbage without UTF-8). */
export function titleRule(title: string, width: number): StyledLine {
  const head = `-- ${title} `;
  return { text: head.length >= width ? head.slice(0, width) : head + '-'.repeat(width - head.length), style: 'title' };
}
