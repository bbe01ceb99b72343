import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newIpLayer } from '../src/net/ip-layer';
import { decodeIpv4 } from '../src/net/ipv4';
import { PacketDecoder } from '../src/net/packet-decoder';
import { bytesOf, pattern } from './helpers/bytes';
import { ethernet, frame, ipv4, tcp, udp } from './helpers/net-builders';

function v4(bytes: Uint8Array, wireEnd = bytes.length) {
  const out = newIpLayer();
  const outcome = decodeIpv4(bytes, 0, wireEnd, out);
  return { outcome, out };
}

describe('IPv4 header', () => {
  test('fields of a plain header', () => {
    const pkt = ipv4(udp(pattern(4)), { src: '10.99.0.2', dst: '10.99.0.1', id: 0xbeef, dontFragment: true });
    const { outcome, out } = v4(pkt);
    assert.equal(outcome, 'ok');
    assert.equal(out.version, 4);
    assert.equal(out.src, '10.99.0.2');
    assert.equal(out.dst, '10.99.0.1');
    assert.equal(out.protocol, 17);
    assert.equal(out.payloadOffset, 20);
    assert.equal(out.payloadLength, 12);
    assert.equal(out.capturedEnd, 32);
    assert.equal(out.note, null);
    assert.equal(out.fragmented, false, 'DF alone is not a fragment');
    assert.equal(out.fragId, 0xbeef);
  });

  test('one layer object decoding many headers gives each its own addresses (the address text cache)', () => {
    const out = newIpLayer();
    const pairs: Array<[string, string]> = [
      ['10.0.0.1', '10.0.0.2'],
      ['10.0.0.2', '10.0.0.1'],
      ['10.0.0.1', '10.0.0.2'],
      ['192.168.7.9', '10.0.0.1'],
      ['10.0.0.2', '192.168.7.9'],
      ['0.0.0.0', '255.255.255.255'],
      ['255.255.255.255', '0.0.0.0'],
      ['1.2.3.4', '1.2.3.4'],
    ];
    for (const [src, dst] of pairs) {
      assert.equal(decodeIpv4(ipv4(udp(pattern(4)), { src, dst }), 0, 32, out), 'ok');
      assert.equal(out.src, src);
      assert.equal(out.dst, dst);
    }
  });

  test('the address cache gives the right text when many addresses interleave and share slots', () => {
    const out = newIpLayer();
    const small = newIpLayer(1); // every address shares the one slot
    // 3000 addresses (more than the cache's slots, so slots are shared and replaced), visited twice in another order
    const addrs: string[] = [];
    for (let i = 0; i < 3000; i++) addrs.push(`10.${(i * 7) & 255}.${i >> 8}.${i & 255}`);
    const order = [...addrs, ...addrs.slice().reverse(), ...addrs.filter((_, i) => i % 3 === 0)];
    for (let i = 0; i < order.length; i++) {
      const src = order[i];
      const dst = order[(i * 31 + 5) % order.length];
      const pkt = ipv4(udp(pattern(4)), { src, dst });
      for (const layer of [out, small]) {
        assert.equal(decodeIpv4(pkt, 0, 32, layer), 'ok');
        assert.equal(layer.src, src);
        assert.equal(layer.dst, dst);
      }
    }
  });

  test('options (IHL 6..15) are skipped', () => {
    for (let words = 1; words <= 10; words++) {
      const options = new Uint8Array(words * 4).fill(1); // NOPs
      const pkt = ipv4(udp(pattern(6), { sport: 1, dport: 2 }), { options });
      const { outcome, out } = v4(pkt);
      assert.equal(outcome, 'ok');
      assert.equal(out.payloadOffset, 20 + words * 4);
      assert.equal(out.fragHeaderBytes, 20 + words * 4);
      const p = new PacketDecoder().decode(frame(ethernet(pkt), 1));
      assert.ok(p);
      assert.deepEqual([...p.payload], [...pattern(6)]);
    }
  });

  test('fragment fields', () => {
    const first = v4(ipv4(new Uint8Array(16), { moreFragments: true, id: 7 })).out;
    assert.deepEqual([first.fragmented, first.fragOffset, first.moreFragments, first.fragId], [true, 0, true, 7]);
    const last = v4(ipv4(new Uint8Array(16), { fragOffset: 1480 })).out;
    assert.deepEqual([last.fragmented, last.fragOffset, last.moreFragments], [true, 1480, false]);
  });

  test('malformed headers', () => {
    assert.equal(v4(ipv4(udp(pattern(4)), { versionIhl: 0x65 })).outcome, 'bad_ip_header'); // version 6
    assert.equal(v4(ipv4(udp(pattern(4)), { versionIhl: 0x44 })).outcome, 'bad_ip_header'); // IHL 4
    assert.equal(v4(ipv4(udp(pattern(4)), { totalLength: 19 })).outcome, 'bad_ip_length');
    // IHL 15 in a frame that simply has no room for the options (whole frame captured): malformed.
    assert.equal(v4(ipv4(new Uint8Array(8), { versionIhl: 0x4f, totalLength: 60 })).outcome, 'bad_ip_header');
    // A 16-byte frame, fully captured: not an IPv4 header.
    assert.equal(v4(ipv4(new Uint8Array(0)).subarray(0, 16)).outcome, 'bad_ip_header');
  });

  test('snaplen inside the header -> frame_truncated, not malformed', () => {
    const pkt = ipv4(udp(pattern(4)), { options: new Uint8Array(8) });
    assert.equal(v4(pkt.subarray(0, 19), pkt.length).outcome, 'frame_truncated');
    assert.equal(v4(pkt.subarray(0, 27), pkt.length).outcome, 'frame_truncated'); // options cut
  });

  test('total length vs captured: snaplen cut is frame_truncated, a lying length is bad_ip_length', () => {
    const pkt = ipv4(udp(pattern(100)));
    const cut = v4(pkt.subarray(0, 60), pkt.length);
    assert.equal(cut.outcome, 'ok');
    assert.equal(cut.out.note, 'frame_truncated');
    assert.equal(cut.out.capturedEnd, 60);
    assert.equal(cut.out.payloadLength, 108);
    const lying = v4(ipv4(udp(pattern(100)), { totalLength: 1000 }));
    assert.equal(lying.outcome, 'ok');
    assert.equal(lying.out.note, 'bad_ip_length');
    assert.equal(lying.out.payloadLength, 980);

    // The UDP datagram itself is complete (its length is within the frame): flagged, not truncated.
    const d = new PacketDecoder();
    const p = d.decode(frame(ethernet(ipv4(udp(pattern(100)), { totalLength: 1000 })), 1));
    assert.ok(p);
    assert.equal(p.truncated, false);
    assert.equal(p.payload.length, 100);
    assert.deepEqual(p.anomalies, ['bad_ip_length']);
    // A TCP segment's length comes from the IP length: it is truncated.
    const t = d.decode(frame(ethernet(ipv4(tcp(pattern(100)), { protocol: 6, totalLength: 1000 })), 1));
    assert.ok(t);
    assert.deepEqual([t.truncated, t.payload.length, t.payloadLength], [true, 100, 960]);
    assert.deepEqual(t.anomalies, ['bad_ip_length']);
    assert.deepEqual(d.counters, { bad_ip_length: 2 });
  });

  test('total length 0 (segmentation offload capture): the datagram runs to the end of the frame', () => {
    const payload = pattern(3000);
    const pkt = ipv4(tcp(payload), { protocol: 6, totalLength: 0 });
    const { outcome, out } = v4(pkt);
    assert.equal(outcome, 'ok');
    assert.equal(out.payloadLength, 3020);
    assert.equal(out.note, null);
    const p = new PacketDecoder().decode(frame(ethernet(pkt), 1));
    assert.ok(p);
    assert.equal(p.payloadLength, 3000);
    assert.equal(p.truncated, false);
  });

  test('checksum is not verified', () => {
    const pkt = ipv4(udp(pattern(4)));
    pkt.set(bytesOf(0xde, 0xad), 10);
    assert.equal(v4(pkt).outcome, 'ok');
  });
});
