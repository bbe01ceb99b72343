/**
 * probeRpcHeader (src/rpc/detect.ts), the content test that finds RPC on any port and resynchronises TCP
 * streams: real calls and replies are recognised, every prefix short of the decision point asks for more, the
 * implausible is refused, and random bytes are (essentially) never taken for a call.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { probeRpcHeader, type Probe } from '../src/rpc/detect';
import { concat, randomBytes } from './helpers/bytes';
import {
  XdrWriter,
  authUnix,
  buildAcceptedReply,
  buildCall,
  buildDeniedReply,
  type Auth,
} from './helpers/rpc-builders';

const NFS = 100003;
const PORTMAP = 100000;
/** Not in the program table, not in the transient range. */
const UNKNOWN_PROG = 0x2000_1234;
const ARGS = randomBytes(64, 42);

function probe(bytes: Uint8Array): Probe {
  return probeRpcHeader(bytes, 0, bytes.length);
}

/** The message in the middle of unrelated bytes, probed at its offset. */
function probeInside(bytes: Uint8Array, before = 12, after = 20): Probe {
  const buf = concat(randomBytes(before, 7), bytes, randomBytes(after, 8));
  return probeRpcHeader(buf, before, before + bytes.length);
}

const gssCred: Auth = { flavor: 6, body: new XdrWriter().u32(1).u32(0).u32(5).u32(1).opaque(randomBytes(16, 3)).bytes() };

const CALLS: [string, Uint8Array][] = [
  ['NULL, AUTH_NONE', buildCall({ xid: 1, prog: NFS, vers: 3, proc: 0 })],
  ['GETATTR, AUTH_UNIX', buildCall({ xid: 0xffffffff, prog: NFS, vers: 3, proc: 1, cred: authUnix({ gids: [1, 2, 3, 4] }), body: ARGS })],
  ['PORTMAP GETPORT', buildCall({ xid: 2, prog: PORTMAP, vers: 2, proc: 3, body: ARGS.subarray(0, 16) })],
  ['unknown program, AUTH_UNIX', buildCall({ xid: 3, prog: UNKNOWN_PROG, vers: 1, proc: 2, cred: authUnix() })],
  ['RPCSEC_GSS with a 400-byte verifier', buildCall({ xid: 4, prog: NFS, vers: 3, proc: 6, cred: gssCred, verf: { flavor: 6, body: randomBytes(400, 1) } })],
  ['transient program, unknown flavor', buildCall({ xid: 5, prog: 0x4000_0001, vers: 1, proc: 1, cred: { flavor: 12345, body: randomBytes(8, 2) } })],
  ['largest plausible version and procedure', buildCall({ xid: 6, prog: UNKNOWN_PROG, vers: 255, proc: 1023 })],
];

const REPLIES: [string, Uint8Array][] = [
  ['SUCCESS', buildAcceptedReply({ xid: 1, body: ARGS })],
  ['SUCCESS with a GSS verifier', buildAcceptedReply({ xid: 1, verf: { flavor: 6, body: randomBytes(37, 2) }, body: ARGS })],
  ['PROG_UNAVAIL', buildAcceptedReply({ xid: 2, acceptStat: 1 })],
  ['PROG_MISMATCH', buildAcceptedReply({ xid: 3, acceptStat: 2, mismatch: { low: 2, high: 4 } })],
  ['PROG_MISMATCH low == high', buildAcceptedReply({ xid: 3, acceptStat: 2, mismatch: { low: 3, high: 3 } })],
  ['PROC_UNAVAIL', buildAcceptedReply({ xid: 4, acceptStat: 3 })],
  ['GARBAGE_ARGS', buildAcceptedReply({ xid: 5, acceptStat: 4 })],
  ['SYSTEM_ERR', buildAcceptedReply({ xid: 6, acceptStat: 5 })],
  ['RPC_MISMATCH', buildDeniedReply({ xid: 7, rpcMismatch: { low: 2, high: 2 } })],
  ['AUTH_ERROR AUTH_TOOWEAK', buildDeniedReply({ xid: 8, authStat: 5 })],
  ['AUTH_ERROR RPCSEC_GSS_CTXPROBLEM', buildDeniedReply({ xid: 9, authStat: 14 })],
];

/** Bytes needed before a decision: the end of the header part the probe inspects. */
function callDecisionPoint(bytes: Uint8Array): number {
  const credLen = new DataView(bytes.buffer, bytes.byteOffset).getUint32(28);
  const verfAt = 32 + ((credLen + 3) & ~3);
  const verfLen = new DataView(bytes.buffer, bytes.byteOffset).getUint32(verfAt + 4);
  return verfAt + 8 + ((verfLen + 3) & ~3);
}

function replyDecisionPoint(bytes: Uint8Array): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  if (dv.getUint32(8) === 1) return dv.getUint32(12) === 0 ? 24 : 20;
  const verfLen = dv.getUint32(16);
  const p = 20 + ((verfLen + 3) & ~3);
  return dv.getUint32(p) === 2 ? p + 12 : p + 4;
}

// ------------------------------------------------------------------------------------------------ yes

