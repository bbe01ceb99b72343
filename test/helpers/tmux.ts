/**
 * Drives a terminal program inside a detached tmux session, as a user at a real terminal would: keys in
 * (send-keys), the screen out (capture-pane), and the terminal's modes (alternate screen, cursor, mouse) read back
 * from tmux, so a test can check that the program restored them. Each session has its own tmux server socket
 * (-L), so tests never touch a user's tmux.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** Why tmux cannot be used here, or null. */
export function tmuxMissing(): string | null {
  const r = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  return r.status === 0 ? null : 'tmux is not installed (apt-get install tmux)';
}

export interface TmuxOptions {
  cols?: number;
  rows?: number;
  env?: Record<string, string>;
  cwd?: string;
}

export class TmuxSession {
  readonly socket = `rpcsnoop-test-${process.pid}-${randomBytes(4).toString('hex')}`;
  readonly name = 'rpcsnoop';

  /** Runs `argv` in a new session; when it exits the pane shows `EXIT=<status>` and stays open for inspection. */
  constructor(argv: string[], opts: TmuxOptions = {}) {
    const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const env = Object.entries({ TERM: 'xterm-256color', LANG: 'C.UTF-8', ...opts.env })
      .map(([k, v]) => `${k}='${v.replace(/'/g, `'\\''`)}'`)
      .join(' ');
    const shell = `env ${env} ${quoted}; echo "EXIT=$?"; sleep 120`;
    this.tmux(['new-session', '-d', '-s', this.name, '-x', String(opts.cols ?? 80), '-y', String(opts.rows ?? 24), ...(opts.cwd ? ['-c', opts.cwd] : []), shell]);
  }

  private tmux(args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  /** tmux key names (`Enter`, `Tab`, `Escape`, `C-c`, `PageDown`) or literal text with `literal`. */
  keys(keys: string[], literal = false): void {
    this.tmux(['send-keys', '-t', this.name, ...(literal ? ['-l'] : []), ...keys]);
  }

  /** The screen as text (`escapes`: with SGR sequences, as capture-pane -e gives them). */
  screen(escapes = false): string {
    return this.tmux(['capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', this.name]);
  }

  /** A tmux format of the pane, e.g. `#{alternate_on}`, `#{cursor_flag}`, `#{mouse_any_flag}`, `#{pane_pid}`. */
  format(fmt: string): string {
    return this.tmux(['display-message', '-p', '-t', this.name, fmt]).trim();
  }

  /** Appends from now on everything the program writes to the terminal (escape sequences included) to `file`
   *  (pipe-pane): what a test needs to count redraws or catch stray output. */
  pipeTo(file: string): void {
    this.tmux(['pipe-pane', '-t', this.name, `cat >> '${file.replace(/'/g, `'\\''`)}'`]);
  }

  resize(cols: number, rows: number): void {
    this.tmux(['resize-window', '-t', this.name, '-x', String(cols), '-y', String(rows)]);
  }

  /** Waits until the screen satisfies `test` and is the same 40 ms later (polling every 50 ms); throws with the
   *  last screen on timeout. */
  async waitFor(test: RegExp | ((screen: string) => boolean), what: string, timeoutMs = 10_000, escapes = false): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      last = this.screen(escapes);
      if (typeof test === 'function' ? test(last) : test.test(last)) {
        // a redraw can reach tmux in pieces (seen: a status line half rewritten): trust a screen that held still
        await new Promise((r) => setTimeout(r, 40));
        const again = this.screen(escapes);
        if (again === last) return last;
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen was:\n${last}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  kill(): void {
    try {
      this.tmux(['kill-server']);
    } catch {
      // already gone
    }
  }
}
