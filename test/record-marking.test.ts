import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { L4Packet } from '../src/net/l4-packet';
import type { StreamChunk } from '../src/reassembly/stream-chunk';
import { RecordMarker } from '../src/rpc/record-marking';
import type { TcpRpcRecord } from '../src/rpc/record-marker-types';
import { concat, hex, randomBytes } from './helpers/bytes';
import { readPackets } from './helpers/capture-packets';
import { fixture, readTsv } from './helpers/fixtures';
import {
  AUTH_NONE,
  authUnix,
  buildAcceptedReply,
  buildCall,
  buildDeniedReply,
  chop,
  frameRecord,
  nfsFh,
  nfsReadResult,
  nfsWriteArgs,
  recordMark,
  XdrWriter,
} from './helpers/rpc-builders';
import { recordSummary, runTcp, simpleHash, TcpSession, xidOf, type RunOptions, type RunResult } from './helpers/tcp-session';

const NFS = 100003;
const MOUNT = 100005;

// ------------------------------------------------------------------------------------------------ helpers

interface Framed {
  start: number;
  end: number;
  body: Uint8Array;
  fragments: number;
}

/** An independent record-mark parser for expected values. */
function parseFramed(stream: Uint8Array): Framed[] {
  const out: Framed[] = [];
  let o = 0;
  while (o < stream.length) {
    const start = o;
    const parts: Uint8Array[] = [];
    let fragments = 0;
    for (;;) {
      const m = ((stream[o] << 24) | (stream[o + 1] << 16) | (stream[o + 2] << 8) | stream[o + 3]) >>> 0;
      const len = m & 0x7fffffff;
      parts.push(stream.subarray(o + 4, o + 4 + len));
      fragments++;
      o += 4 + len;
      if (m >= 0x80000000) break;
    }
    out.push({ start, end: o, body: concat(...parts), fragments });
  }
  return out;
}

function nullCall(xid: number): Uint8Array {
  return buildCall({ xid, prog: NFS, vers: 3, proc: 0 });
}

function getattrCall(xid: number): Uint8Array {
  return buildCall({ xid, prog: NFS, vers: 3, proc: 1, cred: authUnix({ gids: [4, 24, 27] }), body: nfsFh(xid) });
}

function successReply(xid: number, bodyLen = 84): Uint8Array {
  return buildAcceptedReply({ xid, body: randomBytes(bodyLen, xid) });
}

/** Records of one direction after a handshake (in sync) or joined mid-way, one segment per piece. */
function runPieces(pieces: Uint8Array[], opts: { handshake?: boolean; fin?: boolean; run?: RunOptions } = {}): {
  res: RunResult;
  frames: number[];
} {
  const s = new TcpSession();
  const pkts: L4Packet[] = opts.handshake === false ? [] : s.handshake();
  const frames: number[] = [];
  for (const p of pieces) {
    if (p.length === 0) continue;
    const pkt = s.segment('c', p);
    frames.push(pkt.frameNo);
    pkts.push(pkt);
  }
  if (opts.fin) pkts.push(s.fin('c'), s.fin('s'));
  return { res: runTcp(pkts, opts.run), frames };
}

function bodiesHex(records: TcpRpcRecord[]): string[] {
  return records.map((r) => hex(r.bytes));
}

// ------------------------------------------------------------------------------------------------ fixture

const FIXTURE = 'rpc_tcp_record_marking_lo.pcap';

test('fixture: every XID tshark reports comes out at the same frame, with the same message type', async () => {
  const res = runTcp(await readPackets(fixture(FIXTURE)));
  const rows = readTsv(fixture(FIXTURE + '.tsv'));
  const got = new Map<string, TcpRpcRecord>();
  for (const r of res.records) {
    const type = (r.bytes[4] << 24) | (r.bytes[5] << 16) | (r.bytes[6] << 8) | r.bytes[7];
    got.set(`${xidOf(r).toString(16).padStart(8, '0')}/${type}`, r);
  }
  let expected = 0;
  for (const row of rows) {
    if (!row['rpc.xid']) continue;
    const xids = row['rpc.xid'].split(',');
    const types = row['rpc.msgtyp'].split(',');
    xids.forEach((x, i) => {
      expected++;
      const key = `${x.replace(/^0x/, '')}/${types[i]}`;
      const r = got.get(key);
      assert.ok(r, `record ${key} (frame ${row['frame.number']}) not found`);
      assert.equal(r.frameNo, Number(row['frame.number']), `frame of ${key}`);
      assert.equal(r.truncated, false);
      assert.deepEqual(r.anomalies, []);
    });
  }
  assert.equal(res.records.length, expected);
  assert.equal(expected, 46);
  // multi-fragment records: fragments as tshark counts them
  const frags = (x: string): number => (got.get(x) as TcpRpcRecord).fragments;
  assert.equal(frags('e9b1042c/0'), 2);
  assert.equal(frags('e9b1042d/0'), 4);
  assert.equal(frags('e9b1042e/0'), 12);
  assert.equal(frags('e9b10430/0'), 3);
  assert.equal((got.get('e9b10430/0') as TcpRpcRecord).length, 200128);
  // the generator's XIDs are all there
  const log = fs.readFileSync(fixture(FIXTURE + '.generator.log'), 'utf8');
  const xids = [...log.matchAll(/xid=0x([0-9a-f]{8})/g)].map((m) => m[1]);
  assert.ok(xids.length >= 23);
  for (const x of xids) {
    assert.ok(got.has(`${x}/0`), `call ${x}`);
    assert.ok(got.has(`${x}/1`), `reply ${x}`);
  }
  assert.deepEqual(res.layer.counters, {});
  assert.deepEqual(res.tcp.counters, {});
});

