/**
 * rpcsnoop against its peers on one large capture (issue 7), all measured in the same run on the same file:
 *
 * - rpcsnoop -r F > /dev/null (summary lines), --json > /dev/null, --stats;
 * - tshark -r F -Y rpc > /dev/null and tcpdump -nn -r F > /dev/null, when installed; also tcpdump -nn -S: with many
 *   TCP connections, tcpdump's relative sequence numbers (a hash table of 919 chains of connections, searched
 *   linearly) dominate its time, which -S (absolute numbers) avoids. The peers get a time limit (--peer-limit S);
 *   a run stopped there is shown with its time as a lower bound;
 * - a raw record walk (raw-walk.ts: read in 8 MiB chunks, step over pcap records) as the practical limit;
 * - rpcsnoop's time to its first output line (spawn → first byte on stdout; min/median/max of 10 runs after one
 *   untimed run, which writes the start bundle's code cache if it is missing), and node's own time to a first byte
 *   (`node -e`) for reference.
 *
 * Wall time, CPU time and peak RSS come from /usr/bin/time (or VmHWM polled from /proc). The file is read once
 * before the timed runs, so every run reads it from the page cache. Figures per tool: MB/s, frames/s, RPC
 * messages/s (the file's frames and messages, whatever the tool prints), peak RSS, and its ratio to each peer.
 * Targets: summary ≥ 10 × tshark and ≥ tcpdump in throughput; --stats ≥ 50 % of the raw walk; peak RSS < 200 MB;
 * first output line within 100 ms.
 *
 *   node dist/bench/compare.js [--size 1000] [--messages N] [--file F] [--keep DIR] [--no-peers]
 *                            [--modes walk,summary,json,stats,tshark,tcpdump,tcpdump-S,first] [--peer-limit 300]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBigCapture } from './big-capture';
import { fmtInt, hasCommand, loadAverage, RPCSNOOP, table, timeCommand, type Measured } from './common';

export interface CompareOptions {
  sizeMB: number;
  minMessages: number;
  /** An existing capture to measure instead of building one. */
  file: string | null;
  keep: string | null;
  /** What to run (see MODES). */
  modes: Mode[];
  /** Seconds a peer (tshark, tcpdump) may run before it is stopped. */
  peerLimit: number;
  log: (s: string) => void;
}

export const MODES = ['walk', 'summary', 'json', 'stats', 'tshark', 'tcpdump', 'tcpdump-S', 'first'] as const;
export type Mode = (typeof MODES)[number];

export interface CompareRow {
  tool: string;
  m: Measured;
  /** A problem with the run (exit status, too little output), else ''. */
  note: string;
}

export interface CompareReport {
  file: string;
  sizeMB: number;
  frames: number;
  /** RPC messages, from rpcsnoop --stats (or the generator's count when --stats was not run). */
  messages: number;
  /** What the generator expected and what --stats found amiss: unanswered calls, orphan replies, retransmissions. */
  check: string;
  buildSeconds: number;
  rows: CompareRow[];
  /** Milliseconds from spawn to rpcsnoop's first byte on stdout, median of FIRST_RUNS (summary output). */
  firstLineMs: number | null;
  firstLineAll: number[];
  /** The same for `node -e 'process.stdout.write("x")'`: node's own start, which no change to rpcsnoop can cut. */
  nodeStartAll: number[];
  /** /proc/loadavg before and after the timed runs: other work on the machine slows wall times. */
  load: string;
}

/** Timed runs of the first-line measurement. */
export const FIRST_RUNS = 10;

/** Milliseconds from spawning rpcsnoop on `file` to its first byte on stdout (then it is stopped). */
export function firstOutputMs(file: string, args: string[] = []): Promise<number | null> {
  return firstByteMs([RPCSNOOP, '-r', file, ...args]);
}

/** Milliseconds from spawning node with `args` to its first byte on stdout (then it is stopped). */
export function firstByteMs(args: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let got: number | null = null;
    p.stdout.once('data', () => {
      got = Number(process.hrtime.bigint() - t0) / 1e6;
      p.kill('SIGKILL');
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
  });
}

