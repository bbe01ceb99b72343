/**
 * decodeRpcHeader (src/rpc/message.ts) and the opaque_auth bodies it decodes (src/rpc/auth.ts) on messages built
 * with the XDR builders: every auth flavor rpcsnoop knows (RFC 5531 AUTH_NONE/AUTH_UNIX/AUTH_SHORT, RFC 2695
 * AUTH_DES, RFC 2203 RPCSEC_GSS), unknown flavors, hostile and cut lengths, and every reply state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OpaqueAuth } from '../src/rpc/auth';
import { decodeRpcHeader, type RpcCall, type RpcReply, AUTH_STATS } from '../src/rpc/message';
import { concat, hex, randomBytes } from './helpers/bytes';
import {
  XdrWriter,
  authUnix,
  buildAcceptedReply,
  buildCall,
  buildDeniedReply,
  type Auth,
} from './helpers/rpc-builders';

// ------------------------------------------------------------------------------------------------ helpers

function call(bytes: Uint8Array): RpcCall {
  const res = decodeRpcHeader(bytes);
  assert.ok(res.ok, `expected a decoded call, got ${JSON.stringify(res)}`);
  assert.equal(res.msg.type, 'call');
  return res.msg as RpcCall;
}

function reply(bytes: Uint8Array): RpcReply {
  const res = decodeRpcHeader(bytes);
  assert.ok(res.ok, `expected a decoded reply, got ${JSON.stringify(res)}`);
  assert.equal(res.msg.type, 'reply');
  return res.msg as RpcReply;
}

function failure(bytes: Uint8Array): { reason: string; short: boolean } {
  const res = decodeRpcHeader(bytes);
  assert.equal(res.ok, false, `expected ok:false, got ${JSON.stringify(res, (_k, v) => (v instanceof Uint8Array ? hex(v) : v))}`);
  return res as { ok: false; reason: string; short: boolean };
}

/** An auth kept as flavor + length + raw body: nothing decoded from it, nothing flagged. */
function assertKeptRaw(a: OpaqueAuth, flavor: number, flavorName: string, body: Uint8Array): void {
  assert.equal(a.flavor, flavor);
  assert.equal(a.flavorName, flavorName);
  assert.equal(a.length, body.length);
  assert.deepEqual(a.body, body);
  assert.equal(a.unix, undefined);
  assert.equal(a.des, undefined);
  assert.equal(a.gss, undefined);
  assert.equal(a.malformed, undefined);
}

/** RFC 2695 §3: authdes_cred with a fullname (namekind ADN_FULLNAME = 0). */
function desFullname(netname: string, key: Uint8Array, window: Uint8Array): Auth {
  assert.equal(key.length, 8);
  assert.equal(window.length, 4);
  return { flavor: 3, body: new XdrWriter().u32(0).string(netname).fixed(key).fixed(window).bytes() };
}

/** RFC 2695 §3: authdes_cred with a nickname (namekind ADN_NICKNAME = 1). */
function desNickname(nickname: number): Auth {
  return { flavor: 3, body: new XdrWriter().u32(1).u32(nickname).bytes() };
}

/** RFC 2695 §3: authdes_verf_clnt (encrypted timestamp des_block, window verifier). */
function desCallVerifier(timestamp: Uint8Array, winverf: Uint8Array): Auth {
  return { flavor: 3, body: new XdrWriter().fixed(timestamp).fixed(winverf).bytes() };
}

/** RFC 2695 §3: authdes_verf_svr (encrypted timestamp - 1, nickname). */
function desReplyVerifier(timeverf: Uint8Array, nickname: number): Auth {
  return { flavor: 3, body: new XdrWriter().fixed(timeverf).u32(nickname).bytes() };
}

/** RFC 2203 §5: rpc_gss_cred_t, version 1 (rpc_gss_cred_vers_1_t). */
function gssCred(spec: { procedure: number; seqNum: number; service: number; handle: Uint8Array; version?: number }): Auth {
  const w = new XdrWriter()
    .u32(spec.version ?? 1)
    .u32(spec.procedure)
    .u32(spec.seqNum)
    .u32(spec.service)
    .opaque(spec.handle);
  return { flavor: 6, body: w.bytes() };
}