/** The raw framed bytes of every record of the fixture, per direction. */
async function fixtureRecords(): Promise<Uint8Array[]> {
  const res = runTcp(await readPackets(fixture(FIXTURE)));
  const byStream = new Map<string, StreamChunk[]>();
  for (const c of res.chunks) {
    const k = `${c.connId}>${c.src}:${c.sport}`;
    byStream.set(k, [...(byStream.get(k) ?? []), c]);
  }
  const out: Uint8Array[] = [];
  for (const chunks of byStream.values()) {
    const stream = concat(...chunks.map((c) => c.bytes));
    for (const f of parseFramed(stream)) out.push(stream.slice(f.start, f.end));
  }
  return out;
}

/** Builder-made messages of every call/reply type, framed (some in several fragments). */
function builtRecords(): Uint8Array[] {
  const msgs: [Uint8Array, number[]][] = [
    [buildCall({ xid: 0x101, prog: MOUNT, vers: 3, proc: 0 }), []],
    [getattrCall(0x102), []],
    [buildCall({ xid: 0x103, prog: NFS, vers: 3, proc: 7, cred: authUnix(), body: nfsWriteArgs(randomBytes(8192, 3)) }), [100, 4000]],
    [buildCall({ xid: 0x104, prog: 100000, vers: 2, proc: 3, body: new XdrWriter().u32(NFS).u32(3).u32(6).u32(0).bytes() }), [24]],
    [buildAcceptedReply({ xid: 0x102, body: randomBytes(84, 2) }), []],
    [buildAcceptedReply({ xid: 0x103, body: nfsReadResult(randomBytes(8192, 9)) }), []],
    [buildAcceptedReply({ xid: 0x105, acceptStat: 1 }), []],
    [buildAcceptedReply({ xid: 0x106, acceptStat: 2, mismatch: { low: 2, high: 4 } }), []],
    [buildAcceptedReply({ xid: 0x107, acceptStat: 3 }), []],
    [buildAcceptedReply({ xid: 0x108, acceptStat: 4 }), []],
    [buildAcceptedReply({ xid: 0x109, acceptStat: 5 }), []],
    [buildDeniedReply({ xid: 0x10a, rpcMismatch: { low: 2, high: 2 } }), []],
    [buildDeniedReply({ xid: 0x10b, authStat: 1 }), []],
    [buildDeniedReply({ xid: 0x10c, authStat: 13 }), []],
  ];
  return msgs.map(([m, f]) => frameRecord(m, f));
}

/** Split offsets: every offset for small streams, a dense sample (every offset near the record marks, the ends and
 *  a stride through the middle) for big ones. */
function splitOffsets(stream: Uint8Array, marks: number[]): number[] {
  if (stream.length <= 6000) return Array.from({ length: stream.length + 1 }, (_, i) => i);
  const set = new Set<number>();
  for (const m of [0, ...marks, stream.length]) for (let d = -12; d <= 12; d++) set.add(m + d);
  for (let i = 0; i <= 200; i++) set.add(i);
  for (let i = 0; i < stream.length; i += Math.ceil(stream.length / 150)) set.add(i);
  return [...set].filter((x) => x >= 0 && x <= stream.length).sort((a, b) => a - b);
}

function markOffsets(stream: Uint8Array): number[] {
  const out: number[] = [];
  let o = 0;
  while (o + 4 <= stream.length) {
    out.push(o);
    const m = ((stream[o] << 24) | (stream[o + 1] << 16) | (stream[o + 2] << 8) | stream[o + 3]) >>> 0;
    o += 4 + (m & 0x7fffffff);
  }
  return out;
}

/** The record between two small ones, cut in two segments at every offset, in sync and joined mid-way: the same
 *  records, bytes, fragments, and frame numbers (the frame carrying each record's last byte). */
