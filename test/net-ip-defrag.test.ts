import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Anomaly } from '../src/anomaly';
import type { RawFrame } from '../src/capture/raw-frame';
import { IpDefragmenter } from '../src/net/ip-defrag';
import { newIpLayer } from '../src/net/ip-layer';
import { decodeIpv4 } from '../src/net/ipv4';
import type { L4Packet } from '../src/net/l4-packet';
import { PacketDecoder, type PacketDecoderOptions } from '../src/net/packet-decoder';
import { concat, pattern } from './helpers/bytes';
import {
  ethernet,
  extFragment,
  extOptions,
  fragmentIpv4,
  fragmentIpv6,
  frame,
  ipv4,
  ipv6,
  udp,
  type Ipv4Opts,
} from './helpers/net-builders';

const PAYLOAD = pattern(4000, 7);
const DGRAM = udp(PAYLOAD, { sport: 2049, dport: 800 });
const V4: Ipv4Opts = { src: '10.99.0.1', dst: '10.99.0.2', id: 0x4242 };

/** IPv4 fragments of DGRAM (1480 data bytes each: 1480, 1480, 1048). */
function v4Fragments(o: Ipv4Opts = V4, chunk = 1480): Uint8Array[] {
  return fragmentIpv4(DGRAM, o, chunk);
}

/** Feed IP packets (Ethernet frames, frame numbers from 1, 1 ms apart) and collect the packets returned. */
function feed(ips: Uint8Array[], opts?: PacketDecoderOptions, d = new PacketDecoder(opts), firstNo = 1) {
  const packets: L4Packet[] = [];
  ips.forEach((ip, i) => {
    const no = firstNo + i;
    const f: RawFrame = frame(ethernet(ip, { etherType: ip[0] >> 4 === 6 ? 0x86dd : 0x0800 }), 1, {
      frameNo: no,
      nsec: no * 1_000_000,
    });
    const p = d.decode(f);
    if (p !== null) packets.push(p);
  });
  return { packets, d };
}

function assertWhole(p: L4Packet, frameNo: number, frames: number[]) {
  assert.equal(p.frameNo, frameNo);
  assert.deepEqual(p.frames, frames);
  assert.equal(p.transport, 'udp');
  assert.deepEqual([p.sport, p.dport], [2049, 800]);
  assert.equal(p.payloadLength, PAYLOAD.length);
  assert.equal(p.truncated, false);
  assert.ok(Buffer.from(p.payload).equals(Buffer.from(PAYLOAD)), 'payload reassembled byte for byte');
}

