/**
 * A fixture capture turned into a template from which any number of distinct copies can be stamped: per frame, where
 * the client's IPv4 address, the checksums and the bytes of each RPC XID are, so that a copy can give the client a
 * new address and every XID a new value by patching a few bytes and adjusting checksums (RFC 1624), without
 * re-parsing the frame.
 *
 * Client and server are told apart by the port: 111 (PORTMAP/RPCBIND), 2049 (NFS) and 20048 (mountd) are the
 * servers' in every fixture used. Only Ethernet/IPv4 frames are patched; anything else is copied as it is.
 *
 * XIDs over TCP are found by walking each direction's byte stream through RFC 5531 §11 record marking: the XID is
 * the first word of a record's first fragment, wherever the segment boundaries fall, so its four bytes may lie in
 * two segments. A copy XORs each byte with a byte of a per-copy mask, which needs no carry between segments; the
 * call and its reply get the same mask, so they still pair. Retransmitted segments carry the same stream
 * positions and are patched alike.
 */
import { readFileSync } from 'node:fs';
import { ipv4Offset } from './common';

export const SERVER_PORTS: ReadonlySet<number> = new Set([111, 2049, 20048]);

/** One frame of the template. `data` is a view into the fixture file's buffer, which the template owns. */
export interface TemplateFrame {
  /** Nanoseconds since the fixture's first frame. */
  t: number;
  origLen: number;
  data: Buffer;
  /** Offset of the IPv4 header, or -1: nothing in the frame is patched. */
  ip: number;
  /** Offset of the client's address field in the frame (source or destination), or -1. */
  addr: number;
  /** Offset of the TCP/UDP header, or -1 (non-first fragment, not TCP/UDP, or truncated). */
  l4: number;
  /** Offset of the TCP/UDP checksum to adjust, or -1 (none, UDP's "no checksum" 0, or beyond the captured bytes). */
  l4sum: number;
  /** XID bytes in this frame: offset in the frame and which byte of the XID (0 = most significant). */
  xid: Array<{ at: number; byte: number }>;
}

export interface CaptureTemplate {
  name: string;
  frames: TemplateFrame[];
  /** Nanoseconds from first to last frame. */
  span: number;
  /** Bytes the frames take in a pcap file (record headers included). */
  bytes: number;
  /** XIDs found (each at the start of a call or reply), for reporting. */
  xids: number;
}

interface RawRecord {
  t: number;
  origLen: number;
  data: Buffer;
}

/** Classic pcap records (either byte order, µs or ns), times in ns from the first. Ethernet only. */
function readRecords(path: string): RawRecord[] {
  const b = readFileSync(path);
  if (b.length < 24) throw new Error(`${path}: too short for a pcap file`);
  const magics: Record<number, number> = { 0xa1b2c3d4: 1000, 0xa1b23c4d: 1 };
  let le = true;
  let mult = magics[b.readUInt32LE(0)];
  if (mult === undefined) {
    le = false;
    mult = magics[b.readUInt32BE(0)];
  }
  if (mult === undefined) throw new Error(`${path}: not a classic pcap file`);
  const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  if ((u32(20) & 0xffff) !== 1) throw new Error(`${path}: Ethernet captures only`);
  const out: RawRecord[] = [];
  let t0 = -1;
  for (let o = 24; o + 16 <= b.length; ) {
    const len = u32(o + 8);
    if (o + 16 + len > b.length) break; // a cut-off last record is left out
    const ns = u32(o) * 1e9 + u32(o + 4) * mult;
    if (t0 < 0) t0 = ns;
    out.push({ t: ns - t0, origLen: u32(o + 12), data: b.subarray(o + 16, o + 16 + len) });
    o += 16 + len;
  }
  return out;
}

/** TCP stream positions of the XID bytes of one direction, found by in-order record-mark parsing. */
class RecordWalker {
  /** Next expected sequence number, relative to `base`. */
  next = 0;
  private markLeft = 4;
  private mark = 0;
  private bodyLeft = 0;
  private firstFragment = true;
  private xidLeft = 0;
  private gap = false;
  /** Relative sequence number of each XID byte → its index in the XID. */
  readonly xidBytes = new Map<number, number>();

