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
 */
import type { RawFrame } from '../capture/raw-frame';
import { readU16, readU32 } from '../net/bytes';
import { formatIpv4, formatIpv6 } from '../net/ip-address';
import { IPPROTO_UDP } from '../net/ip-layer';
import { probeRpcHeader } from '../rpc/detect';
import { line, type DetailNode } from './detail';
import { dissectFrame, etherTypeName, hex2, hex4, hexOf, ipProtoName, loopFamily } from './layer-lines';
import { parseTcpOptions } from './layer-lines';
import type { FrameLayers, TcpOption } from './layer-lines';

export interface LayerBlock {
  prefix: string;
  /** null for snoop's one-line notes, printed without a header (renderBlock). */
  title: string | null;
  nodes: DetailNode[];
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
  return [line(`Packet ${no} arrived at ${clock}`), line(`Packet size = ${f.capLen} bytes${wire}`)];
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
  tags.forEach((id, i) => {
    const tci = d.frame.bytes[d.linkHeader + 4 * i];
    out.push(line(`VLAN ID     = ${id}`), line(`VLAN Priority = ${tci >> 5}`));
  });
  return out;
}

function typeLine(label: string, d: FrameLayers, rawType: number): DetailNode {
  const type = d.link ? d.link.etherType : rawType;
  return line(`${label} = ${hex4(type)} (${etherTypeName(type)})`);
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
        nodes.push(line(`Destination = ${macText(b, 0)}, ${etherInfo(b, 0)}`));
        nodes.push(line(`Source      = ${macText(b, 6)}, ${etherInfo(b, 6)}`));
        nodes.push(...vlanLines(d));
        const raw = readU16(b, 12);
        if (raw > 1500) nodes.push(typeLine('Ethertype', d, raw));
        else if (b.length >= 17) {
          nodes.push(line(`IEEE 802.3 length = ${raw} bytes`));
          nodes.push(line(`SSAP = ${hex2(b[14])}, DSAP = ${hex2(b[15])}, CTRL = ${hex2(b[16])}`));
        }
      }
      return { prefix: 'ETHER:  ', title: 'Ether Header', nodes: [...nodes, end] };
    }
    case 'sll':
    case 'sll2': {
      const v2 = d.kind === 'sll2';
      if (b.length >= d.linkHeader) {
        const pktType = v2 ? b[10] : readU16(b, 0);
        const arphrd = readU16(b, v2 ? 8 : 2);
        const addrLen = Math.min(8, v2 ? b[11] : readU16(b, 4));
        nodes.push(line(`Packet type = ${pktType} (${SLL_PACKET_TYPES[pktType] ?? '?'})`));
        nodes.push(line(`Link-layer type = ${arphrd} (${ARPHRD_NAMES[arphrd] ?? '?'})`));
        nodes.push(line(`Source address = ${macText(b, v2 ? 12 : 6, addrLen)}`));
        if (v2) nodes.push(line(`Interface index = ${readU32(b, 4)}`));
        nodes.push(...vlanLines(d), typeLine('Protocol', d, readU16(b, v2 ? 0 : 14)));
      }
      const title = v2 ? 'Linux Cooked Header v2' : 'Linux Cooked Header';
      return { prefix: v2 ? 'SLL2:  ' : 'SLL:  ', title, nodes: [...nodes, end] };
    }
    case 'loop': {
      if (b.length >= 4) {
        const name = d.link ? etherTypeName(d.link.etherType) : 'Unknown';
        nodes.push(line(`Address family = ${loopFamily(d.frame)} (${name})`));
      }
      return { prefix: 'LOOP:  ', title: 'Loopback Header', nodes: [...nodes, end] };
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
  const flag = (mask: number, on: string, off: string): DetailNode => line(`      ${bitFlag(tos, mask, on, off)}`);
  const nodes: DetailNode[] = [
    line('Version = 4'),
    line(`Header length = ${hdr} bytes`),
    line(`Type of service = 0x${tos.toString(16).padStart(2, '0')}`, [
      line(`      xxx. .... = ${tos >> 5} (precedence)`),
      flag(0x10, 'low delay', 'normal delay'),
      flag(0x08, 'high throughput', 'normal throughput'),
      flag(0x04, 'high reliability', 'normal reliability'),
      flag(0x02, 'ECN capable transport', 'not ECN capable transport'),
      flag(0x01, 'ECN congestion experienced', 'no ECN congestion experienced'),
    ]),
    line(`Total length = ${total} bytes${cut}`),
    line(`Identification = ${readU16(b, o + 4)}`),
    line(`Flags = 0x${(flagsOff >> 12).toString(16)}`, [
      line(`      ${bitFlag(flagsOff >> 8, 0x40, 'do not fragment', 'may fragment')}`),
      line(`      ${bitFlag(flagsOff >> 8, 0x20, 'more fragments', 'last fragment')}`),
    ]),
    line(`Fragment offset = ${fragOffset} bytes`),
    line(`Time to live = ${b[o + 8]} seconds/hops`),
    line(`Protocol = ${proto} (${ipProtoName(proto)})`),
    line(`Header checksum = ${readU16(b, o + 10).toString(16).padStart(4, '0')}`),
    line(`Source address = ${src}, ${named(src, opts)}`),
    line(`Destination address = ${dst}, ${named(dst, opts)}`),
    ...ipv4Options(b, o + 20, Math.min(o + hdr, b.length), hdr - 20, opts),
    line(''),
  ];
  blocks.push({ prefix, title: 'IP Header', nodes });
  if (fragOffset !== 0) blocks.push(continuation(proto, total - hdr, readU16(b, o + 4)));
}

