/**
 * Small writers for synthetic capture files (classic pcap, pcapng) and helpers to feed and drain the capture
 * readers in tests. Formats: see src/capture/pcap-header.ts and src/capture/pcapng.ts.
 */

import { CaptureError, type RawFrame } from '../../src/capture/raw-frame';

// ---------------------------------------------------------------- classic pcap

export interface PcapHeaderSpec {
  littleEndian?: boolean; // default true
  nanosecond?: boolean; // default false
  versionMajor?: number; // default 2
  versionMinor?: number; // default 4
  snaplen?: number; // default 262144
  linkType?: number; // default 1 (Ethernet)
}

export interface PcapRecordSpec {
  sec: number;
  /** µs or ns, as the file header says. */
  frac: number;
  data: Uint8Array;
  /** Default: data.length. */
  origLen?: number;
  /** Written incl_len; default data.length (set it to forge a damaged record). */
  capLenField?: number;
}

export function pcapHeader(spec: PcapHeaderSpec = {}): Buffer {
  const le = spec.littleEndian ?? true;
  const b = Buffer.alloc(24);
  const magic = spec.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4;
  if (le) {
    b.writeUInt32LE(magic, 0);
    b.writeUInt16LE(spec.versionMajor ?? 2, 4);
    b.writeUInt16LE(spec.versionMinor ?? 4, 6);
    b.writeUInt32LE(spec.snaplen ?? 262144, 16);
    b.writeUInt32LE(spec.linkType ?? 1, 20);
  } else {
    b.writeUInt32BE(magic, 0);
    b.writeUInt16BE(spec.versionMajor ?? 2, 4);
    b.writeUInt16BE(spec.versionMinor ?? 4, 6);
    b.writeUInt32BE(spec.snaplen ?? 262144, 16);
    b.writeUInt32BE(spec.linkType ?? 1, 20);
  }
  return b;
}

export function pcapRecord(rec: PcapRecordSpec, littleEndian = true): Buffer {
  const h = Buffer.alloc(16);
  const w = (v: number, o: number): number => (littleEndian ? h.writeUInt32LE(v, o) : h.writeUInt32BE(v, o));
  w(rec.sec, 0);
  w(rec.frac, 4);
  w(rec.capLenField ?? rec.data.length, 8);
  w(rec.origLen ?? rec.data.length, 12);
  return Buffer.concat([h, rec.data]);
}

export function pcapFile(spec: PcapHeaderSpec, records: PcapRecordSpec[]): Buffer {
  const le = spec.littleEndian ?? true;
  return Buffer.concat([pcapHeader(spec), ...records.map((r) => pcapRecord(r, le))]);
}

/** File offsets of every record header of a classic pcap (for cutting fixtures at chosen places). */
export function pcapRecordOffsets(file: Buffer): number[] {
  const le = file.readUInt32LE(0) === 0xa1b2c3d4 || file.readUInt32LE(0) === 0xa1b23c4d;
  const offsets: number[] = [];
  for (let o = 24; o + 16 <= file.length; ) {
    offsets.push(o);
    o += 16 + (le ? file.readUInt32LE(o + 8) : file.readUInt32BE(o + 8));
  }
  return offsets;
}

// ---------------------------------------------------------------- pcapng

export interface NgOption {
  code: number;
  value: Uint8Array;
}

function u16(le: boolean, v: number): Buffer {
  const b = Buffer.alloc(2);
  if (le) b.writeUInt16LE(v);
  else b.writeUInt16BE(v);
  return b;
}

function u32(le: boolean, v: number): Buffer {
  const b = Buffer.alloc(4);
  if (le) b.writeUInt32LE(v >>> 0);
  else b.writeUInt32BE(v >>> 0);
  return b;
}

function i64(le: boolean, v: bigint): Buffer {
  const b = Buffer.alloc(8);
  if (le) b.writeBigInt64LE(v);
  else b.writeBigInt64BE(v);
  return b;
}

function pad4(data: Uint8Array): Buffer {
  const padded = Buffer.alloc((data.length + 3) & ~3);
  padded.set(data);
  return padded;
}

export function ngOptions(le: boolean, options: NgOption[]): Buffer {
  if (options.length === 0) return Buffer.alloc(0);
  const parts = options.map((o) => Buffer.concat([u16(le, o.code), u16(le, o.value.length), pad4(o.value)]));
  return Buffer.concat([...parts, u16(le, 0), u16(le, 0)]);
}

/** A block with correct lengths unless `length` / `trailer` override them (to forge damage). */
export function ngBlock(
  le: boolean,
  type: number,
  body: Uint8Array,
  forge: { length?: number; trailer?: number } = {},
): Buffer {
  const padded = pad4(body);
  const len = forge.length ?? 12 + padded.length;
  return Buffer.concat([u32(le, type), u32(le, len), padded, u32(le, forge.trailer ?? len)]);
}

