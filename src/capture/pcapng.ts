/**
 * pcapng reader. Format: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html
 *
 * Every block: type u32, total length u32, body, total length u32 again, in the section's byte order.
 *   SHB 0x0A0D0D0A: byte-order magic 0x1A2B3C4D, version u16.u16, section length i64 (-1 = unknown), options.
 *                   Starts a section: interfaces are numbered from 0 again and the byte order may change.
 *   IDB 1:          link type u16, reserved u16, snaplen u32, options (if_tsresol 9, if_tsoffset 14).
 *   EPB 6:          interface u32, timestamp high u32, low u32, captured len u32, original len u32, data, options.
 *   OPB 2 (obsolete Packet Block): interface u16, drops u16, then as EPB.
 *   SPB 3:          original len u32, data; interface 0, no timestamp, captured len implied by the block length
 *                   and the interface's snaplen.
 * Everything else (NRB, ISB, DSB, custom, unknown) is skipped by its length without being buffered.
 *
 * Timestamps: a 64-bit tick count in units of 10^-n s (if_tsresol n, default 6) or 2^-n s (top bit set), plus
 * if_tsoffset seconds. Converted with BigInt so ns files stay exact; units finer than 1 ns are rounded down.
 */

import { ByteReader } from './byte-reader';
import { noFrameAtError, pcapngReaderState, type PcapngInterface, type PcapngReaderState, type ReaderOptions } from './frame-position';
import { truncatedFrameError } from './pcap-header';
import { CaptureError, type RawFrame, type Timestamp } from './raw-frame';

const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 1;
const BT_OPB = 2;
const BT_SPB = 3;
const BT_EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_ENDOFOPT = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

/** Largest block we buffer. Real blocks are a frame (<= 256 KiB) plus options; this bounds memory on damage. */
export const PCAPNG_MAX_BLOCK_LEN = 64 * 1024 * 1024;
/** Interfaces per section: OPB can only address 65536, and this bounds the table on hostile input. */
const MAX_INTERFACES = 65536;
const NS_PER_SEC = 1_000_000_000n;

/** Minimum total length per block type we decode (header 8 + fixed fields + trailer 4). */
const MIN_BLOCK_LEN: ReadonlyMap<number, number> = new Map([
  [BT_SHB, 28],
  [BT_IDB, 20],
  [BT_EPB, 32],
  [BT_OPB, 32],
  [BT_SPB, 16],
]);

/** Reads fields of one block in its section's byte order. */
class BlockView {
  constructor(
    readonly buf: Buffer,
    readonly le: boolean,
  ) {}
  u16(o: number): number {
    return this.le ? this.buf.readUInt16LE(o) : this.buf.readUInt16BE(o);
  }
  u32(o: number): number {
    return this.le ? this.buf.readUInt32LE(o) : this.buf.readUInt32BE(o);
  }
  i64(o: number): bigint {
    return this.le ? this.buf.readBigInt64LE(o) : this.buf.readBigInt64BE(o);
  }
}

/** Convert a tick count to {sec, nsec}; exact for resolutions down to 1 ns, rounded down below. */
export function pcapngTimestamp(ticks: bigint, ticksPerSec: bigint, offsetSec: bigint): Timestamp {
  const sec = ticks / ticksPerSec + offsetSec;
  const nsec = ((ticks % ticksPerSec) * NS_PER_SEC) / ticksPerSec;
  return { sec: Number(sec), nsec: Number(nsec) };
}

/** Ticks per second for an if_tsresol byte: 10^v, or 2^(v & 0x7f) when the top bit is set. */
export function ticksPerSecond(tsresol: number): bigint {
  return tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
}

/**
 * Frames of a pcapng file read from `input`; `name` prefixes error messages. Frame numbers run on across
 * sections. Throws CaptureError ('not_a_capture', 'unsupported', 'damaged', 'truncated') after yielding every
 * frame before the problem. Ending the iteration early closes `input`.
 * `opts`: record frame positions, or resume at one (frame-position.ts): the input then starts at a packet block
 * of a section whose byte order and interfaces the resume state gives; later SHBs and IDBs apply as they come.
 */
