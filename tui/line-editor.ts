/**
 * The one-line editor of the filter and search prompts, with the keys of readline/emacs that people type without
 * thinking: left/right, Home/End (C-a/C-e), Backspace/Delete, C-u (kill to start), C-k (kill to end), C-w (kill a
 * word), Up/Down for the prompt's history. Pure: keys in, text and cursor out (blessed's textbox has none of this
 * and owns the terminal's input while it reads, which breaks our key handling).
 */

/** A key as the TUI sees it: `full` is blessed's name (`left`, `C-u`, `backspace`), `ch` the typed character. */
export interface KeyInput {
  full: string;
  ch?: string;
}

export type EditResult = 'edited' | 'accept' | 'cancel' | 'ignored';

const MAX_LENGTH = 4096;
const MAX_HISTORY = 50;

export class LineEditor {
  text = '';
  cursor = 0;
  private historyAt: number | null = null;
  /** The line being typed when Up first recalled the history: Down past the newest line brings it back. */
  private draft = '';

  constructor(private readonly history: string[] = []) {}

  /** Starts editing `initial` with the cursor at its end. */
  start(initial: string): void {
    this.text = initial.slice(0, MAX_LENGTH);
    this.cursor = this.text.length;
    this.historyAt = null;
  }

  /** Remembers an accepted line (most recent last, without repeats). */
  remember(line: string): void {
    if (line.trim() === '') return;
    const i = this.history.indexOf(line);
    if (i >= 0) this.history.splice(i, 1);
    this.history.push(line);
    if (this.history.length > MAX_HISTORY) this.history.shift();
  }

  key(k: KeyInput): EditResult {
    switch (k.full) {
      case 'enter':
      case 'linefeed':
        return 'accept';
      case 'return':
        // blessed reports a carriage return twice, as `enter` then as `return`
        return 'ignored';
      case 'escape':
      case 'C-g':
        return 'cancel';
      case 'left':
      case 'C-b':
        this.cursor = Math.max(0, this.cursor - 1);
        return 'edited';
      case 'right':
      case 'C-f':
        this.cursor = Math.min(this.text.length, this.cursor + 1);
        return 'edited';
      case 'home':
      case 'C-a':
        this.cursor = 0;
        return 'edited';
      case 'end':
      case 'C-e':
        this.cursor = this.text.length;
        return 'edited';
      case 'backspace':
      case 'C-h':
        if (this.cursor === 0) return 'edited';
        this.text = this.text.slice(0, this.cursor - 1) + this.text.slice(this.cursor);
        this.cursor--;
        return 'edited';
      case 'delete':
      case 'C-d':
        this.text = this.text.slice(0, this.cursor) + this.text.slice(this.cursor + 1);
        return 'edited';
      case 'C-u':
        this.text = this.text.slice(this.cursor);
        this.cursor = 0;
        return 'edited';
      case 'C-k':
        this.text = this.text.slice(0, this.cursor);
        return 'edited';
      case 'C-w': {
        const before = this.text.slice(0, this.cursor).replace(/\S+\s*$/, '');
        this.text = before + this.text.slice(this.cursor);
        this.cursor = before.length;
        return 'edited';
      }
      case 'up':
        return this.recall(-1);
      case 'down':
        return this.recall(1);
    }
    const ch = k.ch;
    // printable characters only: a control character typed or pasted would reach the screen through the prompt
    // (C1 too: U+009B is CSI to terminals that take 8-bit controls)
    if (ch !== undefined && ch.length === 1 && ch >= ' ' && !(ch >= '\x7f' && ch <= '\x9f') && this.text.length < MAX_LENGTH) {
      this.text = this.text.slice(0, this.cursor) + ch + this.text.slice(this.cursor);
      this.cursor++;
      return 'edited';
    }
    return 'ignored';
  }

  private recall(step: number): EditResult {
    if (this.history.length === 0) return 'edited';
    if (this.historyAt === null) this.draft = this.text;
    let at = this.historyAt === null ? this.history.length : this.historyAt;
    at = Math.max(0, Math.min(this.history.length, at + step));
    this.historyAt = at;
    this.text = at === this.history.length ? this.draft : this.history[at];
    this.cursor = this.text.length;
    return 'edited';
  }
}
