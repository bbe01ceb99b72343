/**
 * Property: TCP reordering and duplication do not change the decode. The TCP data segments of the fixtures and of
 * generated conversations are permuted within a bounded window, duplicated, and retransmitted as overlapping
 * segments carrying the same bytes (helpers/l4-mangle.ts); the whole core Pipeline decodes the result.
 *
 * Invariants that hold, for streams without lost bytes and reordering that never moves data past data of the other
 * direction (a reply cannot be sent before its call was received):
 * - the same set of messages: every call and reply, with the same RPC header, program, procedure, decoded arguments
 *   and results, status, decode errors, anomalies and summary text (helpers/rpc-conversation.ts `projection`);
 * - the same pairing: each reply paired with the same call, no retransmit / duplicate-reply flags appearing (TCP
 *   duplicates are dropped by the reassembler, they are not RPC retransmissions);
 * - each direction of each connection delivers its messages in the same order.
 * What moves: the frame that completes a message (the last of its segments to arrive), hence frame numbers, times,
 * RTTs and snoop's `(#N)` call-frame reference, and the order of messages of different connections or of UDP
 * relative to TCP. Those are left out of the comparison.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { L4Packet } from '../src/net/l4-packet';
import type { RpcEvent } from '../src/rpc/rpc-event';
import { readPackets } from './helpers/capture-packets';
import { fixture } from './helpers/fixtures';
import { fixtureEvents } from './helpers/program-harness';
import { l4Frames, mangleTcp } from './helpers/l4-mangle';
import { projections, randomSegments, runFrames, tcpConversation, tcpFrames, type Segment } from './helpers/rpc-conversation';
import { randomExchange } from './helpers/rpc-gen';
import { forSeeds, Gen } from './helpers/seeded-gen';

/** Per direction of each connection: the XIDs in output order. */
function orderByDirection(events: RpcEvent[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const e of events) {
    const r = e.record;
    const k = `${r.transport} ${r.src}.${r.sport}>${r.dst}.${r.dport}`;
    (out[k] ??= []).push(e.msg.xid);
  }
  return out;
}

const TCP_FIXTURES = [
  'lab_mount_sequence_lo.pcap',
  'lab_reordered_read_lo.pcap',
  'nfs3_allprocs_tcp_lo.pcap',
  'nfs3_browse_lo.pcap',
  'nfs3_ipv6_lo.pcap',
  'nlm_rquota_other_programs_lo.pcap',
  'rpc_errors_lo_nsec.pcap',
  'rpc_tcp_record_marking_lo.pcap',
  'rpc_veth_any_sll.pcap',
  'rpcbind_all_procs_any_sll2.pcap',
  'rpcbind_rpcinfo_lo.pcapng',
  'nfs3_bulk_veth_mtu1500.pcap',
];

/** Cases per fixture: fewer for the big ones (each case decodes the whole capture). */
function casesFor(packets: L4Packet[]): number {
  return packets.length > 2000 ? 2 : packets.length > 300 ? 6 : 20;
}

for (const name of TCP_FIXTURES) {
  test(`${name}: permuted, duplicated and overlapping TCP segments decode the same messages, pairs and order`, async () => {
    const packets = await readPackets(fixture(name));
    const inOrder = runFrames(l4Frames(packets));
    // the frames written back from the L4 packets decode as the capture itself does (the harness is faithful)
    assert.deepEqual(projections(inOrder), projections(await fixtureEvents(name)), 're-encoded capture');
    const want = projections(inOrder);
    const wantOrder = orderByDirection(inOrder);
    let mangled = 0;
    forSeeds(casesFor(packets), 20_000 + name.length * 131, (g) => {
      const m = mangleTcp(packets, g);
      mangled += m.moved + m.duplicated + m.overlapped;
      const got = runFrames(l4Frames(m.packets));
      assert.deepEqual(projections(got), want, `moved ${m.moved}, duplicated ${m.duplicated}, overlapped ${m.overlapped}`);
      assert.deepEqual(orderByDirection(got), wantOrder);
    });
    assert.ok(mangled > 0, 'the mangling changed something');
  });
}

test('generated conversations: segments permuted within each direction, duplicated and overlapped decode the same', () => {
  forSeeds(120, 30_000, (g) => {
    const first = randomExchange(g, g.u32());
    const ex = [first];
    for (let i = 1, n = g.int(1, 6); i < n; i++) ex.push({ ...randomExchange(g, (first.xid + i) >>> 0, { programs: [first.prog] }), port: first.port });
    const conv = tcpConversation(ex, g);
    const inOrder = randomSegments(conv, g);
    const want = projections(runFrames(tcpFrames(conv, inOrder)));
    const mangled = mangleSegments(inOrder, conv, g);
    assert.deepEqual(projections(runFrames(tcpFrames(conv, mangled))), want);
  });
});

/** mangleTcp's rules at the Segment level: permute within runs of one side, duplicate, overlap adjacent segments. */
function mangleSegments(segs: Segment[], conv: { c: Uint8Array; s: Uint8Array }, g: Gen): Segment[] {
  const out: Segment[] = [];
  let run: Segment[] = [];
  const flush = (): void => {
    const order = run.map((s, k) => ({ s, key: k + g.float() * 5 })).sort((a, b) => a.key - b.key);
    for (const { s } of order) {
      out.push(s);
      if (g.chance(0.15)) out.push(s); // duplicate
    }
    // an overlapping retransmission of the run's middle, same bytes
    const start = run[0].offset;
    const end = run[run.length - 1].offset + run[run.length - 1].bytes.length;
    if (end - start >= 2 && g.chance(0.5)) {
      const a = g.int(start, end - 2);
      const b = g.int(a + 1, end);
      out.push({ side: run[0].side, offset: a, bytes: conv[run[0].side].subarray(a, b) });
    }
    run = [];
  };
  for (const s of segs) {
    if (run.length > 0 && run[0].side !== s.side) flush();
    run.push(s);
  }
  if (run.length > 0) flush();
  return out;
}

test('the comparison has teeth: a segment lost from the middle of a stream changes the decode', () => {
  const g = new Gen(7);
  const ex = [randomExchange(g, 1, { programs: [100003], errorReplies: 0 }), randomExchange(g, 2, { programs: [100003], errorReplies: 0 })].map((x) => ({ ...x, port: 2049 }));
  const conv = tcpConversation(ex, null);
  const segs = randomSegments(conv, g, 6);
  const want = projections(runFrames(tcpFrames(conv, segs)));
  const i = segs.findIndex((s) => s.side === 'c' && s.offset > 0);
  assert.notDeepEqual(projections(runFrames(tcpFrames(conv, segs.filter((_, k) => k !== i)))), want);
});
