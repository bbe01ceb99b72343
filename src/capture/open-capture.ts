/**
 * openCapture: a capture file (or stdin, "-") as a PacketSource, whatever its format.
 *
 * The format is decided by content, never by file name (like libpcap and Wireshark's wiretap): the first
 * bytes are peeked without losing them (ByteReader keeps them; the reader gets them back through rest()).
 *   1f 8b                 gzip (RFC 1952): decompressed as a stream, then sniffed again (one level)
 *   a1 b2 c3 d4 / d4 c3 b2 a1   classic pcap, µs   -> pcap-classic.ts (through pcap-parser)
 *   a1 b2 3c 4d / 4d 3c b2 a1   classic pcap, ns   -> pcap-nsec.ts
 *   0a 0d 0d 0a           pcapng section header  -> pcapng.ts
 * Input problems become one-line CaptureErrors; nothing here buffers more than the readers' capped records.
 * Frames of an uncompressed regular file read by path carry their FramePosition (open-capture-at.ts reads them
 * again); gzip input, stdin, pipes and devices give none, since their bytes cannot be read again.
 * Only the reader of the format found is loaded, and zlib only for gzip input: a plain pcap file starts without
 * the others (docs/performance.md "Time to the first line").
 */

import * as fs from 'node:fs';
import { Readable, pipeline } from 'node:stream';
import { ByteReader } from './byte-reader';
import type { ReaderOptions } from './frame-position';
import { classicMagic } from './pcap-header';
import { CaptureError, type PacketSource, type RawFrame } from './raw-frame';

export type CaptureFormat = 'pcap' | 'pcap-nsec' | 'pcapng';

type BatchReader = (
  input: AsyncIterable<Uint8Array>,
  name: string,
  opts?: ReaderOptions,
) => AsyncGenerator<RawFrame[], void, undefined>;

type FrameReader = (
  input: AsyncIterable<Uint8Array>,
  name: string,
  opts?: ReaderOptions,
) => AsyncGenerator<RawFrame, void, undefined>;

/** The reader of a format, and its batch form if it has one (the others' frames are handed out one per batch). */
async function loadReader(format: CaptureFormat): Promise<{ frames: FrameReader; batches?: BatchReader }> {
  switch (format) {
    case 'pcap': {
      const m = await import('./pcap-classic');
      return { frames: m.readPcapClassic, batches: m.readPcapClassicBatches };
    }
    case 'pcap-nsec': {
      const m = await import('./pcap-nsec');
      return { frames: m.readPcapNsec, batches: m.readPcapNsecBatches };
    }
    case 'pcapng':
      return { frames: (await import('./pcapng')).readPcapng };
  }
}

/** strerror(3) wording for the errors a user can cause with a path; others fall back to libuv's text. */
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EMFILE: 'Too many open files',
  EIO: 'Input/output error',
};

/** The format whose magic starts `head` (4 bytes), or undefined. */
export function sniffFormat(head: Uint8Array): CaptureFormat | 'pcap-modified' | undefined {
  if (head.length < 4) return undefined;
  if (head[0] === 0x0a && head[1] === 0x0d && head[2] === 0x0d && head[3] === 0x0a) return 'pcapng';
  const classic = classicMagic(head);
  if (!classic) return undefined;
  if (classic.modified) return 'pcap-modified';
  return classic.nanosecond ? 'pcap-nsec' : 'pcap';
}

/**
 * Open a capture file, or stdin for "-", and decide its format. Rejects with CaptureError ('io',
 * 'not_a_capture', 'unsupported', 'truncated', 'damaged') when the input cannot be read or is not a capture.
 * The returned source streams: frames() may be iterated once, and stopping early closes the input.
 */
export async function openCapture(pathOrDash: string, options: { positions?: boolean } = {}): Promise<PacketSource> {
  const display = pathOrDash === '-' ? 'stdin' : pathOrDash;
  let consumed = 0;
  let raw: AsyncIterable<Buffer>;
  // Only a regular file can be read again at a position; a failed stat leaves the error to the read itself.
  let regularFile: Promise<boolean> = Promise.resolve(false);
  const wantPositions = options.positions !== false;
  if (pathOrDash === '-') {
    // A terminal would only wait for typed bytes that can never be a capture.
    if (process.stdin.isTTY) throw new CaptureError('io', 'stdin: is a terminal; pipe a capture file into it');
    raw = process.stdin;
  } else {
    try {
      raw = readFileChunks(pathOrDash);
      // fs.stat, not fs.promises: the promise API's first use loads several of node's modules (fs/promises, readline)
      if (wantPositions) {
        regularFile = new Promise((resolve) => {
          try {
            fs.stat(pathOrDash, (err, st) => resolve(!err && st.isFile()));
          } catch {
            resolve(false); // an invalid path (a NUL byte) throws here; the read reports it
          }
        });
      }
    } catch (err) {
      throw ioError(err, display); // e.g. a path with a NUL byte, rejected before any I/O
    }
  }
  const counted = countBytes(mapIoErrors(raw, display), (n) => {
    consumed += n;
  });
  return openInput(counted, pathOrDash, display, regularFile, options.positions !== false, () => consumed);
}