function checkEverySplit(raw: Uint8Array, label: string): void {
  const stream = concat(frameRecord(nullCall(0xaaaa0001)), raw, frameRecord(nullCall(0xaaaa0002)));
  const expected = parseFramed(stream);
  const offsets = splitOffsets(stream, markOffsets(stream));
  for (const handshake of [true, false]) {
    for (const cut of offsets) {
      const { res, frames } = runPieces([stream.subarray(0, cut), stream.subarray(cut)], { handshake });
      const where = `${label} cut=${cut} ${handshake ? 'in sync' : 'mid-stream'}`;
      assert.equal(res.records.length, expected.length, where);
      expected.forEach((e, i) => {
        const r = res.records[i];
        assert.equal(hex(r.bytes), hex(e.body), where);
        assert.equal(r.fragments, e.fragments, where);
        assert.equal(r.length, e.body.length, where);
        assert.equal(r.truncated, false, where);
        assert.deepEqual(r.anomalies, [], where);
        // frames: first segment holds [0, cut)
        const fA = frames[0];
        const fB = frames[frames.length - 1];
        const frameOf = (off: number): number => (cut > 0 && off < cut ? fA : fB);
        assert.equal(r.frameNo, frameOf(e.end - 1), where);
        assert.deepEqual(r.frames, [...new Set([frameOf(e.start), frameOf(e.end - 1)])], where);
      });
    }
  }
}

test('every record of the fixture, split at every byte offset across two segments, gives the same records', async () => {
  const recs = await fixtureRecords();
  assert.equal(recs.length, 46);
  for (const [i, raw] of recs.entries()) checkEverySplit(raw, `fixture record ${i}`);
});

test('every call/reply type from the builders, split at every byte offset, gives the same records', () => {
  for (const [i, raw] of builtRecords().entries()) checkEverySplit(raw, `built record ${i}`);
});

// ------------------------------------------------------------------------------------------------ framing cases

test('one byte per segment gives the same records, in sync and joined mid-way', () => {
  const msgs = [getattrCall(0x41), successReply(0x42, 700), buildCall({ xid: 0x43, prog: NFS, vers: 3, proc: 4, body: nfsFh(3) })];
  const stream = concat(...msgs.map((m, i) => frameRecord(m, i === 1 ? [30, 300] : [])));
  for (const handshake of [true, false]) {
    const { res, frames } = runPieces(chop(stream, 1), { handshake });
    assert.deepEqual(bodiesHex(res.records), msgs.map(hex));
    let end = 0;
    res.records.forEach((r, i) => {
      const start = end;
      end += frameRecord(msgs[i], i === 1 ? [30, 300] : []).length;
      assert.equal(r.frameNo, frames[end - 1]);
      assert.deepEqual(r.frames, frames.slice(start, end));
    });
    assert.deepEqual(res.layer.counters, {});
  }
});

test('three records in one segment come out separately, all at that frame', () => {
  const msgs = [getattrCall(1), nullCall(2), buildCall({ xid: 3, prog: NFS, vers: 3, proc: 4, body: nfsFh(3) })];
  const { res, frames } = runPieces([concat(...msgs.map((m) => frameRecord(m)))]);
  assert.deepEqual(bodiesHex(res.records), msgs.map(hex));
  for (const r of res.records) {
    assert.equal(r.frameNo, frames[0]);
    assert.deepEqual(r.frames, [frames[0]]);
    assert.equal(r.fragments, 1);
    assert.equal(r.bytes.buffer, res.chunks[0].bytes.buffer, 'a record inside one chunk is a view, not a copy');
  }
});

test('a 3-fragment record is joined without its marks', () => {
  const msg = buildCall({ xid: 0x33, prog: NFS, vers: 3, proc: 7, cred: authUnix(), body: nfsWriteArgs(randomBytes(3000, 5)) });
  const framed = frameRecord(msg, [60, 1000]);
  assert.equal(framed.length, msg.length + 12);
  const { res } = runPieces([framed, frameRecord(nullCall(0x34))]);
  assert.equal(res.records.length, 2);
  assert.equal(hex(res.records[0].bytes), hex(msg));
  assert.equal(res.records[0].fragments, 3);
  assert.equal(res.records[0].length, msg.length);
});

test('a record mark split 1/3, 2/2 and 3/1 across segments', () => {
  const a = frameRecord(getattrCall(0x51));
  const b = frameRecord(getattrCall(0x52));
  for (const k of [1, 2, 3]) {
    const stream = concat(a, b);
    const { res, frames } = runPieces([stream.subarray(0, a.length + k), stream.subarray(a.length + k)]);
    assert.deepEqual(res.records.map(xidOf), [0x51, 0x52], `split ${k}/${4 - k}`);
    assert.equal(res.records[0].frameNo, frames[0]);
    assert.equal(res.records[1].frameNo, frames[1]);
    assert.deepEqual(res.records[1].frames, [frames[0], frames[1]], 'the frame with the first mark bytes is part of the record');
  }
});

