/**
 * Classic pcap with NANOSECOND timestamps (magic 0xa1b23c4d, either byte order), read directly.
 *
 * pcap-parser only knows the microsecond magic, so these files come here. The reader is written for both
 * resolutions (the record layout is identical, only the unit of ts_frac differs): openCapture sends µs files
 * to pcap-parser as the project requires, and the tests use this reader to cross-check pcap-parser.
 * Layout and shared rules: pcap-header.ts.
 */

import { ByteReader } from './byte-reader';
import { checkResumedHeader, noFrameAtError, pcapReaderState, type ReaderOptions } from './frame-position';
import {
  damagedRecordError,
  classicTimestamp,
  parsePcapFileHeader,
  PCAP_FILE_HEADER_LEN,
  PCAP_RECORD_HEADER_LEN,
  recordLengthLimit,
  truncatedFrameError,
} from './pcap-header';
import type { RawFrame } from './raw-frame';

/**
 * Frames of a classic pcap file (ns or µs magic) read from `input`. `name` prefixes error messages.
 * Throws CaptureError: 'truncated' when the input ends inside the header or a record, 'damaged' for an
 * impossible record length, after yielding every frame before it. Ending the iteration early closes `input`.
 * `opts`: record frame positions, or resume at one (frame-position.ts).
 */
export async function* readPcapNsec(
  input: AsyncIterable<Uint8Array>,
  name: string,
  opts: ReaderOptions = {},
): AsyncGenerator<RawFrame, void, undefined> {
  for await (const batch of readPcapNsecBatches(input, name, opts)) yield* batch;
}

/**
 * The same frames in batches: every whole record already buffered is taken without awaiting, and the batch is
 * handed over when the next record needs more input (or before an error is thrown: the frames before the
 * problem always come first). The arrays are the consumer's.
 */
export async function* readPcapNsecBatches(
  input: AsyncIterable<Uint8Array>,
  name: string,
  opts: ReaderOptions = {},
): AsyncGenerator<RawFrame[], void, undefined> {
  const bytes = new ByteReader(input, name);
  const resume = opts.resume;
  let batch: RawFrame[] = [];
  try {
    await bytes.ensure(PCAP_FILE_HEADER_LEN);
    const header = parsePcapFileHeader(bytes.take(Math.min(bytes.buffered, PCAP_FILE_HEADER_LEN)), name);
    const resumed = resume?.state;
    if (resumed) {
      if (resumed.format !== 'pcap') throw new TypeError('readPcapNsec: resume state is not a pcap state');
      checkResumedHeader(header, resumed, name);
    }
    const le = header.littleEndian;
    const fracPerSec = header.nanosecond ? 1e9 : 1e6;
    const limit = recordLengthLimit(header.snaplen);
    // Shared by every frame of the file (on resume, the very object of the first pass).
    const state = resumed ?? (opts.positions ? pcapReaderState(header) : undefined);
    // File offset = input offset + delta: on resume the input is the header, then the file from resume.offset.
    const delta = resume ? resume.offset - PCAP_FILE_HEADER_LEN : 0;
    const first = resume ? resume.frameNo : 1;

    for (let frameNo = first; ; frameNo++) {
      const offset = bytes.offset + delta;
      if (bytes.buffered < PCAP_RECORD_HEADER_LEN) {
        if (batch.length > 0) {
          yield batch;
          batch = [];
        }
        if (!(await bytes.ensure(PCAP_RECORD_HEADER_LEN))) {
          if (bytes.buffered === 0) {
            if (resume && frameNo === first) throw noFrameAtError(name, offset);
            return;
          }
          throw truncatedFrameError(name, frameNo);
        }
      }
      // the header's fields are read where they lie (no view per record header)
      const sec = bytes.u32(0, le);
      const frac = bytes.u32(4, le);
      const capLen = bytes.u32(8, le);
      const origLen = bytes.u32(12, le);
      bytes.discard(PCAP_RECORD_HEADER_LEN);
      if (capLen > limit) {
        if (batch.length > 0) {
          yield batch;
          batch = [];
        }
        throw damagedRecordError(name, frameNo, offset, capLen, header.snaplen);
      }
      if (bytes.buffered < capLen) {
        if (batch.length > 0) {
          yield batch;
          batch = [];
        }
        if (!(await bytes.ensure(capLen))) throw truncatedFrameError(name, frameNo);
      }
      const data = bytes.take(capLen);
      const frame: RawFrame = {
        frameNo,
        ts: classicTimestamp(sec, frac, fracPerSec),
        capLen,
        origLen,
        linkType: header.linkType,
        bytes: data,
        interfaceId: 0,
      };
      if (state) frame.position = { offset, state };
      batch.push(frame);
    }
  } finally {
    await bytes.close();
  }
}