const NFS = 100003;
const ARGS = Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 7);

// ------------------------------------------------------------------------------------------------ calls

test('call with AUTH_NONE: header fields, empty credential and verifier, bodyOffset at the arguments', () => {
  const bytes = buildCall({ xid: 0xfedcba98, prog: NFS, vers: 3, proc: 6, body: ARGS });
  const m = call(bytes);
  assert.equal(m.xid, 0xfedcba98, 'xid is unsigned');
  assert.equal(m.rpcvers, 2);
  assert.equal(m.prog, NFS);
  assert.equal(m.vers, 3);
  assert.equal(m.proc, 6);
  assert.deepEqual({ f: m.cred.flavor, n: m.cred.flavorName, l: m.cred.length }, { f: 0, n: 'AUTH_NONE', l: 0 });
  assert.deepEqual({ f: m.verf.flavor, n: m.verf.flavorName, l: m.verf.length }, { f: 0, n: 'AUTH_NONE', l: 0 });
  assert.equal(m.cred.unix, undefined);
  assert.equal(m.cred.malformed, undefined);
  assert.equal(m.bodyOffset, 40);
  assert.deepEqual(bytes.subarray(m.bodyOffset), ARGS);
});

test('a call with rpcvers other than 2 still decodes (the caller judges it) and reports the version', () => {
  const m = call(buildCall({ xid: 1, prog: NFS, vers: 3, proc: 0, rpcvers: 3 }));
  assert.equal(m.rpcvers, 3);
});

test('AUTH_UNIX credential: stamp, machine, uid, gid and 16 gids', () => {
  const gids = Array.from({ length: 16 }, (_, i) => 100 + i * 3);
  const cred = authUnix({ stamp: 0x5e5e5e5e, machine: 'nfsclient.example.org', uid: 4294967294, gid: 65534, gids });
  const bytes = buildCall({ xid: 7, prog: NFS, vers: 3, proc: 1, cred, body: ARGS });
  const m = call(bytes);
  assert.equal(m.cred.flavor, 1);
  assert.equal(m.cred.flavorName, 'AUTH_UNIX');
  assert.equal(m.cred.length, cred.body.length);
  assert.equal(m.cred.malformed, undefined);
  assert.deepEqual(m.cred.unix, { stamp: 0x5e5e5e5e, machine: 'nfsclient.example.org', uid: 4294967294, gid: 65534, gids });
  assert.equal(m.bodyOffset, bytes.length - ARGS.length);
  assert.deepEqual(bytes.subarray(m.bodyOffset), ARGS);
});

test('AUTH_UNIX with 17 gids: flagged malformed, kept raw, and the message still decodes', () => {
  const gids = Array.from({ length: 17 }, (_, i) => i + 1);
  const cred = authUnix({ machine: 'm', gids });
  const bytes = buildCall({ xid: 8, prog: NFS, vers: 3, proc: 1, cred, body: ARGS });
  const m = call(bytes);
  assert.equal(m.cred.flavor, 1);
  assert.equal(m.cred.malformed, true);
  assert.equal(m.cred.unix, undefined);
  assert.equal(m.cred.length, cred.body.length);
  assert.deepEqual(m.cred.body, cred.body, 'raw body kept');
  assert.equal(m.verf.flavor, 0);
  assert.deepEqual(bytes.subarray(m.bodyOffset), ARGS);
});

test('AUTH_UNIX whose body is cut inside (gid count promises more than the body holds) is malformed, not fatal', () => {
  const body = new XdrWriter().u32(1).string('host').u32(0).u32(0).u32(3).u32(10).bytes(); // 3 gids, 1 present
  const m = call(buildCall({ xid: 9, prog: NFS, vers: 3, proc: 1, cred: { flavor: 1, body }, body: ARGS }));
  assert.equal(m.cred.malformed, true);
  assert.equal(m.cred.unix, undefined);
});

