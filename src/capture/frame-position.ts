/**
 * What is behind a FramePosition's opaque `state` (raw-frame.ts), and the options through which the capture
 * readers record positions on a first pass and resume at one later (open-capture-at.ts).
 *
 * A reader can resume at a frame when it knows everything the file said before it that shapes a frame:
 *  - classic pcap: only the 24-byte file header (byte order, µs/ns, link type, snaplen);
 *  - pcapng: the section's byte order and the interfaces its IDBs defined so far (link type, snaplen, if_tsresol,
 *    if_tsoffset). A later SHB or IDB in the stream changes them exactly as on the first pass.
 * States are frozen and shared: one object per file (pcap) or per section and interface list (pcapng), made when
 * the first frame after a change needs it, so recording positions costs one small {offset, state} per frame.
 */
import type { PcapFileHeader } from './pcap-header';
import { CaptureError } from './raw-frame';

/** A classic pcap file's header, as both classic readers decode it. */
export interface PcapReaderState extends Readonly<PcapFileHeader> {
  readonly format: 'pcap';
}

/** One pcapng interface (IDB), as packets referring to it need it. */
export interface PcapngInterface {
  readonly linkType: number;
  /** 0 means no limit. */
  readonly snaplen: number;
  /** Timestamp ticks per second: 10^n or 2^n from if_tsresol. */
  readonly ticksPerSec: bigint;
  /** if_tsoffset: seconds added to every timestamp. */
  readonly offsetSec: bigint;
}

export interface PcapngReaderState {
  readonly format: 'pcapng';
  readonly littleEndian: boolean;
  /** The section's interfaces defined before the frame, by interface id. */
  readonly interfaces: readonly PcapngInterface[];
}

export type ReaderState = PcapReaderState | PcapngReaderState;

/** Where a reader starts when it resumes: the input begins there (pcap: after the file header, see below). */
export interface ResumeAt {
  /** File offset of the first record / block the input holds after any header. */
  offset: number;
  /** Number of that frame. */
  frameNo: number;
  state: ReaderState;
}

export interface ReaderOptions {
  /** Give every frame a `position`: the input is the file itself from byte 0, uncompressed. */
  positions?: boolean;
  /**
   * Resume at a recorded position (implies positions). A classic pcap reader then expects its input to be the
   * file's own 24-byte header followed by the file from `offset` on (the header is read again, so a file replaced
   * since is noticed); a pcapng reader expects the file from `offset` on. The first record there must exist and be
   * a frame: a position past the end, or one that is not a frame's start, is a CaptureError.
   */
  resume?: ResumeAt;
}

export function pcapReaderState(header: PcapFileHeader): PcapReaderState {
  return Object.freeze({ format: 'pcap', ...header });
}

export function pcapngReaderState(littleEndian: boolean, interfaces: readonly PcapngInterface[]): PcapngReaderState {
  return Object.freeze({ format: 'pcapng', littleEndian, interfaces: Object.freeze(interfaces.slice()) });
}

/** The state as ours, or undefined when it is not one a reader made (a caller's mistake, or a foreign object). */
export function asReaderState(state: unknown): ReaderState | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const s = state as Partial<Record<string, unknown>>;
  if (s.format === 'pcap') {
    const ok =
      typeof s.littleEndian === 'boolean' &&
      typeof s.nanosecond === 'boolean' &&
      typeof s.linkType === 'number' &&
      typeof s.snaplen === 'number' &&
      typeof s.versionMajor === 'number' &&
      typeof s.versionMinor === 'number';
    return ok ? (state as PcapReaderState) : undefined;
  }
  if (s.format === 'pcapng') {
    const ifs = s.interfaces;
    const ok =
      typeof s.littleEndian === 'boolean' &&
      Array.isArray(ifs) &&
      ifs.every(
        (i: Partial<Record<string, unknown>> | null) =>
          typeof i === 'object' &&
          i !== null &&
          typeof i.linkType === 'number' &&
          typeof i.snaplen === 'number' &&
          typeof i.ticksPerSec === 'bigint' &&
          i.ticksPerSec > 0n &&
          typeof i.offsetSec === 'bigint',
      );
    return ok ? (state as PcapngReaderState) : undefined;
  }
  return undefined;
}

/** Resuming a classic pcap: the file header read again must be the one the position was recorded under. */
export function checkResumedHeader(header: PcapFileHeader, state: PcapReaderState, name: string): void {
  const same =
    header.littleEndian === state.littleEndian &&
    header.nanosecond === state.nanosecond &&
    header.linkType === state.linkType &&
    header.snaplen === state.snaplen &&
    header.versionMajor === state.versionMajor &&
    header.versionMinor === state.versionMinor;
  if (!same) throw new CaptureError('damaged', `${name}: the file header has changed since the file was read`);
}

/** A resume position with no frame there: the file ends at or before it. */
export function noFrameAtError(name: string, offset: number): CaptureError {
  return new CaptureError('truncated', `${name}: no frame at offset ${offset} (the file ends there)`);
}
