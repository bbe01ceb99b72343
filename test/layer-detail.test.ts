import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RawFrame } from '../src/capture/raw-frame';
import { line } from '../src/format/detail';
import { bitFlag, layerDetailBlocks, wallClock, type LayerBlock, type LayerDetailOptions } from '../src/format/layer-detail';
import { renderBlock } from '../src/format/verbose-block';
import { bytesOf, concat, u16, u32 } from './helpers/bytes';
import { readFrames } from './helpers/capture-packets';
import { fixture } from './helpers/fixtures';
import { ethernet, extFragment, extOptions, frame, ipv4, ipv6, sll, tcp, udp } from './helpers/net-builders';
import { buildAcceptedReply, buildCall, frameRecord, XdrWriter } from './helpers/rpc-builders';

const UTC = wallClock('UTC');
const HOSTS: Record<string, string> = { '192.168.1.10': 'client', '192.168.1.20': 'server' };
const OPTS: LayerDetailOptions = { clock: UTC, hostName: (a) => HOSTS[a] ?? a };
/** 12-Mar-24 14:03:55 UTC. */
const T0 = Date.UTC(2024, 2, 12, 14, 3, 55) / 1000;

function render(blocks: LayerBlock[]): string[] {
  return blocks.flatMap((b) => renderBlock(b.prefix, b.title, b.nodes));
}

function lines(f: RawFrame, opts: LayerDetailOptions = OPTS): string[] {
  return render(layerDetailBlocks(f, opts));
}

function cut(f: RawFrame, len: number): RawFrame {
  const bytes = f.bytes.slice(0, len);
  return { ...f, bytes, capLen: bytes.length };
}

const MAC_SERVER = bytesOf(0x00, 0x14, 0x4f, 0x0a, 0x0b, 0x0c);
const MAC_CLIENT = bytesOf(0x00, 0x14, 0x4f, 0x01, 0x02, 0x03);

/** snoop-format.md §2.7: the PORTMAP GETPORT call (frame 1) over UDP, with its checksums. */
function getportCall(): RawFrame {
  const args = new XdrWriter().u32(100003).u32(3).u32(17).u32(0).bytes();
  const msg = buildCall({ xid: 965581100, prog: 100000, vers: 2, proc: 3, body: args });
  const ip = ipv4(udp(msg, { sport: 1023, dport: 111 }), { src: '192.168.1.10', dst: '192.168.1.20', id: 4660, dontFragment: true });
  ip.set(u16(0x8f2a), 10);
  ip.set(u16(0x1a2b), 26);
  return frame(concat(MAC_SERVER, MAC_CLIENT, u16(0x0800), ip), 1, { frameNo: 1, sec: T0, nsec: 123_450_000 });
}

