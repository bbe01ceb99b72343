/**
 * Wire strings (file names, paths, host names) reach the terminal inside our text lines: a name holding an escape
 * sequence or a newline must not be able to move the cursor, recolour the screen or forge a line. Text output
 * therefore shows every C0/C1 control character and DEL as a visible escape (`\n`, `\x1b`). Tabs are kept only
 * where rpcsnoop itself puts them (`-v` bit diagrams), so callers pass `keepTabs` for those lines.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;
// eslint-disable-next-line no-control-regex
const CONTROL_AND_TAB = /[\u0000-\u001f\u007f-\u009f]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  return NAMED[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

export function escapeControls(s: string, keepTabs = false): string {
  return s.replace(keepTabs ? CONTROL : CONTROL_AND_TAB, escapeChar);
}
