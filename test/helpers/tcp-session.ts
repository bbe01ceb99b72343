/**
 * TCP segments as L4Packets for the reassembly and record-marking tests: single packets, a TcpSession that hands
 * out consistent sequence and frame numbers, and a harness that runs packets through TcpReassembler +
 * TcpRecordLayer.
 */
import type { Timestamp } from '../../src/capture/raw-frame';
import type { L4Packet } from '../../src/net/l4-packet';
import type { StreamChunk } from '../../src/reassembly/stream-chunk';
import {
  TcpReassembler,
  type TcpReassemblerOptions,
  type TcpStreamEnd,
  type TcpStreamInfo,
} from '../../src/reassembly/tcp-reassembler';
import { TcpRecordLayer } from '../../src/rpc/tcp-record-layer';
import type { RecordMarkerOptions, TcpRpcRecord } from '../../src/rpc/record-marker-types';
import { hex } from './bytes';

// ------------------------------------------------------------------------------------------------ TCP packets

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;

export interface TcpPacketSpec {
  frameNo: number;
  ts?: Timestamp;
  src?: string;
  dst?: string;
  sport?: number;
  dport?: number;
  seq: number;
  ack?: number;
  flags?: number;
  payload?: Uint8Array;
  /** Wire length of the payload when the snaplen cut it (payload then holds the captured part). */
  payloadLength?: number;
  ipVersion?: 4 | 6;
}

export function tcpPacket(s: TcpPacketSpec): L4Packet {
  const payload = s.payload ?? new Uint8Array(0);
  const payloadLength = s.payloadLength ?? payload.length;
  return {
    frameNo: s.frameNo,
    ts: s.ts ?? { sec: 1_700_000_000 + Math.floor(s.frameNo / 1000), nsec: (s.frameNo % 1000) * 1000 },
    frames: [s.frameNo],
    ipVersion: s.ipVersion ?? 4,
    src: s.src ?? '10.0.0.1',
    dst: s.dst ?? '10.0.0.2',
    sport: s.sport ?? 900,
    dport: s.dport ?? 2049,
    transport: 'tcp',
    tcp: { seq: s.seq >>> 0, ack: (s.ack ?? 0) >>> 0, flags: s.flags ?? ACK | PSH, window: 65535 },
    payload,
    payloadLength,
    truncated: payloadLength > payload.length,
    vlan: [],
    anomalies: [],
  };
}

export interface Endpoint {
  addr: string;
  port: number;
}

export type Side = 'c' | 's';

/** A TCP connection between a client and a server that hands out packets with consistent sequence numbers and
 *  frame numbers. `seqAt(side, offset)` maps a stream offset (0 = first data byte) to a sequence number. */
export class TcpSession {
  frameNo: number;
  readonly isn: Record<Side, number>;
  readonly sent: Record<Side, number> = { c: 0, s: 0 };

  constructor(
    readonly client: Endpoint = { addr: '10.0.0.1', port: 900 },
    readonly server: Endpoint = { addr: '10.0.0.2', port: 2049 },
    isn: Partial<Record<Side, number>> = {},
    firstFrame = 1,
  ) {
    this.isn = { c: (isn.c ?? 1000) >>> 0, s: (isn.s ?? 500000) >>> 0 };
    this.frameNo = firstFrame;
  }

  seqAt(side: Side, offset: number): number {
    return (this.isn[side] + 1 + offset) >>> 0;
  }

  private ends(side: Side): Pick<TcpPacketSpec, 'src' | 'dst' | 'sport' | 'dport'> {
    const [a, b] = side === 'c' ? [this.client, this.server] : [this.server, this.client];
    return { src: a.addr, sport: a.port, dst: b.addr, dport: b.port };
  }

  private other(side: Side): Side {
    return side === 'c' ? 's' : 'c';
  }

  /** SYN, SYN-ACK, ACK. */
  handshake(): L4Packet[] {
    return [
      tcpPacket({ frameNo: this.frameNo++, ...this.ends('c'), seq: this.isn.c, flags: SYN }),
      tcpPacket({ frameNo: this.frameNo++, ...this.ends('s'), seq: this.isn.s, ack: this.seqAt('c', 0), flags: SYN | ACK }),
      tcpPacket({ frameNo: this.frameNo++, ...this.ends('c'), seq: this.seqAt('c', 0), ack: this.seqAt('s', 0), flags: ACK }),
    ];
  }

