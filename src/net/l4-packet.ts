import type { Timestamp } from '../capture/raw-frame';
import type { Anomaly } from '../anomaly';

export type Transport = 'udp' | 'tcp';

export interface TcpInfo {
  seq: number; // unsigned 32-bit
  ack: number;
  /** TCP flag bits as on the wire (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, ...). */
  flags: number;
  window: number;
}

/**
 * A UDP datagram or TCP segment after link, IP (and IP reassembly) decoding.
 * Ownership: `payload` is a view into the frame's bytes, or into a buffer owned by the IP reassembler for
 * reassembled datagrams; it is never mutated afterwards.
 */
export interface L4Packet {
  /** The frame that completed this packet (the last IP fragment for a reassembled datagram). */
  frameNo: number;
  ts: Timestamp;
  /** Every frame that carried a part of it, in arrival order (more than one only for IP fragments). */
  frames: number[];
  ipVersion: 4 | 6;
  /** Numeric addresses: dotted quad or RFC 5952 IPv6 text. */
  src: string;
  dst: string;
  sport: number;
  dport: number;
  transport: Transport;
  tcp?: TcpInfo;
  /** Captured payload bytes. */
  payload: Uint8Array;
  /** Payload length on the wire (from the IP/UDP length fields); > payload.length when truncated. */
  payloadLength: number;
  /** True when the snaplen cut the payload (payload.length < payloadLength). */
  truncated: boolean;
  /** 802.1Q VLAN ids, outermost first (empty when untagged). */
  vlan: number[];
  anomalies: Anomaly[];
}
