import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RawFrame } from '../src/capture/raw-frame';
import { frameAddresses, layerSummaries, parseTcpOptions, vlanOf } from '../src/format/layer-lines';
import { summaryPrefix } from '../src/format/summary-prefix';
import { bytesOf, concat, pattern, u16, u32 } from './helpers/bytes';
import { readFrames } from './helpers/capture-packets';
import { fixture } from './helpers/fixtures';
import {
  bsdLoop,
  bsdNull,
  ethernet,
  extFragment,
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
import { buildAcceptedReply, buildCall, frameRecord } from './helpers/rpc-builders';

/** A frame cut to `len` captured bytes (origLen kept), as a snaplen does. */
function cut(f: RawFrame, len: number): RawFrame {
  const bytes = f.bytes.slice(0, len);
  return { ...f, bytes, capLen: bytes.length };
}

const TSTAMP = (a: number, b: number): Uint8Array => concat(bytesOf(1, 1, 8, 10), u32(a), u32(b));

/** snoop-format.md §2.1: the GETATTR3 call (frame 7) and reply (frame 8) over TCP, lower layers. */
function example21(): { call: RawFrame; reply: RawFrame } {
  const callRecord = frameRecord(new Uint8Array(104));
  const replyRecord = frameRecord(new Uint8Array(112));
  const call = ipv4(
    tcp(callRecord, { sport: 945, dport: 2049, seq: 7654321, ack: 1234567, flags: 0x18, window: 501, options: TSTAMP(12345, 67890) }),
    { src: '192.168.1.10', dst: '192.168.1.20', id: 23456, protocol: 6 },
  );
  const reply = ipv4(
    tcp(replyRecord, { sport: 2049, dport: 945, seq: 1234567, ack: 7654429, flags: 0x18, window: 501, options: TSTAMP(67891, 12345) }),
    { src: '192.168.1.20', dst: '192.168.1.10', id: 3456, protocol: 6 },
  );
  return { call: frame(ethernet(call), 1, { frameNo: 7 }), reply: frame(ethernet(reply), 1, { frameNo: 8 }) };
}

describe('-V lower layers: snoop-format.md §2.1', () => {
  test('the GETATTR3 call and reply lines, byte for byte', () => {
    const { call, reply } = example21();
    const p7 = summaryPrefix(7, '  0.00012', 'client', 'server');
    const p8 = summaryPrefix(8, '  0.00031', 'server', 'client');
    assert.deepEqual(
      layerSummaries(call).map((l) => p7 + l),
      [
        '  7   0.00012       client -> server       ETHER Type=0800 (IP), size=174 bytes',
        '  7   0.00012       client -> server       IP  D=192.168.1.20 S=192.168.1.10 LEN=160, ID=23456, TOS=0x0, TTL=64',
        '  7   0.00012       client -> server       TCP D=2049 S=945 Push Ack=1234567 Seq=7654321 Len=108 Win=501 Options=<nop,nop,tstamp 12345 67890>',
      ],
    );
    assert.deepEqual(
      layerSummaries(reply).map((l) => p8 + l),
      [
        '  8   0.00031       server -> client       ETHER Type=0800 (IP), size=182 bytes',
        '  8   0.00031       server -> client       IP  D=192.168.1.10 S=192.168.1.20 LEN=168, ID=3456, TOS=0x0, TTL=64',
        '  8   0.00031       server -> client       TCP D=945 S=2049 Push Ack=7654429 Seq=1234567 Len=116 Win=501 Options=<nop,nop,tstamp 67891 12345>',
      ],
    );
  });

  test('UDP: D=, S=, the UDP Length field', () => {
    const f = frame(ethernet(ipv4(udp(new Uint8Array(56), { sport: 1023, dport: 111 }))), 1);
    assert.equal(layerSummaries(f)[2], 'UDP D=111 S=1023 LEN=64');
  });

  test('TCP flags in snoop order, Urg=, Ack= only with ACK, Seq= only when not 0', () => {
    const line = (o: Parameters<typeof tcp>[1]): string =>
      layerSummaries(frame(ethernet(ipv4(tcp(new Uint8Array(0), o), { protocol: 6 })), 1))[2];
    assert.equal(line({ sport: 1, dport: 2, seq: 0, flags: 0xff, window: 9 }), 'TCP D=2 S=1 Syn Fin Rst Push ECE CWR Urg=0 Ack=0 Win=9');
    assert.equal(line({ sport: 1, dport: 2, seq: 5, flags: 0x02, window: 9 }), 'TCP D=2 S=1 Syn Seq=5 Len=0 Win=9');
    assert.equal(line({ sport: 1, dport: 2, seq: 0, flags: 0x11, ack: 4294967295, window: 0 }), 'TCP D=2 S=1 Fin Ack=4294967295 Win=0');
  });

  test('TCP options: mss, nop, wscale, sackOK, sack ranges, tstamp, eol, unknown, cut', () => {
    const opts = concat(
      bytesOf(2, 4), u16(1460), bytesOf(1, 3, 3, 7, 4, 2), bytesOf(5, 10), u32(1), u32(2),
      bytesOf(8, 10), u32(9), u32(10), bytesOf(99, 2), bytesOf(0),
    );
    const f = frame(ethernet(ipv4(tcp(new Uint8Array(0), { seq: 0, flags: 0x02, window: 1, sport: 1, dport: 2, options: opts }), { protocol: 6 })), 1);
    assert.equal(
      layerSummaries(f)[2],
      'TCP D=2 S=1 Syn Win=1 Options=<mss 1460,nop,wscale 7,sackOK,sack 1-2,tstamp 9 10,unknown 99,eol>',
    );
    // An option running past the header, and one with a length below 2.
    assert.deepEqual(parseTcpOptions(bytesOf(8, 10, 0, 0), 0, 4).map((o) => [o.kind, o.cut]), [[8, true]]);
    assert.deepEqual(parseTcpOptions(bytesOf(1, 2, 0), 0, 3).map((o) => [o.kind, o.badLength]), [[1, false], [2, true]]);
    assert.equal(layerSummaries(cut(f, 14 + 20 + 20 + 6))[2], 'TCP D=2 S=1 Syn Win=1 Options=<mss 1460,nop,wscale|>');
  });

  test('IPv4 fragments: snoop shows the fragment line instead of IP and stops there', () => {
    const l4 = udp(pattern(3000), { sport: 2049, dport: 800 });
    const frags = fragmentIpv4(l4, { id: 0xf6db }, 1480).map((b) => frame(ethernet(b), 1));
    assert.deepEqual(layerSummaries(frags[0]), [
      'ETHER Type=0800 (IP), size=1514 bytes',
      'UDP IP fragment ID=63195 Offset=0    MF=1 TOS=0x0 TTL=64',
    ]);
    assert.equal(layerSummaries(frags[1])[1], 'UDP IP fragment ID=63195 Offset=1480 MF=1 TOS=0x0 TTL=64');
    assert.equal(layerSummaries(frags[2])[1], 'UDP IP fragment ID=63195 Offset=2960 MF=0 TOS=0x0 TTL=64');
    assert.equal(layerSummaries(frags[2]).length, 2);
  });

  test('IPv6: snoop\'s IPv6 line, then the fragment line for a fragment', () => {
    const whole = frame(ethernet(ipv6(udp(new Uint8Array(10), { sport: 5, dport: 111 }), { src: 'fd00::1', dst: 'fd00::2' }), { etherType: 0x86dd }), 1);
    assert.deepEqual(layerSummaries(whole), [
      'ETHER Type=86DD (IPv6), size=72 bytes',
      'IPv6  S=fd00::1 D=fd00::2 LEN=18 HOPS=64 CLASS=0x0 FLOW=0x0',
      'UDP D=111 S=5 LEN=18',
    ]);
    const frag = ipv6(new Uint8Array(16), { exts: [extOptions(0), extFragment(1448, true, 77)], protocol: 17 });
    assert.deepEqual(layerSummaries(frame(frag, 101)), [
      'RAW IPv6, size=72 bytes',
      'IPv6  S=fd00::1 D=fd00::2 LEN=32 HOPS=64 CLASS=0x0 FLOW=0x0',
      'IPv6 fragment ID=77 Offset=1448 MF=1',
    ]);
  });

  test('truncation: LEN=N? for IPv4 and IPv6, and no line for a cut transport header', () => {
    const f = frame(ethernet(ipv4(udp(new Uint8Array(56), { sport: 1023, dport: 111 }))), 1);
    assert.deepEqual(layerSummaries(cut(f, 60)), [
      'ETHER Type=0800 (IP), size=98 bytes',
      'IP  D=10.0.0.2 S=10.0.0.1 LEN=84?, ID=4660, TOS=0x0, TTL=64',
      'UDP D=111 S=1023 LEN=64',
    ]);
    assert.deepEqual(layerSummaries(cut(f, 38)).slice(1), ['IP  D=10.0.0.2 S=10.0.0.1 LEN=84?, ID=4660, TOS=0x0, TTL=64']);
    assert.deepEqual(layerSummaries(cut(f, 20)).slice(1), ['IP truncated: header missing 14 bytes']);
    const v6 = frame(ethernet(ipv6(udp(new Uint8Array(40))), { etherType: 0x86dd }), 1);
    assert.match(layerSummaries(cut(v6, 70))[1], / LEN=48\? /);
    assert.deepEqual(layerSummaries(cut(f, 10)), []);
    assert.deepEqual(layerSummaries({ ...cut(f, 10), origLen: 10 }), ['RUNT (short packet - 10 bytes)']);
  });

  test('never throws on any cut of any fixture frame of each link type', async () => {
    for (const name of ['nfs3_allprocs_tcp_lo.pcap', 'nfs3_ipv6_lo.pcap', 'nfs3_udp_ipfrag_vlan100_veth.pcap', 'rpc_veth_any_sll.pcap', 'rpcbind_all_procs_any_sll2.pcap']) {
      const frames = await readFrames(fixture(name));
      for (const f of frames.slice(0, 12)) for (let n = 0; n <= f.capLen; n++) layerSummaries(cut(f, n));
      for (const f of frames) assert.ok(layerSummaries(f).length >= 2, `${name} frame ${f.frameNo}`);
    }
  });
});

describe('link types snoop never saw', () => {
  const V4 = ipv4(udp(new Uint8Array(4), { sport: 1, dport: 2 }));
  test('Linux cooked v1 and v2: shaped like the ETHER line', () => {
    assert.equal(layerSummaries(frame(sll(V4), 113))[0], 'SLL Type=0800 (IP), size=48 bytes');
    assert.equal(layerSummaries(frame(sll2(V4), 276))[0], 'SLL2 Type=0800 (IP), size=52 bytes');
    assert.equal(layerSummaries(frame(sll(V4, 0x0004), 113))[0], 'SLL Type=0004 (LLC/802.3), size=48 bytes');
    assert.equal(layerSummaries(frame(sll(V4), 113)).length, 3);
  });

  test('BSD loopback, raw IP and unknown link types', () => {
    assert.equal(layerSummaries(frame(bsdNull(V4, 2, true), 0))[0], 'LOOP Family=2 (IP), size=36 bytes');
    assert.equal(layerSummaries(frame(bsdLoop(V4, 2), 108))[0], 'LOOP Family=2 (IP), size=36 bytes');
    assert.equal(layerSummaries(frame(bsdNull(V4, 7, false), 0))[0], 'LOOP Family=7 (Unknown), size=36 bytes');
    assert.deepEqual(layerSummaries(frame(V4, 101)).slice(0, 1), ['RAW IP, size=32 bytes']);
    assert.equal(layerSummaries(frame(V4, 228)).length, 3);
    assert.deepEqual(layerSummaries(frame(V4, 147)), ['LINK Type=147 (unknown), size=32 bytes']);
  });

  test('802.3 frames and non-IP EtherTypes stop after the link line', () => {
    assert.deepEqual(layerSummaries(frame(ethernet(bytesOf(0x42, 0x42, 3), { etherType: 3 }), 1)), ['ETHER 802.3 SSAP 42 DSAP 42, size=17 bytes']);
    assert.deepEqual(layerSummaries(frame(ethernet(new Uint8Array(28), { etherType: 0x0806 }), 1)), ['ETHER Type=0806 (ARP), size=42 bytes']);
  });

  test('an 802.3 frame cut before its LLC header has no SSAP/DSAP (fuzz crasher packet/crash-d3e81f4c)', () => {
    for (const extra of [0, 1]) {
      const b = ethernet(new Uint8Array(extra), { etherType: 0x0000 });
      assert.deepEqual(layerSummaries(frame(b, 1)), [`ETHER 802.3, size=${14 + extra} bytes`]);
    }
  });
});

describe('VLAN', () => {
  const V4 = ipv4(udp(new Uint8Array(4)));
  test('vlanOf: the outermost id, null when untagged or 0', () => {
    assert.equal(vlanOf(frame(ethernet(V4, { vlans: [{ vid: 12, pcp: 5 }] }), 1)), 12);
    assert.equal(vlanOf(frame(ethernet(V4, { vlans: [{ vid: 0 }] }), 1)), null);
    assert.equal(vlanOf(frame(ethernet(V4), 1)), null);
    assert.equal(vlanOf(frame(ethernet(V4, { vlans: [{ tpid: 0x88a8, vid: 200 }, { vid: 7 }] }), 1)), 200);
    assert.equal(vlanOf(frame(sll(concat(u16(0x0064), u16(0x0800), V4), 0x8100), 113)), 100);
  });

  test('the ETHER line names the VLAN (QinQ: every id, outermost first)', () => {
    assert.equal(layerSummaries(frame(ethernet(V4, { vlans: [{ vid: 12 }] }), 1))[0], 'ETHER Type=0800 (IP), VLAN ID=12, size=50 bytes');
    const qinq = frame(ethernet(V4, { vlans: [{ tpid: 0x88a8, vid: 200 }, { vid: 7 }] }), 1);
    assert.equal(layerSummaries(qinq)[0], 'ETHER Type=0800 (IP), VLAN ID=200/7, size=54 bytes');
  });

  test('the VLAN fixture: VID 100 on every frame', async () => {
    const frames = await readFrames(fixture('nfs3_udp_ipfrag_vlan100_veth.pcap'));
    assert.ok(frames.every((f) => vlanOf(f) === 100));
    assert.equal(layerSummaries(frames[0])[0], 'ETHER Type=0800 (IP), VLAN ID=100, size=78 bytes');
    assert.equal(vlanOf((await readFrames(fixture('nfs3_udp_ipfrag_veth.pcap')))[0]), null);
  });
});

describe('real frames', () => {
  test('TCP SYN with options (nfs3_allprocs_tcp_lo frame 1) and a data segment (frame 4)', async () => {
    const frames = await readFrames(fixture('nfs3_allprocs_tcp_lo.pcap'));
    assert.deepEqual(layerSummaries(frames[0]), [
      'ETHER Type=0800 (IP), size=74 bytes',
      'IP  D=127.0.0.1 S=127.0.0.1 LEN=60, ID=2091, TOS=0x0, TTL=64',
      'TCP D=111 S=41304 Syn Seq=4122133720 Len=0 Win=65495 Options=<mss 65495,sackOK,tstamp 784587769 0,nop,wscale 10>',
    ]);
    assert.equal(
      layerSummaries(frames[3])[2],
      'TCP D=111 S=41304 Push Ack=3189282340 Seq=4122133721 Len=44 Win=64 Options=<nop,nop,tstamp 784587769 2107299502>',
    );
  });

  test('IP fragments of a UDP READ reply (nfs3_udp_ipfrag_veth frames 56-61)', async () => {
    const frames = await readFrames(fixture('nfs3_udp_ipfrag_veth.pcap'));
    const lines = frames.slice(55, 61).map((f) => layerSummaries(f)[1]);
    assert.deepEqual(lines, [
      'UDP IP fragment ID=63195 Offset=0    MF=1 TOS=0x0 TTL=64',
      'UDP IP fragment ID=63195 Offset=1480 MF=1 TOS=0x0 TTL=64',
      'UDP IP fragment ID=63195 Offset=2960 MF=1 TOS=0x0 TTL=64',
      'UDP IP fragment ID=63195 Offset=4440 MF=1 TOS=0x0 TTL=64',
      'UDP IP fragment ID=63195 Offset=5920 MF=1 TOS=0x0 TTL=64',
      'UDP IP fragment ID=63195 Offset=7400 MF=0 TOS=0x0 TTL=64',
    ]);
  });

  test('SLL, SLL2 and IPv6 captures', async () => {
    const s1 = (await readFrames(fixture('rpc_veth_any_sll.pcap')))[0];
    assert.deepEqual(layerSummaries(s1).slice(0, 2), ['SLL Type=0800 (IP), size=76 bytes', 'IP  D=10.99.0.1 S=10.99.0.2 LEN=60, ID=23969, TOS=0x0, TTL=64']);
    const s2 = (await readFrames(fixture('rpcbind_all_procs_any_sll2.pcap')))[0];
    assert.deepEqual(layerSummaries(s2), [
      'SLL2 Type=0800 (IP), size=88 bytes',
      'IP  D=127.0.0.1 S=127.0.0.1 LEN=68, ID=3115, TOS=0x0, TTL=64',
      'UDP D=111 S=35292 LEN=48',
    ]);
    const v6 = (await readFrames(fixture('nfs3_ipv6_lo.pcap')))[3];
    assert.deepEqual(layerSummaries(v6).slice(0, 2), ['ETHER Type=86DD (IPv6), size=174 bytes', 'IPv6  S=::1 D=::1 LEN=120 HOPS=64 CLASS=0x0 FLOW=0xbe9e9']);
    assert.deepEqual(frameAddresses(v6), { src: '::1', dst: '::1' });
    assert.deepEqual(frameAddresses(s1), { src: '10.99.0.2', dst: '10.99.0.1' });
  });

  test('an RPC call over UDP still shows only the lower layers', () => {
    const call = buildCall({ xid: 1, prog: 100000, vers: 2, proc: 0 });
    const reply = buildAcceptedReply({ xid: 1 });
    assert.equal(layerSummaries(frame(ethernet(ipv4(udp(call))), 1)).length, 3);
    assert.equal(layerSummaries(frame(ethernet(ipv4(udp(reply))), 1)).length, 3);
    assert.equal(frameAddresses(frame(ethernet(new Uint8Array(28), { etherType: 0x0806 }), 1)), null);
  });
});
