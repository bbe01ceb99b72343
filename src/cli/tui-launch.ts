/**
 * `rpcsnoop --tui`: opens the input the way the other modes do (a file, or a live interface with the privileges
 * dropped and `-w` saving), then hands the frames to the terminal UI in tui/ (loaded only now: blessed is not
 * needed by the other modes).
 */
import { openCapture } from '../capture/open-capture';
import { CaptureError, type RawFrame } from '../capture/raw-frame';
import { openLive } from './live';
import type { CliOptions } from './options';
import { stderrLine } from './stderr-line';

export async function runTuiCommand(opts: CliOptions): Promise<number> {
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    process.stderr.write('rpcsnoop: --tui needs a terminal on standard input and output\n');
    return 2;
  }
  const { runTui } = await import('../../tui/app');
  const tuiOpts = {
    live: opts.iface !== null,
    displayFilter: opts.displayFilter,
    names: opts.names,
    maxRows: opts.rows,
    allFrames: opts.all,
    path: opts.iface === null ? opts.readFile : null,
    maxEndpoints: opts.maxEndpoints,
    pipeline: {
      maxTransactions: opts.maxPending,
      maxAnswered: opts.maxAnswered,
      replyTimeout: opts.replyTimeout,
      maxRecordSize: opts.maxRecordSize,
      maxRecordBuffer: opts.maxRecordBuffer,
      maxStreams: opts.maxStreams,
      maxFragments: opts.maxFragments,
      maxStreamBuffer: opts.maxStreamBuffer,
      maxTcpBuffer: opts.maxTcpBuffer,
    },
  };
  if (opts.iface === null) {
    let source;
    try {
      source = await openCapture(opts.readFile as string);
    } catch (e) {
      if (!(e instanceof CaptureError)) throw e;
      stderrLine(e.message);
      return 1;
    }
    return runTui(source, tuiOpts);
  }
  const opened = openLive(opts);
  if (typeof opened === 'number') return opened;
  const { capture, writer } = opened;
  const live = capture;
  const source = {
    name: live.name,
    stop: () => live.stop(),
    async *frames(): AsyncGenerator<RawFrame> {
      for await (const f of live.frames()) {
        writer?.write(f);
        if (live.pending === 0) writer?.flush();
        yield f;
        if (opts.count !== null && f.frameNo >= opts.count) live.stop();
      }
    },
  };
  const code = await runTui(source, tuiOpts);
  live.stop();
  writer?.close();
  return code;
}
