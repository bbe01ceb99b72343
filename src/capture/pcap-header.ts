/**
 * The classic pcap file header and the rules both classic readers share (pcap-classic.ts reads microsecond
 * files through pcap-parser, pcap-nsec.ts reads the rest itself).
 *
 * Format: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html (and pcap-savefile(5)).
 *   file header, 24 bytes: magic u32, version_major u16, version_minor u16, thiszone i32, sigfigs u32,
 *                          snaplen u32, linktype u32 (FCS bits 28..31, link type in the low 16 bits)
 *   record header, 16 bytes: ts_sec u32, ts_frac u32 (µs or ns by magic), incl_len u32, orig_len u32
 * Every field is in the writer's byte order, which the magic reveals.
 */

import { CaptureError, type Timestamp } from './raw-frame';

export const PCAP_FILE_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;

/** Magic numbers as read big-endian from the first 4 bytes; the byte-swapped value means a little-endian writer. */
export const PCAP_MAGIC_USEC = 0xa1b2c3d4;
export const PCAP_MAGIC_NSEC = 0xa1b23c4d;
/** Alexey Kuznetzov's "modified" pcap (extra record fields): recognised only to say it is unsupported. */
export const PCAP_MAGIC_MODIFIED = 0xa1b2cd34;

/** libpcap's MAXIMUM_SNAPLEN: records up to this size are accepted whatever the header's snaplen says. */
export const PCAP_MIN_RECORD_LIMIT = 262144;
/** Nothing real is bigger; a larger incl_len is damage (a length of 0xffffffff must not make us buffer 4 GiB). */
export const PCAP_MAX_RECORD_LIMIT = 16 * 1024 * 1024;

export interface PcapFileHeader {
  littleEndian: boolean;
  /** Record timestamps count nanoseconds (magic a1b23c4d) rather than microseconds. */
  nanosecond: boolean;
  versionMajor: number;
  versionMinor: number;
  /** As written; 0 exists in the wild (some writers leave it unset) and is not an error. */
  snaplen: number;
  /** LINKTYPE_* value (low 16 bits of the field). */
  linkType: number;
}

function swap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

/** Which classic pcap magic the first 4 bytes hold, or undefined. */
export function classicMagic(
  first4: Uint8Array,
): { littleEndian: boolean; nanosecond: boolean; modified: boolean } | undefined {
  if (first4.length < 4) return undefined;
  const be = ((first4[0] << 24) | (first4[1] << 16) | (first4[2] << 8) | first4[3]) >>> 0;
  for (const littleEndian of [false, true]) {
    const v = littleEndian ? swap32(be) : be;
    if (v === PCAP_MAGIC_USEC) return { littleEndian, nanosecond: false, modified: false };
    if (v === PCAP_MAGIC_NSEC) return { littleEndian, nanosecond: true, modified: false };
    if (v === PCAP_MAGIC_MODIFIED) return { littleEndian, nanosecond: false, modified: true };
  }
  return undefined;
}

/** Parse and validate the 24-byte file header. Throws CaptureError; `name` prefixes the message. */
export function parsePcapFileHeader(bytes: Buffer, name: string): PcapFileHeader {
  if (bytes.length < PCAP_FILE_HEADER_LEN) {
    throw new CaptureError('truncated', `${name}: file ends in the pcap file header (${bytes.length} of 24 bytes)`);
  }
  const magic = classicMagic(bytes);
  if (!magic) {
    throw new CaptureError('not_a_capture', `${name}: not a pcap file (magic 0x${bytes.toString('hex', 0, 4)})`);
  }
  if (magic.modified) {
    throw new CaptureError('unsupported', `${name}: modified (Kuznetzov) pcap format is not supported`);
  }
  const le = magic.littleEndian;
  const u16 = (o: number): number => (le ? bytes.readUInt16LE(o) : bytes.readUInt16BE(o));
  const u32 = (o: number): number => (le ? bytes.readUInt32LE(o) : bytes.readUInt32BE(o));
  const header: PcapFileHeader = {
    littleEndian: le,
    nanosecond: magic.nanosecond,
    versionMajor: u16(4),
    versionMinor: u16(6),
    snaplen: u32(16),
    linkType: u32(20) & 0xffff,
  };
  // Every pcap ever written is 2.4 (2.2 and 2.3 only in ancient files, readable the same way); anything
  // else has a record layout we do not know.
  if (header.versionMajor !== 2) {
    throw new CaptureError(
      'unsupported',
      `${name}: pcap version ${header.versionMajor}.${header.versionMinor} is not supported (only 2.x)`,
    );
  }
  return header;
}

/**
 * Largest incl_len accepted for a file with this snaplen: max(snaplen, 262144) as libpcap does, but never more
 * than 16 MiB, so a snaplen of 0xffffffff does not lift the cap.
 */
export function recordLengthLimit(snaplen: number): number {
  return Math.min(Math.max(snaplen, PCAP_MIN_RECORD_LIMIT), PCAP_MAX_RECORD_LIMIT);
}

/**
 * Timestamp from whole seconds and a fraction counted in 1/fracPerSec units (1e6 or 1e9). A fraction that
 * overflows a second (seen from buggy writers) carries into the seconds, so nsec always stays in 0..999999999.
 */
export function classicTimestamp(sec: number, frac: number, fracPerSec: number): Timestamp {
  const carry = Math.floor(frac / fracPerSec);
  const rest = frac - carry * fracPerSec;
  return { sec: sec + carry, nsec: rest * (1e9 / fracPerSec) };
}

export function damagedRecordError(
  name: string,
  frameNo: number,
  offset: number,
  capLen: number,
  snaplen: number,
): CaptureError {
  return new CaptureError(
    'damaged',
    `${name}: frame ${frameNo} at offset ${offset} claims ${capLen} captured bytes ` +
      `(more than the ${recordLengthLimit(snaplen)} allowed with snaplen ${snaplen})`,
  );
}

export function truncatedFrameError(name: string, frameNo: number): CaptureError {
  return new CaptureError('truncated', `${name}: file ends in the middle of frame ${frameNo}`);
}