test("real calls are 'call', alone and inside a larger buffer", () => {
  for (const [name, bytes] of CALLS) {
    assert.equal(probe(bytes), 'call', name);
    assert.equal(probeInside(bytes), 'call', `${name} (at an offset)`);
  }
});

test("real replies are 'reply', alone and inside a larger buffer", () => {
  for (const [name, bytes] of REPLIES) {
    assert.equal(probe(bytes), 'reply', name);
    assert.equal(probeInside(bytes), 'reply', `${name} (at an offset)`);
  }
});

test("'call' for an unknown flavor on a known program (NFS 100003), 'no' on an unknown program", () => {
  const odd: Auth = { flavor: 12345, body: randomBytes(12, 4) };
  assert.equal(probe(buildCall({ xid: 1, prog: NFS, vers: 3, proc: 1, cred: odd })), 'call');
  assert.equal(probe(buildCall({ xid: 1, prog: NFS, vers: 3, proc: 1, verf: odd })), 'call');
  assert.equal(probe(buildCall({ xid: 1, prog: UNKNOWN_PROG, vers: 3, proc: 1, cred: odd })), 'no');
  assert.equal(probe(buildCall({ xid: 1, prog: UNKNOWN_PROG, vers: 3, proc: 1, verf: odd })), 'no');
});

// ------------------------------------------------------------------------------------------------ more

test("every prefix shorter than the decision point is 'more' (nothing past `end` is read)", () => {
  for (const [name, bytes] of CALLS) {
    const decide = callDecisionPoint(bytes);
    for (let n = 0; n < decide; n++) {
      // the whole message lies in the buffer: a probe that read past `end` would answer 'call'
      assert.equal(probeRpcHeader(bytes, 0, n), 'more', `${name}: ${n} of ${decide} bytes`);
    }
    assert.equal(probeRpcHeader(bytes, 0, decide), 'call', `${name}: at the decision point`);
  }
  for (const [name, bytes] of REPLIES) {
    const decide = replyDecisionPoint(bytes);
    for (let n = 0; n < decide; n++) assert.equal(probeRpcHeader(bytes, 0, n), 'more', `${name}: ${n} of ${decide} bytes`);
    assert.equal(probeRpcHeader(bytes, 0, decide), 'reply', `${name}: at the decision point`);
  }
});

test("prefixes at an offset: 'more' until the decision point", () => {
  const [, bytes] = CALLS[1];
  const buf = concat(randomBytes(5, 9), bytes);
  const decide = callDecisionPoint(bytes);
  for (let n = 0; n < decide; n++) assert.equal(probeRpcHeader(buf, 5, 5 + n), 'more', `${n} bytes at offset 5`);
  assert.equal(probeRpcHeader(buf, 5, 5 + decide), 'call');
});

// ------------------------------------------------------------------------------------------------ no

/** A call header with the given words overridden (word index → value); AUTH_NONE credential and verifier. */
function callWords(over: Record<number, number>): Uint8Array {
  const words = [0x1234, 0, 2, NFS, 3, 1, 0, 0, 0, 0];
  for (const [i, v] of Object.entries(over)) words[Number(i)] = v;
  const w = new XdrWriter();
  for (const x of words) w.u32(x);
  return concat(w.bytes(), ARGS);
}

test("'no' for implausible calls", () => {
  const cases: [string, Uint8Array][] = [
    ['rpcvers 1', callWords({ 2: 1 })],
    ['rpcvers 3', callWords({ 2: 3 })],
    ['rpcvers 0x02000000', callWords({ 2: 0x02000000 })],
    ['program 0', callWords({ 3: 0 })],
    ['program 0xffffffff', callWords({ 3: 0xffffffff })],
    ['version 256', callWords({ 4: 256 })],
    ['version 0xffffffff', callWords({ 4: 0xffffffff })],
    ['procedure 1024', callWords({ 5: 1024 })],
    ['procedure 0x80000000', callWords({ 5: 0x80000000 })],
    ['credential length 401', buildCall({ xid: 1, prog: NFS, vers: 3, proc: 1, cred: { flavor: 2, body: new Uint8Array(401) } })],
    ['credential length 0xffffffff', callWords({ 7: 0xffffffff })],
    ['verifier length 401', buildCall({ xid: 1, prog: NFS, vers: 3, proc: 1, verf: { flavor: 6, body: new Uint8Array(401) } })],
    ['unknown flavor, unknown program', buildCall({ xid: 1, prog: UNKNOWN_PROG, vers: 1, proc: 1, cred: { flavor: 12345, body: new Uint8Array(8) } })],
    ['AUTH_NONE with a body, unknown program', buildCall({ xid: 1, prog: UNKNOWN_PROG, vers: 1, proc: 1, cred: { flavor: 0, body: new Uint8Array(8) } })],
    ['msg_type 2', callWords({ 1: 2 })],
    ['msg_type 0x01000000', callWords({ 1: 0x01000000 })],
  ];
  for (const [name, bytes] of cases) assert.equal(probe(bytes), 'no', name);
});

