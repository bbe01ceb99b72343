/**
 * Small builders for link/IP/UDP/TCP frames and RawFrames, for the src/net tests (and the synthetic captures of
 * the pipeline and CLI tests).
 */
import type { RawFrame } from '../../src/capture/raw-frame';
import { bytesOf, concat, padTo4, u16, u32 } from './bytes';

// ---------------------------------------------------------------------------------------------- addresses

export function ip4(text: string): Uint8Array {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4) throw new Error(`bad IPv4 ${text}`);
  return Uint8Array.from(parts);
}

/** Parse IPv6 text with at most one "::" (no embedded dotted quad). */
export function ip6(text: string): Uint8Array {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8) throw new Error(`bad IPv6 ${text}`);
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

// ---------------------------------------------------------------------------------------------- transport

export interface UdpOpts {
  sport?: number;
  dport?: number;
  /** UDP Length field (default 8 + payload length). */
  length?: number;
}

export function udp(payload: Uint8Array, o: UdpOpts = {}): Uint8Array {
  return concat(u16(o.sport ?? 1000), u16(o.dport ?? 2049), u16(o.length ?? 8 + payload.length), u16(0), payload);
}

export interface TcpOpts {
  sport?: number;
  dport?: number;
  seq?: number;
  ack?: number;
  /** Flag bits; 0x100 sets the bit in the data-offset byte. */
  flags?: number;
  window?: number;
  /** Option bytes, padded to a multiple of 4. */
  options?: Uint8Array;
  /** Data Offset field in 32-bit words (default from the options). */
  dataOffset?: number;
}

export function tcp(payload: Uint8Array, o: TcpOpts = {}): Uint8Array {
  const padded = padTo4(o.options ?? new Uint8Array(0));
  const doff = o.dataOffset ?? 5 + padded.length / 4;
  const flags = o.flags ?? 0x18;
  return concat(
    u16(o.sport ?? 1000),
    u16(o.dport ?? 2049),
    u32(o.seq ?? 1),
    u32(o.ack ?? 0),
    bytesOf((doff << 4) | ((flags >> 8) & 1), flags & 0xff),
    u16(o.window ?? 65535),
    u16(0), // checksum
    u16(0), // urgent pointer
    padded,
    payload,
  );
}

// ---------------------------------------------------------------------------------------------- IP

export interface Ipv4Opts {
  src?: string;
  dst?: string;
  protocol?: number;
  id?: number;
  /** Fragment offset in bytes (a multiple of 8). */
  fragOffset?: number;
  moreFragments?: boolean;
  dontFragment?: boolean;
  /** Option bytes (padded to a multiple of 4 with End of Options). */
  options?: Uint8Array;
  /** Total Length field override. */
  totalLength?: number;
  /** First byte override (version/IHL). */
  versionIhl?: number;
}

export function ipv4(payload: Uint8Array, o: Ipv4Opts = {}): Uint8Array {
  const padded = padTo4(o.options ?? new Uint8Array(0));
  const ihl = 5 + padded.length / 4;
  const flags = (o.moreFragments === true ? 0x2000 : 0) | (o.dontFragment === true ? 0x4000 : 0);
  return concat(
    bytesOf(o.versionIhl ?? (0x40 | ihl), 0),
    u16(o.totalLength ?? ihl * 4 + payload.length),
    u16(o.id ?? 0x1234),
    u16(flags | ((o.fragOffset ?? 0) / 8)),
    bytesOf(64, o.protocol ?? 17),
    u16(0), // checksum: not verified
    ip4(o.src ?? '10.0.0.1'),
    ip4(o.dst ?? '10.0.0.2'),
    padded,
    payload,
  );
}

/** An IPv6 extension header: `type` and its bytes after Next Header / Hdr Ext Len (see ext* helpers). */
export interface Ipv6Ext {
  type: number;
  /** The bytes after Next Header and Hdr Ext Len (0/43/60: padded to 8n-2; 44: 6 bytes; 51: 4n-2 bytes). */
  body: Uint8Array;
}

/** Hop-by-Hop (0), Routing (43) or Destination Options (60) header with `bodyLength` bytes after the prefix. */
export function extOptions(type: 0 | 43 | 60, body: Uint8Array = new Uint8Array(6)): Ipv6Ext {
  const total = Math.ceil((body.length + 2) / 8) * 8;
  return { type, body: concat(body, new Uint8Array(total - 2 - body.length)) };
}

/** Hop-by-Hop header carrying an RFC 2675 Jumbo Payload option. */
export function extJumbo(jumboLength: number): Ipv6Ext {
  return { type: 0, body: concat(bytesOf(0xc2, 4), u32(jumboLength)) };
}

export function extFragment(fragOffset: number, more: boolean, id: number): Ipv6Ext {
  return { type: 44, body: concat(u16(fragOffset | (more ? 1 : 0)), u32(id)) }; // the 'length' byte is Reserved
}

/** Authentication Header (RFC 4302) with a 4-byte ICV: 16 bytes. */
export function extAh(): Ipv6Ext {
  return { type: 51, body: new Uint8Array(14) };
}

