/**
 * Decoding speed on capture files: builds larger captures, then times `rpcsnoop -r big.pcap --json > /dev/null` and
 * the default summary output: MB/s, frames/s, RPC messages/s, CPU time and peak RSS.
 *
 * Workloads (all classic pcap, Ethernet):
 * - bulk: fixtures/nfs3_bulk_veth_mtu1500.pcap (NFSv3 over TCP, MTU 1500, large READs and WRITEs) repeated;
 * - metadata: fixtures/nfs3_browse_lo.pcap (NFSv3 over TCP on lo, small LOOKUP/GETATTR/READDIR traffic) repeated;
 * - getattr-udp: synthetic NFSv3 GETATTR calls and replies over UDP (the live benchmark's traffic).
 * A repeated copy shifts every client port by a stride wider than the fixture's range of client ports (server ports
 * 111, 2049, 20048 stay), fixes the TCP/UDP checksum for it (RFC 1624) and shifts the time, so every TCP stream of
 * every copy is a connection of its own: identical 4-tuples and sequence numbers would be dropped as
 * retransmissions.
 *
 *   node dist/bench/file-throughput.js [--scale 1] [--keep DIR]
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmtInt, ipv4Offset, processPeakRssKiB, ROOT, RPCSNOOP, sleep, table } from './common';
import { getattrCall, getattrReply } from './rpc-load';
import { ethernet, ipv4, udp } from '../test/helpers/net-builders';

const SERVER_PORTS = new Set([111, 2049, 20048]);

// ------------------------------------------------------------------------------------------------ pcap files

interface PcapFile {
  header: Buffer;
  le: boolean;
  /** Fraction units per second (1e6 or 1e9). */
  perSec: number;
  linkType: number;
  records: Array<{ sec: number; frac: number; origLen: number; data: Buffer }>;
}

function readPcap(path: string): PcapFile {
  const b = readFileSync(path);
  const m = b.readUInt32LE(0);
  let le: boolean;
  if (m === 0xa1b2c3d4 || m === 0xa1b23c4d) le = true;
  else if (b.readUInt32BE(0) === 0xa1b2c3d4 || b.readUInt32BE(0) === 0xa1b23c4d) le = false;
  else throw new Error(`${path}: not a classic pcap file`);
  const magic = le ? m : b.readUInt32BE(0);
  const perSec = magic === 0xa1b23c4d ? 1e9 : 1e6;
  const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const f: PcapFile = { header: b.subarray(0, 24), le, perSec, linkType: u32(20) & 0xffff, records: [] };
  for (let o = 24; o + 16 <= b.length; ) {
    const len = u32(o + 8);
    f.records.push({ sec: u32(o), frac: u32(o + 4), origLen: u32(o + 12), data: b.subarray(o + 16, o + 16 + len) });
    o += 16 + len;
  }
  return f;
}

/** Buffered writer of pcap records. */
class PcapOut {
  private fd: number;
  private chunks: Buffer[] = [];
  private size = 0;
  bytes = 0;
  frames = 0;

  constructor(
    path: string,
    header: Buffer,
    private readonly le: boolean,
  ) {
    this.fd = openSync(path, 'w');
    this.push(Buffer.from(header));
  }

  record(sec: number, frac: number, origLen: number, data: Buffer): void {
    const h = Buffer.alloc(16);
    const w = (v: number, o: number): number => (this.le ? h.writeUInt32LE(v >>> 0, o) : h.writeUInt32BE(v >>> 0, o));
    w(sec, 0);
    w(frac, 4);
    w(data.length, 8);
    w(origLen, 12);
    this.push(h);
    this.push(data);
    this.frames++;
  }

  private push(b: Buffer): void {
    this.chunks.push(b);
    this.size += b.length;
    this.bytes += b.length;
    if (this.size >= 4 << 20) this.flush();
  }