describe('-v lower layers: snoop-format.md §2.7', () => {
  test('ETHER, IP and UDP blocks of the GETPORT call, byte for byte', () => {
    assert.deepEqual(lines(getportCall()), [
      'ETHER:  ----- Ether Header -----',
      'ETHER:  ',
      'ETHER:  Packet 1 arrived at 14:03:55.12345',
      'ETHER:  Packet size = 98 bytes',
      'ETHER:  Destination = 0:14:4f:a:b:c, ',
      'ETHER:  Source      = 0:14:4f:1:2:3, ',
      'ETHER:  Ethertype = 0800 (IP)',
      'ETHER:  ',
      'IP:   ----- IP Header -----',
      'IP:   ',
      'IP:   Version = 4',
      'IP:   Header length = 20 bytes',
      'IP:   Type of service = 0x00',
      'IP:         xxx. .... = 0 (precedence)',
      'IP:         ...0 .... = normal delay',
      'IP:         .... 0... = normal throughput',
      'IP:         .... .0.. = normal reliability',
      'IP:         .... ..0. = not ECN capable transport',
      'IP:         .... ...0 = no ECN congestion experienced',
      'IP:   Total length = 84 bytes',
      'IP:   Identification = 4660',
      'IP:   Flags = 0x4',
      'IP:         .1.. .... = do not fragment',
      'IP:         ..0. .... = last fragment',
      'IP:   Fragment offset = 0 bytes',
      'IP:   Time to live = 64 seconds/hops',
      'IP:   Protocol = 17 (UDP)',
      'IP:   Header checksum = 8f2a',
      'IP:   Source address = 192.168.1.10, client',
      'IP:   Destination address = 192.168.1.20, server',
      'IP:   No options',
      'IP:   ',
      'UDP:  ----- UDP Header -----',
      'UDP:  ',
      'UDP:  Source port = 1023',
      'UDP:  Destination port = 111 (Sun RPC)',
      'UDP:  Length = 64 ',
      'UDP:  Checksum = 1A2B ',
      'UDP:  ',
    ]);
  });

  test('the reply: addresses swapped, a reply payload is RPC too', () => {
    const ip = ipv4(udp(buildAcceptedReply({ xid: 965581100, body: u32(2049) }), { sport: 111, dport: 1023 }), {
      src: '192.168.1.20',
      dst: '192.168.1.10',
    });
    const out = lines(frame(concat(MAC_CLIENT, MAC_SERVER, u16(0x0800), ip), 1, { frameNo: 2, sec: T0 }));
    assert.ok(out.includes('IP:   Source address = 192.168.1.20, server'));
    assert.ok(out.includes('UDP:  Destination port = 1023 (Sun RPC)'));
    assert.ok(out.includes('ETHER:  Packet 2 arrived at 14:03:55.00000'));
  });

  test('arrival time: hour and seconds not zero-padded, 10 µs units, in the given time zone', () => {
    const f = (sec: number, nsec: number): RawFrame => frame(ethernet(ipv4(udp(new Uint8Array(0)))), 1, { frameNo: 7, sec, nsec });
    assert.equal(lines(f(T0 - 50, 123_459_999))[2], 'ETHER:  Packet 7 arrived at 14:03:5.12345');
    assert.equal(lines(f(T0 - 14 * 3600, 0))[2], 'ETHER:  Packet 7 arrived at 0:03:55.00000');
    assert.equal(lines(f(T0, 999_999_999), { clock: wallClock('Asia/Kolkata') })[2], 'ETHER:  Packet 7 arrived at 19:33:55.99999');
    assert.equal(lines(f(T0, 0), { clock: UTC, frameNo: 3 })[2], 'ETHER:  Packet 3 arrived at 14:03:55.00000');
    assert.match(lines(f(T0, 0), {})[2], /^ETHER: {2}Packet 7 arrived at \d{1,2}:\d\d:\d{1,2}\.00000$/);
  });

  test('Ethernet addresses: OUI names, broadcast, multicast; 802.1Q tags', () => {
    const ip = ipv4(udp(new Uint8Array(0)));
    const bcast = frame(concat(bytesOf(255, 255, 255, 255, 255, 255), bytesOf(8, 0, 0x20, 1, 2, 3), u16(0x0800), ip), 1);
    assert.deepEqual(lines(bcast).slice(4, 6), ['ETHER:  Destination = ff:ff:ff:ff:ff:ff, (broadcast)', 'ETHER:  Source      = 8:0:20:1:2:3, Sun']);
    const mcast = frame(concat(bytesOf(1, 0, 0x5e, 0, 0, 1), MAC_CLIENT, u16(0x0800), ip), 1);
    assert.equal(lines(mcast)[4], 'ETHER:  Destination = 1:0:5e:0:0:1, (multicast)');
    const tagged = frame(ethernet(ip, { vlans: [{ vid: 100, pcp: 3 }] }), 1);
    assert.deepEqual(lines(tagged).slice(6, 9), ['ETHER:  VLAN ID     = 100', 'ETHER:  VLAN Priority = 3', 'ETHER:  Ethertype = 0800 (IP)']);
  });

  test('bit diagrams as snoop\'s getflag() draws them', () => {
    assert.equal(bitFlag(0x80, 0x80, 'on', 'off'), '1... .... = on');
    assert.equal(bitFlag(0x00, 0x10, 'on', 'off'), '...0 .... = off');
    assert.equal(bitFlag(0xff, 0x01, 'on', 'off'), '.... ...1 = on');
  });
});

