/**
 * Raw IPv4 frames (LINKTYPE_IPV4) around UDP datagrams, TCP segments and IPv4 fragments between one client and one
 * server, for fuzz targets that carve a sequence of packets out of their input: the packet builders of
 * test/helpers/net-builders.ts with the endpoints and direction filled in. Headers are well formed (RFC 791 §3.1,
 * RFC 768, RFC 9293 §3.1) so the fuzz bytes reach the layers above; checksums are 0, which the decoders do not verify.
 */
import type { RawFrame, Timestamp } from '../../src/capture/raw-frame';
import { LINKTYPE_IPV4 } from '../../src/net/link-types';
import { frame, ipv4, tcp, udp, type Ipv4Opts } from '../helpers/net-builders';

const CLIENT = '10.0.0.1';
const SERVER = '10.0.0.2';
const CLIENT_PORT = 800;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

export interface Endpoints {
  /** true: client → server. */
  toServer: boolean;
  serverPort: number;
}

function addresses(e: Endpoints): Pick<Ipv4Opts, 'src' | 'dst'> {
  return e.toServer ? { src: CLIENT, dst: SERVER } : { src: SERVER, dst: CLIENT };
}

function ports(e: Endpoints): { sport: number; dport: number } {
  return e.toServer ? { sport: CLIENT_PORT, dport: e.serverPort } : { sport: e.serverPort, dport: CLIENT_PORT };
}

/** One frame with `bytes`; origLen > capLen when `cut` bytes were lost to the snaplen. */
export function frameOf(bytes: Uint8Array, frameNo: number, ts: Timestamp, cut = 0): RawFrame {
  const snaplen = cut > 0 && cut < bytes.length ? bytes.length - cut : undefined;
  return frame(bytes, LINKTYPE_IPV4, { frameNo, sec: ts.sec, nsec: ts.nsec, snaplen });
}

/** A whole UDP datagram carrying `payload` in one IPv4 packet. */
export function udpPacket(e: Endpoints, payload: Uint8Array, id = 1): Uint8Array {
  return ipv4(udp(payload, ports(e)), { ...addresses(e), protocol: IPPROTO_UDP, id });
}

/** An IPv4 fragment of a UDP datagram: `data` at `offset8` (8-byte units) of the datagram, more to come when `more`. */
export function udpFragment(e: Endpoints, id: number, offset8: number, more: boolean, data: Uint8Array): Uint8Array {
  return ipv4(data, { ...addresses(e), protocol: IPPROTO_UDP, id, fragOffset: (offset8 & 0x1fff) * 8, moreFragments: more });
}

/** A TCP segment with sequence number `seq` and `flags`. */
export function tcpSegment(e: Endpoints, seq: number, ack: number, flags: number, payload: Uint8Array): Uint8Array {
  return ipv4(tcp(payload, { ...ports(e), seq: seq >>> 0, ack: ack >>> 0, flags }), { ...addresses(e), protocol: IPPROTO_TCP, id: 1, dontFragment: true });
}
