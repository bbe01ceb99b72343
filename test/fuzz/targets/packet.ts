/**
 * Fuzz target (c): one frame through link, IP, UDP/TCP decoding and the lower-layer formatters (-V lines, -v
 * blocks). Input: byte 0 picks the link type (link-types.ts), byte 1 how many bytes the snaplen cut off (origLen =
 * capLen + byte 1), the rest is the frame. The decoders report bad input as anomalies; any exception is a bug.
 */
import type { RawFrame } from '../../../src/capture/raw-frame';
import { layerDetailBlocks, wallClock } from '../../../src/format/layer-detail';
import { dissectFrame, frameAddresses, layerSummaries } from '../../../src/format/layer-lines';
import { PacketDecoder } from '../../../src/net/packet-decoder';
import { probeRpcHeader } from '../../../src/rpc/detect';
import { udpRecord } from '../../../src/rpc/udp-records';
import { linkTypeOf } from './link-types';

export const PACKET_HEADER = 2;

export function fuzz(data: Buffer): void {
  if (data.length < PACKET_HEADER) return;
  const bytes = data.subarray(PACKET_HEADER);
  const frame: RawFrame = {
    frameNo: 1,
    ts: { sec: 1_700_000_000, nsec: 0 },
    capLen: bytes.length,
    origLen: bytes.length + data[1],
    linkType: linkTypeOf(data[0]),
    bytes,
    interfaceId: 0,
  };
  const decoder = new PacketDecoder();
  const pkt = decoder.decode(frame);
  if (pkt && pkt.transport === 'udp') {
    const p = probeRpcHeader(pkt.payload, 0, pkt.payload.length);
    if (p === 'call' || p === 'reply') udpRecord(pkt);
  }
  decoder.finish();
  dissectFrame(frame);
  frameAddresses(frame);
  layerSummaries(frame);
  layerDetailBlocks(frame, { clock: wallClock('UTC') });
}
