/**
 * Fuzz target (b): pcapng files (sections in either byte order, IDB options, EPB/OPB/SPB, skipped blocks). The
 * input is the file, read as `rpcsnoop -r` reads it (openCaptureBytes). A damaged file must end in a CaptureError
 * after the frames before it; any other exception is a bug and escapes.
 */
import { openCaptureBytes } from '../../../src/capture/open-capture';
import { CaptureError, type RawFrame } from '../../../src/capture/raw-frame';

export async function fuzz(data: Buffer): Promise<void> {
  try {
    const source = await openCaptureBytes(data, 'fuzz.pcapng');
    for await (const frame of source.frames() as AsyncIterable<RawFrame>) {
      if (frame.capLen !== frame.bytes.length) throw new Error(`frame ${frame.frameNo}: capLen ${frame.capLen} != ${frame.bytes.length} bytes`);
    }
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
  }
}