  private flush(): void {
    if (this.chunks.length) writeSync(this.fd, Buffer.concat(this.chunks));
    this.chunks = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** RFC 1624: the one's-complement checksum after a 16-bit word changes from `from` to `to`. */
function checksumAdjust(sum: number, from: number, to: number): number {
  let s = (~sum & 0xffff) + (~from & 0xffff) + to;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** Where the TCP/UDP header of an Ethernet/IPv4 frame starts, with its protocol; null for anything else. */
function l4Of(d: Buffer): { off: number; proto: number } | null {
  const o = ipv4Offset(d);
  if (o < 0) return null;
  const ihl = (d[o] & 0x0f) * 4;
  const proto = d[o + 9];
  const fragOff = d.readUInt16BE(o + 6) & 0x1fff;
  if (fragOff !== 0 || (proto !== 6 && proto !== 17) || d.length < o + ihl + 8) return null;
  return { off: o + ihl, proto };
}

/** The fixture's client ports (those that are not the servers'). */
function clientPorts(f: PcapFile): { min: number; max: number } {
  let min = 65535;
  let max = 0;
  for (const r of f.records) {
    const l4 = l4Of(r.data);
    if (!l4) continue;
    for (const p of [r.data.readUInt16BE(l4.off), r.data.readUInt16BE(l4.off + 2)]) {
      if (SERVER_PORTS.has(p)) continue;
      min = Math.min(min, p);
      max = Math.max(max, p);
    }
  }
  return { min, max };
}

/** Writes `copies` copies of the fixture, each with its client ports shifted by copy × stride and its time shifted. */
export function repeatCapture(fixture: string, out: string, copies: number): { frames: number; bytes: number; copies: number } {
  const f = readPcap(fixture);
  if (f.linkType !== 1) throw new Error(`${fixture}: Ethernet captures only`);
  const { min, max } = clientPorts(f);
  const stride = max - min + 1;
  const maxCopies = Math.floor((65535 - max) / stride) + 1;
  const n = Math.min(copies, maxCopies);
  const first = f.records[0];
  const last = f.records[f.records.length - 1];
  const span = (last.sec - first.sec) * f.perSec + (last.frac - first.frac) + f.perSec / 1000; // + 1 ms
  const w = new PcapOut(out, f.header, f.le);
  for (let k = 0; k < n; k++) {
    const shift = k * stride;
    const dt = k * span;
    for (const r of f.records) {
      const data = Buffer.from(r.data);
      const l4 = k > 0 ? l4Of(data) : null;
      if (l4) {
        const csumAt = l4.off + (l4.proto === 6 ? 16 : 6);
        for (const at of [l4.off, l4.off + 2]) {
          const p = data.readUInt16BE(at);
          if (SERVER_PORTS.has(p)) continue;
          data.writeUInt16BE(p + shift, at);
          if (data.length >= csumAt + 2) {
            const sum = data.readUInt16BE(csumAt);
            if (!(l4.proto === 17 && sum === 0)) data.writeUInt16BE(checksumAdjust(sum, p, p + shift), csumAt);
          }
        }
      }
      const t = r.frac + dt;
      w.record(r.sec + Math.floor(t / f.perSec), t % f.perSec, r.origLen, data);
    }
  }
  w.close();
  return { frames: w.frames, bytes: w.bytes, copies: n };
}

/** `pairs` GETATTR calls and replies over UDP from 64 client ports to 2049, 10 µs apart; with `withReplies` false only
 *  the calls (the hostile case for pairing and the release queue: nothing is ever answered). */
export function getattrCapture(out: string, pairs: number, withReplies = true): { frames: number; bytes: number } {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(1, 20);
  const w = new PcapOut(out, header, true);
  const frame = (payload: Buffer, sport: number, dport: number, src: string, dst: string): Buffer =>
    Buffer.from(ethernet(ipv4(udp(payload, { sport, dport }), { src, dst, protocol: 17 })));
  const calls: Buffer[] = [];
  const replies: Buffer[] = [];
  for (let c = 0; c < 64; c++) {
    calls.push(frame(getattrCall(0), 700 + c, 2049, '10.1.0.2', '10.1.0.1'));
    replies.push(frame(getattrReply(0), 2049, 700 + c, '10.1.0.1', '10.1.0.2'));
  }
  const xidAt = 14 + 20 + 8;
  let us = 0;
  const sec0 = 1_700_000_000;
  for (let i = 0; i < pairs; i++) {
    const c = i % 64;
    const xid = (0x10000000 + i) >>> 0;
    const call = Buffer.from(calls[c]);
    call.writeUInt32BE(xid, xidAt);
    const reply = Buffer.from(replies[c]);
    reply.writeUInt32BE(xid, xidAt);
    w.record(sec0 + Math.floor(us / 1e6), us % 1e6, call.length, call);
    us += 10;
    if (withReplies) w.record(sec0 + Math.floor(us / 1e6), us % 1e6, reply.length, reply);
    us += 10;
  }
  w.close();
  return { frames: w.frames, bytes: w.bytes };
}

// ------------------------------------------------------------------------------------------------ timing

export interface TimedRun {
  seconds: number;
  cpuSeconds: number;
  peakRssMiB: number | null;
  code: number | null;
  stderr: string;
}

/** Runs rpcsnoop with `args`, stdout to /dev/null; wall time, CPU (user + system) and peak RSS. */
export async function timeRpcsnoop(args: string[], maxMs = 120_000): Promise<TimedRun> {
  const useTime = existsSync('/usr/bin/time');
  const cmd = useTime ? '/usr/bin/time' : process.execPath;
  const argv = useTime ? ['-f', 'BENCHTIME %e %U %S %M', process.execPath, RPCSNOOP, ...args] : [RPCSNOOP, ...args];
  const devnull = openSync('/dev/null', 'w');
  const t0 = process.hrtime.bigint();
  const p = spawn(cmd, argv, { stdio: ['ignore', devnull, 'pipe'] });
  closeSync(devnull);
  let err = '';
  p.stderr?.setEncoding('utf8');
  p.stderr?.on('data', (d: string) => (err += d));
  let hwm: number | null = null;
  let done = false;
  const poll = (async () => {
    while (!done) {
      if (!useTime) hwm = processPeakRssKiB(p.pid) ?? hwm;
      await sleep(20);
    }
  })();
  const timer = setTimeout(() => p.kill('SIGKILL'), maxMs);
  const code = await new Promise<number | null>((resolve) => p.on('close', (c) => resolve(c)));
  done = true;
  clearTimeout(timer);
  await poll;
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = /BENCHTIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(err);
  const stderr = err.replace(/^.*BENCHTIME.*$\n?/m, '');
  if (m) return { seconds: Number(m[1]) || wall, cpuSeconds: Number(m[2]) + Number(m[3]), peakRssMiB: Number(m[4]) / 1024, code, stderr };
  return { seconds: wall, cpuSeconds: NaN, peakRssMiB: hwm === null ? null : hwm / 1024, code, stderr };
}

/** Messages in rpcsnoop's JSON output of `file` (counts lines). */
async function countMessages(file: string): Promise<number> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [RPCSNOOP, '-r', file, '--json'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let n = 0;
    p.stdout.on('data', (b: Buffer) => {
      for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), 120_000);
    p.on('close', () => {
      clearTimeout(timer);
      resolve(n);
    });
  });
}

export interface FileRow {
  workload: string;
  mode: 'json' | 'summary';
  sizeMB: number;
  frames: number;
  messages: number;
  seconds: number;
  cpuSeconds: number;
  mbPerSecond: number;
  framesPerSecond: number;
  messagesPerSecond: number;
  /** Messages per second of CPU time (user + system): less sensitive to other load on the machine. */
  messagesPerCpuSecond: number;
  peakRssMiB: number | null;
  note: string;
}

export interface FileReport {
  rows: FileRow[];
  /** Seconds of a run that decodes an almost empty file (node start-up and loading), included in every row. */
  startupSeconds: number;
  seconds: number;
}

export interface FileOptions {
  /** Multiplies every workload's size. */
  scale: number;
  keep: string | null;
  log: (s: string) => void;
}

export async function runFileBench(opts: Partial<FileOptions> = {}): Promise<FileReport> {
  const o: FileOptions = { scale: 1, keep: null, log: (s) => process.stderr.write(s + '\n'), ...opts };
  const start = Date.now();
  let dir: string;
  if (o.keep) {
    mkdirSync(o.keep, { recursive: true });
    dir = o.keep;
  } else dir = mkdtempSync(join(tmpdir(), 'rpcsnoop-bench-file-'));
  const report: FileReport = { rows: [], startupSeconds: 0, seconds: 0 };
  try {
    const fx = (name: string): string => join(ROOT, 'fixtures', name);
    const workloads: Array<{ name: string; path: string; build: () => { frames: number; bytes: number; copies?: number } }> = [
      { name: 'bulk', path: join(dir, 'bulk.pcap'), build: () => repeatCapture(fx('nfs3_bulk_veth_mtu1500.pcap'), join(dir, 'bulk.pcap'), Math.round(24 * o.scale)) },
      { name: 'metadata', path: join(dir, 'metadata.pcap'), build: () => repeatCapture(fx('nfs3_browse_lo.pcap'), join(dir, 'metadata.pcap'), Math.round(400 * o.scale)) },
      { name: 'getattr-udp', path: join(dir, 'getattr-udp.pcap'), build: () => getattrCapture(join(dir, 'getattr-udp.pcap'), Math.round(100_000 * o.scale)) },
    ];
    // node start-up and module loading, for reference
    const tiny = join(dir, 'tiny.pcap');
    repeatCapture(fx('lab_mount_sequence_lo.pcap'), tiny, 1);
    const t = await timeRpcsnoop(['-r', tiny, '--json']);
    report.startupSeconds = t.seconds;
    for (const wl of workloads) {
      const built = wl.build();
      const messages = await countMessages(wl.path);
      const sizeMB = statSync(wl.path).size / 1e6;
      o.log(`  ${wl.name}: ${sizeMB.toFixed(1)} MB, ${fmtInt(built.frames)} frames${built.copies ? ` (${built.copies} copies)` : ''}, ${fmtInt(messages)} RPC messages`);
      for (const mode of ['json', 'summary'] as const) {
        const r = await timeRpcsnoop(['-r', wl.path, ...(mode === 'json' ? ['--json'] : [])]);
        const note = r.code !== 0 ? `exit ${r.code}: ${r.stderr.trim().split('\n').pop()}` : '';
        report.rows.push({
          workload: wl.name,
          mode,
          sizeMB,
          frames: built.frames,
          messages,
          seconds: r.seconds,
          cpuSeconds: r.cpuSeconds,
          mbPerSecond: sizeMB / r.seconds,
          framesPerSecond: built.frames / r.seconds,
          messagesPerSecond: messages / r.seconds,
          messagesPerCpuSecond: messages / r.cpuSeconds,
          peakRssMiB: r.peakRssMiB,
          note,
        });
        o.log(`    ${mode}: ${r.seconds.toFixed(2)} s, ${(sizeMB / r.seconds).toFixed(1)} MB/s, ${fmtInt(messages / r.seconds)} msg/s, peak RSS ${r.peakRssMiB?.toFixed(0) ?? '-'} MiB${note ? ` (${note})` : ''}`);
      }
      if (!o.keep) rmSync(wl.path, { force: true });
    }
  } finally {
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }
  report.seconds = (Date.now() - start) / 1000;
  return report;
}

export function formatFileReport(r: FileReport): string {
  const head = ['workload', 'output', 'MB', 'frames', 'RPC msgs', 'seconds', 'CPU s', 'MB/s', 'frames/s', 'msgs/s', 'msgs/CPU s', 'peak RSS MiB', 'note'];
  const rows = r.rows.map((x) => [
    x.workload,
    x.mode,
    x.sizeMB.toFixed(1),
    fmtInt(x.frames),
    fmtInt(x.messages),
    x.seconds.toFixed(2),
    Number.isFinite(x.cpuSeconds) ? x.cpuSeconds.toFixed(2) : '-',
    x.mbPerSecond.toFixed(1),
    fmtInt(x.framesPerSecond),
    fmtInt(x.messagesPerSecond),
    Number.isFinite(x.messagesPerCpuSecond) ? fmtInt(x.messagesPerCpuSecond) : '-',
    x.peakRssMiB === null ? '-' : x.peakRssMiB.toFixed(0),
    x.note,
  ]);
  return [
    `file decoding (rpcsnoop -r FILE [--json] > /dev/null; times include ${r.startupSeconds.toFixed(2)} s of node start-up, ${r.seconds.toFixed(0)} s in all):`,
    table(head, rows),
  ].join('\n');
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const opts: Partial<FileOptions> = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] === '--scale') opts.scale = Number(argv[i + 1]);
    else if (argv[i] === '--keep') opts.keep = argv[i + 1];
    else {
      process.stderr.write(`usage: file-throughput.js [--scale N] [--keep DIR]\n`);
      process.exit(2);
    }
  }
  runFileBench(opts).then(
    (r) => process.stdout.write(formatFileReport(r) + '\n'),
    (e) => {
      process.stderr.write(`file-throughput: ${(e as Error).stack}\n`);
      process.exitCode = 1;
    },
  );
}
