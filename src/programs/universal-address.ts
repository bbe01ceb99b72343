/**
 * Universal addresses (RFC 1833 §2.1 "r_addr", defined per transport by RFC 5665 §5.2.3): the text form of a
 * transport address that RPCBIND v3/v4 carries in rpcb.r_addr, GETADDR replies, rpcb_rmtcallres.addr and
 * rpcb_entry.r_maddr.
 *
 * - IPv4 (netids tcp, udp; RFC 5665 §5.2.3.3): "h1.h2.h3.h4.p1.p2", the four address octets then the port's high
 *   and low octets, all in decimal: 192.168.1.20.8.1 is 192.168.1.20 port 2049.
 * - IPv6 (netids tcp6, udp6; RFC 5665 §5.2.3.4): "x:x:x:x:x:x:x:x.p1.p2", the RFC 4291 §2.2 text form of the address
 *   (any of its forms: "::" compression, a dotted-quad tail) followed by the port octets: ::1.8.1 is [::1]:2049.
 *
 * Other netids (local, rdma, ...) have their own forms (a path, ...): they are not parsed here, and the callers show
 * the string as it is. Also here: the netid → transport mapping used for port learning, and a best-effort reading of
 * the transport addresses (netbuf of a struct sockaddr) that UADDR2TADDR/TADDR2UADDR carry (RFC 1833 §2.1).
 * Pure functions; address text is canonical (RFC 5952, the pipeline's formatIpv6), so learned addresses match the
 * addresses the packet layers print.
 */
import { formatIpv4, formatIpv6 } from '../net/ip-address';

export interface UniversalAddress {
  /** Canonical address text: dotted quad, or RFC 5952 IPv6 text. */
  address: string;
  port: number;
  family: 4 | 6;
}

/** A decimal octet 0-255 (1 to 3 digits, no sign). */
function octet(s: string): number | null {
  if (!/^[0-9]{1,3}$/.test(s)) return null;
  const n = Number(s);
  return n <= 255 ? n : null;
}

/** The 4 bytes of a dotted quad, or null. */
function parseIpv4(s: string): number[] | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    const n = octet(p);
    if (n === null) return null;
    out.push(n);
  }
  return out;
}

/** The 16 bytes of an RFC 4291 §2.2 IPv6 text address (no zone), or null. */
export function parseIpv6(text: string): Uint8Array | null {
  let s = text;
  const tail: number[] = [];
  // §2.2 form 3: the last 32 bits as a dotted quad.
  const lastColon = s.lastIndexOf(':');
  if (lastColon >= 0 && s.indexOf('.', lastColon) > lastColon) {
    const quad = parseIpv4(s.slice(lastColon + 1));
    if (!quad) return null;
    tail.push(quad[0], quad[1], quad[2], quad[3]);
    s = s.slice(0, lastColon + 1) + '0:0'; // placeholder groups, replaced below
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = groupsOf(halves[0]);
  const rest = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (!head || !rest) return null;
  const groups: number[] = [];
  if (halves.length === 2) {
    const missing = 8 - head.length - rest.length;
    if (missing < 1) return null;
    groups.push(...head, ...new Array<number>(missing).fill(0), ...rest);
  } else {
    if (head.length !== 8) return null;
    groups.push(...head);
  }
  const b = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    b[2 * i] = groups[i] >> 8;
    b[2 * i + 1] = groups[i] & 0xff;
  }
  if (tail.length) b.set(tail, 12);
  return b;
}

/**
 * Parses an IPv4 or IPv6 universal address (RFC 5665 §5.2.3.3-4) into canonical address text and port.
 * Returns null for the empty string (RPCBIND's "not registered"), for other netids' forms and for malformed text.
 */
