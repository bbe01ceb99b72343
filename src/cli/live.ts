/**
 * `rpcsnoop -i IFACE`: live capture. Opens the interface and the `-w` file as root, drops privileges (-Z, default
 * nobody) before the first packet is decoded, prints each message as it completes (output flushed whenever the
 * capture queue is empty), and stops cleanly on SIGINT, SIGTERM, -c or --duration: queued frames are decoded,
 * output flushed, the `-w` file completed, unanswered calls reported and a one-line summary written on stderr.
 */
import { describeDevices, DEFAULT_LIVE, LiveCapture, LiveCaptureError, loadCap } from '../capture/live-capture';
import { PcapWriter } from '../capture/pcap-writer';
import type { Filter } from '../filter/evaluate';
import type { CliOptions } from './options';
import { dropPrivileges, PrivilegeError } from './privileges';
import { setupRun } from './run-setup';
import { stderrLine } from './stderr-line';

export function listInterfaces(): number {
  try {
    for (const l of describeDevices(loadCap())) process.stdout.write(l + '\n');
    return 0;
  } catch (e) {
    stderrLine((e as Error).message);
    return 1;
  }
}

/** A live capture opened as the command line asks: the interface, the `-w` file, then privileges dropped. */
export interface OpenedLive {
  capture: LiveCapture;
  writer: PcapWriter | null;
}

/** Opens `-i`, `-w` and drops to `-Z`; on failure writes the one-line message and returns the exit code (1). */
export function openLive(opts: CliOptions): OpenedLive | number {
  let capture: LiveCapture;
  let writer: PcapWriter | null = null;
  try {
    const bufferSize = opts.bufferKiB !== null ? opts.bufferKiB * 1024 : DEFAULT_LIVE.bufferSize;
    capture = new LiveCapture(loadCap(), { ...DEFAULT_LIVE, device: opts.iface as string, filter: opts.filter, snaplen: opts.snaplen, bufferSize });
  } catch (e) {
    if (e instanceof LiveCaptureError) {
      stderrLine(e.message);
      return 1;
    }
    throw e;
  }
  try {
    if (opts.writeFile !== null) // batched; flushed whenever the capture is caught up and at the end, so records are always written whole
    writer = new PcapWriter(opts.writeFile, capture.linkType, opts.snaplen, 64 * 1024);
    dropPrivileges(opts.user);
  } catch (e) {
    capture.stop();
    writer?.close();
    const msg = e instanceof PrivilegeError ? e.message : `${opts.writeFile}: ${(e as Error).message}`;
    stderrLine(msg);
    return 1;
  }
  return { capture, writer };
}

export async function runLive(opts: CliOptions, filter: Filter | null = null): Promise<number> {
  // before the interface is opened and privileges dropped: setupRun loads the modules of the chosen output (JSON,
  // -Y, reports), which the user rpcsnoop drops to might not be allowed to read
  const run = await setupRun(opts, true, filter);
  const opened = openLive(opts);
  if (typeof opened === 'number') return opened;
  const { capture, writer } = opened;
  const { out, pipeline } = run;
  let stopping = false;
  const stop = (): void => {
    // a second signal while the first is being handled means "now": leave at once
    if (stopping) process.exit(130);
    stopping = true;
    capture.stop();
  };
  const stopOnSignal = (): void => stop();
  process.on('SIGINT', stopOnSignal);
  process.on('SIGTERM', stopOnSignal);
  const timer = opts.duration !== null ? setTimeout(() => stopping || stop(), opts.duration * 1000) : null;
  stderrLine(`capturing on ${capture.name}${opts.filter ? ` (${opts.filter})` : ''}, link type ${capture.linkType}`);
  for await (const frame of capture.frames()) {
    writer?.write(frame);
    pipeline.pushFrame(frame);
    if (capture.pending === 0) {
      // caught up: make what was decoded visible now (line-buffered, never a partial line)
      writer?.flush();
      await out.flush();
    } else if (out.needsDrain) {
      await out.flush();
    }
    if (opts.count !== null && frame.frameNo >= opts.count && !stopping) stop();
  }
  if (timer) clearTimeout(timer);
  process.off('SIGINT', stopOnSignal);
  process.off('SIGTERM', stopOnSignal);
  pipeline.finish();
  run.finish();
  writer?.close();
  await out.flush();
  for (const w of run.warningLines()) stderrLine(w);
  const c = pipeline.pairing.counters;
  const unanswered = pipeline.unansweredCalls();
  if (unanswered.length) {
    const shown = unanswered.slice(0, 20).map((t) => `frame ${t.callFrame} xid 0x${t.xid.toString(16).padStart(8, '0')} ${t.name}`);
    stderrLine(`unanswered calls: ${shown.join('; ')}${unanswered.length > 20 ? `; and ${unanswered.length - 20} more` : ''}`);
  }
  stderrLine(`${capture.framesCaptured} frames (${capture.bytesRead()} bytes), ${pipeline.counters.messages} RPC messages, ${c.pairs} pairs, ${c.unanswered} unanswered, ${capture.dropped} dropped by rpcsnoop${writer ? `, ${writer.frames} frames saved to ${writer.path}` : ''}`);
  return 0;
}
