/**
 * Live throughput: the highest rate of RPC messages per second at which `rpcsnoop -i lo` reports every message that
 * tcpdump, capturing the same traffic beside it, saved.
 *
 * For each rate of a ladder (RPC messages per second on the wire, calls + replies): start
 * `tcpdump -i lo -U -w t.pcap FILTER` and `rpcsnoop -i lo -f FILTER --json > live.jsonl` side by side, run the
 * loopback load (rpc-load.ts: NFSv3 GETATTR calls, each answered, for a fixed time), wait until both have written
 * everything they are going to (their output stops growing), stop both with SIGINT, then compare: the messages in
 * rpcsnoop's JSON against the messages in tcpdump's file, decoded by the same decoder (`rpcsnoop -r t.pcap --json`).
 * A rate passes when rpcsnoop reported every message tcpdump saved and its own `dropped by rpcsnoop` is 0.
 *
 * Needs root (both capture; rpcsnoop then drops to nobody), tcpdump and the `cap` module. Traffic goes only to
 * 127.0.0.1; every step is bounded in time, and the ladder stops when the time budget is spent.
 *
 *   node dist/bench/live-throughput.js [--transport udp|tcp] [--rates 1000,2000,...] [--duration 2]
 *        [--refine 2] [--attempts 1] [--budget 100] [--port 40111] [--keep DIR]
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  fmtInt,
  hasCommand,
  isRoot,
  loadAverage,
  messageKeys,
  pct,
  processCpuSeconds,
  processPeakRssKiB,
  RPC_LOAD,
  RPCSNOOP,
  run,
  sleep,
  startChild,
  stopChild,
  systemCpu,
  table,
  waitForStderr,
} from './common';
import { DEFAULT_PORT, type ClientResult, type Transport } from './rpc-load';

export interface LiveOptions {
  transport: Transport;
  /** RPC messages per second (calls + replies); each is rounded to an even number. */
  rates: number[];
  /** Seconds of load per rate. */
  duration: number;
  /** Extra rates tried between the highest pass and the first failure. */
  refine: number;
  /** Runs per rate; a rate passes only when every run passes. */
  attempts: number;
  /** Seconds after which no new rate is started. */
  budget: number;
  port: number;
  /** Keep the captures and outputs in this directory (default: a temporary directory, removed). */
  keep: string | null;
  log: (s: string) => void;
}

export const DEFAULT_RATES = [1000, 2000, 5000, 10000, 20000, 40000, 80000];

export const DEFAULT_LIVE_OPTIONS: LiveOptions = {
  transport: 'udp',
  rates: DEFAULT_RATES,
  duration: 2,
  refine: 2,
  attempts: 1,
  budget: 100,
  port: DEFAULT_PORT,
  keep: null,
  log: (s) => process.stderr.write(s + '\n'),
};

export interface LiveRow {
  rate: number;
  /** RPC messages put on the wire: calls sent plus replies the responder sent. */
  sent: number;
  achievedRate: number;
  tcpdumpSaved: number;
  /** Frames tcpdump saved ("packets captured"): with TCP many messages share a frame. */
  tcpdumpFrames: number | null;
  tcpdumpKernelDrops: number | null;
  rpcsnoopLive: number;
  /** Messages in tcpdump's file that rpcsnoop did not report, and the reverse. */
  missing: number;
  extra: number;
  rpcsnoopFrames: number | null;
  rpcsnoopDropped: number | null;
  /** CPU of one core, percent, while the load ran (from its start to its end). */
  rpcsnoopCpu: number | null;
  rpcsnoopCpuSeconds: number | null;
  rpcsnoopRssMiB: number | null;
  tcpdumpCpu: number | null;
  loadCpu: number | null;
  /** Every CPU of the machine busy, percent of all of them; and the part not used by these three processes. */
  hostBusy: number | null;
  otherCpu: number | null;
  windowSeconds: number;
  pass: boolean;
  note: string;
}

export interface LiveReport {
  transport: Transport;
  port: number;
  rows: LiveRow[];
  /** The highest rate such that it and every lower rate tried passed (null: none passed). */
  sustained: number | null;
  skipped: string | null;
  seconds: number;
}

function filterFor(o: LiveOptions): string {
  return `${o.transport} port ${o.port}`;
}

/** Waits until every file stops growing for `quietMs` (or `maxMs` passed). */
async function waitQuiet(files: string[], quietMs: number, maxMs: number): Promise<void> {
  const size = (f: string): number => {
    try {
      return statSync(f).size;
    } catch {
      return -1;
    }
  };
  const end = Date.now() + maxMs;
  let last = files.map(size).join(',');
  let since = Date.now();
  while (Date.now() < end) {
    await sleep(50);
    const now = files.map(size).join(',');
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
  }
}