test('AUTH_SHORT: the raw shorthand body is kept as is', () => {
  const short = randomBytes(20, 99);
  const bytes = buildCall({ xid: 10, prog: NFS, vers: 3, proc: 4, cred: { flavor: 2, body: short }, body: ARGS });
  const m = call(bytes);
  assertKeptRaw(m.cred, 2, 'AUTH_SHORT', short);
  assert.equal(m.cred.body.buffer, bytes.buffer, 'the body is a view into the record, not a copy');
  assert.deepEqual(bytes.subarray(m.bodyOffset), ARGS);
});

test('AUTH_DES fullname credential and client verifier (RFC 2695)', () => {
  const key = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
  const window = Uint8Array.of(0xa0, 0xb1, 0xc2, 0xd3);
  const ts = Uint8Array.of(0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88);
  const winverf = Uint8Array.of(0x99, 0xaa, 0xbb, 0xcc);
  const bytes = buildCall({
    xid: 11,
    prog: NFS,
    vers: 3,
    proc: 1,
    cred: desFullname('unix.1000@example.com', key, window),
    verf: desCallVerifier(ts, winverf),
    body: ARGS,
  });
  const m = call(bytes);
  assert.equal(m.cred.flavor, 3);
  assert.equal(m.cred.flavorName, 'AUTH_DES');
  assert.equal(m.cred.malformed, undefined);
  assert.deepEqual(m.cred.des, { nameKind: 'fullname', name: 'unix.1000@example.com', key: '0102030405060708', window: 'a0b1c2d3' });
  assert.equal(m.verf.flavor, 3);
  assert.equal(m.verf.length, 12);
  assert.deepEqual(m.verf.des, { nameKind: 'verifier', key: '1122334455667788', window: '99aabbcc' });
  assert.deepEqual(bytes.subarray(m.bodyOffset), ARGS);
});

test('AUTH_DES nickname credential', () => {
  const ts = Uint8Array.of(8, 7, 6, 5, 4, 3, 2, 1);
  const m = call(
    buildCall({ xid: 12, prog: NFS, vers: 3, proc: 1, cred: desNickname(0xcafe), verf: desCallVerifier(ts, Uint8Array.of(0, 0, 0, 1)) }),
  );
  assert.deepEqual(m.cred.des, { nameKind: 'nickname', nickname: 0xcafe });
  assert.equal(m.cred.length, 8);
  assert.deepEqual(m.verf.des, { nameKind: 'verifier', key: '0807060504030201', window: '00000001' });
});

test('AUTH_DES fullname cut short inside the key is malformed, the message still decodes', () => {
  const body = new XdrWriter().u32(0).string('unix.1@x').fixed(Uint8Array.of(1, 2, 3, 4)).bytes(); // 4 of 8 key bytes
  const m = call(buildCall({ xid: 13, prog: NFS, vers: 3, proc: 1, cred: { flavor: 3, body }, body: ARGS }));
  assert.equal(m.cred.malformed, true);
  assert.equal(m.cred.des, undefined);
});

test('AUTH_DES server verifier in an accepted reply: encrypted timestamp and nickname', () => {
  const timeverf = Uint8Array.of(0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87);
  const bytes = buildAcceptedReply({ xid: 14, verf: desReplyVerifier(timeverf, 77), body: ARGS });
  const m = reply(bytes);
  assert.equal(m.verf?.flavor, 3);
  assert.equal(m.verf?.length, 12);
  assert.deepEqual(m.verf?.des, { nameKind: 'verifier', key: 'f0e1d2c3b4a59687', nickname: 77 });
  assert.equal(m.acceptStat, 0);
  assert.deepEqual(bytes.subarray(m.bodyOffset), ARGS);
});

