/**
 * Display filters, fields and operators on real messages from the fixtures (one message at a time:
 * Filter.matchesEvent): every field, names and numbers, short status forms, durations, multi-valued fields,
 * case rules, and the meaning of != (no value equals) against `not ==`. Flags the fixtures do not show
 * (retransmit, duplicate, orphan, late, xid_reuse, truncated) come from a fixture with frames repeated, moved
 * or cut.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilter } from '../src/filter/evaluate';
import { lookupField, FIELDS, parseDuration } from '../src/filter/fields';
import { currentFlags, type RpcEvent } from '../src/rpc/rpc-event';
import { editedFrames, frames, runFixture, runFrames, type Run } from './filter-harness';

/** Frame numbers of the events a filter selects, one message at a time. */
function sel(run: Run, expr: string): number[] {
  const f = compileFilter(expr);
  return frames(run.events.filter((e) => f.matchesEvent(e, run.ctx)));
}

/** The same selection as a predicate over the events gives. */
function same(run: Run, expr: string, pred: (e: RpcEvent) => boolean): void {
  const want = frames(run.events.filter(pred));
  assert.deepEqual(sel(run, expr), want, expr);
}

const runs = new Map<string, Promise<Run>>();
const fx = (name: string): Promise<Run> => {
  let r = runs.get(name);
  if (!r) runs.set(name, (r = runFixture(name)));
  return r;
};

test('program: number or the name rpcsnoop prints, case-insensitive; RPCBIND is 100000 v3/v4', async () => {
  const r = await fx('rpc_errors_lo_nsec.pcap');
  same(r, 'program == MOUNT', (e) => e.prog === 100005);
  assert.deepEqual(sel(r, 'program == 100005'), sel(r, 'program == MOUNT'));
  assert.deepEqual(sel(r, 'prog == mount'), sel(r, 'program == MOUNT'));
  same(r, 'program == RPCBIND', (e) => e.prog === 100000 && (e.vers === 3 || e.vers === 4));
  same(r, 'program == PORTMAP', (e) => e.prog === 100000 && e.vers !== 3 && e.vers !== 4);
  same(r, 'program == 100000', (e) => e.prog === 100000);
  assert.ok(sel(r, 'program == RPCBIND').length > 0);
  same(r, 'program == AUTOFS', (e) => e.prog === 100099);
  assert.deepEqual(sel(r, 'program == NOSUCHPROGRAM'), []);
  same(r, 'program < 100003', (e) => e.prog !== null && e.prog < 100003);
  same(r, 'program contains 0005', (e) => e.prog === 100005);
  same(r, 'program ~ "^(nfs|mount)$"', (e) => e.prog === 100003 || e.prog === 100005);
});

test('version and procedure: numbers and RFC procedure names', async () => {
  const r = await fx('rpc_errors_lo_nsec.pcap');
  same(r, 'version == 2', (e) => e.vers === 2);
  same(r, 'vers >= 4', (e) => e.vers !== null && e.vers >= 4);
  same(r, 'proc == LOOKUP', (e) => e.procedureName === 'LOOKUP');
  assert.deepEqual(sel(r, 'procedure == lookup'), sel(r, 'proc == LOOKUP'));
  same(r, 'proc == 3', (e) => e.proc === 3);
  same(r, 'proc == 3 and program == NFS', (e) => e.procedureName === 'LOOKUP');
  same(r, 'proc > 20', (e) => e.proc !== null && e.proc > 20);
  same(r, 'proc <= 0', (e) => e.proc === 0);
  same(r, 'proc contains DIR', (e) => /DIR/.test(e.procedureName ?? ''));
});

