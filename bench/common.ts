/**
 * What the benchmarks share: paths, child processes with bounded waits, CPU time from /proc, counting RPC
 * messages in rpcsnoop's JSON Lines, table printing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The project root (dist/bench/x.js → ../..). */
export const ROOT = join(__dirname, '..', '..');
/** The rpcsnoop launcher measured; RPCSNOOP_BIN points at another build (e.g. a copy safe from rebuilds). */
export const RPCSNOOP = process.env.RPCSNOOP_BIN || join(ROOT, 'bin', 'rpcsnoop.js');
export const RPC_LOAD = join(__dirname, 'rpc-load.js');

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Clock ticks per second for /proc times (getconf CLK_TCK; 100 on Linux). */
export const CLK_TCK = ((): number => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

/** CPU seconds (user + system) a live process used so far, from /proc/PID/stat; null once it is gone. */
export function processCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the command name (which may hold spaces) start at the state, field 3
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

/** Whole-machine CPU time from /proc/stat: busy and total seconds over all CPUs. */
export function systemCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = v[3] + (v[4] ?? 0);
  return { busy: (total - idle) / CLK_TCK, total: total / CLK_TCK };
}

/** Peak resident set of a live process (VmHWM), in KiB; null once it is gone. */
export function processPeakRssKiB(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return '?';
  }
}

/** A child with its stderr collected, and a promise for its exit. */
export interface Child {
  proc: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

export function startChild(cmd: string, args: string[], stdout: 'pipe' | 'ignore' | number): Child {
  const proc = spawn(cmd, args, { stdio: ['ignore', stdout, 'pipe'] });
  let err = '';
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (d: string) => {
    if (err.length < 1 << 20) err += d;
  });
  const exited = new Promise<number | null>((resolve) => {
    proc.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : null)));
    proc.on('error', () => resolve(null));
  });
  return { proc, stderr: () => err, exited };
}

/** Waits until the child's stderr matches `re` (true), or it exits or `ms` pass (false). */
export async function waitForStderr(c: Child, re: RegExp, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  let gone = false;
  void c.exited.then(() => (gone = true));
  while (Date.now() < end) {
    if (re.test(c.stderr())) return true;
    if (gone) return false;
    await sleep(20);
  }
  return re.test(c.stderr());
}

/** Sends `signal`, waits up to `ms` for the exit, then SIGKILL. */
export async function stopChild(c: Child, signal: NodeJS.Signals = 'SIGINT', ms = 5000): Promise<number | null> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) return c.exited;
  c.proc.kill(signal);
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref());
  const r = await Promise.race([c.exited, timer]);
  if (r === 'timeout') {
    c.proc.kill('SIGKILL');
    return c.exited;
  }
  return r;
}

/** Runs a command to completion (bounded by `ms`), collecting stdout and stderr. */
export function run(cmd: string, args: string[], ms: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.setEncoding('utf8');
    p.stderr.setEncoding('utf8');
    p.stdout.on('data', (d: string) => (out += d));
    p.stderr.on('data', (d: string) => (err += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), ms);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: out, stderr: err });
    });
  });
}

/**
 * The RPC messages in rpcsnoop's JSON Lines: one key per message (type, XID, client port). With `keep`, only the
 * messages whose XID it accepts are kept (the others are counted as `foreign`: traffic of someone else).
 */
export function messageKeys(jsonl: string, keep?: (xid: number) => boolean): { keys: Set<string>; lines: number; duplicates: number; foreign: number } {
  const keys = new Set<string>();
  let lines = 0;
  let duplicates = 0;
  let foreign = 0;
  const re = /"sport":(\d+),"dst":"[^"]*","dport":(\d+),"type":"(call|reply)","xid":(\d+)/;
  for (const line of jsonl.split('\n')) {
    if (!line) continue;
    lines++;
    let type: string;
    let xid: number;
    let sport: number;
    let dport: number;
    const m = re.exec(line);
    if (m) {
      [sport, dport, type, xid] = [Number(m[1]), Number(m[2]), m[3], Number(m[4])];
    } else {
      ({ type, xid, sport, dport } = JSON.parse(line) as { type: string; xid: number; sport: number; dport: number });
    }
    if (keep && !keep(xid)) {
      foreign++;
      continue;
    }
    const key = type === 'call' ? `c ${xid} ${sport}` : `r ${xid} ${dport}`;
    if (keys.has(key)) duplicates++;
    keys.add(key);
  }
  return { keys, lines, duplicates, foreign };
}

