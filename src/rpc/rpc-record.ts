import type { Timestamp } from '../capture/raw-frame';
import type { Anomaly } from '../anomaly';
import type { Transport } from '../net/l4-packet';

/**
 * One complete ONC RPC message body: a UDP datagram's payload, or a TCP record with its record marks removed and
 * its fragments joined (RFC 5531 §11).
 * Ownership: `bytes` is either a view of a frame or of a reassembly buffer, never mutated after delivery.
 */
export interface RpcRecord {
  transport: Transport;
  ipVersion: 4 | 6;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  /** TCP connection id (see StreamChunk.connId); null for UDP. */
  connId: string | null;
  /** The record body as captured (possibly shorter than `length` when truncated). */
  bytes: Uint8Array;
  /** Length of the record on the wire (sum of its fragment lengths; the UDP payload length). */
  length: number;
  /** The frame that completed the record, or for a truncated record the frame where it began. */
  frameNo: number;
  ts: Timestamp;
  /** Every frame that carried a part of the record, in order, without repeats. */
  frames: number[];
  /** Record-marking fragments (1 for UDP and for single-fragment records). */
  fragments: number;
  /** TCP: each fragment's length as its record mark said, in order (bounded by the marker's maxFragments). */
  fragmentLengths?: number[];
  /** The record is incomplete: bytes were lost, cut by the snaplen, or over --max-record-size. */
  truncated: boolean;
  anomalies: Anomaly[];
}
