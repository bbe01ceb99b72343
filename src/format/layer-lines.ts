/**
 * snoop's `-V` summary lines for the layers below RPC (snoop-format.md §2.1; illumos snoop_ether.c, snoop_ip.c,
 * snoop_udp.c, snoop_tcp.c), built from a RawFrame with the stateless src/net decoders, plus the frame dissection
 * that layer-detail.ts shares.
 *
 * Link types snoop never saw get the nearest snoop-like line (documented per case below):
 *  - Linux cooked v1/v2: `SLL Type=0800 (IP), size=98 bytes` / `SLL2 ...`, shaped like snoop's `ETHER Type=` line
 *    (the protocol field is an EtherType; VLAN tags the kernel left in are shown the same way);
 *  - BSD loopback (NULL, LOOP): `LOOP Family=2 (IP), size=98 bytes` (the header is an address family);
 *  - raw IP: `RAW IP, size=98 bytes` / `RAW IPv6, ...` (no header at all: the size line keeps `-V` uniform);
 *  - anything else: `LINK Type=147 (unknown), size=98 bytes`, and no layer above it.
 * Beyond snoop: the IPv6 line gets snoop's IPv4 truncation mark (`LEN=N?`), and QinQ frames list every VLAN id
 * (`VLAN ID=100/200`, outermost first) where snoop knows a single 802.1Q tag.
 * Pure functions; they never throw on frame contents (cut or malformed headers end the list of lines).
 */
import type { RawFrame } from '../capture/raw-frame';
import { readU16, readU32 } from '../net/bytes';
import { formatIpv4, formatIpv6 } from '../net/ip-address';
import { IPPROTO_TCP, IPPROTO_UDP, newIpLayer, type IpLayer } from '../net/ip-layer';
import { hexUpper } from './hex';
import { decodeIpv4 } from '../net/ipv4';
import { decodeIpv6 } from '../net/ipv6';
import { decodeLink } from '../net/link-layer';
import {
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
  LINKTYPE_RAW_BSD,
  LINKTYPE_RAW_OPENBSD,
  newLinkLayer,
  type LinkLayer,
} from '../net/link-types';
import { decodeTcp } from '../net/tcp';
import { newTransportLayer, type TransportLayer } from '../net/transport-layer';
import { decodeUdp } from '../net/udp';

export type LinkKind = 'ether' | 'sll' | 'sll2' | 'loop' | 'raw' | 'unknown';

/** What a frame holds, layer by layer, as far as the captured bytes go. */
export interface FrameLayers {
  frame: RawFrame;
  kind: LinkKind;
  /** Bytes of link header before any VLAN tags (14, 16, 20, 4 or 0). */
  linkHeader: number;
  /** The decoded link layer; null when cut short or not carrying something we follow. */
  link: LinkLayer | null;
  /** IP version found (0: none), and the offset of its header. */
  ipVersion: 0 | 4 | 6;
  ipOff: number;
  /** Captured bytes missing from the IP header (snoop's "IP truncated: header missing N bytes"); else 0. */
  ipMissing: number;
  /** The IP decoder's result when it succeeded (for IPv6: also when only the extension-header walk failed). */
  ip: IpLayer | null;
  /** The UDP/TCP header, decoded for whole datagrams and first fragments; null otherwise. */
  transport: TransportLayer | null;
  /** Offset of the UDP/TCP header when `transport` is set. */
  transportOff: number;
  transportProto: number;
}

function linkKind(linkType: number): { kind: LinkKind; header: number } {
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      return { kind: 'ether', header: 14 };
    case LINKTYPE_LINUX_SLL:
      return { kind: 'sll', header: 16 };
    case LINKTYPE_LINUX_SLL2:
      return { kind: 'sll2', header: 20 };
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP:
      return { kind: 'loop', header: 4 };
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_BSD:
    case LINKTYPE_RAW_OPENBSD:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      return { kind: 'raw', header: 0 };
    default:
      return { kind: 'unknown', header: 0 };
  }
}

