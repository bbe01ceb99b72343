/**
 * ip_fragments: IPv4 and IPv6 fragments (RFC 791 §3.2, RFC 8200 §4.5) that overlap in every way, that never
 * complete — more datagrams than the reassembly table holds (--max-fragments, default 1024) — and that reach past
 * the largest datagram. The datagrams carry NFSv3 WRITE calls over UDP, so a completed one is visible as a call.
 */

import { ethernet, extFragment, fragmentIpv4, ipv4, ipv6, udp } from '../helpers/net-builders';
import { buildCall, nfsWriteArgs } from '../helpers/rpc-builders';
import { CLIENT, CLIENT_PORT, NFS, SERVER } from './hostile-frames';

/** The UDP datagram (header included) of a WRITE call of `size` data bytes. */
function writeDatagram(xid: number, size: number): Uint8Array {
  const data = new Uint8Array(size).fill(xid & 0xff);
  return udp(buildCall({ xid, prog: NFS, vers: 3, proc: 7, body: nfsWriteArgs(data) }), { sport: CLIENT_PORT, dport: 2049 });
}

const v4 = (id: number) => ({ src: CLIENT, dst: SERVER, protocol: 17, id });

/** One IPv4 fragment of `dgram` from `off` (a multiple of 8) for `len` bytes, with bytes `fill` instead when given. */
function piece(dgram: Uint8Array, id: number, off: number, len: number, more: boolean, fill?: number): Uint8Array {
  const bytes = fill === undefined ? dgram.subarray(off, off + len) : new Uint8Array(len).fill(fill);
  return ethernet(ipv4(bytes, { ...v4(id), fragOffset: off, moreFragments: more }));
}

export function ipFragmentFrames(incomplete = 3000): Uint8Array[] {
  const frames: Uint8Array[] = [];
  const d = writeDatagram(0xf00, 4000); // about 4130 bytes: three 1480-byte fragments
  const end = d.length;
  const tail = end - 2960;
  // 1. an exact duplicate of the middle fragment
  frames.push(piece(d, 1, 0, 1480, true), piece(d, 1, 1480, 1480, true), piece(d, 1, 1480, 1480, true), piece(d, 1, 2960, tail, false));
  // 2. the middle fragment again with other bytes (which copy wins decides what the call says)
  frames.push(piece(d, 2, 0, 1480, true), piece(d, 2, 1480, 1480, true), piece(d, 2, 1480, 1480, true, 0xee), piece(d, 2, 2960, tail, false));
  // 3. a fragment straddling two others' boundary
  frames.push(piece(d, 3, 0, 1480, true), piece(d, 3, 2960, tail, false), piece(d, 3, 1000, 1480, true, 0xdd), piece(d, 3, 1480, 1480, true));
  // 4. a small fragment inside a large one, and one ending before the first's end (teardrop)
  frames.push(piece(d, 4, 0, 2960, true), piece(d, 4, 800, 80, true, 0xcc), piece(d, 4, 2952, 8, true), piece(d, 4, 2960, tail, false));
  // 5. a later fragment at offset 0 rewriting the UDP header and RPC header (ports, XID)
  frames.push(piece(d, 5, 0, 1480, true), piece(d, 5, 1480, 1480, true), piece(d, 5, 0, 64, true, 0xbb), piece(d, 5, 2960, tail, false));
  // 6. two different last fragments (two ends)
  frames.push(piece(d, 6, 0, 1480, true), piece(d, 6, 1480, 1480, true), piece(d, 6, 2960, tail, false), piece(d, 6, 2960, 8, false));
  // 7. IPv6: overlapping fragments of the same datagram
  const v6 = (off: number, bytes: Uint8Array, more: boolean): Uint8Array =>
    ethernet(ipv6(bytes, { src: 'fd00::1', dst: 'fd00::2', exts: [extFragment(off, more, 0x7007)], protocol: 17 }), { etherType: 0x86dd });
  frames.push(v6(0, d.subarray(0, 1480), true), v6(1000, new Uint8Array(1480).fill(0xaa), true), v6(1480, d.subarray(1480), false));
  // 8. thousands of disjoint 8-byte ranges in one datagram (every other one: never completes)
  for (let off = 0; off < 40_000; off += 16) frames.push(piece(new Uint8Array(40_008), 8, off, 8, true));
  // 9. past the largest datagram: offset 65528 with 1480 bytes
  frames.push(piece(new Uint8Array(66_000), 9, 65_528, 1480, false));
  // 10. first fragments only, more datagrams than the table holds; then last fragments only
  for (let i = 0; i < incomplete; i++) frames.push(piece(d, 0x1000 + i, 0, 1480, true));
  for (let i = 0; i < incomplete / 2; i++) frames.push(piece(d, 0x9000 + i, 2960, tail, false));
  // 11. a complete datagram at the end, for comparison: it must still come through
  frames.push(...fragmentIpv4(writeDatagram(0xf0f, 4000), v4(0xffff), 1480).map((f) => ethernet(f)));
  return frames;
}

