import { readU16, readU32 } from './bytes';
import { shortHeader, type DecodeOutcome } from './decode-outcome';
import { formatIpv4 } from './ip-address';
import type { IpLayer } from './ip-layer';

/** RFC 791 §3.1: the fixed part of the header; IHL counts 32-bit words and may add up to 40 bytes of options. */
export const IPV4_MIN_HEADER_LENGTH = 20;

const MORE_FRAGMENTS = 0x2000;
const FRAGMENT_OFFSET_MASK = 0x1fff;

/**
 * Decode the IPv4 header at `off` (RFC 791 §3.1). Options (IHL > 5) are skipped, not interpreted: nothing we do
 * depends on them. The checksum is not verified (captures on the sending host carry offloaded checksums).
 *
 * `wireEnd` is where the frame ended on the wire (>= bytes.length; larger when the snaplen cut it). The datagram
 * ends where Total Length says, not where the frame ends (Ethernet pads short frames to 60 bytes).
 * A Total Length of 0 is what Linux records for a TCP-segmentation-offload super-packet; like Wireshark, the
 * datagram is then taken to run to the end of the frame.
 */
export function decodeIpv4(bytes: Uint8Array, off: number, wireEnd: number, out: IpLayer): DecodeOutcome {
  const capEnd = bytes.length;
  if (off + IPV4_MIN_HEADER_LENGTH > capEnd) {
    return shortHeader(off + IPV4_MIN_HEADER_LENGTH, capEnd, wireEnd, 'bad_ip_header');
  }
  const versionIhl = bytes[off];
  if (versionIhl >> 4 !== 4) return 'bad_ip_header';
  const headerLength = (versionIhl & 0x0f) * 4;
  if (headerLength < IPV4_MIN_HEADER_LENGTH) return 'bad_ip_header';
  let totalLength = readU16(bytes, off + 2);
  if (totalLength === 0) totalLength = wireEnd - off;
  if (totalLength < headerLength) return 'bad_ip_length';
  if (off + headerLength > capEnd) return shortHeader(off + headerLength, capEnd, wireEnd, 'bad_ip_header');

  const end = off + totalLength;
  let capturedEnd = end;
  let note: IpLayer['note'] = null;
  if (end > capEnd) {
    capturedEnd = capEnd;
    note = end <= wireEnd ? 'frame_truncated' : 'bad_ip_length';
  }
  const flagsOffset = readU16(bytes, off + 6);
  const fragOffset = (flagsOffset & FRAGMENT_OFFSET_MASK) * 8;
  const moreFragments = (flagsOffset & MORE_FRAGMENTS) !== 0;

  out.version = 4;
  out.src = addressText(bytes, off + 12, out);
  out.dst = addressText(bytes, off + 16, out);
  out.protocol = bytes[off + 9];
  out.payloadOffset = off + headerLength;
  out.capturedEnd = capturedEnd;
  out.payloadLength = totalLength - headerLength;
  out.note = note;
  out.fragmented = moreFragments || fragOffset !== 0;
  out.fragOffset = fragOffset;
  out.moreFragments = moreFragments;
  out.fragId = readU16(bytes, off + 4);
  out.fragHeaderBytes = headerLength;
  return 'ok';
}

/** The dotted quad at `off`, taken from `out`'s address cache when it was formatted before and is still in its slot
 *  (the text is the same either way; only the allocation is saved). */
function addressText(bytes: Uint8Array, off: number, out: IpLayer): string {
  const v = readU32(bytes, off);
  // the slot: low bits of the address mixed with the next octet (clients of one subnet differ in the low octets)
  const slot = (v ^ (v >>> 10)) & (out.v4Keys.length - 1);
  if (out.v4Keys[slot] === v) return out.v4Texts[slot];
  const text = formatIpv4(bytes, off);
  out.v4Keys[slot] = v;
  out.v4Texts[slot] = text;
  return text;
}
