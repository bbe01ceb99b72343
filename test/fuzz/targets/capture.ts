/**
 * Fuzz target (g): a whole capture file decoded in one of the CLI's output modes, through the code `rpcsnoop -r`
 * runs (options parsed by parseOptions, setupRun's pipeline, printer, reports and display filter), or into the
 * TUI's pure model (tui-model.ts). Reading is from memory (openCaptureBytes), and the lines go nowhere.
 *
 * Input: byte 0 the mode (MODES), byte 1 options (bit 0 --names, bit 1 --json with a report, bits 2-3 the time
 * column, bits 4-7 the display filter for the -Y mode), then the capture file (pcap, pcapng, gzip of either).
 * A damaged capture ends in a CaptureError, as for the CLI (its one-line message, exit 1); anything else escaping
 * is a bug.
 */
import { Writable } from 'node:stream';
import { openCaptureBytes } from '../../../src/capture/open-capture';
import { CaptureError } from '../../../src/capture/raw-frame';
import { LineWriter } from '../../../src/cli/line-writer';
import { parseOptions } from '../../../src/cli/options';
import { setupRun } from '../../../src/cli/run-setup';
import { compileFilter } from '../../../src/filter/evaluate';
import { FILTERS } from './filters';
import { runTuiModel } from './tui-model';

export const CAPTURE_HEADER = 2;
export const MODES: readonly string[][] = [
  [],
  ['-V'],
  ['-v'],
  ['--json'],
  ['-a'],
  ['--stats'],
  ['--services'],
  ['--explain'],
  ['--findings'],
  ['-Y'],
  ['--tui'],
  ['--stats', '--services', '--explain', '--findings'],
];
const TIME_MODES = ['d', 'r', 'a', 'd'];

/** A stream that accepts and drops every write. */
function nullStream(): Writable {
  return new Writable({
    write(_chunk, _enc, done) {
      done();
    },
  });
}

/** The command-line arguments fuzz() runs for mode byte `m` and options byte `o` (the capture is "fuzz.pcap"). */
export function captureArgs(m: number, o: number): string[] {
  const mode = MODES[m % MODES.length];
  const argv = ['-r', 'fuzz.pcap', '-t', TIME_MODES[(o >> 2) & 3]];
  if (o & 1) argv.push('--names');
  if (mode[0] === '-Y') argv.push('-Y', FILTERS[(o >> 4) % FILTERS.length], ...['-V', '-v', '--json', '--stats'].slice((o >> 4) & 3, ((o >> 4) & 3) + 1));
  else argv.push(...mode);
  if (o & 2 && mode[0]?.startsWith('--') && mode[0] !== '--tui') argv.push('--json');
  return argv;
}

export async function fuzz(data: Buffer): Promise<void> {
  if (data.length < CAPTURE_HEADER) return;
  const opts = parseOptions(captureArgs(data[0], data[1]));
  const capture = data.subarray(CAPTURE_HEADER);
  if (opts.tui) {
    await runTuiModel(capture, opts);
    return;
  }
  const filter = opts.displayFilter !== null ? compileFilter(opts.displayFilter) : null;
  const run = await setupRun(opts, false, filter, new LineWriter(nullStream()));
  try {
    // as readCapture in cli/main.ts: batches of frames into the pipeline
    const source = await openCaptureBytes(capture, 'fuzz.pcap');
    const batches = (source.batches as NonNullable<typeof source.batches>)();
    for await (const batch of batches) for (const frame of batch) run.pipeline.pushFrame(frame);
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
  }
  run.pipeline.finish();
  run.finish();
  run.pipeline.warningLines();
}
