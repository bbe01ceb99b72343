/**
 * Network-level mangling for the TCP reordering property: L4Packets (as src/net decodes them from a fixture) written
 * back as plain Ethernet/IP frames, and the mangling itself — segments of one direction of one connection permuted
 * within a bounded window, duplicated, and retransmitted as overlapping segments that carry the same bytes.
 */
import type { RawFrame, Timestamp } from '../../src/capture/raw-frame';
import type { L4Packet } from '../../src/net/l4-packet';
import { concat } from './bytes';
import { ethernet, ipv4, ipv6, tcp, udp } from './net-builders';
import type { Gen } from './seeded-gen';

/** One L4Packet as an Ethernet frame (IPv4 or IPv6, no VLAN, IP fragments already joined): what src/net needs to
 *  give the same packet back, but for its frame numbers. */
export function l4Frame(p: L4Packet, frameNo: number, ts: Timestamp): RawFrame {
  const l4 =
    p.transport === 'tcp'
      ? tcp(p.payload, { sport: p.sport, dport: p.dport, seq: p.tcp!.seq, ack: p.tcp!.ack, flags: p.tcp!.flags, window: p.tcp!.window })
      : udp(p.payload, { sport: p.sport, dport: p.dport });
  const protocol = p.transport === 'tcp' ? 6 : 17;
  const ip = p.ipVersion === 4 ? ipv4(l4, { src: p.src, dst: p.dst, protocol }) : ipv6(l4, { src: p.src, dst: p.dst, protocol });
  const bytes = ethernet(ip, { etherType: p.ipVersion === 4 ? 0x0800 : 0x86dd });
  return { frameNo, ts, capLen: bytes.length, origLen: bytes.length, linkType: 1, bytes, interfaceId: 0 };
}

/** The packets as frames numbered from 1; times never go backwards (a moved packet takes its slot's time). */
export function l4Frames(packets: readonly L4Packet[]): RawFrame[] {
  let last: Timestamp = { sec: 0, nsec: 0 };
  return packets.map((p, i) => {
    if (p.ts.sec > last.sec || (p.ts.sec === last.sec && p.ts.nsec > last.nsec)) last = p.ts;
    return l4Frame(p, i + 1, last);
  });
}

function direction(p: L4Packet): string {
  return `${p.src}.${p.sport}>${p.dst}.${p.dport}`;
}

const hasData = (p: L4Packet): boolean => p.transport === 'tcp' && p.payload.length > 0;

export interface MangleOptions {
  /** Largest distance a segment moves among its run (default 6). */
  window?: number;
  /** Probability that a data segment is sent again later (default 0.1). */
  duplicate?: number;
  /** Probability that two adjacent data segments are retransmitted as one segment overlapping both (default 0.1). */
  overlap?: number;
}

export interface Mangled {
  packets: L4Packet[];
  moved: number;
  duplicated: number;
  overlapped: number;
}

/**
 * Mangles the TCP data segments of a capture, keeping what a real network keeps:
 * - runs: the data segments of one direction of one connection that follow each other with no data of the other
 *   direction in between (pure ACKs, SYN/FIN and UDP do not count) — a segment is permuted only among its own run's
 *   positions, moving less than `window` places, so it never passes data of the other direction (a reply never
 *   arrives before the last byte of its call);
 * - duplicates: an exact copy of a data segment, inserted a few places after the original;
 * - overlapping retransmissions: the second half of one segment and the first half of the next (adjacent in sequence
 *   space), as one segment with the same bytes, inserted after both.
 * Everything else (UDP, segments without data) stays in place.
 */
export function mangleTcp(packets: readonly L4Packet[], g: Gen, opts: MangleOptions = {}): Mangled {
  const window = opts.window ?? 6;
  const out = [...packets];
  // runs of data segments, as lists of positions
  const runs: number[][] = [];
  let lastKey: string | null = null;
  packets.forEach((p, i) => {
    if (!hasData(p)) return;
    const key = `${direction(p)}`;
    if (key !== lastKey) runs.push([]);
    runs[runs.length - 1].push(i);
    lastKey = key;
  });
  let moved = 0;
  for (const positions of runs) {
    const order = positions.map((pos, k) => ({ pos, key: k + g.float() * window })).sort((a, b) => a.key - b.key);
    order.forEach((o, k) => {
      if (o.pos !== positions[k]) moved++;
      out[positions[k]] = packets[o.pos];
    });
  }
  // insertions, collected as (after this index of `out`, packet) and applied from the back
  const inserts: Array<{ after: number; p: L4Packet }> = [];
  let duplicated = 0;
  let overlapped = 0;
  for (const positions of runs) {
    for (const pos of positions) {
      if (g.chance(opts.duplicate ?? 0.1)) {
        inserts.push({ after: Math.min(out.length - 1, pos + g.int(0, window)), p: out[pos] });
        duplicated++;
      }
    }
    // adjacent in sequence space: original order within the run
    for (let k = 0; k + 1 < positions.length; k++) {
      const a = packets[positions[k]];
      const b = packets[positions[k + 1]];
      if (((a.tcp!.seq + a.payload.length) >>> 0) !== b.tcp!.seq || a.payload.length < 2 || b.payload.length < 2) continue;
      if (!g.chance(opts.overlap ?? 0.1)) continue;
      const from = g.int(1, a.payload.length - 1);
      const to = g.int(1, b.payload.length - 1);
      const payload = concat(a.payload.subarray(from), b.payload.subarray(0, to));
      const seg: L4Packet = { ...a, tcp: { ...a.tcp!, seq: (a.tcp!.seq + from) >>> 0 }, payload, payloadLength: payload.length };
      const after = Math.max(out.indexOf(a), out.indexOf(b));
      inserts.push({ after: Math.min(out.length - 1, after + g.int(0, 2)), p: seg });
      overlapped++;
    }
  }
  inserts.sort((x, y) => y.after - x.after);
  for (const ins of inserts) out.splice(ins.after + 1, 0, ins.p);
  return { packets: out, moved, duplicated, overlapped };
}
