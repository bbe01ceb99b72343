/**
 * snoop's `-v` blocks for the layers below RPC (snoop-format.md §2.2 and §2.7; illumos snoop_ether.c,
 * snoop_ip.c, snoop_udp.c, snoop_tcp.c, snoop_display.c getflag()), one LayerBlock per layer, rendered with
 * verbose-block.ts renderBlock(). Every block ends with snoop's prefix-only line (an empty node).
 *
 * Link types snoop never saw (see layer-lines.ts) get blocks shaped like `ETHER:` — the arrival time and size
 * first, the header fields, then the type: `SLL:  ----- Linux Cooked Header -----` (and `SLL2:  `),
 * `LOOP:  ----- Loopback Header -----`, `RAW:  ----- Raw IP -----`, `LINK:  ----- Link Header -----`.
 * IPv6 follows snoop's interpret_ipv6() (`IPv6:   ----- IPv6 Header -----`, then one block per extension header).
 * Beyond snoop: `Packet size = 96 bytes (1514 on the wire)` when the snaplen cut the frame, `Payload length =
 * N -- truncated` for IPv6 like IPv4's `Total length`, and the continuation note for every non-first IPv6
 * fragment too. Pure; never throws on frame contents.
 *
 * Every line showing header fields carries their bytes, as offsets into the frame (`RawFrame.bytes`), and each
 * block the bytes of its whole header, so the TUI can highlight them; ranges are cut at the captured bytes.
 */
import type { RawFrame } from '../capture/raw-frame';
import { readU16, readU32 } from '../net/bytes';
import { formatIpv4, formatIpv6 } from '../net/ip-address';
import { IPPROTO_UDP } from '../net/ip-layer';
import { probeRpcHeader } from '../rpc/detect';
import { field, line, type ByteRange, type DetailNode } from './detail';
import { dissectFrame, etherTypeName, hex2, hex4, hexOf, ipProtoName, loopFamily } from './layer-lines';
import { parseTcpOptions } from './layer-lines';
import type { FrameLayers, TcpOption } from './layer-lines';

export interface LayerBlock {
  prefix: string;
  /** null for snoop's one-line notes, printed without a header (renderBlock). */
  title: string | null;
  nodes: DetailNode[];
  /** The layer's header in the frame (for a continuation note: the fragment's data), when known. */
  range?: ByteRange;
}

/** Bytes [start, end) of a frame, cut at its captured end; undefined when none of them was captured. */
function span(b: Uint8Array, start: number, end: number): ByteRange | undefined {
  if (start < 0 || end <= start || start >= b.length) return undefined;
  return { start, end: Math.min(end, b.length) };
}

/** A LayerBlock, with its header's bytes when known. */
function block(prefix: string, title: string | null, nodes: DetailNode[], range: ByteRange | undefined): LayerBlock {
  return range ? { prefix, title, nodes, range } : { prefix, title, nodes };
}

/** Hour, minute and second of the day of an epoch second, in some time zone. */
export type WallClock = (sec: number) => { hour: number; minute: number; second: number };

/**
 * A WallClock for an IANA time zone ('UTC', 'Europe/Paris'); without one, this process's local time, as snoop
 * uses. Build it once per run: the Intl formatter is costly to create.
 */
export function wallClock(timeZone?: string): WallClock {
  if (timeZone === undefined) {
    return (sec) => {
      const d = new Date(sec * 1000);
      return { hour: d.getHours(), minute: d.getMinutes(), second: d.getSeconds() };
    };
  }
  const fields = { hour: 'numeric', minute: 'numeric', second: 'numeric' } as const;
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', ...fields });
  return (sec) => {
    const p: Record<string, number> = {};
    for (const part of fmt.formatToParts(new Date(sec * 1000))) p[part.type] = Number(part.value);
    return { hour: p.hour % 24, minute: p.minute, second: p.second };
  };
}

export interface LayerDetailOptions {
  /** The UDP/TCP payload is ONC RPC (`Destination port = 2049 (Sun RPC)`). Default: decided from the payload,
   *  like snoop's valid_rpc() — an RPC header at its start (after the record mark for TCP). */
  rpc?: boolean;
  /** Time of day for `Packet N arrived at`; default: local time (wallClock()). */
  clock?: WallClock;
  /** Frame number for `Packet N arrived at` (default frame.frameNo). */
  frameNo?: number;
  /** Name shown after an address (`Source address = 192.168.1.10, client`); default: the address itself. */
  hostName?: (addr: string) => string;
}

