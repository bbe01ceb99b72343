/**
 * Damaged capture files: pcapng blocks whose lengths lie (pcapng draft §3.1: Block Total Length, repeated at the
 * end, a multiple of 4, at least 12), a pcap whose snaplen is 0 and frames whose captured length is 0, and files
 * cut in the middle of a record. Each pcapng variant is its own file: the reader stops at the damage, so a second
 * damaged block in the same file would never be read.
 */
import { gzipSync } from 'node:zlib';
import { concat } from '../helpers/bytes';
import { ngBlock, ngEpb, ngIdb, ngShb, pcapFile, pcapRecordOffsets } from '../helpers/capture-builders';
import { frameRecord, buildCall } from '../helpers/rpc-builders';
import { pcapBytes } from '../helpers/synthetic-capture';
import { NFS, TcpFrames, fh3, udpCall, udpReply, xdr } from './hostile-frames';

const LE = true;
const GOOD = [udpCall(0xda1, NFS, 3, 1, fh3(0x71)), udpReply(0xda1, NFS, xdr((w) => w.u32(70)))];
const AFTER = udpCall(0xda2, NFS, 3, 1, fh3(0x72));

/** Microseconds (the IDB's default resolution) since the epoch of frame `i`: 1 ms apart from 2023-11-14. */
const ticks = (i: number): bigint => 1_700_000_000n * 1_000_000n + BigInt(i) * 1000n;

function epb(i: number, data: Uint8Array): Buffer {
  return ngEpb(LE, 0, ticks(i), data);
}

/** SHB, IDB, two good frames, `bad`, then one more good frame (never reached if the reader stops). */
function ngWith(bad: Uint8Array): Buffer {
  return Buffer.concat([ngShb(LE), ngIdb(LE, 1, 65535), epb(0, GOOD[0]), epb(1, GOOD[1]), bad, epb(3, AFTER)]);
}

/** An EPB for `data` whose header and trailer lengths are replaced. */
function forgedEpb(data: Uint8Array, forge: { length?: number; trailer?: number }): Buffer {
  const good = epb(2, data);
  const body = good.subarray(8, good.length - 4);
  return ngBlock(LE, 6, body, forge);
}

/** The pcapng variants: file name → bytes. */
export function pcapngLengthVariants(): Record<string, Buffer> {
  const third = udpCall(0xda3, NFS, 3, 1, fh3(0x73));
  const right = epb(2, third).length;
  const epbCapLen = (capLen: number): Buffer => ngEpb(LE, 0, ticks(2), third, third.length, capLen);
  // an IDB whose if_tsresol option claims 0xfff0 bytes inside a 32-byte block
  const badIdbBody = xdrLe([1, 0, 65535, 9 | (0xfff0 << 16), 6, 0]);
  return {
    'pcapng_trailer_mismatch.pcapng': ngWith(forgedEpb(third, { trailer: right + 4 })),
    'pcapng_length_not_multiple_of_4.pcapng': ngWith(forgedEpb(third, { length: right - 2, trailer: right - 2 })),
    'pcapng_length_below_minimum.pcapng': ngWith(forgedEpb(third, { length: 8, trailer: 8 })),
    'pcapng_length_past_end.pcapng': ngWith(forgedEpb(third, { length: 0x7ffffff0 })),
    'pcapng_length_zero.pcapng': ngWith(forgedEpb(third, { length: 0, trailer: 0 })),
    'pcapng_caplen_past_block.pcapng': ngWith(epbCapLen(third.length + 4096)),
    'pcapng_idb_option_past_block.pcapng': Buffer.concat([ngShb(LE), ngBlock(LE, 1, badIdbBody), epb(0, GOOD[0]), epb(1, GOOD[1])]),
  };
}

/** The largest EPB the reader buffers whole (just under PCAPNG_MAX_BLOCK_LEN): a 63 MiB frame of zeros. */
export function pcapngHugeEpb(): Buffer {
  const third = udpCall(0xda3, NFS, 3, 1, fh3(0x73));
  return ngWith(ngEpb(LE, 0, ticks(2), concat(third, new Uint8Array((63 << 20) - third.length))));
}

/** Little-endian words with the IDB's u16 pair packed by the caller. */
function xdrLe(words: number[]): Buffer {
  const b = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => b.writeUInt32LE(w >>> 0, i * 4));
  return b;
}

/** snaplen_zero: a pcap header with snaplen 0, full frames around frames captured with 0 bytes (and one with 1). */
export function snaplenZero(): Buffer {
  const t = (i: number) => ({ sec: 1_700_000_000, frac: i * 1000 });
  return pcapFile({ snaplen: 0 }, [
    { ...t(0), data: GOOD[0] },
    { ...t(1), data: new Uint8Array(0), origLen: 1514 },
    { ...t(2), data: new Uint8Array(0), origLen: 0 },
    { ...t(3), data: GOOD[1] },
    { ...t(4), data: GOOD[0].subarray(0, 1), origLen: GOOD[0].length },
    { ...t(5), data: new Uint8Array(0), origLen: 0xffffffff },
    { ...t(6), data: AFTER },
  ]);
}

/** A TCP connection whose second call spans two segments, as a pcap: the cuts below fall inside it. */
function tcpTwoCalls(): Buffer {
  const call = (xid: number): Uint8Array => frameRecord(buildCall({ xid, prog: NFS, vers: 3, proc: 1, body: fh3(0x74) }));
  const c = new TcpFrames(910).send(call(0xc01)).send(call(0xc02), 40);
  return pcapBytes(c.frames);
}

function cutGzip(whole: Buffer): Buffer {
  const gz = gzipSync(whole, { level: 9 });
  return gz.subarray(0, gz.length >> 1);
}

/** The cut files: in the last record's data (and in the RPC record it carries), in a record header, in gzip. */
export function cutFiles(): Record<string, Buffer> {
  const whole = tcpTwoCalls();
  const last = pcapRecordOffsets(whole).at(-1) as number;
  return {
    'cut_in_record_data.pcap': whole.subarray(0, last + 16 + 30),
    'cut_in_record_header.pcap': whole.subarray(0, last + 7),
    'cut_in_gzip.pcap.gz': cutGzip(whole),
  };
}
