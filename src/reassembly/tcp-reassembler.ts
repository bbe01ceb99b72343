/**
 * TCP stream reassembly (design.md "reassembly/"): one ordered byte stream per connection and direction, fed with
 * L4Packets, delivering StreamChunks synchronously, in sequence order per direction, as packets arrive.
 *
 *  - In-order payload is delivered as a view of the packet payload (no copy); only out-of-order segments are
 *    copied into a bounded buffer (per direction and global caps).
 *  - Retransmitted and overlapping bytes are delivered once (first copy wins); 32-bit wraparound is handled.
 *  - Lost bytes are explicit: when a hole is given up on (buffer bound reached, FIN/RST, idle, finish()), the next
 *    delivered chunk carries `gapBefore`; bytes cut by the snaplen are lost at once.
 *  - A connection is keyed by its 4-tuple; a SYN after FIN/RST, or a SYN with a new ISN, starts a new connection
 *    id (`#n`). Connections are bounded (least recently used evicted) and end on FIN (both ways), RST, idle or
 *    finish(); every direction that delivered data gets an end callback so its consumer can flush.
 */
import type { Anomaly } from '../anomaly';
import type { Timestamp } from '../capture/raw-frame';
import type { L4Packet } from '../net/l4-packet';
import type { StreamChunk, StreamEndpoints } from './stream-chunk';
import { TcpDirection, type DirectionHost, type TcpEndReason, type TcpStreamEnd, type TcpStreamInfo } from './tcp-stream';

export type { TcpEndReason, TcpStreamEnd, TcpStreamInfo } from './tcp-stream';

export interface TcpReassemblerHandlers {
  /** New in-order bytes of one direction. `stream` is the same object for every chunk of that direction. */
  onChunk(chunk: StreamChunk, stream: TcpStreamInfo): void;
  /** A direction that delivered data has ended (after its last chunk). */
  onStreamEnd?(stream: TcpStreamInfo, end: TcpStreamEnd): void;
  /** A connection has ended (after the onStreamEnd of its directions). */
  onClose?(connId: string, reason: TcpEndReason): void;
  /** Each anomaly as it happens (they are also counted in `counters`). */
  onAnomaly?(anomaly: Anomaly, connId: string, frameNo: number): void;
}

export interface TcpReassemblerOptions {
  /** Out-of-order bytes held per direction before the first hole is declared lost. */
  maxBufferedPerDirection: number;
  /** Out-of-order bytes held over all connections. */
  maxBufferedTotal: number;
  /** Connections (open or recently closed) kept; the least recently used is evicted beyond it. */
  maxConnections: number;
  /** Seconds of capture time without a packet after which a connection ends ('idle'); 0 = never. */
  idleTimeout: number;
}

export const DEFAULT_TCP_REASSEMBLY: TcpReassemblerOptions = {
  maxBufferedPerDirection: 4 << 20,
  maxBufferedTotal: 64 << 20,
  maxConnections: 100_000,
  idleTimeout: 300,
};

export interface TcpReassemblerStats {
  segments: number;
  /** Segments whose bytes had all been delivered already. */
  duplicateSegments: number;
  /** Segments that repeated some already delivered bytes (only their new bytes were delivered). */
  overlappingSegments: number;
  /** Segments buffered because they arrived ahead of a hole. */
  outOfOrderSegments: number;
  /** Segments ignored: not TCP, no TCP header, or stale segments of a closed connection. */
  ignoredSegments: number;
  bytesDelivered: number;
  bytesLost: number;
  connections: number;
  /** Out-of-order bytes currently held. */
  bufferedBytes: number;
}

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;

