/** The CLI's printers for every output mode (summary, -V, -v, --json) over one pipeline's learned state. */
import { Printer, type ModeFormatters, type OutputMode } from '../../../src/cli/printer';
import { createFormatContext } from '../../../src/format/format-context';
import * as json from '../../../src/format/json';
import * as layer from '../../../src/format/layer-detail';
import * as program from '../../../src/format/program-detail';
import * as rpc from '../../../src/format/rpc-detail';
import * as block from '../../../src/format/verbose-block';
import type { FhNames } from '../../../src/programs/fh-names';
import type { Registry } from '../../../src/rpc/registry';

export const OUTPUT_MODES: readonly OutputMode[] = ['summary', 'layers', 'verbose', 'json'];

/** Every mode's formatters, loaded up front (the CLI loads only its mode's, lazily, for a faster start; the
 *  synchronous targets cannot await them). */
const FORMATTERS: ModeFormatters = { json, verbose: { layer, rpc, program, block } };

/** One Printer per mode (UTC clock, names on, rtt on: every optional part of a line is produced). */
export function allPrinters(registry: Registry, names: FhNames): Printer[] {
  const f = createFormatContext(registry, names, { showNames: true });
  return OUTPUT_MODES.map((m) => new Printer(m, 'relative', f, FORMATTERS, 'UTC', true));
}