/** The `-v` blocks of every layer below RPC, outermost first. */
export function layerDetailBlocks(frame: RawFrame, opts: LayerDetailOptions = {}): LayerBlock[] {
  const d = dissectFrame(frame);
  const blocks: LayerBlock[] = [linkBlock(d, opts)];
  if (d.ipVersion === 4) ipv4Blocks(d, opts, blocks);
  else if (d.ipVersion === 6) ipv6Blocks(d, opts, blocks);
  if (d.transport !== null) blocks.push(d.transportProto === IPPROTO_UDP ? udpBlock(d, opts) : tcpBlock(d, opts));
  return blocks;
}

// ------------------------------------------------------------------------------------------------ link

/** snoop's getflag(): a bit diagram of the lowest bit of `mask` within a byte, then the matching text. */
export function bitFlag(val: number, mask: number, onText: string, offText: string): string {
  const chars = '........'.split('');
  let bit = 0;
  while (bit < 8 && !((mask >> bit) & 1)) bit++;
  const set = bit < 8 && ((val >> bit) & 1) === 1;
  if (bit < 8) chars[7 - bit] = set ? '1' : '0';
  return `${chars.slice(0, 4).join('')} ${chars.slice(4).join('')} = ${set ? onText : offText}`;
}

function arrival(d: FrameLayers, opts: LayerDetailOptions): DetailNode[] {
  const f = d.frame;
  const t = (opts.clock ?? wallClock())(f.ts.sec);
  const frac = String(Math.floor(f.ts.nsec / 10000)).padStart(5, '0');
  const clock = `${t.hour}:${String(t.minute).padStart(2, '0')}:${t.second}.${frac}`;
  const wire = f.capLen < f.origLen ? ` (${f.origLen} on the wire)` : '';
  const no = opts.frameNo ?? f.frameNo;
  return [line(`Packet ${no} arrived at ${clock}`), field(`Packet size = ${f.capLen} bytes${wire}`, span(f.bytes, 0, f.bytes.length))];
}

/** A MAC (or cooked-capture) address the way snoop's printether() writes it: lowercase, no leading zeros. */
export function macText(b: Uint8Array, off: number, len = 6): string {
  const parts: string[] = [];
  for (let i = 0; i < len; i++) parts.push(b[off + i].toString(16));
  return parts.join(':');
}

/** The popular entries of snoop's OUI table (print_etherinfo()). */
const OUI_NAMES: Record<number, string> = {
  0x080020: 'Sun', 0x0000c6: 'HP', 0x08002b: 'DEC', 0x00000f: 'NeXT', 0x00000c: 'Cisco', 0x080069: 'Silicon Graphics',
  0x000069: 'Silicon Graphics', 0x08005a: 'IBM', 0x0000ac: 'Apollo', 0x0180c2: 'Standard MAC Group Address',
  0x00aa00: 'Intel', 0x080007: 'Apple', 0x080009: 'Hewlett-Packard', 0x00608c: '3Com',
};

function etherInfo(b: Uint8Array, off: number): string {
  if (b.subarray(off, off + 6).every((x) => x === 0xff)) return '(broadcast)';
  const name = OUI_NAMES[(b[off] << 16) | (b[off + 1] << 8) | b[off + 2]];
  return name ?? (b[off] & 1 ? '(multicast)' : '');
}

function vlanLines(d: FrameLayers): DetailNode[] {
  const out: DetailNode[] = [];
  const tags = d.link?.vlan ?? [];
  const b = d.frame.bytes;
  tags.forEach((id, i) => {
    // 802.1Q-2018 §9.6: each tag's TCI (PCP:3 DEI:1 VID:12) follows the TPID that announced it
    const at = d.linkHeader + 4 * i;
    out.push(field(`VLAN ID     = ${id}`, span(b, at, at + 2)), field(`VLAN Priority = ${b[at] >> 5}`, span(b, at, at + 1)));
  });
  return out;
}

/** The EtherType line: the type after the last VLAN tag when there are tags, else the header's own field (at
 *  `rawAt`). */
