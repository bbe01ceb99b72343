/**
 * The hostile captures (issue 8): each one's file name, what it is built to break, and its builder. generate.ts
 * writes them; test/hostile.test.ts and bench/hostile.ts read them.
 */
import { pcapBytes } from '../helpers/synthetic-capture';
import { escapeSequenceFrames } from './escape-sequences';
import { cutFiles, pcapngHugeEpb, pcapngLengthVariants, snaplenZero } from './file-damage';
import { ipFragmentFrames } from './ip-fragments';
import { partialRecords } from './partial-records';
import { hugeListFrames, hugeRecordMarkFrames, nestedIndirectFrames } from './records';
import { millionCalls, tcpStreams } from './volume';

export interface HostileCapture {
  /** File name in fixtures/hostile/ (.gz: written gzip-compressed). */
  name: string;
  /** What it attacks, one line. */
  about: string;
  /** The capture's bytes (before gzip). */
  build(): Buffer;
  /** build() returns the file's bytes as they are (already gzip-compressed or cut): generate.ts adds no gzip. */
  asIs?: true;
  /** Too large to commit: written only on demand (`--full`, or by name). */
  onDemand?: true;
}

/** The variants of a builder that makes several files, one entry each (each builds only its own file). */
function variants(make: () => Record<string, Buffer>, about: (name: string) => string): HostileCapture[] {
  return Object.keys(make()).map((name) => ({ name, about: about(name), build: () => make()[name], asIs: true }));
}

export const HOSTILE_CAPTURES: HostileCapture[] = [
  {
    name: 'escape_sequences.pcap',
    about: 'terminal escape sequences, bidi overrides and invalid UTF-8 in every printed wire string',
    build: () => pcapBytes(escapeSequenceFrames()),
  },
  {
    name: 'million_calls.pcap.gz',
    about: '1 000 000 NFSv3 calls over UDP, never answered',
    build: () => millionCalls(1_000_000),
    onDemand: true,
  },
  {
    name: 'calls_without_replies.pcap.gz',
    about: '250 000 NFSv3 calls over UDP, never answered (million_calls cut to a committable size)',
    build: () => millionCalls(250_000),
  },
  {
    name: 'tcp_streams.pcap.gz',
    about: '100 000 concurrent TCP connections joined mid-way, each with a gap, never closed',
    build: () => tcpStreams(100_000),
  },
  {
    name: 'huge_record_marks.pcap.gz',
    about: 'record marks of 2^31-1 bytes (last and not), 16.8 MB of fragments, thousands of empty fragments',
    build: () => pcapBytes(hugeRecordMarkFrames()),
  },
  {
    name: 'partial_records.pcap.gz',
    about: '64 TCP connections each sending 15 MB of a 16 MiB record and never the rest (960 MB of partial records)',
    build: () => partialRecords(64, 15_000_000),
  },
  {
    name: 'nested_indirect.pcap.gz',
    about: 'PORTMAP CALLIT / RPCBIND CALLIT / INDIRECT nested 3, 100, 4000 and 20 000 deep',
    build: () => pcapBytes(nestedIndirectFrames()),
  },
  {
    name: 'huge_lists.pcap.gz',
    about: 'READDIRPLUS asking 2^32-1 bytes, a name of 2^31, unterminated directory/DUMP/EXPORT lists, 2^31 counts',
    build: () => pcapBytes(hugeListFrames()),
  },
  {
    name: 'ip_fragments.pcap.gz',
    about: 'overlapping IPv4/IPv6 fragments, 4500 datagrams that never complete, 2500 disjoint ranges, past 64 KiB',
    build: () => pcapBytes(ipFragmentFrames()),
  },
  ...variants(pcapngLengthVariants, (n) => `pcapng block with wrong lengths: ${n.replace(/^pcapng_|\.pcapng$/g, '').replace(/_/g, ' ')}`),
  {
    name: 'pcapng_epb_63mib.pcapng.gz',
    about: 'pcapng EPB of 63 MiB, just under the largest block the reader buffers',
    build: pcapngHugeEpb,
  },
  {
    name: 'snaplen_zero.pcap',
    about: 'pcap header snaplen 0; frames captured with 0 bytes (original 0, 1514, 2^32-1) and 1 byte',
    build: snaplenZero,
  },
  ...variants(cutFiles, (n) => `file cut ${n.replace(/^cut_|\.pcap(\.gz)?$/g, '').replace(/_/g, ' ')}`),
];
