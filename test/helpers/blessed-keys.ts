/**
 * What the TUI receives when someone types at the terminal: the bytes go through blessed's own key parser
 * (blessed/lib/keys.js, the one its screen uses), then get the name blessed's Program gives them (program.js,
 * _listenInput): `C-`, `M-`, `S-` before the key's name, or the typed character when the key has no name; `\n`
 * is `linefeed`; a carriage return is reported twice, first as `enter`, then as `return`; unknown escape sequences
 * are dropped. Tests of the key handling feed these instead of hand-made names, so they see blessed's quirks.
 */
import { EventEmitter } from 'node:events';
import type { KeyInput } from '../../tui/line-editor';

interface BlessedKey {
  name?: string;
  sequence?: string;
  ctrl?: boolean;
  meta?: boolean;
  shift?: boolean;
}

// blessed ships no types for its key parser
const keys = require('blessed/lib/keys') as { emitKeypressEvents(stream: EventEmitter): void };

function named(ch: string | undefined, key: BlessedKey | undefined, out: KeyInput[]): void {
  const k: BlessedKey = key ?? {};
  if (k.name === 'undefined') return;
  if (k.name === 'enter' && k.sequence === '\n') k.name = 'linefeed';
  if (k.name === 'return' && k.sequence === '\r') named(ch, { ...k, name: 'enter' }, out);
  const full = (k.ctrl ? 'C-' : '') + (k.meta ? 'M-' : '') + (k.shift && k.name ? 'S-' : '') + (k.name ?? ch ?? '');
  out.push(ch === undefined || ch === null ? { full } : { full, ch });
}

/** The keys blessed reports for `bytes` typed at once (one chunk read from the terminal). */
export function typed(bytes: string): KeyInput[] {
  const stream = new EventEmitter();
  const out: KeyInput[] = [];
  stream.on('keypress', (ch: string | undefined, key: BlessedKey | undefined) => named(ch, key, out));
  keys.emitKeypressEvents(stream);
  stream.emit('data', Buffer.from(bytes, 'utf8'));
  return out;
}

/** The keys of one key press that blessed reports as a single key (fails otherwise); for `\r`, use typed(). */
export function press(bytes: string): KeyInput {
  const ks = typed(bytes);
  if (ks.length !== 1) throw new Error(`${JSON.stringify(bytes)} is ${ks.length} keys to blessed`);
  return ks[0];
}

/** Terminal byte sequences of the named keys (xterm). */
export const SEQ = {
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  home: '\x1b[H',
  end: '\x1b[F',
  pageup: '\x1b[5~',
  pagedown: '\x1b[6~',
  delete: '\x1b[3~',
  tab: '\t',
  stab: '\x1b[Z',
  escape: '\x1b',
  enter: '\r',
  backspace: '\x7f',
  ctrl: (letter: string): string => String.fromCharCode(letter.toLowerCase().charCodeAt(0) - 96),
} as const;