/** snoop's note for a fragment other than the first, whose upper-layer header is elsewhere. */
function continuation(proto: number, bytes: number, id: number): LayerBlock {
  const note = line(`[${bytes} byte(s) of data, continuation of IP ident=${id}]`);
  return { prefix: `${ipProtoName(proto)}:  `, title: null, nodes: [note] };
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
  const out: DetailNode[] = [line(`Options: (${optlen} bytes)`)];
  for (let p = start; p < end; ) {
    const type = b[p];
    if (type === 0) {
      out.push(line('  - End of option list'));
      break;
    }
    if (type === 1) {
      out.push(line('  - No op'));
      p++;
      continue;
    }
    const len = p + 1 < end ? b[p + 1] : 0;
    if (len < 2) {
      out.push(line(`  - Incomplete option len ${len}`));
      break;
    }
    const q = len > end - p ? '?' : '';
    const name = IPOPT_NAMES[type];
    if (name === undefined) {
      const data = hexOf(b.subarray(p + 2, Math.min(p + len, end)));
      out.push(line(`  - Option ${type} (unknown - ${len} bytes${q}) ${data}`));
    } else {
      out.push(line(`  - ${name} (${len} bytes${q})`));
      if (type === 7 || type === 131 || type === 137) out.push(...routeLines(b, p, Math.min(p + len, end), o));
    }
    p += len;
  }
  return out;
}