export function parseUniversalAddress(uaddr: string): UniversalAddress | null {
  const lo = uaddr.lastIndexOf('.');
  const hi = lo > 0 ? uaddr.lastIndexOf('.', lo - 1) : -1;
  if (hi <= 0) return null;
  const p1 = octet(uaddr.slice(hi + 1, lo));
  const p2 = octet(uaddr.slice(lo + 1));
  if (p1 === null || p2 === null) return null;
  const port = p1 * 256 + p2;
  const host = uaddr.slice(0, hi);
  if (host.includes(':')) {
    // A zone (fe80::1%eth0) is not part of RFC 5665's form; tolerated and kept.
    const pct = host.indexOf('%');
    const bytes = parseIpv6(pct >= 0 ? host.slice(0, pct) : host);
    if (!bytes) return null;
    return { address: formatIpv6(bytes, 0) + (pct >= 0 ? host.slice(pct) : ''), port, family: 6 };
  }
  const quad = parseIpv4(host);
  if (!quad) return null;
  return { address: formatIpv4(Uint8Array.from(quad), 0), port, family: 4 };
}

/** The universal address of an IPv4 or IPv6 address text and a port (the reverse of parseUniversalAddress). */
export function formatUniversalAddress(address: string, port: number): string | null {
  if (!Number.isInteger(port) || port < 0 || port > 65535) return null;
  const suffix = `.${port >> 8}.${port & 0xff}`;
  if (address.includes(':')) {
    const pct = address.indexOf('%');
    const bytes = parseIpv6(pct >= 0 ? address.slice(0, pct) : address);
    return bytes ? formatIpv6(bytes, 0) + (pct >= 0 ? address.slice(pct) : '') + suffix : null;
  }
  const quad = parseIpv4(address);
  return quad ? quad.join('.') + suffix : null;
}

/** 0.0.0.0 or :: — a service bound to every address ("INADDR_ANY"); its real address is the server's. */
export function isWildcardAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/**
 * The transport of a netid (RFC 5665 §5.1: tcp, udp for IPv4, tcp6, udp6 for IPv6), or null for netids that name
 * no TCP/UDP port (local, rdma, sctp, ticots, ...).
 */
export function netidTransport(netid: string): 'tcp' | 'udp' | null {
  switch (netid) {
    case 'tcp':
    case 'tcp6':
      return 'tcp';
    case 'udp':
    case 'udp6':
      return 'udp';
    default:
      return null;
  }
}

/** PORTMAP v2 mapping.prot (RFC 1833 §3.1: IPPROTO_TCP 6, IPPROTO_UDP 17) as a transport, or null. */
export function protTransport(prot: number): 'tcp' | 'udp' | null {
  return prot === 6 ? 'tcp' : prot === 17 ? 'udp' : null;
}

/** A transport address decoded from a netbuf buffer holding a struct sockaddr. */
export interface SockaddrInfo {
  family: 4 | 6;
  address: string;
  port: number;
}

const AF_INET6_VALUES = new Set([10 /* Linux */, 24 /* NetBSD/OpenBSD */, 26 /* Solaris */, 28 /* FreeBSD */, 30 /* macOS */]);

/** The sa_family of a sockaddr: a 16-bit word in either byte order, or BSD's sa_len byte then an 8-bit family. */
function familyOf(b: Uint8Array): number[] {
  return [b[0] | (b[1] << 8), (b[0] << 8) | b[1], b[1]];
}

/**
 * Best-effort reading of a netbuf's bytes as struct sockaddr_in or sockaddr_in6 (RFC 1833 §2.1 calls them
 * "transport addresses": their layout is the server host's, not XDR). The port and address are in network order in
 * every layout; the family is guessed from the usual values. Null when it does not look like either.
 */
export function decodeSockaddr(b: Uint8Array): SockaddrInfo | null {
  if (b.length < 8) return null;
  const fams = familyOf(b);
  const bsdLen = b[0];
  const port = (b[2] << 8) | b[3];
  if (b.length >= 24 && (fams[0] === 10 || fams[1] === 10 || fams[0] === 26 || fams[1] === 26 || (bsdLen === 28 && AF_INET6_VALUES.has(fams[2])))) {
    return { family: 6, address: formatIpv6(b, 8), port };
  }
  if (fams[0] === 2 || fams[1] === 2 || (bsdLen === 16 && fams[2] === 2)) {
    return { family: 4, address: formatIpv4(b, 4), port };
  }
  return null;
}
