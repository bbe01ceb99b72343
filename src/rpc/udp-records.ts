/**
 * UDP: one datagram is one RPC message (RFC 5531 §11 applies to TCP only), so both transports meet at RpcRecord.
 * Whether the datagram is RPC at all is the caller's decision (probeRpcHeader).
 */
import type { Anomaly } from '../anomaly';
import type { L4Packet } from '../net/l4-packet';
import type { RpcRecord } from './rpc-record';

export interface UdpRpcRecord extends RpcRecord {
  transport: 'udp';
  connId: null;
}

/** The datagram's payload as a record (a view, no copy); truncated when the snaplen cut it. */
export function udpRecord(pkt: L4Packet): UdpRpcRecord {
  const length = pkt.payloadLength > pkt.payload.length ? pkt.payloadLength : pkt.payload.length;
  const truncated = pkt.truncated || length > pkt.payload.length;
  const anomalies: Anomaly[] = truncated ? ['record_truncated'] : [];
  return {
    transport: 'udp',
    ipVersion: pkt.ipVersion,
    src: pkt.src,
    sport: pkt.sport,
    dst: pkt.dst,
    dport: pkt.dport,
    connId: null,
    bytes: pkt.payload,
    length,
    frameNo: pkt.frameNo,
    ts: pkt.ts,
    frames: pkt.frames.length > 0 ? pkt.frames : [pkt.frameNo],
    fragments: 1,
    truncated,
    anomalies,
  };
}