  /** A segment carrying `bytes` at stream offset `offset` (default: right after what was sent so far). */
  segment(side: Side, bytes: Uint8Array, opts: { offset?: number; flags?: number; payloadLength?: number; frameNo?: number } = {}): L4Packet {
    const offset = opts.offset ?? this.sent[side];
    const wire = opts.payloadLength ?? bytes.length;
    if (offset + wire > this.sent[side]) this.sent[side] = offset + wire;
    return tcpPacket({
      frameNo: opts.frameNo ?? this.frameNo++,
      ...this.ends(side),
      seq: this.seqAt(side, offset),
      ack: this.seqAt(this.other(side), this.sent[this.other(side)]),
      flags: opts.flags ?? ACK | PSH,
      payload: bytes,
      payloadLength: opts.payloadLength,
    });
  }

  /** One segment per piece, in order. */
  send(side: Side, ...pieces: Uint8Array[]): L4Packet[] {
    return pieces.map((p) => this.segment(side, p));
  }

  fin(side: Side): L4Packet {
    return tcpPacket({
      frameNo: this.frameNo++,
      ...this.ends(side),
      seq: this.seqAt(side, this.sent[side]),
      ack: this.seqAt(this.other(side), this.sent[this.other(side)]),
      flags: FIN | ACK,
    });
  }

  rst(side: Side): L4Packet {
    return tcpPacket({ frameNo: this.frameNo++, ...this.ends(side), seq: this.seqAt(side, this.sent[side]), flags: RST });
  }
}

// ------------------------------------------------------------------------------------------------ harness

export interface RunResult {
  records: TcpRpcRecord[];
  chunks: StreamChunk[];
  ends: { stream: TcpStreamInfo; end: TcpStreamEnd }[];
  closes: string[];
  streams: TcpStreamInfo[];
  tcp: TcpReassembler;
  layer: TcpRecordLayer;
}

export interface RunOptions {
  tcp?: Partial<TcpReassemblerOptions>;
  records?: Partial<Omit<RecordMarkerOptions, 'inSync'>> & { maxRecordBuffer?: number };
  /** Call finish() at the end (default true). */
  finish?: boolean;
}

/** Runs packets through TcpReassembler → TcpRecordLayer and collects everything. */
export function runTcp(packets: L4Packet[], opts: RunOptions = {}): RunResult {
  const records: TcpRpcRecord[] = [];
  const chunks: StreamChunk[] = [];
  const ends: { stream: TcpStreamInfo; end: TcpStreamEnd }[] = [];
  const closes: string[] = [];
  const streams: TcpStreamInfo[] = [];
  const layer = new TcpRecordLayer((r) => records.push(r), opts.records ?? {});
  const tcp = new TcpReassembler(
    {
      onChunk(chunk, stream) {
        chunks.push(chunk);
        if (!streams.includes(stream)) streams.push(stream);
        layer.onChunk(chunk, stream);
      },
      onStreamEnd(stream, end) {
        ends.push({ stream, end });
        layer.onStreamEnd(stream, end);
      },
      onClose(connId) {
        closes.push(connId);
      },
    },
    opts.tcp ?? {},
  );
  for (const p of packets) tcp.push(p);
  if (opts.finish !== false) tcp.finish();
  return { records, chunks, ends, closes, streams, tcp, layer };
}

/** The XID of a record (first word), or -1. */
export function xidOf(r: { bytes: Uint8Array }): number {
  const b = r.bytes;
  if (b.length < 4) return -1;
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

/** A compact, comparable view of a record. */
export function recordSummary(r: TcpRpcRecord): string {
  return `xid=${xidOf(r).toString(16)} len=${r.length} got=${r.bytes.length} frag=${r.fragments} frame=${r.frameNo} frames=${r.frames.join(',')} trunc=${r.truncated} anom=${r.anomalies.join('|')} sha=${hex(r.bytes).slice(0, 16)}/${simpleHash(r.bytes)}`;
}

/** FNV-1a over the bytes (for comparing record contents compactly). */
export function simpleHash(b: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) {
    h ^= b[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16);
}
