import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { L4Packet } from '../src/net/l4-packet';
import type { StreamChunk } from '../src/reassembly/stream-chunk';
import {
  TcpReassembler,
  type TcpReassemblerOptions,
  type TcpStreamEnd,
  type TcpStreamInfo,
} from '../src/reassembly/tcp-reassembler';
import { concat, hex, randomBytes } from './helpers/bytes';
import { chop } from './helpers/rpc-builders';
import { ACK, FIN, PSH, RST, SYN, tcpPacket, TcpSession } from './helpers/tcp-session';

interface Collected {
  chunks: StreamChunk[];
  streams: TcpStreamInfo[];
  ends: { stream: TcpStreamInfo; end: TcpStreamEnd }[];
  closes: { connId: string; reason: string }[];
  tcp: TcpReassembler;
}

function collect(packets: L4Packet[], opts: Partial<TcpReassemblerOptions> = {}, finish = true): Collected {
  const c: Collected = { chunks: [], streams: [], ends: [], closes: [], tcp: undefined as unknown as TcpReassembler };
  c.tcp = new TcpReassembler(
    {
      onChunk(chunk, stream) {
        c.chunks.push(chunk);
        if (!c.streams.includes(stream)) c.streams.push(stream);
      },
      onStreamEnd(stream, end) {
        c.ends.push({ stream, end });
      },
      onClose(connId, reason) {
        c.closes.push({ connId, reason });
      },
    },
    opts,
  );
  for (const p of packets) c.tcp.push(p);
  if (finish) c.tcp.finish();
  return c;
}

/** The bytes of one direction (by source port), gaps filled with `fill` bytes so offsets stay comparable. */
function streamOf(chunks: StreamChunk[], sport: number, fill = -1): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const c of chunks) {
    if (c.sport !== sport) continue;
    if (c.gapBefore > 0 && fill >= 0) parts.push(new Uint8Array(c.gapBefore).fill(fill));
    parts.push(c.bytes);
  }
  return concat(...parts);
}

test('in-order payload is delivered as views of the packet, with connection id, endpoints and SYN flags', () => {
  const s = new TcpSession();
  const a = s.segment('c', randomBytes(100, 1));
  const b = s.segment('s', randomBytes(50, 2));
  const c = collect([...s.handshake(), a, b, s.fin('c'), s.fin('s')]);
  assert.equal(c.chunks.length, 2);
  assert.equal(c.chunks[0].bytes, a.payload, 'the payload itself, not a copy');
  assert.equal(c.chunks[1].bytes, b.payload);
  assert.equal(c.chunks[0].connId, 'tcp 10.0.0.1:900 10.0.0.2:2049#0');
  assert.equal(c.chunks[1].connId, c.chunks[0].connId, 'both directions share the id');
  assert.deepEqual(
    [c.chunks[1].src, c.chunks[1].sport, c.chunks[1].dst, c.chunks[1].dport, c.chunks[1].gapBefore, c.chunks[1].frameNo],
    ['10.0.0.2', 2049, '10.0.0.1', 900, 0, b.frameNo],
  );
  const [cli, srv] = c.streams;
  assert.deepEqual([cli.synSeen, cli.fromStart, cli.initiator], [true, true, true]);
  assert.deepEqual([srv.synSeen, srv.fromStart, srv.initiator], [true, true, false]);
  assert.equal(cli.key, 'tcp 10.0.0.1:900 10.0.0.2:2049#0>10.0.0.1:900');
  assert.deepEqual(c.ends.map((e) => [e.stream.sport, e.end.reason, e.end.trailingGap]), [[900, 'fin', 0], [2049, 'fin', 0]]);
  assert.deepEqual(c.closes, [{ connId: 'tcp 10.0.0.1:900 10.0.0.2:2049#0', reason: 'fin' }]);
  assert.deepEqual(c.tcp.counters, {});
});