/** Totals of the per-procedure table of `--stats`: calls, replies, unanswered, retransmissions; and the orphans. */
export function statsTotals(text: string): { messages: number; orphans: number; unanswered: number; retransmissions: number } | null {
  const cap = /Capture: (\d+) RPC messages \((\d+) calls, (\d+) replies, (\d+) without their call\)/.exec(text);
  if (!cap) return null;
  let unanswered = 0;
  let retransmissions = 0;
  // Program Vers Index Procedure Calls Replies Errors Unanswd Retrans ...
  for (const line of text.split('\n')) {
    const m = /^\S+\(\d+\)\s+\d+\s+\d+\s+\S+\s+\d+\s+\d+\s+\d+\s+(\d+)\s+(\d+)\s/.exec(line);
    if (m) {
      unanswered += Number(m[1]);
      retransmissions += Number(m[2]);
    }
  }
  return { messages: Number(cap[1]), orphans: Number(cap[4]), unanswered, retransmissions };
}

export async function runCompare(opts: Partial<CompareOptions> = {}): Promise<CompareReport> {
  const o: CompareOptions = {
    sizeMB: 1000,
    minMessages: 0,
    file: null,
    keep: null,
    modes: [...MODES],
    peerLimit: 300,
    log: (s) => process.stderr.write(s + '\n'),
    ...opts,
  };
  let dir: string | null = null;
  let file = o.file;
  let expected: number | null = null;
  let buildSeconds = 0;
  if (!file) {
    if (o.keep) mkdirSync((dir = o.keep), { recursive: true });
    else dir = mkdtempSync(join(tmpdir(), 'rpcsnoop-bench-compare-'));
    file = join(dir, `big-${o.sizeMB}MB.pcap`);
    o.log(`  building ${file} (${o.sizeMB} MB${o.minMessages ? `, ${fmtInt(o.minMessages)} messages` : ''})`);
    const b = buildBigCapture(file, { sizeMB: o.sizeMB, minMessages: o.minMessages });
    expected = b.messages;
    buildSeconds = b.seconds;
    o.log(`  built in ${b.seconds.toFixed(1)} s: ${fmtInt(b.frames)} frames, ${fmtInt(b.messages)} RPC messages, copies ${JSON.stringify(b.copies)}`);
  }
  try {
    const sizeMB = statSync(file).size / 1e6;
    const rows: CompareRow[] = [];
    const add = (tool: string, m: Measured, note = ''): Measured => {
      if (m.timedOut) note = `stopped at the ${o.peerLimit} s limit: a lower bound`;
      else if (m.code !== 0) note = `exit ${m.code}: ${m.stderr.trim().split('\n').pop() ?? ''}`;
      rows.push({ tool, m, note });
      o.log(`  ${tool}: ${m.seconds.toFixed(2)} s, CPU ${m.cpuSeconds.toFixed(2)} s, peak RSS ${m.peakRssMiB?.toFixed(0) ?? '-'} MiB${note ? ` (${note})` : ''}`);
      return m;
    };
    const loadBefore = loadAverage();
    const walker = join(__dirname, 'raw-walk.js');
    await timeCommand(process.execPath, [walker, file]); // into the page cache
    const walk = await timeCommand(process.execPath, [walker, file], { capture: true });
    if (o.modes.includes('walk')) add('raw record walk', walk);
    const frames = Number(/^(\d+) records/.exec(walk.stdout)?.[1] ?? NaN);
    let messages = expected ?? NaN;
    let check = expected === null ? '' : `generator: ${fmtInt(expected)} messages`;
    if (o.modes.includes('summary')) add('rpcsnoop (summary)', await timeCommand(process.execPath, [RPCSNOOP, '-r', file]));
    if (o.modes.includes('json')) add('rpcsnoop --json', await timeCommand(process.execPath, [RPCSNOOP, '-r', file, '--json']));
    if (o.modes.includes('stats')) {
      const st = add('rpcsnoop --stats', await timeCommand(process.execPath, [RPCSNOOP, '-r', file, '--stats'], { capture: true }));
      const t = statsTotals(st.stdout);
      if (t) {
        messages = t.messages;
        const ok = (expected === null || t.messages === expected) && t.orphans + t.unanswered + t.retransmissions === 0;
        check = `${check ? check + '; ' : ''}--stats: ${fmtInt(t.messages)} messages, ${t.unanswered} unanswered, ${t.orphans} orphans, ${t.retransmissions} retransmissions${ok ? ' (ok)' : ' (MISMATCH)'}`;
      }
    }
    const limit = { maxMs: o.peerLimit * 1000 };
    if (o.modes.includes('tshark') && hasCommand('tshark')) add('tshark -Y rpc', await timeCommand('tshark', ['-r', file, '-Y', 'rpc'], limit));
    if (o.modes.includes('tcpdump') && hasCommand('tcpdump')) add('tcpdump -nn', await timeCommand('tcpdump', ['-nn', '-r', file], limit));
    if (o.modes.includes('tcpdump-S') && hasCommand('tcpdump')) add('tcpdump -nn -S', await timeCommand('tcpdump', ['-nn', '-S', '-r', file], limit));
    const firstLineAll: number[] = [];
    const nodeStartAll: number[] = [];
    if (o.modes.includes('first')) {
      await firstOutputMs(file); // untimed: the first run after a build writes the start bundle's code cache
      for (let i = 0; i < FIRST_RUNS; i++) {
        const ms = await firstOutputMs(file);
        if (ms !== null) firstLineAll.push(ms);
        const node = await firstByteMs(['-e', 'process.stdout.write("x")']);
        if (node !== null) nodeStartAll.push(node);
      }
    }
    const firstLineMs = median(firstLineAll);
    if (firstLineAll.length) o.log(`  first output line: ${spread(firstLineAll)} (runs: ${firstLineAll.map((x) => x.toFixed(0)).join(', ')} ms); node -e alone: ${spread(nodeStartAll)}`);
    return { file, sizeMB, frames, messages, check, buildSeconds, rows, firstLineMs, firstLineAll, nodeStartAll, load: `${loadBefore} → ${loadAverage()}` };
  } finally {
    if (dir && !o.keep) rmSync(dir, { recursive: true, force: true });
  }
}

