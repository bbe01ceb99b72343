/**
 * The unit every capture source yields: one link-layer frame as it was captured.
 *
 * Ownership: `bytes` belongs to the frame. A source never reuses or mutates a buffer it has yielded, so later
 * stages may keep views of it (IP fragment and TCP reassembly copy only what must outlive the frame).
 */

/** Seconds since the epoch plus nanoseconds (0..999999999); both plain numbers, exact for any real capture. */
export interface Timestamp {
  sec: number;
  nsec: number;
}

/**
 * Where a frame is in its capture file, so it can be read again later (openCaptureAt). Opaque to users: only the
 * reader that made it knows what `state` holds. Set only for frames read from an uncompressed regular file by path.
 */
export interface FramePosition {
  /** Byte offset in the file of the frame's pcap record header / pcapng block. */
  readonly offset: number;
  /** The reader's state needed to resume there (link type, byte order, ns/µs, the pcapng section's interfaces with
   *  tsresol/tsoffset). Immutable and SHARED by all frames of a file or section: one object, not one per frame. */
  readonly state: unknown;
}

export interface RawFrame {
  /** 1-based position in the capture, counting every frame in file order (as tshark numbers them). */
  frameNo: number;
  ts: Timestamp;
  /** Bytes actually captured (== bytes.length). */
  capLen: number;
  /** Length of the frame on the wire; larger than capLen when the snaplen cut it. */
  origLen: number;
  /** LINKTYPE_* value (https://www.tcpdump.org/linktypes.html), per frame because pcapng interfaces differ. */
  linkType: number;
  bytes: Uint8Array;
  /** pcapng interface index (0 for classic pcap and live capture). */
  interfaceId: number;
  /** Where to read the frame again; absent for gzip input, stdin, live capture and anything not a regular file. */
  position?: FramePosition;
}

/** One interface for capture files and live capture (gopacket's PacketDataSource habit). */
export interface PacketSource {
  /** Human-readable origin: a file name, "-" for stdin, or an interface name. */
  readonly name: string;
  /** Frames in capture order. Throws CaptureError when the input is unreadable or damaged part-way; every
   *  frame before the damage has been yielded by then. */
  frames(): AsyncIterable<RawFrame>;
  /** The same frames in capture order, grouped in batches the reader had ready at once (a synchronous consumer
   *  then pays one await per batch, not per frame). Optional; frames() and batches() share the one iteration. */
  batches?(): AsyncIterable<RawFrame[]>;
  /** Bytes consumed so far from the underlying input (for progress reports). */
  bytesRead(): number;
}

export type CaptureErrorKind = 'not_a_capture' | 'unsupported' | 'damaged' | 'truncated' | 'io';

/** An input problem worth a one-line message and exit code 1 (never a stack trace). */
export class CaptureError extends Error {
  constructor(
    readonly kind: CaptureErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'CaptureError';
  }
}

/** Compare two timestamps: negative, zero or positive. */
export function compareTs(a: Timestamp, b: Timestamp): number {
  return a.sec !== b.sec ? a.sec - b.sec : a.nsec - b.nsec;
}

/** b - a in seconds, as a float (for RTTs, which are small, so float precision is ample). */
export function tsDiffSeconds(a: Timestamp, b: Timestamp): number {
  return b.sec - a.sec + (b.nsec - a.nsec) / 1e9;
}

/** Epoch seconds with exactly 9 decimals, as a string (JSON `time`), without float rounding. */
export function formatEpoch(ts: Timestamp): string {
  return `${ts.sec}.${String(ts.nsec).padStart(9, '0')}`;
}