test('reordered and duplicated segments: bytes in order, once, each chunk with the frame that carried it', () => {
  const data = randomBytes(5000, 3);
  const s = new TcpSession();
  const hs = s.handshake();
  const segs = chop(data, 700).map((p, i) => s.segment('c', p, { offset: i * 700 }));
  const order = [segs[2], segs[0], segs[0], segs[4], segs[1], segs[3], segs[6], segs[5], segs[2], segs[7]];
  const c = collect([...hs, ...order]);
  assert.equal(hex(streamOf(c.chunks, 900)), hex(data));
  assert.ok(c.chunks.every((ch) => ch.gapBefore === 0));
  // the chunk holding offset 1400.. came from segs[2]'s frame even though it was delivered later
  const third = c.chunks.find((ch) => ch.bytes[0] === data[1400] && ch.bytes.length === 700);
  assert.equal(third?.frameNo, segs[2].frameNo);
  assert.equal(c.tcp.stats.duplicateSegments, 2);
  assert.ok(c.tcp.stats.outOfOrderSegments >= 3);
  assert.equal(c.tcp.stats.bufferedBytes, 0);
});

test('overlapping retransmissions with different boundaries deliver only new bytes', () => {
  const data = randomBytes(3000, 4);
  const s = new TcpSession();
  const seg = (from: number, to: number): L4Packet => s.segment('c', data.subarray(from, to), { offset: from });
  const c = collect([...s.handshake(), seg(0, 1000), seg(500, 1500), seg(1200, 2000), seg(100, 300), seg(1900, 3000), seg(0, 3000)]);
  assert.equal(hex(streamOf(c.chunks, 900)), hex(data));
  assert.deepEqual(c.chunks.map((ch) => ch.bytes.length), [1000, 500, 500, 1000]);
  assert.equal(c.tcp.stats.overlappingSegments, 3);
});

test('sequence numbers wrap at 2^32 (reordered across the wrap)', () => {
  const data = randomBytes(4000, 5);
  const s = new TcpSession(undefined, undefined, { c: 0xffffffff - 2500 });
  const hs = s.handshake();
  const segs = chop(data, 1000).map((p, i) => s.segment('c', p, { offset: i * 1000 }));
  assert.ok((segs[3].tcp?.seq ?? 0) < 0x1000 && (segs[0].tcp?.seq ?? 0) > 0xfffff000);
  const c = collect([...hs, segs[0], segs[3], segs[2], segs[1], segs[1]]);
  assert.equal(hex(streamOf(c.chunks, 900)), hex(data));
  assert.equal(c.tcp.stats.bytesLost, 0);
});

test('a hole that is never filled is declared lost when the connection closes (FIN both ways, RST, finish)', () => {
  const data = randomBytes(3000, 6);
  const build = (end: 'fin' | 'rst' | 'none'): L4Packet[] => {
    const s = new TcpSession();
    const pkts = s.handshake();
    pkts.push(s.segment('c', data.subarray(0, 1000), { offset: 0 }), s.segment('c', data.subarray(2000), { offset: 2000 }));
    if (end === 'fin') pkts.push(s.fin('c'), s.fin('s'));
    if (end === 'rst') pkts.push(s.rst('s'));
    return pkts;
  };
  for (const end of ['fin', 'rst', 'none'] as const) {
    const c = collect(build(end));
    assert.deepEqual(c.chunks.map((ch) => [ch.bytes.length, ch.gapBefore]), [[1000, 0], [1000, 1000]], end);
    assert.equal(c.tcp.counters.tcp_gap, 1);
    assert.equal(c.tcp.stats.bytesLost, 1000);
    const ends = c.ends.filter((e) => e.stream.sport === 900);
    assert.equal(ends[0].end.reason, end === 'none' ? 'finish' : end);
  }
});

test('FIN waits for retransmitted data; a half-closed connection keeps the other direction open', () => {
  const s = new TcpSession();
  const pkts = s.handshake();
  const a = s.segment('c', randomBytes(500, 1), { offset: 0 });
  const b = s.segment('c', randomBytes(500, 2), { offset: 500 });
  const finC = s.fin('c');
  const reply = s.segment('s', randomBytes(300, 3));
  const finS = s.fin('s');
  pkts.push(a, finC, b, reply, finS);
  const c = collect(pkts, {}, false);
  assert.deepEqual(c.chunks.map((ch) => [ch.sport, ch.bytes.length, ch.gapBefore]), [[900, 500, 0], [900, 500, 0], [2049, 300, 0]]);
  assert.deepEqual(c.ends.map((e) => [e.stream.sport, e.end.reason, e.end.frameNo]), [[900, 'fin', b.frameNo], [2049, 'fin', finS.frameNo]]);
  assert.equal(c.closes.length, 1);
  assert.equal(c.tcp.stats.bytesLost, 0);
});

