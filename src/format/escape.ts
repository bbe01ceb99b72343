/**
 * Wire strings (file names, paths, host names, netids) reach the terminal inside our text lines: a name holding an
 * escape sequence, a newline or a bidi override must not be able to move the cursor, recolour the screen, forge a
 * line or reorder what the reader sees. Text output therefore shows, as visible escapes:
 * - C0 controls and DEL as `\xNN` (`\n`, `\r`, `\t` by name); tabs are kept only where rpcsnoop itself puts them
 *   (`-v` bit diagrams), so callers pass `keepTabs` for those lines;
 * - C1 controls (U+0080-U+009F: a terminal takes U+009B as CSI) as `\u009b`;
 * - the bidi and invisible format controls of Unicode TR9 (U+061C, U+200E/F, U+202A-U+202E, U+2066-U+2069) and the
 *   line/paragraph separators U+2028/U+2029 as `\u202e`;
 * - bytes that were not valid UTF-8 as `\xNN` with NN >= 80: XdrReader.string keeps each such byte as the lone
 *   surrogate U+DC00+byte (utf8-lossless.ts), which a UTF-8 decode can produce no other way; any other lone surrogate
 *   as `\udXXX`.
 * `\x9b` (an invalid byte) and `\u009b` (the C1 control, valid UTF-8 C2 9B) thus stay apart. Backslashes are not
 * doubled: several layers escape the same line (the TUI escapes cells, then the laid-out line) and escaping must stay
 * idempotent; the exact value is in the JSON output.
 */
// Without the `u` flag (three times slower on every output line): a lone surrogate is a high one not followed by a
// low one, or a low one not preceded by a high one; pairs (astral characters) are left alone.
const CLASS = '\\u0000-\\u0008\\u000a-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
const LONE_SURROGATE = '[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
const CONTROL = new RegExp(`[${CLASS}]|${LONE_SURROGATE}`, 'g');
const CONTROL_AND_TAB = new RegExp(`[\\t${CLASS}]|${LONE_SURROGATE}`, 'g');
/** Does the string hold anything escapeControls would change? (a fast test for hot paths and for tests) */
const ANY_CONTROL = new RegExp(`[\\t${CLASS}]|${LONE_SURROGATE}`);
/** One character class, no alternatives: the quick test that lets almost every output line through untouched (any
 *  surrogate sends the line to the exact test). */
const MAYBE = new RegExp(`[\\t${CLASS}\\ud800-\\udfff]`);

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named !== undefined) return named;
  const code = c.charCodeAt(0);
  if (code < 0x80) return `\\x${hex(code, 2)}`;
  if (code >= 0xdc80 && code <= 0xdcff) return `\\x${hex(code - 0xdc00, 2)}`;
  return `\\u${hex(code, 4)}`;
}

export function escapeControls(s: string, keepTabs = false): string {
  if (!MAYBE.test(s)) return s;
  return s.replace(keepTabs ? CONTROL : CONTROL_AND_TAB, escapeChar);
}

/**
 * One `-v` detail line's text (a DetailNode's): the tabs it starts with are rpcsnoop's own layout (snoop's bit
 * diagrams, `\t.... ...1 = Hard links supported`) and are kept; every other tab — one inside a file name — is escaped
 * like any control character, as a wire string cannot start a node's text (a label always comes first).
 */
export function escapeDetailText(s: string): string {
  let lead = 0;
  while (lead < s.length && s.charCodeAt(lead) === 9) lead++;
  return lead === 0 ? escapeControls(s) : s.slice(0, lead) + escapeControls(s.slice(lead));
}

/** True when `s` holds a character a terminal could act on (tab included): what escapeControls would change. */
export function hasControls(s: string): boolean {
  return MAYBE.test(s) && ANY_CONTROL.test(s);
}
