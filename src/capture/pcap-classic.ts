/**
 * Classic pcap with MICROSECOND timestamps (magic 0xa1b2c3d4, either byte order), read through the npm
 * package pcap-parser (0.2.x), as the project brief requires. Layout and shared rules: pcap-header.ts.
 *
 * pcap-parser is an EventEmitter over a readable stream ('globalHeader', 'packetHeader', 'packet', 'error',
 * 'end'). Its flaws, guarded here from outside:
 *  - it never caps incl_len: a record claiming 0xffffffff bytes makes it buffer the rest of the file. We
 *    watch 'packetHeader' and stop (parser.errored = true, destroy the stream) past recordLengthLimit();
 *  - it silently drops a partial record at end of file: at 'end' we look at what it still holds;
 *  - its version check is `major != 2 && minor != 4` (so 3.4 passes); and it has no backpressure, emitting
 *    every record of a chunk synchronously. We validate the file header ourselves before handing it the
 *    stream, and pause the stream while our queue is long.
 * It keeps parsing the rest of a chunk after a handler sets `errored`, so every handler checks our own
 * `outcome` first. Left as is: it re-copies its pending bytes on every chunk (quadratic in one record's size,
 * harmless under our 16 MiB cap) and uses the deprecated `new Buffer` (Node does not warn inside node_modules).
 */

import { Readable } from 'node:stream';
import { ByteReader } from './byte-reader';
import { checkResumedHeader, noFrameAtError, pcapReaderState, type PcapReaderState, type ReaderOptions } from './frame-position';
import {
  classicTimestamp,
  damagedRecordError,
  parsePcapFileHeader,
  PCAP_FILE_HEADER_LEN,
  PCAP_RECORD_HEADER_LEN,
  recordLengthLimit,
  truncatedFrameError,
} from './pcap-header';
import { CaptureError, type RawFrame } from './raw-frame';

/** Pause the input when this many frames wait for the consumer; it resumes when the consumer takes them (a batch). */
const QUEUE_HIGH_WATER = 1000;

/** The part of pcap-parser 0.2.1 we use (lib/pcap-parser.js; the package ships no types). */
interface PcapRecordHeader {
  timestampSeconds: number;
  timestampMicroseconds: number;
  capturedLength: number;
  originalLength: number;
}
interface PcapParser {
  on(event: 'packetHeader', listener: (header: PcapRecordHeader) => void): this;
  on(event: 'packet', listener: (packet: { header: PcapRecordHeader; data: Buffer }) => void): this;
  on(event: 'error', listener: (err: unknown) => void): this;
  on(event: 'end', listener: () => void): this;
  /** Internal: when true, onData ignores further chunks. */
  errored: boolean;
  /** Internal: bytes received but not parsed yet (null before the first chunk). */
  buffer: Buffer | null;
}
interface PcapParserModule {
  parse(input: Readable): PcapParser;
}
// The package has no type declarations; this cast is the one untyped boundary, described by the interfaces above.
const pcapParser = require('pcap-parser') as PcapParserModule;

/**
 * Frames of a microsecond classic pcap read from `input` through pcap-parser. `name` prefixes error messages.
 * Throws CaptureError ('truncated', 'damaged', 'unsupported', or the input's own error) after yielding every
 * frame before the problem. Ending the iteration early destroys the stream and closes `input`.
 * `opts`: record frame positions, or resume at one (frame-position.ts). Positions are counted here, since
 * pcap-parser does not tell them: the 24-byte file header, then per record its 16-byte header and exactly
 * incl_len bytes of data (pcap-parser slices `capturedLength` bytes, so data.length is incl_len).
 */
export async function* readPcapClassic(
  input: AsyncIterable<Uint8Array>,
  name: string,
  opts: ReaderOptions = {},
): AsyncGenerator<RawFrame, void, undefined> {
  for await (const batch of readPcapClassicBatches(input, name, opts)) yield* batch;
}

/**
 * The same frames as readPcapClassic, in batches: every frame pcap-parser has parsed by the time the consumer asks
 * (up to one input chunk's worth, and about QUEUE_HIGH_WATER at most), in order. A consumer that handles a batch
 * synchronously pays one await per batch instead of one per frame (the per-frame promise round trip of an async
 * generator was a tenth of a file run's time on small frames). The arrays are the consumer's: never reused here.
 */