test('a snaplen-cut segment: captured bytes delivered, the uncaptured tail reported lost at once (an empty chunk)', () => {
  const s = new TcpSession();
  const first = s.segment('c', randomBytes(100, 1), { payloadLength: 1000 });
  const second = s.segment('c', randomBytes(100, 2), { payloadLength: 1000 });
  const c = collect([...s.handshake(), first, second, s.fin('c'), s.fin('s')]);
  assert.deepEqual(
    c.chunks.map((ch) => [ch.bytes.length, ch.gapBefore, ch.frameNo]),
    [
      [100, 0, first.frameNo],
      [0, 900, first.frameNo],
      [100, 0, second.frameNo],
      [0, 900, second.frameNo],
    ],
  );
  assert.equal(c.ends[0].end.trailingGap, 0);
  assert.equal(c.tcp.stats.bytesLost, 1800);
  assert.equal(c.tcp.counters.tcp_gap, 2);
});

test('a connection joined mid-way starts at the first segment seen in each direction', () => {
  const s = new TcpSession();
  const d = randomBytes(2000, 7);
  const later = s.segment('c', d.subarray(1000), { offset: 1000 });
  const earlier = s.segment('c', d.subarray(0, 1000), { offset: 0 });
  const c = collect([later, earlier, s.segment('s', randomBytes(10, 1))]);
  assert.equal(hex(streamOf(c.chunks, 900)), hex(d.subarray(1000)), 'bytes before the first segment seen are old');
  assert.deepEqual(c.streams.map((x) => [x.synSeen, x.fromStart, x.initiator]), [[false, false, null], [false, false, null]]);
});

test("the server's SYN-ACK tells where the client's stream starts when the client's SYN was missed", () => {
  const s = new TcpSession();
  const [, synAck, ack] = s.handshake();
  const data = randomBytes(300, 8);
  const c = collect([synAck, ack, s.segment('c', data)]);
  assert.equal(hex(streamOf(c.chunks, 900)), hex(data));
  assert.deepEqual([c.streams[0].synSeen, c.streams[0].fromStart], [false, true]);
});

test('a SYN after FIN/RST starts a new connection id; stale segments of the closed one are dropped', () => {
  const s1 = new TcpSession(undefined, undefined, { c: 1000 });
  const p1 = [...s1.handshake(), s1.segment('c', randomBytes(100, 1)), s1.rst('c')];
  const stale = s1.segment('c', randomBytes(100, 1), { offset: 0 });
  const s2 = new TcpSession(undefined, undefined, { c: 9_000_000 }, 100);
  const p2 = [...s2.handshake(), s2.segment('c', randomBytes(50, 2))];
  const s3 = new TcpSession(undefined, undefined, { c: 77_000_000 }, 200);
  const p3 = [...s3.handshake(), s3.segment('c', randomBytes(60, 3))];
  const c = collect([...p1, stale, p1[0], ...p2, ...p3]);
  assert.deepEqual(
    c.chunks.map((ch) => [ch.connId, ch.bytes.length]),
    [
      ['tcp 10.0.0.1:900 10.0.0.2:2049#0', 100],
      ['tcp 10.0.0.1:900 10.0.0.2:2049#1', 50],
      ['tcp 10.0.0.1:900 10.0.0.2:2049#2', 60],
    ],
  );
  assert.deepEqual(c.closes.map((x) => x.reason), ['rst', 'reused', 'finish']);
});

test('the connection table is bounded: the least recently used connection is evicted and counted', () => {
  const pkts: L4Packet[] = [];
  for (let i = 0; i < 5; i++) {
    const s = new TcpSession({ addr: '10.0.0.1', port: 1000 + i }, undefined, {}, 10 * i + 1);
    pkts.push(...s.handshake(), s.segment('c', randomBytes(10, i)));
  }
  const c = collect(pkts, { maxConnections: 3 });
  assert.equal(c.tcp.counters.tcp_stream_table_full, 2);
  assert.deepEqual(c.closes.map((x) => [x.connId.split(' ')[1], x.reason]).slice(0, 2), [['10.0.0.1:1000', 'evicted'], ['10.0.0.1:1001', 'evicted']]);
  assert.equal(c.chunks.length, 5);
});