  /** `base`: the sequence number of the stream's first byte (the SYN's plus one, or the first segment's). */
  constructor(readonly base: number) {}

  /** Feeds a segment's payload at relative sequence `rel`; bytes already seen or after a gap are not parsed. */
  feed(rel: number, payload: Buffer): void {
    if (this.gap) return;
    if (rel > this.next) {
      this.gap = true; // a hole: later bytes cannot be framed (the fixtures have none)
      return;
    }
    for (let i = this.next - rel; i < payload.length; i++, this.next++) {
      const byte = payload[i];
      if (this.markLeft > 0) {
        this.mark = this.mark * 256 + byte;
        if (--this.markLeft === 0) {
          this.bodyLeft = this.mark % 0x80000000;
          if (this.firstFragment && this.bodyLeft >= 4) this.xidLeft = 4;
          this.firstFragment = this.mark >= 0x80000000; // the last fragment ends the record
          if (this.bodyLeft === 0) this.resetMark();
        }
        continue;
      }
      if (this.xidLeft > 0) this.xidBytes.set(this.next, 4 - this.xidLeft--);
      if (--this.bodyLeft === 0) this.resetMark();
    }
  }

  private resetMark(): void {
    this.markLeft = 4;
    this.mark = 0;
  }
}

export function loadTemplate(path: string, name = path): CaptureTemplate {
  const recs = readRecords(path);
  const frames: TemplateFrame[] = [];
  const walkers = new Map<string, RecordWalker>();
  const allWalkers: RecordWalker[] = [];
  /** IP fragments' client side, by (src, dst, id), learnt from each datagram's first fragment. */
  const fragSide = new Map<string, number>();
  const tcpPending: Array<{ frame: TemplateFrame; walker: RecordWalker; seq: number; payload: number; len: number }> = [];
  let bytes = 0;
  for (const r of recs) {
    bytes += 16 + r.data.length;
    const f: TemplateFrame = { t: r.t, origLen: r.origLen, data: r.data, ip: -1, addr: -1, l4: -1, l4sum: -1, xid: [] };
    frames.push(f);
    const d = r.data;
    const o = ipv4Offset(d);
    if (o < 0) continue;
    const ihl = (d[o] & 0x0f) * 4;
    const proto = d[o + 9];
    const fragOff = d.readUInt16BE(o + 6) & 0x1fff;
    const fragKey = `${d.readUInt32BE(o + 12)} ${d.readUInt32BE(o + 16)} ${d.readUInt16BE(o + 4)}`;
    if (proto !== 6 && proto !== 17) continue;
    f.ip = o;
    if (fragOff !== 0) {
      const side = fragSide.get(fragKey); // Linux sends the first fragment first in these fixtures
      if (side !== undefined) f.addr = o + side;
      continue;
    }
    const l4 = o + ihl;
    if (d.length < l4 + (proto === 6 ? 20 : 8)) continue;
    const sport = d.readUInt16BE(l4);
    const dport = d.readUInt16BE(l4 + 2);
    const toServer = SERVER_PORTS.has(dport);
    if (!toServer && !SERVER_PORTS.has(sport)) continue; // not RPC traffic of the fixtures' servers
    const side = toServer ? 12 : 16; // the client is the source of calls and the destination of replies
    fragSide.set(fragKey, side);
    f.addr = o + side;
    f.l4 = l4;
    const sumAt = l4 + (proto === 6 ? 16 : 6);
    if (d.length >= sumAt + 2 && !(proto === 17 && d.readUInt16BE(sumAt) === 0)) f.l4sum = sumAt;
    if (proto === 17) {
      if (d.length >= l4 + 12) for (let i = 0; i < 4; i++) f.xid.push({ at: l4 + 8 + i, byte: i });
      continue;
    }
    const dataOff = l4 + (d[l4 + 12] >> 4) * 4;
    const ipEnd = Math.min(d.length, o + d.readUInt16BE(o + 2));
    const key = `${d.readUInt32BE(o + 12)}:${sport}>${d.readUInt32BE(o + 16)}:${dport}`;
    const seq = d.readUInt32BE(l4 + 4);
    const syn = (d[l4 + 13] & 0x02) !== 0;
    let w = walkers.get(key);
    if (!w || syn) {
      // a SYN starts a new connection, also on a reused 4-tuple: a stream (and a map of positions) of its own
      w = new RecordWalker((seq + (syn ? 1 : 0)) >>> 0);
      walkers.set(key, w);
      allWalkers.push(w);
    }
    const len = Math.max(0, ipEnd - dataOff);
    if (len === 0) continue;
    const rel = (seq - w.base) >>> 0;
    w.feed(rel, d.subarray(dataOff, dataOff + len));
    tcpPending.push({ frame: f, walker: w, seq: rel, payload: dataOff, len });
  }
  // second pass: every segment (retransmissions too) gets the XID bytes that fall in its stream range
  let xids = 0;
  for (const p of tcpPending) {
    for (let i = 0; i < p.len; i++) {
      const byte = p.walker.xidBytes.get(p.seq + i);
      if (byte !== undefined) p.frame.xid.push({ at: p.payload + i, byte });
    }
  }
  for (const w of allWalkers) xids += w.xidBytes.size / 4;
  for (const f of frames) if (f.l4 >= 0 && f.data[f.ip + 9] === 17 && f.xid.length) xids++;
  const span = frames.length ? frames[frames.length - 1].t : 0;
  return { name, frames, span, bytes, xids: Math.round(xids) };
}