async function runRate(o: LiveOptions, rate: number, dir: string, index: number): Promise<LiveRow> {
  const calls = Math.max(1, Math.round(rate / 2));
  const filter = filterFor(o);
  const pcap = join(dir, `tcpdump-${o.transport}-${rate}.pcap`);
  const liveOut = join(dir, `rpcsnoop-live-${o.transport}-${rate}.jsonl`);
  const fileOut = join(dir, `rpcsnoop-file-${o.transport}-${rate}.jsonl`);
  const row: LiveRow = {
    rate: calls * 2,
    sent: 0,
    achievedRate: 0,
    tcpdumpSaved: 0,
    tcpdumpFrames: null,
    tcpdumpKernelDrops: null,
    rpcsnoopLive: 0,
    missing: 0,
    extra: 0,
    rpcsnoopFrames: null,
    rpcsnoopDropped: null,
    rpcsnoopCpu: null,
    rpcsnoopCpuSeconds: null,
    rpcsnoopRssMiB: null,
    tcpdumpCpu: null,
    loadCpu: null,
    hostBusy: null,
    otherCpu: null,
    windowSeconds: 0,
    pass: false,
    note: '',
  };

  let loadResult: ClientResult | null = null;
  const tcpdump = startChild('tcpdump', ['-i', 'lo', '-n', '-U', '-Z', 'root', '-w', pcap, filter], 'ignore');
  const outFd = openSync(liveOut, 'w');
  const snoop = startChild(process.execPath, [RPCSNOOP, '-i', 'lo', '-f', filter, '--json'], outFd);
  closeSync(outFd);
  try {
    const [tdReady, rsReady] = await Promise.all([
      waitForStderr(tcpdump, /listening on/, 5000),
      waitForStderr(snoop, /capturing on/, 5000),
    ]);
    if (!tdReady || !rsReady) {
      row.note = !tdReady ? `tcpdump did not start: ${tcpdump.stderr().trim().split('\n').pop()}` : `rpcsnoop did not start: ${snoop.stderr().trim().split('\n').pop()}`;
      return row;
    }
    await sleep(200); // both past their start-up work before the first packet

    const sys0 = systemCpu();
    const rs0 = processCpuSeconds(snoop.proc.pid);
    const td0 = processCpuSeconds(tcpdump.proc.pid);
    const t0 = process.hrtime.bigint();
    const xid = ((index + 1) * 0x01000000 + Math.floor(Math.random() * 0x00100000)) >>> 0;
    const load = await run(
      process.execPath,
      [RPC_LOAD, 'both', '--transport', o.transport, '--port', String(o.port), '--rate', String(calls), '--duration', String(o.duration), '--xid', String(xid)],
      (o.duration + 20) * 1000,
    );
    let res: (ClientResult & { responderReplies?: number }) | null = null;
    try {
      res = JSON.parse(load.stdout.trim().split('\n').pop() ?? '') as ClientResult & { responderReplies?: number };
    } catch {
      row.note = `load failed: ${load.stderr.trim()}`;
    }
    // CPU over the load: rpcsnoop cannot lag far behind it (its backlog can only be the kernel ring; see README)
    const window = Number(process.hrtime.bigint() - t0) / 1e9;
    const rs1 = processCpuSeconds(snoop.proc.pid);
    const td1 = processCpuSeconds(tcpdump.proc.pid);
    const sys1 = systemCpu();
    row.windowSeconds = window;
    if (rs0 !== null && rs1 !== null) row.rpcsnoopCpuSeconds = rs1 - rs0;
    if (rs0 !== null && rs1 !== null) row.rpcsnoopCpu = ((rs1 - rs0) / window) * 100;
    if (td0 !== null && td1 !== null) row.tcpdumpCpu = ((td1 - td0) / window) * 100;
    if (res) row.loadCpu = (res.cpuSeconds / window) * 100;
    if (sys1.total > sys0.total) {
      row.hostBusy = ((sys1.busy - sys0.busy) / (sys1.total - sys0.total)) * 100;
      const ours = (row.rpcsnoopCpu ?? 0) + (row.tcpdumpCpu ?? 0) + (row.loadCpu ?? 0);
      // percent of one core used by everything else: other processes, and kernel work (softirq) charged to no one
      row.otherCpu = Math.max(0, ((sys1.busy - sys0.busy) / window) * 100 - ours);
    }
    // both captures idle: everything they will write is written
    // (tcpdump's ring hands over a partly filled block only after its 1 s timeout: wait longer than that)
    await waitQuiet([pcap, liveOut], 1300, 10000);
    const rss = processPeakRssKiB(snoop.proc.pid);
    if (rss !== null) row.rpcsnoopRssMiB = rss / 1024;
    loadResult = res;
    if (res) {
      row.sent = res.callsSent + (res.responderReplies ?? res.repliesReceived);
      row.achievedRate = (res.achievedCallsPerSecond * row.sent) / Math.max(1, res.callsSent);
    }
  } finally {
    await Promise.all([stopChild(snoop), stopChild(tcpdump)]);
  }

  const tdErr = tcpdump.stderr();
  const kd = /(\d+) packets? dropped by kernel/.exec(tdErr);
  row.tcpdumpKernelDrops = kd ? Number(kd[1]) : null;
  const pc = /(\d+) packets? captured/.exec(tdErr);
  row.tcpdumpFrames = pc ? Number(pc[1]) : null;
  const summary = /rpcsnoop: (\d+) frames .*?(\d+) dropped by rpcsnoop/.exec(snoop.stderr());
  if (summary) {
    row.rpcsnoopFrames = Number(summary[1]);
    row.rpcsnoopDropped = Number(summary[2]);
  } else if (!row.note) row.note = `no summary from rpcsnoop: ${snoop.stderr().trim().split('\n').pop()}`;

  // the packets tcpdump saved, through the same decoder
  const fileRun = await run(process.execPath, [RPCSNOOP, '-r', pcap, '--json'], 60_000);
  if (fileRun.code !== 0 && !row.note) row.note = `ERROR: rpcsnoop -r on tcpdump's file: ${fileRun.stderr.trim().split('\n').pop()}`;
  // only this run's XIDs: anything else on the port is someone else's traffic
  const first = loadResult?.firstXid ?? 0;
  const count = loadResult?.callsSent ?? 0;
  const ours = (xid: number): boolean => ((xid - first) >>> 0) < count;
  const saved = messageKeys(fileRun.stdout, ours);
  if (o.keep) writeFileSync(fileOut, fileRun.stdout);
  const live = messageKeys(readFileSync(liveOut, 'utf8'), ours);
  row.tcpdumpSaved = saved.keys.size;
  row.rpcsnoopLive = live.keys.size;
  for (const k of saved.keys) if (!live.keys.has(k)) row.missing++;
  for (const k of live.keys) if (!saved.keys.has(k)) row.extra++;
  row.pass = !row.note && row.tcpdumpSaved > 0 && row.missing === 0 && row.rpcsnoopDropped === 0;
  const notes: string[] = row.note ? [row.note] : [];
  if (row.sent > 0 && row.achievedRate < row.rate * 0.95) notes.push(`load reached only ${fmtInt(row.achievedRate)}/s`);
  if (row.tcpdumpKernelDrops) notes.push('tcpdump lost packets: comparison covers only what it saved');
  if (row.tcpdumpSaved < row.sent) notes.push(`tcpdump saved ${fmtInt(row.sent - row.tcpdumpSaved)} fewer than sent`);
  if (live.duplicates || saved.duplicates) notes.push(`duplicate messages: live ${live.duplicates}, file ${saved.duplicates}`);
  if (saved.foreign || live.foreign) notes.push(`other traffic on the port ignored: ${fmtInt(Math.max(saved.foreign, live.foreign))} messages, measurements disturbed`);
  row.note = notes.join('; ');
  return row;
}