test('segments reordered and duplicated give the same records as in order', () => {
  const msgs = [getattrCall(0x61), successReply(0x62, 2000), getattrCall(0x63), nullCall(0x64)];
  const stream = concat(...msgs.map((m) => frameRecord(m)));
  const pieces = chop(stream, 300);
  const s1 = new TcpSession();
  const inOrder = [...s1.handshake(), ...s1.send('c', ...pieces)];
  const base = runTcp(inOrder).records;
  assert.deepEqual(bodiesHex(base), msgs.map(hex));

  const s2 = new TcpSession();
  const hs = s2.handshake();
  const segs = pieces.map((p, i) => s2.segment('c', p, { offset: i * 300 }));
  // reversed pairs, every third segment repeated, the first one again at the end
  const shuffled: L4Packet[] = [];
  for (let i = 0; i < segs.length; i += 2) {
    if (i + 1 < segs.length) shuffled.push(segs[i + 1]);
    shuffled.push(segs[i]);
    if (i % 3 === 0) shuffled.push(segs[i]);
  }
  shuffled.push(segs[0]);
  const res = runTcp([...hs, ...shuffled]);
  assert.deepEqual(bodiesHex(res.records), msgs.map(hex));
  assert.equal(res.tcp.stats.bytesLost, 0);
  assert.ok(res.tcp.stats.outOfOrderSegments > 0 && res.tcp.stats.duplicateSegments > 0);
  assert.deepEqual(res.layer.counters, {});
});

test('overlapping retransmissions with different boundaries give the same records', () => {
  const msgs = [successReply(0x71, 1500), getattrCall(0x72), successReply(0x73, 700)];
  const stream = concat(...msgs.map((m) => frameRecord(m)));
  const s = new TcpSession();
  const pkts = s.handshake();
  // original: 500-byte segments; the second one "lost" and resent as [400, 1300) overlapping both neighbours
  const seg = (from: number, to: number): L4Packet => s.segment('c', stream.subarray(from, to), { offset: from });
  pkts.push(seg(0, 500), seg(1000, 1500), seg(400, 1300), seg(1500, 2200), seg(1400, 1600), seg(2200, stream.length), seg(0, 100));
  const res = runTcp(pkts);
  assert.deepEqual(bodiesHex(res.records), msgs.map(hex));
  assert.equal(res.tcp.stats.bytesLost, 0);
});

// ------------------------------------------------------------------------------------------------ loss and resync

/** A stream of records cut into 500-byte segments, with the pieces covering [lossFrom, lossTo) never sent. */
function lossyRun(msgs: Uint8Array[], lossFrom: number, lossTo: number, segSize = 500): { res: RunResult; stream: Uint8Array; frameAt: (off: number) => number } {
  const stream = concat(...msgs.map((m) => frameRecord(m)));
  const s = new TcpSession();
  const pkts = s.handshake();
  const frameAt = new Map<number, number>();
  for (let o = 0; o < stream.length; o += segSize) {
    const end = Math.min(stream.length, o + segSize);
    if (end > lossFrom && o < lossTo) continue;
    const p = s.segment('c', stream.subarray(o, end), { offset: o });
    frameAt.set(o, p.frameNo);
    pkts.push(p);
  }
  pkts.push(s.fin('c'), s.fin('s'));
  return { res: runTcp(pkts), stream, frameAt: (off) => frameAt.get(off - (off % segSize)) ?? -1 };
}

test('a gap inside a record: the record is reported truncated at its start frame, the stream stays in sync', () => {
  const msgs = [getattrCall(0x81), successReply(0x82, 3000), getattrCall(0x83), successReply(0x84, 200)];
  // record 2 occupies [112, 112+4+3028); lose [1000, 1500): well inside it
  const { res, stream, frameAt } = lossyRun(msgs, 1000, 1500);
  const framed = parseFramed(stream);
  assert.deepEqual(res.records.map(xidOf), [0x81, 0x82, 0x83, 0x84]);
  const cut = res.records[1];
  assert.equal(cut.truncated, true);
  assert.deepEqual(cut.anomalies, ['record_truncated']);
  assert.equal(cut.frameNo, frameAt(framed[1].start), 'reported at the frame where it began');
  assert.equal(cut.length, msgs[1].length);
  assert.equal(hex(cut.bytes), hex(msgs[1].subarray(0, 1000 - framed[1].start - 4)), 'what was captured, nothing else');
  for (const r of [res.records[0], res.records[2], res.records[3]]) {
    assert.equal(r.truncated, false);
    assert.deepEqual(r.anomalies, [], 'no resync needed');
    assert.equal(r.skippedBefore, 0);
  }
  assert.equal(res.layer.stats.skippedBytes, 0);
  assert.equal(res.layer.counters.record_truncated, 1);
  assert.equal(res.tcp.counters.tcp_gap, 1);
});

test('a gap across a record boundary: truncated record, then resync finds the next record; nothing garbage', () => {
  const msgs = [getattrCall(0x91), successReply(0x92, 900), getattrCall(0x93), successReply(0x94, 400), getattrCall(0x95), nullCall(0x96)];
  const stream = concat(...msgs.map((m) => frameRecord(m)));
  const framed = parseFramed(stream);
  // lose the 500-byte segment [1000, 1500): the end of record 2, all of record 3, the start of record 4
  assert.ok(framed[1].end > 1000 && framed[2].end < 1500 && framed[3].start < 1500 && framed[3].end > 1500);
  const { res } = lossyRun(msgs, 1000, 1500);
  assert.deepEqual(res.records.map(xidOf), [0x91, 0x92, 0x95, 0x96]);
  assert.equal(res.records[1].truncated, true);
  const first = res.records[2];
  assert.deepEqual(first.anomalies, ['record_resync']);
  assert.equal(first.skippedBefore, framed[4].start - 1500, 'the bytes between the gap and the next record');
  for (const [i, r] of res.records.entries()) {
    const m = msgs.find((x) => xidOf({ bytes: x }) === xidOf(r)) as Uint8Array;
    assert.equal(hex(r.bytes), hex(m.subarray(0, r.bytes.length)), `record ${i} is a real message (or its prefix)`);
  }
});

