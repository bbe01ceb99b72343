/**
 * `npm run fuzz -- [options]`: coverage-guided fuzzing of every target (target-list.ts) with Jazzer.js/libFuzzer.
 *
 *   --time SECONDS        total fuzzing time, shared among the targets (default 300)
 *   --per-target SECONDS  time per target instead (overrides --time)
 *   --targets a,b         only these targets (default all)
 *   --jobs N              targets fuzzed at once (default 1)
 *   --smoke               a short pass over every target for CI (6 s each, ~80 s in all)
 *   --list                print the targets and exit
 *
 * First it makes the libFuzzer addon load (jazzer-compat.ts), carves seeds from the fixtures into
 * .fuzz/<target>/seeds (gitignored; libFuzzer keeps what it finds in .fuzz/<target>/corpus, so later campaigns go
 * on from there), then runs each target and prints one line per target: executions, executions per second,
 * coverage (libFuzzer's cov/ft), corpus size and findings. Every crash, timeout (hang) or oom (excess memory)
 * input is copied to fixtures/crashers/<target>/<name> and the run exits 1; test/fuzz-crashers.test.ts then
 * replays it on every `npm test`.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../helpers/fixtures';
import { ensureJazzerLoads } from './jazzer-compat';
import { carveSeeds } from './seeds';
import { TARGETS, targetSpec, type TargetName, type TargetSpec } from './target-list';

const WORK = path.join(ROOT, '.fuzz');
export const CRASHERS = path.join(ROOT, 'fixtures', 'crashers');
const SMOKE_SECONDS = 6;
const ARTIFACT = /^(crash|timeout|oom|leak)-/;

interface RunOptions {
  totalSec: number;
  perTargetSec: number | null;
  targets: TargetSpec[];
  jobs: number;
  list: boolean;
}

export interface TargetResult {
  name: TargetName;
  execs: number;
  execPerSec: number;
  cov: number;
  ft: number;
  corpus: number;
  exitCode: number | null;
  artifacts: string[];
}

function parseArgs(argv: string[]): RunOptions {
  const o: RunOptions = { totalSec: 300, perTargetSec: null, targets: [...TARGETS], jobs: 1, list: false };
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--time') o.totalSec = num(a, argv[++i]);
    else if (a === '--per-target') o.perTargetSec = num(a, argv[++i]);
    else if (a === '--jobs') o.jobs = Math.floor(num(a, argv[++i]));
    else if (a === '--smoke') o.perTargetSec = SMOKE_SECONDS;
    else if (a === '--list') o.list = true;
    else if (a === '--targets') {
      const names = (argv[++i] ?? '').split(',').filter((s) => s.length > 0);
      o.targets = names.map((n) => {
        const t = targetSpec(n);
        if (!t) throw new Error(`unknown target '${n}' (--list shows them)`);
        return t;
      });
      if (o.targets.length === 0) throw new Error('--targets needs a list of names');
    } else throw new Error(`unknown option '${a}'`);
  }
  return o;
}

/** The per-target time: explicit, or the total shared out over the targets running `jobs` at a time. */
function secondsPerTarget(o: RunOptions): number {
  if (o.perTargetSec !== null) return Math.max(1, Math.round(o.perTargetSec));
  const rounds = Math.ceil(o.targets.length / o.jobs);
  return Math.max(1, Math.floor(o.totalSec / rounds));
}

function writeSeeds(dir: string, seeds: readonly Buffer[]): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  seeds.forEach((s, i) => fs.writeFileSync(path.join(dir, `seed-${String(i).padStart(4, '0')}`), s));
}

/** libFuzzer's final numbers from its output: the last status line (`#N ... cov: C ft: F corp: K/...`) and stat::. */
export function parseStats(log: string): Pick<TargetResult, 'execs' | 'execPerSec' | 'cov' | 'ft' | 'corpus'> {
  let execs = 0;
  let cov = 0;
  let ft = 0;
  let corpus = 0;
  let execPerSec = 0;
  for (const m of log.matchAll(/^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)(?:.*exec\/s: (\d+))?/gm)) {
    execs = Number(m[1]);
    cov = Number(m[2]);
    ft = Number(m[3]);
    corpus = Number(m[4]);
    if (m[5] !== undefined) execPerSec = Number(m[5]);
  }
  const units = /stat::number_of_executed_units: (\d+)/.exec(log);
  if (units) execs = Number(units[1]);
  const rate = /stat::average_exec_per_sec:\s+(\d+)/.exec(log);
  if (rate) execPerSec = Number(rate[1]);
  return { execs, execPerSec, cov, ft, corpus };
}