/** The highest rate that passed, with every lower rate tried, in every run. */
function sustainedOf(rows: LiveRow[]): number | null {
  let best: number | null = null;
  for (const rate of [...new Set(rows.map((r) => r.rate))].sort((a, b) => a - b)) {
    if (!rows.every((r) => r.rate !== rate || r.pass)) break;
    best = rate;
  }
  return best;
}

export async function runLiveBench(opts: Partial<LiveOptions> = {}): Promise<LiveReport> {
  const o: LiveOptions = { ...DEFAULT_LIVE_OPTIONS, ...opts };
  const start = Date.now();
  const report: LiveReport = { transport: o.transport, port: o.port, rows: [], sustained: null, skipped: null, seconds: 0 };
  const why = !isRoot() ? 'needs root (live capture)' : !hasCommand('tcpdump') ? 'needs tcpdump' : null;
  if (why) {
    report.skipped = why;
    return report;
  }
  try {
    require('cap');
  } catch (e) {
    report.skipped = `needs the cap module (${(e as Error).message.split('\n')[0]})`;
    return report;
  }
  let dir: string;
  if (o.keep) {
    mkdirSync(o.keep, { recursive: true });
    dir = o.keep;
  } else dir = mkdtempSync(join(tmpdir(), 'rpcsnoop-bench-'));
  const overBudget = (): boolean => (Date.now() - start) / 1000 > o.budget;
  try {
    const tried = new Set<number>();
    const tryRate = async (rate: number): Promise<void> => {
      for (let a = 0; a < o.attempts; a++) {
        const row = await runRate(o, rate, dir, report.rows.length);
        tried.add(row.rate);
        report.rows.push(row);
        o.log(
          `  ${o.transport} ${fmtInt(row.rate)} msg/s: sent ${fmtInt(row.sent)}, tcpdump ${fmtInt(row.tcpdumpSaved)}, rpcsnoop ${fmtInt(row.rpcsnoopLive)}, missing ${fmtInt(row.missing)}, rpcsnoop CPU ${pct(row.rpcsnoopCpu)} -> ${row.pass ? 'pass' : 'FAIL'}${row.note ? ` (${row.note})` : ''}`,
        );
        if (!row.pass) return;
      }
    };
    for (const rate of [...o.rates].sort((a, b) => a - b)) {
      if (overBudget()) {
        o.log(`  time budget spent: ${fmtInt(rate)} msg/s and above not tried`);
        break;
      }
      await tryRate(rate);
    }
    // refine between the highest sustained pass and the first failure above it
    for (let i = 0; i < o.refine && !overBudget(); i++) {
      const lo = sustainedOf(report.rows);
      const above = report.rows.filter((r) => !r.pass && (lo === null || r.rate > lo)).map((r) => r.rate);
      if (lo === null || above.length === 0) break;
      const hi = Math.min(...above);
      const mid = Math.round(Math.sqrt(lo * hi) / 1000) * 1000;
      if (mid <= lo || mid >= hi || tried.has(mid) || hi / lo < 1.2) break;
      await tryRate(mid);
    }
  } finally {
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }
  report.rows.sort((a, b) => a.rate - b.rate);
  report.sustained = sustainedOf(report.rows);
  report.seconds = (Date.now() - start) / 1000;
  return report;
}