test('xid (decimal or hex), type, transport, frame', async () => {
  const r = await fx('rpc_errors_lo_nsec.pcap');
  assert.deepEqual(sel(r, 'xid == 1100897236'), [44, 45]);
  assert.deepEqual(sel(r, `xid == 0x${(1100897236).toString(16)}`), [44, 45]);
  same(r, 'xid > 3000000000', (e) => e.msg.xid > 3_000_000_000);
  same(r, 'type == call', (e) => e.msg.type === 'call');
  same(r, 'type == REPLY', (e) => e.msg.type === 'reply');
  same(r, 'transport == udp', (e) => e.record.transport === 'udp');
  assert.ok(sel(r, 'transport == udp').length > 0 && sel(r, 'transport == TCP').length > 0);
  assert.deepEqual(sel(r, 'frame == 44'), [44]);
  assert.deepEqual(sel(r, 'frame >= 400 and frame < 405'), [400, 401, 402, 403, 404]);
});

test('src, dst, host (both addresses), sport, dport, port (both ports); IPv6', async () => {
  const r = await fx('rpc_veth_any_sll.pcap');
  same(r, 'src == 10.99.0.2', (e) => e.record.src === '10.99.0.2');
  same(r, 'dst == 10.99.0.2', (e) => e.record.dst === '10.99.0.2');
  assert.ok(sel(r, 'src == 10.99.0.2').length > 0 && sel(r, 'dst == 10.99.0.2').length > 0);
  same(r, 'host == 10.99.0.2', (e) => e.record.src === '10.99.0.2' || e.record.dst === '10.99.0.2');
  same(r, 'host != 10.99.0.2', (e) => e.record.src !== '10.99.0.2' && e.record.dst !== '10.99.0.2');
  same(r, 'src contains "99.0.1"', (e) => e.record.src === '10.99.0.1');
  same(r, 'dport == 111', (e) => e.record.dport === 111);
  same(r, 'sport == 111', (e) => e.record.sport === 111);
  same(r, 'port == 111', (e) => e.record.sport === 111 || e.record.dport === 111);
  same(r, 'port > 1023', (e) => e.record.sport > 1023 || e.record.dport > 1023);
  const v6 = await fx('nfs3_ipv6_lo.pcap');
  same(v6, 'host == ::1', () => true);
  same(v6, 'src == 0:0:0:0:0:0:0:1', () => true);
  same(v6, 'src == 0000::0001', () => true);
  same(v6, 'host == ::/64', () => true);
  assert.deepEqual(sel(v6, 'host == 10.0.0.0/8'), []);
  same(r, 'host == 10.99.0.0/24', () => true);
  same(r, 'src == 10.99.0.2/32', (e) => e.record.src === '10.99.0.2');
  same(r, 'src == 10.99.0.2/31', (e) => e.record.src === '10.99.0.2');
  same(r, 'src == 10.99.0.2/30', () => true);
  assert.deepEqual(sel(r, 'host == ::/0'), [], 'an IPv6 network holds no IPv4 address');
  same(r, 'host != 10.99.0.1/32', (e) => e.record.src !== '10.99.0.1' && e.record.dst !== '10.99.0.1');
  assert.throws(() => compileFilter('host == 10.0.0.0/33'), /prefix length/);
  assert.throws(() => compileFilter('host == nohost/8'), /an address or a network/);
});

