/**
 * The large capture of the performance benchmark (issue 7): at least a given size of NFSv3 traffic built from real
 * fixture conversations, streamed to disk with bounded memory (the fixtures, one 4 MiB output buffer and a lane per
 * concurrent conversation).
 *
 * - bulk: fixtures/nfs3_bulk_veth_mtu1500.pcap, READs and WRITEs over TCP at MTU 1500 (records span many segments);
 * - browse: fixtures/nfs3_browse_lo.pcap, small metadata operations over TCP (many records, few bytes);
 * - udp: fixtures/nfs3_udp_lo.pcap, NFSv3 over UDP on lo (large datagrams);
 * - ipfrag: fixtures/nfs3_udp_ipfrag_veth.pcap, NFSv3 over UDP at MTU 1500 (IP fragments).
 *
 * `lanes` conversations run at once, interleaved in time by a merge on frame time. When a lane's copy ends, the lane
 * starts a copy of the workload furthest below its share of the bytes written. Every copy is a distinct
 * conversation: the client gets an IPv4 address of its own (10.0.0.0/8 counted up, skipping the fixtures' server
 * addresses: 16 million copies) and its XIDs are XORed with a mask of its own; checksums are adjusted (RFC 1624).
 * New copies stop once the size (and `--messages`, when given) is reached; the copies under way are finished, so every call keeps its reply.
 *
 *   node dist/bench/big-capture.js OUT.pcap [--size 1000] [--messages N] [--lanes 32] [--mix bulk=40,browse=50,udp=5,ipfrag=5]
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { loadTemplate, stampFrame, type CaptureTemplate, type CopyStamp } from './capture-template';

export const WORKLOADS: Record<string, string> = {
  bulk: 'nfs3_bulk_veth_mtu1500.pcap',
  browse: 'nfs3_browse_lo.pcap',
  udp: 'nfs3_udp_lo.pcap',
  ipfrag: 'nfs3_udp_ipfrag_veth.pcap',
};

/** Share of the bytes by workload: READ/WRITE-heavy in bytes, metadata-heavy in messages. */
export const DEFAULT_MIX: Record<string, number> = { bulk: 40, browse: 50, udp: 5, ipfrag: 5 };

export interface BigCaptureOptions {
  /** Megabytes (10^6 bytes) to reach; the copies under way at that point are finished. */
  sizeMB: number;
  /** RPC messages to reach as well (0: no minimum). */
  minMessages: number;
  /** Conversations under way at once. */
  lanes: number;
  mix: Record<string, number>;
  fixturesDir: string;
}

export interface BigCaptureResult {
  bytes: number;
  frames: number;
  /** Copies of each workload. */
  copies: Record<string, number>;
  /** RPC messages expected: the fixtures' XIDs times their copies. */
  messages: number;
  seconds: number;
}

/** The next copy's client address: 10.0.0.0/8 counted from 10.0.0.1, skipping `avoid`. */
function addressFor(avoid: ReadonlySet<number>, next: { v: number }): number {
  for (;;) {
    const a = (0x0a000001 + next.v++) >>> 0;
    if (next.v >= 0xfffffe) throw new Error('big-capture: out of client addresses (16 million copies)');
    if (!avoid.has(a)) return a;
  }
}

/** The fixtures' server addresses (never given to a client). */
function serverAddresses(ts: CaptureTemplate[]): Set<number> {
  const s = new Set<number>();
  for (const t of ts)
    for (const f of t.frames) {
      if (f.addr < 0) continue;
      const other = f.addr === f.ip + 12 ? f.ip + 16 : f.ip + 12;
      s.add(f.data.readUInt32BE(other));
    }
  return s;
}

interface Lane {
  tpl: CaptureTemplate;
  stamp: CopyStamp;
  /** Index of the lane's next frame. */
  i: number;
  /** Nanoseconds (from the capture's start) at which the copy's first frame lies. */
  start: number;
}

/** A binary min-heap of lanes by the time of their next frame. */
class LaneHeap {
  readonly a: Lane[] = [];
  private key(l: Lane): number {
    return l.start + l.tpl.frames[l.i].t;
  }
  push(l: Lane): void {
    const a = this.a;
    a.push(l);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (this.key(a[p]) <= this.key(a[i])) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): Lane | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length && last) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.key(a[l]) < this.key(a[m])) m = l;
        if (r < a.length && this.key(a[r]) < this.key(a[m])) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}

