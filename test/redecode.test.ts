/**
 * redecode: every RPC message of every fixture decoded again from its recorded position, as the TUI's large-file
 * mode does it (a call from its first frame to its own frame; a reply from its call's first frame to its own
 * frame), gives the message of the first pass. Synthetic TCP streams cover the record layer's join at a frame where
 * a record starts (at the record mark, or after the tail of an earlier record); the bounds and wrong positions end
 * in complete=false or a CaptureError, never a crash or a hang.
 *
 * What may legitimately differ, and nothing else (asserted field by field in sameMessage()):
 *  - a call: replyFrame and rtt (null: its reply lies beyond the range), flags (exactly ['unanswered'] for the same
 *    reason; 'retransmit' and 'xid_reuse' need earlier traffic), retransmitOf (absent: the first transmission lies
 *    before the range), and in the summary the markers those flags add (" (retransmit)", " (XID reused)",
 *    " (no reply)");
 *  - a reply without a call in the first pass (orphan): program, version, programName and the summary, which the
 *    first pass may know from ports learned from earlier PORTMAP/RPCBIND replies.
 * FH paths come from the formatting context (the TUI formats with its first-pass FhNames), so they do not differ.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { CaptureError, type FramePosition, type RawFrame } from '../src/capture/raw-frame';
import { openCaptureAt } from '../src/capture/open-capture-at';
import { eventToJson } from '../src/format/json';
import { createFormatContext } from '../src/format/format-context';
import { DEFAULT_PIPELINE, defaultRegistry, Pipeline } from '../src/pipeline';
import { redecode, type RedecodeRequest } from '../src/redecode';
import type { FormatContext } from '../src/rpc/registry';
import { isRpcEvent, type RpcEvent } from '../src/rpc/rpc-event';
import { concat, pattern, randomBytes } from './helpers/bytes';
import { readFrames } from './helpers/capture-packets';
import { fixture, fixtureCaptures } from './helpers/fixtures';
import { buildAcceptedReply, buildCall, authUnix, frameRecord, nfsFh, nfsWriteArgs, XdrWriter } from './helpers/rpc-builders';
import { pcapBytes, removeTempDir, tcpFrame, tempFile } from './helpers/synthetic-capture';

interface FirstPass {
  events: RpcEvent[];
  positions: Map<number, FramePosition>;
  frames: RawFrame[];
  format: FormatContext;
}

async function firstPass(path: string): Promise<FirstPass> {
  const events: RpcEvent[] = [];
  const p = new Pipeline(DEFAULT_PIPELINE, (ev) => {
    if (isRpcEvent(ev)) events.push(ev);
  });
  const frames = await readFrames(path);
  const positions = new Map<number, FramePosition>();
  for (const f of frames) {
    assert.ok(f.position, `frame ${f.frameNo} has a position`);
    positions.set(f.frameNo, f.position);
    p.pushFrame(f);
  }
  p.finish();
  const format = createFormatContext(defaultRegistry(), p.names, { showNames: true });
  return { events, positions, frames, format };
}

/** The request the TUI makes for `ev`: from its first frame, or for a reply its call's first frame. */
function requestFor(path: string, fp: FirstPass, ev: RpcEvent): RedecodeRequest {
  let start = ev.record.frames[0];
  const tx = ev.tx;
  if (ev.msg.type === 'reply' && tx) {
    const call = fp.events.find((e) => e.msg.type === 'call' && e.tx === tx && e.record.frameNo === tx.callFrame);
    assert.ok(call, `the call of reply ${ev.record.frameNo} is among the events`);
    start = call.record.frames[0];
  }
  const from = fp.positions.get(start);
  assert.ok(from);
  return { path, from, fromFrame: start, toFrame: ev.record.frameNo };
}

function view(f: RawFrame): Record<string, unknown> {
  return { ...f, bytes: Buffer.from(f.bytes).toString('hex') };
}

const FLAG_MARKERS = [' (retransmit)', ' (XID reused)', ' (no reply)'];

function withoutMarkers(summary: unknown): unknown {
  if (typeof summary !== 'string') return summary;
  let s = summary;
  for (const m of FLAG_MARKERS) s = s.split(m).join('');
  return s;
}

