import { readU16 } from './bytes';
/*
 * Numeric address text, built straight from the packet bytes (no intermediate arrays): the only strings the packet
 * layers build per packet.
 */

/** IPv4 dotted quad of the 4 bytes at `off`. */
export function formatIpv4(b: Uint8Array, off: number): string {
  return b[off] + '.' + b[off + 1] + '.' + b[off + 2] + '.' + b[off + 3];
}

/**
 * RFC 5952 canonical text of the 16 bytes at `off`: lowercase hex, no leading zeros, the longest run of two or more
 * all-zero groups replaced by "::" (the leftmost on a tie, §4.2.3), a single zero group never compressed (§4.2.2).
 * IPv4-mapped addresses (::ffff:0:0/96) use the dotted-quad tail RFC 5952 §5 recommends, as tshark prints them.
 */
export function formatIpv6(b: Uint8Array, off: number): string {
  let bestStart = -1;
  let bestLen = 1; // a run must be longer than this to be compressed
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    if (b[off + 2 * i] === 0 && b[off + 2 * i + 1] === 0) {
      if (runStart < 0) runStart = i;
      if (i - runStart + 1 > bestLen) {
        bestLen = i - runStart + 1;
        bestStart = runStart;
      }
    } else {
      runStart = -1;
    }
  }
  if (bestStart === 0 && bestLen === 5 && b[off + 10] === 0xff && b[off + 11] === 0xff) {
    return '::ffff:' + formatIpv4(b, off + 12);
  }
  let s = '';
  for (let i = 0; i < 8; ) {
    if (i === bestStart) {
      s += '::';
      i += bestLen;
      continue;
    }
    if (s.length !== 0 && s.charCodeAt(s.length - 1) !== 0x3a /* ':' */) s += ':';
    s += readU16(b, off + 2 * i).toString(16);
    i++;
  }
  return s;
}