describe('IPv4 reassembly', () => {
  test('in order: the packet comes with the last fragment, listing every fragment frame', () => {
    const { packets, d } = feed(v4Fragments());
    assert.equal(packets.length, 1);
    assertWhole(packets[0], 3, [1, 2, 3]);
    assert.equal(packets[0].src, '10.99.0.1');
    assert.equal(packets[0].ts.nsec, 3_000_000, 'timestamp of the completing frame');
    assert.deepEqual(d.counters, {});
    assert.equal(d.fragmentsInProgress, 0);
  });

  test('reversed and shuffled orders', () => {
    const frags = v4Fragments(V4, 504); // 8 fragments
    const reversed = feed([...frags].reverse()).packets;
    assert.equal(reversed.length, 1);
    assertWhole(reversed[0], 8, [1, 2, 3, 4, 5, 6, 7, 8]);
    const order = [3, 0, 7, 5, 1, 6, 2, 4];
    const shuffled = feed(order.map((i) => frags[i])).packets;
    assert.equal(shuffled.length, 1);
    assertWhole(shuffled[0], 8, [1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test('one copy: the reassembled payload is a view of one exact-size buffer, not of any frame', () => {
    const p = feed(v4Fragments()).packets[0];
    assert.equal(p.payload.buffer.byteLength, DGRAM.length);
    assert.equal(p.payload.byteOffset, 8);
  });

  test('duplicates are accepted silently and do not complete twice', () => {
    const [a, b, c] = v4Fragments();
    const { packets, d } = feed([a, a, b, a, c]);
    assert.equal(packets.length, 1);
    assertWhole(packets[0], 5, [1, 2, 3, 4, 5]);
    assert.deepEqual(d.counters, {});
  });

  test('overlap: first-arrived bytes are kept, the anomaly counted and attached', () => {
    const [a, b, c] = v4Fragments();
    // A fragment at offset 1480 - 8 with different bytes, overlapping the end of `a` and the start of `b`.
    const rogue = ipv4(new Uint8Array(16).fill(0xff), { ...V4, fragOffset: 1472, moreFragments: true });
    const { packets, d } = feed([a, rogue, b, c]);
    assert.equal(packets.length, 1);
    const p = packets[0];
    assert.deepEqual([p.frameNo, p.frames, p.payloadLength, p.truncated], [4, [1, 2, 3, 4], PAYLOAD.length, false]);
    // UDP payload offset = datagram offset - 8. Datagram bytes 1472..1479 came from `a` (first), 1480..1487 from
    // the rogue fragment (before `b`), the rest from `b` and `c`.
    assert.ok(Buffer.from(p.payload.subarray(0, 1472)).equals(Buffer.from(PAYLOAD.subarray(0, 1472))));
    assert.deepEqual([...p.payload.subarray(1472, 1480)], new Array(8).fill(0xff));
    assert.ok(Buffer.from(p.payload.subarray(1480)).equals(Buffer.from(PAYLOAD.subarray(1480))));
    assert.deepEqual(p.anomalies, ['ip_fragment_overlap'], 'attached once per packet');
    assert.deepEqual(d.counters, { ip_fragment_overlap: 2 }, 'counted per overlapping fragment: rogue, then b');
  });

  test('overlap: a later fragment does not overwrite earlier bytes (rogue fragment first)', () => {
    const [a, b, c] = v4Fragments();
    const rogue = ipv4(new Uint8Array(16).fill(0xff), { ...V4, fragOffset: 1480, moreFragments: true });
    const { packets, d } = feed([rogue, a, b, c]);
    assert.equal(packets.length, 1);
    const p = packets[0];
    // Bytes 1480..1495 of the UDP datagram (payload offset 1472..) came from the rogue fragment, which was first.
    assert.deepEqual([...p.payload.subarray(1472, 1488)], new Array(16).fill(0xff));
    assert.ok(Buffer.from(p.payload.subarray(0, 1472)).equals(Buffer.from(PAYLOAD.subarray(0, 1472))));
    assert.ok(Buffer.from(p.payload.subarray(1488)).equals(Buffer.from(PAYLOAD.subarray(1488))));
    assert.deepEqual(d.counters, { ip_fragment_overlap: 1 });
  });

  test('never completing: nothing returned, counted at finish()', () => {
    const [a, , c] = v4Fragments();
    const { packets, d } = feed([a, c]);
    assert.equal(packets.length, 0);
    assert.equal(d.fragmentsInProgress, 1);
    assert.deepEqual(d.counters, {});
    d.finish();
    assert.equal(d.fragmentsInProgress, 0);
    assert.deepEqual(d.counters, { ip_fragment_incomplete: 1 });
  });

  test('timeout by capture time: given up after fragmentTimeoutSec, then the rest cannot complete it', () => {
    const d = new PacketDecoder({ fragmentTimeoutSec: 30 });
    const [a, b, c] = v4Fragments();
    const other = ipv4(udp(pattern(4)), { id: 1 });
    const at = (ip: Uint8Array, no: number, sec: number) => d.decode(frame(ethernet(ip), 1, { frameNo: no, sec }));
    assert.equal(at(a, 1, 100), null);
    assert.ok(at(other, 2, 130));
    assert.equal(d.fragmentsInProgress, 1, 'exactly 30 s later: still waiting');
    assert.ok(at(other, 3, 131)); // any frame advances the clock
    assert.equal(d.fragmentsInProgress, 0);
    assert.deepEqual(d.counters, { ip_fragment_incomplete: 1 });
    assert.equal(at(b, 4, 131), null);
    assert.equal(at(c, 5, 131), null);
    assert.equal(d.fragmentsInProgress, 1);
    d.finish();
    assert.deepEqual(d.counters, { ip_fragment_incomplete: 2 });
  });

  test('table full: the oldest datagram is evicted and counted', () => {
    const [f1, f2, f3] = [1, 2, 3].map((id) => v4Fragments({ ...V4, id }));
    // First fragments of all three: the third evicts id 1. Then the rest of ids 2 and 3, then of id 1.
    const order = [f1[0], f2[0], f3[0], ...f2.slice(1), ...f3.slice(1), ...f1.slice(1)];
    const { packets, d } = feed(order, { maxFragmentDatagrams: 2 });
    assert.deepEqual(
      packets.map((p) => p.frames),
      [
        [2, 4, 5],
        [3, 6, 7],
      ],
    );
    assert.deepEqual(d.counters, { ip_fragment_table_full: 1 });
    assert.equal(d.fragmentsInProgress, 1, "id 1's later fragments wait in vain");
    d.finish();
    assert.deepEqual(d.counters, { ip_fragment_table_full: 1, ip_fragment_incomplete: 1 });
  });

  test('a fragment past the 65535-byte limit is dropped before anything is stored', () => {
    const pod = ipv4(new Uint8Array(64), { ...V4, fragOffset: 65528 - 8 * 4, moreFragments: false });
    const { packets, d } = feed([pod]);
    assert.equal(packets.length, 0);
    assert.equal(d.fragmentsInProgress, 0);
    assert.deepEqual(d.counters, { ip_fragment_too_large: 1 });
    // The limit counts the IP header: 65535 - 20 bytes of data at most.
    const edge = ipv4(new Uint8Array(7), { ...V4, fragOffset: 65504 });
    assert.deepEqual(feed([edge]).d.counters, {}); // ends at 65511 <= 65515: accepted (incomplete)
  });

  test('inconsistent lengths: a non-final fragment not a multiple of 8, a second different end', () => {
    const odd = ipv4(new Uint8Array(13), { ...V4, moreFragments: true });
    assert.deepEqual(feed([odd]).d.counters, { bad_ip_length: 1 });
    const [a, b, c] = v4Fragments();
    const otherEnd = ipv4(new Uint8Array(8), { ...V4, fragOffset: 2960 });
    const { packets, d } = feed([c, otherEnd, a, b]);
    assert.equal(packets.length, 1);
    assert.deepEqual(packets[0].frames, [1, 3, 4]);
    assert.deepEqual(d.counters, { bad_ip_length: 1 });
  });

  test('the key includes the protocol and the addresses', () => {
    const tcpish = v4Fragments({ ...V4, protocol: 6 });
    const otherSrc = v4Fragments({ ...V4, src: '10.99.0.9' });
    const [a, b, c] = v4Fragments();
    const { packets, d } = feed([a, tcpish[1], otherSrc[1], b, otherSrc[0], otherSrc[2], c]);
    assert.deepEqual(
      packets.map((p) => [p.src, p.frames]),
      [
        ['10.99.0.9', [3, 5, 6]],
        ['10.99.0.1', [1, 4, 7]],
      ],
    );
    assert.equal(d.fragmentsInProgress, 1, 'the protocol-6 fragment is another datagram');
  });

  test('the snaplen cut a fragment: the datagram completes truncated at the first missing byte', () => {
    const d = new PacketDecoder();
    const [a, b, c] = v4Fragments();
    assert.equal(d.decode(frame(ethernet(a), 1, { frameNo: 1 })), null);
    assert.equal(d.decode(frame(ethernet(b), 1, { frameNo: 2, snaplen: 14 + 20 + 100 })), null);
    const p = d.decode(frame(ethernet(c), 1, { frameNo: 3 }));
    assert.ok(p);
    assert.equal(p.truncated, true);
    assert.equal(p.payloadLength, PAYLOAD.length);
    assert.equal(p.payload.length, 1480 + 100 - 8);
    assert.ok(Buffer.from(p.payload).equals(Buffer.from(PAYLOAD.subarray(0, 1572))));
    assert.deepEqual(p.anomalies, ['frame_truncated']);
    assert.deepEqual(d.counters, { frame_truncated: 1 });
  });

  test('a cut repeat of a fragment already held whole loses nothing', () => {
    const d = new PacketDecoder();
    const [a, b, c] = v4Fragments();
    d.decode(frame(ethernet(a), 1, { frameNo: 1 }));
    d.decode(frame(ethernet(b), 1, { frameNo: 2 }));
    d.decode(frame(ethernet(b), 1, { frameNo: 3, snaplen: 100 }));
    const p = d.decode(frame(ethernet(c), 1, { frameNo: 4 }));
    assert.ok(p);
    assertWhole(p, 4, [1, 2, 3, 4]);
    assert.deepEqual(p.anomalies, []);
    assert.deepEqual(d.counters, { frame_truncated: 1 }, 'the cut frame itself is still counted');
  });

  test('fragments of other protocols (ICMP...) are not buffered', () => {
    const { packets, d } = feed(fragmentIpv4(pattern(3000), { ...V4, protocol: 1 }, 1480));
    assert.equal(packets.length, 0);
    assert.equal(d.fragmentsInProgress, 0);
    assert.deepEqual(d.counters, {});
  });

  test('a flood of overlapping fragments is bounded per datagram', () => {
    const d = new PacketDecoder();
    const [a] = v4Fragments();
    for (let i = 0; i < 9000; i++) {
      const ip = ipv4(new Uint8Array(16), { ...V4, fragOffset: (i % 100) * 8, moreFragments: true });
      d.decode(frame(ethernet(i === 0 ? a : ip), 1, { frameNo: i + 1 }));
    }
    assert.equal(d.fragmentsInProgress, 1);
    // 100 distinct overlapping ranges are flagged, their repeats accepted silently until the datagram holds 8192
    // fragments; the remaining 9000 - 8192 are refused.
    assert.deepEqual(d.counters, { ip_fragment_overlap: 100 + 808 });
  });

  test('VLAN ids of the completing frame are reported', () => {
    const d = new PacketDecoder();
    const frags = v4Fragments();
    let p: L4Packet | null = null;
    frags.forEach((ip, i) => (p = d.decode(frame(ethernet(ip, { vlans: [{ vid: 100 }] }), 1, { frameNo: i + 1 }))));
    assert.ok(p);
    assert.deepEqual((p as L4Packet).vlan, [100]);
  });
});

describe('IPv6 reassembly', () => {
  const SRC = 'fd99::1';
  const DST = 'fd99::2';

  test('hop-by-hop before the Fragment header, destination options inside the fragmentable part', () => {
    // Fragmentable part: Destination Options (next: UDP) + the UDP datagram.
    const dest = concat(Uint8Array.of(17, 0), new Uint8Array(6));
    const fragmentable = concat(dest, DGRAM);
    const frags = fragmentIpv6(fragmentable, 60, { src: SRC, dst: DST, id: 77, before: [extOptions(0)] }, 1232);
    assert.equal(frags.length, 4);
    for (const order of [
      [0, 1, 2, 3],
      [3, 2, 1, 0],
      [2, 0, 3, 1],
    ]) {
      const { packets, d } = feed(order.map((i) => frags[i]));
      assert.equal(packets.length, 1);
      const p = packets[0];
      assertWhole(p, 4, [1, 2, 3, 4]);
      assert.deepEqual([p.ipVersion, p.src, p.dst], [6, SRC, DST]);
      assert.deepEqual(d.counters, {});
    }
  });

  test('the snaplen cut the last fragment: a truncated packet', () => {
    const frags = fragmentIpv6(DGRAM, 17, { src: SRC, dst: DST, id: 4 }, 1448);
    const d = new PacketDecoder();
    d.decode(frame(ethernet(frags[0], { etherType: 0x86dd }), 1, { frameNo: 1 }));
    d.decode(frame(ethernet(frags[1], { etherType: 0x86dd }), 1, { frameNo: 2 }));
    const p = d.decode(frame(ethernet(frags[2], { etherType: 0x86dd }), 1, { frameNo: 3, snaplen: 14 + 48 + 10 }));
    assert.ok(p);
    assert.deepEqual([p.truncated, p.payloadLength, p.payload.length], [true, 4000, 2 * 1448 + 10 - 8]);
    assert.ok(Buffer.from(p.payload).equals(Buffer.from(PAYLOAD.subarray(0, p.payload.length))));
    assert.deepEqual(p.anomalies, ['frame_truncated']);
    assert.deepEqual(d.counters, { frame_truncated: 1 });
  });

  test('datagrams are told apart by identification', () => {
    const a = fragmentIpv6(DGRAM, 17, { src: SRC, dst: DST, id: 1 }, 1448);
    const b = fragmentIpv6(DGRAM, 17, { src: SRC, dst: DST, id: 2 }, 1448);
    const { packets } = feed([a[0], b[0], b[1], a[1], a[2], b[2]]);
    assert.deepEqual(
      packets.map((p) => p.frames),
      [
        [1, 4, 5],
        [2, 3, 6],
      ],
    );
  });

  test('overlap is flagged (and first bytes kept) for IPv6 too', () => {
    const frags = fragmentIpv6(DGRAM, 17, { src: SRC, dst: DST, id: 9 }, 1448);
    const rogue = ipv6(new Uint8Array(16), { src: SRC, dst: DST, exts: [extFragment(1440, true, 9)], protocol: 17 });
    const { packets, d } = feed([frags[0], frags[1], rogue, frags[2]]);
    assert.equal(packets.length, 1);
    assertWhole(packets[0], 4, [1, 2, 3, 4]);
    assert.deepEqual(packets[0].anomalies, ['ip_fragment_overlap']);
    assert.deepEqual(d.counters, { ip_fragment_overlap: 1 });
  });

  test('the IPv6 limit counts the per-fragment headers', () => {
    const big = ipv6(new Uint8Array(64), { src: SRC, dst: DST, exts: [extOptions(0), extFragment(65472, false, 3)] });
    assert.deepEqual(feed([big]).d.counters, { ip_fragment_too_large: 1 }); // 8 + 65472 + 64 > 65535
  });

  test('never completing: counted at finish()', () => {
    const frags = fragmentIpv6(DGRAM, 17, { src: SRC, dst: DST, id: 5 }, 1448);
    const { d } = feed([frags[0], frags[2]]);
    d.finish();
    assert.deepEqual(d.counters, { ip_fragment_incomplete: 1 });
  });
});

describe('IpDefragmenter directly', () => {
  function fragment(ip: Uint8Array) {
    const out = newIpLayer();
    assert.equal(decodeIpv4(ip, 0, ip.length, out), 'ok');
    return out;
  }

  test('reports each anomaly once through the callback; options are validated', () => {
    const seen: Anomaly[] = [];
    const t = new IpDefragmenter((a) => seen.push(a), { maxDatagrams: 1 });
    const frags = v4Fragments();
    const other = v4Fragments({ ...V4, id: 99 });
    assert.equal(t.add(fragment(frags[0]), frags[0], 1, { sec: 0, nsec: 0 }), null);
    assert.equal(t.add(fragment(other[0]), other[0], 2, { sec: 0, nsec: 0 }), null);
    assert.deepEqual(seen, ['ip_fragment_table_full']);
    assert.equal(t.size, 1);
    t.expire({ sec: 31, nsec: 0 });
    assert.deepEqual(seen, ['ip_fragment_table_full', 'ip_fragment_incomplete']);
    assert.throws(() => new IpDefragmenter(() => {}, { maxDatagrams: 0 }), RangeError);
    assert.throws(() => new IpDefragmenter(() => {}, { timeoutSec: Number.NaN }), RangeError);
    assert.throws(() => new IpDefragmenter(() => {}, { maxDatagramSize: 70000 }), RangeError);
  });

  test('result: the data, wire length, protocol and frames', () => {
    const t = new IpDefragmenter(() => assert.fail('no anomaly expected'));
    const frags = v4Fragments();
    let whole = null;
    frags.forEach((ip, i) => (whole = t.add(fragment(ip), ip, 10 + i, { sec: 0, nsec: i })));
    assert.ok(whole);
    const w = whole as NonNullable<ReturnType<IpDefragmenter['add']>>;
    assert.deepEqual(
      [w.version, w.protocol, w.length, w.frames, w.anomalies],
      [4, 17, DGRAM.length, [10, 11, 12], null],
    );
    assert.ok(Buffer.from(w.data).equals(Buffer.from(DGRAM)));
  });
});
