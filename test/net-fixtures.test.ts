/**
 * The packet layers against real captures (fixtures/, with tshark's .tsv of every RPC frame): each RPC frame must
 * decode to the addresses, ports and transport tshark reports; reassembled IP datagrams must appear at the frame
 * of their last fragment with their full length. The expected reassembly figures below come from tshark 4.0
 * (`-Y ip.fragments -T fields -e frame.number -e udp.length -e ip.fragment`).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, test } from 'node:test';
import type { L4Packet } from '../src/net/l4-packet';
import { PacketDecoder } from '../src/net/packet-decoder';
import { readFrames } from './helpers/capture-packets';
import { fixture, FIXTURES, readTsv } from './helpers/fixtures';

async function decodeAll(name: string) {
  const d = new PacketDecoder();
  const byFrame = new Map<number, L4Packet>();
  const frames = await readFrames(fixture(name));
  for (const f of frames) {
    const p = d.decode(f);
    if (p !== null) byFrame.set(p.frameNo, p);
  }
  d.finish();
  return { byFrame, counters: d.counters, frames };
}

function checkAgainstTsv(name: string, byFrame: Map<number, L4Packet>) {
  const rows = readTsv(fixture(name + '.tsv'));
  assert.ok(rows.length > 0);
  for (const row of rows) {
    const no = Number(row['frame.number']);
    const p = byFrame.get(no);
    assert.ok(p, `${name} frame ${no}: a packet`);
    const v6 = row['ipv6.src'] !== '';
    assert.equal(p.ipVersion, v6 ? 6 : 4, `frame ${no}`);
    assert.equal(p.src, v6 ? row['ipv6.src'] : row['ip.src'], `frame ${no} src`);
    assert.equal(p.dst, v6 ? row['ipv6.dst'] : row['ip.dst'], `frame ${no} dst`);
    const isTcp = row['tcp.srcport'] !== '';
    assert.equal(p.transport, isTcp ? 'tcp' : 'udp', `frame ${no} transport`);
    assert.equal(p.sport, Number(isTcp ? row['tcp.srcport'] : row['udp.srcport']), `frame ${no} sport`);
    assert.equal(p.dport, Number(isTcp ? row['tcp.dstport'] : row['udp.dstport']), `frame ${no} dport`);
    assert.equal(p.truncated, false, `frame ${no}`);
  }
  return rows.length;
}

const LISTED = [
  'nfs3_browse_lo.pcap', // Ethernet over lo
  'rpc_veth_any_sll.pcap', // Linux cooked v1 (and some ICMPv6)
  'rpcbind_all_procs_any_sll2.pcap', // Linux cooked v2
  'nfs3_udp_ipfrag_vlan100_veth.pcap', // 802.1Q + IPv4 fragments
  'nfs3_udp_ipfrag_veth.pcap', // IPv4 fragments
  'nfs3_ipv6_lo.pcap', // IPv6
];

describe('fixtures: every RPC frame tshark reports decodes to the same addresses, ports and transport', () => {
  for (const name of LISTED) {
    test(name, async () => {
      const { byFrame, counters } = await decodeAll(name);
      assert.ok(checkAgainstTsv(name, byFrame) > 0);
      assert.deepEqual(counters, {}, 'no anomaly in a clean capture');
    });
  }

  test('every other classic pcap fixture', async () => {
    const others = fs
      .readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.pcap') && !LISTED.includes(f) && fs.existsSync(fixture(f + '.tsv')));
    assert.ok(others.length > 0);
    for (const name of others) {
      const { byFrame, counters } = await decodeAll(name);
      checkAgainstTsv(name, byFrame);
      assert.deepEqual(counters, {}, name);
    }
  });
});

describe('fixtures: IP fragment reassembly', () => {
  const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
  // frame of the last fragment -> [UDP length, fragment frames]
  const EXPECTED: Array<[number, number, number[]]> = [
    [61, 8328, range(56, 61)], // READ 8192 reply: 6 fragments
    [85, 32904, range(63, 85)], // READ 32768 reply: 23 fragments
    [129, 60136, range(89, 129)], // READ 60000 reply: 41 fragments
    [137, 8328, range(132, 137)], // WRITE 8192 call: 6 fragments
  ];

  for (const [name, vlan] of [
    ['nfs3_udp_ipfrag_vlan100_veth.pcap', [100]],
    ['nfs3_udp_ipfrag_veth.pcap', []],
  ] as const) {
    test(name, async () => {
      const { byFrame } = await decodeAll(name);
      for (const [last, udpLength, frames] of EXPECTED) {
        const p = byFrame.get(last);
        assert.ok(p, `frame ${last}`);
        assert.equal(p.frameNo, last);
        assert.deepEqual(p.frames, frames);
        assert.equal(p.transport, 'udp');
        assert.equal(p.payloadLength, udpLength - 8);
        assert.equal(p.payload.length, udpLength - 8, 'the full payload');
        assert.equal(p.truncated, false);
        assert.deepEqual(p.vlan, vlan);
        assert.deepEqual(p.anomalies, []);
        // The fragments before the last produced no packet.
        for (const f of frames.slice(0, -1)) assert.equal(byFrame.has(f), false, `frame ${f}`);
      }
    });
  }
});
