/** The CLI's printers for every output mode (summary, -V, -v, --json) over one pipeline's learned state. */
import { Printer, type OutputMode } from '../../../src/cli/printer';
import { createFormatContext } from '../../../src/format/format-context';
import type { FhNames } from '../../../src/programs/fh-names';
import type { Registry } from '../../../src/rpc/registry';

export const OUTPUT_MODES: readonly OutputMode[] = ['summary', 'layers', 'verbose', 'json'];

/** One Printer per mode (UTC clock, names on, rtt on: every optional part of a line is produced). */
export function allPrinters(registry: Registry, names: FhNames): Printer[] {
  const f = createFormatContext(registry, names, { showNames: true });
  return OUTPUT_MODES.map((m) => new Printer(m, 'relative', f, 'UTC', true));
}