export async function* readPcapng(
  input: AsyncIterable<Uint8Array>,
  name: string,
  opts: ReaderOptions = {},
): AsyncGenerator<RawFrame, void, undefined> {
  const bytes = new ByteReader(input, name);
  const damaged = (msg: string): CaptureError => new CaptureError('damaged', `${name}: ${msg}`);
  let resumed: PcapngReaderState | undefined;
  if (opts.resume) {
    if (opts.resume.state.format !== 'pcapng') throw new TypeError('readPcapng: resume state is not a pcapng state');
    resumed = opts.resume.state;
  }
  const positions = resumed !== undefined || opts.positions === true;
  // File offset = input offset + base (the input starts at resume.offset on resume).
  const base = opts.resume?.offset ?? 0;
  const firstFrame = opts.resume?.frameNo ?? 1;
  let le = resumed?.littleEndian ?? true;
  let interfaces: PcapngInterface[] = resumed ? resumed.interfaces.slice() : [];
  let sections = resumed ? 1 : 0;
  let frameNo = firstFrame - 1;
  // The position state of the frames to come: shared until an SHB or IDB changes what it holds, then made anew
  // when a frame needs it. On resume the first pass's own object, until such a change.
  let state: PcapngReaderState | undefined = resumed;
  try {
    for (;;) {
      const offset = base + bytes.offset;
      if (!(await bytes.ensure(8))) {
        if (bytes.buffered === 0 && resumed && frameNo < firstFrame) throw noFrameAtError(name, offset);
        if (bytes.buffered === 0 && sections > 0) return;
        if (bytes.buffered === 0) throw new CaptureError('not_a_capture', `${name}: empty file, not a pcapng file`);
        throw new CaptureError('truncated', `${name}: file ends in the block header at offset ${offset}`);
      }
      if (resumed && frameNo < firstFrame) {
        // A resume position must be a packet block: anything else means the position is wrong or the file changed.
        const t = new BlockView(bytes.peek(4), le).u32(0);
        if (t !== BT_EPB && t !== BT_SPB && t !== BT_OPB) {
          throw damaged(`no pcapng packet block at offset ${offset} (block type 0x${t.toString(16)})`);
        }
      }
      // The SHB type reads the same in both byte orders; its byte-order magic sets the order for the section.
      if (bytes.peek(4).readUInt32LE(0) === BT_SHB) {
        if (!(await bytes.ensure(12))) {
          throw new CaptureError('truncated', `${name}: file ends in the section header at offset ${offset}`);
        }
        const bom = bytes.peek(12).readUInt32LE(8);
        if (bom === BYTE_ORDER_MAGIC) le = true;
        else if (bom === 0x4d3c2b1a) le = false;
        else if (sections > 0) throw damaged(`pcapng section header at offset ${offset} has a bad byte-order magic`);
        else throw new CaptureError('not_a_capture', `${name}: not a pcapng file (bad byte-order magic)`);
      } else if (sections === 0) {
        throw new CaptureError('not_a_capture', `${name}: not a pcapng file (does not start with a section header)`);
      }
      const head = new BlockView(bytes.peek(8), le);
      const type = head.u32(0);
      const len = head.u32(4);
      const minLen = MIN_BLOCK_LEN.get(type) ?? 12;
      if (len % 4 !== 0 || len < minLen || len > PCAPNG_MAX_BLOCK_LEN) {
        throw damaged(`pcapng block at offset ${offset} has bad length ${len}`);
      }
      const isPacket = type === BT_EPB || type === BT_SPB || type === BT_OPB;
      const truncated = (): CaptureError =>
        isPacket
          ? truncatedFrameError(name, frameNo + 1)
          : new CaptureError(
              'truncated',
              `${name}: file ends in the middle of the pcapng block (type 0x${type.toString(16)}) at offset ${offset}`,
            );

      if (!MIN_BLOCK_LEN.has(type)) {
        // Not ours to decode: stream past it without buffering, then check the trailing length.
        if (!(await bytes.skip(len - 4)) || !(await bytes.ensure(4))) throw truncated();
        const trailer = new BlockView(bytes.take(4), le).u32(0);
        if (trailer !== len) {
          throw damaged(`pcapng block at offset ${offset} has bad length ${len} (trailing copy says ${trailer})`);
        }
        continue;
      }

      if (!(await bytes.ensure(len))) throw truncated();
      const block = new BlockView(bytes.take(len), le);
      const trailer = block.u32(len - 4);
      if (trailer !== len) {
        throw damaged(`pcapng block at offset ${offset} has bad length ${len} (trailing copy says ${trailer})`);
      }

      switch (type) {
        case BT_SHB: {
          const major = block.u16(12);
          if (major !== 1) {
            throw new CaptureError(
              'unsupported',
              `${name}: pcapng version ${major}.${block.u16(14)} at offset ${offset} is not supported`,
            );
          }
          sections++;
          interfaces = [];
          state = undefined;
          break;
        }
        case BT_IDB: {
          if (interfaces.length >= MAX_INTERFACES) {
            throw damaged(`pcapng section has more than ${MAX_INTERFACES} interfaces (offset ${offset})`);
          }
          interfaces.push(parseInterface(block, len, offset, damaged));
          state = undefined;
          break;
        }
        default: {
          frameNo++;
          const frame = packetFrame(type, block, len, offset, frameNo, interfaces, damaged);
          if (positions) frame.position = { offset, state: (state ??= pcapngReaderState(le, interfaces)) };
          yield frame;
        }
      }
    }
  } finally {
    await bytes.close();
  }
}

