import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newIpLayer } from '../src/net/ip-layer';
import { decodeIpv6 } from '../src/net/ipv6';
import { PacketDecoder } from '../src/net/packet-decoder';
import { pattern } from './helpers/bytes';
import {
  extAh,
  extFragment,
  extJumbo,
  extOptions,
  frame,
  ipv6,
  sll2,
  tcp,
  udp,
  type Ipv6Ext,
} from './helpers/net-builders';

function v6(bytes: Uint8Array, wireEnd = bytes.length) {
  const out = newIpLayer();
  const outcome = decodeIpv6(bytes, 0, wireEnd, out);
  return { outcome, out };
}

const UDP = udp(pattern(20), { sport: 53, dport: 2049 });

describe('IPv6 header and extension headers', () => {
  test('fixed header fields', () => {
    const { outcome, out } = v6(ipv6(UDP, { src: '::1', dst: '2001:db8::ff' }));
    assert.equal(outcome, 'ok');
    assert.deepEqual(
      [out.version, out.src, out.dst, out.protocol, out.payloadOffset, out.payloadLength, out.capturedEnd, out.note],
      [6, '::1', '2001:db8::ff', 17, 40, 28, 68, null],
    );
    assert.equal(out.fragmented, false);
  });

  test('hop-by-hop, routing, destination options and AH are walked to UDP', () => {
    const exts: Ipv6Ext[] = [
      extOptions(0),
      extOptions(43, new Uint8Array(22)),
      extOptions(60, new Uint8Array(14)),
      extAh(),
    ];
    const pkt = ipv6(UDP, { exts });
    const { outcome, out } = v6(pkt);
    assert.equal(outcome, 'ok');
    assert.equal(out.protocol, 17);
    assert.equal(out.payloadOffset, 40 + 8 + 24 + 16 + 16);
    assert.equal(out.payloadLength, UDP.length);
    const d = new PacketDecoder();
    const p = d.decode(frame(sll2(pkt, 0x86dd), 276));
    assert.ok(p);
    assert.deepEqual([p.sport, p.dport, p.payload.length, p.truncated], [53, 2049, 20, false]);
    assert.deepEqual(d.counters, {});
  });

  test('the walk stops at ESP, No Next Header and unknown headers: no packet, no anomaly', () => {
    for (const protocol of [50, 59, 58, 253]) {
      const pkt = ipv6(new Uint8Array(24), { exts: [extOptions(60)], protocol });
      const { outcome, out } = v6(pkt);
      assert.equal(outcome, 'ok');
      assert.equal(out.protocol, protocol);
      assert.equal(out.payloadOffset, 48);
      const d = new PacketDecoder();
      assert.equal(d.decode(frame(pkt, 229)), null);
      assert.deepEqual(d.counters, {});
    }
  });

  test('Fragment header: fields, and the per-fragment headers before it', () => {
    const pkt = ipv6(new Uint8Array(64), { exts: [extOptions(0), extFragment(1232, true, 0xfeedf00d)], protocol: 60 });
    const { outcome, out } = v6(pkt);
    assert.equal(outcome, 'ok');
    assert.equal(out.fragmented, true);
    assert.equal(out.fragOffset, 1232);
    assert.equal(out.moreFragments, true);
    assert.equal(out.fragId, 0xfeedf00d);
    assert.equal(out.protocol, 60, 'Next Header of the Fragment header');
    assert.equal(out.fragHeaderBytes, 8, 'the Hop-by-Hop header counts in the reassembled Payload Length');
    assert.equal(out.payloadOffset, 40 + 8 + 8);
    assert.equal(out.payloadLength, 64);
  });

  test('an atomic fragment (offset 0, M clear; RFC 6946) is a whole datagram', () => {
    const pkt = ipv6(UDP, { exts: [extFragment(0, false, 5)] });
    const { out } = v6(pkt);
    assert.equal(out.fragmented, false);
    assert.equal(out.protocol, 17);
    assert.ok(new PacketDecoder().decode(frame(pkt, 101)));
  });

  test('payload length 0 with a Jumbo Payload option (RFC 2675)', () => {
    const big = pattern(70000);
    const dgram = udp(big, { length: 0 }); // UDP length 0 in a jumbogram
    const pkt = ipv6(dgram, { exts: [extJumbo(8 + dgram.length)], payloadLength: 0 });
    const { outcome, out } = v6(pkt);
    assert.equal(outcome, 'ok');
    assert.equal(out.payloadLength, dgram.length);
    const d = new PacketDecoder();
    const p = d.decode(frame(pkt, 229));
    assert.ok(p);
    assert.equal(p.payloadLength, 70000);
    assert.equal(p.payload.length, 70000);
    assert.equal(p.truncated, false);
    assert.deepEqual(d.counters, {});
  });

  test('payload length 0 without a Jumbo option (offload capture): runs to the end of the frame', () => {
    const { outcome, out } = v6(ipv6(UDP, { payloadLength: 0 }));
    assert.equal(outcome, 'ok');
    assert.equal(out.payloadLength, UDP.length);
  });

  test('malformed: wrong version, extension header past the payload length', () => {
    assert.equal(v6(ipv6(UDP, { versionByte: 0x40 })).outcome, 'bad_ip_header');
    const pkt = ipv6(new Uint8Array(0), { exts: [extOptions(60, new Uint8Array(30))], payloadLength: 16 });
    assert.equal(v6(pkt).outcome, 'bad_ip_header');
    assert.equal(v6(ipv6(UDP).subarray(0, 39)).outcome, 'bad_ip_header'); // whole frame shorter than a header
  });

  test('snaplen inside the fixed header or an extension header -> frame_truncated', () => {
    const pkt = ipv6(UDP, { exts: [extOptions(0), extFragment(8, true, 1)], protocol: 17 });
    assert.equal(v6(pkt.subarray(0, 30), pkt.length).outcome, 'frame_truncated');
    assert.equal(v6(pkt.subarray(0, 41), pkt.length).outcome, 'frame_truncated'); // Hop-by-Hop length not captured
    assert.equal(v6(pkt.subarray(0, 52), pkt.length).outcome, 'frame_truncated'); // Fragment header cut
    const cut = v6(pkt.subarray(0, 60), pkt.length);
    assert.equal(cut.outcome, 'ok');
    assert.equal(cut.out.note, 'frame_truncated');
  });

  test('payload length beyond the frame (not a snaplen cut) -> bad_ip_length, truncated packet', () => {
    const d = new PacketDecoder();
    const p = d.decode(frame(ipv6(tcp(pattern(20)), { protocol: 6, payloadLength: 200 }), 229));
    assert.ok(p);
    assert.deepEqual([p.truncated, p.payload.length, p.payloadLength], [true, 20, 180]);
    assert.deepEqual(p.anomalies, ['bad_ip_length']);
    assert.deepEqual(d.counters, { bad_ip_length: 1 });
  });
});