/** Asserts that `got` (redecoded) is `want` (first pass) up to the differences listed at the top of this file. */
function sameMessage(want: RpcEvent, got: RpcEvent, format: FormatContext, what: string): void {
  assert.equal(got.msg.xid, want.msg.xid, what);
  assert.equal(got.msg.type, want.msg.type, what);
  assert.equal(got.status, want.status, what);
  if (want.tx) {
    assert.deepEqual([got.prog, got.vers, got.proc], [want.prog, want.vers, want.proc], what);
  }
  if (want.frame) {
    assert.ok(got.frame, what);
    assert.deepEqual(view(got.frame), view(want.frame), what);
  }
  const a = eventToJson(want, format);
  const b = eventToJson(got, format);
  if (want.msg.type === 'call') {
    assert.equal(b.replyFrame, null, what);
    assert.equal(b.rtt, null, what);
    assert.deepEqual(b.flags, ['unanswered'], what);
    assert.equal('retransmitOf' in b, false, what);
    for (const o of [a, b]) {
      delete o.replyFrame;
      delete o.rtt;
      delete o.flags;
      delete o.retransmitOf;
      o.summary = withoutMarkers(o.summary);
    }
  } else if (a.callFrame === null && b.program === null) {
    for (const o of [a, b]) {
      delete o.program;
      delete o.version;
      delete o.programName;
      delete o.summary;
    }
  }
  assert.deepEqual(b, a, what);
}

/** Redecodes every message of `path` as the TUI would and checks it; returns how many were checked. */
async function checkEveryMessage(path: string): Promise<{ calls: number; replies: number }> {
  const fp = await firstPass(path);
  let calls = 0;
  let replies = 0;
  for (const ev of fp.events) {
    const req = requestFor(path, fp, ev);
    const what = `${ev.msg.type} xid ${ev.msg.xid} frame ${ev.record.frameNo} (frames ${req.fromFrame}..${req.toFrame})`;
    const r = await redecode(req);
    assert.equal(r.complete, true, what);
    const got = r.events.filter(
      (e) => e.record.frameNo === ev.record.frameNo && e.msg.xid === ev.msg.xid && e.msg.type === ev.msg.type,
    );
    assert.equal(got.length, 1, what);
    sameMessage(ev, got[0], fp.format, what);
    if (ev.msg.type === 'call') calls++;
    else replies++;
  }
  return { calls, replies };
}

describe('redecode: every RPC message of every fixture', () => {
  let total = 0;
  const names = fixtureCaptures();
  for (const name of names) {
    it(`${name}: each message decoded again from its position equals the first pass`, async (t) => {
      const { calls, replies } = await checkEveryMessage(fixture(name));
      assert.ok(calls + replies > 0);
      total += calls + replies;
      t.diagnostic(`${calls + replies} messages checked (${calls} calls, ${replies} replies)`);
    });
  }
  it(`covered every fixture (${names.length})`, (t) => {
    assert.ok(names.length >= 18);
    assert.ok(total > 2000, `${total} messages`);
    t.diagnostic(`${total} messages checked in all`);
  });
});

// ------------------------------------------------------------------------------------------------ synthetic TCP

const CLIENT = { src: '10.0.0.1', sport: 801 };
const SERVER = { src: '10.0.0.2', sport: 2049 };
const NFS = 100003;

/** One TCP connection written frame by frame: handshake, then segments with consistent sequence numbers. */
class Connection {
  readonly frames: Uint8Array[] = [];
  private cseq = 1000;
  private sseq = 70000;

  constructor() {
    this.segment('c', new Uint8Array(0), 0x02);
    this.sseq--;
    this.segment('s', new Uint8Array(0), 0x12);
    this.cseq++;
    this.sseq++;
  }

  /** One segment; returns its frame number. */
  segment(from: 'c' | 's', payload: Uint8Array, flags = 0x18): number {
    const c = from === 'c';
    const e = c
      ? { src: CLIENT.src, sport: CLIENT.sport, dst: SERVER.src, dport: SERVER.sport, seq: this.cseq, ack: this.sseq }
      : { src: SERVER.src, sport: SERVER.sport, dst: CLIENT.src, dport: CLIENT.sport, seq: this.sseq, ack: this.cseq };
    this.frames.push(tcpFrame({ ...e, flags }, payload));
    if (c) this.cseq += payload.length;
    else this.sseq += payload.length;
    return this.frames.length;
  }

  /** `bytes` as segments of `sizes` bytes, then of 1448 bytes for the rest. */
  stream(from: 'c' | 's', bytes: Uint8Array, sizes: number[] = []): void {
    let o = 0;
    for (const n of sizes) {
      this.segment(from, bytes.subarray(o, o + n));
      o += n;
    }
    for (; o < bytes.length; o += 1448) this.segment(from, bytes.subarray(o, Math.min(o + 1448, bytes.length)));
  }
}

function getattrCall(xid: number): Uint8Array {
  return frameRecord(buildCall({ xid, prog: NFS, vers: 3, proc: 1, cred: authUnix(), body: nfsFh(xid) }));
}