test('a stream joined mid-way inside a WRITE full of RPC-looking bytes: the first real record is found, nothing false', () => {
  // WRITE data containing (a) a fake record whose end lands inside the data where no record mark follows,
  // (b) a fake reply header claiming 1 MiB, (c) a fake call with a plausible chain but cut short by the real end
  const fakeA = frameRecord(getattrCall(0xfa1e0001));
  const fakeB = concat(recordMark(1 << 20, true), successReply(0xfa1e0002, 40));
  const fakeC = concat(frameRecord(nullCall(0xfa1e0003)), recordMark(300, true), nullCall(0xfa1e0004));
  const data = concat(randomBytes(3000, 1), fakeA, randomBytes(500, 2), fakeB, randomBytes(777, 3), fakeC, randomBytes(1000, 4));
  const write = buildCall({ xid: 0x1111, prog: NFS, vers: 3, proc: 7, cred: authUnix(), body: nfsWriteArgs(data) });
  const after = [successReply(0x1111, 100), getattrCall(0x2222), nullCall(0x3333)];
  const stream = concat(frameRecord(write), ...after.map((m) => frameRecord(m)));
  const firstReal = frameRecord(write).length;
  for (const [startAt, size] of [[2000, 1448], [2999, 1448], [3500, 1448], [firstReal - 900, 1448], [2500, 1], [3000, 7], [3700, 100]]) {
    const { res } = runPieces(chop(stream.subarray(startAt), size), { handshake: false });
    assert.deepEqual(res.records.map(xidOf), [0x1111, 0x2222, 0x3333], `joined at ${startAt}, segments of ${size}`);
    assert.equal(hex(res.records[0].bytes), hex(after[0]));
    assert.deepEqual(res.records[0].anomalies, ['record_resync']);
    assert.equal(res.records[0].skippedBefore, firstReal - startAt);
    assert.deepEqual(res.records[1].anomalies, []);
  }
});

test('a stream joined mid-way exactly on a record mark loses nothing', () => {
  const msgs = [getattrCall(0x4001), successReply(0x4002, 5000), nullCall(0x4003)];
  const stream = concat(...msgs.map((m) => frameRecord(m)));
  for (const size of [1, 7, 100, 1448, stream.length]) {
    const { res } = runPieces(chop(stream, size), { handshake: false });
    assert.deepEqual(bodiesHex(res.records), msgs.map(hex), `segments of ${size}`);
    assert.equal(res.layer.stats.skippedBytes, 0);
    assert.deepEqual(res.layer.counters, {});
    assert.equal(res.streams[0].fromStart, false);
  }
});

test('a 200 KB record before anything else (in sync, and joined mid-way on its mark)', () => {
  const write = buildCall({ xid: 0x200, prog: NFS, vers: 3, proc: 7, cred: authUnix(), body: nfsWriteArgs(randomBytes(200_000, 7)) });
  const next = getattrCall(0x201);
  const stream = concat(frameRecord(write, [70_000, 70_000]), frameRecord(next));
  for (const handshake of [true, false]) {
    const { res, frames } = runPieces(chop(stream, 65_483), { handshake });
    assert.deepEqual(res.records.map(xidOf), [0x200, 0x201]);
    assert.equal(hex(res.records[0].bytes), hex(write));
    assert.equal(res.records[0].fragments, 3);
    assert.deepEqual(res.records[0].frames, frames.slice(0, 4));
    assert.equal(res.records[0].frameNo, frames[3]);
    assert.deepEqual(res.layer.counters, {});
  }
});

test('a record larger than the resync window, joined mid-way on its mark, is kept and confirmed by the next one', () => {
  const big = buildCall({ xid: 0x300, prog: NFS, vers: 3, proc: 7, cred: authUnix(), body: nfsWriteArgs(randomBytes(600_000, 8)) });
  const stream = concat(frameRecord(big), frameRecord(getattrCall(0x301)), frameRecord(nullCall(0x302)));
  const { res } = runPieces(chop(stream, 65_000), { handshake: false });
  assert.deepEqual(res.records.map(xidOf), [0x300, 0x301, 0x302]);
  assert.equal(hex(res.records[0].bytes), hex(big));
  assert.deepEqual(res.layer.counters, {});
});