/** snoop's print_route(): the pointer, then each address, the current one marked. */
function routeLines(b: Uint8Array, p: number, end: number, opts: LayerDetailOptions): DetailNode[] {
  if (p + 3 > end) return [];
  const out = [line(`    Pointer = ${b[p + 2]}`)];
  let pointer = b[p + 2] - 4;
  for (let a = p + 3; a + 4 <= end; a += 4, pointer -= 4) {
    const addr = formatIpv4(b, a);
    const text = readU32(b, a) === 0 ? '      -' : `      ${named(addr, opts)}`;
    out.push(line(pointer === 0 ? `${text}  <-- (current)` : text));
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
  blocks.push({
    prefix: 'IPv6:   ',
    title: 'IPv6 Header',
    nodes: [
      line('Version = 6'),
      line(`Traffic Class = ${((b[o] & 0x0f) << 4) | (b[o + 1] >> 4)}`),
      line(`Flow label = 0x${(((b[o + 1] & 0x0f) << 16) | readU16(b, o + 2)).toString(16)}`),
      line(`Payload length = ${len}${b.length - o - 40 < len ? ' -- truncated' : ''}`),
      line(`Next Header = ${nh} (${ipProtoName(nh)})`),
      line(`Hop Limit = ${b[o + 7]}`),
      line(`Source address = ${src}${nameOf(src)}`),
      line(`Destination address = ${dst}${nameOf(dst)}`),
      line(''),
    ],
  });
  // Extension headers snoop shows, each whole in the capture (print_ipv6_extensions()).
  let p = o + 40;
  let next = nh;
  for (let n = 0; n < 16 && (next === 0 || next === 60 || next === 43 || next === 44); n++) {
    if (p + 2 > b.length) return;
    const size = next === 44 ? 8 : (b[p + 1] + 1) * 8;
    if (p + size > b.length) return;
    const nxt = b[p];
    const head = line(`Next Header = ${nxt} (${ipProtoName(nxt)})`);
    if (next === 44) {
      const offset = readU16(b, p + 2) & 0xfff8;
      const id = readU32(b, p + 4);
      const more = (b[p + 3] & 1) === 1;
      const nodes = [head, line(`Fragment Offset = ${offset}`), line(`More Fragments Flag = ${more}`)];
      nodes.push(line(`Identification = ${id}`), line(''));
      blocks.push({ prefix: 'IPv6-Frag:  ', title: 'IPv6 Fragment Header', nodes });
      if (offset !== 0) {
        blocks.push(continuation(nxt, len - (p + 8 - o - 40), id));
        return;
      }
    } else if (next === 43) {
      const nodes = [line(`Next header = ${nxt} (${ipProtoName(nxt)})`), line(`Header length = ${size}`)];
      nodes.push(line(`Routing type = ${b[p + 2]}`), line(`Segments left = ${b[p + 3]}`), line(''));
      blocks.push({ prefix: 'IPv6-Route:  ', title: 'IPv6 Routing Header', nodes });
    } else {
      const nodes = [head, ...ipv6OptionLines(b, p + 2, p + size), line('')];
      if (next === 0) blocks.push({ prefix: 'IPv6-HopOpts:  ', title: 'IPv6 Hop-by-Hop Options Header', nodes });
      else blocks.push({ prefix: 'IPv6-DstOpts:  ', title: 'IPv6 Destination Options Header', nodes });
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
      out.push(line('pad1 option '));
      p++;
      continue;
    }
    const left = end - p;
    let len = p + 1 < end ? b[p + 1] : 0;
    if (left < 2 || len + 2 > left) {
      out.push(line(`Error: option ${b[p]} truncated (${len} + 2 > ${left})`));
      len = Math.max(0, left - 2);
    }
    out.push(line(b[p] === 1 ? `padN option len = ${len}` : `Option type = ${b[p]}, len = ${len}`));
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

function destinationPort(port: number, rpc: boolean, names: Record<number, string>): DetailNode {
  const name = rpc ? '(Sun RPC)' : names[port] !== undefined ? `(${names[port]})` : '';
  return line(`Destination port = ${port} ${name}`);
}

function udpBlock(d: FrameLayers, opts: LayerDetailOptions): LayerBlock {
  const t = d.transport as NonNullable<FrameLayers['transport']>;
  const b = d.frame.bytes;
  const o = d.transportOff;
  const length = readU16(b, o + 4);
  const sum = readU16(b, o + 6);
  const partial = length - 8 > t.capturedEnd - t.payloadOffset ? '(Not all data contained in this fragment)' : '';
  const nodes = [
    line(`Source port = ${t.sport}`),
    destinationPort(t.dport, isRpc(d, opts, 0), UDP_PORTS),
    line(`Length = ${length} ${partial}`),
    line(`Checksum = ${hex4(sum)} ${sum === 0 ? '(no checksum)' : ''}`),
    line(''),
  ];
  return { prefix: 'UDP:  ', title: 'UDP Header', nodes };
}

function tcpBlock(d: FrameLayers, opts: LayerDetailOptions): LayerBlock {
  const t = d.transport as NonNullable<FrameLayers['transport']>;
  const b = d.frame.bytes;
  const o = d.transportOff;
  const flags = b[o + 13];
  const flag = (mask: number, on: string, off: string): DetailNode => line(`      ${bitFlag(flags, mask, on, off)}`);
  const nodes = [
    line(`Source port = ${t.sport}`),
    destinationPort(t.dport, isRpc(d, opts, 4), TCP_PORTS),
    line(`Sequence number = ${t.seq}`),
    line(`Acknowledgement number = ${t.ack}`),
    line(`Data offset = ${t.payloadOffset - o} bytes`),
    line(`Flags = 0x${flags.toString(16).padStart(2, '0')}`, [
      flag(0x80, 'ECN congestion window reduced', 'No ECN congestion window reduced'),
      flag(0x40, 'ECN echo', 'No ECN echo'),
      flag(0x20, 'Urgent pointer', 'No urgent pointer'),
      flag(0x10, 'Acknowledgement', 'No acknowledgement'),
      flag(0x08, 'Push', 'No push'),
      flag(0x04, 'Reset', 'No reset'),
      flag(0x02, 'Syn', 'No Syn'),
      flag(0x01, 'Fin', 'No Fin'),
    ]),
    line(`Window = ${t.window}`),
    line(`Checksum = 0x${readU16(b, o + 16).toString(16).padStart(4, '0')}`),
    line(`Urgent pointer = ${readU16(b, o + 18)}`),
    ...tcpOptionLines(parseTcpOptions(b, o + 20, Math.min(t.payloadOffset, b.length)), t.payloadOffset - o - 20),
    line(''),
  ];
  return { prefix: 'TCP:  ', title: 'TCP Header', nodes };
}

/** snoop's print_tcpoptions(). */
function tcpOptionLines(opts: TcpOption[], optlen: number): DetailNode[] {
  if (optlen <= 0) return [line('No options')];
  const out: DetailNode[] = [line(`Options: (${optlen} bytes)`)];
  for (const o of opts) for (const text of tcpOptionText(o)) out.push(line(text));
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