function getattrReply(xid: number): Uint8Array {
  const w = new XdrWriter().u32(0).u32(1).u32(0o644).u32(1).u32(0).u32(0).u64(BigInt(xid)).u64(4096n);
  w.u32(0).u32(0).u64(1n).u64(BigInt(xid)).u32(1).u32(0).u32(2).u32(0).u32(3).u32(0);
  return frameRecord(buildAcceptedReply({ xid, body: w.bytes() }));
}

/** A WRITE call of `size` bytes, in `fragments` record-marking fragments. */
function writeCall(xid: number, size: number, fragments = 1): Uint8Array {
  const msg = buildCall({ xid, prog: NFS, vers: 3, proc: 7, cred: authUnix(), body: nfsWriteArgs(randomBytes(size, xid)) });
  const step = Math.floor(msg.length / fragments);
  return frameRecord(msg, Array.from({ length: fragments - 1 }, () => step));
}

function writeReply(xid: number, count: number): Uint8Array {
  const body = new XdrWriter().u32(0).u32(0).u32(0).u32(count).u32(2).fixed(pattern(8, xid)).bytes();
  return frameRecord(buildAcceptedReply({ xid, body }));
}

describe('redecode: TCP streams joined at a frame where a record starts', () => {
  after(removeTempDir);

  // 0x101: a call in one segment. 0x102: a 300 KB WRITE (larger than the resync window) whose first segment starts
  // at its record mark. 0x104: a call starting after the 100-byte tail of a WRITE (0x103) and ending in the next
  // segment, answered before the client sends more. 0x106 + 0x105: a call and a 300 KB WRITE in three fragments
  // starting in one segment after it. Replies come after each group, the last ones pipelined in one segment.
  const c = new Connection();
  c.segment('c', getattrCall(0x101));
  c.segment('s', getattrReply(0x101));
  c.stream('c', writeCall(0x102, 300_000));
  c.segment('s', writeReply(0x102, 300_000));
  const r3 = writeCall(0x103, 20_000);
  const r4 = getattrCall(0x104);
  const r3Sizes = [...Array.from({ length: Math.floor((r3.length - 100) / 1448) }, () => 1448), (r3.length - 100) % 1448];
  c.stream('c', concat(r3, r4), [...r3Sizes.filter((n) => n > 0), 130]);
  c.segment('s', concat(writeReply(0x103, 20_000), getattrReply(0x104)));
  c.stream('c', concat(getattrCall(0x106), writeCall(0x105, 300_000, 3)), [1000]);
  c.segment('s', concat(getattrReply(0x106), writeReply(0x105, 300_000)));
  const path = tempFile('joins.pcap', pcapBytes(c.frames));

  it('every message of the synthetic connection decodes again as in the first pass', async (t) => {
    const { calls, replies } = await checkEveryMessage(path);
    assert.deepEqual([calls, replies], [6, 6]);
    t.diagnostic(`${calls + replies} messages checked`);
  });

  it('the layout is the one intended: 0x104 starts after a tail and spans two segments', async () => {
    const fp = await firstPass(path);
    const call = fp.events.find((e) => e.msg.xid === 0x104 && e.msg.type === 'call');
    assert.ok(call);
    assert.equal(call.record.frames.length, 2);
    const first = fp.frames[call.record.frames[0] - 1];
    // the first frame's TCP payload starts with the last 100 bytes of 0x103's record
    const tcpPayload = first.bytes.subarray(14 + 20 + 20);
    assert.deepEqual(Buffer.from(tcpPayload.subarray(0, 100)), Buffer.from(r3.subarray(r3.length - 100)));
  });

  it('without recordStartFrame the reply of 0x104 finds no call: what the option is for', async () => {
    const fp = await firstPass(path);
    const reply = fp.events.find((e) => e.msg.xid === 0x104 && e.msg.type === 'reply');
    assert.ok(reply?.tx);
    const req = requestFor(path, fp, reply);
    const decode = async (opts: typeof DEFAULT_PIPELINE): Promise<RpcEvent[]> => {
      const out: RpcEvent[] = [];
      const p = new Pipeline(opts, (ev) => {
        if (isRpcEvent(ev)) out.push(ev);
      });
      for await (const f of openCaptureAt(path, req.from, req.fromFrame).frames()) {
        p.pushFrame(f);
        if (f.frameNo === req.toFrame) break;
      }
      p.finish();
      return out.filter((e) => e.msg.xid === 0x104 && e.msg.type === 'reply');
    };
    const [plain] = await decode(DEFAULT_PIPELINE);
    assert.equal(plain.tx, null);
    assert.deepEqual(plain.flags, ['orphan_reply']);
    const [hinted] = await decode({ ...DEFAULT_PIPELINE, recordStartFrame: req.fromFrame });
    assert.equal(hinted.tx?.callFrame, reply.tx.callFrame);
    assert.deepEqual(hinted.anomalies, []); // the skipped tail of 0x103 is expected, not a resync anomaly
  });
});

