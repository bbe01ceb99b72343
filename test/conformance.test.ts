/**
 * Conformance with tshark 4.0.17 (two-pass, RPC desegmentation and defragmentation on) on every fixture:
 * every RPC message tshark finds is found by `rpcsnoop --json` with the same frame, xid, type, program, version,
 * procedure, call frame (tshark's rpc.repframe), reply frame (rpc.reqframe) and accept status.
 * Where rpcsnoop finds more than tshark, the extra messages are listed per fixture and asserted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compare, runJson, type JsonMessage } from './helpers/conformance';
import { fixture, fixtureCaptures } from './helpers/fixtures';

/**
 * What tshark misses and why:
 *  - Wireshark's RPC heuristic only accepts calls to programs it has a dissector for (wireshark-notes.md §1.2),
 *    so calls to the unregistered program 100099 — and their PROG_UNAVAIL replies — are "RPC Continuation" or
 *    plain UDP to it. rpcsnoop recognises RPC by content, so it reports both.
 *  - lab_reordered_read_lo.pcap: segments of a 1 MiB READ reply arrive out of order (SACK, then
 *    retransmissions) and Wireshark's RPC defragmentation assumes in-order data (§1.3), so it loses the reply.
 *    rpcsnoop's TCP reassembly orders the segments; the reply is reported at frame 292, the frame that completed
 *    it (its last byte by sequence number came earlier, in frame 289).
 */
const EXTRA: Record<string, Array<[frame: number, type: 'call' | 'reply', program: number, acceptStat?: string]>> = {
  'nfs3_ipv6_lo.pcap': [
    [351, 'call', 100099],
    [352, 'reply', 100099, 'PROG_UNAVAIL'],
    [391, 'call', 100099],
    [392, 'reply', 100099, 'PROG_UNAVAIL'],
  ],
  'rpc_errors_lo_nsec.pcap': [
    [269, 'call', 100099],
    [270, 'reply', 100099, 'PROG_UNAVAIL'],
    [309, 'call', 100099],
    [310, 'reply', 100099, 'PROG_UNAVAIL'],
  ],
  'lab_reordered_read_lo.pcap': [[292, 'reply', 100003, 'SUCCESS']],
  'rpcbind_rpcinfo_lo.pcapng': [
    [178, 'call', 100099],
    [180, 'reply', 100099, 'PROG_UNAVAIL'],
    [185, 'call', 100099],
    [186, 'reply', 100099, 'PROG_UNAVAIL'],
  ],
};

const captures = fixtureCaptures();

test('every shared capture is among the fixtures', () => {
  assert.ok(captures.length >= 16, `only ${captures.length} captures in fixtures/`);
});

for (const name of captures) {
  test(`conformance with tshark: ${name}`, () => {
    const { messages, status, stderr } = runJson(fixture(name));
    assert.equal(status, 0, stderr);
    const c = compare(messages, fixture(`${name}.tsv`));
    assert.ok(c.expected.length > 0, 'the .tsv has RPC messages');
    assert.deepEqual(c.mismatches, [], `disagreements with tshark:\n${c.mismatches.join('\n')}`);
    const want = EXTRA[name] ?? [];
    const got = c.extra.map((m: JsonMessage) => [m.frame, m.type, m.program, ...(m.type === 'reply' ? [m.acceptStat] : [])]);
    assert.deepEqual(got, want, 'messages found beyond tshark');
    // the extra calls are paired with their replies like any other
    for (const m of c.extra.filter((x) => x.type === 'reply')) assert.notEqual(m.callFrame, null);
    // every message is reported once: (frame, xid, type) never repeats unless tshark repeats it too
    const seen = new Set(messages.map((m) => `${m.frame}|${m.xid}|${m.type}`));
    assert.equal(seen.size + duplicatesAllowed(c.expected), messages.length);
  });
}

function duplicatesAllowed(expected: Array<{ frame: number; xid: number; type: string }>): number {
  const keys = expected.map((m) => `${m.frame}|${m.xid}|${m.type}`);
  return keys.length - new Set(keys).size;
}

test('unanswered calls are flagged: rpc_veth_any_sll.pcap has 99 calls and 90 replies', () => {
  const { messages } = runJson(fixture('rpc_veth_any_sll.pcap'));
  const calls = messages.filter((m) => m.type === 'call');
  const unanswered = calls.filter((m) => m.flags.includes('unanswered'));
  assert.equal(calls.length, 99);
  assert.equal(unanswered.length, 9);
  for (const m of unanswered) assert.equal(m.replyFrame, null);
  for (const m of calls.filter((x) => !x.flags.includes('unanswered'))) assert.equal(typeof m.replyFrame, 'number');
});