/**
 * A capture held in memory as a PacketSource, decided by content like openCapture (gzip too), with no file or
 * stream behind it: for programs that already have the bytes (tests, fuzzing). `bytes` stays the caller's, but
 * frames are views of it (or of its decompressed copy), so it must not be changed while they are in use.
 * Frames carry no positions. Rejects and throws as openCapture does, except that there are no 'io' errors.
 */
export async function openCaptureBytes(bytes: Uint8Array, name = 'memory'): Promise<PacketSource> {
  let consumed = 0;
  async function* once(): AsyncGenerator<Buffer, void, undefined> {
    consumed = bytes.length;
    if (bytes.length > 0) yield Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  }
  return openInput(once(), name, name, Promise.resolve(false), false, () => consumed);
}

/** Sniff the format of `counted` (after gunzip when it is gzip) and return the PacketSource reading it. */
async function openInput(
  counted: AsyncIterable<Buffer>,
  name: string,
  display: string,
  regularFile: Promise<boolean>,
  wantPositions: boolean,
  bytesRead: () => number,
): Promise<PacketSource> {
  let bytes = new ByteReader(counted, display);
  let gzipped = false;
  let format: CaptureFormat;
  try {
    await bytes.ensure(4);
    let head = bytes.peek(Math.min(bytes.buffered, 4));
    if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
      gzipped = true;
      bytes = new ByteReader(gunzip(bytes.rest(), display), display);
      await bytes.ensure(4);
      head = bytes.peek(Math.min(bytes.buffered, 4));
    }
    format = decideFormat(head, display, gzipped);
  } catch (err) {
    await bytes.close();
    throw err;
  }

  let loaded;
  try {
    loaded = await loadReader(format);
  } catch (err) {
    await bytes.close();
    throw err;
  }
  const reader = loaded.frames;
  const input = bytes;
  // `positions: false`: the caller will not read frames again (rpcsnoop -r), so no position object per frame.
  const positions = wantPositions && !gzipped && (await regularFile);
  const batchReader = loaded.batches;
  let started = false;
  const start = (): void => {
    if (started) throw new Error(`${display}: frames() can be iterated only once`);
    started = true;
  };
  return {
    name,
    frames(): AsyncIterable<RawFrame> {
      start();
      return reader(input.rest(), display, { positions });
    },
    batches(): AsyncIterable<RawFrame[]> {
      start();
      return batchReader ? batchReader(input.rest(), display, { positions }) : singleBatches(reader(input.rest(), display, { positions }));
    },
    bytesRead,
  };
}

/** Frames one per batch, for readers without a batch form. */
async function* singleBatches(frames: AsyncIterable<RawFrame>): AsyncGenerator<RawFrame[], void, undefined> {
  for await (const f of frames) yield [f];
}

function decideFormat(head: Buffer, display: string, gzipped: boolean): CaptureFormat {
  const inGzip = gzipped ? ' inside gzip' : '';
  if (head.length === 0) {
    const what = gzipped ? 'empty gzip data' : 'empty file';
    throw new CaptureError('not_a_capture', `${display}: ${what}, not a pcap or pcapng file`);
  }
  const format = sniffFormat(head);
  if (format === 'pcap-modified') {
    throw new CaptureError('unsupported', `${display}: modified (Kuznetzov) pcap format is not supported`);
  }
  if (!format) {
    const magic = head.length < 4 ? `only ${head.length} bytes` : `magic 0x${head.toString('hex')}`;
    throw new CaptureError('not_a_capture', `${display}: not a pcap or pcapng file (${magic}${inGzip})`);
  }
  return format;
}

/** The first read of a file is this small, so that the first frames reach the pipeline, and the first line the
 *  terminal, without waiting for a whole chunk's worth of records to be parsed (issue 7). */
const FIRST_READ = 16 * 1024;
/** Later reads: fs.createReadStream's default. More gained no CPU and cost peak RSS (docs/performance.md). */
const READ_CHUNK = 64 * 1024;