test('status: RFC names, RPC accept/reject/auth states, short forms NOENT/ACCES/OK, case-insensitive', async () => {
  const r = await fx('rpc_errors_lo_nsec.pcap');
  assert.deepEqual(sel(r, 'status == NFS3ERR_NOENT'), [45, 379, 442]);
  assert.deepEqual(sel(r, 'status == NOENT'), [45, 379, 442]);
  assert.deepEqual(sel(r, 'status == noent'), [45, 379, 442]);
  same(r, 'status == MNT3ERR_ACCES', (e) => e.status === 'MNT3ERR_ACCES');
  same(r, 'status == ACCES', (e) => e.status === 'MNT3ERR_ACCES' || e.status === 'NFS3ERR_ACCES');
  assert.ok(sel(r, 'status == MNT3ERR_ACCES').length > 0 && sel(r, 'status == NFS3ERR_ACCES').length > 0);
  same(r, 'status == NFS3_OK', (e) => e.status === 'NFS3_OK');
  const okReply = (e: RpcEvent) => e.msg.type === 'reply' && e.msg.replyStat === 0 && e.msg.acceptStat === 0 && (e.status === null || /_OK$/.test(e.status));
  same(r, 'status == OK', okReply);
  same(r, 'status == SUCCESS', (e) => e.msg.type === 'reply' && e.msg.replyStat === 0 && e.msg.acceptStat === 0);
  same(r, 'status == PROC_UNAVAIL', (e) => e.msg.type === 'reply' && e.msg.acceptStat === 3);
  same(r, 'status == PROG_MISMATCH', (e) => e.msg.type === 'reply' && e.msg.acceptStat === 2);
  same(r, 'status == PROG_UNAVAIL', (e) => e.msg.type === 'reply' && e.msg.acceptStat === 1);
  same(r, 'status == GARBAGE_ARGS', (e) => e.msg.type === 'reply' && e.msg.acceptStat === 4);
  same(r, 'status == MSG_DENIED', (e) => e.msg.type === 'reply' && e.msg.replyStat === 1);
  assert.deepEqual(sel(r, 'status == AUTH_ERROR'), sel(r, 'status == MSG_DENIED'));
  assert.ok(sel(r, 'status == AUTH_BADCRED').length > 0);
  assert.ok(sel(r, 'status == RPCSEC_GSS_CREDPROBLEM').length > 0);
  same(r, 'status', (e) => e.msg.type === 'reply');
  same(r, 'status contains ERR', (e) => /ERR/.test(e.status ?? '') || (e.msg.type === 'reply' && e.msg.replyStat === 1));
  same(r, 'status ~ "^nfs3err_(noent|notdir)$"', (e) => e.status === 'NFS3ERR_NOENT' || e.status === 'NFS3ERR_NOTDIR');
  assert.deepEqual(sel(r, 'status == "UNKNOWN(99)"'), []);
  const veth = await fx('rpc_veth_any_sll.pcap');
  same(veth, 'status == AUTH_TOOWEAK', (e) => e.msg.type === 'reply' && e.msg.authStat === 5);
  assert.ok(sel(veth, 'status == AUTH_TOOWEAK').length > 0);
  same(veth, 'status == SYSTEM_ERR', (e) => e.msg.type === 'reply' && e.msg.acceptStat === 5);
});

test('error: an RPC-level failure or a status other than OK; on replies it is `not status == OK`', async () => {
  for (const name of ['rpc_errors_lo_nsec.pcap', 'rpc_veth_any_sll.pcap', 'rpcbind_rpcinfo_lo.pcapng', 'nfs3_ipv6_lo.pcap']) {
    const r = await fx(name);
    assert.deepEqual(sel(r, 'error'), sel(r, 'type == reply and not status == OK'), name);
    assert.deepEqual(sel(r, 'error == true'), sel(r, 'error'), name);
    assert.deepEqual(sel(r, 'not error'), sel(r, 'error == false'), name);
  }
  const r = await fx('rpc_errors_lo_nsec.pcap');
  assert.ok(sel(r, 'error').includes(45), 'NFS3ERR_NOENT');
  assert.ok(sel(r, 'error').includes(240), 'PROC_UNAVAIL');
  assert.ok(!sel(r, 'error').includes(44), 'a call is no error');
  assert.ok(!sel(r, 'error').includes(41), 'NFS3_OK');
});