test('a fake record taken when the resync window fills is held, and dropped when what follows it is not RPC', () => {
  // joined inside file data holding a plausible reply header that claims 40000 bytes: more than the window
  const fake = concat(recordMark(40_000, true), successReply(0xbad0bad, 100));
  const data = concat(randomBytes(3000, 21), fake, randomBytes(60_000, 22));
  const real = [getattrCall(0xd01), successReply(0xd02, 300), nullCall(0xd03)];
  const stream = concat(data, ...real.map((m) => frameRecord(m)));
  const { res } = runPieces(chop(stream, 1448), { handshake: false, run: { records: { resyncWindow: 16_384 } } });
  assert.deepEqual(res.records.map(xidOf), [0xd01, 0xd02, 0xd03]);
  assert.equal(res.layer.stats.discardedRecords, 1, 'the fake was taken, held, and dropped');
  assert.equal(res.records[0].skippedBefore, data.length);
  assert.deepEqual(res.records[0].anomalies, ['record_resync']);
});

test('a record mark claiming 0x7fffffff bytes: no huge allocation, no hang, no garbage', () => {
  // (a) in sync, the mark is followed by bytes that are not RPC: resync finds the real records
  const real = [getattrCall(0x501), nullCall(0x502)];
  const junk = concat(recordMark(0x7fffffff, true), randomBytes(200, 5));
  const { res } = runPieces([concat(junk, ...real.map((m) => frameRecord(m)))]);
  assert.deepEqual(res.records.map(xidOf), [0x501, 0x502]);
  assert.equal(res.records[0].skippedBefore, junk.length);
  // (b) in sync, a plausible header after it: kept truncated at maxRecordSize, the rest skipped by counting
  const claimed = concat(recordMark(0x7fffffff, true), getattrCall(0x503), randomBytes(10_000, 6));
  const b = runPieces(chop(claimed, 1448), { run: { records: { maxRecordSize: 4096 } } });
  assert.equal(b.res.records.length, 1);
  const r = b.res.records[0];
  assert.equal(xidOf(r), 0x503);
  assert.equal(r.truncated, true);
  assert.equal(r.bytes.length, 4096);
  assert.equal(r.length, 0x7fffffff);
  assert.deepEqual(r.anomalies, ['record_too_large']);
  assert.equal(r.frameNo, b.frames[0]);
  // (c) joined mid-way: such a mark is never a resync candidate
  const c = runPieces([concat(randomBytes(33, 9), junk, frameRecord(real[0]))], { handshake: false });
  assert.deepEqual(c.res.records.map(xidOf), [0x501]);
});

test('a record over maxRecordSize is kept truncated and the stream stays in sync', () => {
  const big = successReply(0x601, 10_000);
  const msgs = [big, getattrCall(0x602)];
  const { res, frames } = runPieces(chop(concat(...msgs.map((m) => frameRecord(m))), 1448), { run: { records: { maxRecordSize: 4096 } } });
  assert.deepEqual(res.records.map(xidOf), [0x601, 0x602]);
  assert.equal(res.records[0].truncated, true);
  assert.equal(hex(res.records[0].bytes), hex(big.subarray(0, 4096)));
  assert.equal(res.records[0].frameNo, frames[0]);
  assert.deepEqual(res.records[0].anomalies, ['record_too_large']);
  assert.deepEqual(res.records[1].anomalies, []);
  assert.equal(res.layer.counters.record_too_large, 1);
});

test('garbage bytes on a stream: no records, every byte counted as skipped', () => {
  const junk = randomBytes(50_000, 11);
  for (const handshake of [true, false]) {
    const { res } = runPieces(chop(junk, 1448), { handshake });
    assert.equal(res.records.length, 0);
    assert.equal(res.layer.stats.skippedBytes, junk.length);
    assert.equal(res.layer.counters.record_resync, 1);
  }
  // an all-zero stream (zero-length non-last fragments) is garbage too
  const zeros = runPieces([new Uint8Array(40_000)]);
  assert.equal(zeros.res.records.length, 0);
  assert.equal(zeros.res.layer.stats.skippedBytes, 40_000);
});

test('a record that does not start with an RPC header sends the marker to resync; the records after it are found', () => {
  const notRpc = frameRecord(new XdrWriter().u32(7).u32(5).u32(9).u32(9).u32(9).u32(9).u32(9).bytes());
  const msgs = [getattrCall(0x701), nullCall(0x702)];
  const { res } = runPieces([concat(frameRecord(nullCall(0x700)), notRpc, ...msgs.map((m) => frameRecord(m)))]);
  assert.deepEqual(res.records.map(xidOf), [0x700, 0x701, 0x702]);
  assert.equal(res.records[1].skippedBefore, notRpc.length);
});

test('zero-length fragments are legal inside a record; a zero-length record is not a message', () => {
  const msg = getattrCall(0x801);
  const framed = concat(recordMark(0, false), recordMark(40, false), msg.subarray(0, 40), recordMark(0, false), recordMark(msg.length - 40, true), msg.subarray(40));
  const { res } = runPieces([concat(recordMark(0, true), framed, recordMark(0, true), frameRecord(nullCall(0x802)))]);
  assert.deepEqual(res.records.map(xidOf), [0x801, 0x802]);
  assert.equal(hex(res.records[0].bytes), hex(msg));
  assert.equal(res.records[0].fragments, 4);
  assert.equal(res.layer.stats.emptyRecords, 2);
  assert.equal(res.layer.counters.not_rpc, 2);
});

