/**
 * For the property tests: RPC exchanges laid out as one TCP connection (each direction a record-marked byte stream,
 * RFC 5531 §11) or as UDP datagrams, cut into segments, turned into Ethernet frames and run through the whole core
 * Pipeline; and a projection of the decoded events that leaves out what legitimately depends on the segmentation
 * (frame numbers, times, fragment counts), so decodes of differently cut streams can be compared.
 */
import type { RawFrame } from '../../src/capture/raw-frame';
import { createFormatContext } from '../../src/format/format-context';
import { eventToJson } from '../../src/format/json';
import { defaultRegistry, DEFAULT_PIPELINE, Pipeline } from '../../src/pipeline';
import { FhNames } from '../../src/programs/fh-names';
import { isRpcEvent, type RpcEvent } from '../../src/rpc/rpc-event';
import { concat } from './bytes';
import { frameRecord } from './rpc-builders';
import type { GeneratedExchange } from './rpc-gen';
import type { Gen } from './seeded-gen';
import { ethernet, fragmentIpv4, udp } from './net-builders';
import { tcpFrame, udpFrame } from './synthetic-capture';

export type Side = 'c' | 's';

/** Bytes of one direction's stream at a stream offset (0 = the first data byte after the SYN). */
export interface Segment {
  side: Side;
  offset: number;
  bytes: Uint8Array;
}

export interface TcpConversation {
  clientPort: number;
  serverPort: number;
  /** The two byte streams, client → server (calls) and server → client (replies). */
  c: Uint8Array;
  s: Uint8Array;
  /** Stream offsets where record i starts and ends, per side. */
  bounds: Record<Side, Array<[number, number]>>;
}

/** The exchanges as one connection: calls then replies in the same order, each record cut into 1..N fragments
 *  when `fragment` (random sizes), else one fragment each. */
export function tcpConversation(exchanges: GeneratedExchange[], g: Gen | null, clientPort = 801): TcpConversation {
  const bounds: Record<Side, Array<[number, number]>> = { c: [], s: [] };
  const parts: Record<Side, Uint8Array[]> = { c: [], s: [] };
  const at: Record<Side, number> = { c: 0, s: 0 };
  const add = (side: Side, msg: Uint8Array): void => {
    const fragSizes = g && msg.length > 1 && g.chance(0.5) ? g.cuts(msg.length, g.int(1, 4)).map((c, i, a) => c - (a[i - 1] ?? 0)) : [];
    const framed = frameRecord(msg, fragSizes);
    bounds[side].push([at[side], at[side] + framed.length]);
    parts[side].push(framed);
    at[side] += framed.length;
  };
  for (const x of exchanges) {
    add('c', x.call);
    add('s', x.reply);
  }
  return { clientPort, serverPort: exchanges[0]?.port ?? 2049, c: concat(...parts.c), s: concat(...parts.s), bounds };
}

/** One segment per record, each reply right after its call: the reference layout. */
export function recordSegments(conv: TcpConversation): Segment[] {
  const out: Segment[] = [];
  conv.bounds.c.forEach(([a, b], i) => {
    out.push({ side: 'c', offset: a, bytes: conv.c.subarray(a, b) });
    const [ra, rb] = conv.bounds.s[i];
    out.push({ side: 's', offset: ra, bytes: conv.s.subarray(ra, rb) });
  });
  return out;
}

/** Both streams cut at random offsets (anywhere: inside record marks, headers, fragments), interleaved at random
 *  but causally: a reply's bytes are sent only after its whole call was. `cuts` cut points per side (default random). */
export function randomSegments(conv: TcpConversation, g: Gen, cuts?: number): Segment[] {
  const pieces = (side: Side): Segment[] => {
    const s = conv[side];
    const at = [0, ...g.cuts(s.length, cuts ?? g.int(0, Math.min(40, s.length))), s.length];
    return at.slice(1).map((end, i) => ({ side, offset: at[i], bytes: s.subarray(at[i], end) }));
  };
  const c = pieces('c');
  const s = pieces('s');
  const out: Segment[] = [];
  let ci = 0;
  let si = 0;
  let cSent = 0;
  /** The client bytes that must be sent before server bytes up to `end`: every call whose reply starts before it. */
  const callsNeeded = (end: number): number => {
    let need = 0;
    conv.bounds.s.forEach(([a], i) => {
      if (a < end) need = conv.bounds.c[i][1];
    });
    return need;
  };
  while (ci < c.length || si < s.length) {
    const serverOk = si < s.length && callsNeeded(s[si].offset + s[si].bytes.length) <= cSent;
    const takeServer = serverOk && (ci >= c.length || g.chance(0.5));
    if (takeServer) out.push(s[si++]);
    else {
      const seg = c[ci++];
      out.push(seg);
      cSent = seg.offset + seg.bytes.length;
    }
  }
  return out;
}

const CLIENT = '10.0.0.1';
const SERVER = '10.0.0.2';
const ISN: Record<Side, number> = { c: 0x10000000, s: 0xfffff000 }; // the server's wraps past 2^32

function rawFrame(frameNo: number, bytes: Uint8Array): RawFrame {
  return { frameNo, ts: { sec: 1_700_000_000 + Math.floor(frameNo / 1000), nsec: (frameNo % 1000) * 1_000_000 }, capLen: bytes.length, origLen: bytes.length, linkType: 1, bytes, interfaceId: 0 };
}

