/**
 * `npm run bench`: the live throughput ladder over UDP, then over TCP, then decoding speed on files; prints a short
 * report (the live tables, the highest passing rates, the file table). Bounded: each part has a time budget.
 *
 * `--hostile-only`: peak memory on the hostile captures of fixtures/hostile/ (hostile.ts; part of a full run too).
 *
 * Then the TUI on a ~1 GB capture (tui-large-file.ts): time to first screen, time to done, peak memory. Then
 * rpcsnoop against tshark, tcpdump and a raw record walk on a capture of at least 1 GB and 5 M RPC messages
 * (~2.8 GB with the default mix; compare.ts; issue 7's targets).
 *
 *   node dist/bench/run.js [--live-only | --file-only | --tui-only | --compare-only | --hostile-only] [--no-tcp] [--duration S]
 *                          [--scale N] [--port 40111] [--tui-size-mb 1000] [--compare-size-mb 1000]
 *                          [--compare-messages 5000000]
 */
import { cpus } from 'node:os';
import { formatCompareReport, runCompare, type CompareReport } from './compare';
import { formatFileReport, runFileBench, type FileReport } from './file-throughput';
import { formatHostileReport, HOSTILE_BUDGET_MIB, runHostileBench, type HostileReport } from './hostile';
import { fmtInt, loadAverage } from './common';
import { DEFAULT_RATES, formatLiveReport, runLiveBench, type LiveReport } from './live-throughput';
import { DEFAULT_PORT } from './rpc-load';
import { formatTuiReport, runTuiBench, type TuiReport } from './tui-large-file';

async function main(argv: string[]): Promise<number> {
  const has = (f: string): boolean => argv.includes(f);
  const val = (f: string, d: number): number => {
    const i = argv.indexOf(f);
    return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : d;
  };
  const withValue = ['--duration', '--scale', '--port', '--tui-size-mb', '--compare-size-mb', '--compare-messages'];
  const known = new Set(['--live-only', '--file-only', '--tui-only', '--compare-only', '--hostile-only', '--no-tcp', ...withValue]);
  for (let i = 0; i < argv.length; i++) {
    if (!known.has(argv[i])) throw new Error(`unknown argument ${argv[i]} (see bench/README.md)`);
    if (withValue.includes(argv[i])) i++;
  }
  const only = ['--live-only', '--file-only', '--tui-only', '--compare-only', '--hostile-only'].find(has);
  const part = (name: string): boolean => only === undefined || only === `--${name}-only`;
  const duration = val('--duration', 2);
  const port = val('--port', DEFAULT_PORT);
  const started = Date.now();
  const log = (s: string): void => void process.stderr.write(s + '\n');
  const c = cpus();
  const header = `rpcsnoop benchmark, ${new Date().toISOString()}, node ${process.version}, ${c.length} × ${c[0]?.model ?? '?'}, load average ${loadAverage()}`;
  log(header);
  const live: LiveReport[] = [];
  let file: FileReport | null = null;
  let tui: TuiReport | null = null;
  let compare: CompareReport | null = null;
  let hostile: HostileReport | null = null;
  if (part('live')) {
    log('live capture, UDP:');
    live.push(await runLiveBench({ transport: 'udp', port, rates: DEFAULT_RATES, duration, refine: 2, budget: 60, log }));
    if (!has('--no-tcp')) {
      log('live capture, TCP:');
      // several records share a segment: TCP frames/s stay far below messages/s, so the ladder goes higher
      live.push(await runLiveBench({ transport: 'tcp', port, rates: [...DEFAULT_RATES, 160000], duration, refine: 1, budget: 45, log }));
    }
  }
  if (part('file')) {
    log('file decoding:');
    file = await runFileBench({ scale: val('--scale', 0.5), log });
  }
  if (part('tui')) {
    log('TUI on large files:');
    tui = await runTuiBench({ sizeMB: val('--tui-size-mb', 1000), log });
  }
  if (part('compare')) {
    log('rpcsnoop against tshark, tcpdump and a raw record walk:');
    compare = await runCompare({ sizeMB: val('--compare-size-mb', 1000), minMessages: val('--compare-messages', 5_000_000), log });
  }
  if (part('hostile')) {
    log('hostile captures, peak memory:');
    hostile = await runHostileBench({ modes: ['summary', '--json'], budgetMiB: HOSTILE_BUDGET_MIB, full: true, log });
  }
  const out: string[] = ['', header, ''];
  for (const r of live) out.push(formatLiveReport(r), '');
  if (file) out.push(formatFileReport(file), '');
  if (tui) out.push(formatTuiReport(tui), '');
  if (compare) out.push(formatCompareReport(compare), '');
  if (hostile) out.push(formatHostileReport(hostile), '');
  const summary = live
    .filter((r) => !r.skipped)
    .map((r) => `${r.transport.toUpperCase()} ${r.sustained === null ? 'none' : fmtInt(r.sustained)} RPC messages/s`);
  if (summary.length) out.push(`live: highest rate at which rpcsnoop reported every message tcpdump saved: ${summary.join(', ')}`);
  out.push(`benchmark took ${((Date.now() - started) / 1000).toFixed(0)} s; load average now ${loadAverage()}`);
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e) => {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    process.exitCode = 1;
  },
);
