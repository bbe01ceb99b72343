/**
 * openCaptureAt: read a capture file again from a frame whose position a first pass recorded (RawFrame.position),
 * for the TUI's large-file mode, which keeps compact rows and decodes a transaction again when it is selected.
 *
 * The bytes come from positional reads of the file (a FileHandle, fixed-size chunks, each a fresh buffer since
 * frames may keep views of them) and go through the very readers of the first pass, resumed with the position's
 * state (frame-position.ts): frames come out identical (bytes, time, lengths, link type, interface, position) and
 * damage is caught by the same checks. A classic pcap's file header is read again first, so a file replaced by
 * one of another kind is noticed; beyond that a changed file cannot be told from the original, and what is read
 * is decoded as it is.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { asReaderState, type ReaderOptions } from './frame-position';
import { ioError } from './open-capture';
import { readPcapClassic } from './pcap-classic';
import { PCAP_FILE_HEADER_LEN } from './pcap-header';
import { readPcapng } from './pcapng';
import { readPcapNsec } from './pcap-nsec';
import { CaptureError, type FramePosition, type PacketSource, type RawFrame } from './raw-frame';

/** Bytes per positional read: large enough for few system calls, small enough that a short re-read stays cheap. */
const CHUNK = 64 * 1024;

/**
 * The frames of the capture file at `path` from the frame at `at` on (numbered from `frameNo`), to the end of the
 * file or until the consumer stops (which closes the file). The file is opened when frames() is iterated; every
 * problem (cannot open, a position past the end or not at a frame, damage further on) is a CaptureError thrown
 * by the iteration, after the frames before it.
 */
export function openCaptureAt(path: string, at: FramePosition, frameNo: number): PacketSource {
  let consumed = 0;
  let started = false;
  return {
    name: path,
    frames(): AsyncIterable<RawFrame> {
      if (started) throw new Error(`${path}: frames() can be iterated only once`);
      started = true;
      return framesAt(path, at, frameNo, (n) => {
        consumed += n;
      });
    },
    bytesRead: () => consumed,
  };
}

async function* framesAt(
  path: string,
  at: FramePosition,
  frameNo: number,
  count: (n: number) => void,
): AsyncGenerator<RawFrame, void, undefined> {
  const state = asReaderState(at.state);
  if (!state) throw new CaptureError('unsupported', `${path}: not a frame position made by this program's readers`);
  const offset = at.offset;
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new CaptureError('unsupported', `${path}: bad frame position (offset ${String(offset)})`);
  }
  if (!Number.isSafeInteger(frameNo) || frameNo < 1) {
    throw new CaptureError('unsupported', `${path}: bad frame number ${String(frameNo)}`);
  }
  const opts: ReaderOptions = { resume: { offset, frameNo, state } };
  if (state.format === 'pcapng') {
    yield* readPcapng(fileRanges(path, [[offset, Infinity]], count), path, opts);
    return;
  }
  // The classic readers read the file header again (checked against the state), then the records from `offset`.
  const input = fileRanges(path, [[0, PCAP_FILE_HEADER_LEN], [offset, Infinity]], count);
  yield* state.nanosecond ? readPcapNsec(input, path, opts) : readPcapClassic(input, path, opts);
}

/**
 * The bytes of the file in the given [start, end) ranges, in order, as chunks of at most CHUNK bytes (a range
 * stops early at the end of the file). The file is open only while the iteration runs: closed at its end, on an
 * error, or when the consumer stops.
 */
async function* fileRanges(
  path: string,
  ranges: ReadonlyArray<readonly [number, number]>,
  count: (n: number) => void,
): AsyncGenerator<Buffer, void, undefined> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw ioError(err, path);
  }
  try {
    for (const [start, end] of ranges) {
      for (let pos = start; pos < end; ) {
        const want = Math.min(CHUNK, end - pos);
        const buf = Buffer.allocUnsafe(want);
        let got: number;
        try {
          got = (await fh.read(buf, 0, want, pos)).bytesRead;
        } catch (err) {
          throw ioError(err, path);
        }
        if (got === 0) break;
        count(got);
        pos += got;
        yield got === want ? buf : buf.subarray(0, got);
      }
    }
  } finally {
    await fh.close();
  }
}
