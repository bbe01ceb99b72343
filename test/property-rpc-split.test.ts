/**
 * Property: an RPC message decodes the same however the bytes reach us. Random valid calls and replies (PORTMAP,
 * RPCBIND v3/v4, MOUNT v1/v3, NFSv3, helpers/rpc-gen.ts; random credentials, verifiers, accept and reject states)
 * are laid out as a TCP connection, their records cut into random record-marking fragments, both byte streams cut at
 * random offsets (inside record marks, RPC headers, arguments) and interleaved at random but causally; or sent as
 * UDP datagrams (whole, or IPv4 fragments shuffled and duplicated). The whole core Pipeline decodes each; the projections (helpers/rpc-conversation.ts: everything in
 * the JSON output except frame numbers, times and fragment counts, plus whether the message was paired) must equal
 * those of the reference layout, one record per segment. A failure names its seed: PROPERTY_SEED=N replays it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomExchange, type GeneratedExchange } from './helpers/rpc-gen';
import {
  projections,
  randomSegments,
  recordSegments,
  runFrames,
  tcpConversation,
  tcpFrames,
  udpFrames,
  fragmentedUdpFrames,
  xidOrder,
  type Segment,
  type TcpConversation,
} from './helpers/rpc-conversation';
import { forSeeds, type Gen } from './helpers/seeded-gen';

function exchanges(g: Gen, max = 5): GeneratedExchange[] {
  const n = g.int(1, max);
  const base = g.u32();
  // one program per connection: the server port is the program's
  const first = randomExchange(g, base);
  const out = [first];
  for (let i = 1; i < n; i++) out.push(randomExchange(g, (base + i) >>> 0, { programs: [first.prog] }));
  return out.map((x) => ({ ...x, port: first.port }));
}

function reference(ex: GeneratedExchange[]): { conv: TcpConversation; events: ReturnType<typeof runFrames> } {
  const conv = tcpConversation(ex, null);
  return { conv, events: runFrames(tcpFrames(conv, recordSegments(conv))) };
}

test('generated exchanges are valid: every message decodes with no decode error or anomaly, every call is paired', () => {
  const procs = new Set<string>();
  forSeeds(400, 1, (g) => {
    const ex = exchanges(g, 3);
    const { events } = reference(ex);
    assert.equal(events.length, 2 * ex.length, 'a call and a reply per exchange');
    for (const ev of events) {
      assert.equal(ev.decodeError, null, `${ev.programName} v${ev.vers} ${ev.procedureName} ${ev.msg.type}: ${ev.decodeError}`);
      assert.deepEqual(ev.anomalies, [], `${ev.procedureName} ${ev.msg.type}`);
      assert.ok(ev.tx && ev.tx.callFrame !== null && ev.tx.replyFrame !== null, 'paired');
      procs.add(`${ev.prog}/${ev.vers}/${ev.proc}`);
    }
  });
  // the generator reaches every procedure it knows (22 NFSv3 + 6 + 7 MOUNT + 6 + 9 + 13 PORTMAP/RPCBIND)
  if (!process.env.PROPERTY_SEED) assert.ok(procs.size >= 60, `procedures covered: ${procs.size}`);
});

test('TCP: random fragmenting and random segment boundaries decode the same messages as one record per segment', () => {
  forSeeds(300, 1000, (g) => {
    const ex = exchanges(g);
    const ref = reference(ex).events;
    const conv = tcpConversation(ex, g);
    const got = runFrames(tcpFrames(conv, randomSegments(conv, g)));
    assert.deepEqual(projections(got), projections(ref));
    assert.deepEqual(xidOrder(got), xidOrder(ref), 'each direction keeps its order');
  });
});

test('TCP: a stream cut at every single offset (record mark, header, arguments) decodes the same', () => {
  forSeeds(12, 5000, (g) => {
    const ex = exchanges(g, 2);
    const want = projections(reference(ex).events);
    const conv = tcpConversation(ex, g);
    for (const side of ['c', 's'] as const) {
      const stream = conv[side];
      // every offset in the first 160 bytes (record marks, RPC header, credentials), then 40 random ones
      const offsets = new Set<number>();
      for (let k = 1; k < Math.min(stream.length, 160); k++) offsets.add(k);
      for (let i = 0; i < 40 && stream.length > 1; i++) offsets.add(g.int(1, stream.length - 1));
      for (const k of offsets) {
        const cut: Segment[] = [
          { side, offset: 0, bytes: stream.subarray(0, k) },
          { side, offset: k, bytes: stream.subarray(k) },
        ];
        const other = side === 'c' ? 's' : 'c';
        const whole: Segment = { side: other, offset: 0, bytes: conv[other] };
        const segs = side === 'c' ? [...cut, whole] : [whole, ...cut];
        assert.deepEqual(projections(runFrames(tcpFrames(conv, segs))), want, `${side} stream cut at ${k} of ${stream.length}`);
      }
    }
  });
});

test('UDP: the same messages as datagrams decode as they do over TCP (but for the transport)', () => {
  forSeeds(200, 9000, (g) => {
    const ex = exchanges(g);
    const tcp = projections(reference(ex).events, ['transport']);
    const udp = projections(runFrames(udpFrames(ex)), ['transport']);
    assert.deepEqual(udp, tcp);
  });
});

test('UDP over IPv4 fragments: any fragment size, fragments shuffled and duplicated, the same messages', () => {
  forSeeds(150, 12_000, (g) => {
    const ex = exchanges(g);
    const whole = projections(runFrames(udpFrames(ex)));
    assert.deepEqual(projections(runFrames(fragmentedUdpFrames(ex, g))), whole);
  });
});
