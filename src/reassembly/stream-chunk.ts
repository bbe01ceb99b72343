import type { Timestamp } from '../capture/raw-frame';

/** One direction of one TCP connection, with numeric addresses. */
export interface StreamEndpoints {
  ipVersion: 4 | 6;
  src: string;
  sport: number;
  dst: string;
  dport: number;
}

/**
 * In-order bytes of one direction of a TCP connection, as delivered by the reassembler: the new bytes of one
 * segment (retransmitted/overlapping bytes already removed).
 * Ownership: `bytes` is a view into the segment's frame (or a copy the reassembler made when it had to buffer
 * an out-of-order segment); it is never mutated, so a consumer may keep it without copying.
 */
export interface StreamChunk extends StreamEndpoints {
  /** Connection id, the same for both directions: "tcp <lowAddr>:<port> <highAddr>:<port>#<n>" where n counts
   *  reuses of the 4-tuple (a new SYN after FIN/RST starts a new connection). */
  connId: string;
  /** Bytes known to be lost immediately before `bytes` (0 = contiguous with the previous chunk). */
  gapBefore: number;
  bytes: Uint8Array;
  /** The frame that carried these bytes. */
  frameNo: number;
  ts: Timestamp;
}