function typeLine(label: string, d: FrameLayers, rawType: number, rawAt: number): DetailNode {
  const type = d.link ? d.link.etherType : rawType;
  const at = d.link?.vlan ? d.link.offset - 2 : rawAt;
  return field(`${label} = ${hex4(type)} (${etherTypeName(type)})`, span(d.frame.bytes, at, at + 2));
}

const SLL_PACKET_TYPES = ['to us', 'broadcast', 'multicast', 'to another host', 'sent by us'];
const ARPHRD_NAMES: Record<number, string> = { 1: 'Ethernet', 772: 'loopback', 776: 'IPv6-in-IPv4', 65534: 'none' };

function linkBlock(d: FrameLayers, opts: LayerDetailOptions): LayerBlock {
  const b = d.frame.bytes;
  const nodes = arrival(d, opts);
  const end = line('');
  switch (d.kind) {
    case 'ether': {
      if (b.length >= 14) {
        nodes.push(field(`Destination = ${macText(b, 0)}, ${etherInfo(b, 0)}`, span(b, 0, 6)));
        nodes.push(field(`Source      = ${macText(b, 6)}, ${etherInfo(b, 6)}`, span(b, 6, 12)));
        nodes.push(...vlanLines(d));
        const raw = readU16(b, 12);
        if (raw > 1500) nodes.push(typeLine('Ethertype', d, raw, 12));
        else if (b.length >= 17) {
          nodes.push(field(`IEEE 802.3 length = ${raw} bytes`, span(b, 12, 14)));
          nodes.push(field(`SSAP = ${hex2(b[14])}, DSAP = ${hex2(b[15])}, CTRL = ${hex2(b[16])}`, span(b, 14, 17)));
        }
      }
      return block('ETHER:  ', 'Ether Header', [...nodes, end], span(b, 0, d.link ? d.link.offset : 14));
    }
    case 'sll':
    case 'sll2': {
      const v2 = d.kind === 'sll2';
      if (b.length >= d.linkHeader) {
        const pktType = v2 ? b[10] : readU16(b, 0);
        const arphrd = readU16(b, v2 ? 8 : 2);
        const addrLen = Math.min(8, v2 ? b[11] : readU16(b, 4));
        // LINKTYPE_LINUX_SLL: packet type 0-2, ARPHRD 2-4, address length 4-6, address 6-14, protocol 14-16;
        // LINKTYPE_LINUX_SLL2: protocol 0-2, interface index 4-8, ARPHRD 8-10, packet type 10, address length 11,
        // address 12-20.
        const addrAt = v2 ? 12 : 6;
        nodes.push(field(`Packet type = ${pktType} (${SLL_PACKET_TYPES[pktType] ?? '?'})`, v2 ? span(b, 10, 11) : span(b, 0, 2)));
        nodes.push(field(`Link-layer type = ${arphrd} (${ARPHRD_NAMES[arphrd] ?? '?'})`, v2 ? span(b, 8, 10) : span(b, 2, 4)));
        nodes.push(field(`Source address = ${macText(b, addrAt, addrLen)}`, span(b, addrAt, addrAt + addrLen)));
        if (v2) nodes.push(field(`Interface index = ${readU32(b, 4)}`, span(b, 4, 8)));
        nodes.push(...vlanLines(d), typeLine('Protocol', d, readU16(b, v2 ? 0 : 14), v2 ? 0 : 14));
      }
      const title = v2 ? 'Linux Cooked Header v2' : 'Linux Cooked Header';
      return block(v2 ? 'SLL2:  ' : 'SLL:  ', title, [...nodes, end], span(b, 0, d.link ? d.link.offset : d.linkHeader));
    }
    case 'loop': {
      if (b.length >= 4) {
        const name = d.link ? etherTypeName(d.link.etherType) : 'Unknown';
        nodes.push(field(`Address family = ${loopFamily(d.frame)} (${name})`, span(b, 0, 4)));
      }
      return block('LOOP:  ', 'Loopback Header', [...nodes, end], span(b, 0, 4));
    }
    case 'raw':
      return { prefix: 'RAW:  ', title: 'Raw IP', nodes: [...nodes, end] };
    case 'unknown':
      nodes.push(line(`Link type = ${d.frame.linkType} (not decoded)`));
      return { prefix: 'LINK:  ', title: 'Link Header', nodes: [...nodes, end] };
  }
}