class Connection {
  open = true;
  closedBy: TcpEndReason | null = null;
  lastSeen: number;
  /** Once closed, the reassembler's inert pair (closedDirs): a closed connection is remembered (for its `#n` and
   *  to drop its stale segments) at the cost of this object and its key only, not of two directions with their
   *  endpoints, stream info and id strings (about 1 KiB per connection, up to maxConnections of them). */
  dirs: [TcpDirection, TcpDirection];
  /** The ISN of each direction (dirs[0], dirs[1]) whose SYN was seen (-1 otherwise), kept at close to recognise a
   *  retransmitted SYN. Two fields, not a pair array: a closed connection is kept as this object alone, and the
   *  array with its elements was about a third of it (closed connections were most of the live heap in a
   *  capture of many short connections, docs/performance.md). */
  synIsn0 = -1;
  synIsn1 = -1;
  /** Neighbours in the reassembler's least-recently-used list (older: used less recently). */
  older: Connection | null = null;
  newer: Connection | null = null;

  constructor(
    readonly key: string,
    readonly gen: number,
    host: DirectionHost,
    lo: StreamEndpoints,
    hi: StreamEndpoints,
    now: number,
  ) {
    const id = `tcp ${key}#${gen}`;
    this.dirs = [new TcpDirection(host, id, lo), new TcpDirection(host, id, hi)];
    this.lastSeen = now;
  }

  get id(): string {
    return this.dirs[0].connId;
  }
}

function sameEndpoints(ep: StreamEndpoints, pkt: L4Packet): boolean {
  return ep.sport === pkt.sport && ep.dport === pkt.dport && ep.src === pkt.src && ep.dst === pkt.dst;
}

/** Slots of the reassembler's recent-connection cache (a power of two). */
const RECENT_SLOTS = 4096;

/** The last three characters of an address text, mixed (the differing part of most addresses in one capture). */
function addressHash(a: string): number {
  const n = a.length;
  return n < 3 ? n : a.charCodeAt(n - 1) ^ (a.charCodeAt(n - 2) << 5) ^ (a.charCodeAt(n - 3) << 10);
}

/** The recent-connection slot of a segment: the same for both directions of a connection (XOR is symmetric). */
function recentSlot(pkt: L4Packet): number {
  const h = addressHash(pkt.src) ^ addressHash(pkt.dst) ^ Math.imul(pkt.sport ^ pkt.dport, 0x9e3779b1);
  return (h ^ (h >>> 15)) & (RECENT_SLOTS - 1);
}