export function buildBigCapture(out: string, opts: Partial<BigCaptureOptions> = {}): BigCaptureResult {
  const o: BigCaptureOptions = { sizeMB: 1000, minMessages: 0, lanes: 32, mix: DEFAULT_MIX, fixturesDir: join(__dirname, '..', '..', 'fixtures'), ...opts };
  const started = Date.now();
  const names = Object.keys(o.mix).filter((n) => o.mix[n] > 0);
  for (const n of names) if (!WORKLOADS[n]) throw new Error(`big-capture: unknown workload ${n} (${Object.keys(WORKLOADS).join(', ')})`);
  if (!names.length) throw new Error('big-capture: empty mix');
  const tpls = new Map(names.map((n) => [n, loadTemplate(join(o.fixturesDir, WORKLOADS[n]), n)]));
  const totalShare = names.reduce((s, n) => s + o.mix[n], 0);
  const written = new Map(names.map((n) => [n, 0]));
  const copies: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  const avoid = serverAddresses([...tpls.values()]);
  const counter = { v: 0 };
  let copyNo = 0;
  const limit = o.sizeMB * 1e6;

  const fd = openSync(out, 'w');
  const buf = Buffer.allocUnsafe(4 << 20);
  let used = 0;
  const flush = (): void => {
    if (used) writeSync(fd, buf, 0, used);
    used = 0;
  };
  // header: little-endian, nanosecond timestamps (magic a1b23c4d), snaplen 262144, Ethernet
  buf.writeUInt32LE(0xa1b23c4d, 0);
  buf.writeUInt16LE(2, 4);
  buf.writeUInt16LE(4, 6);
  buf.writeUInt32LE(0, 8);
  buf.writeUInt32LE(0, 12);
  buf.writeUInt32LE(262144, 16);
  buf.writeUInt32LE(1, 20);
  used = 24;
  let bytes = 24;
  let frames = 0;
  const baseSec = 1_800_000_000;

  /** The workload furthest below its share of the bytes so far. */
  const pick = (): CaptureTemplate => {
    let best = names[0];
    let bestLag = -Infinity;
    const total = [...written.values()].reduce((s, v) => s + v, 0) + 1;
    for (const n of names) {
      const lag = o.mix[n] / totalShare - written.get(n)! / total;
      if (lag > bestLag) [best, bestLag] = [n, lag];
    }
    return tpls.get(best)!;
  };
  const startCopy = (startNs: number): Lane => {
    const tpl = pick();
    copies[tpl.name]++;
    written.set(tpl.name, written.get(tpl.name)! + tpl.bytes); // counted when started, so lanes spread the mix
    copyNo++;
    // a mask that changes every byte of the XID from copy to copy (odd multiplier: a bijection of 32 bits)
    const xidMask = Math.imul(copyNo, 0x9e3779b1) >>> 0;
    return { tpl, stamp: { address: addressFor(avoid, counter), xidMask }, i: 0, start: startNs };
  };

  const heap = new LaneHeap();
  // lanes start 50 µs apart, so their frames interleave from the beginning
  for (let l = 0; l < o.lanes; l++) heap.push(startCopy(l * 50_000));
  let planned = [...tpls.values()].reduce((s, t) => s + t.bytes * copies[t.name], 0);
  let plannedMsgs = [...tpls.values()].reduce((s, t) => s + t.xids * copies[t.name], 0);
  for (let lane = heap.pop(); lane; lane = heap.pop()) {
    const f = lane.tpl.frames[lane.i];
    const need = 16 + f.data.length;
    if (used + need > buf.length) flush();
    const ns = lane.start + f.t;
    const sec = Math.floor(ns / 1e9);
    buf.writeUInt32LE(baseSec + sec, used);
    buf.writeUInt32LE(ns - sec * 1e9, used + 4);
    buf.writeUInt32LE(f.data.length, used + 8);
    buf.writeUInt32LE(f.origLen, used + 12);
    used += 16;
    used += stampFrame(f, lane.stamp, buf, used);
    bytes += need;
    frames++;
    if (++lane.i < lane.tpl.frames.length) {
      heap.push(lane);
    } else if (planned < limit || plannedMsgs < o.minMessages) {
      const next = startCopy(ns + 20_000); // the next conversation 20 µs after this one's last frame
      planned += next.tpl.bytes;
      plannedMsgs += next.tpl.xids;
      heap.push(next);
    }
  }
  flush();
  closeSync(fd);
  let messages = 0;
  for (const t of tpls.values()) messages += t.xids * copies[t.name];
  return { bytes, frames, copies, messages, seconds: (Date.now() - started) / 1000 };
}

export function parseMix(s: string): Record<string, number> {
  const mix: Record<string, number> = {};
  for (const part of s.split(',')) {
    const m = /^(\w+)=(\d+(?:\.\d+)?)$/.exec(part.trim());
    if (!m) throw new Error(`big-capture: bad --mix part "${part}" (name=share,...)`);
    mix[m[1]] = Number(m[2]);
  }
  return mix;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const opts: Partial<BigCaptureOptions> = {};
  let out: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    if (argv[i] === '--size') (opts.sizeMB = Number(v)), i++;
    else if (argv[i] === '--messages') (opts.minMessages = Number(v)), i++;
    else if (argv[i] === '--lanes') (opts.lanes = Number(v)), i++;
    else if (argv[i] === '--mix') (opts.mix = parseMix(v ?? '')), i++;
    else if (!argv[i].startsWith('-') && out === null) out = argv[i];
    else {
      process.stderr.write('usage: big-capture.js OUT.pcap [--size MB] [--messages N] [--lanes N] [--mix bulk=40,browse=50,udp=5,ipfrag=5]\n');
      process.exit(2);
    }
  }
  if (!out) {
    process.stderr.write('usage: big-capture.js OUT.pcap [--size MB] [--lanes N] [--mix ...]\n');
    process.exit(2);
  }
  const r = buildBigCapture(out, opts);
  process.stdout.write(
    `${out}: ${(r.bytes / 1e6).toFixed(1)} MB, ${r.frames} frames, ${r.messages} RPC messages, copies ${JSON.stringify(r.copies)}, ${r.seconds.toFixed(1)} s\n`,
  );
}