function named(addr: string, opts: LayerDetailOptions): string {
  return opts.hostName ? opts.hostName(addr) : addr;
}

// ------------------------------------------------------------------------------------------------ IPv4

function ipv4Blocks(d: FrameLayers, opts: LayerDetailOptions, blocks: LayerBlock[]): void {
  const b = d.frame.bytes;
  const o = d.ipOff;
  const prefix = 'IP:   ';
  if (d.ipMissing > 0) {
    blocks.push({ prefix, title: 'IP Header', nodes: headerMissing(d) });
    return;
  }
  const hdr = (b[o] & 0x0f) * 4;
  const tos = b[o + 1];
  const total = readU16(b, o + 2);
  const flagsOff = readU16(b, o + 6);
  const fragOffset = (flagsOff & 0x1fff) * 8;
  const proto = b[o + 9];
  const cut = Math.max(0, b.length - o - hdr) < total - hdr ? ' -- truncated' : '';
  const src = formatIpv4(b, o + 12);
  const dst = formatIpv4(b, o + 16);
  // RFC 791 §3.1: version/IHL 0, TOS 1, total length 2-4, identification 4-6, flags and fragment offset 6-8,
  // TTL 8, protocol 9, checksum 10-12, source 12-16, destination 16-20, options 20 to IHL.
  const at = (from: number, to: number): ByteRange | undefined => span(b, o + from, o + to);
  const tosAt = at(1, 2);
  const flagsAt = at(6, 7);
  const flag = (mask: number, on: string, off: string): DetailNode => field(`      ${bitFlag(tos, mask, on, off)}`, tosAt);
  const nodes: DetailNode[] = [
    field('Version = 4', at(0, 1)),
    field(`Header length = ${hdr} bytes`, at(0, 1)),
    field(`Type of service = 0x${tos.toString(16).padStart(2, '0')}`, tosAt, [
      field(`      xxx. .... = ${tos >> 5} (precedence)`, tosAt),
      flag(0x10, 'low delay', 'normal delay'),
      flag(0x08, 'high throughput', 'normal throughput'),
      flag(0x04, 'high reliability', 'normal reliability'),
      flag(0x02, 'ECN capable transport', 'not ECN capable transport'),
      flag(0x01, 'ECN congestion experienced', 'no ECN congestion experienced'),
    ]),
    field(`Total length = ${total} bytes${cut}`, at(2, 4)),
    field(`Identification = ${readU16(b, o + 4)}`, at(4, 6)),
    field(`Flags = 0x${(flagsOff >> 12).toString(16)}`, flagsAt, [
      field(`      ${bitFlag(flagsOff >> 8, 0x40, 'do not fragment', 'may fragment')}`, flagsAt),
      field(`      ${bitFlag(flagsOff >> 8, 0x20, 'more fragments', 'last fragment')}`, flagsAt),
    ]),
    field(`Fragment offset = ${fragOffset} bytes`, at(6, 8)),
    field(`Time to live = ${b[o + 8]} seconds/hops`, at(8, 9)),
    field(`Protocol = ${proto} (${ipProtoName(proto)})`, at(9, 10)),
    field(`Header checksum = ${readU16(b, o + 10).toString(16).padStart(4, '0')}`, at(10, 12)),
    field(`Source address = ${src}, ${named(src, opts)}`, at(12, 16)),
    field(`Destination address = ${dst}, ${named(dst, opts)}`, at(16, 20)),
    ...ipv4Options(b, o + 20, Math.min(o + hdr, b.length), hdr - 20, opts),
    line(''),
  ];
  blocks.push(block(prefix, 'IP Header', nodes, at(0, hdr)));
  if (fragOffset !== 0) blocks.push(continuation(proto, total - hdr, readU16(b, o + 4), span(b, o + hdr, o + total)));
}

/** snoop's note for a fragment other than the first, whose upper-layer header is elsewhere; `data` is the
 *  fragment's data in the frame. */
function continuation(proto: number, bytes: number, id: number, data: ByteRange | undefined): LayerBlock {
  const note = field(`[${bytes} byte(s) of data, continuation of IP ident=${id}]`, data);
  return block(`${ipProtoName(proto)}:  `, null, [note], data);
}

/** Beyond snoop (which prints nothing): the IP header the capture cut. */
function headerMissing(d: FrameLayers): DetailNode[] {
  return [line(`Header truncated: ${d.ipMissing} bytes missing`), line('')];
}