test('sequence numbers wrapping at 2^32 in the middle of records', () => {
  const msgs = [successReply(0x901, 3000), getattrCall(0x902), successReply(0x903, 5000)];
  const stream = concat(...msgs.map((m) => frameRecord(m)));
  const s = new TcpSession(undefined, undefined, { c: 0xffffffff - 2500 });
  const pieces = chop(stream, 1000);
  const segs = pieces.map((p, i) => s.segment('c', p, { offset: i * 1000 }));
  assert.ok(segs.some((p) => (p.tcp?.seq ?? 0) < 10_000), 'the sequence numbers wrapped');
  // deliver with two segments swapped around the wrap
  const order = [...s.handshake(), segs[0], segs[1], segs[3], segs[2], ...segs.slice(4)];
  const res = runTcp(order);
  assert.deepEqual(bodiesHex(res.records), msgs.map(hex));
  assert.equal(res.tcp.stats.bytesLost, 0);
});

test('FIN in the middle of a record: the partial record is emitted truncated at its start frame', () => {
  const msgs = [getattrCall(0xa01), successReply(0xa02, 4000)];
  const stream = concat(...msgs.map((m) => frameRecord(m)));
  const { res, frames } = runPieces(chop(stream.subarray(0, 2500), 1000), { fin: true });
  assert.equal(res.records.length, 2);
  const cut = res.records[1];
  assert.equal(cut.truncated, true);
  assert.deepEqual(cut.anomalies, ['record_truncated']);
  assert.equal(cut.frameNo, frames[0]);
  assert.deepEqual(cut.frames, frames);
  assert.equal(hex(cut.bytes), hex(msgs[1].subarray(0, 2500 - frameRecord(msgs[0]).length - 4)));
  assert.equal(res.ends.length, 1);
  assert.equal(res.ends[0].end.reason, 'fin');
});

test('bounded out-of-order buffer: overflow declares the hole lost and decoding continues', () => {
  const msgs = [getattrCall(0xb01), successReply(0xb02, 6000), ...Array.from({ length: 20 }, (_, i) => successReply(0xb10 + i, 300))];
  const stream = concat(...msgs.map((m) => frameRecord(m)));
  const s = new TcpSession();
  const pkts = s.handshake();
  // segment [1000, 2000) never arrives; everything after it does, and there is no FIN
  for (let o = 0; o < stream.length; o += 1000) {
    if (o === 1000) continue;
    pkts.push(s.segment('c', stream.subarray(o, Math.min(stream.length, o + 1000)), { offset: o }));
  }
  const res = runTcp(pkts, { tcp: { maxBufferedPerDirection: 4000 }, finish: false });
  assert.equal(res.tcp.counters.tcp_out_of_order_overflow, 1);
  assert.equal(res.tcp.stats.bytesLost, 1000);
  assert.deepEqual(res.records.map(xidOf), msgs.map((m) => xidOf({ bytes: m })));
  assert.equal(res.records[1].truncated, true);
  assert.equal(res.records.filter((r) => r.truncated).length, 1);
  assert.ok(res.tcp.stats.bufferedBytes <= 4000);
});

test('snaplen-cut segments: each record keeps its captured head, the stream stays in sync by counting', () => {
  const replies = Array.from({ length: 5 }, (_, i) => buildAcceptedReply({ xid: 0xc00 + i, body: nfsReadResult(randomBytes(8192, i)) }));
  const s = new TcpSession();
  const pkts = s.handshake();
  const starts: number[] = [];
  for (const m of replies) {
    const framed = frameRecord(m);
    const p = s.segment('c', framed.subarray(0, 190), { payloadLength: framed.length });
    starts.push(p.frameNo);
    pkts.push(p);
  }
  pkts.push(s.fin('c'), s.fin('s'));
  const res = runTcp(pkts);
  assert.deepEqual(res.records.map(xidOf), replies.map((m) => xidOf({ bytes: m })));
  res.records.forEach((r, i) => {
    assert.equal(r.truncated, true);
    assert.equal(r.bytes.length, 186);
    assert.equal(r.length, replies[i].length);
    assert.equal(r.frameNo, starts[i]);
    assert.deepEqual(r.anomalies, ['record_truncated']);
  });
  assert.equal(res.layer.stats.skippedBytes, 0);
  assert.equal(res.ends[0].end.trailingGap, 0, 'each cut was reported with its own segment');
});