// ------------------------------------------------------------------------------------------------ RFC 1624

/** Folds a sum of 16-bit words into 16 bits with end-around carry. */
function fold(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/** RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), with `delta` the folded sum of (~m + m') over the changed words. */
export function applyDelta(sum: number, delta: number): number {
  return ~fold((~sum & 0xffff) + delta) & 0xffff;
}

/** The (~m + m') term of one 16-bit word changing from `from` to `to`. */
export function wordDelta(from: number, to: number): number {
  return (~from & 0xffff) + to;
}

/** One copy's identity: the client's new IPv4 address and the mask XORed into every XID. */
export interface CopyStamp {
  address: number;
  xidMask: number;
}

/**
 * Writes frame `f` into `out` at `at` (the caller checked the room) as a copy stamped with `stamp`; `old` is the
 * fixture's client address. Returns the bytes written.
 */
export function stampFrame(f: TemplateFrame, stamp: CopyStamp, out: Buffer, at: number): number {
  f.data.copy(out, at);
  if (f.ip < 0) return f.data.length;
  const ip = at + f.ip;
  let addrDelta = 0;
  if (f.addr >= 0) {
    const a = at + f.addr;
    const oldHi = out.readUInt16BE(a);
    const oldLo = out.readUInt16BE(a + 2);
    const hi = stamp.address >>> 16;
    const lo = stamp.address & 0xffff;
    out.writeUInt16BE(hi, a);
    out.writeUInt16BE(lo, a + 2);
    addrDelta = fold(wordDelta(oldHi, hi) + wordDelta(oldLo, lo));
    out.writeUInt16BE(applyDelta(out.readUInt16BE(ip + 10), addrDelta), ip + 10);
  }
  if (f.l4 < 0) return f.data.length;
  let delta = addrDelta; // the pseudo-header holds both addresses (RFC 793 §3.1, RFC 768)
  for (const x of f.xid) {
    const p = at + x.at;
    const old = out[p];
    const neu = old ^ ((stamp.xidMask >>> (24 - 8 * x.byte)) & 0xff);
    out[p] = neu;
    const shift = (x.at - f.l4) % 2 === 0 ? 8 : 0; // even offsets from the L4 header are a word's high byte
    delta = fold(delta + wordDelta(old << shift, neu << shift));
  }
  if (f.l4sum >= 0) {
    const s = at + f.l4sum;
    let v = applyDelta(out.readUInt16BE(s), delta);
    if (v === 0 && f.data[f.ip + 9] === 17) v = 0xffff; // UDP sends a computed 0 as all ones (RFC 768)
    out.writeUInt16BE(v, s);
  }
  return f.data.length;
}