const IPOPT_NAMES: Record<number, string> = {
  7: 'Record route', 68: 'Time stamp', 130: 'RIPSO', 134: 'CIPSO', 131: 'Loose source route', 136: 'SATNET Stream id',
  137: 'Strict source route,',
};

/** snoop's print_ipoptions() (RIPSO/CIPSO contents are not decoded). */
function ipv4Options(b: Uint8Array, start: number, end: number, optlen: number, o: LayerDetailOptions): DetailNode[] {
  if (optlen <= 0) return [line('No options')];
  const out: DetailNode[] = [field(`Options: (${optlen} bytes)`, span(b, start, start + optlen))];
  for (let p = start; p < end; ) {
    const type = b[p];
    if (type === 0) {
      out.push(field('  - End of option list', span(b, p, p + 1)));
      break;
    }
    if (type === 1) {
      out.push(field('  - No op', span(b, p, p + 1)));
      p++;
      continue;
    }
    const len = p + 1 < end ? b[p + 1] : 0;
    if (len < 2) {
      out.push(field(`  - Incomplete option len ${len}`, span(b, p, end)));
      break;
    }
    const q = len > end - p ? '?' : '';
    const name = IPOPT_NAMES[type];
    const whole = span(b, p, Math.min(p + len, end));
    if (name === undefined) {
      const data = hexOf(b.subarray(p + 2, Math.min(p + len, end)));
      out.push(field(`  - Option ${type} (unknown - ${len} bytes${q}) ${data}`, whole));
    } else {
      out.push(field(`  - ${name} (${len} bytes${q})`, whole));
      if (type === 7 || type === 131 || type === 137) out.push(...routeLines(b, p, Math.min(p + len, end), o));
    }
    p += len;
  }
  return out;
}

