/**
 * The FormatContext the CLI (and the TUI) hand to program formatters: snoop's `FH=XXXX`, with the learned path
 * appended when --names is on, and program names as snoop shows them.
 */
import type { FhNames } from '../programs/fh-names';
import type { FileHandle } from '../programs/file-handle';
import { programName } from '../rpc/program-names';
import type { FormatContext, Registry } from '../rpc/registry';

export interface FormatOptions {
  /** Append ` (path)` after `FH=XXXX` on summary lines when the handle's path is known (--names). */
  showNames: boolean;
}

export function createFormatContext(registry: Registry, names: FhNames, opts: FormatOptions): FormatContext {
  const path = (h: FileHandle): string | null => names.path(h.hex);
  return {
    fh: (h) => {
      const p = opts.showNames ? path(h) : null;
      return p ? `FH=${h.hash} (${p})` : `FH=${h.hash}`;
    },
    path,
    programName: (prog) => programName(prog) ?? '?',
    registry,
    depth: 0,
  };
}