/** A plain text table, columns right-aligned except the last. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const w = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padStart(w[i]))).join('  ')).join('\n');
}

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function pct(x: number | null): string {
  return x === null || !Number.isFinite(x) ? '-' : `${Math.round(x)}%`;
}

/** A finished command's measurements. */
export interface Measured {
  /** Wall-clock seconds from spawn to exit. */
  seconds: number;
  /** User + system CPU seconds (NaN without /usr/bin/time). */
  cpuSeconds: number;
  /** Peak resident set, MiB: /usr/bin/time's maximum RSS, or VmHWM polled from /proc every 20 ms. */
  peakRssMiB: number | null;
  code: number | null;
  /** Stopped at the time limit. */
  timedOut: boolean;
  /** Standard output when `capture` was asked (up to 4 MiB), else ''. */
  stdout: string;
  stderr: string;
}

/**
 * Runs `cmd args` with standard output to /dev/null (or collected, with `capture`), bounded by `maxMs`: wall time,
 * CPU time and peak RSS, from GNU time (`/usr/bin/time -f`) when installed.
 */
export function timeCommand(cmd: string, args: string[], opts: { capture?: boolean; maxMs?: number } = {}): Promise<Measured> {
  const useTime = existsSync('/usr/bin/time');
  const argv = useTime ? ['/usr/bin/time', '-f', 'BENCHTIME %e %U %S %M', cmd, ...args] : [cmd, ...args];
  const devnull = opts.capture ? null : openSync('/dev/null', 'w');
  const t0 = process.hrtime.bigint();
  // a process group of its own: at the time limit the command is killed with its /usr/bin/time wrapper
  const p = spawn(argv[0], argv.slice(1), { stdio: ['ignore', devnull ?? 'pipe', 'pipe'], detached: true });
  if (devnull !== null) closeSync(devnull);
  let out = '';
  let err = '';
  p.stdout?.setEncoding('utf8');
  p.stdout?.on('data', (d: string) => {
    if (out.length < 4 << 20) out += d;
  });
  p.stderr?.setEncoding('utf8');
  p.stderr?.on('data', (d: string) => {
    if (err.length < 1 << 20) err += d;
  });
  let hwm: number | null = null;
  const poll = useTime ? null : setInterval(() => (hwm = processPeakRssKiB(p.pid) ?? hwm), 20);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      if (p.pid !== undefined) process.kill(-p.pid, 'SIGKILL');
    } catch {
      p.kill('SIGKILL');
    }
  }, opts.maxMs ?? 1_800_000);
  return new Promise((resolve) => {
    p.on('close', (code) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      const m = /BENCHTIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(err);
      const stderr = err.replace(/^.*BENCHTIME.*$\n?/m, '');
      if (m) resolve({ seconds: wall, cpuSeconds: Number(m[2]) + Number(m[3]), peakRssMiB: Number(m[4]) / 1024, code, timedOut, stdout: out, stderr });
      else resolve({ seconds: wall, cpuSeconds: NaN, peakRssMiB: hwm === null ? null : hwm / 1024, code, timedOut, stdout: out, stderr });
    });
  });
}

/** Where the IPv4 header of an Ethernet frame starts, past any 802.1Q/802.1ad tags; -1 when it carries no IPv4
 *  header (another EtherType, a version other than 4, or too short for 20 bytes). */
export function ipv4Offset(d: Uint8Array): number {
  let o = 12;
  let type = d.length >= 14 ? (d[o] << 8) | d[o + 1] : 0;
  while ((type === 0x8100 || type === 0x88a8) && d.length >= o + 6) {
    o += 4;
    type = (d[o] << 8) | d[o + 1];
  }
  o += 2;
  return type === 0x0800 && d.length >= o + 20 && d[o] >> 4 === 4 ? o : -1;
}
