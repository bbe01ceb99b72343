/**
 * The rpcsnoop command: read a capture file (or capture live, live.ts), run the pipeline, print the chosen output.
 * Every expected failure ends in a one-line message on stderr and an exit code (0 ok, 1 input, 2 usage).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CaptureError, type RawFrame } from '../capture/raw-frame';
import { openCapture } from '../capture/open-capture';
import type { Filter } from '../filter/evaluate';
import { parseOptions, UsageError, USAGE, type CliOptions } from './options';
import type { Progress } from './progress';
import { setupRun } from './run-setup';
import { stderrLine } from './stderr-line';

// Loaded only by the modes that need them (`await import`), not at start: the display filter compiler, live
// capture (cap, privileges, the pcap writer), the TUI and the progress line. Loading modules was most of rpcsnoop's
// own time to its first line (docs/performance.md "Time to the first line"; test/cli-lazy-modules.test.ts keeps
// summary output from loading them).

function version(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseOptions(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      stderrLine(`${e.message} (see rpcsnoop --help)`);
      return 2;
    }
    throw e;
  }
  if (opts.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (opts.version) {
    process.stdout.write(`rpcsnoop ${version()}\n`);
    return 0;
  }
  if (opts.listInterfaces) return (await import('./live')).listInterfaces();
  let filter: Filter | null = null;
  if (opts.displayFilter !== null) {
    const { compileFilter } = await import('../filter/evaluate');
    const { FilterSyntaxError, formatFilterError } = await import('../filter/parser');
    try {
      filter = compileFilter(opts.displayFilter);
    } catch (e) {
      if (!(e instanceof FilterSyntaxError)) throw e;
      for (const l of formatFilterError(opts.displayFilter, e, 'rpcsnoop: -Y ')) process.stderr.write(l + '\n');
      return 2;
    }
  }
  if (opts.tui) return (await import('./tui-launch')).runTuiCommand(opts);
  if (opts.iface !== null) return (await import('./live')).runLive(opts, filter);
  return readCapture(opts, filter);
}

async function* singleBatches(frames: AsyncIterable<RawFrame>): AsyncGenerator<RawFrame[], void, undefined> {
  for await (const f of frames) yield [f];
}

/**
 * V8's heap headroom for a long file run: after a full collection the old generation may grow to 1.5 × what survived
 * it before the next one. V8 otherwise lets it grow to up to 4 × while allocation is fast, and that headroom, not
 * the bounded tables (~40 MB live), set the peak RSS of `-r` (~280 MiB on a 1 GB capture; docs/performance.md). It
 * costs more marking. Set once the first frames are decoded, so that loading node:v8 (~2 ms) does not delay the first
 * output line, and before the heap has grown.
 */
async function boundHeapGrowth(): Promise<void> {
  const v8 = await import('node:v8');
  v8.setFlagsFromString('--heap-growing-percent=50');
}

async function readCapture(opts: CliOptions, filter: Filter | null): Promise<number> {
  const file = opts.readFile as string;
  const run = await setupRun(opts, false, filter);
  const { out, pipeline } = run;
  let failure: string | null = null;
  let progress: Progress | null = null;
  try {
    const source = await openCapture(file, { positions: false });
    progress = opts.progress && process.stderr.isTTY ? new (await import('./progress')).Progress(process.stderr, source, pipeline) : null;
    // Batches: one await per batch of frames the reader had ready, not one per frame (docs/performance.md).
    const batches = source.batches ? source.batches() : singleBatches(source.frames());
    let heapBounded = false;
    reading: for await (const batch of batches) {
      for (const frame of batch) {
        pipeline.pushFrame(frame);
        progress?.tick();
        if (out.needsDrain) await out.flush();
        if (out.isClosed) break reading;
        if (opts.count !== null && frame.frameNo >= opts.count) break reading;
      }
      if (!heapBounded) {
        heapBounded = true;
        await boundHeapGrowth();
      }
    }
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
    failure = e.message;
  }
  pipeline.finish();
  run.finish();
  progress?.done();
  await out.flush();
  const warnings = run.warningLines();
  for (const w of warnings) stderrLine(w);
  if (failure !== null) {
    stderrLine(failure);
    return 1;
  }
  return 0;
}
