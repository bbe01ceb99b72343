import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RawFrame } from '../src/capture/raw-frame';
import { layerDetailBlocks, wallClock } from '../src/format/layer-detail';
import { authUnixTime, detailString, rpcDetail, RPC_PREFIX, RPC_TITLE } from '../src/format/rpc-detail';
import { renderBlock } from '../src/format/verbose-block';
import { DEFAULT_PIPELINE, Pipeline } from '../src/pipeline';
import { isRpcEvent, type RpcEvent } from '../src/rpc/rpc-event';
import { bytesOf, concat, u32 } from './helpers/bytes';
import { ethernet, frame, ipv4, tcp, udp } from './helpers/net-builders';
import { fixtureEvents } from './helpers/program-harness';
import {
  authUnix,
  buildAcceptedReply,
  buildCall,
  buildDeniedReply,
  frameRecord,
  XdrWriter,
  type Auth,
} from './helpers/rpc-builders';

/** 12-Mar-24 14:03:55 UTC. */
const T0 = Date.UTC(2024, 2, 12, 14, 3, 55) / 1000;
const CLIENT = '192.168.1.10';
const SERVER = '192.168.1.20';

/** Runs frames through the real pipeline; the RPC events by frame number. */
function eventsOf(frames: RawFrame[]): Map<number, RpcEvent> {
  const out = new Map<number, RpcEvent>();
  const p = new Pipeline(DEFAULT_PIPELINE, (ev) => {
    if (isRpcEvent(ev)) out.set(ev.record.frameNo, ev);
  });
  for (const f of frames) p.pushFrame(f);
  p.finish();
  return out;
}

/** One UDP datagram per message, alternating client → server and back unless `fromServer` says otherwise. */
function udpExchange(msgs: { bytes: Uint8Array; fromServer: boolean; frameNo?: number }[]): Map<number, RpcEvent> {
  return eventsOf(
    msgs.map((m, i) => {
      const [src, dst, sport, dport] = m.fromServer ? [SERVER, CLIENT, 111, 1023] : [CLIENT, SERVER, 1023, 111];
      return frame(ethernet(ipv4(udp(m.bytes, { sport, dport }), { src, dst })), 1, { frameNo: m.frameNo ?? i + 1, sec: T0 });
    }),
  );
}

function rendered(ev: RpcEvent): string[] {
  return renderBlock(RPC_PREFIX, RPC_TITLE, rpcDetail(ev));
}

/** The call and its reply over UDP; returns [call event, reply event]. */
function pair(call: Uint8Array, reply: Uint8Array): [RpcEvent, RpcEvent] {
  const evs = udpExchange([
    { bytes: call, fromServer: false },
    { bytes: reply, fromServer: true },
  ]);
  return [evs.get(1) as RpcEvent, evs.get(2) as RpcEvent];
}

/** The reply alone (its call never seen). */
function orphan(reply: Uint8Array): RpcEvent {
  return udpExchange([{ bytes: reply, fromServer: true }]).get(1) as RpcEvent;
}

const GETPORT_ARGS = new XdrWriter().u32(100003).u32(3).u32(17).u32(0).bytes();
const FH = Uint8Array.from(Buffer.from('01000601A3B2C1D40000000000000002000000001E4D0A37', 'hex'));