/** The segments as Ethernet frames of one connection: SYN, SYN-ACK, ACK, the segments, FIN from both sides. */
export function tcpFrames(conv: TcpConversation, segments: Segment[]): RawFrame[] {
  const end = (side: Side) => (side === 'c' ? { src: CLIENT, dst: SERVER, sport: conv.clientPort, dport: conv.serverPort } : { src: SERVER, dst: CLIENT, sport: conv.serverPort, dport: conv.clientPort });
  const seqAt = (side: Side, off: number): number => (ISN[side] + 1 + off) >>> 0;
  const frames: Uint8Array[] = [
    tcpFrame({ ...end('c'), seq: ISN.c, flags: 0x02 }),
    tcpFrame({ ...end('s'), seq: ISN.s, ack: seqAt('c', 0), flags: 0x12 }),
    tcpFrame({ ...end('c'), seq: seqAt('c', 0), ack: seqAt('s', 0), flags: 0x10 }),
  ];
  for (const sg of segments) frames.push(tcpFrame({ ...end(sg.side), seq: seqAt(sg.side, sg.offset), ack: seqAt(sg.side === 'c' ? 's' : 'c', 0), flags: 0x18 }, sg.bytes));
  frames.push(tcpFrame({ ...end('c'), seq: seqAt('c', conv.c.length), ack: seqAt('s', conv.s.length), flags: 0x11 }));
  frames.push(tcpFrame({ ...end('s'), seq: seqAt('s', conv.s.length), ack: seqAt('c', conv.c.length + 1), flags: 0x11 }));
  return frames.map((b, i) => rawFrame(i + 1, b));
}

/** Each call and reply as one UDP datagram, each reply right after its call. */
export function udpFrames(exchanges: GeneratedExchange[], clientPort = 801): RawFrame[] {
  const frames: Uint8Array[] = [];
  for (const x of exchanges) {
    frames.push(udpFrame({ src: CLIENT, dst: SERVER, sport: clientPort, dport: x.port }, x.call));
    frames.push(udpFrame({ src: SERVER, dst: CLIENT, sport: x.port, dport: clientPort }, x.reply));
  }
  return frames.map((b, i) => rawFrame(i + 1, b));
}

/** Each call and reply as one UDP datagram cut into IPv4 fragments of a random size (a multiple of 8, RFC 791), the
 *  fragments of each datagram shuffled and some sent twice before the datagram is complete; a reply's fragments after
 *  all of its call's. */
export function fragmentedUdpFrames(exchanges: GeneratedExchange[], g: Gen, clientPort = 801): RawFrame[] {
  const frames: Uint8Array[] = [];
  let id = g.int(1, 0xfff0);
  const send = (src: string, dst: string, sport: number, dport: number, msg: Uint8Array): void => {
    const l4 = udp(msg, { sport, dport });
    const chunk = 8 * g.int(1, Math.max(1, Math.ceil(l4.length / 8)));
    const frags = g.shuffle(fragmentIpv4(l4, { src, dst, protocol: 17, id: id++ }, chunk));
    frags.forEach((f, k) => {
      frames.push(ethernet(f));
      // a duplicate while the datagram is still incomplete; after its last fragment a copy would start a datagram of
      // its own (and a whole datagram sent twice is a real RPC duplicate)
      if (k + 1 < frags.length && g.chance(0.2)) frames.push(ethernet(f));
    });
  };
  for (const x of exchanges) {
    send(CLIENT, SERVER, clientPort, x.port, x.call);
    send(SERVER, CLIENT, x.port, clientPort, x.reply);
  }
  return frames.map((b, i) => rawFrame(i + 1, b));
}

/** Every RPC event the core pipeline gives for the frames, in output order. */
export function runFrames(frames: Iterable<RawFrame>): RpcEvent[] {
  const events: RpcEvent[] = [];
  const p = new Pipeline(DEFAULT_PIPELINE, (ev) => {
    if (isRpcEvent(ev)) events.push(ev);
  });
  for (const f of frames) p.pushFrame(f);
  p.finish();
  return events;
}

/** JSON keys whose values depend on where the stream was cut or when a frame arrived: frame numbers move to the frame
 *  that completes a message; times and RTTs follow the frames; fragment counts follow the record marking. */
const SEGMENTATION_KEYS = ['frame', 'time', 'frames', 'fragments', 'callFrame', 'replyFrame', 'lastCallFrame', 'rtt', 'retransmitOf'];

/**
 * A comparable view of one decoded message: its JSON (eventToJson: header, program, procedure, arguments or results
 * with RFC field names, status, decode error, flags, anomalies, summary) without SEGMENTATION_KEYS, plus whether it
 * was paired. Learned names are not applied (an empty FhNames), so the view does not depend on output order.
 */
export function projection(ev: RpcEvent, drop: readonly string[] = []): string {
  const fmt = createFormatContext(defaultRegistry(), new FhNames(), { showNames: false });
  const o = eventToJson(ev, fmt);
  for (const k of [...SEGMENTATION_KEYS, ...drop]) delete o[k];
  // snoop's reply line names the call's frame (`RPC R (#8) XID=…`): the frame moves with the segmentation
  if (typeof o.summary === 'string') o.summary = o.summary.replace(/\(#\d+\)/g, '(#call)');
  o.paired = ev.tx !== null && ev.tx.callFrame !== null && ev.tx.replyFrame !== null;
  return JSON.stringify(o, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

/** The projections of all events, sorted (calls and replies of different XIDs may complete in either order). */
export function projections(events: RpcEvent[], drop: readonly string[] = []): string[] {
  return events.map((e) => projection(e, drop)).sort();
}

/** XIDs per direction in the order they were output (calls, replies). */
export function xidOrder(events: RpcEvent[]): { calls: number[]; replies: number[] } {
  return {
    calls: events.filter((e) => e.msg.type === 'call').map((e) => e.msg.xid),
    replies: events.filter((e) => e.msg.type === 'reply').map((e) => e.msg.xid),
  };
}