test('RecordMarker on its own: fed chunks directly, with AUTH_NONE and AUTH_UNIX calls', () => {
  const out: TcpRpcRecord[] = [];
  const m = new RecordMarker({ inSync: true }, (r) => out.push(r));
  const calls = [buildCall({ xid: 1, prog: NFS, vers: 3, proc: 0, cred: AUTH_NONE }), getattrCall(2)];
  const bytes = concat(...calls.map((c) => frameRecord(c)));
  const chunk = (b: Uint8Array, frameNo: number, gapBefore = 0): StreamChunk => ({
    ipVersion: 4,
    src: '10.0.0.1',
    sport: 900,
    dst: '10.0.0.2',
    dport: 2049,
    connId: 'tcp 10.0.0.1:900 10.0.0.2:2049#0',
    gapBefore,
    bytes: b,
    frameNo,
    ts: { sec: frameNo, nsec: 0 },
  });
  m.push(chunk(bytes.subarray(0, 50), 1));
  m.push(chunk(bytes.subarray(50), 2));
  m.close();
  assert.deepEqual(out.map(xidOf), [1, 2]);
  assert.equal(out[1].connId, 'tcp 10.0.0.1:900 10.0.0.2:2049#0');
  assert.equal(out[1].transport, 'tcp');
  assert.deepEqual(out[1].ts, { sec: 2, nsec: 0 });
});

// ------------------------------------------------------------------------------------------------ capture-wide properties

/** Identity of a record across runs (the connection's reuse count depends on what the run saw first). */
function keyOf(r: TcpRpcRecord): string {
  return `${r.connId.replace(/#\d+$/, '')}|${r.src}:${r.sport}|${r.frameNo}|${simpleHash(r.bytes)}`;
}

/** The TCP packets of a real capture, and the records of a run over all of them (with their keys). */
async function fullRun(name: string): Promise<{ pkts: L4Packet[]; full: TcpRpcRecord[]; fullKeys: Set<string> }> {
  const pkts = (await readPackets(fixture(name))).filter((p) => p.transport === 'tcp');
  const full = runTcp(pkts).records;
  return { pkts, full, fullKeys: new Set(full.map(keyOf)) };
}

/** A truncated record must be a prefix of the real record that began at the same frame. */
function isRealPrefix(r: TcpRpcRecord, full: TcpRpcRecord[]): boolean {
  const real = full.find((x) => x.connId === r.connId && x.sport === r.sport && x.frames[0] === r.frameNo && xidOf(x) === xidOf(r));
  return !!real && hex(real.bytes.subarray(0, r.bytes.length)) === hex(r.bytes);
}

test('joined mid-way at every packet of real captures: every record is real, every record after the join is found', async () => {
  for (const [name, step] of [['rpc_tcp_record_marking_lo.pcap', 1], ['rpc_errors_lo_nsec.pcap', 1], ['nfs3_bulk_lo.pcap', 7]] as const) {
    const { pkts, full, fullKeys } = await fullRun(name);
    for (let k = 1; k < pkts.length; k += step) {
      const firstFrame = pkts[k].frameNo;
      const got = runTcp(pkts.slice(k)).records;
      const gotKeys = new Set(got.map(keyOf));
      for (const r of got) assert.ok(fullKeys.has(keyOf(r)), `${name} joined at frame ${firstFrame}: false record ${recordSummary(r)}`);
      for (const r of full) {
        if (r.frames[0] >= firstFrame) assert.ok(gotKeys.has(keyOf(r)), `${name} joined at frame ${firstFrame}: missed ${recordSummary(r)}`);
      }
    }
  }
});

test('one lost segment anywhere in real captures: records it did not carry are intact, cut ones are real prefixes', async () => {
  for (const [name, step] of [['rpc_tcp_record_marking_lo.pcap', 1], ['nfs3_browse_lo.pcap', 2], ['nfs3_bulk_veth_mtu1500.pcap', 61]] as const) {
    const { pkts, full, fullKeys } = await fullRun(name);
    for (let k = 0; k < pkts.length; k += step) {
      if (pkts[k].payload.length === 0) continue;
      const lost = pkts[k].frameNo;
      const got = runTcp(pkts.filter((_, i) => i !== k)).records;
      const gotKeys = new Set(got.map(keyOf));
      for (const r of got) {
        if (fullKeys.has(keyOf(r))) continue;
        assert.ok(r.truncated && isRealPrefix(r, full), `${name} lost frame ${lost}: false record ${recordSummary(r)}`);
      }
      for (const r of full) {
        if (!r.frames.includes(lost)) assert.ok(gotKeys.has(keyOf(r)), `${name} lost frame ${lost}: missed ${recordSummary(r)}`);
      }
    }
  }
});

test('snaplen-cut captures: every record that starts a segment is found (truncated), nothing false', async () => {
  for (const [name, snap, expected] of [
    ['nfs3_bulk_veth_mtu1500.pcap', 134, 170],
    ['nfs3_browse_lo.pcap', 134, 238],
    ['rpc_errors_lo_nsec.pcap', 200, 208],
    ['rpc_tcp_record_marking_lo.pcap', 200, 40],
  ] as const) {
    const { pkts, full, fullKeys } = await fullRun(name);
    const cut = pkts.map((p) => (p.payload.length > snap ? { ...p, payload: p.payload.subarray(0, snap), truncated: true } : p));
    const res = runTcp(cut);
    for (const r of res.records) {
      assert.ok(fullKeys.has(keyOf(r)) || (r.truncated && isRealPrefix(r, full)), `${name}@${snap}: false record ${recordSummary(r)}`);
    }
    assert.equal(res.records.length, expected, name);
  }
});