describe('-v RPC block: snoop-format.md §2.7', () => {
  test('PORTMAP GETPORT call and reply over UDP, byte for byte (with the lower layers)', () => {
    const [call, reply] = pair(
      buildCall({ xid: 965581100, prog: 100000, vers: 2, proc: 3, body: GETPORT_ARGS }),
      buildAcceptedReply({ xid: 965581100, body: u32(2049) }),
    );
    assert.deepEqual(rendered(call), [
      'RPC:  ----- SUN RPC Header -----',
      'RPC:  ',
      'RPC:  Transaction id = 965581100',
      'RPC:  Type = 0 (Call)',
      'RPC:  RPC version = 2',
      'RPC:  Program = 100000 (PMAP), version = 2, procedure = 3',
      'RPC:  Credentials: Flavor = 0 (None), len = 0 bytes',
      'RPC:  Verifier   : Flavor = 0 (None), len = 0 bytes',
      'RPC:  ',
    ]);
    assert.deepEqual(rendered(reply), [
      'RPC:  ----- SUN RPC Header -----',
      'RPC:  ',
      'RPC:  Transaction id = 965581100',
      'RPC:  Type = 1 (Reply)',
      'RPC:  This is a reply to frame 1',
      'RPC:  Status = 0 (Accepted)',
      'RPC:  Verifier   : Flavor = 0 (None), len = 0 bytes',
      'RPC:  Accept status = 0 (Success)',
      'RPC:  ',
    ]);
    // The frame the event carries renders the layers below: the UDP block directly precedes the RPC block.
    assert.ok(call.frame);
    const below = layerDetailBlocks(call.frame, { clock: wallClock('UTC'), rpc: true }).flatMap((b) => renderBlock(b.prefix, b.title, b.nodes));
    assert.deepEqual(below.slice(-3), ['UDP:  Length = 64 ', 'UDP:  Checksum = 0000 (no checksum)', 'UDP:  ']);
  });

  test('NFS3 GETATTR3 call and reply over TCP: record marks, AUTH_UNIX body', () => {
    const cred = authUnix({ stamp: T0, machine: 'client', uid: 1000, gid: 1000, gids: [1000, 10] });
    const call = frameRecord(buildCall({ xid: 2861741011, prog: 100003, vers: 3, proc: 1, cred, body: new XdrWriter().opaque(FH).bytes() }));
    const reply = frameRecord(buildAcceptedReply({ xid: 2861741011, body: new Uint8Array(88) }));
    const opts = concat(bytesOf(1, 1, 8, 10), u32(12345), u32(67890));
    const seg = (payload: Uint8Array, fromClient: boolean, seq: number, ack: number): Uint8Array =>
      ipv4(
        tcp(payload, { sport: fromClient ? 945 : 2049, dport: fromClient ? 2049 : 945, seq, ack, flags: 0x18, window: 501, options: opts }),
        { src: fromClient ? CLIENT : SERVER, dst: fromClient ? SERVER : CLIENT, protocol: 6 },
      );
    const evs = eventsOf([
      frame(ethernet(seg(call, true, 7654321, 1234567)), 1, { frameNo: 7, sec: T0 }),
      frame(ethernet(seg(reply, false, 1234567, 7654429)), 1, { frameNo: 8, sec: T0 }),
    ]);
    assert.equal(call.length, 108);
    assert.deepEqual(rendered(evs.get(7) as RpcEvent), [
      'RPC:  ----- SUN RPC Header -----',
      'RPC:  ',
      'RPC:  Record Mark: last fragment, length = 104',
      'RPC:  Transaction id = 2861741011',
      'RPC:  Type = 0 (Call)',
      'RPC:  RPC version = 2',
      'RPC:  Program = 100003 (NFS), version = 3, procedure = 1',
      'RPC:  Credentials: Flavor = 1 (Unix), len = 36 bytes',
      'RPC:     Time = 12-Mar-24 14:03:55',
      'RPC:     Hostname = client',
      'RPC:     Uid = 1000, Gid = 1000',
      'RPC:     Groups = 1000 10 ',
      'RPC:  Verifier   : Flavor = 0 (None), len = 0 bytes',
      'RPC:  ',
    ]);
    assert.deepEqual(rendered(evs.get(8) as RpcEvent), [
      'RPC:  ----- SUN RPC Header -----',
      'RPC:  ',
      'RPC:  Record Mark: last fragment, length = 112',
      'RPC:  Transaction id = 2861741011',
      'RPC:  Type = 1 (Reply)',
      'RPC:  This is a reply to frame 7',
      'RPC:  Status = 0 (Accepted)',
      'RPC:  Verifier   : Flavor = 0 (None), len = 0 bytes',
      'RPC:  Accept status = 0 (Success)',
      'RPC:  ',
    ]);
    // The credential body is the children of the Credentials line (the TUI folds them).
    const credNode = rpcDetail(evs.get(7) as RpcEvent).find((n) => n.text.startsWith('Credentials'));
    assert.equal(credNode?.children?.length, 4);
  });
});

