import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PacketDecoder } from '../src/net/packet-decoder';
import { decodeTcp } from '../src/net/tcp';
import { newTransportLayer } from '../src/net/transport-layer';
import { decodeUdp } from '../src/net/udp';
import { concat, pattern } from './helpers/bytes';
import { ethernet, frame, ipv4, ipv6, tcp, udp } from './helpers/net-builders';

function decode1(ip: Uint8Array, snaplen?: number) {
  const d = new PacketDecoder();
  const f = ethernet(ip, { etherType: ip[0] >> 4 === 6 ? 0x86dd : 0x0800 });
  const p = d.decode(frame(f, 1, { snaplen }));
  return { p, counters: d.counters };
}

describe('UDP', () => {
  test('ports and payload; the payload is a view of the frame, not a copy', () => {
    const f = frame(ethernet(ipv4(udp(pattern(33), { sport: 65535, dport: 111 }))), 1);
    const p = new PacketDecoder().decode(f);
    assert.ok(p);
    assert.deepEqual([p.transport, p.sport, p.dport, p.payloadLength, p.truncated], ['udp', 65535, 111, 33, false]);
    assert.equal(p.tcp, undefined);
    assert.equal(p.payload.buffer, f.bytes.buffer);
    assert.equal(p.payload.byteOffset, f.bytes.byteOffset + 14 + 20 + 8);
  });

  test('the UDP length limits the payload (bytes after it in the IP datagram are not UDP data)', () => {
    const dgram = concat(udp(pattern(10), { length: 18 }), Uint8Array.of(0xee, 0xee, 0xee));
    const { p, counters } = decode1(ipv4(dgram));
    assert.ok(p);
    assert.equal(p.payload.length, 10);
    assert.equal(p.payloadLength, 10);
    assert.deepEqual(counters, {});
  });

  test('a UDP length past the IP payload: flagged, the IP length wins', () => {
    const { p, counters } = decode1(ipv4(udp(pattern(10), { length: 500 })));
    assert.ok(p);
    assert.equal(p.payloadLength, 10);
    assert.equal(p.truncated, false);
    assert.deepEqual(p.anomalies, ['bad_udp_header']);
    assert.deepEqual(counters, { bad_udp_header: 1 });
  });

  test('a UDP length below 8 or an IP payload too short for the header: bad_udp_header, no packet', () => {
    assert.deepEqual(decode1(ipv4(udp(pattern(10), { length: 7 }))).counters, { bad_udp_header: 1 });
    const out = newTransportLayer();
    assert.equal(decodeUdp(new Uint8Array(6), 0, 6, 6, out), 'bad_udp_header');
  });

  test('UDP length 0 over IPv6 (RFC 2675): the IP length is used', () => {
    const { p } = decode1(ipv6(udp(pattern(12), { length: 0 })));
    assert.ok(p);
    assert.equal(p.payloadLength, 12);
  });

  test('snaplen inside the UDP header: no packet, frame_truncated; inside the payload: truncated packet', () => {
    const ip = ipv4(udp(pattern(40)));
    assert.deepEqual(decode1(ip, 14 + 20 + 7), { p: null, counters: { frame_truncated: 1 } });
    const { p, counters } = decode1(ip, 14 + 20 + 8 + 5);
    assert.ok(p);
    assert.deepEqual([p.payload.length, p.payloadLength, p.truncated], [5, 40, true]);
    assert.deepEqual(p.anomalies, ['frame_truncated']);
    assert.deepEqual(counters, { frame_truncated: 1 });
  });
});

describe('TCP', () => {
  test('seq/ack (unsigned), flags, window, options skipped', () => {
    const seg = tcp(pattern(25), {
      sport: 1023,
      dport: 2049,
      seq: 0xfffffff0,
      ack: 0x80000000,
      flags: 0x112, // SYN|ACK + the NS/AE bit
      window: 501,
      options: Uint8Array.of(2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7), // MSS, NOP, NOP, SACK-perm, NOP, WS
    });
    const { p, counters } = decode1(ipv4(seg, { protocol: 6 }));
    assert.ok(p);
    assert.equal(p.transport, 'tcp');
    assert.deepEqual([p.sport, p.dport], [1023, 2049]);
    assert.deepEqual(p.tcp, { seq: 0xfffffff0, ack: 0x80000000, flags: 0x112, window: 501 });
    assert.deepEqual([...p.payload], [...pattern(25)]);
    assert.equal(p.payloadLength, 25);
    assert.deepEqual(counters, {});
  });

  test('over IPv6', () => {
    const { p } = decode1(ipv6(tcp(pattern(3), { flags: 0x01 }), { protocol: 6, src: '::1', dst: '::1' }));
    assert.ok(p);
    assert.deepEqual([p.ipVersion, p.src, p.transport, p.tcp?.flags, p.payload.length], [6, '::1', 'tcp', 1, 3]);
  });

  test('bad data offset: below 5 words or past the segment', () => {
    for (const dataOffset of [4, 15]) {
      const { p, counters } = decode1(ipv4(tcp(pattern(4), { dataOffset }), { protocol: 6 }));
      assert.deepEqual({ p, counters }, { p: null, counters: { bad_tcp_header: 1 } });
    }
    const out = newTransportLayer();
    assert.equal(decodeTcp(new Uint8Array(19), 0, 19, 19, out), 'bad_tcp_header');
  });

  test('snaplen: fixed header cut -> none; options cut -> empty payload; payload cut -> prefix', () => {
    const seg = tcp(pattern(30), { options: new Uint8Array(12).fill(1) });
    const ip = ipv4(seg, { protocol: 6 });
    assert.deepEqual(decode1(ip, 14 + 20 + 19), { p: null, counters: { frame_truncated: 1 } });
    const opts = decode1(ip, 14 + 20 + 25);
    assert.ok(opts.p);
    assert.deepEqual([opts.p.payload.length, opts.p.payloadLength, opts.p.truncated], [0, 30, true]);
    const body = decode1(ip, 14 + 20 + 32 + 7);
    assert.ok(body.p);
    assert.deepEqual([...body.p.payload], [...pattern(7)]);
  });
});

test('other IP protocols (ICMP, ICMPv6, GRE...) -> null without an anomaly', () => {
  for (const protocol of [1, 47, 132]) {
    assert.deepEqual(decode1(ipv4(new Uint8Array(20), { protocol })), { p: null, counters: {} });
  }
  assert.deepEqual(decode1(ipv6(new Uint8Array(20), { protocol: 58 })), { p: null, counters: {} });
  // even when the snaplen cut them: we do not follow them, so nothing is reported
  assert.deepEqual(decode1(ipv4(new Uint8Array(200), { protocol: 1 }), 60), { p: null, counters: {} });
});
