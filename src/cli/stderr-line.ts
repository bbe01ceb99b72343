/**
 * One `rpcsnoop: …` line on stderr. Its text can hold a file name from the command line, a capture error naming one,
 * or a warning built from what the capture held: control and bidi characters are escaped (format/escape.ts) like on
 * stdout, so an error message cannot drive the terminal either.
 */
import { escapeControls } from '../format/escape';

export function stderrLine(text: string): void {
  process.stderr.write(`rpcsnoop: ${escapeControls(text)}\n`);
}