describe('credentials and verifiers', () => {
  const callWith = (cred: Auth, verf?: Auth): string[] =>
    rendered(orphanCall(buildCall({ xid: 1, prog: 100003, vers: 3, proc: 0, cred, verf })));
  const orphanCall = (bytes: Uint8Array): RpcEvent => udpExchange([{ bytes, fromServer: false }]).get(1) as RpcEvent;
  const body = (out: string[], from: string): string[] => out.slice(out.findIndex((l) => l.startsWith(`RPC:  ${from}`)) + 1, -1);

  test('AUTH_UNIX: no groups, small and -1 stamps, long host names cut at 60', () => {
    const out = callWith(authUnix({ stamp: 42, machine: 'h'.repeat(70), uid: 4294967294, gid: 0, gids: [] }));
    assert.deepEqual(body(out, 'Credentials'), [
      'RPC:     Time = 42',
      `RPC:     Hostname = ${'h'.repeat(60)}...`,
      'RPC:     Uid = 4294967294, Gid = 0',
      'RPC:     Groups = (none)',
      'RPC:  Verifier   : Flavor = 0 (None), len = 0 bytes',
    ]);
    assert.equal(authUnixTime(0xffffffff), '-1 ');
    assert.equal(authUnixTime(31535999), '31535999');
    assert.equal(authUnixTime(0x80000000), '-2147483648');
    assert.equal(detailString('x'.repeat(59)), 'x'.repeat(59));
  });

  test('AUTH_DES fullname and nickname credentials, DES verifiers of a call and of a reply', () => {
    const full = new XdrWriter().u32(0).string('unix.1000@example.com').fixed(bytesOf(1, 2, 3, 4, 5, 6, 7, 0xab)).fixed(bytesOf(0xde, 0xad, 0xbe, 0xef)).bytes();
    const verf = { flavor: 3, body: concat(bytesOf(9, 8, 7, 6, 5, 4, 3, 2), bytesOf(0xca, 0xfe, 0, 1)) };
    const out = callWith({ flavor: 3, body: full }, verf);
    assert.deepEqual(body(out, 'Credentials'), [
      'RPC:     Name kind = 0 (fullname)',
      'RPC:     Network name = unix.1000@example.com',
      'RPC:     Conversation key = 0x01020304050607AB (DES encrypted)',
      'RPC:     Window = 0xDEADBEEF (DES encrypted)',
      'RPC:  Verifier   : Flavor = 3 (DES), len = 12 bytes',
      'RPC:     Timestamp = 0x0908070605040302 (DES encrypted)',
      'RPC:     Window    = 0xCAFE0001 (DES encrypted)',
    ]);
    assert.deepEqual(body(callWith({ flavor: 3, body: concat(u32(1), u32(0x1f)) }), 'Credentials').slice(0, 2), [
      'RPC:     Name kind = 1 (nickname)',
      'RPC:     Nickname = 0x0000001F',
    ]);
    const r = orphan(buildAcceptedReply({ xid: 5, verf: { flavor: 3, body: concat(bytesOf(1, 1, 1, 1, 2, 2, 2, 2), u32(0x2a)) } }));
    assert.deepEqual(rendered(r).slice(5, 8), [
      'RPC:  Verifier   : Flavor = 3 (DES), len = 12 bytes',
      'RPC:     Timestamp = 0x0101010102020202 (DES encrypted)',
      'RPC:     Nickname  = 0x0000002A',
    ]);
  });

  test('RPCSEC_GSS credential; other flavors and verifier bodies in hex', () => {
    const gss = new XdrWriter().u32(1).u32(0).u32(17).u32(2).opaque(bytesOf(0xa1, 0xb2, 0xc3)).bytes();
    const out = callWith({ flavor: 6, body: gss }, { flavor: 6, body: bytesOf(0xfe, 0xed) });
    assert.deepEqual(body(out, 'Credentials'), [
      'RPC:     version = 1',
      'RPC:     gss control procedure = 0 (RPCSEC_GSS_DATA)',
      'RPC:     sequence num = 17',
      'RPC:     service = 2 (integrity)',
      'RPC:     handle: length = 3, data = [A1B2C3]',
      'RPC:  Verifier   : Flavor = 6 (RPCSEC_GSS), len = 2 bytes',
      'RPC:  [FEED]',
    ]);
    const v2 = callWith({ flavor: 6, body: new XdrWriter().u32(2).u32(9).u32(0).u32(9).opaque(bytesOf(1)).bytes() });
    assert.equal(body(v2, 'Credentials')[0], 'RPC:  [000000020000000900000000000000090000000101000000]');
    assert.equal(body(callWith({ flavor: 2, body: bytesOf(0xab, 0xcd) }), 'Credentials')[0], 'RPC:  [ABCD]');
    const unknown = callWith({ flavor: 390004, body: bytesOf(1) });
    assert.ok(unknown.includes('RPC:  Credentials: Flavor = 390004 (unknown), len = 1 bytes'));
    const broken = callWith({ flavor: 1, body: bytesOf(0, 0, 0, 1) });
    assert.deepEqual(body(broken, 'Credentials').slice(0, 1), ['RPC:  [00000001]']);
  });
});