function encodeExt(e: Ipv6Ext, next: number): Uint8Array {
  const total = e.body.length + 2;
  let len: number;
  if (e.type === 44) len = 0;
  else if (e.type === 51) len = total / 4 - 2;
  else len = total / 8 - 1;
  return concat(bytesOf(next, len), e.body);
}

export interface Ipv6Opts {
  src?: string;
  dst?: string;
  /** Upper-layer protocol (Next Header after the last extension header). */
  protocol?: number;
  exts?: Ipv6Ext[];
  /** Payload Length field override. */
  payloadLength?: number;
  versionByte?: number;
}

export function ipv6(payload: Uint8Array, o: Ipv6Opts = {}): Uint8Array {
  const exts = o.exts ?? [];
  const protocol = o.protocol ?? 17;
  const encoded = exts.map((e, i) => encodeExt(e, i + 1 < exts.length ? exts[i + 1].type : protocol));
  const rest = concat(...encoded, payload);
  return concat(
    bytesOf(o.versionByte ?? 0x60, 0, 0, 0),
    u16(o.payloadLength ?? rest.length),
    bytesOf(exts.length > 0 ? exts[0].type : protocol, 64),
    ip6(o.src ?? 'fd00::1'),
    ip6(o.dst ?? 'fd00::2'),
    rest,
  );
}

/** Split an L4 datagram into IPv4 fragments of `chunk` data bytes (a multiple of 8). */
export function fragmentIpv4(l4: Uint8Array, o: Ipv4Opts, chunk: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off < l4.length; off += chunk) {
    const end = Math.min(off + chunk, l4.length);
    out.push(ipv4(l4.subarray(off, end), { ...o, fragOffset: off, moreFragments: end < l4.length }));
  }
  return out;
}

/** Split `fragmentable` (whose first header is `firstType`) into IPv6 fragments of `chunk` data bytes. */
export function fragmentIpv6(
  fragmentable: Uint8Array,
  firstType: number,
  o: Ipv6Opts & { id?: number; before?: Ipv6Ext[] },
  chunk: number,
): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off < fragmentable.length; off += chunk) {
    const end = Math.min(off + chunk, fragmentable.length);
    const exts = [...(o.before ?? []), extFragment(off, end < fragmentable.length, o.id ?? 0xabcdef01)];
    out.push(ipv6(fragmentable.subarray(off, end), { ...o, exts, protocol: firstType }));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- link

export interface VlanTag {
  tpid?: number;
  vid: number;
  pcp?: number;
}

/** Ethernet II: dst MAC, src MAC, then a (TPID, TCI) pair per VLAN tag (outermost first) and the EtherType. */
export function ethernet(
  payload: Uint8Array,
  o: { etherType?: number; vlans?: VlanTag[]; padTo?: number } = {},
): Uint8Array {
  const parts: Uint8Array[] = [bytesOf(2, 0, 0, 0, 0, 2), bytesOf(2, 0, 0, 0, 0, 1)];
  for (const t of o.vlans ?? []) parts.push(u16(t.tpid ?? 0x8100), u16(((t.pcp ?? 0) << 13) | t.vid));
  parts.push(u16(o.etherType ?? 0x0800), payload);
  const frame = concat(...parts);
  if (o.padTo !== undefined && frame.length < o.padTo) return concat(frame, new Uint8Array(o.padTo - frame.length));
  return frame;
}

/** Linux cooked v1: packet type, ARPHRD, address length, 8 address bytes, protocol. */
export function sll(payload: Uint8Array, protocol = 0x0800, arphrd = 1): Uint8Array {
  return concat(u16(0), u16(arphrd), u16(6), bytesOf(2, 0, 0, 0, 0, 1, 0, 0), u16(protocol), payload);
}

/** Linux cooked v2: protocol, reserved, ifindex, ARPHRD, packet type, address length, 8 address bytes. */
export function sll2(payload: Uint8Array, protocol = 0x0800, arphrd = 1): Uint8Array {
  return concat(u16(protocol), u16(0), u32(3), u16(arphrd), bytesOf(0, 6), bytesOf(2, 0, 0, 0, 0, 1, 0, 0), payload);
}

/** BSD NULL: address family in the given byte order. */
export function bsdNull(payload: Uint8Array, af: number, littleEndian: boolean): Uint8Array {
  const h = littleEndian ? bytesOf(af & 0xff, (af >> 8) & 0xff, 0, 0) : u32(af);
  return concat(h, payload);
}

/** OpenBSD LOOP: address family big-endian. */
export function bsdLoop(payload: Uint8Array, af: number): Uint8Array {
  return concat(u32(af), payload);
}

export interface FrameOpts {
  frameNo?: number;
  sec?: number;
  nsec?: number;
  /** Keep only this many bytes (capLen), like a snaplen; origLen stays the full length. */
  snaplen?: number;
}

export function frame(bytes: Uint8Array, linkType: number, o: FrameOpts = {}): RawFrame {
  const kept = o.snaplen !== undefined && o.snaplen < bytes.length ? bytes.slice(0, o.snaplen) : bytes;
  return {
    frameNo: o.frameNo ?? 1,
    ts: { sec: o.sec ?? 1_700_000_000, nsec: o.nsec ?? 0 },
    capLen: kept.length,
    origLen: bytes.length,
    linkType,
    bytes: kept,
    interfaceId: 0,
  };
}