test('rtt in seconds; durations in ns, us, ms, s, m; equal forms select the same', async () => {
  assert.equal(parseDuration('10ms'), 0.01);
  assert.equal(parseDuration('250us'), 0.00025);
  assert.equal(parseDuration('250µs'), 0.00025);
  assert.equal(parseDuration('1.5s'), 1.5);
  assert.equal(parseDuration('2m'), 120);
  assert.equal(parseDuration('2min'), 120);
  assert.equal(parseDuration('1h'), 3600);
  assert.equal(parseDuration('500ns'), 5e-7);
  assert.equal(parseDuration('.5'), 0.5);
  assert.equal(parseDuration('0.5MS'), 0.0005);
  assert.equal(parseDuration('-1s'), null);
  assert.equal(parseDuration('ms'), null);
  const r = await fx('lab_reordered_read_lo.pcap');
  assert.deepEqual(sel(r, 'rtt > 1ms').sort((a, b) => a - b), [196, 197, 200, 201, 252, 292]);
  assert.deepEqual(sel(r, 'rtt > 1ms'), sel(r, 'rtt > 0.001'));
  assert.deepEqual(sel(r, 'rtt > 1ms'), sel(r, 'rtt > 1000us'));
  assert.deepEqual(sel(r, 'rtt >= 3ms').sort((a, b) => a - b), [196, 197]);
  same(r, 'rtt < 100us', (e) => e.tx?.rtt != null && e.tx.rtt < 0.0001);
  same(r, 'rtt <= 2m', (e) => e.tx?.rtt != null);
  same(r, 'rtt', (e) => e.tx?.rtt != null);
  const one = r.events.find((e) => e.record.frameNo === 196) as RpcEvent;
  assert.deepEqual(sel(r, `rtt == ${one.tx?.rtt}`), [196, 197]);
  const veth = await fx('rpc_veth_any_sll.pcap');
  assert.deepEqual(sel(veth, 'unanswered and rtt'), [], 'an unanswered call has no rtt');
  assert.ok(sel(veth, 'unanswered and not rtt > 0').length > 0);
});

test('fh: snoop hash or full hex, any case; every handle of arguments and results', async () => {
  const r = await fx('nfs3_allprocs_tcp_lo.pcap');
  const dir = sel(r, 'fh == 8F13');
  assert.deepEqual(sel(r, 'fh == 8f13'), dir);
  assert.ok(dir.includes(56) && dir.includes(57) && dir.includes(93) && dir.includes(100));
  const mkdirReply = r.events.find((e) => e.record.frameNo === 56) as RpcEvent;
  const hex = (mkdirReply.result as { obj: { hex: string } }).obj.hex;
  assert.deepEqual(sel(r, `fh == ${hex}`), dir);
  assert.deepEqual(sel(r, `fh == ${hex.toUpperCase()}`), dir);
  const tail = sel(r, `fh contains ${hex.slice(-12)}`);
  assert.ok(dir.every((n) => tail.includes(n)));
  assert.deepEqual(sel(r, `fh ~ "${hex.slice(-12).toUpperCase()}$"`), tail.filter((n) => sel(r, `fh ~ "${hex.slice(-12)}$"`).includes(n)));
  same(r, 'fh', (e) => (e.prog === 100003 && e.procedureName !== 'NULL') || (e.procedureName === 'MNT' && e.status === 'MNT3_OK'));
  assert.deepEqual(sel(r, 'fh == 0000'), []);
});

