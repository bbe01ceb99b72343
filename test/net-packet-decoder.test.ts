import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PacketDecoder } from '../src/net/packet-decoder';
import { concat, pattern } from './helpers/bytes';
import {
  bsdNull,
  ethernet,
  extOptions,
  fragmentIpv4,
  frame,
  ipv4,
  ipv6,
  sll,
  sll2,
  tcp,
  udp,
} from './helpers/net-builders';

interface Case {
  name: string;
  linkType: number;
  bytes: Uint8Array;
  /** Offset where the transport's fixed header ends (the first snaplen that yields a packet). */
  firstPacketAt: number;
  payload: Uint8Array;
}

const PAYLOAD = pattern(50, 100);
const CASES: Case[] = [
  {
    name: 'Ethernet + QinQ + IPv4 with options + TCP with options',
    linkType: 1,
    bytes: ethernet(
      ipv4(tcp(PAYLOAD, { options: new Uint8Array(8).fill(1) }), { protocol: 6, options: new Uint8Array(12).fill(1) }),
      { vlans: [{ tpid: 0x88a8, vid: 10 }, { vid: 20 }] },
    ),
    firstPacketAt: 22 + 32 + 20, // options cut: a packet with an empty payload
    payload: PAYLOAD,
  },
  {
    name: 'SLL2 + IPv6 with hop-by-hop and destination options + UDP',
    linkType: 276,
    bytes: sll2(ipv6(udp(PAYLOAD), { exts: [extOptions(0), extOptions(60, new Uint8Array(14))] }), 0x86dd),
    firstPacketAt: 20 + 40 + 8 + 16 + 8,
    payload: PAYLOAD,
  },
  {
    name: 'BSD NULL + IPv4 + UDP',
    linkType: 0,
    bytes: bsdNull(ipv4(udp(PAYLOAD)), 2, true),
    firstPacketAt: 4 + 20 + 8,
    payload: PAYLOAD,
  },
  {
    name: 'SLL + IPv6 + TCP',
    linkType: 113,
    bytes: sll(ipv6(tcp(PAYLOAD), { protocol: 6 }), 0x86dd),
    firstPacketAt: 16 + 40 + 20,
    payload: PAYLOAD,
  },
  {
    name: 'raw IPv4 + UDP',
    linkType: 101,
    bytes: ipv4(udp(PAYLOAD)),
    firstPacketAt: 28,
    payload: PAYLOAD,
  },
];

describe('truncation at every byte: never a throw, never a wrong byte', () => {
  for (const c of CASES) {
    test(c.name, () => {
      for (let snaplen = 0; snaplen <= c.bytes.length; snaplen++) {
        const d = new PacketDecoder();
        const p = d.decode(frame(c.bytes, c.linkType, { snaplen }));
        if (snaplen < c.firstPacketAt) {
          assert.equal(p, null, `snaplen ${snaplen}`);
          assert.deepEqual(d.counters, { frame_truncated: 1 }, `snaplen ${snaplen}`);
          continue;
        }
        assert.ok(p, `snaplen ${snaplen}`);
        assert.equal(p.payloadLength, c.payload.length);
        assert.ok(Buffer.from(p.payload).equals(Buffer.from(c.payload.subarray(0, p.payload.length))));
        const cut = snaplen < c.bytes.length;
        assert.equal(p.truncated, cut, `snaplen ${snaplen}`);
        assert.equal(p.payload.length, Math.max(0, c.payload.length - (c.bytes.length - snaplen)));
        assert.deepEqual(p.anomalies, cut ? ['frame_truncated'] : []);
        assert.deepEqual(d.counters, cut ? { frame_truncated: 1 } : {});
      }
    });
  }

  test('a cut middle fragment: the datagram is either lost or a correct prefix', () => {
    const dgram = udp(pattern(3000));
    const [a, b, c] = fragmentIpv4(dgram, {}, 1480);
    const fb = ethernet(b);
    for (let snaplen = 0; snaplen <= fb.length; snaplen++) {
      const d = new PacketDecoder();
      d.decode(frame(ethernet(a), 1, { frameNo: 1 }));
      d.decode(frame(fb, 1, { frameNo: 2, snaplen }));
      const p = d.decode(frame(ethernet(c), 1, { frameNo: 3 }));
      d.finish();
      if (snaplen < 14 + 20) {
        assert.equal(p, null);
        assert.deepEqual(d.counters, { frame_truncated: 1, ip_fragment_incomplete: 1 });
        continue;
      }
      assert.ok(p, `snaplen ${snaplen}`);
      assert.equal(p.payloadLength, 3000);
      assert.equal(p.payload.length, snaplen < fb.length ? 1472 + snaplen - 34 : 3000);
      assert.ok(Buffer.from(p.payload).equals(Buffer.from(pattern(3000).subarray(0, p.payload.length))));
      assert.equal(p.truncated, snaplen < fb.length);
      assert.deepEqual(d.counters, snaplen < fb.length ? { frame_truncated: 1 } : {});
    }
  });

  test('garbage frames of every link type and length never throw', () => {
    const d = new PacketDecoder({ maxFragmentDatagrams: 4 });
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16) & 0xff;
    for (const lt of [0, 1, 12, 14, 101, 108, 113, 228, 229, 276]) {
      for (let len = 0; len < 120; len++) {
        const bytes = Uint8Array.from({ length: len }, rand);
        // Make the IP version nibble plausible often, so deeper layers get exercised too.
        const ipAt = { 0: 4, 1: 14, 108: 4, 113: 16, 276: 20 }[lt as 0 | 1 | 108 | 113 | 276] ?? 0;
        if (len > ipAt) bytes[ipAt] = (len & 1 ? 0x45 : 0x60) | (bytes[ipAt] & 0x0f);
        assert.doesNotThrow(() => d.decode(frame(bytes, lt, { frameNo: len })));
      }
    }
    d.finish();
  });
});

