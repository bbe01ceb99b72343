import { readU16 } from './bytes';
import type { DecodeOutcome } from './decode-outcome';
import type { TransportLayer } from './transport-layer';

export const UDP_HEADER_LENGTH = 8;

/**
 * Decode the UDP header at `off` (RFC 768). `capEnd` is the end of the captured IP payload and `wireLength` its
 * length on the wire (IP length minus headers), so `off + wireLength` is where the IP datagram ends.
 *
 * The payload is limited by the UDP Length field: bytes the IP datagram carries after it are not UDP data.
 * A UDP Length larger than the IP payload is malformed: the IP length wins and the packet is flagged.
 * A UDP Length of 0 is an RFC 2675 jumbogram (or an offload super-packet): the IP length is used.
 * The checksum is not verified (offloaded on the capturing host).
 */
export function decodeUdp(
  bytes: Uint8Array,
  off: number,
  capEnd: number,
  wireLength: number,
  out: TransportLayer,
): DecodeOutcome {
  if (wireLength < UDP_HEADER_LENGTH) return 'bad_udp_header';
  if (off + UDP_HEADER_LENGTH > capEnd) return 'frame_truncated';
  const udpLength = readU16(bytes, off + 4);
  let length = udpLength;
  let note: TransportLayer['note'] = null;
  if (udpLength === 0) {
    length = wireLength;
  } else if (udpLength < UDP_HEADER_LENGTH) {
    return 'bad_udp_header';
  } else if (udpLength > wireLength) {
    length = wireLength;
    note = 'bad_udp_header';
  }
  const end = off + length;
  out.sport = readU16(bytes, off);
  out.dport = readU16(bytes, off + 2);
  out.payloadOffset = off + UDP_HEADER_LENGTH;
  out.capturedEnd = end < capEnd ? end : capEnd;
  out.payloadLength = length - UDP_HEADER_LENGTH;
  out.note = note;
  return 'ok';
}