test('idle connections end after the idle timeout; later data reopens them as a new, mid-way stream', () => {
  const s = new TcpSession();
  const pkts = [...s.handshake(), s.segment('c', randomBytes(10, 1))];
  const later = s.segment('c', randomBytes(10, 2));
  later.ts = { sec: pkts[0].ts.sec + 1000, nsec: 0 };
  const c = collect([...pkts, later], { idleTimeout: 60 });
  assert.deepEqual(c.closes.map((x) => [x.connId.slice(-2), x.reason]), [['#0', 'idle'], ['#1', 'finish']]);
  assert.equal(c.streams[1].fromStart, false);
});

test('bounded out-of-order buffer: the per-direction cap declares the first hole lost and continues', () => {
  const data = randomBytes(20_000, 9);
  const s = new TcpSession();
  const pkts = s.handshake();
  for (let o = 0; o < data.length; o += 1000) if (o !== 3000) pkts.push(s.segment('c', data.subarray(o, o + 1000), { offset: o }));
  const c = collect(pkts, { maxBufferedPerDirection: 5000 }, false);
  assert.equal(c.tcp.counters.tcp_out_of_order_overflow, 1);
  assert.equal(c.chunks.reduce((n, ch) => n + ch.bytes.length, 0), 19_000, 'all but the lost segment, before finish()');
  assert.deepEqual(c.chunks.filter((ch) => ch.gapBefore > 0).map((ch) => ch.gapBefore), [1000]);
  assert.equal(hex(streamOf(c.chunks, 900, 0)), hex(concat(data.subarray(0, 3000), new Uint8Array(1000), data.subarray(4000))));
  assert.ok(c.tcp.stats.bufferedBytes <= 5000);
});

test('the global out-of-order cap applies across connections', () => {
  const pkts: L4Packet[] = [];
  for (let i = 0; i < 4; i++) {
    const s = new TcpSession({ addr: '10.0.0.1', port: 2000 + i }, undefined, {}, 100 * i + 1);
    pkts.push(...s.handshake());
    for (let o = 1000; o < 4000; o += 1000) pkts.push(s.segment('c', randomBytes(1000, o), { offset: o }));
  }
  const c = collect(pkts, { maxBufferedTotal: 7000 }, false);
  assert.ok(c.tcp.stats.bufferedBytes <= 7000);
  assert.ok((c.tcp.counters.tcp_out_of_order_overflow ?? 0) >= 2);
  assert.ok(c.chunks.filter((ch) => ch.gapBefore > 0).every((ch) => ch.gapBefore === 1000));
  assert.ok(c.chunks.length >= 6);
});

test('IPv6 connection ids bracket the addresses; non-TCP and pure ACKs of unknown connections are ignored', () => {
  const p = tcpPacket({ frameNo: 1, src: '2001:db8::1', dst: '2001:db8::2', sport: 800, dport: 2049, seq: 5, payload: randomBytes(20, 1), ipVersion: 6 });
  const ackOnly = tcpPacket({ frameNo: 2, src: '10.9.9.9', dst: '10.9.9.8', seq: 1, flags: ACK });
  const udp: L4Packet = { ...p, frameNo: 3, transport: 'udp', tcp: undefined };
  const c = collect([p, ackOnly, udp, tcpPacket({ frameNo: 4, seq: 1, flags: FIN | ACK }), tcpPacket({ frameNo: 5, seq: 1, flags: RST })]);
  assert.equal(c.chunks.length, 1);
  assert.equal(c.chunks[0].connId, 'tcp [2001:db8::1]:800 [2001:db8::2]:2049#0');
  assert.equal(c.tcp.stats.ignoredSegments, 4);
  assert.equal(c.tcp.connectionCount, 0, 'finish() empties the table');
  void PSH;
  void SYN;
});