describe('IP details', () => {
  test('TOS bits, more fragments, options (record route with the current hop)', () => {
    const rr = concat(bytesOf(1, 7, 11, 8), u32(0x0a000001), u32(0), bytesOf(0));
    const ip = ipv4(udp(new Uint8Array(0)), { options: rr, moreFragments: true, id: 9 });
    ip[1] = 0xbf;
    const out = lines(frame(ethernet(ip), 1));
    const at = out.indexOf('IP:   Type of service = 0xbf');
    assert.deepEqual(out.slice(at + 1, at + 7), [
      'IP:         xxx. .... = 5 (precedence)',
      'IP:         ...1 .... = low delay',
      'IP:         .... 1... = high throughput',
      'IP:         .... .1.. = high reliability',
      'IP:         .... ..1. = ECN capable transport',
      'IP:         .... ...1 = ECN congestion experienced',
    ]);
    assert.ok(out.includes('IP:   Flags = 0x2'));
    assert.ok(out.includes('IP:         .0.. .... = may fragment'));
    assert.ok(out.includes('IP:         ..1. .... = more fragments'));
    const opt = out.indexOf('IP:   Options: (16 bytes)');
    assert.deepEqual(out.slice(opt + 1, opt + 6), [
      'IP:     - No op',
      'IP:     - Record route (11 bytes)',
      'IP:       Pointer = 8',
      'IP:         10.0.0.1',
      'IP:         -  <-- (current)',
    ]);
    assert.equal(out[opt + 6], 'IP:     - End of option list');
  });

  test('IP fragments: the first shows its UDP header, the others snoop\'s continuation note', async () => {
    const frames = await readFrames(fixture('nfs3_udp_ipfrag_veth.pcap'));
    const first = lines(frames[55]);
    assert.ok(first.includes('IP:   Flags = 0x2'));
    assert.deepEqual(first.slice(-7), [
      'UDP:  ----- UDP Header -----',
      'UDP:  ',
      'UDP:  Source port = 2049',
      'UDP:  Destination port = 54822 (Sun RPC)',
      'UDP:  Length = 8328 (Not all data contained in this fragment)',
      'UDP:  Checksum = B82E ',
      'UDP:  ',
    ]);
    const middle = lines(frames[56]);
    assert.deepEqual(middle.slice(-3), ['IP:   No options', 'IP:   ', 'UDP:  [1480 byte(s) of data, continuation of IP ident=63195]']);
    assert.equal(lines(frames[60]).at(-1), 'UDP:  [928 byte(s) of data, continuation of IP ident=63195]');
    assert.ok(lines(frames[60]).includes('IP:   Fragment offset = 7400 bytes'));
  });

  test('IPv6: snoop\'s IPv6 block, then one block per extension header', async () => {
    const v6 = (await readFrames(fixture('nfs3_ipv6_lo.pcap')))[3];
    const out = lines(v6);
    const at = out.indexOf('IPv6:   ----- IPv6 Header -----');
    assert.deepEqual(out.slice(at, at + 11), [
      'IPv6:   ----- IPv6 Header -----',
      'IPv6:   ',
      'IPv6:   Version = 6',
      'IPv6:   Traffic Class = 0',
      'IPv6:   Flow label = 0xbe9e9',
      'IPv6:   Payload length = 120',
      'IPv6:   Next Header = 6 (TCP)',
      'IPv6:   Hop Limit = 64',
      'IPv6:   Source address = ::1',
      'IPv6:   Destination address = ::1',
      'IPv6:   ',
    ]);
    assert.equal(out[at + 11], 'TCP:  ----- TCP Header -----');
    const frag = ipv6(udp(new Uint8Array(8), { sport: 5, dport: 6 }), { exts: [extOptions(0), extFragment(0, true, 77)], protocol: 17 });
    const fl = lines(frame(frag, 101));
    assert.deepEqual(fl.slice(0, 5), ['RAW:  ----- Raw IP -----', 'RAW:  ', `RAW:  Packet 1 arrived at 22:13:20.00000`, 'RAW:  Packet size = 72 bytes', 'RAW:  ']);
    const hop = fl.indexOf('IPv6-HopOpts:  ----- IPv6 Hop-by-Hop Options Header -----');
    assert.deepEqual(fl.slice(hop + 1, hop + 15), [
      'IPv6-HopOpts:  ',
      'IPv6-HopOpts:  Next Header = 44 (IPv6-Frag)',
      ...new Array<string>(6).fill('IPv6-HopOpts:  pad1 option '),
      'IPv6-HopOpts:  ',
      'IPv6-Frag:  ----- IPv6 Fragment Header -----',
      'IPv6-Frag:  ',
      'IPv6-Frag:  Next Header = 17 (UDP)',
      'IPv6-Frag:  Fragment Offset = 0',
      'IPv6-Frag:  More Fragments Flag = true',
    ]);
    assert.ok(fl.includes('UDP:  Destination port = 6 '));
    const later = ipv6(new Uint8Array(16), { exts: [extFragment(1448, false, 77)], protocol: 17 });
    assert.equal(lines(frame(later, 101)).at(-1), 'UDP:  [16 byte(s) of data, continuation of IP ident=77]');
  });
});