test('RPCSEC_GSS credential: version, procedure names, seq_num, service names, handle (RFC 2203)', () => {
  const procs = ['RPCSEC_GSS_DATA', 'RPCSEC_GSS_INIT', 'RPCSEC_GSS_CONTINUE_INIT', 'RPCSEC_GSS_DESTROY'];
  const services: [number, string][] = [
    [1, 'none'],
    [2, 'integrity'],
    [3, 'privacy'],
  ];
  const handle = randomBytes(16, 5);
  for (let procedure = 0; procedure < procs.length; procedure++) {
    for (const [service, serviceName] of services) {
      const verf: Auth = { flavor: 6, body: randomBytes(28, procedure + service) }; // a MIC token
      const bytes = buildCall({
        xid: 100 + procedure * 4 + service,
        prog: NFS,
        vers: 3,
        proc: procedure === 0 ? 1 : 0,
        cred: gssCred({ procedure, seqNum: 0x80000001 + procedure, service, handle }),
        verf,
        body: ARGS,
      });
      const m = call(bytes);
      assert.equal(m.cred.flavorName, 'RPCSEC_GSS');
      assert.equal(m.cred.malformed, undefined);
      assert.deepEqual(m.cred.gss, {
        version: 1,
        procedure,
        procedureName: procs[procedure],
        seqNum: 0x80000001 + procedure,
        service,
        serviceName,
        handle: hex(handle),
      });
      assert.equal(m.verf.flavor, 6);
      assert.equal(m.verf.length, 28);
      assert.equal(m.verf.gss, undefined, 'a GSS verifier is a checksum, not a credential');
      assert.deepEqual(bytes.subarray(m.bodyOffset), ARGS);
    }
  }
});

test('RPCSEC_GSS with an empty handle (INIT) and an unknown procedure/service keeps the numbers', () => {
  const init = call(buildCall({ xid: 1, prog: NFS, vers: 3, proc: 0, cred: gssCred({ procedure: 1, seqNum: 0, service: 1, handle: new Uint8Array(0) }) }));
  assert.equal(init.cred.gss?.handle, '');
  assert.equal(init.cred.gss?.procedureName, 'RPCSEC_GSS_INIT');
  const odd = call(buildCall({ xid: 2, prog: NFS, vers: 3, proc: 0, cred: gssCred({ procedure: 9, seqNum: 5, service: 7, handle: Uint8Array.of(1) }) }));
  assert.equal(odd.cred.gss?.procedure, 9);
  assert.equal(odd.cred.gss?.procedureName, 'RPCSEC_GSS_9');
  assert.equal(odd.cred.gss?.service, 7);
  assert.equal(odd.cred.gss?.serviceName, '7');
});

test('an unknown flavor (12345) is kept as flavor + length + raw body', () => {
  const body = randomBytes(13, 3); // odd length: padded on the wire
  const bytes = buildCall({ xid: 15, prog: NFS, vers: 3, proc: 1, cred: { flavor: 12345, body }, body: ARGS });
  const m = call(bytes);
  assertKeptRaw(m.cred, 12345, 'AUTH_12345', body);
  assert.equal(m.bodyOffset, 24 + 8 + 16 + 8);
  assert.deepEqual(bytes.subarray(m.bodyOffset), ARGS);
});

test('credential length 0xffffffff: ok:false (over the 400-byte cap), not short, and no allocation', () => {
  const bytes = new XdrWriter().u32(1).u32(0).u32(2).u32(NFS).u32(3).u32(1).u32(1).u32(0xffffffff).u32(0).u32(0).bytes();
  const before = process.memoryUsage().arrayBuffers;
  const f = failure(bytes);
  const after = process.memoryUsage().arrayBuffers;
  assert.equal(f.short, false, 'a length over the cap is malformed, not truncation');
  assert.match(f.reason, /4294967295/);
  assert.ok(after - before < 1 << 20, `allocated ${after - before} bytes`);
});

test('credential length 401 (just over RFC 5531 opaque_auth<400>) is rejected; 400 is accepted', () => {
  const over = buildCall({ xid: 1, prog: NFS, vers: 3, proc: 1, cred: { flavor: 2, body: new Uint8Array(401) } });
  assert.equal(failure(over).short, false);
  const max = call(buildCall({ xid: 1, prog: NFS, vers: 3, proc: 1, cred: { flavor: 2, body: new Uint8Array(400) } }));
  assert.equal(max.cred.length, 400);
});

