/**
 * Fuzz target (d): a sequence of packets carved from the input through the pipeline's lower half — IPv4
 * defragmentation, TCP reassembly (gaps, overlaps, retransmissions, SYN/FIN/RST, idle expiry) and RPC record
 * marking — and on into RPC decoding and pairing.
 *
 * Input: byte 0 picks the server port (bit 0: 111, else 2049), then packets, each a 5-byte descriptor and its
 * payload:
 *   d0  bit 0 direction (0: client → server), bit 1 SYN (fragments: more fragments), bit 2 FIN, bit 3 RST,
 *       bit 4 an IPv4 fragment of a UDP datagram instead of a TCP segment, bit 5 the snaplen cut half the frame,
 *       bits 6-7 time step before it (1 ms, 1 s, 100 s, none)
 *   d1  d2   TCP: signed 16-bit offset of the segment's sequence number from the next one expected in its
 *            direction; fragments: d1 the IP id, d2 the fragment offset in 8-byte units
 *   d3  d4   payload length (big-endian; cut to what is left of the input)
 * encodePackets() writes the same layout, for the seeds carved from the fixtures.
 */
import type { Timestamp } from '../../../src/capture/raw-frame';
import { DEFAULT_PIPELINE, Pipeline } from '../../../src/pipeline';
import { frameOf, tcpSegment, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, udpFragment, type Endpoints } from '../frame-builder';

export const DESCRIPTOR = 5;
const ISN = [1000, 500000];
const STEP_NSEC = [1_000_000, 1_000_000_000, 100_000_000_000, 0];

export interface CarvedPacket {
  toServer: boolean;
  syn?: boolean;
  fin?: boolean;
  rst?: boolean;
  /** A UDP datagram fragment: id and offset (8-byte units); `syn` then means "more fragments". */
  fragment?: { id: number; offset8: number };
  /** TCP: sequence offset from the next expected (default 0, in order). */
  seqDelta?: number;
  payload: Uint8Array;
}

/** The input that makes fuzz() send `packets` (server port 2049 unless `portmap`). */
export function encodePackets(packets: readonly CarvedPacket[], portmap = false): Buffer {
  const parts: Buffer[] = [Buffer.from([portmap ? 1 : 0])];
  for (const p of packets) {
    const d = Buffer.alloc(DESCRIPTOR);
    d[0] = (p.toServer ? 0 : 1) | (p.syn ? 2 : 0) | (p.fin ? 4 : 0) | (p.rst ? 8 : 0) | (p.fragment ? 16 : 0);
    if (p.fragment) {
      d[1] = p.fragment.id & 0xff;
      d[2] = p.fragment.offset8 & 0xff;
    } else {
      d.writeInt16BE(Math.max(-32768, Math.min(32767, p.seqDelta ?? 0)), 1);
    }
    d.writeUInt16BE(Math.min(p.payload.length, 0xffff), 3);
    parts.push(d, Buffer.from(p.payload.subarray(0, 0xffff)));
  }
  return Buffer.concat(parts);
}

export function fuzz(data: Buffer): void {
  if (data.length < 1) return;
  const serverPort = data[0] & 1 ? 111 : 2049;
  const pipeline = new Pipeline({ ...DEFAULT_PIPELINE, hold: false }, () => {});
  const next = [ISN[0], ISN[1]]; // next sequence number expected per direction (0: client → server)
  const ts: Timestamp = { sec: 1_700_000_000, nsec: 0 };
  let frameNo = 0;
  for (let at = 1; at + DESCRIPTOR <= data.length; ) {
    const d0 = data[at];
    const len = Math.min(data.readUInt16BE(at + 3), data.length - at - DESCRIPTOR);
    const payload = data.subarray(at + DESCRIPTOR, at + DESCRIPTOR + len);
    const dir = d0 & 1;
    const e: Endpoints = { toServer: dir === 0, serverPort };
    let bytes: Uint8Array;
    if (d0 & 16) {
      bytes = udpFragment(e, data[at + 1], data[at + 2], (d0 & 2) !== 0, payload);
    } else {
      const seq = (next[dir] + data.readInt16BE(at + 1)) >>> 0;
      const flags = (d0 & 2 ? TCP_SYN : 0) | (d0 & 4 ? TCP_FIN : 0) | (d0 & 8 ? TCP_RST : 0) | TCP_ACK | (len > 0 ? TCP_PSH : 0);
      bytes = tcpSegment(e, seq, next[1 - dir], flags, payload);
      const end = (seq + len + (d0 & 2 ? 1 : 0) + (d0 & 4 ? 1 : 0)) >>> 0;
      if (((end - next[dir]) | 0) > 0) next[dir] = end;
    }
    const nsec = ts.nsec + STEP_NSEC[d0 >> 6];
    ts.sec += Math.floor(nsec / 1e9);
    ts.nsec = nsec % 1e9;
    pipeline.pushFrame(frameOf(bytes, ++frameNo, { ...ts }, d0 & 32 ? bytes.length >> 1 : 0));
    at += DESCRIPTOR + len;
  }
  pipeline.finish();
  pipeline.warningLines();
}
