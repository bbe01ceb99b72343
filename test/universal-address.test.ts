/**
 * Universal addresses (RFC 5665 §5.2.3.3-4, used by RFC 1833 RPCBIND) and transport addresses, on hand-made strings
 * and on every uaddr the lab's rpcbind sent (IPv4 and IPv6, wildcards, the `local` netid's paths).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeSockaddr,
  formatUniversalAddress,
  isWildcardAddress,
  netidTransport,
  parseIpv6,
  parseUniversalAddress,
  protTransport,
} from '../src/programs/universal-address';
import { RPCBIND_V3 } from '../src/programs/rpcbind';
import type { RpcbMap, XdrList } from '../src/programs/portmap-xdr';
import { decodeArgs, decodeResult, fixtureEvents, ofProcedure } from './helpers/program-harness';

test('IPv4: h1.h2.h3.h4.p1.p2', () => {
  assert.deepEqual(parseUniversalAddress('192.168.1.20.8.1'), { address: '192.168.1.20', port: 2049, family: 4 });
  assert.deepEqual(parseUniversalAddress('0.0.0.0.0.111'), { address: '0.0.0.0', port: 111, family: 4 });
  assert.deepEqual(parseUniversalAddress('10.99.0.1.78.80'), { address: '10.99.0.1', port: 20048, family: 4 });
  assert.deepEqual(parseUniversalAddress('127.0.0.1.255.255'), { address: '127.0.0.1', port: 65535, family: 4 });
  assert.deepEqual(parseUniversalAddress('010.001.0.1.0.111'), { address: '10.1.0.1', port: 111, family: 4 });
});

test('IPv6: x:x::x.p1.p2 in any RFC 4291 form, canonical (RFC 5952) address text', () => {
  assert.deepEqual(parseUniversalAddress('::1.8.1'), { address: '::1', port: 2049, family: 6 });
  assert.deepEqual(parseUniversalAddress('::.0.111'), { address: '::', port: 111, family: 6 });
  assert.deepEqual(parseUniversalAddress('0:0:0:0:0:0:0:1.8.1'), { address: '::1', port: 2049, family: 6 });
  assert.deepEqual(parseUniversalAddress('FE80:0:0:0:0:0:0:AB.3.107'), { address: 'fe80::ab', port: 875, family: 6 });
  assert.deepEqual(parseUniversalAddress('2001:db8::1:0:0:1.128.35'), { address: '2001:db8::1:0:0:1', port: 32803, family: 6 });
  assert.deepEqual(parseUniversalAddress('::ffff:192.0.2.1.8.1'), { address: '::ffff:192.0.2.1', port: 2049, family: 6 });
  assert.deepEqual(parseUniversalAddress('fe80::1%eth0.8.1'), { address: 'fe80::1%eth0', port: 2049, family: 6 });
});

test('not an IP universal address: empty (not registered), other netids, malformed', () => {
  for (const s of [
    '',
    '/run/rpcbind.sock',
    '8.1',
    '127.0.0.1.8',
    '1.2.3.8.1',
    '1.2.3.4.5.8.1',
    '1.2.3.4.256.1',
    '1.2.3.4.8.-1',
    '1.2.3.4.8.1a',
    '300.2.3.4.8.1',
    '1..3.4.8.1',
    ':::1.8.1',
    '1:2:3:4:5:6:7:8:9.8.1',
    '1::2::3.8.1',
    '12345::1.8.1',
    '::1.2.3.8.1',
    '.8.1',
  ]) {
    assert.equal(parseUniversalAddress(s), null, JSON.stringify(s));
  }
  assert.equal(parseIpv6('1:2:3:4:5:6:7'), null);
  assert.equal(parseIpv6('1:2:3:4:5:6:7::8'), null, ':: must stand for at least one group');
});

test('the reverse: address and port to a universal address, round trips', () => {
  assert.equal(formatUniversalAddress('192.168.1.20', 2049), '192.168.1.20.8.1');
  assert.equal(formatUniversalAddress('::1', 2049), '::1.8.1');
  assert.equal(formatUniversalAddress('0:0:0:0:0:0:0:0', 111), '::.0.111');
  assert.equal(formatUniversalAddress('10.0.0.1', 0), '10.0.0.1.0.0');
  assert.equal(formatUniversalAddress('10.0.0.1', 65536), null);
  assert.equal(formatUniversalAddress('not-an-address', 1), null);
  for (const u of ['10.99.0.1.78.80', '::1.8.1', '::.0.111', 'fe80::ab.3.107', '::ffff:192.0.2.1.8.1', '2001:db8::1.255.255']) {
    const p = parseUniversalAddress(u)!;
    assert.equal(formatUniversalAddress(p.address, p.port), u);
  }
});

test('wildcards, netids and PORTMAP protocols', () => {
  assert.equal(isWildcardAddress('0.0.0.0'), true);
  assert.equal(isWildcardAddress('::'), true);
  assert.equal(isWildcardAddress('::1'), false);
  assert.deepEqual(['tcp', 'tcp6', 'udp', 'udp6', 'local', 'rdma', ''].map(netidTransport), ['tcp', 'tcp', 'udp', 'udp', null, null, null]);
  assert.deepEqual([6, 17, 132].map(protTransport), ['tcp', 'udp', null]);
});

test('netbuf transport addresses: sockaddr_in/in6 in Linux, big-endian and BSD layouts', () => {
  const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/ /g, ''), 'hex'));
  assert.deepEqual(decodeSockaddr(hex('0200 0801 7f000001 0000000000000000')), { family: 4, address: '127.0.0.1', port: 2049 });
  assert.deepEqual(decodeSockaddr(hex('0002 006f c0000201 0000000000000000')), { family: 4, address: '192.0.2.1', port: 111 });
  assert.deepEqual(decodeSockaddr(hex('1002 006f c0000201 0000000000000000')), { family: 4, address: '192.0.2.1', port: 111 });
  assert.deepEqual(decodeSockaddr(hex('0a00 0801 00000000 00000000000000000000000000000001 00000000')), { family: 6, address: '::1', port: 2049 });
  assert.deepEqual(decodeSockaddr(hex('1c1c 0801 00000000 fe800000000000000000000000000001 00000000')), { family: 6, address: 'fe80::1', port: 2049 });
  assert.equal(decodeSockaddr(hex('2f72756e2f727063')), null, 'a path (AF_LOCAL) is not decoded');
  assert.equal(decodeSockaddr(hex('0200')), null);
});

test('every uaddr in the lab captures parses, IPv4 and IPv6 (::.8.1), except the local netid\'s paths', async () => {
  const seen = new Set<string>();
  for (const name of ['rpcbind_all_procs_any_sll2.pcap', 'nfs3_ipv6_lo.pcap', 'rpcbind_rpcinfo_lo.pcapng']) {
    const evs = ofProcedure(await fixtureEvents(name), 100000, 3, 4);
    for (const e of evs.filter((x) => x.msg.type === 'reply')) {
      const list = decodeResult(RPCBIND_V3[4], e, decodeArgs(RPCBIND_V3[4], evs[0])) as XdrList<RpcbMap>;
      for (const m of list.entries) {
        const p = parseUniversalAddress(m.r_addr);
        if (m.r_netid === 'local') {
          assert.equal(p, null, m.r_addr);
          continue;
        }
        assert.ok(p, `${m.r_netid} ${m.r_addr}`);
        assert.equal(p.family, m.r_netid.endsWith('6') ? 6 : 4);
        assert.equal(formatUniversalAddress(p.address, p.port), m.r_addr);
        seen.add(m.r_addr);
      }
    }
  }
  for (const u of ['::.8.1', '0.0.0.0.8.1', '::.0.111', '127.0.0.1.17.92']) assert.ok(seen.has(u), u);
});