/**
 * The bytes of a file (or a FIFO or device named by path), read in order from its current position. Each chunk is
 * a Buffer of its own, never reused, so views of it may be kept as frame bytes (as with fs streams). Not
 * fs.createReadStream: its module loads fs/promises, readline and fs watchers (a few milliseconds at start), and its
 * first read would be a full chunk. Like a stream, it reads one chunk ahead while the consumer works on the last.
 * The file is closed when the iteration ends, early or not, once no read is in flight.
 */
async function* readFileChunks(path: string): AsyncGenerator<Buffer, void, undefined> {
  const fd = await new Promise<number>((resolve, reject) => fs.open(path, 'r', (err, fd) => (err ? reject(err) : resolve(fd))));
  const readChunk = (size: number): Promise<Buffer | null> => {
    const buf = Buffer.allocUnsafeSlow(size);
    const p = new Promise<Buffer | null>((resolve, reject) =>
      fs.read(fd, buf, 0, size, null, (err, n) => {
        if (err) reject(err);
        // a short read (a pipe, the end of the file) is copied out, so that a kept view does not pin the whole buffer
        else resolve(n === 0 ? null : n === size ? buf : Buffer.from(buf.subarray(0, n)));
      }),
    );
    p.catch(() => {}); // a failed read-ahead is reported when awaited, not as an unhandled rejection meanwhile
    return p;
  };
  let next = readChunk(FIRST_READ);
  try {
    for (;;) {
      const chunk = await next;
      if (chunk === null) return;
      next = readChunk(READ_CHUNK);
      yield chunk;
    }
  } finally {
    await next.catch(() => null); // never close the descriptor under a read in flight
    // awaited: once the iteration has ended, the descriptor is closed (a close error has nothing left to spoil)
    await new Promise<void>((resolve) => fs.close(fd, () => resolve()));
  }
}

/** Rethrow read errors of the file or stdin as one-line CaptureError('io'). */
async function* mapIoErrors(stream: AsyncIterable<Buffer>, display: string): AsyncGenerator<Buffer, void, undefined> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (err) {
    throw ioError(err, display);
  }
}

/** A read or open error as a one-line CaptureError('io') (strerror wording). */
export function ioError(err: unknown, display: string): CaptureError {
  if (err instanceof CaptureError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const message = err instanceof Error ? err.message : String(err);
  // libuv messages look like "ENOENT: no such file or directory, open 'x'": keep the middle part.
  const fromLibuv = /^[A-Z]+: ([^,]+)/.exec(message)?.[1];
  const known = code !== undefined ? ERRNO_TEXT[code] : undefined;
  const text = known ?? fromLibuv ?? message;
  return new CaptureError('io', `${display}: ${text.charAt(0).toUpperCase()}${text.slice(1)}`);
}

async function* countBytes(
  source: AsyncIterable<Buffer>,
  add: (n: number) => void,
): AsyncGenerator<Buffer, void, undefined> {
  for await (const chunk of source) {
    add(chunk.length);
    yield chunk;
  }
}

/**
 * Decompress a gzip stream (several members are fine) with backpressure. zlib errors become CaptureErrors:
 * a cut file is 'truncated' (everything decompressible has been yielded by then), anything else 'damaged'
 * (a bad CRC is only detected at the end of a member, and Node's zlib drops the output of the call that
 * fails, so the last chunk before it is not seen: data the CRC disowns anyway). Errors of the input itself
 * pass through as 'io'.
 */
async function* gunzip(input: AsyncIterable<Uint8Array>, display: string): AsyncGenerator<Buffer, void, undefined> {
  const zlib = await import('node:zlib');
  const source = Readable.from(input, { objectMode: false });
  const inflate = zlib.createGunzip();
  let inputError: unknown;
  source.on('error', (err) => {
    inputError = err;
  });
  // pipeline forwards backpressure and destroys both streams when either fails or the consumer stops.
  pipeline(source, inflate, () => {});
  try {
    for await (const chunk of inflate) yield chunk as Buffer;
  } catch (err) {
    if (inputError !== undefined) throw ioError(inputError, display);
    if (err instanceof CaptureError) throw err;
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'Z_BUF_ERROR') {
      throw new CaptureError('truncated', `${display}: gzip data ends early (the file was cut)`);
    }
    const why = err instanceof Error ? err.message : String(err);
    throw new CaptureError('damaged', `${display}: gzip data is corrupt (${why})`);
  } finally {
    inflate.destroy();
    source.destroy();
  }
}