describe('replies', () => {
  const CALL = buildCall({ xid: 77, prog: 100005, vers: 3, proc: 0 });

  test('a Success reply to an unknown call: no reply-to line and no closing line', () => {
    assert.deepEqual(rendered(orphan(buildAcceptedReply({ xid: 77 }))).slice(3), [
      'RPC:  Type = 1 (Reply)',
      'RPC:  Status = 0 (Accepted)',
      'RPC:  Verifier   : Flavor = 0 (None), len = 0 bytes',
      'RPC:  Accept status = 0 (Success)',
    ]);
  });

  test('accept statuses: words, PROG_MISMATCH Low/High, PROC_UNAVAIL without a short frame, no closing line', () => {
    const tail = (acceptStat: number): string[] => rendered(pair(CALL, buildAcceptedReply({ xid: 77, acceptStat, mismatch: { low: 2, high: 3 } }))[1]).slice(7);
    assert.deepEqual(tail(1), ['RPC:  Accept status = 1 (Program unavailable)']);
    assert.deepEqual(tail(2), ['RPC:  Accept status = 2 (Program number mismatch)', 'RPC:     Low  = 2', 'RPC:     High = 3']);
    assert.deepEqual(tail(3), ['RPC:  Accept status = 3 (Procedure unavailable)']);
    assert.deepEqual(tail(4), ['RPC:  Accept status = 4 (Garbage arguments)']);
    assert.deepEqual(tail(5), ['RPC:  Accept status = 5 (System error)']);
    // The pipeline's RPC check refuses accept_stat > 5; the block still names it.
    const ok = orphan(buildAcceptedReply({ xid: 78 }));
    const odd = rendered({ ...ok, msg: { ...ok.msg, acceptStat: 9 } as RpcEvent['msg'] });
    assert.equal(odd.at(-1), 'RPC:  Accept status = 9 (unknown)');
  });

  test('denied replies: version mismatch with Low/High, can\'t authenticate with Why', () => {
    const [, vers] = pair(CALL, buildDeniedReply({ xid: 77, rpcMismatch: { low: 2, high: 2 } }));
    assert.deepEqual(rendered(vers).slice(3), [
      'RPC:  Type = 1 (Reply)',
      'RPC:  This is a reply to frame 1',
      'RPC:  Status = 1 (Denied)',
      'RPC:  Reject status = 0 (version mismatch)',
      'RPC:     Low  = 2',
      'RPC:     High = 2',
    ]);
    const why = (authStat: number): string => rendered(orphan(buildDeniedReply({ xid: 9, authStat }))).at(-1) as string;
    assert.equal(rendered(orphan(buildDeniedReply({ xid: 9, authStat: 5 }))).at(-2), "RPC:  Reject status = 1 (can't authenticate)");
    assert.equal(why(1), 'RPC:     Why = 1 (bogus credentials (seal broken))');
    assert.equal(why(5), 'RPC:     Why = 5 (too weak)');
    assert.equal(why(14), 'RPC:     Why = 14 (GSS failure, credentials deleted)');
    assert.equal(why(7), 'RPC:     Why = 7 (unknown reason)');
    assert.equal(why(8), 'RPC:     Why = 8 (unknown reason)');
  });
});

