/**
 * Fuzz target (a): classic pcap files, µs and ns magic, either byte order. The input is the file. It is read the
 * way `rpcsnoop -r` reads it (openCaptureBytes sniffs the magic: µs through pcap-parser, ns through pcap-nsec.ts),
 * and also through readPcapNsec, which reads both resolutions itself. A damaged or cut file must end in a
 * CaptureError after the frames before it; any other exception is a bug and escapes.
 */
import { openCaptureBytes } from '../../../src/capture/open-capture';
import { readPcapNsecBatches } from '../../../src/capture/pcap-nsec';
import { CaptureError } from '../../../src/capture/raw-frame';

async function drain(frames: AsyncIterable<unknown[]>): Promise<void> {
  try {
    for await (const batch of frames) void batch.length;
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
  }
}

async function* once(b: Buffer): AsyncGenerator<Buffer, void, undefined> {
  yield b;
}

export async function fuzz(data: Buffer): Promise<void> {
  let source;
  try {
    source = await openCaptureBytes(data, 'fuzz.pcap');
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
    return;
  }
  await drain((source.batches as () => AsyncIterable<unknown[]>)());
  // The direct reader accepts both classic magics; split the input in two chunks to exercise its reassembly of
  // records across chunk boundaries (the split point comes from the data).
  const cut = data.length > 0 ? data[data.length - 1] % (data.length + 1) : 0;
  async function* two(): AsyncGenerator<Buffer, void, undefined> {
    yield data.subarray(0, cut);
    yield data.subarray(cut);
  }
  await drain(readPcapNsecBatches(cut > 0 ? two() : once(data), 'fuzz.pcap'));
}