test('path: learned paths of the handles; name: file names in the arguments (calls)', async () => {
  const r = await fx('nfs3_allprocs_tcp_lo.pcap');
  const file = '127.0.0.1:/tmp/lab/export/dir-tcp-17278/file.txt';
  assert.deepEqual(sel(r, `path == "${file}"`), [58, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 85, 86, 100, 102]);
  assert.deepEqual(sel(r, 'path contains file.txt'), sel(r, `path == "${file}"`));
  assert.deepEqual(sel(r, 'path contains FILE.TXT'), [], 'paths are case-sensitive');
  assert.deepEqual(sel(r, 'path ~ "link-sym$"'), [80, 82, 83, 84, 100, 102]);
  assert.deepEqual(sel(r, 'path == 127.0.0.1:/tmp/lab/export'), [25, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 100, 102, 119, 120]);
  // without a path lookup there are no paths
  assert.deepEqual(frames(r.events.filter((e) => compileFilter('path').matchesEvent(e))), []);
  // or with one given at compile time
  assert.ok(r.events.filter((e) => compileFilter('path', { context: r.ctx }).matchesEvent(e)).length > 0);

  assert.deepEqual(sel(r, 'name == file.txt'), [57, 117]);
  assert.deepEqual(sel(r, 'name == renamed.txt'), [93, 113], 'RENAME to');
  assert.deepEqual(sel(r, 'name == guarded.txt'), [59, 93], 'RENAME from');
  assert.deepEqual(sel(r, 'name == /tmp/lab/export'), [24, 32, 36, 122], 'MNT/UMNT dirpath');
  assert.deepEqual(sel(r, 'name == link-sym'), [79, 81, 109]);
  assert.deepEqual(sel(r, 'name ~ "^(fifo|sock|blk)$" and proc == MKNOD'), [87, 89, 91]);
  assert.deepEqual(sel(r, 'name contains .TXT'), [], 'names are case-sensitive');
  assert.deepEqual(sel(r, 'name and type == reply'), [], 'names come from calls');
  assert.deepEqual(sel(r, 'name'), sel(r, 'name ~ ""'));
});

test('uid, gid, machine: the AUTH_UNIX credential of a call', async () => {
  const r = await fx('rpc_errors_lo_nsec.pcap');
  const unix = (e: RpcEvent) => (e.msg.type === 'call' ? e.msg.cred.unix : undefined);
  same(r, 'uid == 0', (e) => unix(e)?.uid === 0);
  same(r, 'uid == 1000', (e) => unix(e)?.uid === 1000);
  same(r, 'uid > 0', (e) => (unix(e)?.uid ?? 0) > 0);
  same(r, 'gid == 65534', (e) => unix(e)?.gid === 65534);
  same(r, 'machine == corpus-client', (e) => unix(e)?.machine === 'corpus-client');
  same(r, 'uid', (e) => unix(e) !== undefined);
  assert.deepEqual(sel(r, 'uid and type == reply'), [], 'a reply alone has no credential');
  assert.ok(sel(r, 'uid == 65534').length > 0 && sel(r, 'machine == libnfs').length > 0);
});

test('unanswered: calls that got no reply', async () => {
  const r = await fx('rpc_veth_any_sll.pcap');
  same(r, 'unanswered', (e) => currentFlags(e).includes('unanswered'));
  assert.equal(sel(r, 'unanswered').length, 9);
  assert.deepEqual(sel(r, 'unanswered and type == reply'), []);
  assert.ok(sel(r, 'unanswered and proc == CALLIT').length > 0);
  assert.deepEqual(sel(r, 'unanswered == false'), sel(r, 'not unanswered'));
});

test('retransmit, duplicate, orphan, late, xid_reuse, truncated: from a real capture with frames repeated, moved, dropped, cut', async () => {
  // nfs3_udp_lo.pcap: one UDP datagram per message; 23/24 LOOKUP, 25/26 LOOKUP, 27/28 GETATTR, 31/32 READ, 33/34 READ
  const fr = await editedFrames('nfs3_udp_lo.pcap', { repeat: [23, 28], drop: [25], cut: { 32: 120 }, later: { 34: 100 }, again: { 29: 200 } });
  const r = runFrames(fr);
  const xids = (expr: string) => {
    const f = compileFilter(expr);
    return r.events.filter((e) => f.matchesEvent(e, r.ctx)).map((e) => `${e.msg.type}:${e.procedureName ?? e.proc}`);
  };
  assert.deepEqual(xids('retransmit'), ['call:LOOKUP']);
  assert.deepEqual(xids('duplicate'), ['reply:GETATTR']);
  assert.deepEqual(xids('duplicate_reply'), ['reply:GETATTR']);
  assert.deepEqual(xids('orphan'), ['reply:null']);
  assert.deepEqual(xids('orphan_reply'), xids('orphan'));
  assert.deepEqual(xids('truncated'), ['reply:READ']);
  assert.deepEqual(xids('anomaly == body_truncated'), ['reply:READ']);
  assert.deepEqual(xids('late'), ['reply:READ']);
  assert.deepEqual(xids('late_reply'), ['reply:READ']);
  assert.deepEqual(xids('xid_reuse'), ['call:ACCESS']);
  assert.deepEqual(xids('retransmit or duplicate or orphan or late or xid_reuse or truncated').length, 6);
  assert.deepEqual(xids('evicted'), []);
  assert.deepEqual(xids('retransmit == 1'), xids('retransmit'));
  assert.deepEqual(xids('retransmit != yes'), xids('not retransmit'));
});

