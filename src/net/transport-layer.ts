import type { Anomaly } from '../anomaly';

/** What the UDP and TCP decoders found; written into a caller-owned object (no allocation per packet). */
export interface TransportLayer {
  sport: number;
  dport: number;
  /** Offset of the payload (after the UDP header / the TCP header and its options). */
  payloadOffset: number;
  /** End of the captured payload bytes (>= payloadOffset). */
  capturedEnd: number;
  /** Payload length on the wire, from the UDP length / the IP length. */
  payloadLength: number;
  /** A problem that does not stop decoding ('bad_udp_header' for a UDP length past the IP payload); else null. */
  note: Anomaly | null;
  // TCP only (left untouched by the UDP decoder):
  seq: number;
  ack: number;
  flags: number;
  window: number;
}

export function newTransportLayer(): TransportLayer {
  return {
    sport: 0,
    dport: 0,
    payloadOffset: 0,
    capturedEnd: 0,
    payloadLength: 0,
    note: null,
    seq: 0,
    ack: 0,
    flags: 0,
    window: 0,
  };
}
