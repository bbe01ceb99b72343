/**
 * Seed inputs for each fuzz target, carved from the capture fixtures (fixtures/*.pcap, *.pcapng): whole captures for
 * the readers and the whole-capture target, single frames for the packet target, TCP segments and IP fragments for
 * the reassembly target, RPC records for the header and program targets. Everything is computed from the
 * fixtures each time, so no seed files are committed.
 */
import { readFileSync } from 'node:fs';
import { openCapture } from '../../src/capture/open-capture';
import type { RawFrame } from '../../src/capture/raw-frame';
import { PacketDecoder } from '../../src/net/packet-decoder';
import { DEFAULT_PIPELINE, Pipeline } from '../../src/pipeline';
import { isRpcEvent, type RpcEvent } from '../../src/rpc/rpc-event';
import { fixture, fixtureCaptures } from '../helpers/fixtures';
import { MODES } from './targets/capture';
import { linkSelector } from './targets/link-types';
import { encodeProgramInput } from './targets/programs';
import { encodePackets, type CarvedPacket } from './targets/reassembly';
import type { TargetName } from './target-list';

const PCAP_HEADER = 24;
const PCAP_RECORD = 16;
/** Seeds a target gets from one fixture at most (spread over the capture). */
const PER_FIXTURE = 24;

/** The capture cut after its last whole record or block that fits in `limit` bytes (at least the file header). */
export function cutCapture(b: Buffer, limit: number): Buffer {
  if (b.length <= limit) return b;
  const magic = b.readUInt32BE(0);
  if (magic === 0x0a0d0d0a) {
    // pcapng: the section's byte order is the SHB's byte-order magic; blocks are type, total length, ..., length
    let le = b.readUInt32LE(8) === 0x1a2b3c4d;
    let at = 0;
    while (at + 12 <= b.length) {
      if (b.readUInt32BE(at) === 0x0a0d0d0a) le = b.readUInt32LE(at + 8) === 0x1a2b3c4d;
      const len = le ? b.readUInt32LE(at + 4) : b.readUInt32BE(at + 4);
      if (len < 12 || at + len > limit) break;
      at += len;
    }
    return b.subarray(0, Math.max(at, Math.min(b.length, 28)));
  }
  const le = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  let at = PCAP_HEADER;
  while (at + PCAP_RECORD <= b.length) {
    const len = le ? b.readUInt32LE(at + 8) : b.readUInt32BE(at + 8);
    if (at + PCAP_RECORD + len > limit) break;
    at += PCAP_RECORD + len;
  }
  return b.subarray(0, at);
}

/** A classic pcap in the other byte order (header and record header fields swapped), for µs big-endian seeds. */
export function swapPcap(b: Buffer): Buffer {
  const out = Buffer.from(b);
  const le = b.readUInt32BE(0) === 0xd4c3b2a1 || b.readUInt32BE(0) === 0x4d3cb2a1;
  const r32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const w32 = (v: number, o: number): number => (le ? out.writeUInt32BE(v, o) : out.writeUInt32LE(v, o));
  const r16 = (o: number): number => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const w16 = (v: number, o: number): number => (le ? out.writeUInt16BE(v, o) : out.writeUInt16LE(v, o));
  w32(r32(0), 0);
  w16(r16(4), 4);
  w16(r16(6), 6);
  for (const o of [8, 12, 16, 20]) w32(r32(o), o);
  for (let at = PCAP_HEADER; at + PCAP_RECORD <= b.length; ) {
    const len = r32(at + 8);
    for (const o of [0, 4, 8, 12]) w32(r32(at + o), at + o);
    at += PCAP_RECORD + len;
  }
  return out;
}

async function framesOf(name: string): Promise<RawFrame[]> {
  const frames: RawFrame[] = [];
  const source = await openCapture(fixture(name), { positions: false });
  for await (const f of source.frames()) frames.push(f);
  return frames;
}

/** `n` items spread evenly over `xs` (all of them when there are fewer). */
function spread<T>(xs: readonly T[], n: number): T[] {
  if (xs.length <= n) return xs.slice();
  return Array.from({ length: n }, (_, i) => xs[Math.floor((i * xs.length) / n)]);
}

function frameSeed(f: RawFrame, maxLen: number): Buffer {
  const bytes = f.bytes.subarray(0, maxLen - 2);
  return Buffer.concat([Buffer.from([linkSelector(f.linkType), Math.min(255, f.origLen - bytes.length)]), bytes]);
}

