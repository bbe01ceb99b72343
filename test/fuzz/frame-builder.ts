/**
 * Builds raw IPv4 frames (LINKTYPE_IPV4) around UDP datagrams, TCP segments and IPv4 fragments, for fuzz targets
 * that carve a sequence of packets out of their input. Headers are well formed (RFC 791 §3.1, RFC 768, RFC 9293
 * §3.1) so the fuzz bytes reach the layers above; checksums are left 0, which the decoders do not verify.
 * Each call returns a fresh buffer: a frame owns its bytes (raw-frame.ts).
 */
import type { RawFrame, Timestamp } from '../../src/capture/raw-frame';
import { LINKTYPE_IPV4 } from '../../src/net/link-types';

export const CLIENT = [10, 0, 0, 1];
export const SERVER = [10, 0, 0, 2];
export const CLIENT_PORT = 800;

const IPV4_HEADER = 20;
const UDP_HEADER = 8;
const TCP_HEADER = 20;
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

function ipv4(total: number, protocol: number, e: Endpoints, id: number, fragWord: number, out: Buffer): void {
  out[0] = 0x45;
  out.writeUInt16BE(total & 0xffff, 2);
  out.writeUInt16BE(id & 0xffff, 4);
  out.writeUInt16BE(fragWord & 0xffff, 6);
  out[8] = 64;
  out[9] = protocol;
  const [src, dst] = e.toServer ? [CLIENT, SERVER] : [SERVER, CLIENT];
  out.set(src, 12);
  out.set(dst, 16);
}

function ports(e: Endpoints): [number, number] {
  return e.toServer ? [CLIENT_PORT, e.serverPort] : [e.serverPort, CLIENT_PORT];
}

/** One frame with `bytes`; origLen > capLen when `cut` bytes were lost to the snaplen. */
export function frameOf(bytes: Buffer, frameNo: number, ts: Timestamp, cut = 0): RawFrame {
  const captured = cut > 0 && cut < bytes.length ? bytes.subarray(0, bytes.length - cut) : bytes;
  return { frameNo, ts, capLen: captured.length, origLen: bytes.length, linkType: LINKTYPE_IPV4, bytes: captured, interfaceId: 0 };
}

/** A whole UDP datagram carrying `payload` in one IPv4 packet. */
export function udpPacket(e: Endpoints, payload: Uint8Array, id = 1): Buffer {
  const b = Buffer.alloc(IPV4_HEADER + UDP_HEADER + payload.length);
  ipv4(b.length, IPPROTO_UDP, e, id, 0, b);
  const [sp, dp] = ports(e);
  b.writeUInt16BE(sp, IPV4_HEADER);
  b.writeUInt16BE(dp, IPV4_HEADER + 2);
  b.writeUInt16BE((UDP_HEADER + payload.length) & 0xffff, IPV4_HEADER + 4);
  b.set(payload, IPV4_HEADER + UDP_HEADER);
  return b;
}

/** An IPv4 fragment of a UDP datagram: `data` at `offset8` (8-byte units) of the datagram, more to come when `more`. */
export function udpFragment(e: Endpoints, id: number, offset8: number, more: boolean, data: Uint8Array): Buffer {
  const b = Buffer.alloc(IPV4_HEADER + data.length);
  ipv4(b.length, IPPROTO_UDP, e, id, (more ? 0x2000 : 0) | (offset8 & 0x1fff), b);
  b.set(data, IPV4_HEADER);
  return b;
}

/** The first bytes of a UDP datagram (its header) for a payload of `payloadLength` bytes, to split into fragments. */
export function udpDatagram(e: Endpoints, payload: Uint8Array): Buffer {
  const b = Buffer.alloc(UDP_HEADER + payload.length);
  const [sp, dp] = ports(e);
  b.writeUInt16BE(sp, 0);
  b.writeUInt16BE(dp, 2);
  b.writeUInt16BE(b.length & 0xffff, 4);
  b.set(payload, UDP_HEADER);
  return b;
}

/** A TCP segment with sequence number `seq` and `flags`. */
export function tcpSegment(e: Endpoints, seq: number, ack: number, flags: number, payload: Uint8Array): Buffer {
  const b = Buffer.alloc(IPV4_HEADER + TCP_HEADER + payload.length);
  ipv4(b.length, IPPROTO_TCP, e, 1, 0x4000, b);
  const [sp, dp] = ports(e);
  const t = IPV4_HEADER;
  b.writeUInt16BE(sp, t);
  b.writeUInt16BE(dp, t + 2);
  b.writeUInt32BE(seq >>> 0, t + 4);
  b.writeUInt32BE(ack >>> 0, t + 8);
  b[t + 12] = (TCP_HEADER / 4) << 4;
  b[t + 13] = flags;
  b.writeUInt16BE(65535, t + 14);
  b.set(payload, t + TCP_HEADER);
  return b;
}