test('many interleaved connections (more than the recent-connection cache holds) each keep their own stream', () => {
  // 6000 connections, segments round-robin: cache slots are shared and replaced, evictions and closes happen while
  // other connections are cached; every chunk must still go to its own connection, in order, and be delivered once
  const n = 6000;
  const sessions: TcpSession[] = [];
  for (let i = 0; i < n; i++) {
    sessions.push(new TcpSession({ addr: `10.${i >> 8}.${i & 255}.${(i * 13) & 255}`, port: 700 + (i % 5) }, { addr: '10.200.0.1', port: 2049 }, { c: i * 7919 }, 1 + i * 20));
  }
  const rounds: L4Packet[][] = [[], [], [], []];
  for (let i = 0; i < n; i++) {
    const s = sessions[i];
    rounds[0].push(...s.handshake());
    rounds[1].push(s.segment('c', Uint8Array.of(i & 255, i >> 8, 1)));
    rounds[2].push(s.segment('s', Uint8Array.of(i & 255, i >> 8, 2)));
    // every third connection resets, then its 4-tuple comes back as a new connection
    rounds[3].push(i % 3 === 0 ? s.rst('c') : s.segment('c', Uint8Array.of(i & 255, i >> 8, 3)));
  }
  const again: L4Packet[] = [];
  for (let i = 0; i < n; i += 3) {
    const s = new TcpSession(sessions[i].client, sessions[i].server, { c: 3_000_000_000 + i }, 130_000 + i * 10);
    again.push(...s.handshake(), s.segment('c', Uint8Array.of(i & 255, i >> 8, 4)));
  }
  const all = [...rounds[0], ...rounds[1], ...rounds[2], ...rounds[3], ...again];
  // with a small table (connections evicted while cached): every chunk still goes to the connection it came on
  const small = collect(all, { maxConnections: 1000 });
  for (const ch of small.chunks) {
    const i = ch.bytes[0] | (ch.bytes[1] << 8);
    const s = sessions[i];
    const a = `${s.client.addr}:${s.client.port}`;
    const b = `${s.server.addr}:${s.server.port}`;
    assert.ok(ch.connId.startsWith(`tcp ${a < b ? a : b} ${a < b ? b : a}#`), ch.connId);
  }
  assert.ok((small.tcp.counters.tcp_stream_table_full ?? 0) > 0);
  const c = collect(all);
  const byConn = new Map<string, number[][]>();
  for (const ch of c.chunks) {
    const list = byConn.get(ch.connId) ?? [];
    list.push([...ch.bytes]);
    byConn.set(ch.connId, list);
  }
  for (let i = 0; i < n; i++) {
    const s = sessions[i];
    const a = `${s.client.addr}:${s.client.port}`;
    const b = `${s.server.addr}:${s.server.port}`;
    const id = `tcp ${a < b ? a : b} ${a < b ? b : a}`;
    const lo = i & 255;
    const hi = i >> 8;
    const first = i % 3 === 0 ? [[lo, hi, 1], [lo, hi, 2]] : [[lo, hi, 1], [lo, hi, 2], [lo, hi, 3]];
    assert.deepEqual(byConn.get(`${id}#0`), first, `connection ${i}`);
    if (i % 3 === 0) assert.deepEqual(byConn.get(`${id}#1`), [[lo, hi, 4]], `connection ${i} reused`);
  }
  assert.equal(byConn.size, n + n / 3);
});

test('eviction takes the least recently used connection, not the oldest created; idle expiry follows use too', () => {
  const s = [0, 1, 2, 3].map((i) => new TcpSession({ addr: '10.0.0.1', port: 1000 + i }, undefined, {}, 100 * i + 1));
  // A, B, C created in that order; A used again; then D: B is the least recently used
  const pkts = [...s[0].handshake(), ...s[1].handshake(), ...s[2].handshake(), s[0].segment('c', randomBytes(10, 1)), ...s[3].handshake()];
  const c = collect(pkts, { maxConnections: 3 }, false);
  assert.deepEqual(c.closes.map((x) => [x.connId.split(' ')[1], x.reason]), [['10.0.0.1:1001', 'evicted']]);
  // C next, then A (D and A were used after it)
  c.tcp.push(s[3].segment('c', randomBytes(5, 2)));
  c.tcp.push(s[0].segment('c', randomBytes(5, 3)));
  c.tcp.push(new TcpSession({ addr: '10.0.0.9', port: 9 }, undefined, {}, 900).handshake()[0]);
  c.tcp.push(new TcpSession({ addr: '10.0.0.9', port: 10 }, undefined, {}, 950).handshake()[0]);
  assert.deepEqual(c.closes.map((x) => x.connId.split(' ')[1]), ['10.0.0.1:1001', '10.0.0.1:1002', '10.0.0.1:1003']);
});
