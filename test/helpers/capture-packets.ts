/**
 * Real capture files read by the project's own code, for tests of the layers above: the frames as src/capture
 * reads them (openCapture: any format, decided by content), and the UDP datagrams and TCP segments src/net's
 * PacketDecoder makes of them (IP fragments reassembled). Both readers have tests of their own against tshark
 * (capture-*.test.ts, net-fixtures.test.ts).
 */
import { openCapture } from '../../src/capture/open-capture';
import type { RawFrame } from '../../src/capture/raw-frame';
import type { L4Packet } from '../../src/net/l4-packet';
import { PacketDecoder } from '../../src/net/packet-decoder';

/** Every frame of the capture at `path`, in order (a CaptureError rejects). */
export async function readFrames(path: string): Promise<RawFrame[]> {
  const frames: RawFrame[] = [];
  for await (const f of (await openCapture(path)).frames()) frames.push(f);
  return frames;
}

/** The UDP datagrams and TCP segments of the capture at `path`, in capture order. */
export async function readPackets(path: string): Promise<L4Packet[]> {
  const decoder = new PacketDecoder();
  const packets: L4Packet[] = [];
  for (const f of await readFrames(path)) {
    const p = decoder.decode(f);
    if (p !== null) packets.push(p);
  }
  decoder.finish();
  return packets;
}