/** snoop's print_route(): the pointer, then each address, the current one marked. */
function routeLines(b: Uint8Array, p: number, end: number, opts: LayerDetailOptions): DetailNode[] {
  if (p + 3 > end) return [];
  const out = [field(`    Pointer = ${b[p + 2]}`, span(b, p + 2, p + 3))];
  let pointer = b[p + 2] - 4;
  for (let a = p + 3; a + 4 <= end; a += 4, pointer -= 4) {
    const addr = formatIpv4(b, a);
    const text = readU32(b, a) === 0 ? '      -' : `      ${named(addr, opts)}`;
    out.push(field(pointer === 0 ? `${text}  <-- (current)` : text, span(b, a, a + 4)));
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ IPv6

function ipv6Blocks(d: FrameLayers, opts: LayerDetailOptions, blocks: LayerBlock[]): void {
  const b = d.frame.bytes;
  const o = d.ipOff;
  if (d.ipMissing > 0) {
    blocks.push({ prefix: 'IPv6:   ', title: 'IPv6 Header', nodes: headerMissing(d) });
    return;
  }
  const len = readU16(b, o + 4);
  const nh = b[o + 6];
  const src = formatIpv6(b, o + 8);
  const dst = formatIpv6(b, o + 24);
  const nameOf = (a: string): string => (named(a, opts) === a ? '' : `, ${named(a, opts)}`);
  // RFC 8200 §3: version 0 (4 bits), traffic class (8 bits from bit 4), flow label (20 bits from bit 12),
  // payload length 4-6, next header 6, hop limit 7, source 8-24, destination 24-40.
  const at = (from: number, to: number): ByteRange | undefined => span(b, o + from, o + to);
  blocks.push(
    block(
      'IPv6:   ',
      'IPv6 Header',
      [
        field('Version = 6', at(0, 1)),
        field(`Traffic Class = ${((b[o] & 0x0f) << 4) | (b[o + 1] >> 4)}`, at(0, 2)),
        field(`Flow label = 0x${(((b[o + 1] & 0x0f) << 16) | readU16(b, o + 2)).toString(16)}`, at(1, 4)),
        field(`Payload length = ${len}${b.length - o - 40 < len ? ' -- truncated' : ''}`, at(4, 6)),
        field(`Next Header = ${nh} (${ipProtoName(nh)})`, at(6, 7)),
        field(`Hop Limit = ${b[o + 7]}`, at(7, 8)),
        field(`Source address = ${src}${nameOf(src)}`, at(8, 24)),
        field(`Destination address = ${dst}${nameOf(dst)}`, at(24, 40)),
        line(''),
      ],
      at(0, 40),
    ),
  );
  // Extension headers snoop shows, each whole in the capture (print_ipv6_extensions()).
  let p = o + 40;
  let next = nh;
  for (let n = 0; n < 16 && (next === 0 || next === 60 || next === 43 || next === 44); n++) {
    if (p + 2 > b.length) return;
    const size = next === 44 ? 8 : (b[p + 1] + 1) * 8;
    if (p + size > b.length) return;
    const nxt = b[p];
    // RFC 8200 §4.3-4.5: every extension header starts with Next Header and (but the Fragment header) its length
    const byte = (k: number): ByteRange | undefined => span(b, p + k, p + k + 1);
    const head = field(`Next Header = ${nxt} (${ipProtoName(nxt)})`, byte(0));
    const whole = span(b, p, p + size);
    if (next === 44) {
      // RFC 8200 §4.5: offset (13 bits) and M flag 2-4, identification 4-8
      const offset = readU16(b, p + 2) & 0xfff8;
      const id = readU32(b, p + 4);
      const more = (b[p + 3] & 1) === 1;
      const nodes = [head, field(`Fragment Offset = ${offset}`, span(b, p + 2, p + 4)), field(`More Fragments Flag = ${more}`, byte(3))];
      nodes.push(field(`Identification = ${id}`, span(b, p + 4, p + 8)), line(''));
      blocks.push(block('IPv6-Frag:  ', 'IPv6 Fragment Header', nodes, whole));
      if (offset !== 0) {
        blocks.push(continuation(nxt, len - (p + 8 - o - 40), id, span(b, p + 8, o + 40 + len)));
        return;
      }
    } else if (next === 43) {
      // RFC 8200 §4.4: routing type 2, segments left 3
      const nodes = [field(`Next header = ${nxt} (${ipProtoName(nxt)})`, byte(0)), field(`Header length = ${size}`, byte(1))];
      nodes.push(field(`Routing type = ${b[p + 2]}`, byte(2)), field(`Segments left = ${b[p + 3]}`, byte(3)), line(''));
      blocks.push(block('IPv6-Route:  ', 'IPv6 Routing Header', nodes, whole));
    } else {
      const nodes = [head, ...ipv6OptionLines(b, p + 2, p + size), line('')];
      if (next === 0) blocks.push(block('IPv6-HopOpts:  ', 'IPv6 Hop-by-Hop Options Header', nodes, whole));
      else blocks.push(block('IPv6-DstOpts:  ', 'IPv6 Destination Options Header', nodes, whole));
    }
    p += size;
    next = nxt;
  }
}

/** snoop's prt_hbh_options() / prt_dest_options(): pad options, then each option's type and length. */
function ipv6OptionLines(b: Uint8Array, start: number, end: number): DetailNode[] {
  const out: DetailNode[] = [];
  for (let p = start; p < end; ) {
    if (b[p] === 0) {
      out.push(field('pad1 option ', span(b, p, p + 1)));
      p++;
      continue;
    }
    const left = end - p;
    let len = p + 1 < end ? b[p + 1] : 0;
    if (left < 2 || len + 2 > left) {
      out.push(field(`Error: option ${b[p]} truncated (${len} + 2 > ${left})`, span(b, p, end)));
      len = Math.max(0, left - 2);
    }
    const text = b[p] === 1 ? `padN option len = ${len}` : `Option type = ${b[p]}, len = ${len}`;
    out.push(field(text, span(b, p, Math.min(end, p + 2 + len))));
    p += 2 + len;
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ UDP / TCP

// snoop_rport.c's port names, shown after a destination port that is not RPC.
const UDP_PORTS: Record<number, string> = {
  7: 'ECHO', 9: 'DISCARD', 13: 'DAYTIME', 19: 'CHARGEN', 37: 'TIME', 42: 'NAME', 53: 'DNS', 5353: 'MDNS',
  67: 'BOOTPS', 68: 'BOOTPC', 69: 'TFTP', 79: 'FINGER', 123: 'NTP', 137: 'NBNS', 138: 'NBDG', 389: 'LDAP', 427: 'SLP',
  434: 'Mobile IP', 512: 'BIFF', 513: 'WHO', 514: 'SYSLOG', 517: 'TALK', 520: 'RIP', 521: 'RIPng', 546: 'DHCPv6C',
  547: 'DHCPv6S', 550: 'NEW-RWHO', 560: 'RMONITOR', 561: 'MONITOR', 1080: 'SOCKS', 4789: 'VXLAN',
};
const TCP_PORTS: Record<number, string> = {
  1: 'TCPMUX', 7: 'ECHO', 9: 'DISCARD', 11: 'SYSTAT', 13: 'DAYTIME', 15: 'NETSTAT', 19: 'CHARGEN', 20: 'FTP-DATA',
  21: 'FTP', 23: 'TELNET', 25: 'SMTP', 37: 'TIME', 39: 'RLP', 42: 'NAMESERVER', 43: 'NICNAME', 53: 'DNS', 70: 'GOPHER',
  77: 'RJE', 79: 'FINGER', 80: 'HTTP', 87: 'LINK', 95: 'SUPDUP', 101: 'HOSTNAME', 102: 'ISO-TSAP', 103: 'X400',
  104: 'X400-SND', 105: 'CSNET-NS', 109: 'POP-2', 113: 'AUTH', 117: 'UUCP-PATH', 119: 'NNTP', 123: 'NTP', 139: 'NBT',
  143: 'IMAP', 144: 'NeWS', 389: 'LDAP', 427: 'SLP', 443: 'HTTPS', 445: 'SMB', 512: 'EXEC', 513: 'RLOGIN',
  514: 'RSHELL', 515: 'PRINTER', 530: 'COURIER', 540: 'UUCP', 600: 'PCSERVER', 1080: 'SOCKS', 1524: 'INGRESLOCK',
  2904: 'M2UA', 2905: 'M3UA', 6000: 'XWIN', 8080: 'HTTP (proxy)', 9900: 'IUA',
};

function isRpc(d: FrameLayers, opts: LayerDetailOptions, skip: number): boolean {
  if (opts.rpc !== undefined) return opts.rpc;
  const t = d.transport;
  if (t === null) return false;
  const r = probeRpcHeader(d.frame.bytes, t.payloadOffset + skip, t.capturedEnd);
  return r === 'call' || r === 'reply';
}

function destinationPort(port: number, rpc: boolean, names: Record<number, string>, range: ByteRange | undefined): DetailNode {
  const name = rpc ? '(Sun RPC)' : names[port] !== undefined ? `(${names[port]})` : '';
  return field(`Destination port = ${port} ${name}`, range);
}

function udpBlock(d: FrameLayers, opts: LayerDetailOptions): LayerBlock {
  const t = d.transport as NonNullable<FrameLayers['transport']>;
  const b = d.frame.bytes;
  const o = d.transportOff;
  const length = readU16(b, o + 4);
  const sum = readU16(b, o + 6);
  const partial = length - 8 > t.capturedEnd - t.payloadOffset ? '(Not all data contained in this fragment)' : '';
  // RFC 768: source port 0-2, destination port 2-4, length 4-6, checksum 6-8
  const at = (from: number, to: number): ByteRange | undefined => span(b, o + from, o + to);
  const nodes = [
    field(`Source port = ${t.sport}`, at(0, 2)),
    destinationPort(t.dport, isRpc(d, opts, 0), UDP_PORTS, at(2, 4)),
    field(`Length = ${length} ${partial}`, at(4, 6)),
    field(`Checksum = ${hex4(sum)} ${sum === 0 ? '(no checksum)' : ''}`, at(6, 8)),
    line(''),
  ];
  return block('UDP:  ', 'UDP Header', nodes, at(0, 8));
}

function tcpBlock(d: FrameLayers, opts: LayerDetailOptions): LayerBlock {
  const t = d.transport as NonNullable<FrameLayers['transport']>;
  const b = d.frame.bytes;
  const o = d.transportOff;
  const flags = b[o + 13];
  // RFC 9293 §3.1: ports 0-4, sequence 4-8, acknowledgment 8-12, data offset 12, flags 13, window 14-16,
  // checksum 16-18, urgent pointer 18-20, options 20 to the data offset.
  const at = (from: number, to: number): ByteRange | undefined => span(b, o + from, o + to);
  const flagsAt = at(13, 14);
  const flag = (mask: number, on: string, off: string): DetailNode => field(`      ${bitFlag(flags, mask, on, off)}`, flagsAt);
  const nodes = [
    field(`Source port = ${t.sport}`, at(0, 2)),
    destinationPort(t.dport, isRpc(d, opts, 4), TCP_PORTS, at(2, 4)),
    field(`Sequence number = ${t.seq}`, at(4, 8)),
    field(`Acknowledgement number = ${t.ack}`, at(8, 12)),
    field(`Data offset = ${t.payloadOffset - o} bytes`, at(12, 13)),
    field(`Flags = 0x${flags.toString(16).padStart(2, '0')}`, flagsAt, [
      flag(0x80, 'ECN congestion window reduced', 'No ECN congestion window reduced'),
      flag(0x40, 'ECN echo', 'No ECN echo'),
      flag(0x20, 'Urgent pointer', 'No urgent pointer'),
      flag(0x10, 'Acknowledgement', 'No acknowledgement'),
      flag(0x08, 'Push', 'No push'),
      flag(0x04, 'Reset', 'No reset'),
      flag(0x02, 'Syn', 'No Syn'),
      flag(0x01, 'Fin', 'No Fin'),
    ]),
    field(`Window = ${t.window}`, at(14, 16)),
    field(`Checksum = 0x${readU16(b, o + 16).toString(16).padStart(4, '0')}`, at(16, 18)),
    field(`Urgent pointer = ${readU16(b, o + 18)}`, at(18, 20)),
    ...tcpOptionLines(b, parseTcpOptions(b, o + 20, Math.min(t.payloadOffset, b.length)), o + 20, t.payloadOffset - o - 20),
    line(''),
  ];
  return block('TCP:  ', 'TCP Header', nodes, span(b, o, t.payloadOffset));
}

/** snoop's print_tcpoptions(); the options start at `start` in the frame. */
function tcpOptionLines(b: Uint8Array, opts: TcpOption[], start: number, optlen: number): DetailNode[] {
  if (optlen <= 0) return [line('No options')];
  const out: DetailNode[] = [field(`Options: (${optlen} bytes)`, span(b, start, start + optlen))];
  const headerEnd = start + optlen;
  for (const o of opts) {
    // an option's kind, length and data; a cut or malformed one: what is left of the header from its kind
    const end = o.cut || o.badLength ? headerEnd : o.offset + Math.max(1, o.length);
    const whole = span(b, o.offset, Math.min(end, headerEnd));
    for (const text of tcpOptionText(o)) out.push(field(text, whole));
  }
  return out;
}

/** One option's lines (snoop's print_tcpoptions() cases). */
function tcpOptionText(o: TcpOption): string[] {
  const d = o.data;
  const whole = (n: number): boolean => !o.cut && d.length >= n;
  let text: string;
  if (o.badLength) text = `Incomplete option len ${o.length}`;
  else if (o.kind === 0) text = 'End of option list';
  else if (o.kind === 1) text = 'No operation';
  else if (o.kind === 2) text = whole(2) ? `Maximum segment size = ${readU16(d, 0)} bytes` : 'Incomplete MSS option';
  else if (o.kind === 3) text = whole(1) ? `Window scale = ${d[0]}` : 'Incomplete window scale option';
  else if (o.kind === 4) text = 'SACK permitted option';
  else if (o.kind === 8) text = whole(8)
    ? `TS Val = ${readU32(d, 0)}, TS Echo = ${readU32(d, 4)}`
    : 'Incomplete TS option';
  else if (o.kind === 19) text = whole(16)
    ? `TCP MD5 Signature = 0x${hexOf(d).toLowerCase()}`
    : 'Incomplete MD5 option';
  else if (o.kind === 5 && !o.cut) {
    let blocks = '        ';
    for (let i = 0; i < d.length; i += 8) {
      blocks += i + 8 <= d.length ? `(${readU32(d, i)}-${readU32(d, i + 4)}) ` : '...incomplete SACK block';
    }
    return ['  - SACK blocks:', blocks];
  } else if (o.kind === 5) text = 'Incomplete SACK option';
  else text = o.cut ? `Option ${o.kind} (incomplete)` : `Option ${o.kind} (unknown - ${d.length} bytes) ${hexOf(d)}`;
  return [`  - ${text}`];
}