describe('record marks and real captures', () => {
  test('multi-fragment records: one line per fragment when the lengths are known, else a summary line', async () => {
    const evs = await fixtureEvents('rpc_tcp_record_marking_lo.pcap');
    const multi = evs.find((e) => e.record.fragments > 1);
    assert.ok(multi, 'the fixture has multi-fragment records');
    const n = multi.record.fragments;
    const real = multi.record.fragmentLengths ?? [];
    assert.equal(real.length, n, 'the record marker keeps each fragment length');
    assert.equal(real.reduce((a, b) => a + b, 0), multi.record.length);
    assert.deepEqual(
      rpcDetail(multi).slice(0, n).map((l) => l.text),
      real.map((len, i) => (i === n - 1 ? `Record Mark: last fragment, length = ${len}` : `Record Mark:  fragment, length = ${len}`)),
    );
    const without = { ...multi, record: { ...multi.record, fragmentLengths: undefined } };
    assert.equal(rpcDetail(without)[0].text, `Record Mark: ${n} fragments, length = ${multi.record.length}`);
    const lengths = Array.from({ length: n }, (_, i) => (i + 1) * 4);
    const marks = rpcDetail(multi, { fragmentLengths: lengths }).slice(0, n).map((l) => l.text);
    assert.equal(marks.at(-1), `Record Mark: last fragment, length = ${n * 4}`);
    assert.equal(marks[0], 'Record Mark:  fragment, length = 4');
    const withField = { ...multi, record: { ...multi.record, fragmentLengths: [10, 20] } };
    assert.deepEqual(rpcDetail(withField).slice(0, 2).map((l) => l.text), ['Record Mark:  fragment, length = 10', 'Record Mark: last fragment, length = 20']);
  });

  test('every message of the error and SLL captures renders; spot checks', async () => {
    for (const name of ['rpc_errors_lo_nsec.pcap', 'rpc_veth_any_sll.pcap', 'nfs3_udp_lo.pcap']) {
      for (const ev of await fixtureEvents(name)) {
        const out = rendered(ev);
        assert.ok(out.length >= 6, name);
        assert.equal(out.some((l) => l.startsWith('RPC:  Record Mark')), ev.record.transport === 'tcp');
        if (ev.msg.type === 'reply') assert.equal(out.at(-1) === 'RPC:  ', ev.tx !== null && ev.msg.replyStat === 0 && ev.msg.acceptStat === 0);
      }
    }
    const errs = (await fixtureEvents('rpc_errors_lo_nsec.pcap')).map(rendered).flat();
    for (const l of [
      'RPC:  Accept status = 1 (Program unavailable)',
      'RPC:  Accept status = 3 (Procedure unavailable)',
      'RPC:     Why = 2 (client should begin new session)',
      'RPC:     Why = 13 (no credentials for user)',
      'RPC:  Credentials: Flavor = 12345 (unknown), len = 4 bytes',
    ]) {
      assert.ok(errs.includes(l), l);
    }
    const mismatch = errs.indexOf('RPC:  Accept status = 2 (Program number mismatch)');
    assert.deepEqual(errs.slice(mismatch + 1, mismatch + 3), ['RPC:     Low  = 2', 'RPC:     High = 4']);
    const sll = (await fixtureEvents('rpc_veth_any_sll.pcap')).map(rendered).flat();
    assert.ok(sll.includes('RPC:     Why = 5 (too weak)'));
  });
});
