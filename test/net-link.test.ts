import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeLink } from '../src/net/link-layer';
import { newLinkLayer } from '../src/net/link-types';
import { PacketDecoder } from '../src/net/packet-decoder';
import { concat, pattern, u16 } from './helpers/bytes';
import { bsdLoop, bsdNull, ethernet, ipv4, ipv6, frame, sll, sll2, udp } from './helpers/net-builders';

const V4 = ipv4(udp(pattern(10), { sport: 700, dport: 111 }), { src: '192.168.1.1', dst: '192.168.1.2' });
const V6 = ipv6(udp(pattern(10), { sport: 700, dport: 111 }), { src: 'fd99::1', dst: 'fd99::2' });

function link(linkType: number, bytes: Uint8Array) {
  const out = newLinkLayer();
  const outcome = decodeLink(linkType, bytes, out);
  return { outcome, ...out };
}

/** Decode one frame end to end and check it yields the test UDP datagram. */
function assertUdp(linkType: number, bytes: Uint8Array, version: 4 | 6, vlan: number[] = []) {
  const d = new PacketDecoder();
  const p = d.decode(frame(bytes, linkType));
  assert.ok(p, `linktype ${linkType} decodes`);
  assert.equal(p.ipVersion, version);
  assert.equal(p.src, version === 4 ? '192.168.1.1' : 'fd99::1');
  assert.equal(p.dst, version === 4 ? '192.168.1.2' : 'fd99::2');
  assert.equal(p.transport, 'udp');
  assert.equal(p.sport, 700);
  assert.equal(p.dport, 111);
  assert.deepEqual([...p.payload], [...pattern(10)]);
  assert.equal(p.truncated, false);
  assert.deepEqual(p.vlan, vlan);
  assert.deepEqual(p.anomalies, []);
  assert.deepEqual(d.counters, {});
}

describe('Ethernet (LINKTYPE 1)', () => {
  test('untagged IPv4 and IPv6', () => {
    assert.deepEqual(link(1, ethernet(V4)), { outcome: 'ok', etherType: 0x0800, offset: 14, vlan: null });
    assertUdp(1, ethernet(V4), 4);
    assertUdp(1, ethernet(V6, { etherType: 0x86dd }), 6);
  });

  test('802.1Q tag: VLAN id without the priority bits', () => {
    const f = ethernet(V4, { vlans: [{ vid: 100, pcp: 3 }] });
    assert.deepEqual(link(1, f), { outcome: 'ok', etherType: 0x0800, offset: 18, vlan: [100] });
    assertUdp(1, f, 4, [100]);
  });

  test('QinQ: 802.1ad, pre-standard 0x9100 and three stacked tags, outermost first', () => {
    const ad = ethernet(V6, { etherType: 0x86dd, vlans: [{ tpid: 0x88a8, vid: 200 }, { vid: 4095 }] });
    assert.deepEqual(link(1, ad), { outcome: 'ok', etherType: 0x86dd, offset: 22, vlan: [200, 4095] });
    assertUdp(1, ad, 6, [200, 4095]);
    const old = ethernet(V4, { vlans: [{ tpid: 0x9100, vid: 7 }, { tpid: 0x8100, vid: 8 }] });
    assertUdp(1, old, 4, [7, 8]);
    const three = ethernet(V4, {
      vlans: [
        { tpid: 0x88a8, vid: 1 },
        { tpid: 0x8100, vid: 2 },
        { tpid: 0x8100, vid: 3 },
      ],
    });
    assert.deepEqual(link(1, three), { outcome: 'ok', etherType: 0x0800, offset: 26, vlan: [1, 2, 3] });
  });

  test('padding after a short IP datagram is ignored (IP total length wins)', () => {
    const f = ethernet(V4, { padTo: 60 });
    assert.equal(f.length, 60);
    assertUdp(1, f, 4);
  });

  test('header or VLAN tag cut short -> frame_truncated', () => {
    assert.equal(link(1, new Uint8Array(13)).outcome, 'frame_truncated');
    const tagged = ethernet(V4, { vlans: [{ vid: 5 }] });
    assert.equal(link(1, tagged.subarray(0, 17)).outcome, 'frame_truncated');
    const d = new PacketDecoder();
    assert.equal(d.decode(frame(tagged, 1, { snaplen: 16 })), null);
    assert.deepEqual(d.counters, { frame_truncated: 1 });
  });

  test('non-IP: 802.3 length field and ARP are skipped without an anomaly', () => {
    assert.equal(link(1, ethernet(V4, { etherType: 46 })).outcome, 'skip');
    const d = new PacketDecoder();
    assert.equal(d.decode(frame(ethernet(V4, { etherType: 46 }), 1)), null);
    assert.equal(d.decode(frame(ethernet(new Uint8Array(28), { etherType: 0x0806 }), 1)), null);
    assert.deepEqual(d.counters, {});
  });
});

