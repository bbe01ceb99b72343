/**
 * The whole core pipeline on synthetic traffic: frames in, RpcEvents out. Covers what the fixtures do not show:
 * RPC on arbitrary ports, orphans, retransmissions from another port, XID reuse, two servers, duplicate replies,
 * mid-stream joins, a record mark split across segments, and hostile lengths.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pipeline, DEFAULT_PIPELINE } from '../src/pipeline';
import type { RpcEvent } from '../src/rpc/rpc-event';
import { currentFlags, isRpcEvent } from '../src/rpc/rpc-event';
import { eventToJson as toJson } from '../src/format/json';
import { formatContext } from './helpers/program-harness';
import { concat, randomBytes, u32 } from './helpers/bytes';
import { ethernet, frame, ipv4, tcp, udp } from './helpers/net-builders';
import { buildAcceptedReply, buildCall, authUnix, frameRecord, XdrWriter } from './helpers/rpc-builders';
import { ACK, PSH, SYN } from './helpers/tcp-session';

const eventToJson = (e: RpcEvent) => toJson(e, formatContext());
const CLIENT = '10.0.0.1';
const SERVER = '10.0.0.2';

class Trace {
  frames: ReturnType<typeof frame>[] = [];
  private t = 0;

  udp(payload: Uint8Array, sport: number, dport: number, src = CLIENT, dst = SERVER): this {
    return this.add(ethernet(ipv4(udp(payload, { sport, dport }), { src, dst, protocol: 17 })));
  }

  tcp(payload: Uint8Array, o: { sport: number; dport: number; seq: number; flags?: number; src?: string; dst?: string }): this {
    const seg = tcp(payload, { sport: o.sport, dport: o.dport, seq: o.seq, ack: 1, flags: o.flags ?? ACK | PSH });
    return this.add(ethernet(ipv4(seg, { src: o.src ?? CLIENT, dst: o.dst ?? SERVER, protocol: 6 })));
  }

  private add(bytes: Uint8Array): this {
    this.frames.push(frame(bytes, 1, { frameNo: this.frames.length + 1, sec: 1_700_000_000, nsec: (this.t += 1_000_000) }));
    return this;
  }

  run(opts = DEFAULT_PIPELINE): { events: RpcEvent[]; pipeline: Pipeline } {
    const events: RpcEvent[] = [];
    const pipeline = new Pipeline(opts, (ev) => {
      if (isRpcEvent(ev)) events.push(ev);
    });
    for (const f of this.frames) pipeline.pushFrame(f);
    pipeline.finish();
    return { events, pipeline };
  }
}

const call = (xid: number, proc = 1, prog = 100003, vers = 3) => buildCall({ xid, prog, vers, proc, cred: authUnix({ uid: 0 }) });
const ok = (xid: number, body = new Uint8Array(8)) => buildAcceptedReply({ xid, body });
const brief = (e: RpcEvent) => [e.record.frameNo, e.msg.type, e.msg.xid, e.proc, e.tx?.callFrame ?? null, currentFlags(e).join(',')];

test('RPC over UDP on arbitrary ports is found by content and paired', () => {
  const { events } = new Trace().udp(call(1, 0, 100021, 4), 40001, 40002).udp(ok(1), 40002, 40001, SERVER, CLIENT).run();
  assert.deepEqual(events.map(brief), [
    [1, 'call', 1, 0, 1, ''],
    [2, 'reply', 1, 0, 1, ''],
  ]);
  assert.equal(events[1].programName, 'NLM');
  assert.equal(events[1].procedureName, 'NULL');
});

test('an orphan reply is reported with its header decoded', () => {
  const { events } = new Trace().udp(buildAcceptedReply({ xid: 77, acceptStat: 1 }), 2049, 800, SERVER, CLIENT).run();
  assert.equal(events.length, 1);
  const j = eventToJson(events[0]);
  assert.equal(j.type, 'reply');
  assert.equal(j.callFrame, null);
  assert.equal(j.program, null);
  assert.equal(j.acceptStat, 'PROG_UNAVAIL');
  assert.deepEqual(j.flags, ['orphan_reply']);
});

test('UDP retransmission from another source port, duplicate reply, XID reuse, two servers', () => {
  const t = new Trace()
    .udp(call(5, 6), 800, 2049) // 1
    .udp(call(5, 6), 801, 2049) // 2 retransmit from another port
    .udp(ok(5), 2049, 801, SERVER, CLIENT) // 3
    .udp(ok(5), 2049, 800, SERVER, CLIENT) // 4 duplicate reply
    .udp(call(5, 1), 800, 2049) // 5 XID reuse, other procedure
    .udp(ok(5), 2049, 800, SERVER, CLIENT) // 6 answers GETATTR, not READ
    .udp(call(9, 1), 800, 2049, CLIENT, '10.0.0.3') // 7 same client, XID 9 to server .3
    .udp(call(9, 3), 800, 2049) // 8 XID 9 to server .2
    .udp(ok(9), 2049, 800, SERVER, CLIENT) // 9 answers frame 8
    .udp(ok(9), 2049, 800, '10.0.0.3', CLIENT); // 10 answers frame 7
  const { events, pipeline } = t.run();
  assert.deepEqual(events.map(brief), [
    [1, 'call', 5, 6, 1, ''],
    [2, 'call', 5, 6, 1, 'retransmit'],
    [3, 'reply', 5, 6, 1, ''],
    [4, 'reply', 5, 6, 1, 'duplicate_reply'],
    [5, 'call', 5, 1, 5, 'xid_reuse'],
    [6, 'reply', 5, 1, 5, ''],
    [7, 'call', 9, 1, 7, ''],
    [8, 'call', 9, 3, 8, ''],
    [9, 'reply', 9, 3, 8, ''],
    [10, 'reply', 9, 1, 7, ''],
  ]);
  assert.equal(eventToJson(events[1]).retransmitOf, 1);
  assert.equal(eventToJson(events[2]).lastCallFrame, 2);
  assert.equal(pipeline.pairing.counters.pairs, 4);
});

test('calls held back get their reply frame and RTT; unanswered calls are flagged at the end', () => {
  const { events } = new Trace().udp(call(1), 800, 2049).udp(call(2), 800, 2049).udp(ok(1), 2049, 800, SERVER, CLIENT).run();
  const j = events.map(eventToJson);
  assert.equal(j[0].replyFrame, 3);
  assert.ok(Math.abs((j[0].rtt as number) - 0.002) < 1e-9);
  assert.deepEqual(j[1].flags, ['unanswered']);
  assert.equal(j[1].replyFrame, null);
});

test('TCP on an arbitrary port, record mark split across segments, two records in one segment', () => {
  const r1 = frameRecord(call(0x10, 1));
  const r2 = frameRecord(call(0x11, 4));
  const r3 = frameRecord(call(0x12, 0));
  const stream = concat(r1, r2, r3);
  const s = { sport: 901, dport: 34567 };
  const t = new Trace()
    .tcp(new Uint8Array(0), { ...s, seq: 999, flags: SYN })
    .tcp(stream.subarray(0, r1.length + 2), { ...s, seq: 1000 }) // r1 + half of r2's mark
    .tcp(stream.subarray(r1.length + 2), { ...s, seq: 1000 + r1.length + 2 }); // rest: r2 and r3
  const { events } = t.run();
  assert.deepEqual(
    events.map((e) => [e.record.frameNo, e.msg.xid, e.proc]),
    [
      [2, 0x10, 1],
      [3, 0x11, 4],
      [3, 0x12, 0],
    ],
  );
});

test('a capture that starts mid-stream finds the next record and reports the replies', () => {
  const big = frameRecord(buildAcceptedReply({ xid: 0x20, body: randomBytes(3000, 5) }));
  const next = frameRecord(ok(0x21));
  const stream = concat(big, next);
  const s = { sport: 2049, dport: 901, src: SERVER, dst: CLIENT };
  // joined 1000 bytes into the first record, no SYN seen
  const { events } = new Trace().tcp(stream.subarray(1000), { ...s, seq: 5000 }).run();
  assert.deepEqual(
    events.map((e) => [e.msg.type, e.msg.xid, currentFlags(e).join()]),
    [['reply', 0x21, 'orphan_reply']],
  );
});

test('garbage on port 2049 yields no messages; hostile lengths are bounded', () => {
  const t = new Trace();
  const s = { sport: 900, dport: 2049 };
  t.tcp(new Uint8Array(0), { ...s, seq: 0, flags: SYN });
  let seq = 1;
  for (let i = 0; i < 20; i++) {
    const g = randomBytes(1400, i + 1);
    t.tcp(g, { ...s, seq });
    seq += g.length;
  }
  // a record mark of 0x7fffffff followed by a call header
  const huge = concat(u32(0xffffffff), call(0x30).subarray(0, 60));
  t.tcp(huge, { ...s, seq });
  // a UDP call whose credential length is 0xffffffff, and one whose AUTH_UNIX machine name claims 0xffffffff bytes
  const badCred = new XdrWriter().u32(0x31).u32(0).u32(2).u32(100003).u32(3).u32(0).u32(1).u32(0xffffffff).bytes();
  const badName = buildCall({ xid: 0x32, prog: 100003, vers: 3, proc: 0, cred: { flavor: 1, body: new XdrWriter().u32(1).u32(0xffffffff).u32(0).bytes() } });
  t.udp(badCred, 800, 2049).udp(badName, 800, 2049);
  const before = process.memoryUsage().rss;
  const { events } = t.run();
  assert.ok(process.memoryUsage().rss - before < 200 << 20, 'no large allocation');
  assert.deepEqual(
    events.map((e) => [e.msg.xid, eventToJson(e).auth]),
    [[0x32, { flavor: 'AUTH_UNIX', flavorNumber: 1, length: 12, malformed: true }]],
  );
});

test('a record whose segments arrive out of order is reported at the frame that completed it', () => {
  const rec = frameRecord(buildAcceptedReply({ xid: 0x40, body: randomBytes(2000, 9) }));
  const s = { sport: 2049, dport: 901, src: SERVER, dst: CLIENT };
  const { events } = new Trace()
    .tcp(new Uint8Array(0), { ...s, seq: 99, flags: SYN | ACK })
    .tcp(rec.subarray(1000), { ...s, seq: 1100 }) // frame 2: the second half, with the last byte
    .tcp(rec.subarray(0, 1000), { ...s, seq: 100 }) // frame 3: the first half fills the hole
    .run();
  assert.deepEqual(
    events.map((e) => [e.record.frameNo, e.record.frames, e.msg.xid, e.record.truncated]),
    [[3, [3, 2], 0x40, false]],
  );
});

test('joined mid-stream on a 200 KB WRITE call: the call is found at once and its reply pairs with it', () => {
  const write = frameRecord(buildCall({ xid: 0x77, prog: 100003, vers: 3, proc: 7, cred: authUnix({}), body: randomBytes(200_000, 3) }));
  const t = new Trace();
  for (let off = 0, seq = 5000; off < write.length; off += 1448, seq += 1448) {
    t.tcp(write.subarray(off, Math.min(off + 1448, write.length)), { sport: 900, dport: 2049, seq });
  }
  t.tcp(frameRecord(ok(0x77)), { sport: 2049, dport: 900, seq: 1, src: SERVER, dst: CLIENT });
  const { events } = t.run();
  const last = t.frames.length;
  assert.deepEqual(events.map(brief), [
    [last - 1, 'call', 0x77, 7, last - 1, ''],
    [last, 'reply', 0x77, 7, last - 1, ''],
  ]);
});

test('a port learned from a PORTMAP GETPORT reply names the program of an orphan reply from that port', () => {
  const getport = buildCall({ xid: 0x50, prog: 100000, vers: 2, proc: 3, body: new XdrWriter().u32(100005).u32(3).u32(17).u32(0).bytes() });
  const port = buildAcceptedReply({ xid: 0x50, body: new XdrWriter().u32(4444).bytes() });
  const { events, pipeline } = new Trace()
    .udp(getport, 800, 111)
    .udp(port, 111, 800, SERVER, CLIENT)
    .udp(buildAcceptedReply({ xid: 0x51, acceptStat: 3 }), 4444, 801, SERVER, CLIENT) // its call was not captured
    .run();
  assert.deepEqual(pipeline.ports.lookup(SERVER, 'udp', 4444), { prog: 100005, vers: 3, source: 'GETPORT' });
  const orphan = events[2];
  assert.deepEqual([orphan.prog, orphan.vers, orphan.proc, orphan.programName], [100005, 3, null, 'MOUNT']);
  assert.equal(eventToJson(orphan).summary, 'RPC R XID=81 Procedure unavailable [MOUNT V3] (call not seen)');
});

test('a pending call keeps a detached copy of its arguments (no view of the capture buffer); its event keeps the decode', () => {
  const fh = randomBytes(32, 3);
  const getattr = buildCall({ xid: 41, prog: 100003, vers: 3, proc: 1, cred: authUnix({ uid: 0 }), body: new XdrWriter().opaque(fh).bytes() });
  const { events } = new Trace().udp(getattr, 800, 2049).run();
  const ev = events[0];
  const txFh = (ev.tx?.args as { object: { bytes: Uint8Array } }).object.bytes;
  const evFh = (ev.args as { object: { bytes: Uint8Array } }).object.bytes;
  assert.deepEqual([...txFh], [...fh]);
  assert.notEqual(txFh.buffer, ev.record.bytes.buffer, 'the transaction does not pin the record');
  assert.equal(evFh.buffer, ev.record.bytes.buffer, 'the event keeps the view it was decoded into');
});

test('limits reached are reported: evictions, answered transactions forgotten, calls printed before their reply', () => {
  const t = new Trace();
  for (let x = 1; x <= 6; x++) t.udp(call(x), 800, 2049);
  t.udp(ok(6), 2049, 800, SERVER, CLIENT);
  for (let x = 10; x <= 13; x++) t.udp(call(x), 800, 2049).udp(ok(x), 2049, 800, SERVER, CLIENT);
  const { pipeline, events } = t.run({ ...DEFAULT_PIPELINE, maxTransactions: 4, maxAnswered: 2, maxHeld: 3 });
  const w = pipeline.warningLines();
  assert.ok(w.some((l) => /^pairing table full: \d+ transactions evicted, \d+ of them before their reply/.test(l)), w.join('\n'));
  assert.ok(w.some((l) => /^pairing: 3 answered transactions forgotten; .* last 2 answered/.test(l)), w.join('\n'));
  assert.ok(w.some((l) => /^release queue full: \d+ calls printed before their reply/.test(l)), w.join('\n'));
  assert.equal(events.length, 15);
  const quiet = new Trace().udp(call(1), 800, 2049).udp(ok(1), 2049, 800, SERVER, CLIENT).run().pipeline.warningLines();
  assert.deepEqual(quiet.filter((l) => /^(pairing|release)/.test(l)), [], 'no limit reached, none reported');
});

test('a closed TCP connection leaves no answered transaction in the pairing table', () => {
  const t = new Trace();
  t.tcp(new Uint8Array(0), { sport: 900, dport: 2049, seq: 0, flags: SYN });
  t.tcp(frameRecord(call(5)), { sport: 900, dport: 2049, seq: 1 });
  const reply = frameRecord(ok(5));
  t.tcp(reply, { sport: 2049, dport: 900, seq: 0, src: SERVER, dst: CLIENT });
  // FIN both ways
  t.tcp(new Uint8Array(0), { sport: 900, dport: 2049, seq: 1 + frameRecord(call(5)).length, flags: ACK | 0x01 });
  t.tcp(new Uint8Array(0), { sport: 2049, dport: 900, seq: reply.length, flags: ACK | 0x01, src: SERVER, dst: CLIENT });
  const events: RpcEvent[] = [];
  const pipeline = new Pipeline(DEFAULT_PIPELINE, (ev) => isRpcEvent(ev) && events.push(ev));
  for (const f of t.frames) pipeline.pushFrame(f);
  assert.equal(events.length, 2);
  assert.equal(events[1].tx?.replyFrame, 3);
  assert.equal(pipeline.pairing.size, 0);
});