/** Decode an IDB; malformed options are damage, since a lost if_tsresol would silently skew every timestamp. */
function parseInterface(
  block: BlockView,
  len: number,
  offset: number,
  damaged: (msg: string) => CaptureError,
): PcapngInterface {
  let ticksPerSec = 1_000_000n;
  let offsetSec = 0n;
  const end = len - 4;
  let pos = 16;
  while (pos + 4 <= end) {
    const code = block.u16(pos);
    const olen = block.u16(pos + 2);
    if (code === OPT_ENDOFOPT) break;
    if (pos + 4 + olen > end) {
      throw damaged(`pcapng interface block at offset ${offset} has an option (code ${code}) past its end`);
    }
    if (code === OPT_IF_TSRESOL && olen >= 1) ticksPerSec = ticksPerSecond(block.buf[pos + 4]);
    if (code === OPT_IF_TSOFFSET && olen >= 8) offsetSec = block.i64(pos + 4);
    pos += 4 + ((olen + 3) & ~3);
  }
  // Frozen: position states share these objects.
  return Object.freeze({ linkType: block.u16(8), snaplen: block.u32(12), ticksPerSec, offsetSec });
}

/** Build the frame of an EPB, OPB or SPB (the block is complete and its length checked). */
function packetFrame(
  type: number,
  block: BlockView,
  len: number,
  offset: number,
  frameNo: number,
  interfaces: readonly PcapngInterface[],
  damaged: (msg: string) => CaptureError,
): RawFrame {
  const interfaceId = type === BT_SPB ? 0 : type === BT_OPB ? block.u16(8) : block.u32(8);
  const iface = interfaces[interfaceId];
  if (!iface) {
    throw damaged(
      `pcapng packet block at offset ${offset} (frame ${frameNo}) refers to interface ${interfaceId}, ` +
        `but the section defines ${interfaces.length}`,
    );
  }
  if (type === BT_SPB) {
    // No captured length field: the data is the original length, cut by the snaplen and the block size.
    const origLen = block.u32(8);
    const room = len - 16;
    const capLen = Math.min(origLen, room, iface.snaplen === 0 ? room : iface.snaplen);
    // No timestamp in an SPB: Wireshark shows the epoch, so do we.
    return {
      frameNo,
      ts: { sec: 0, nsec: 0 },
      capLen,
      origLen,
      linkType: iface.linkType,
      bytes: block.buf.subarray(12, 12 + capLen),
      interfaceId,
    };
  }
  const ticks = (BigInt(block.u32(12)) << 32n) | BigInt(block.u32(16));
  const capLen = block.u32(20);
  const origLen = block.u32(24);
  if (capLen > len - 32) {
    throw damaged(
      `pcapng packet block at offset ${offset} (frame ${frameNo}) claims ${capLen} captured bytes ` +
        `in a block of ${len}`,
    );
  }
  return {
    frameNo,
    ts: pcapngTimestamp(ticks, iface.ticksPerSec, iface.offsetSec),
    capLen,
    origLen,
    linkType: iface.linkType,
    bytes: block.buf.subarray(28, 28 + capLen),
    interfaceId,
  };
}
