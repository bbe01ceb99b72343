/**
 * Classic pcap with NANOSECOND timestamps (magic 0xa1b23c4d, either byte order), read directly.
 *
 * pcap-parser only knows the microsecond magic, so these files come here. The reader is written for both
 * resolutions (the record layout is identical, only the unit of ts_frac differs): openCapture sends µs files
 * to pcap-parser as the project requires, and the tests use this reader to cross-check pcap-parser.
 * Layout and shared rules: pcap-header.ts.
 */

import { ByteReader } from './byte-reader';
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
 */
export async function* readPcapNsec(
  input: AsyncIterable<Uint8Array>,
  name: string,
): AsyncGenerator<RawFrame, void, undefined> {
  const bytes = new ByteReader(input, name);
  try {
    await bytes.ensure(PCAP_FILE_HEADER_LEN);
    const header = parsePcapFileHeader(bytes.take(Math.min(bytes.buffered, PCAP_FILE_HEADER_LEN)), name);
    const le = header.littleEndian;
    const fracPerSec = header.nanosecond ? 1e9 : 1e6;
    const limit = recordLengthLimit(header.snaplen);

    for (let frameNo = 1; ; frameNo++) {
      const offset = bytes.offset;
      if (!(await bytes.ensure(PCAP_RECORD_HEADER_LEN))) {
        if (bytes.buffered === 0) return;
        throw truncatedFrameError(name, frameNo);
      }
      const h = bytes.take(PCAP_RECORD_HEADER_LEN);
      const sec = le ? h.readUInt32LE(0) : h.readUInt32BE(0);
      const frac = le ? h.readUInt32LE(4) : h.readUInt32BE(4);
      const capLen = le ? h.readUInt32LE(8) : h.readUInt32BE(8);
      const origLen = le ? h.readUInt32LE(12) : h.readUInt32BE(12);
      if (capLen > limit) throw damagedRecordError(name, frameNo, offset, capLen, header.snaplen);
      if (!(await bytes.ensure(capLen))) throw truncatedFrameError(name, frameNo);
      const data = bytes.take(capLen);
      yield {
        frameNo,
        ts: classicTimestamp(sec, frac, fracPerSec),
        capLen,
        origLen,
        linkType: header.linkType,
        bytes: data,
        interfaceId: 0,
      };
    }
  } finally {
    await bytes.close();
  }
}