test('verifier length 0xffffffff: ok:false, not short', () => {
  const bytes = new XdrWriter().u32(1).u32(0).u32(2).u32(NFS).u32(3).u32(1).u32(0).u32(0).u32(0).u32(0xffffffff).bytes();
  assert.equal(failure(bytes).short, false);
});

test('a call cut short inside the credential: ok:false with short:true', () => {
  const bytes = buildCall({ xid: 16, prog: NFS, vers: 3, proc: 1, cred: authUnix({ machine: 'client', gids: [1, 2, 3] }) });
  const cut = bytes.subarray(0, 24 + 8 + 10);
  const f = failure(cut);
  assert.equal(f.short, true);
});

test('every prefix of a call shorter than its header is short:true; the full header decodes', () => {
  const bytes = buildCall({
    xid: 17,
    prog: NFS,
    vers: 3,
    proc: 1,
    cred: authUnix({ machine: 'abc', gids: [5] }),
    verf: desCallVerifier(new Uint8Array(8), new Uint8Array(4)),
    body: ARGS,
  });
  const header = bytes.length - ARGS.length;
  for (let n = 0; n < header; n++) {
    const res = decodeRpcHeader(bytes.slice(0, n));
    assert.equal(res.ok, false, `prefix of ${n} bytes`);
    if (!res.ok) assert.equal(res.short, true, `prefix of ${n} bytes: ${res.reason}`);
  }
  assert.equal(call(bytes.slice(0, header)).bodyOffset, header);
});

// ------------------------------------------------------------------------------------------------ replies

test('MSG_ACCEPTED with each accept_stat 0..5; PROG_MISMATCH carries low/high; bodyOffset at the results', () => {
  for (let acceptStat = 0; acceptStat <= 5; acceptStat++) {
    const bytes = buildAcceptedReply({ xid: 0x80000000 + acceptStat, acceptStat, mismatch: { low: 2, high: 4 }, body: ARGS });
    const m = reply(bytes);
    assert.equal(m.xid, 0x80000000 + acceptStat);
    assert.equal(m.replyStat, 0);
    assert.equal(m.acceptStat, acceptStat);
    assert.equal(m.verf?.flavor, 0);
    assert.equal(m.rejectStat, undefined);
    assert.equal(m.authStat, undefined);
    if (acceptStat === 2) {
      assert.deepEqual(m.mismatch, { low: 2, high: 4 });
      assert.equal(m.bodyOffset, 32);
    } else {
      assert.equal(m.mismatch, undefined);
      assert.equal(m.bodyOffset, 24);
    }
    assert.equal(m.bodyOffset, acceptStat === 0 ? bytes.length - ARGS.length : bytes.length);
    if (acceptStat === 0) assert.deepEqual(bytes.subarray(m.bodyOffset), ARGS);
  }
});

test('accepted reply with a non-empty verifier: bodyOffset skips the padded verifier', () => {
  const verf: Auth = { flavor: 6, body: randomBytes(37, 8) }; // RPCSEC_GSS MIC, padded to 40
  const bytes = buildAcceptedReply({ xid: 1, verf, body: ARGS });
  const m = reply(bytes);
  assert.equal(m.verf?.flavor, 6);
  assert.equal(m.verf?.length, 37);
  assert.equal(m.bodyOffset, 12 + 8 + 40 + 4);
  assert.deepEqual(bytes.subarray(m.bodyOffset), ARGS);
});

test('MSG_DENIED RPC_MISMATCH carries low/high', () => {
  const m = reply(buildDeniedReply({ xid: 3, rpcMismatch: { low: 2, high: 2 } }));
  assert.equal(m.replyStat, 1);
  assert.equal(m.rejectStat, 0);
  assert.deepEqual(m.mismatch, { low: 2, high: 2 });
  assert.equal(m.authStat, undefined);
  assert.equal(m.acceptStat, undefined);
  assert.equal(m.bodyOffset, 24);
});

