import type { Anomaly } from '../anomaly';

/**
 * What a stateless layer decoder returns (gopacket's DecodingLayer habit: decode into a caller-owned struct, report
 * the outcome as a value, never throw):
 * - `'ok'`: the layer was decoded into the caller's output object;
 * - `'skip'`: well-formed but not something we follow (ARP, ICMP, ESP, ...): drop silently, count nothing;
 * - an anomaly name: the layer could not be decoded, for that reason (`'frame_truncated'` when the snaplen cut
 *   the header, a `bad_*` name when the header itself is malformed).
 *
 * Outcomes are string constants, so returning one allocates nothing.
 */
export type DecodeOutcome = 'ok' | 'skip' | Anomaly;

/**
 * The anomaly for a header that does not fit in the captured bytes: when the frame was cut by the snaplen
 * (`capEnd < wireEnd`) the bytes merely were not captured (`frame_truncated`); when the whole frame was captured
 * the header really is short on the wire, i.e. malformed. Wireshark draws the same line between
 * "[Packet size limited during capture]" and "Malformed Packet".
 */
export function shortHeader(needEnd: number, capEnd: number, wireEnd: number, malformed: Anomaly): Anomaly {
  return needEnd <= wireEnd && capEnd < wireEnd ? 'frame_truncated' : malformed;
}
