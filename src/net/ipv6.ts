import { readU16, readU32 } from './bytes';
import { shortHeader, type DecodeOutcome } from './decode-outcome';
import { formatIpv6 } from './ip-address';
import type { IpLayer } from './ip-layer';

/** RFC 8200 §3: the fixed header; Payload Length counts everything after it, extension headers included. */
export const IPV6_HEADER_LENGTH = 40;

// Next Header values of the extension headers we walk (RFC 8200 §4, IANA "IPv6 Extension Header Types").
const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const AUTHENTICATION = 51; // RFC 4302: length in 32-bit words minus 2, unlike the others
const DESTINATION_OPTIONS = 60;
const MOBILITY = 135; // RFC 6275
const HIP = 139; // RFC 7401
const SHIM6 = 140; // RFC 5533
// ESP (50) encrypts what follows and No Next Header (59) ends the packet: the walk stops there like at any
// upper-layer protocol, and the transport dispatch skips them.

const FRAGMENT_HEADER_LENGTH = 8;
/** RFC 2675 Jumbo Payload option type in the Hop-by-Hop header. */
const JUMBO_PAYLOAD_OPTION = 0xc2;

/**
 * Decode the IPv6 header at `off` and walk its extension headers up to the upper-layer header, a Fragment header,
 * ESP, No Next Header or a Next Header value we do not know.
 *
 * A Payload Length of 0 means an RFC 2675 jumbogram when the Hop-by-Hop header carries a Jumbo Payload option;
 * otherwise (segmentation-offload captures record 0 for super-packets) the datagram runs to the end of the frame,
 * as Wireshark assumes. `wireEnd` is where the frame ended on the wire (>= bytes.length).
 */
export function decodeIpv6(bytes: Uint8Array, off: number, wireEnd: number, out: IpLayer): DecodeOutcome {
  const capEnd = bytes.length;
  if (off + IPV6_HEADER_LENGTH > capEnd) {
    return shortHeader(off + IPV6_HEADER_LENGTH, capEnd, wireEnd, 'bad_ip_header');
  }
  if (bytes[off] >> 4 !== 6) return 'bad_ip_header';
  const start = off + IPV6_HEADER_LENGTH;
  const nextHeader = bytes[off + 6];
  let payloadLength = readU16(bytes, off + 4);
  if (payloadLength === 0) {
    const jumbo = nextHeader === HOP_BY_HOP ? jumboPayloadLength(bytes, start, capEnd) : -1;
    payloadLength = jumbo > 0 ? jumbo : Math.max(0, wireEnd - start);
  }
  const end = start + payloadLength;
  let capturedEnd = end;
  let note: IpLayer['note'] = null;
  if (end > capEnd) {
    capturedEnd = capEnd;
    note = end <= wireEnd ? 'frame_truncated' : 'bad_ip_length';
  }
  out.version = 6;
  out.src = formatIpv6(bytes, off + 8);
  out.dst = formatIpv6(bytes, off + 24);
  out.note = note;
  out.capturedEnd = capturedEnd;
  return walkIpv6ExtensionHeaders(bytes, start, capturedEnd, end, nextHeader, out);
}

/**
 * Walk IPv6 extension headers from `start` (whose type is `nextHeader`), for a datagram whose bytes are captured up
 * to `capEnd` and end on the wire at `end`. Sets protocol, payloadOffset, payloadLength and the fragment fields of
 * `out`; leaves version, addresses, note and capturedEnd alone. Also used on a reassembled fragmentable part,
 * whose first header type is the Next Header of the first fragment's Fragment header (RFC 8200 §4.5).
 *
 * Every header advances by at least 8 bytes, so the walk is bounded by the datagram length.
 */
export function walkIpv6ExtensionHeaders(
  bytes: Uint8Array,
  start: number,
  capEnd: number,
  end: number,
  nextHeader: number,
  out: IpLayer,
): DecodeOutcome {
  out.fragmented = false;
  out.fragOffset = 0;
  out.moreFragments = false;
  out.fragId = 0;
  out.fragHeaderBytes = 0;
  let p = start;
  let nh = nextHeader;
  for (;;) {
    let length: number;
    if (nh === FRAGMENT) {
      // RFC 8200 §4.5: Next Header, reserved, Fragment Offset (13 bits, 8-byte units) + 2 reserved bits + M flag,
      // Identification (32 bits).
      if (p + FRAGMENT_HEADER_LENGTH > end) return 'bad_ip_header';
      if (p + FRAGMENT_HEADER_LENGTH > capEnd) return out.note ?? 'frame_truncated';
      const offsetFlags = readU16(bytes, p + 2);
      const fragOffset = offsetFlags & 0xfff8;
      const moreFragments = (offsetFlags & 1) !== 0;
      if (fragOffset !== 0 || moreFragments) {
        out.fragmented = true;
        out.fragOffset = fragOffset;
        out.moreFragments = moreFragments;
        out.fragId = readU32(bytes, p + 4);
        out.fragHeaderBytes = p - start;
        out.protocol = bytes[p];
        out.payloadOffset = p + FRAGMENT_HEADER_LENGTH;
        out.payloadLength = end - out.payloadOffset;
        return 'ok';
      }
      // An atomic fragment (offset 0, M clear; RFC 6946 §4) is processed as a whole datagram.
      length = FRAGMENT_HEADER_LENGTH;
    } else if (
      nh === HOP_BY_HOP ||
      nh === ROUTING ||
      nh === DESTINATION_OPTIONS ||
      nh === MOBILITY ||
      nh === HIP ||
      nh === SHIM6 ||
      nh === AUTHENTICATION
    ) {
      if (p + 2 > end) return 'bad_ip_header';
      if (p + 2 > capEnd) return out.note ?? 'frame_truncated';
      // Hdr Ext Len: 8-octet units not counting the first 8 (RFC 8200 §4.3);
      // AH Payload Len: 4-octet units minus 2 (RFC 4302 §2.2).
      length = nh === AUTHENTICATION ? (bytes[p + 1] + 2) * 4 : (bytes[p + 1] + 1) * 8;
    } else {
      break; // upper layer (TCP, UDP, ICMPv6, ...), ESP, No Next Header or unknown: stop here
    }
    if (p + length > end) return 'bad_ip_header';
    nh = bytes[p];
    p += length;
  }
  out.protocol = nh;
  out.payloadOffset = p;
  out.payloadLength = end - p;
  return 'ok';
}

/**
 * The RFC 2675 Jumbo Payload Length from the Hop-by-Hop header at `p`, or -1 when absent or not captured.
 * Options are TLVs (RFC 8200 §4.2) except Pad1 (type 0), a single byte.
 */
function jumboPayloadLength(bytes: Uint8Array, p: number, capEnd: number): number {
  if (p + 2 > capEnd) return -1;
  const headerEnd = Math.min(p + (bytes[p + 1] + 1) * 8, capEnd);
  let i = p + 2;
  while (i < headerEnd) {
    const type = bytes[i];
    if (type === 0) {
      i++;
      continue;
    }
    if (i + 2 > headerEnd) return -1;
    const len = bytes[i + 1];
    if (type === JUMBO_PAYLOAD_OPTION && len === 4 && i + 6 <= headerEnd) return readU32(bytes, i + 2);
    i += 2 + len;
  }
  return -1;
}