describe('PacketDecoder', () => {
  test('counters accumulate by name; finish() counts datagrams still incomplete', () => {
    const d = new PacketDecoder();
    d.decode(frame(new Uint8Array(10), 1));
    d.decode(frame(new Uint8Array(10), 1));
    d.decode(frame(ethernet(ipv4(udp(pattern(1)), { versionIhl: 0x41 })), 1));
    d.decode(frame(ethernet(fragmentIpv4(udp(pattern(100)), {}, 56)[0]), 1));
    assert.deepEqual(d.counters, { frame_truncated: 2, bad_ip_header: 1 });
    assert.equal(d.fragmentsInProgress, 1);
    d.finish();
    assert.deepEqual(d.counters, { frame_truncated: 2, bad_ip_header: 1, ip_fragment_incomplete: 1 });
  });

  test('packet fields: timestamp and frame of the RawFrame, one-element frames list', () => {
    const d = new PacketDecoder();
    const p = d.decode(frame(ethernet(ipv4(udp(pattern(2)))), 1, { frameNo: 42, sec: 5, nsec: 6 }));
    assert.ok(p);
    assert.deepEqual([p.frameNo, p.frames, p.ts], [42, [42], { sec: 5, nsec: 6 }]);
  });

  test('shared empty vlan/anomalies arrays are frozen, so a stray push fails loudly', () => {
    const p = new PacketDecoder().decode(frame(ethernet(ipv4(udp(pattern(2)))), 1));
    assert.ok(p);
    assert.ok(Object.isFrozen(p.vlan) && Object.isFrozen(p.anomalies));
  });

  test('the snaplen cutting only Ethernet padding loses nothing', () => {
    const d = new PacketDecoder();
    const f = ethernet(ipv4(udp(pattern(2))), { padTo: 60 });
    const p = d.decode(frame(f, 1, { snaplen: 14 + 30 }));
    assert.ok(p);
    assert.equal(p.truncated, false);
    assert.deepEqual(d.counters, {});
  });

  test('decoders keep no state between frames (interleaved link types and versions)', () => {
    const d = new PacketDecoder();
    const a = d.decode(frame(ethernet(ipv4(udp(pattern(3)), { src: '1.2.3.4' }), { vlans: [{ vid: 9 }] }), 1));
    const b = d.decode(frame(sll2(ipv6(tcp(pattern(4)), { protocol: 6, src: '::2' }), 0x86dd), 276));
    const c = d.decode(frame(concat(ipv4(udp(pattern(5)), { src: '5.6.7.8' })), 228));
    assert.deepEqual(
      [a, b, c].map((p) => p && [p.src, p.transport, p.vlan, p.payload.length]),
      [
        ['1.2.3.4', 'udp', [9], 3],
        ['::2', 'tcp', [], 4],
        ['5.6.7.8', 'udp', [], 5],
      ],
    );
  });
});