describe('Linux cooked captures', () => {
  test('SLL v1 (113): protocol at offset 14, 16-byte header', () => {
    assert.deepEqual(link(113, sll(V4)), { outcome: 'ok', etherType: 0x0800, offset: 16, vlan: null });
    assertUdp(113, sll(V4), 4);
    assertUdp(113, sll(V6, 0x86dd), 6);
  });

  test('SLL v2 (276): protocol at offset 0, 20-byte header', () => {
    assert.deepEqual(link(276, sll2(V6, 0x86dd)), { outcome: 'ok', etherType: 0x86dd, offset: 20, vlan: null });
    assertUdp(276, sll2(V4), 4);
    assertUdp(276, sll2(V6, 0x86dd), 6);
  });

  test('an untagged VLAN header after the cooked header is followed', () => {
    assertUdp(113, sll(concat(u16(42), u16(0x0800), V4), 0x8100), 4, [42]);
    assertUdp(276, sll2(concat(u16(43), u16(0x86dd), V6), 0x8100), 6, [43]);
  });

  test('netlink and Linux pseudo-protocols are skipped', () => {
    assert.equal(link(113, sll(V4, 0x0800, 824)).outcome, 'skip');
    assert.equal(link(113, sll(V4, 0x0004)).outcome, 'skip');
    assert.equal(link(276, sll2(V4, 0x0800, 824)).outcome, 'skip');
  });

  test('cut headers -> frame_truncated', () => {
    assert.equal(link(113, sll(V4).subarray(0, 15)).outcome, 'frame_truncated');
    assert.equal(link(276, sll2(V4).subarray(0, 19)).outcome, 'frame_truncated');
  });
});

describe('BSD loopback', () => {
  test('NULL (0): AF_INET and every AF_INET6 value, in either byte order', () => {
    for (const le of [true, false]) {
      assert.deepEqual(link(0, bsdNull(V4, 2, le)), { outcome: 'ok', etherType: 0x0800, offset: 4, vlan: null });
      assertUdp(0, bsdNull(V4, 2, le), 4);
      for (const af of [24, 28, 30]) assertUdp(0, bsdNull(V6, af, le), 6);
    }
  });

  test('NULL: other families are skipped, a short header is truncated', () => {
    assert.equal(link(0, bsdNull(V4, 7, true)).outcome, 'skip');
    assert.equal(link(0, bsdNull(V4, 0x0200, true)).outcome, 'skip');
    assert.equal(link(0, new Uint8Array(3)).outcome, 'frame_truncated');
  });

  test('LOOP (108): network byte order only', () => {
    assertUdp(108, bsdLoop(V4, 2), 4);
    for (const af of [24, 28, 30]) assertUdp(108, bsdLoop(V6, af), 6);
    assert.equal(link(108, bsdNull(V4, 2, true)).outcome, 'skip');
    assert.equal(link(108, new Uint8Array(2)).outcome, 'frame_truncated');
  });
});

describe('raw IP', () => {
  test('DLT_RAW 101, 12, 14: version nibble picks IPv4 or IPv6', () => {
    for (const lt of [101, 12, 14]) {
      assert.deepEqual(link(lt, V4), { outcome: 'ok', etherType: 0x0800, offset: 0, vlan: null });
      assertUdp(lt, V4, 4);
      assertUdp(lt, V6, 6);
      assert.equal(link(lt, Uint8Array.of(0x50, 0)).outcome, 'bad_ip_header');
      assert.equal(link(lt, new Uint8Array(0)).outcome, 'frame_truncated');
    }
  });

  test('LINKTYPE_IPV4 (228) and LINKTYPE_IPV6 (229); a version mismatch is a bad header', () => {
    assertUdp(228, V4, 4);
    assertUdp(229, V6, 6);
    const d = new PacketDecoder();
    assert.equal(d.decode(frame(V6, 228)), null);
    assert.equal(d.decode(frame(V4, 229)), null);
    assert.deepEqual(d.counters, { bad_ip_header: 2 });
  });
});

test('unknown link type: null, counted, not fatal', () => {
  const d = new PacketDecoder();
  assert.equal(d.decode(frame(V4, 147)), null);
  assert.equal(d.decode(frame(V4, 9999)), null);
  assertUdp(1, ethernet(V4), 4); // a fresh decoder keeps working; so does this one:
  assert.ok(d.decode(frame(ethernet(V4), 1)));
  assert.deepEqual(d.counters, { unknown_link_type: 2 });
});