function runTarget(t: TargetSpec, seconds: number): Promise<TargetResult> {
  const dir = path.join(WORK, t.name);
  const corpus = path.join(dir, 'corpus');
  const artifacts = path.join(dir, 'artifacts');
  fs.mkdirSync(corpus, { recursive: true });
  fs.rmSync(artifacts, { recursive: true, force: true });
  fs.mkdirSync(artifacts, { recursive: true });
  const cli = path.join(path.dirname(require.resolve('@jazzer.js/core/package.json')), 'dist', 'cli.js');
  const args = [
    cli,
    path.join(ROOT, 'dist', 'test', 'fuzz', 'targets', `${t.name}.js`),
    corpus,
    path.join(dir, 'seeds'),
    // instrument the code under test (compiled core and TUI), not the harness or node_modules
    '-i',
    path.join('dist', 'src') + path.sep,
    '-i',
    path.join('dist', 'tui') + path.sep,
    '-e',
    'node_modules',
    '-e',
    path.join('dist', 'test') + path.sep,
    // our code opens no files and runs no commands: the default bug detectors would only cost executions
    '--disable_bug_detectors=.*',
    `--timeout=${t.timeoutSec * 1000}`,
    ...(t.sync ? ['--sync'] : []),
    '--',
    `-max_total_time=${seconds}`,
    `-timeout=${t.timeoutSec}`,
    `-rss_limit_mb=${t.rssLimitMb}`,
    `-max_len=${t.maxLen}`,
    `-artifact_prefix=${artifacts}${path.sep}`,
    '-print_final_stats=1',
  ];
  const logFile = path.join(dir, 'log');
  const log = fs.createWriteStream(logFile);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    const keep = (chunk: Buffer): void => {
      log.write(chunk);
      text += chunk.toString('latin1');
      if (text.length > 4_000_000) text = text.slice(-1_000_000); // the final lines are what is parsed
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => {
      log.end();
      const found = fs.readdirSync(artifacts).filter((f) => ARTIFACT.test(f));
      resolve({ name: t.name, ...parseStats(text), exitCode: code, artifacts: found.map((f) => path.join(artifacts, f)) });
    });
  });
}

/** Copy a finding into fixtures/crashers/<target>/ (kept by name, so a finding seen twice is copied once). */
function keepArtifact(target: TargetName, file: string): string {
  const dir = path.join(CRASHERS, target);
  fs.mkdirSync(dir, { recursive: true });
  const to = path.join(dir, path.basename(file));
  fs.copyFileSync(file, to);
  return path.relative(ROOT, to);
}

function line(r: TargetResult, seconds: number): string {
  const found = r.artifacts.length;
  const status = found > 0 ? `${found} FOUND` : r.exitCode === 0 ? 'ok' : `exit ${r.exitCode}`;
  return (
    `${r.name.padEnd(13)} ${String(seconds).padStart(5)}s  execs ${String(r.execs).padStart(9)}  exec/s ${String(r.execPerSec).padStart(6)}` +
    `  cov ${String(r.cov).padStart(5)}  ft ${String(r.ft).padStart(6)}  corpus ${String(r.corpus).padStart(5)}  ${status}`
  );
}

export async function runFuzz(argv: string[]): Promise<number> {
  let o: RunOptions;
  try {
    o = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`fuzz: ${(e as Error).message}\n`);
    return 2;
  }
  if (o.list) {
    for (const t of TARGETS) process.stdout.write(`${t.name.padEnd(13)} ${t.about}\n`);
    return 0;
  }
  const compat = ensureJazzerLoads((l) => process.stderr.write(l + '\n'));
  if (compat !== null) {
    process.stderr.write(compat + '\n');
    return 1;
  }
  const seconds = secondsPerTarget(o);
  const maxLen = Object.fromEntries(TARGETS.map((t) => [t.name, t.maxLen])) as Record<TargetName, number>;
  const seeds = await carveSeeds(maxLen);
  for (const t of o.targets) writeSeeds(path.join(WORK, t.name, 'seeds'), seeds[t.name]);
  process.stdout.write(`fuzz: ${o.targets.length} targets, ${seconds} s each, ${o.jobs} at a time; logs in .fuzz/<target>/log\n`);

  const results: TargetResult[] = [];
  const queue = [...o.targets];
  const worker = async (): Promise<void> => {
    for (let t = queue.shift(); t; t = queue.shift()) {
      const r = await runTarget(t, seconds);
      results.push(r);
      process.stdout.write(line(r, seconds) + '\n');
      for (const a of r.artifacts) process.stdout.write(`  ${path.basename(a)} -> ${keepArtifact(r.name, a)}\n`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.jobs, o.targets.length) }, worker));

  const execs = results.reduce((n, r) => n + r.execs, 0);
  const findings = results.reduce((n, r) => n + r.artifacts.length, 0);
  const failed = results.filter((r) => r.artifacts.length === 0 && r.exitCode !== 0);
  process.stdout.write(`fuzz: ${execs} executions in all, ${findings} findings${failed.length > 0 ? `, ${failed.length} targets failed without a finding (see their logs)` : ''}\n`);
  return findings > 0 || failed.length > 0 ? 1 : 0;
}

if (require.main === module) {
  runFuzz(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`fuzz: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