/** The first TCP connection's segments (and each reassembled UDP datagram as IP fragments) of a fixture. */
function packetSeeds(frames: readonly RawFrame[], maxLen: number): Buffer[] {
  const decoder = new PacketDecoder();
  const tcp: CarvedPacket[] = [];
  const frags: CarvedPacket[] = [];
  let conn: { client: string; cport: number; sport: number } | null = null;
  const expected = new Map<boolean, number>();
  for (const f of frames) {
    const p = decoder.decode(f);
    if (!p) continue;
    if (p.transport === 'udp' && p.frames.length > 1 && frags.length < 8) {
      // rebuild the datagram: UDP header then payload, in 1480-byte fragments (multiples of 8)
      const d = Buffer.alloc(8 + p.payload.length);
      d.writeUInt16BE(p.sport, 0);
      d.writeUInt16BE(p.dport, 2);
      d.writeUInt16BE(d.length & 0xffff, 4);
      d.set(p.payload, 8);
      const toServer = p.dport < p.sport;
      for (let off = 0; off < d.length; off += 1480) {
        frags.push({ toServer, syn: off + 1480 < d.length, fragment: { id: frags.length, offset8: off / 8 }, payload: d.subarray(off, off + 1480) });
      }
      continue;
    }
    if (p.transport !== 'tcp' || !p.tcp) continue;
    conn ??= p.dport < p.sport ? { client: p.src, cport: p.sport, sport: p.dport } : { client: p.dst, cport: p.dport, sport: p.sport };
    const toServer = p.src === conn.client && p.sport === conn.cport && p.dport === conn.sport;
    const fromServer = p.dst === conn.client && p.dport === conn.cport && p.sport === conn.sport;
    if (!toServer && !fromServer) continue;
    const syn = (p.tcp.flags & 2) !== 0;
    const fin = (p.tcp.flags & 1) !== 0;
    const exp = expected.get(toServer);
    const seqDelta = exp === undefined ? 0 : (p.tcp.seq - exp) | 0;
    const end = (p.tcp.seq + p.payload.length + (syn ? 1 : 0) + (fin ? 1 : 0)) >>> 0;
    if (exp === undefined || ((end - exp) | 0) > 0) expected.set(toServer, end);
    tcp.push({ toServer, syn, fin, rst: (p.tcp.flags & 4) !== 0, seqDelta: exp === undefined ? 0 : seqDelta, payload: p.payload });
  }
  const out: Buffer[] = [];
  const portmap = conn?.sport === 111;
  // cut the sequence into seeds that fit max_len
  for (const list of [tcp, frags]) {
    let cur: CarvedPacket[] = [];
    let size = 1;
    for (const p of list) {
      const need = 5 + Math.min(p.payload.length, 0xffff);
      if (size + need > maxLen && cur.length > 0) {
        out.push(encodePackets(cur, portmap));
        cur = [];
        size = 1;
        if (out.length >= 6) break;
      }
      if (need + 1 > maxLen) continue;
      cur.push(p);
      size += need;
    }
    if (cur.length > 0) out.push(encodePackets(cur, portmap));
  }
  return out;
}

/** RPC events of a fixture through the pipeline: records for (e), call/reply bodies for (f). */
async function rpcSeeds(name: string): Promise<{ records: Buffer[]; programs: Buffer[] }> {
  const events: RpcEvent[] = [];
  const pipeline = new Pipeline({ ...DEFAULT_PIPELINE, hold: false }, (ev) => {
    if (isRpcEvent(ev)) events.push(ev);
  });
  const source = await openCapture(fixture(name), { positions: false });
  for await (const f of source.frames()) pipeline.pushFrame(f);
  pipeline.finish();
  const records = spread(events, PER_FIXTURE).map((ev) => Buffer.from(ev.record.bytes.subarray(0, 8192)));
  const calls = new Map<unknown, RpcEvent>();
  const programs: Buffer[] = [];
  const seen = new Set<string>();
  for (const ev of events) {
    if (ev.msg.type === 'call') {
      if (ev.tx) calls.set(ev.tx, ev);
      continue;
    }
    const call = ev.tx ? calls.get(ev.tx) : undefined;
    if (!call || call.msg.type !== 'call') continue;
    const key = `${call.msg.prog}/${call.msg.vers}/${call.msg.proc}/${ev.status}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const input = encodeProgramInput(
      call.msg.prog,
      call.msg.vers,
      call.msg.proc,
      call.record.bytes.subarray(call.msg.bodyOffset, call.msg.bodyOffset + 8192),
      ev.record.bytes.subarray(ev.msg.bodyOffset, ev.msg.bodyOffset + 8192),
    );
    if (input) programs.push(input);
  }
  return { records, programs };
}

/** Seed inputs per target, from every capture fixture; `maxLen` per target bounds each seed. */
export async function carveSeeds(maxLen: Readonly<Record<TargetName, number>>): Promise<Record<TargetName, Buffer[]>> {
  const seeds: Record<TargetName, Buffer[]> = { 'pcap-classic': [], pcapng: [], packet: [], reassembly: [], 'rpc-header': [], programs: [], capture: [] };
  const names = fixtureCaptures();
  for (const [i, name] of names.entries()) {
    const file = readFileSync(fixture(name));
    if (name.endsWith('.pcapng')) seeds.pcapng.push(cutCapture(file, maxLen.pcapng));
    else {
      const cut = cutCapture(file, maxLen['pcap-classic']);
      seeds['pcap-classic'].push(cut, swapPcap(cut));
    }
    const capture = cutCapture(file, maxLen.capture - 2);
    for (const m of [i % MODES.length, (i + 5) % MODES.length]) seeds.capture.push(Buffer.concat([Buffer.from([m, i & 0xff]), capture]));
    const frames = await framesOf(name);
    seeds.packet.push(...spread(frames, PER_FIXTURE).map((f) => frameSeed(f, maxLen.packet)));
    seeds.reassembly.push(...packetSeeds(frames, maxLen.reassembly));
    const rpc = await rpcSeeds(name);
    seeds['rpc-header'].push(...rpc.records.filter((r) => r.length <= maxLen['rpc-header']));
    seeds.programs.push(...rpc.programs.filter((r) => r.length <= maxLen.programs));
  }
  return seeds;
}