// ------------------------------------------------------------------------------------------------ bounds, errors

describe('redecode: bounds and wrong positions', { timeout: 30_000 }, () => {
  after(removeTempDir);
  const udpPath = fixture('nfs3_udp_lo.pcap');

  it('the whole file is complete; maxFrames and maxBytes stop early with complete=false', async () => {
    const fp = await firstPass(udpPath);
    const n = fp.frames.length;
    const from = fp.positions.get(1) as FramePosition;
    const whole = await redecode({ path: udpPath, from, fromFrame: 1, toFrame: n });
    assert.equal(whole.complete, true);
    assert.equal(whole.events.length, fp.events.length);

    const byFrames = await redecode({ path: udpPath, from, fromFrame: 1, toFrame: n, maxFrames: 10 });
    assert.equal(byFrames.complete, false);
    assert.ok(byFrames.events.length > 0);
    assert.ok(byFrames.events.every((e) => e.record.frameNo <= 10));
    assert.deepEqual(
      byFrames.events.map((e) => [e.record.frameNo, e.msg.xid]),
      fp.events.filter((e) => e.record.frameNo <= 10).map((e) => [e.record.frameNo, e.msg.xid]),
    );

    const sevenFrames = fp.frames.slice(0, 7).reduce((s, f) => s + f.capLen, 0);
    const byBytes = await redecode({ path: udpPath, from, fromFrame: 1, toFrame: n, maxBytes: sevenFrames + 10 });
    assert.equal(byBytes.complete, false);
    assert.deepEqual(
      byBytes.events.map((e) => [e.record.frameNo, e.msg.xid]),
      fp.events.filter((e) => e.record.frameNo <= 7).map((e) => [e.record.frameNo, e.msg.xid]),
    );

    const exact = await redecode({ path: udpPath, from, fromFrame: 1, toFrame: 7, maxFrames: 7, maxBytes: sevenFrames });
    assert.equal(exact.complete, true);

    const pastEnd = await redecode({ path: udpPath, from, fromFrame: 1, toFrame: n + 5 });
    assert.equal(pastEnd.complete, false);
    assert.equal(pastEnd.events.length, fp.events.length);
  });

  it('a large TCP record stopped by maxBytes: no crash, incomplete', async () => {
    const path = fixture('nfs3_bulk_veth_mtu1500.pcap');
    const fp = await firstPass(path);
    const big = fp.events.find((e) => e.record.length > 1 << 20 || e.record.frames.length > 100);
    assert.ok(big);
    const req = requestFor(path, fp, big);
    const r = await redecode({ ...req, maxBytes: 64 * 1024 });
    assert.equal(r.complete, false);
    assert.ok(r.events.every((e) => e.record.frameNo < big.record.frameNo));
  });

  it('a position past the end, into garbage, a bad range: CaptureError', async () => {
    const fp = await firstPass(udpPath);
    const at = fp.positions.get(5) as FramePosition;
    const reject = async (req: RedecodeRequest): Promise<CaptureError> => {
      try {
        await redecode(req);
      } catch (err) {
        if (err instanceof CaptureError) return err;
        throw err;
      }
      assert.fail('no error');
    };
    const pastEnd = await reject({ path: udpPath, from: { offset: 1 << 24, state: at.state }, fromFrame: 5, toFrame: 9 });
    assert.equal(pastEnd.kind, 'truncated');
    // inside a frame of 0xee bytes: the record header read there claims 0xeeeeeeee bytes
    const garbage = tempFile('garbage.pcap', pcapBytes([new Uint8Array(200).fill(0xee), new Uint8Array(200).fill(0xee)]));
    const state = (await readFrames(garbage))[0].position?.state;
    const g = await reject({ path: garbage, from: { offset: 24 + 16 + 40, state }, fromFrame: 2, toFrame: 9 });
    assert.equal(g.kind, 'damaged');
    assert.match(g.message, /claims 4008636142 captured bytes/);
    // the right file but a state from another (a different link type): the file header check refuses it
    const sll = tempFile('sll.pcap', pcapBytes([new Uint8Array(60)], 113));
    const other = await reject({ path: udpPath, from: { offset: at.offset, state: (await readFrames(sll))[0].position?.state }, fromFrame: 5, toFrame: 9 });
    assert.equal(other.kind, 'damaged');
    const range = await reject({ path: udpPath, from: at, fromFrame: 5, toFrame: 4 });
    assert.equal(range.kind, 'unsupported');
    const bounds = await reject({ path: udpPath, from: at, fromFrame: 5, toFrame: 9, maxFrames: Number.NaN });
    assert.equal(bounds.kind, 'unsupported');
  });
});
