/**
 * Peak memory on the hostile captures (issue 8): rpcsnoop on every capture of fixtures/hostile/ (and the full-size
 * million_calls, built on demand in a temporary directory), in summary and --json modes (more with --modes), with
 * the default caps: wall and CPU seconds, peak RSS, exit code, and what was reported (anomalies, caps reached).
 * Every peak must stay under the documented budget (README "Limits"; docs/robustness.md), which the report checks.
 *
 *   node dist/bench/hostile.js [--modes summary,--json,-v,--stats] [--budget-mib 1024] [--no-full] [-- EXTRA ARGS]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCapture } from '../src/capture/open-capture';
import { CaptureError } from '../src/capture/raw-frame';
import { HOSTILE_CAPTURES } from '../test/hostile/catalogue';
import { HOSTILE_DIR, writeHostile } from '../test/hostile/generate';
import { fmtInt, RPCSNOOP, table, timeCommand } from './common';

/** The memory budget the defaults promise (README "Limits"): peak RSS on any input, file mode. */
export const HOSTILE_BUDGET_MIB = 1024;

export interface HostileRow {
  capture: string;
  bytes: number;
  frames: number;
  mode: string;
  seconds: number;
  cpuSeconds: number;
  peakRssMiB: number | null;
  code: number | null;
  /** The end-of-run anomalies line and the options of the caps reached, from stderr. */
  reported: string;
}

export interface HostileReport {
  rows: HostileRow[];
  budgetMiB: number;
  extraArgs: string[];
}

/** Frames in a capture, read as rpcsnoop reads it (up to the damage, for a damaged file). */
async function countFrames(path: string): Promise<number> {
  let n = 0;
  try {
    const src = await openCapture(path, { positions: false });
    for await (const _ of src.frames()) n++;
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
  }
  return n;
}

/** "anomalies: a=1 b=2" and "limits: --max-pending …" from a run's stderr, short. */
function reported(stderr: string): string {
  const anomalies = /anomalies: (.*)/.exec(stderr)?.[1] ?? '';
  const caps = [...stderr.matchAll(/raise (--max-[a-z-]+)/g)].map((m) => m[1]);
  const failure = /^rpcsnoop: (?!anomalies|limit|.*raise --max).*$/m.exec(stderr)?.[0];
  return [anomalies, caps.length ? `caps: ${[...new Set(caps)].join(' ')}` : '', failure ? 'exit 1: damaged input' : ''].filter(Boolean).join('; ') || '-';
}

export async function runHostileBench(opts: { modes: string[]; budgetMiB: number; full: boolean; extraArgs?: string[]; log: (s: string) => void }): Promise<HostileReport> {
  const tmp = mkdtempSync(join(tmpdir(), 'rpcsnoop-hostile-'));
  const rows: HostileRow[] = [];
  try {
    const files = HOSTILE_CAPTURES.filter((c) => !c.onDemand).map((c) => join(HOSTILE_DIR, c.name));
    if (opts.full) {
      opts.log('building the full-size captures …');
      files.push(...writeHostile(tmp, { names: HOSTILE_CAPTURES.filter((c) => c.onDemand).map((c) => c.name) }));
    }
    for (const file of files) {
      const frames = await countFrames(file);
      for (const mode of opts.modes) {
        const args = ['-r', file, '--no-progress', ...(mode === 'summary' ? [] : [mode]), ...(opts.extraArgs ?? [])];
        const m = await timeCommand(process.execPath, [RPCSNOOP, ...args], { maxMs: 600_000 });
        const row: HostileRow = {
          capture: file.split('/').pop() as string,
          bytes: statSync(file).size,
          frames,
          mode,
          seconds: m.seconds,
          cpuSeconds: m.cpuSeconds,
          peakRssMiB: m.peakRssMiB,
          code: m.timedOut ? null : m.code,
          reported: reported(m.stderr),
        };
        rows.push(row);
        opts.log(`  ${row.capture} ${mode}: ${row.cpuSeconds.toFixed(2)} s CPU, ${row.peakRssMiB?.toFixed(0) ?? '?'} MiB`);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { rows, budgetMiB: opts.budgetMiB, extraArgs: opts.extraArgs ?? [] };
}

export function formatHostileReport(r: HostileReport): string {
  const over = r.rows.filter((x) => x.peakRssMiB === null || x.peakRssMiB >= r.budgetMiB);
  const peak = Math.max(...r.rows.map((x) => x.peakRssMiB ?? Infinity));
  const lines = [
    `Hostile captures${r.extraArgs.length ? ` (${r.extraArgs.join(' ')})` : ' (default caps)'}: peak RSS budget ${r.budgetMiB} MiB`,
    table(
      ['capture', 'bytes', 'frames', 'mode', 'CPU s', 'wall s', 'peak MiB', 'exit', 'reported'],
      r.rows.map((x) => [x.capture, fmtInt(x.bytes), fmtInt(x.frames), x.mode, x.cpuSeconds.toFixed(2), x.seconds.toFixed(2), x.peakRssMiB === null ? '-' : x.peakRssMiB.toFixed(0), x.code ?? 'killed', x.reported]),
    ),
    `highest peak ${peak.toFixed(0)} MiB: ${over.length === 0 ? 'every run under the budget' : `OVER the budget: ${over.map((x) => `${x.capture} ${x.mode}`).join(', ')}`}`,
  ];
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const sep = argv.indexOf('--');
  const extraArgs = sep >= 0 ? argv.slice(sep + 1) : [];
  const own = sep >= 0 ? argv.slice(0, sep) : argv;
  const val = (f: string): string | undefined => {
    const i = own.indexOf(f);
    return i >= 0 ? own[i + 1] : undefined;
  };
  const modes = (val('--modes') ?? 'summary,--json').split(',');
  const budgetMiB = Number(val('--budget-mib') ?? HOSTILE_BUDGET_MIB);
  const report = await runHostileBench({ modes, budgetMiB, full: !own.includes('--no-full'), extraArgs, log: (s) => void process.stderr.write(s + '\n') });
  process.stdout.write(formatHostileReport(report) + '\n');
  return report.rows.every((x) => x.peakRssMiB !== null && x.peakRssMiB < budgetMiB) ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`bench/hostile: ${(e as Error).stack}\n`);
      process.exitCode = 1;
    },
  );
}