/** Decode a frame as deep as its captured bytes allow. */
export function dissectFrame(frame: RawFrame): FrameLayers {
  const b = frame.bytes;
  const { kind, header } = linkKind(frame.linkType);
  const out: FrameLayers = {
    frame,
    kind,
    linkHeader: header,
    link: null,
    ipVersion: 0,
    ipOff: 0,
    ipMissing: 0,
    ip: null,
    transport: null,
    transportOff: 0,
    transportProto: -1,
  };
  const link = newLinkLayer();
  if (kind === 'unknown' || decodeLink(frame.linkType, b, link) !== 'ok') return out;
  out.link = link;
  const off = link.offset;
  if (link.etherType === ETHERTYPE_IPV4) {
    if (off >= b.length || b[off] >> 4 !== 4) return out;
    out.ipVersion = 4;
    out.ipMissing = Math.max(0, off + Math.max(20, (b[off] & 0x0f) * 4) - b.length);
  } else if (link.etherType === ETHERTYPE_IPV6) {
    if (off >= b.length || b[off] >> 4 !== 6) return out;
    out.ipVersion = 6;
    out.ipMissing = Math.max(0, off + 40 - b.length);
  } else {
    return out;
  }
  out.ipOff = off;
  if (out.ipMissing > 0) return out;
  const wireEnd = Math.max(frame.origLen, b.length);
  const ip = newIpLayer(1);
  const outcome = out.ipVersion === 4 ? decodeIpv4(b, off, wireEnd, ip) : decodeIpv6(b, off, wireEnd, ip);
  if (outcome !== 'ok') {
    // IPv6: the fixed header is fine, only the extension headers were cut or malformed: keep the addresses.
    if (out.ipVersion === 6) out.ip = ip;
    return out;
  }
  out.ip = ip;
  if (ip.fragmented && ip.fragOffset !== 0) return out;
  const t = newTransportLayer();
  const tOff = ip.payloadOffset;
  let tOutcome = 'skip';
  if (ip.protocol === IPPROTO_UDP) tOutcome = decodeUdp(b, tOff, ip.capturedEnd, ip.payloadLength, t);
  else if (ip.protocol === IPPROTO_TCP) tOutcome = decodeTcp(b, tOff, ip.capturedEnd, ip.payloadLength, t);
  if (tOutcome === 'ok') {
    out.transport = t;
    out.transportOff = tOff;
    out.transportProto = ip.protocol;
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ names

const ETHERTYPE_NAMES: Record<number, string> = {
  0x0800: 'IP', 0x0806: 'ARP', 0x8035: 'RARP', 0x86dd: 'IPv6', 0x8863: 'PPPoE Discovery', 0x8864: 'PPPoE Session',
  0x22f3: 'TRILL',
};

/** snoop's print_ethertype() for the types that matter here. */
export function etherTypeName(type: number): string {
  return ETHERTYPE_NAMES[type] ?? (type < 1500 ? 'LLC/802.3' : 'Unknown');
}

const IP_PROTOS: Record<number, string> = {
  0: 'IPv6-HopOpts', 1: 'ICMP', 2: 'IGMP', 3: 'GGP', 4: 'IP-in-IP', 6: 'TCP', 8: 'EGP', 12: 'PUP', 17: 'UDP', 22: 'IDP',
  41: 'IPv6', 43: 'IPv6-Route', 44: 'IPv6-Frag', 46: 'RSVP', 50: 'ESP', 51: 'AH', 58: 'ICMPv6', 60: 'IPv6-DstOpts',
  63: 'HELLO', 77: 'ND', 80: 'EON', 89: 'OSPF', 255: 'RAW',
};

/** snoop's getproto(): the protocol name, or '' when unknown. */
export function ipProtoName(p: number): string {
  return IP_PROTOS[p] ?? '';
}

export function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

// ------------------------------------------------------------------------------------------------ helpers

/** The outermost VLAN id for snoop's `VLAN#12: ` summary prefix, or null when untagged or the id is 0. */
export function vlanOf(frame: RawFrame): number | null {
  const link = newLinkLayer();
  if (decodeLink(frame.linkType, frame.bytes, link) !== 'ok' || link.vlan === null) return null;
  return link.vlan[0] !== 0 ? link.vlan[0] : null;
}

/** Numeric source and destination addresses of the frame's IP header, or null without one (for frames that
 *  complete no RPC message, which have no RpcRecord to take them from). */
export function frameAddresses(frame: RawFrame): { src: string; dst: string } | null {
  const d = dissectFrame(frame);
  const b = frame.bytes;
  if (d.ipVersion === 0 || d.ipMissing > 0) return null;
  if (d.ipVersion === 4) return { src: formatIpv4(b, d.ipOff + 12), dst: formatIpv4(b, d.ipOff + 16) };
  return { src: formatIpv6(b, d.ipOff + 8), dst: formatIpv6(b, d.ipOff + 24) };
}

/** One TCP option: `cut` when its bytes run past the option area or the capture; `badLength` for a length < 2. */
export interface TcpOption {
  kind: number;
  /** Offset of the option's kind byte in the frame. */
  offset: number;
  /** Option bytes after kind and length (empty for EOL/NOP). */
  data: Uint8Array;
  length: number;
  cut: boolean;
  badLength: boolean;
}

/** The options in bytes [start, end) (end: the end of the header, or of the capture if that comes first). */
export function parseTcpOptions(b: Uint8Array, start: number, end: number): TcpOption[] {
  const out: TcpOption[] = [];
  const empty = b.subarray(0, 0);
  for (let p = start; p < end; ) {
    const kind = b[p];
    if (kind === 0 || kind === 1) {
      out.push({ kind, offset: p, data: empty, length: 1, cut: false, badLength: false });
      if (kind === 0) break;
      p++;
      continue;
    }
    const length = p + 1 < end ? b[p + 1] : 0;
    const badLength = p + 1 < end && length < 2;
    const cut = p + 1 >= end || (!badLength && p + length > end);
    out.push({ kind, offset: p, data: cut || badLength ? empty : b.subarray(p + 2, p + length), length, cut, badLength });
    if (cut || badLength) break;
    p += length;
  }
  return out;
}

/** snoop's print_tcpoptions_summary() text for one option. */
function tcpOptionSummary(o: TcpOption): string {
  const d = o.data;
  switch (o.kind) {
    case 0:
      return 'eol';
    case 1:
      return 'nop';
    case 2:
      return o.cut || d.length < 2 ? 'mss|' : `mss ${readU16(d, 0)}`;
    case 3:
      return o.cut || d.length < 1 ? 'wscale|' : `wscale ${d[0]}`;
    case 4:
      return 'sackOK';
    case 5: {
      if (o.cut) return 'sack|';
      let s = 'sack';
      for (let i = 0; i < d.length; i += 8) s += i + 8 <= d.length ? ` ${readU32(d, i)}-${readU32(d, i + 4)}` : '|';
      return s;
    }
    case 8:
      return o.cut || d.length < 8 ? 'tstamp|' : `tstamp ${readU32(d, 0)} ${readU32(d, 4)}`;
    case 19:
      return o.cut || d.length !== 16 ? 'md5|' : `md5 0x${Buffer.from(d).toString('hex')}`;
    default:
      return o.cut ? `unknown ${o.kind}|` : `unknown ${o.kind}`;
  }
}

// ------------------------------------------------------------------------------------------------ lines

/** Every summary line of the layers below RPC, outermost first (what `-V` prints before the RPC line). */
export function layerSummaries(frame: RawFrame): string[] {
  const d = dissectFrame(frame);
  const lines: string[] = [];
  const link = linkLine(d);
  if (link !== null) lines.push(link);
  if (d.ipVersion === 4) ipv4Lines(d, lines);
  else if (d.ipVersion === 6) ipv6Lines(d, lines);
  const t = transportLine(d);
  if (t !== null) lines.push(t);
  return lines;
}

function linkLine(d: FrameLayers): string | null {
  const f = d.frame;
  const b = f.bytes;
  const size = `size=${f.origLen} bytes`;
  switch (d.kind) {
    case 'ether': {
      if (f.origLen < 14) return `RUNT (short packet - ${f.origLen} bytes)`;
      if (b.length < 14) return null;
      const raw = readU16(b, 12);
      if (raw <= 1500) {
        // the LLC header's SSAP and DSAP follow the length field, unless the snaplen cut them off
        return b.length < 16 ? `ETHER 802.3, ${size}` : `ETHER 802.3 SSAP ${hex2(b[14])} DSAP ${hex2(b[15])}, ${size}`;
      }
      return typedLinkLine('ETHER', d, raw, size);
    }
    case 'sll':
      return b.length < 16 ? null : typedLinkLine('SLL', d, readU16(b, 14), size);
    case 'sll2':
      return b.length < 20 ? null : typedLinkLine('SLL2', d, readU16(b, 0), size);
    case 'loop': {
      if (b.length < 4) return null;
      return `LOOP Family=${loopFamily(f)} (${d.link ? etherTypeName(d.link.etherType) : 'Unknown'}), ${size}`;
    }
    case 'raw':
      return d.link ? `RAW ${etherTypeName(d.link.etherType)}, ${size}` : `RAW ${size}`;
    case 'unknown':
      return `LINK Type=${f.linkType} (unknown), ${size}`;
  }
}

function typedLinkLine(name: string, d: FrameLayers, rawType: number, size: string): string {
  const type = d.link ? d.link.etherType : rawType;
  const vlan = d.link?.vlan ? `VLAN ID=${d.link.vlan.join('/')}, ` : '';
  return `${name} Type=${hex4(type)} (${etherTypeName(type)}), ${vlan}${size}`;
}

/** The address family of a BSD loopback header, read in whichever byte order makes it small (decodeBsdNull). */
export function loopFamily(f: RawFrame): number {
  const b = f.bytes;
  if (f.linkType === LINKTYPE_NULL && b[1] === 0 && b[2] === 0 && b[3] === 0) return b[0];
  if (b[0] === 0 && b[1] === 0 && b[2] === 0) return b[3];
  return readU32(b, 0);
}

export function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

/** Uppercase hex without separators, as snoop's tohex() writes opaque data. */
export const hexOf = hexUpper;

function ipv4Lines(d: FrameLayers, lines: string[]): void {
  const b = d.frame.bytes;
  const o = d.ipOff;
  if (d.ipMissing > 0) {
    lines.push(`IP truncated: header missing ${d.ipMissing} bytes`);
    return;
  }
  const hdr = (b[o] & 0x0f) * 4;
  const len = readU16(b, o + 2);
  const id = readU16(b, o + 4);
  const flagsOff = readU16(b, o + 6);
  const fragOffset = (flagsOff & 0x1fff) * 8;
  const mf = (flagsOff & 0x2000) !== 0 ? 1 : 0;
  const tos = b[o + 1].toString(16);
  const ttl = b[o + 8];
  if (mf || fragOffset !== 0) {
    const off = String(fragOffset).padEnd(4);
    lines.push(`${ipProtoName(b[o + 9])} IP fragment ID=${id} Offset=${off} MF=${mf} TOS=0x${tos} TTL=${ttl}`);
    return;
  }
  const cut = Math.max(0, b.length - o - hdr) < len - hdr ? '?' : '';
  const dst = formatIpv4(b, o + 16);
  lines.push(`IP  D=${dst} S=${formatIpv4(b, o + 12)} LEN=${len}${cut}, ID=${id}, TOS=0x${tos}, TTL=${ttl}`);
}

function ipv6Lines(d: FrameLayers, lines: string[]): void {
  const b = d.frame.bytes;
  const o = d.ipOff;
  if (d.ipMissing > 0) {
    lines.push(`IPv6 truncated: header missing ${d.ipMissing} bytes`);
    return;
  }
  const len = readU16(b, o + 4);
  const cut = b.length - o - 40 < len ? '?' : '';
  const cls = ((b[o] & 0x0f) << 4) | (b[o + 1] >> 4);
  const flow = ((b[o + 1] & 0x0f) << 16) | readU16(b, o + 2);
  const src = formatIpv6(b, o + 8);
  const dst = formatIpv6(b, o + 24);
  const rest = `HOPS=${b[o + 7]} CLASS=0x${cls.toString(16)} FLOW=0x${flow.toString(16)}`;
  lines.push(`IPv6  S=${src} D=${dst} LEN=${len}${cut} ${rest}`);
  const ip = d.ip;
  if (ip && ip.fragmented) {
    const off = String(ip.fragOffset).padEnd(4);
    lines.push(`IPv6 fragment ID=${ip.fragId} Offset=${off} MF=${ip.moreFragments ? 1 : 0}`);
  }
}

/** interpret_tcp()'s flag words, in its order. */
const TCP_FLAG_WORDS: [number, string][] = [
  [0x02, 'Syn'], [0x01, 'Fin'], [0x04, 'Rst'], [0x08, 'Push'], [0x40, 'ECE'], [0x80, 'CWR'],
];

function transportLine(d: FrameLayers): string | null {
  const t = d.transport;
  // snoop's summary never goes past an IP fragment, not even the first one.
  if (t === null || d.ip === null || d.ip.fragmented) return null;
  const b = d.frame.bytes;
  const o = d.transportOff;
  if (d.transportProto === IPPROTO_UDP) return `UDP D=${t.dport} S=${t.sport} LEN=${readU16(b, o + 4)}`;
  let s = `TCP D=${t.dport} S=${t.sport}`;
  for (const [bit, word] of TCP_FLAG_WORDS) if (t.flags & bit) s += ` ${word}`;
  if (t.flags & 0x20) s += ` Urg=${readU16(b, o + 18)}`;
  if (t.flags & 0x10) s += ` Ack=${t.ack}`;
  if (t.seq !== 0) s += ` Seq=${t.seq} Len=${t.payloadLength}`;
  s += ` Win=${t.window}`;
  const opts = parseTcpOptions(b, o + 20, Math.min(t.payloadOffset, b.length));
  if (opts.length > 0) s += ` Options=<${opts.map(tcpOptionSummary).join(',')}>`;
  return s;
}