test('MSG_DENIED AUTH_ERROR with each auth_stat, AUTH_BADCRED … RPCSEC_GSS_CTXPROBLEM', () => {
  const names = [
    'AUTH_OK',
    'AUTH_BADCRED',
    'AUTH_REJECTEDCRED',
    'AUTH_BADVERF',
    'AUTH_REJECTEDVERF',
    'AUTH_TOOWEAK',
    'AUTH_INVALIDRESP',
    'AUTH_FAILED',
    'AUTH_KERB_GENERIC',
    'AUTH_TIMEEXPIRE',
    'AUTH_TKT_FILE',
    'AUTH_DECODE',
    'AUTH_NET_ADDR',
    'RPCSEC_GSS_CREDPROBLEM',
    'RPCSEC_GSS_CTXPROBLEM',
  ];
  assert.deepEqual(AUTH_STATS, names);
  for (let authStat = 1; authStat < names.length; authStat++) {
    const m = reply(buildDeniedReply({ xid: authStat, authStat }));
    assert.equal(m.replyStat, 1);
    assert.equal(m.rejectStat, 1);
    assert.equal(m.authStat, authStat);
    assert.equal(AUTH_STATS[m.authStat ?? -1], names[authStat]);
    assert.equal(m.mismatch, undefined);
    assert.equal(m.bodyOffset, 20);
  }
});

test('unknown reply_stat, reject_stat and msg_type are ok:false (malformed, not short)', () => {
  assert.equal(failure(new XdrWriter().u32(1).u32(1).u32(2).u32(0).u32(0).u32(0).bytes()).short, false);
  assert.match(failure(new XdrWriter().u32(1).u32(1).u32(2).u32(0).bytes()).reason, /reply_stat/);
  assert.match(failure(new XdrWriter().u32(1).u32(1).u32(1).u32(2).u32(0).bytes()).reason, /reject_stat/);
  const mt = failure(new XdrWriter().u32(1).u32(2).u32(2).u32(NFS).u32(3).u32(0).u32(0).u32(0).u32(0).u32(0).bytes());
  assert.equal(mt.short, false);
  assert.match(mt.reason, /msg_type/);
  assert.equal(failure(new XdrWriter().u32(1).u32(0xffffffff).bytes()).short, false);
});

test('every prefix of each reply shorter than its header is short:true', () => {
  const replies = [
    buildAcceptedReply({ xid: 1, acceptStat: 0, verf: { flavor: 3, body: new Uint8Array(12) } }),
    buildAcceptedReply({ xid: 2, acceptStat: 2, mismatch: { low: 1, high: 3 } }),
    buildDeniedReply({ xid: 3, rpcMismatch: { low: 2, high: 2 } }),
    buildDeniedReply({ xid: 4, authStat: 5 }),
  ];
  for (const bytes of replies) {
    for (let n = 0; n < bytes.length; n++) {
      const res = decodeRpcHeader(bytes.slice(0, n));
      assert.equal(res.ok, false, `prefix of ${n} of ${bytes.length} bytes`);
      if (!res.ok) assert.equal(res.short, true, `prefix of ${n} bytes: ${res.reason}`);
    }
    assert.equal(reply(bytes).bodyOffset, bytes.length);
  }
});

test('decodeRpcHeader never throws on random bytes and random prefixes of valid messages', () => {
  const valid = concat(
    buildCall({ xid: 1, prog: NFS, vers: 3, proc: 1, cred: authUnix({ gids: [1, 2] }), verf: desCallVerifier(new Uint8Array(8), new Uint8Array(4)) }),
  );
  for (let seed = 1; seed <= 2000; seed++) {
    const junk = randomBytes(4 + (seed % 120), seed);
    if (seed % 2 === 0) {
      // a plausible header followed by junk: exercises the auth body decoders
      junk.set(valid.subarray(0, Math.min(valid.length, 32)).slice(0, Math.min(junk.length, 32)));
    }
    const res = decodeRpcHeader(junk);
    assert.equal(typeof res.ok, 'boolean');
  }
});