export function ngShb(le: boolean, versionMajor = 1): Buffer {
  const body = Buffer.concat([u32(le, 0x1a2b3c4d), u16(le, versionMajor), u16(le, 0), i64(le, -1n)]);
  return ngBlock(le, 0x0a0d0d0a, body);
}

export function ngIdb(
  le: boolean,
  linkType: number,
  snaplen: number,
  opts: { tsresol?: number; tsoffset?: bigint } = {},
): Buffer {
  const options: NgOption[] = [];
  options.push({ code: 2, value: Buffer.from('eth0') }); // if_name, to be skipped
  if (opts.tsresol !== undefined) options.push({ code: 9, value: Uint8Array.of(opts.tsresol) });
  if (opts.tsoffset !== undefined) options.push({ code: 14, value: i64(le, opts.tsoffset) });
  return ngBlock(le, 1, Buffer.concat([u16(le, linkType), u16(le, 0), u32(le, snaplen), ngOptions(le, options)]));
}

function tsWords(le: boolean, ticks: bigint): Buffer {
  return Buffer.concat([u32(le, Number(ticks >> 32n)), u32(le, Number(ticks & 0xffffffffn))]);
}

/** An EPB with an opt_comment (options follow the data: the reader must not take them for data). */
export function ngEpb(
  le: boolean,
  ifId: number,
  ticks: bigint,
  data: Uint8Array,
  origLen = data.length,
  capLenField = data.length,
): Buffer {
  const comment = ngOptions(le, [{ code: 1, value: Buffer.from('a comment') }]);
  const fixed = [u32(le, ifId), tsWords(le, ticks), u32(le, capLenField), u32(le, origLen)];
  const body = Buffer.concat([...fixed, pad4(data), comment]);
  return ngBlock(le, 6, body);
}

export function ngOpb(le: boolean, ifId: number, ticks: bigint, data: Uint8Array, origLen = data.length): Buffer {
  const fixed = [u16(le, ifId), u16(le, 0), tsWords(le, ticks), u32(le, data.length), u32(le, origLen)];
  const body = Buffer.concat([...fixed, pad4(data)]);
  return ngBlock(le, 2, body);
}

export function ngSpb(le: boolean, origLen: number, data: Uint8Array): Buffer {
  return ngBlock(le, 3, Buffer.concat([u32(le, origLen), pad4(data)]));
}

// ---------------------------------------------------------------- feeding and draining

/** The bytes as an async stream of chunks of `size` bytes (fresh copies, like a real stream). */
export async function* chunks(bytes: Uint8Array, size = 65536): AsyncGenerator<Buffer, void, undefined> {
  for (let o = 0; o < bytes.length; o += size) yield Buffer.from(bytes.subarray(o, o + size));
}

/** The bytes split into two chunks at `at`. */
export async function* splitAt(bytes: Uint8Array, at: number): AsyncGenerator<Buffer, void, undefined> {
  yield Buffer.from(bytes.subarray(0, at));
  yield Buffer.from(bytes.subarray(at));
}

/** `prefix`, then zeros forever: a reader that does not stop at damage would hang or buffer without bound. */
export async function* thenEndlessZeros(prefix: Uint8Array): AsyncGenerator<Buffer, void, undefined> {
  yield Buffer.from(prefix);
  for (;;) yield Buffer.alloc(65536);
}

/** `prefix`, then the input fails with `error` (a disk error mid-file, a broken pipe). */
export async function* thenFail(prefix: Uint8Array, error: unknown): AsyncGenerator<Buffer, void, undefined> {
  yield Buffer.from(prefix);
  throw error;
}

export interface Drained {
  frames: RawFrame[];
  error?: CaptureError;
}

/** All frames, and the CaptureError that ended them if any (anything else is rethrown: a test failure). */
export async function drain(frames: AsyncIterable<RawFrame>): Promise<Drained> {
  const out: RawFrame[] = [];
  try {
    for await (const f of frames) out.push(f);
  } catch (err) {
    if (err instanceof CaptureError) return { frames: out, error: err };
    throw err;
  }
  return { frames: out };
}

/** A frame reduced to comparable plain values (bytes as hex). */
export function frameSummary(f: RawFrame): Record<string, unknown> {
  return {
    frameNo: f.frameNo,
    sec: f.ts.sec,
    nsec: f.ts.nsec,
    capLen: f.capLen,
    origLen: f.origLen,
    linkType: f.linkType,
    interfaceId: f.interfaceId,
    bytes: Buffer.from(f.bytes).toString('hex'),
  };
}