describe('UDP and TCP details', () => {
  test('UDP: a zero checksum, port names when not RPC, a trailing space otherwise', () => {
    const dns = lines(frame(ethernet(ipv4(udp(new Uint8Array(12), { sport: 5353, dport: 53 }))), 1));
    assert.deepEqual(dns.slice(-4, -1), ['UDP:  Destination port = 53 (DNS)', 'UDP:  Length = 20 ', 'UDP:  Checksum = 0000 (no checksum)']);
    const other = lines(frame(ethernet(ipv4(udp(new Uint8Array(12), { dport: 9999 }))), 1));
    assert.ok(other.includes('UDP:  Destination port = 9999 '));
    const forced = lines(frame(ethernet(ipv4(udp(new Uint8Array(12), { dport: 9999 }))), 1), { clock: UTC, rpc: true });
    assert.ok(forced.includes('UDP:  Destination port = 9999 (Sun RPC)'));
  });

  test('TCP: snoop\'s interpret_tcp() block for the §2.1 GETATTR3 call segment', () => {
    const call = frameRecord(buildCall({ xid: 2861741011, prog: 100003, vers: 3, proc: 1, body: new Uint8Array(28) }));
    const opts = concat(bytesOf(1, 1, 8, 10), u32(12345), u32(67890));
    const seg = tcp(call, { sport: 945, dport: 2049, seq: 7654321, ack: 1234567, flags: 0x18, window: 501, options: opts });
    const out = lines(frame(ethernet(ipv4(seg, { protocol: 6 })), 1));
    const at = out.indexOf('TCP:  ----- TCP Header -----');
    assert.deepEqual(out.slice(at), [
      'TCP:  ----- TCP Header -----',
      'TCP:  ',
      'TCP:  Source port = 945',
      'TCP:  Destination port = 2049 (Sun RPC)',
      'TCP:  Sequence number = 7654321',
      'TCP:  Acknowledgement number = 1234567',
      'TCP:  Data offset = 32 bytes',
      'TCP:  Flags = 0x18',
      'TCP:        0... .... = No ECN congestion window reduced',
      'TCP:        .0.. .... = No ECN echo',
      'TCP:        ..0. .... = No urgent pointer',
      'TCP:        ...1 .... = Acknowledgement',
      'TCP:        .... 1... = Push',
      'TCP:        .... .0.. = No reset',
      'TCP:        .... ..0. = No Syn',
      'TCP:        .... ...0 = No Fin',
      'TCP:  Window = 501',
      'TCP:  Checksum = 0x0000',
      'TCP:  Urgent pointer = 0',
      'TCP:  Options: (12 bytes)',
      'TCP:    - No operation',
      'TCP:    - No operation',
      'TCP:    - TS Val = 12345, TS Echo = 67890',
      'TCP:  ',
    ]);
  });

  test('TCP options: mss, wscale, sackOK, SACK blocks, unknown, end of list; no options', async () => {
    const opts = concat(bytesOf(2, 4), u16(1460), bytesOf(3, 3, 7, 4, 2), bytesOf(5, 18), u32(1), u32(2), u32(3), u32(4), bytesOf(99, 3, 0xab, 0));
    const out = lines(frame(ethernet(ipv4(tcp(new Uint8Array(0), { options: opts }), { protocol: 6 })), 1));
    const at = out.indexOf('TCP:  Options: (32 bytes)');
    assert.deepEqual(out.slice(at + 1, -1), [
      'TCP:    - Maximum segment size = 1460 bytes',
      'TCP:    - Window scale = 7',
      'TCP:    - SACK permitted option',
      'TCP:    - SACK blocks:',
      'TCP:          (1-2) (3-4) ',
      'TCP:    - Option 99 (unknown - 1 bytes) AB',
      'TCP:    - End of option list',
    ]);
    const syn = (await readFrames(fixture('nfs3_allprocs_tcp_lo.pcap')))[0];
    const s = lines(syn);
    assert.ok(s.includes('TCP:  Destination port = 111 '));
    assert.ok(s.includes('TCP:        .... ..1. = Syn'));
    assert.ok(s.includes('TCP:    - Window scale = 10'));
    const bare = lines(frame(ethernet(ipv4(tcp(new Uint8Array(0)), { protocol: 6 })), 1));
    assert.equal(bare.at(-2), 'TCP:  No options');
  });
});