function endpointText(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

export class TcpReassembler {
  readonly options: TcpReassemblerOptions;
  /** Anomalies by name (tcp_gap, tcp_out_of_order_overflow, tcp_stream_table_full). */
  readonly counters: Partial<Record<Anomaly, number>> = {};
  readonly stats: TcpReassemblerStats = {
    segments: 0,
    duplicateSegments: 0,
    overlappingSegments: 0,
    outOfOrderSegments: 0,
    ignoredSegments: 0,
    bytesDelivered: 0,
    bytesLost: 0,
    connections: 0,
    bufferedBytes: 0,
  };
  /** Connections by key (lookup only: the use order is the list below). */
  private readonly conns = new Map<string, Connection>();
  /** The same connections in a doubly linked list, least recently used first. Moving a connection to the end is
   *  two pointer updates; it was a Map delete and set per segment, whose deleted entries made V8 rebuild the table
   *  (several MB with 100 000 connections) again and again: old-generation garbage that set the pace of full
   *  collections (docs/performance.md). */
  private oldest: Connection | null = null;
  private newest: Connection | null = null;
  /** Recently used connections by recentSlot() (connections pushed out of the table are closed, so they match no
   *  packet here and hold only their tombstone). */
  private readonly recent: Array<Connection | undefined> = new Array<Connection | undefined>(RECENT_SLOTS).fill(undefined);
  private nextSweep = -Infinity;
  private readonly host: DirectionHost;
  /** Shared by every closed connection (Connection.dirs): ended, empty, never fed. */
  private readonly closedDirs: [TcpDirection, TcpDirection];

  constructor(
    private readonly handlers: TcpReassemblerHandlers,
    options: Partial<TcpReassemblerOptions> = {},
  ) {
    this.options = { ...DEFAULT_TCP_REASSEMBLY, ...options };
    const stats = this.stats;
    this.host = {
      maxBufferedPerDirection: this.options.maxBufferedPerDirection,
      chunk: (dir, chunk) => {
        stats.bytesDelivered += chunk.bytes.length;
        handlers.onChunk(chunk, dir.stream as TcpStreamInfo);
      },
      ended: (dir, end) => handlers.onStreamEnd?.(dir.stream as TcpStreamInfo, end),
      anomaly: (a, connId, frameNo) => this.anomaly(a, connId, frameNo),
      buffered: (delta) => {
        stats.bufferedBytes += delta;
      },
      lost: (n) => {
        stats.bytesLost += n;
      },
    };
    const none: StreamEndpoints = { ipVersion: 4, src: '', sport: 0, dst: '', dport: 0 };
    this.closedDirs = [new TcpDirection(this.host, '', none), new TcpDirection(this.host, '', none)];
    for (const d of this.closedDirs) d.ended = true;
  }

  /** Connections in the table (open and recently closed). */
  get connectionCount(): number {
    return this.conns.size;
  }

  push(pkt: L4Packet): void {
    const t = pkt.tcp;
    if (pkt.transport !== 'tcp' || !t) {
      this.stats.ignoredSegments++;
      return;
    }
    this.stats.segments++;
    const now = pkt.ts.sec + pkt.ts.nsec / 1e9;
    if (now >= this.nextSweep) this.expireIdle(pkt.ts);

    // A segment of a connection seen recently is found in `recent` (a direct-mapped cache indexed by a hash of the
    // 4-tuple that is the same for both directions): its key and table entry are that connection's (dirs[0] is
    // always the `fwd` direction), and the key string need not be built and hashed again. A cached connection that
    // has closed since has the closed directions' empty endpoints and matches nothing, and an open connection is
    // always in the table, so a match is exactly what the table lookup would find.
    const slot = recentSlot(pkt);
    const cached = this.recent[slot];
    let fwd: boolean;
    let key: string;
    let conn: Connection | undefined;
    if (cached !== undefined && sameEndpoints(cached.dirs[0].ep, pkt)) {
      fwd = true;
      key = cached.key;
      conn = cached;
    } else if (cached !== undefined && sameEndpoints(cached.dirs[1].ep, pkt)) {
      fwd = false;
      key = cached.key;
      conn = cached;
    } else {
      fwd = pkt.src < pkt.dst || (pkt.src === pkt.dst && pkt.sport <= pkt.dport);
      key = fwd
        ? `${endpointText(pkt.src, pkt.sport)} ${endpointText(pkt.dst, pkt.dport)}`
        : `${endpointText(pkt.dst, pkt.dport)} ${endpointText(pkt.src, pkt.sport)}`;
      conn = this.conns.get(key);
    }
    const d = fwd ? 0 : 1;
    const flags = t.flags;
    const seq = t.seq >>> 0;
    const wireLen = pkt.payloadLength > pkt.payload.length ? pkt.payloadLength : pkt.payload.length;

    if (flags & SYN) {
      if (!conn) conn = this.create(key, 0, pkt, fwd, now);
      else {
        const dir = conn.dirs[d];
        if (!conn.open) {
          if ((d === 0 ? conn.synIsn0 : conn.synIsn1) === seq) return this.ignore(); // retransmitted SYN of the closed connection
          conn = this.replace(conn, pkt, fwd, now);
        } else if (dir.isn >= 0 ? dir.isn !== seq : dir.started) {
          conn = this.replace(conn, pkt, fwd, now); // a new connection on this 4-tuple
        }
      }
      const dir = conn.dirs[d];
      if (!dir.synSeen) {
        dir.syn(seq, (flags & ACK) !== 0);
        // the SYN-ACK acknowledges the client's ISN: the client's stream start is known even if its SYN was missed
        const peer = conn.dirs[1 - d];
        if (flags & ACK && !peer.started) peer.startAt(t.ack);
      }
    } else if (!conn) {
      if (wireLen === 0 || flags & RST) return this.ignore(); // pure ACK, FIN or RST of a connection not seen
      conn = this.create(key, 0, pkt, fwd, now);
    } else if (!conn.open) {
      // stale segments of a connection closed by FIN/RST are dropped; data after an idle close reopens it
      if (conn.closedBy !== 'idle' || wireLen === 0 || flags & RST) return this.ignore();
      conn = this.replace(conn, pkt, fwd, now);
    }

    this.touch(conn, now);
    this.recent[slot] = conn;
    const dir = conn.dirs[d];
    dir.touch(pkt.frameNo, pkt.ts);
    if (flags & RST) {
      this.close(conn, 'rst', pkt.frameNo, pkt.ts);
      return;
    }
    const dataSeq = flags & SYN ? (seq + 1) >>> 0 : seq;
    if (wireLen > 0) {
      const outcome = dir.segment(dataSeq, pkt.payload, wireLen, pkt.frameNo, pkt.ts);
      if (outcome === 'buffered') this.stats.outOfOrderSegments++;
      else if (outcome === 'duplicate') this.stats.duplicateSegments++;
      else if (outcome === 'overlap') this.stats.overlappingSegments++;
      if (this.stats.bufferedBytes > this.options.maxBufferedTotal) this.enforceGlobalCap(dir);
    }
    if (flags & FIN) dir.fin((dataSeq + wireLen) >>> 0);
    if (dir.finReached && !dir.ended) dir.end('fin', pkt.frameNo, pkt.ts);
    const a = conn.dirs[0];
    const b = conn.dirs[1];
    if ((a.finSeen || a.ended) && (b.finSeen || b.ended) && (a.finSeen || b.finSeen)) {
      this.close(conn, 'fin', pkt.frameNo, pkt.ts);
    }
  }

  /** Ends connections without a packet for `idleTimeout` seconds before `now` and forgets closed ones as old.
   *  push() calls it; a live capture may also call it from a timer. */
  expireIdle(now: Timestamp): void {
    const idle = this.options.idleTimeout;
    const t = now.sec + now.nsec / 1e9;
    if (!(idle > 0)) {
      this.nextSweep = Infinity;
      return;
    }
    this.nextSweep = t + Math.min(1, idle / 4);
    const limit = t - idle;
    const expired: Connection[] = [];
    for (let c = this.oldest; c !== null; c = c.newer) {
      if (c.lastSeen > limit) break;
      expired.push(c);
    }
    for (const c of expired) {
      if (c.open) {
        const last = c.dirs[0].lastFrameNo > c.dirs[1].lastFrameNo ? c.dirs[0] : c.dirs[1];
        this.close(c, 'idle', last.lastFrameNo, last.lastTs);
        this.touch(c, t); // keep it as a closed entry for another idle period (keeps its #n)
      } else {
        this.remove(c);
      }
    }
  }

  /** End of capture: every open connection ends ('finish'), holes are declared lost. */
  finish(): void {
    const all: Connection[] = [];
    for (let c = this.oldest; c !== null; c = c.newer) all.push(c);
    for (const c of all) {
      if (!c.open) continue;
      const last = c.dirs[0].lastFrameNo > c.dirs[1].lastFrameNo ? c.dirs[0] : c.dirs[1];
      this.close(c, 'finish', last.lastFrameNo, last.lastTs);
    }
    this.conns.clear();
    for (const c of all) c.older = c.newer = null;
    this.oldest = this.newest = null;
  }

  private ignore(): void {
    this.stats.ignoredSegments++;
  }

  private anomaly(a: Anomaly, connId: string, frameNo: number): void {
    this.counters[a] = (this.counters[a] ?? 0) + 1;
    this.handlers.onAnomaly?.(a, connId, frameNo);
  }

  private create(key: string, gen: number, pkt: L4Packet, fwd: boolean, now: number): Connection {
    if (this.conns.size >= this.options.maxConnections) this.evictOldest(pkt);
    // the key is remembered as long as the connection (closed ones too): in one piece, not as the tree of
    // concatenations the template literal built (V8 cons strings, about twice the size)
    key.charCodeAt(0);
    const a: StreamEndpoints = { ipVersion: pkt.ipVersion, src: pkt.src, sport: pkt.sport, dst: pkt.dst, dport: pkt.dport };
    const b: StreamEndpoints = { ipVersion: pkt.ipVersion, src: pkt.dst, sport: pkt.dport, dst: pkt.src, dport: pkt.sport };
    const c = fwd ? new Connection(key, gen, this.host, a, b, now) : new Connection(key, gen, this.host, b, a, now);
    this.conns.set(key, c);
    this.append(c);
    this.stats.connections++;
    return c;
  }

  /** A new connection on the 4-tuple of `old` (which ends as 'reused' if it was still open). */
  private replace(old: Connection, pkt: L4Packet, fwd: boolean, now: number): Connection {
    if (old.open) this.close(old, 'reused', pkt.frameNo, pkt.ts);
    this.remove(old);
    return this.create(old.key, old.gen + 1, pkt, fwd, now);
  }

  private evictOldest(pkt: L4Packet): void {
    const c = this.oldest;
    if (c === null) return;
    this.remove(c);
    if (c.open) {
      this.anomaly('tcp_stream_table_full', c.id, pkt.frameNo);
      const last = c.dirs[0].lastFrameNo > c.dirs[1].lastFrameNo ? c.dirs[0] : c.dirs[1];
      this.close(c, 'evicted', last.lastFrameNo, last.lastTs);
    }
  }

  private touch(c: Connection, now: number): void {
    c.lastSeen = now;
    if (this.newest === c) return;
    this.unlink(c);
    this.append(c);
  }

  /** Forgets a connection (table and list). */
  private remove(c: Connection): void {
    this.conns.delete(c.key);
    this.unlink(c);
  }

  /** Makes `c` (not in the list) the most recently used. */
  private append(c: Connection): void {
    c.older = this.newest;
    c.newer = null;
    if (this.newest !== null) this.newest.newer = c;
    else this.oldest = c;
    this.newest = c;
  }

  private unlink(c: Connection): void {
    if (c.older === null && this.oldest !== c) return; // not in the list
    if (c.older !== null) c.older.newer = c.newer;
    else this.oldest = c.newer;
    if (c.newer !== null) c.newer.older = c.older;
    else this.newest = c.older;
    c.older = c.newer = null;
  }

  private close(c: Connection, reason: TcpEndReason, frameNo: number, ts: Timestamp): void {
    if (!c.open) return;
    c.dirs[0].end(reason, frameNo, ts);
    c.dirs[1].end(reason, frameNo, ts);
    c.open = false;
    c.closedBy = reason;
    this.handlers.onClose?.(c.id, reason);
    const [a, b] = c.dirs;
    c.synIsn0 = a.synSeen ? a.isn : -1;
    c.synIsn1 = b.synSeen ? b.isn : -1;
    c.dirs = this.closedDirs;
  }

  /** Over the global cap: give up holes, in `dir` first, then in the least recently used connections. */
  private enforceGlobalCap(dir: TcpDirection): void {
    const max = this.options.maxBufferedTotal;
    while (this.stats.bufferedBytes > max && dir.skipFirstHole()) {
      // drop holes in the direction that just grew
    }
    if (this.stats.bufferedBytes <= max) return;
    for (let c = this.oldest; c !== null; c = c.newer) {
      for (const d of c.dirs) {
        while (this.stats.bufferedBytes > max && d.skipFirstHole()) {
          // drop holes elsewhere, oldest connections first
        }
      }
      if (this.stats.bufferedBytes <= max) return;
    }
  }
}
