/**
 * The TUI on a large capture (issue 6: "the first screen appears within one second on a 1 GB capture; memory stays
 * bounded"): builds a ~1 GB bulk NFS capture and a metadata capture with many small transactions (repeatCapture),
 * runs `rpcsnoop --tui -r FILE` in a tmux session (a real terminal) and measures
 * - time to first screen: from the spawn until the first transaction row is on the screen (capture-pane polled
 *   every 20 ms);
 * - time until the status bar says `done` (the whole file decoded in the background while the screen is live);
 * - peak resident memory (VmHWM of the node process) when done;
 * - a key's response at the end (G: until the list shows the last rows).
 *
 *   node dist/bench/tui-large-file.js [--size-mb 1000] [--keep DIR]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmtInt, hasCommand, processPeakRssKiB, ROOT, RPCSNOOP, sleep, table } from './common';
import { repeatCapture } from './file-throughput';

export interface TuiRow {
  workload: string;
  sizeMB: number;
  frames: number;
  firstScreenSeconds: number | null;
  doneSeconds: number | null;
  peakRssMiB: number | null;
  rows: string;
  keySeconds: number | null;
  note: string;
}

export interface TuiReport {
  rows: TuiRow[];
  skipped: string | null;
}

const ROW = /^\s*\d+ +\d+\.\d+ /m;

function tmux(socket: string, args: string[]): string {
  return execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
}

async function measure(workload: string, file: string, frames: number, log: (s: string) => void): Promise<TuiRow> {
  const socket = `rpcsnoop-bench-${process.pid}`;
  const sizeMB = statSync(file).size / 1e6;
  const row: TuiRow = { workload, sizeMB, frames, firstScreenSeconds: null, doneSeconds: null, peakRssMiB: null, rows: '', keySeconds: null, note: '' };
  const cmd = `exec env TERM=xterm-256color LANG=C.UTF-8 '${process.execPath}' '${RPCSNOOP}' --tui -r '${file}'`;
  const t0 = performance.now();
  tmux(socket, ['new-session', '-d', '-s', 'b', '-x', '132', '-y', '40', cmd]);
  try {
    const pid = Number(tmux(socket, ['display-message', '-p', '-t', 'b', '#{pane_pid}']).trim());
    const screen = (): string => tmux(socket, ['capture-pane', '-p', '-t', 'b']);
    const deadline = t0 + 600_000;
    let peak = 0;
    while (performance.now() < deadline) {
      const s = screen();
      const now = (performance.now() - t0) / 1000;
      peak = Math.max(peak, processPeakRssKiB(pid) ?? 0);
      if (row.firstScreenSeconds === null && ROW.test(s)) row.firstScreenSeconds = now;
      if (/^done \| /m.test(s)) {
        row.doneSeconds = now;
        row.rows = /messages (\d+) \| pairs (\d+)/.exec(s)?.slice(1).join(' msgs, ') + ' pairs' + (/evicted \d+ \(kept \d+\)/.exec(s)?.[0] ? `, ${/evicted \d+ \(kept \d+\)/.exec(s)?.[0]}` : '');
        break;
      }
      await sleep(row.firstScreenSeconds === null ? 20 : 200);
    }
    row.peakRssMiB = (processPeakRssKiB(pid) ?? peak) / 1024;
    // a key at the end: G (to the last row), timed until the list shows other rows than before
    const firstRow = (x: string): string => x.split('\n').find((l) => ROW.test(l)) ?? '';
    const before = firstRow(screen());
    const k0 = performance.now();
    tmux(socket, ['send-keys', '-t', 'b', 'G']);
    while (performance.now() - k0 < 10_000) {
      if (firstRow(screen()) !== before) {
        row.keySeconds = (performance.now() - k0) / 1000;
        break;
      }
      await sleep(5);
    }
    tmux(socket, ['send-keys', '-t', 'b', 'q']);
    await sleep(300);
  } catch (e) {
    row.note = (e as Error).message.split('\n')[0];
  } finally {
    try {
      tmux(socket, ['kill-server']);
    } catch {
      // gone with its only session
    }
  }
  log(`  ${workload}: first screen ${row.firstScreenSeconds?.toFixed(2) ?? '-'} s, done ${row.doneSeconds?.toFixed(1) ?? '-'} s, peak RSS ${row.peakRssMiB?.toFixed(0) ?? '-'} MiB, ${row.rows}`);
  return row;
}

export async function runTuiBench(opts: { sizeMB?: number; keep?: string | null; log?: (s: string) => void } = {}): Promise<TuiReport> {
  const log = opts.log ?? ((s: string) => void process.stderr.write(s + '\n'));
  if (!hasCommand('tmux')) return { rows: [], skipped: 'tmux is not installed (apt-get install tmux)' };
  const sizeMB = opts.sizeMB ?? 1000;
  const dir = opts.keep ?? mkdtempSync(join(tmpdir(), 'rpcsnoop-bench-tui-'));
  mkdirSync(dir, { recursive: true });
  const rows: TuiRow[] = [];
  try {
    const fx = (name: string): string => join(ROOT, 'fixtures', name);
    const bulk = join(dir, 'bulk.pcap');
    const b = repeatCapture(fx('nfs3_bulk_veth_mtu1500.pcap'), bulk, Math.max(1, Math.round((sizeMB * 1e6) / 4_952_432)));
    rows.push(await measure('bulk NFS', bulk, b.frames, log));
    if (!opts.keep) rmSync(bulk, { force: true });
    const meta = join(dir, 'metadata.pcap');
    // repeatCapture stops at the copies that get distinct client ports (~1800 of this fixture, ~125 MB)
    const m = repeatCapture(fx('nfs3_browse_lo.pcap'), meta, Math.max(1, Math.round((sizeMB * 1e6) / 69_728)));
    rows.push(await measure('metadata', meta, m.frames, log));
  } finally {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
  return { rows, skipped: null };
}

export function formatTuiReport(r: TuiReport): string {
  if (r.skipped) return `TUI on large files: skipped (${r.skipped})`;
  return [
    'TUI on large files (rpcsnoop --tui -r FILE in tmux, 132x40):',
    table(
      ['workload', 'MB', 'frames', 'first screen s', 'done s', 'peak RSS MiB', 'key s', 'rows'],
      r.rows.map((x) => [x.workload, x.sizeMB.toFixed(0), fmtInt(x.frames), x.firstScreenSeconds?.toFixed(2) ?? '-', x.doneSeconds?.toFixed(1) ?? '-', x.peakRssMiB?.toFixed(0) ?? '-', x.keySeconds?.toFixed(3) ?? '-', x.rows + (x.note ? ` (${x.note})` : '')]),
    ),
  ].join('\n');
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const val = (f: string): string | undefined => {
    const i = argv.indexOf(f);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  runTuiBench({ sizeMB: Number(val('--size-mb') ?? 1000), keep: val('--keep') ?? null }).then(
    (r) => process.stdout.write(formatTuiReport(r) + '\n'),
    (e) => {
      process.stderr.write(`bench: ${(e as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
