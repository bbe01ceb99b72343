/**
 * Builders for ONC RPC tests (pg-protocol's habit: build messages with small builders, re-run them split at every
 * byte offset): XDR calls and replies, record-mark framing, TCP segments as L4Packets, and a harness that runs
 * packets through TcpReassembler + TcpRecordLayer.
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
import { TcpRecordLayer, type RecordMarkerOptions, type TcpRpcRecord } from '../../src/rpc/record-marking';

// ------------------------------------------------------------------------------------------------ bytes

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Deterministic pseudo-random bytes (xorshift32), for payloads that look like file data. */
export function randomBytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

// ------------------------------------------------------------------------------------------------ XDR

export class XdrWriter {
  private parts: number[] = [];

  u32(v: number): this {
    const x = v >>> 0;
    this.parts.push((x >>> 24) & 0xff, (x >>> 16) & 0xff, (x >>> 8) & 0xff, x & 0xff);
    return this;
  }

  u64(v: bigint): this {
    return this.u32(Number((v >> 32n) & 0xffffffffn)).u32(Number(v & 0xffffffffn));
  }

  /** Fixed-length opaque: the bytes plus padding to a multiple of 4. */
  fixed(b: Uint8Array): this {
    for (const x of b) this.parts.push(x);
    for (let i = b.length; i % 4 !== 0; i++) this.parts.push(0);
    return this;
  }

  /** Variable-length opaque: length, bytes, padding. */
  opaque(b: Uint8Array): this {
    return this.u32(b.length).fixed(b);
  }

  string(s: string): this {
    return this.opaque(new TextEncoder().encode(s));
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

// ------------------------------------------------------------------------------------------------ RPC messages

export interface Auth {
  flavor: number;
  body: Uint8Array;
}

export const AUTH_NONE: Auth = { flavor: 0, body: new Uint8Array(0) };

export interface AuthUnixSpec {
  stamp?: number;
  machine?: string;
  uid?: number;
  gid?: number;
  gids?: number[];
}

/** AUTH_SYS / AUTH_UNIX credential (RFC 5531 Appendix A). */
export function authUnix(spec: AuthUnixSpec = {}): Auth {
  const w = new XdrWriter()
    .u32(spec.stamp ?? 0x12345678)
    .string(spec.machine ?? 'client')
    .u32(spec.uid ?? 1000)
    .u32(spec.gid ?? 1000);
  const gids = spec.gids ?? [];
  w.u32(gids.length);
  for (const g of gids) w.u32(g);
  return { flavor: 1, body: w.bytes() };
}

export interface CallSpec {
  xid: number;
  prog: number;
  vers: number;
  proc: number;
  cred?: Auth;
  verf?: Auth;
  /** Procedure arguments (already XDR-encoded). */
  body?: Uint8Array;
  rpcvers?: number;
}

export function buildCall(spec: CallSpec): Uint8Array {
  const cred = spec.cred ?? AUTH_NONE;
  const verf = spec.verf ?? AUTH_NONE;
  const w = new XdrWriter()
    .u32(spec.xid)
    .u32(0)
    .u32(spec.rpcvers ?? 2)
    .u32(spec.prog)
    .u32(spec.vers)
    .u32(spec.proc)
    .u32(cred.flavor)
    .opaque(cred.body)
    .u32(verf.flavor)
    .opaque(verf.body);
  return concatBytes(w.bytes(), spec.body ?? new Uint8Array(0));
}

export interface AcceptedReplySpec {
  xid: number;
  verf?: Auth;
  /** 0 SUCCESS, 1 PROG_UNAVAIL, 2 PROG_MISMATCH, 3 PROC_UNAVAIL, 4 GARBAGE_ARGS, 5 SYSTEM_ERR. */
  acceptStat?: number;
  /** For PROG_MISMATCH. */
  mismatch?: { low: number; high: number };
  /** Results (SUCCESS only). */
  body?: Uint8Array;
}

export function buildAcceptedReply(spec: AcceptedReplySpec): Uint8Array {
  const verf = spec.verf ?? AUTH_NONE;
  const stat = spec.acceptStat ?? 0;
  const w = new XdrWriter().u32(spec.xid).u32(1).u32(0).u32(verf.flavor).opaque(verf.body).u32(stat);
  if (stat === 2) {
    const m = spec.mismatch ?? { low: 2, high: 3 };
    w.u32(m.low).u32(m.high);
  }
  return concatBytes(w.bytes(), stat === 0 ? (spec.body ?? new Uint8Array(0)) : new Uint8Array(0));
}

export type DeniedReplySpec = { xid: number; rpcMismatch: { low: number; high: number } } | { xid: number; authStat: number };

export function buildDeniedReply(spec: DeniedReplySpec): Uint8Array {
  const w = new XdrWriter().u32(spec.xid).u32(1).u32(1);
  if ('rpcMismatch' in spec) w.u32(0).u32(spec.rpcMismatch.low).u32(spec.rpcMismatch.high);
  else w.u32(1).u32(spec.authStat);
  return w.bytes();
}

/** A realistic NFSv3 file handle (opaque<64>). */
export function nfsFh(seed = 7, len = 28): Uint8Array {
  return new XdrWriter().opaque(randomBytes(len, seed)).bytes();
}

/** NFSv3 WRITE3args with `data` (file handle, offset, count, stable, data). */
export function nfsWriteArgs(data: Uint8Array, offset = 0n): Uint8Array {
  return concatBytes(
    nfsFh(),
    new XdrWriter().u64(offset).u32(data.length).u32(2).opaque(data).bytes(),
  );
}

/** NFSv3 READ3resok-like body: status, no attributes, count, eof, data. */
export function nfsReadResult(data: Uint8Array): Uint8Array {
  return new XdrWriter().u32(0).u32(0).u32(data.length).u32(1).opaque(data).bytes();
}

// ------------------------------------------------------------------------------------------------ record marking

export function recordMark(len: number, last: boolean): Uint8Array {
  return new XdrWriter().u32(((last ? 0x80000000 : 0) | (len & 0x7fffffff)) >>> 0).bytes();
}

/** The message framed as one record; `fragSizes` splits it into fragments (the last takes the rest). */
export function frameRecord(msg: Uint8Array, fragSizes: number[] = []): Uint8Array {
  const parts: Uint8Array[] = [];
  let o = 0;
  for (const n of fragSizes) {
    if (o + n >= msg.length) break;
    parts.push(recordMark(n, false), msg.subarray(o, o + n));
    o += n;
  }
  parts.push(recordMark(msg.length - o, true), msg.subarray(o));
  return concatBytes(...parts);
}

/** Cuts `bytes` at the given offsets (ascending). */
export function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let o = 0;
  for (const c of cuts) {
    out.push(bytes.subarray(o, c));
    o = c;
  }
  out.push(bytes.subarray(o));
  return out;
}

/** Cuts `bytes` into pieces of at most `size`. */
export function chop(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; o += size) out.push(bytes.subarray(o, Math.min(bytes.length, o + size)));
  return out;
}

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
  records?: Partial<Omit<RecordMarkerOptions, 'inSync'>>;
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