export function formatLiveReport(r: LiveReport): string {
  if (r.skipped) return `live ${r.transport}: skipped (${r.skipped})`;
  const head = [
    'msg/s',
    'sent',
    'tcpdump saved',
    'frames',
    'tcpdump kern.drop',
    'rpcsnoop live',
    'missing',
    'rpcsnoop dropped',
    'rpcsnoop CPU',
    'µs CPU/msg',
    'RSS MiB',
    'tcpdump CPU',
    'load CPU',
    'other CPU',
    'result',
  ];
  const rows = r.rows.map((x) => [
    fmtInt(x.rate),
    fmtInt(x.sent),
    fmtInt(x.tcpdumpSaved),
    x.tcpdumpFrames === null ? '-' : fmtInt(x.tcpdumpFrames),
    x.tcpdumpKernelDrops === null ? '-' : fmtInt(x.tcpdumpKernelDrops),
    fmtInt(x.rpcsnoopLive),
    fmtInt(x.missing),
    x.rpcsnoopDropped === null ? '-' : fmtInt(x.rpcsnoopDropped),
    pct(x.rpcsnoopCpu),
    x.rpcsnoopCpuSeconds === null || x.rpcsnoopLive === 0 ? '-' : ((x.rpcsnoopCpuSeconds / x.rpcsnoopLive) * 1e6).toFixed(0),
    x.rpcsnoopRssMiB === null ? '-' : x.rpcsnoopRssMiB.toFixed(0),
    pct(x.tcpdumpCpu),
    pct(x.loadCpu),
    pct(x.otherCpu),
    (x.pass ? 'pass' : 'FAIL') + (x.note ? ` (${x.note})` : ''),
  ]);
  return [
    `live ${r.transport} (filter '${r.transport} port ${r.port}', NFSv3 GETATTR calls + replies, CPU in % of one core, ${r.seconds.toFixed(0)} s):`,
    table(head, rows),
    `highest rate passed (it and every lower rate): ${r.sustained === null ? 'none' : `${fmtInt(r.sustained)} RPC messages/s`}`,
  ].join('\n');
}

// ------------------------------------------------------------------------------------------------ command line

export function parseLiveArgs(argv: string[]): Partial<LiveOptions> {
  const o: Partial<LiveOptions> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[++i];
    if (v === undefined) throw new Error(`${a} needs a value`);
    if (a === '--transport') {
      if (v !== 'udp' && v !== 'tcp') throw new Error('--transport udp|tcp');
      o.transport = v;
    } else if (a === '--rates') o.rates = v.split(',').map(Number).filter((n) => n > 0);
    else if (a === '--duration') o.duration = Number(v);
    else if (a === '--refine') o.refine = Number(v);
    else if (a === '--budget') o.budget = Number(v);
    else if (a === '--attempts') o.attempts = Math.max(1, Number(v));
    else if (a === '--keep') o.keep = v;
    else if (a === '--port') o.port = Number(v);
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

if (require.main === module) {
  (async () => {
    const opts = parseLiveArgs(process.argv.slice(2));
    process.stderr.write(`load average before: ${loadAverage()}\n`);
    const r = await runLiveBench(opts);
    process.stdout.write(formatLiveReport(r) + '\n');
  })().catch((e) => {
    process.stderr.write(`live-throughput: ${(e as Error).stack}\n`);
    process.exitCode = 1;
  });
}