export async function* readPcapClassicBatches(
  input: AsyncIterable<Uint8Array>,
  name: string,
  opts: ReaderOptions = {},
): AsyncGenerator<RawFrame[], void, undefined> {
  const bytes = new ByteReader(input, name);
  const resume = opts.resume;
  let linkType: number;
  let limit: number;
  let snaplen: number;
  let state: PcapReaderState | undefined;
  try {
    await bytes.ensure(PCAP_FILE_HEADER_LEN);
    const header = parsePcapFileHeader(bytes.peek(Math.min(bytes.buffered, PCAP_FILE_HEADER_LEN)), name);
    if (header.nanosecond) {
      throw new CaptureError('unsupported', `${name}: pcap-parser reads only microsecond pcap (use readPcapNsec)`);
    }
    const resumed = resume?.state;
    if (resumed) {
      if (resumed.format !== 'pcap') throw new TypeError('readPcapClassic: resume state is not a pcap state');
      checkResumedHeader(header, resumed, name);
    }
    linkType = header.linkType;
    snaplen = header.snaplen;
    limit = recordLengthLimit(snaplen);
    // Shared by every frame of the file (on resume, the very object of the first pass).
    state = resumed ?? (opts.positions ? pcapReaderState(header) : undefined);
  } catch (err) {
    await bytes.close();
    throw err;
  }

  // The header bytes were only peeked: pcap-parser reads the whole input, header included.
  const stream = Readable.from(bytes.rest(), { objectMode: false });
  const parser = pcapParser.parse(stream);

  let queue: RawFrame[] = [];
  let paused = false;
  // On resume the input is the file header, then the file from resume.offset: the first record is frame resume.frameNo.
  const firstFrame = resume ? resume.frameNo : 1;
  let frameNo = firstFrame - 1;
  let offset = resume ? resume.offset : PCAP_FILE_HEADER_LEN; // file offset of the next record header
  let headerPending = false; // a record header was parsed, its body not yet
  let outcome: { error?: CaptureError } | undefined;
  let wake: (() => void) | undefined;

  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const finish = (error?: CaptureError): void => {
    if (outcome) return;
    outcome = { error };
    parser.errored = true;
    stream.destroy();
    notify();
  };

  parser.on('packetHeader', (h) => {
    if (outcome) return;
    if (h.capturedLength > limit) {
      finish(damagedRecordError(name, frameNo + 1, offset, h.capturedLength, snaplen));
      return;
    }
    headerPending = true;
  });
  parser.on('packet', ({ header: h, data }) => {
    if (outcome) return;
    headerPending = false;
    frameNo++;
    const at = offset;
    offset += PCAP_RECORD_HEADER_LEN + data.length;
    const frame: RawFrame = {
      frameNo,
      ts: classicTimestamp(h.timestampSeconds, h.timestampMicroseconds, 1e6),
      capLen: data.length,
      origLen: h.originalLength,
      linkType,
      bytes: data,
      interfaceId: 0,
    };
    if (state) frame.position = { offset: at, state };
    queue.push(frame);
    if (!paused && queue.length > QUEUE_HIGH_WATER) {
      paused = true;
      stream.pause();
    }
    notify();
  });
  parser.on('error', (err) => {
    finish(
      err instanceof CaptureError
        ? err
        : new CaptureError('io', `${name}: ${err instanceof Error ? err.message : String(err)}`),
    );
  });
  parser.on('end', () => {
    // Bytes left over, or a header whose body never came: the file was cut inside record frameNo + 1.
    const leftover = parser.buffer?.length ?? 0;
    if (headerPending || leftover > 0) finish(truncatedFrameError(name, frameNo + 1));
    else if (resume && frameNo < firstFrame) finish(noFrameAtError(name, offset));
    else finish();
  });

  try {
    for (;;) {
      if (queue.length > 0) {
        const batch = queue;
        queue = [];
        if (paused) {
          paused = false;
          stream.resume();
        }
        yield batch;
        continue;
      }
      if (outcome) {
        if (outcome.error) throw outcome.error;
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    finish(); // the consumer stopped early: release the input (no-op when already finished)
  }
}