test('evicted: a call pushed out of a full pairing table', async () => {
  const r = runFrames(await editedFrames('rpc_tcp_record_marking_lo.pcap', {}), { maxTransactions: 1 });
  const f = compileFilter('evicted');
  const ev = r.events.filter((e) => f.matchesEvent(e, r.ctx));
  assert.ok(ev.length > 0);
  assert.ok(ev.every((e) => e.msg.type === 'call' && e.tx?.evicted === true));
  assert.ok(ev.every((e) => compileFilter('unanswered').matchesEvent(e)));
});

test('!= is `not ==`: no value equals (multi-valued fields, absent fields)', async () => {
  for (const name of ['rpc_errors_lo_nsec.pcap', 'nfs3_allprocs_tcp_lo.pcap', 'rpc_veth_any_sll.pcap']) {
    const r = await fx(name);
    for (const [f, v] of [
      ['host', '10.99.0.2'],
      ['port', '111'],
      ['status', 'OK'],
      ['status', 'NOENT'],
      ['program', 'NFS'],
      ['program', '100005'],
      ['proc', 'LOOKUP'],
      ['uid', '0'],
      ['fh', '8f13'],
      ['name', 'file.txt'],
      ['type', 'call'],
      ['rtt', '20us'],
    ]) {
      assert.deepEqual(sel(r, `${f} != ${v}`), sel(r, `not ${f} == ${v}`), `${name}: ${f} != ${v}`);
    }
  }
  const r = await fx('rpc_errors_lo_nsec.pcap');
  // a call has no status: `status != OK` selects it (as Wireshark 3.6+ does for absent fields)
  assert.ok(sel(r, 'status != OK').includes(44));
  assert.ok(!sel(r, 'status and status != OK').includes(44));
});

test('every field has a description, a kind, and is found by its name and aliases in any case', () => {
  for (const f of FIELDS) {
    assert.ok(f.description.length > 0, f.name);
    for (const n of [f.name, ...f.aliases]) {
      assert.equal(lookupField(n), f);
      assert.equal(lookupField(n.toUpperCase()), f);
    }
  }
  const names = FIELDS.flatMap((f) => [f.name, ...f.aliases]);
  for (const n of ['program', 'prog', 'version', 'procedure', 'proc', 'xid', 'type', 'src', 'dst', 'host', 'port', 'status', 'error', 'rtt', 'fh', 'path', 'name', 'uid', 'gid', 'retransmit', 'orphan', 'unanswered', 'duplicate', 'xid_reuse', 'truncated']) {
    assert.ok(names.includes(n), n);
  }
  assert.equal(lookupField('nosuch'), null);
});

test('keywords and field names are case-insensitive; values of names too', async () => {
  const r = await fx('rpc_errors_lo_nsec.pcap');
  assert.deepEqual(sel(r, 'PROC == lookup AND Status == NoEnt OR Type == Reply and Xid == 1100897236'), [45, 379, 442]);
  assert.deepEqual(sel(r, 'proc == LOOKUP && !(status == OK) && status'), sel(r, 'proc == LOOKUP and status != OK and status'));
});
