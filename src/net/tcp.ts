import { readU16, readU32 } from './bytes';
import type { DecodeOutcome } from './decode-outcome';
import type { TransportLayer } from './transport-layer';

export const TCP_MIN_HEADER_LENGTH = 20;

/**
 * Decode the TCP header at `off` (RFC 9293 §3.1). Options are skipped via Data Offset; the checksum is not
 * verified. `capEnd` is the end of the captured IP payload and `wireLength` its length on the wire.
 *
 * Only the fixed 20 bytes must be captured: when the snaplen cuts the options, the segment is still reported
 * (ports, sequence numbers and the payload length are known, which TCP reassembly needs) with an empty captured
 * payload.
 */
export function decodeTcp(
  bytes: Uint8Array,
  off: number,
  capEnd: number,
  wireLength: number,
  out: TransportLayer,
): DecodeOutcome {
  if (wireLength < TCP_MIN_HEADER_LENGTH) return 'bad_tcp_header';
  if (off + TCP_MIN_HEADER_LENGTH > capEnd) return 'frame_truncated';
  const offsetByte = bytes[off + 12];
  const headerLength = (offsetByte >> 4) * 4;
  if (headerLength < TCP_MIN_HEADER_LENGTH || headerLength > wireLength) return 'bad_tcp_header';
  const payloadOffset = off + headerLength;
  const end = off + wireLength;
  let capturedEnd = end < capEnd ? end : capEnd;
  if (capturedEnd < payloadOffset) capturedEnd = payloadOffset;
  out.sport = readU16(bytes, off);
  out.dport = readU16(bytes, off + 2);
  out.seq = readU32(bytes, off + 4);
  out.ack = readU32(bytes, off + 8);
  // The 8 classic flag bits, plus bit 0 of the Data Offset byte (NS in RFC 3540, since reused by AccECN) as 0x100.
  out.flags = ((offsetByte & 0x01) << 8) | bytes[off + 13];
  out.window = readU16(bytes, off + 14);
  out.payloadOffset = payloadOffset;
  out.capturedEnd = capturedEnd;
  out.payloadLength = wireLength - headerLength;
  out.note = null;
  return 'ok';
}