function median(xs: number[]): number | null {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : null;
}

/** `min X / median Y / max Z ms`. */
function spread(xs: number[]): string {
  if (!xs.length) return '-';
  return `min ${Math.min(...xs).toFixed(0)} / median ${(median(xs) as number).toFixed(0)} / max ${Math.max(...xs).toFixed(0)} ms`;
}

export function formatCompareReport(r: CompareReport): string {
  // a run stopped at the limit still gives a bound: the peer took at least that long
  const row = (tool: string): Measured | null => r.rows.find((x) => x.tool === tool && (x.m.code === 0 || x.m.timedOut))?.m ?? null;
  const secs = (tool: string): number | null => row(tool)?.seconds ?? null;
  const cpu = (tool: string): number | null => {
    const c = row(tool)?.cpuSeconds;
    return c === undefined || !Number.isFinite(c) ? null : c;
  };
  /** "a÷b× wall, c× CPU": how many times faster `tool` is than `peer` (or its share of it, as a percentage). */
  const both2 = (tool: string, peer: string, percent = false): string => {
    const f = (a: number | null, b: number | null): string =>
      a === null || b === null ? '-' : percent ? `${((100 * b) / a).toFixed(1)}%` : `${(b / a).toFixed(2)}×`;
    return `${f(secs(tool), secs(peer))} by wall time, ${f(cpu(tool), cpu(peer))} by CPU time`;
  };
  const tshark = secs('tshark -Y rpc');
  const tcpdump = secs('tcpdump -nn');
  const tcpdumpS = secs('tcpdump -nn -S');
  const walk = secs('raw record walk');
  // throughput ratio = inverse ratio of wall times on the same file
  const ratio = (s: number, peer: number | null): string => (peer === null ? '-' : `${(peer / s).toFixed(2)}×`);
  const share = (s: number, peer: number | null): string => (peer === null ? '-' : `${((100 * peer) / s).toFixed(1)}%`);
  const head = ['tool', 'seconds', 'CPU s', 'MB/s', 'frames/s', 'msgs/s', 'peak RSS MiB', 'vs tshark', 'vs tcpdump', 'vs tcpdump -S', 'vs raw walk', 'note'];
  const rows = r.rows.map((x) => [
    x.tool,
    x.m.seconds.toFixed(2),
    Number.isFinite(x.m.cpuSeconds) ? x.m.cpuSeconds.toFixed(2) : '-',
    (r.sizeMB / x.m.seconds).toFixed(1),
    fmtInt(r.frames / x.m.seconds),
    Number.isFinite(r.messages) ? fmtInt(r.messages / x.m.seconds) : '-',
    x.m.peakRssMiB === null ? '-' : x.m.peakRssMiB.toFixed(0),
    ratio(x.m.seconds, tshark),
    ratio(x.m.seconds, tcpdump),
    ratio(x.m.seconds, tcpdumpS),
    share(x.m.seconds, walk),
    x.note,
  ]);
  const summary = secs('rpcsnoop (summary)');
  const stats = secs('rpcsnoop --stats');
  const verdict = (ok: boolean | null): string => (ok === null ? 'not measured' : ok ? 'MET' : 'NOT MET');
  const both = (a: number | null, b: number | null): boolean => a !== null && b !== null;
  const rss = r.rows.filter((x) => x.tool.startsWith('rpcsnoop') && x.m.peakRssMiB !== null).map((x) => x.m.peakRssMiB!);
  const maxRssMB = rss.length ? (Math.max(...rss) * 1048576) / 1e6 : null;
  // the verdicts go by wall time (what a user waits for); CPU time is shown as the figure less disturbed by other load
  const targets = [
    `summary ≥ 10 × tshark: ${both2('rpcsnoop (summary)', 'tshark -Y rpc')} — ${verdict(both(summary, tshark) ? tshark! / summary! >= 10 : null)}`,
    `summary ≥ tcpdump: ${both2('rpcsnoop (summary)', 'tcpdump -nn')} — ${verdict(both(summary, tcpdump) ? tcpdump! / summary! >= 1 : null)}`,
    `summary ≥ tcpdump -S: ${both2('rpcsnoop (summary)', 'tcpdump -nn -S')} — ${verdict(both(summary, tcpdumpS) ? tcpdumpS! / summary! >= 1 : null)}`,
    `--stats ≥ 50% of the raw walk: ${both2('rpcsnoop --stats', 'raw record walk', true)} — ${verdict(both(stats, walk) ? walk! / stats! >= 0.5 : null)}`,
    `peak RSS < 200 MB: ${maxRssMB === null ? '-' : `${maxRssMB.toFixed(0)} MB`} — ${verdict(maxRssMB === null ? null : maxRssMB < 200)}`,
    `first output line ≤ 100 ms (median): ${spread(r.firstLineAll)} (runs: ${r.firstLineAll.map((x) => x.toFixed(0)).join(', ')}; node -e alone: ${spread(r.nodeStartAll)}) — ${verdict(r.firstLineMs === null ? null : r.firstLineMs <= 100)}`,
  ];
  return [
    `rpcsnoop against its peers on ${r.sizeMB.toFixed(0)} MB, ${fmtInt(r.frames)} frames, ${Number.isFinite(r.messages) ? fmtInt(r.messages) : '?'} RPC messages` +
      (r.buildSeconds ? ` (built in ${r.buildSeconds.toFixed(1)} s)` : '') +
      `; load average ${r.load}`,
    r.check,
    table(head, rows),
    'targets:',
    ...targets.map((t) => `  ${t}`),
  ]
    .filter((l) => l !== '')
    .join('\n');
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const opts: Partial<CompareOptions> = {};
  const usage = `usage: compare.js [--size MB] [--messages N] [--file F] [--keep DIR] [--no-peers] [--modes ${MODES.join(',')}] [--peer-limit S]\n`;
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    if (argv[i] === '--size') (opts.sizeMB = Number(v)), i++;
    else if (argv[i] === '--messages') (opts.minMessages = Number(v)), i++;
    else if (argv[i] === '--file') (opts.file = v), i++;
    else if (argv[i] === '--keep') (opts.keep = v), i++;
    else if (argv[i] === '--no-peers') opts.modes = (opts.modes ?? [...MODES]).filter((m) => !/^(tshark|tcpdump)/.test(m));
    else if (argv[i] === '--peer-limit') (opts.peerLimit = Number(v)), i++;
    else if (argv[i] === '--modes') {
      const ms = (v ?? '').split(',');
      const bad = ms.filter((m) => !(MODES as readonly string[]).includes(m));
      if (bad.length) throw new Error(`compare: unknown mode ${bad.join(', ')} (${MODES.join(', ')})`);
      opts.modes = ms as Mode[];
      i++;
    }
    else {
      process.stderr.write(usage);
      process.exit(2);
    }
  }
  runCompare(opts).then(
    (r) => process.stdout.write(formatCompareReport(r) + '\n'),
    (e) => {
      process.stderr.write(`compare: ${(e as Error).stack}\n`);
      process.exitCode = 1;
    },
  );
}