describe('link layers and truncation', () => {
  test('Linux cooked v1 and v2 from real captures', async () => {
    const s1 = lines((await readFrames(fixture('rpc_veth_any_sll.pcap')))[0]);
    assert.deepEqual(s1.slice(0, 9), [
      'SLL:  ----- Linux Cooked Header -----',
      'SLL:  ',
      'SLL:  Packet 1 arrived at 2:48:12.10492',
      'SLL:  Packet size = 76 bytes',
      'SLL:  Packet type = 4 (sent by us)',
      'SLL:  Link-layer type = 1 (Ethernet)',
      'SLL:  Source address = 2:0:a:63:0:2',
      'SLL:  Protocol = 0800 (IP)',
      'SLL:  ',
    ]);
    const s2 = lines((await readFrames(fixture('rpcbind_all_procs_any_sll2.pcap')))[0]);
    assert.deepEqual(s2.slice(4, 10), [
      'SLL2:  Packet type = 0 (to us)',
      'SLL2:  Link-layer type = 772 (loopback)',
      'SLL2:  Source address = 0:0:0:0:0:0',
      'SLL2:  Interface index = 1',
      'SLL2:  Protocol = 0800 (IP)',
      'SLL2:  ',
    ]);
    assert.ok(s2.includes('UDP:  Destination port = 111 (Sun RPC)'));
    const tagged = lines(frame(sll(concat(u16(0x6064), u16(0x0800), ipv4(udp(new Uint8Array(0)))), 0x8100), 113));
    assert.deepEqual(tagged.slice(7, 10), ['SLL:  VLAN ID     = 100', 'SLL:  VLAN Priority = 3', 'SLL:  Protocol = 0800 (IP)']);
  });

  test('a cut frame: size on the wire, Total length -- truncated, UDP length not all there', () => {
    const out = lines(cut(getportCall(), 60));
    assert.ok(out.includes('ETHER:  Packet size = 60 bytes (98 on the wire)'));
    assert.ok(out.includes('IP:   Total length = 84 bytes -- truncated'));
    assert.ok(out.includes('UDP:  Length = 64 (Not all data contained in this fragment)'));
    const short = lines(cut(getportCall(), 20));
    assert.deepEqual(short.slice(-4), ['IP:   ----- IP Header -----', 'IP:   ', 'IP:   Header truncated: 14 bytes missing', 'IP:   ']);
    const v6 = frame(ethernet(ipv6(udp(new Uint8Array(40))), { etherType: 0x86dd }), 1);
    assert.ok(lines(cut(v6, 70)).includes('IPv6:   Payload length = 48 -- truncated'));
  });

  test('never throws, at any snaplen, on frames of every fixture link type', async () => {
    for (const name of ['nfs3_allprocs_tcp_lo.pcap', 'nfs3_ipv6_lo.pcap', 'nfs3_udp_ipfrag_vlan100_veth.pcap', 'rpc_veth_any_sll.pcap', 'rpcbind_all_procs_any_sll2.pcap']) {
      const frames = await readFrames(fixture(name));
      for (const f of frames.slice(0, 10)) for (let n = 0; n <= f.capLen; n++) lines(cut(f, n));
      for (const f of frames) assert.ok(layerDetailBlocks(f, OPTS).length >= 2, `${name} frame ${f.frameNo}`);
    }
    for (const lt of [0, 12, 101, 108, 228, 229, 276, 113, 1, 999]) {
      for (let n = 0; n < 64; n++) lines(frame(Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff), lt));
    }
  });

  test('renderBlock: header, prefix-only line, nodes depth first; a null title gives the nodes alone', () => {
    assert.deepEqual(renderBlock('X:  ', 'Title', [line('a', [line(' b')]), line('')]), ['X:  ----- Title -----', 'X:  ', 'X:  a', 'X:   b', 'X:  ']);
    assert.deepEqual(renderBlock('UDP:  ', null, [line('[note]')]), ['UDP:  [note]']);
  });
});