test('the limits are where the comments say: version 255 and procedure 1023 pass, 400-byte bodies pass', () => {
  assert.equal(probe(callWords({ 4: 255, 5: 1023 })), 'call');
  assert.equal(probe(buildCall({ xid: 1, prog: NFS, vers: 3, proc: 1, cred: { flavor: 2, body: new Uint8Array(400) } })), 'call');
});

test("'no' for implausible replies", () => {
  const w = (...words: number[]): Uint8Array => {
    const x = new XdrWriter();
    for (const v of words) x.u32(v);
    return concat(x.bytes(), ARGS);
  };
  const cases: [string, Uint8Array][] = [
    ['accept_stat 6', w(1, 1, 0, 0, 0, 6)],
    ['accept_stat 0xffffffff', w(1, 1, 0, 0, 0, 0xffffffff)],
    ['PROG_MISMATCH low > high', buildAcceptedReply({ xid: 1, acceptStat: 2, mismatch: { low: 4, high: 2 } })],
    ['unknown verifier flavor', w(1, 1, 0, 12345, 0, 0)],
    ['verifier length 401', w(1, 1, 0, 6, 401, 0)],
    ['RPC_MISMATCH low > high', buildDeniedReply({ xid: 1, rpcMismatch: { low: 3, high: 2 } })],
    ['auth_stat 15', buildDeniedReply({ xid: 1, authStat: 15 })],
    ['auth_stat 99', buildDeniedReply({ xid: 1, authStat: 99 })],
    ['reject_stat 2', w(1, 1, 1, 2, 0, 0)],
    ['reply_stat 2', w(1, 1, 2, 0, 0, 0)],
  ];
  for (const [name, bytes] of cases) assert.equal(probe(bytes), 'no', name);
});

// ------------------------------------------------------------------------------------------------ random bytes

/** xorshift32 filling a reused buffer (fast enough for 100 000 buffers). */
function fill(buf: Uint8Array, state: { x: number }): void {
  let x = state.x;
  for (let i = 0; i < buf.length; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    buf[i] = x & 0xff;
    buf[i + 1] = (x >>> 8) & 0xff;
    buf[i + 2] = (x >>> 16) & 0xff;
    buf[i + 3] = x >>> 24;
  }
  state.x = x;
}

test("random bytes: 'call' fewer than 1 in 100 000 64-byte buffers (seeded), and every answer is a Probe", () => {
  const N = 100_000;
  const buf = new Uint8Array(64);
  const state = { x: 0x9e3779b9 };
  const counts: Record<string, number> = { call: 0, reply: 0, no: 0, more: 0 };
  for (let i = 0; i < N; i++) {
    fill(buf, state);
    const p = probeRpcHeader(buf, 0, buf.length);
    assert.ok(p in counts, `unexpected answer ${String(p)}`);
    counts[p]++;
  }
  assert.ok(counts.call * 100_000 < N, `random bytes probed as 'call' ${counts.call} times in ${N}`);
  assert.ok(counts.reply * 100_000 < N, `random bytes probed as 'reply' ${counts.reply} times in ${N}`);
});

test("random bodies behind a valid call prefix (xid, msg_type 0, rpcvers 2): 'call' stays rare", () => {
  // The first three words agree with a call, the rest is noise: only the program/version/procedure and auth
  // checks stand between this and a false positive.
  const N = 100_000;
  const buf = new Uint8Array(64);
  const state = { x: 0x1234567 };
  let calls = 0;
  for (let i = 0; i < N; i++) {
    fill(buf, state);
    buf.set([0, 0, 0, 0, 0, 0, 0, 2], 4);
    const p = probeRpcHeader(buf, 0, buf.length);
    if (p === 'call') calls++;
    else assert.ok(p === 'no' || p === 'more', `unexpected answer ${p}`);
  }
  assert.ok(calls * 100_000 < N, `'call' ${calls} times in ${N}`);
});

test('real messages cut at every length: the bytes past `end` (0x00 or 0xff) never change the answer', () => {
  for (const [name, bytes] of [...CALLS, ...REPLIES]) {
    for (let n = 0; n <= bytes.length; n++) {
      const answers = [0x00, 0xff].map((fillByte) => {
        const buf = new Uint8Array(3 + bytes.length + 16).fill(fillByte);
        buf.set(bytes.subarray(0, n), 3);
        return probeRpcHeader(buf, 3, 3 + n);
      });
      assert.equal(answers[0], answers[1], `${name}: ${n} bytes`);
    }
  }
});

test('never reads before `off` or after `end`, never throws, on random windows', () => {
  const state = { x: 77 };
  const buf = new Uint8Array(256);
  for (let i = 0; i < 20_000; i++) {
    fill(buf, state);
    const off = buf[0] % 64;
    const end = off + (buf[1] % 128);
    const before = probeRpcHeader(buf, off, end);
    // scribble outside [off, end): the answer must not change
    const copy = buf.slice();
    copy.fill(0xff, 0, off);
    copy.fill(0x00, end);
    assert.equal(probeRpcHeader(copy, off, end), before, `off ${off} end ${end}`);
  }
});
