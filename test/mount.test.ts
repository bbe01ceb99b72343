/**
 * MOUNT (100005) decoders on real traffic: every MOUNT v3 procedure and MOUNT v1 NULL/MNT/DUMP/UMNT/EXPORT from
 * the lab's fixtures, checked against snoop's text (snoop-format.md §1.7, §2.6) and against tshark's decode in
 * each fixture's .tsv (mount.path, mount.status, nfs.fh.hash = CRC-32 of the handle bytes). Messages the lab
 * cannot produce (v1 MNT success, v1/v2 EXPORTALL, v2 PATHCONF, ...) are built in mount-built.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flattenDetail } from '../src/format/detail';
import { FhNames } from '../src/programs/fh-names';
import { LearnedPorts } from '../src/programs/learned-ports';
import { MOUNT_PROGRAM, exportRootName } from '../src/programs/mount';
import type { Exports, FhStatus, MountList, MountRes3 } from '../src/programs/mount-xdr';
import type { ProcedureDef } from '../src/rpc/registry';
import type { RpcEvent } from '../src/rpc/rpc-event';
import { XdrError } from '../src/rpc/xdr';
import { crc32, fhHashText } from './helpers/crc32';
import { fixture, readTsv } from './helpers/fixtures';
import { decodeArgs, decodeResult, fixtureEvents, formatContext } from './helpers/program-harness';

const f = formatContext();

function procedureOf(ev: RpcEvent): ProcedureDef {
  const def = ev.vers === null || ev.proc === null ? undefined : MOUNT_PROGRAM.versions[ev.vers]?.[ev.proc];
  assert.ok(def, `frame ${ev.record.frameNo}: MOUNT v${ev.vers} proc ${ev.proc} is registered`);
  return def;
}

/** The MOUNT message of `type` carried by `frame`. */
function at(events: RpcEvent[], frame: number, type: 'call' | 'reply'): RpcEvent {
  const ev = events.find((e) => e.msg.type === type && e.prog === 100005 && e.record.frames.includes(frame));
  assert.ok(ev, `a MOUNT ${type} in frame ${frame}`);
  return ev;
}

interface Pair {
  def: ProcedureDef;
  call: RpcEvent;
  reply: RpcEvent;
  args: unknown;
  result: unknown;
}

/** Decodes a call and its successful reply, as the pipeline will: the reply's decoder gets the call's args. */
function pair(events: RpcEvent[], callFrame: number, replyFrame: number): Pair {
  const call = at(events, callFrame, 'call');
  const reply = at(events, replyFrame, 'reply');
  assert.equal(reply.msg.xid, call.msg.xid);
  assert.equal(reply.msg.type === 'reply' && reply.msg.acceptStat, 0, 'reply is SUCCESS');
  const def = procedureOf(call);
  const args = decodeArgs(def, call);
  return { def, call, reply, args, result: decodeResult(def, reply, args) };
}

/** The summary texts after "<LAYER> C " / "<LAYER> R " and the flattened `-v` lines of a pair. */
function texts(p: Pair, fc = f) {
  return {
    call: p.def.callSummary!(p.args, fc),
    reply: p.def.replySummary!(p.result, p.args, fc),
    callDetail: flattenDetail(p.def.callDetail!(p.args, fc)),
    replyDetail: flattenDetail(p.def.replyDetail!(p.result, p.args, fc)),
  };
}

// ------------------------------------------------------------------------------------------------ program

test('MOUNT program: versions 1-3, snoop layer names MOUNT1/2/3, -v prefix "MOUNT:" without a space', () => {
  assert.equal(MOUNT_PROGRAM.prog, 100005);
  assert.equal(MOUNT_PROGRAM.name, 'MOUNT');
  assert.deepEqual([1, 2, 3, 4, 0].map((v) => MOUNT_PROGRAM.layer!(v)), ['MOUNT1', 'MOUNT2', 'MOUNT3', null, null]);
  for (const v of [1, 2, 3]) assert.deepEqual(MOUNT_PROGRAM.verbose!(v), { prefix: 'MOUNT:', title: 'NFS MOUNT' });
  assert.equal(MOUNT_PROGRAM.verbose!(4), null);
  // The procedure names are the RFC names (RFC 1094 Appendix A, RFC 1813 Appendix I).
  const rfc: Record<number, string[]> = {
    1: ['NULL', 'MNT', 'DUMP', 'UMNT', 'UMNTALL', 'EXPORT', 'EXPORTALL'],
    2: ['NULL', 'MNT', 'DUMP', 'UMNT', 'UMNTALL', 'EXPORT', 'EXPORTALL', 'PATHCONF'],
    3: ['NULL', 'MNT', 'DUMP', 'UMNT', 'UMNTALL', 'EXPORT'],
  };
  for (const v of [1, 2, 3]) assert.deepEqual(MOUNT_PROGRAM.versions[v].map((p) => p?.name), rfc[v], `version ${v}`);
  assert.equal(MOUNT_PROGRAM.versions[3][6], undefined, 'v3 has no EXPORTALL');
  assert.equal(MOUNT_PROGRAM.versions[1][7], undefined, 'v1 has no PATHCONF');
  assert.equal(MOUNT_PROGRAM.versions[2][7]?.name, 'PATHCONF');
});

// ------------------------------------------------------------------------------------------------ v3

test('MOUNT3 NULL (nfs3_allprocs_tcp_lo.pcap 18/20)', async () => {
  const p = pair(await fixtureEvents('nfs3_allprocs_tcp_lo.pcap'), 18, 20);
  assert.equal(p.args, null);
  assert.equal(p.result, null);
  assert.deepEqual(texts(p), {
    call: 'Null',
    reply: 'Null ',
    callDetail: ['Proc = 0 (Null procedure)', ''],
    replyDetail: ['Proc = 0 (Null procedure)', ''],
  });
});

test('MOUNT3 MNT of /tmp/lab/export over TCP (nfs3_allprocs_tcp_lo.pcap 24/25)', async () => {
  const p = pair(await fixtureEvents('nfs3_allprocs_tcp_lo.pcap'), 24, 25);
  assert.deepEqual(p.args, { dirpath: '/tmp/lab/export' });
  const res = p.result as MountRes3;
  assert.equal(res.fhs_status, 0);
  assert.equal(res.mountinfo!.fhandle.hex, '430000011244830b0e229340dd1401a9c02000a65f797c00');
  assert.deepEqual(res.mountinfo!.auth_flavors, [1]);
  assert.equal(res.mountinfo!.incomplete, undefined);
  assert.equal(fhHashText(res.mountinfo!.fhandle.bytes), '0x637ba56d', "tshark's nfs.fh.hash");
  assert.equal(p.def.status!(res), 'MNT3_OK');
  assert.deepEqual(texts(p), {
    call: 'Mount /tmp/lab/export',
    reply: 'Mount OK FH=706E Auth=unix',
    callDetail: ['Proc = 1 (Add mount entry)', 'Directory = /tmp/lab/export', ''],
    replyDetail: [
      'Proc = 1 (Add mount entry)',
      'Status = 0 (OK)',
      'File handle = [706E]',
      ' 430000011244830B0E229340DD1401A9C02000A65F797C00',
      'Authentication flavor = unix',
      '',
    ],
  });
});

test('MOUNT3 MNT over UDP (nfs3_udp_lo.pcap 9/10)', async () => {
  const p = pair(await fixtureEvents('nfs3_udp_lo.pcap'), 9, 10);
  assert.equal(p.call.record.transport, 'udp');
  assert.deepEqual(texts(p).reply, 'Mount OK FH=706E Auth=unix');
  assert.equal(texts(p).call, 'Mount /tmp/lab/export');
});

test('MOUNT3 MNT of non-exported paths: MNT3ERR_ACCES, "Permission denied" (rpc_errors_lo_nsec.pcap)', async () => {
  const events = await fixtureEvents('rpc_errors_lo_nsec.pcap');
  for (const [c, r, path] of [
    [64, 65, '/not/exported'],
    [84, 85, '/tmp'],
    [296, 297, '/tmp/lab/export/does-not-exist'],
  ] as const) {
    const p = pair(events, c, r);
    assert.deepEqual(p.result, { fhs_status: 13 });
    assert.equal(p.def.status!(p.result), 'MNT3ERR_ACCES');
    assert.deepEqual(texts(p), {
      call: `Mount ${path}`,
      reply: 'Mount Permission denied',
      callDetail: ['Proc = 1 (Add mount entry)', `Directory = ${path}`, ''],
      replyDetail: ['Proc = 1 (Add mount entry)', 'Status = 13 (Permission denied)', ''],
    });
  }
});

test('MOUNT3 MNT with a 1100-byte path (over MNTPATHLEN) is shown, and the server answered GARBAGE_ARGS', async () => {
  const events = await fixtureEvents('rpc_errors_lo_nsec.pcap');
  for (const [c, r] of [
    [298, 299],
    [354, 355],
  ]) {
    const call = at(events, c, 'call');
    const args = decodeArgs(procedureOf(call), call) as { dirpath: string };
    assert.equal(args.dirpath, 'x'.repeat(1100));
    const reply = at(events, r, 'reply');
    assert.equal(reply.msg.type === 'reply' && reply.msg.acceptStat, 4, 'GARBAGE_ARGS');
  }
});

test('MOUNT3 DUMP, empty mount list (nfs3_allprocs_tcp_lo.pcap 26/27; showmount -a/-d in rpcbind_rpcinfo_lo.pcapng)', async () => {
  const expected = {
    call: 'Get mount list',
    reply: 'Get mount list 0 entries',
    callDetail: ['Proc = 2 (Return mount entries)', ''],
    replyDetail: ['Proc = 2 (Return mount entries)', 'Mount list', ''],
  };
  const p = pair(await fixtureEvents('nfs3_allprocs_tcp_lo.pcap'), 26, 27);
  assert.deepEqual(p.result as MountList, { entries: [] });
  assert.deepEqual(texts(p), expected);
  const rpcinfo = await fixtureEvents('rpcbind_rpcinfo_lo.pcapng');
  for (const [c, r] of [
    [260, 262],
    [278, 282],
  ]) {
    assert.deepEqual(texts(pair(rpcinfo, c, r)), expected);
  }
});

test('MOUNT3 UMNT (nfs3_allprocs_tcp_lo.pcap 122/123): a void reply, detail closed (snoop stops early)', async () => {
  const p = pair(await fixtureEvents('nfs3_allprocs_tcp_lo.pcap'), 122, 123);
  assert.deepEqual(p.args, { dirpath: '/tmp/lab/export' });
  assert.equal(p.result, null);
  assert.deepEqual(texts(p), {
    call: 'Unmount /tmp/lab/export',
    reply: 'Unmount reply',
    callDetail: ['Proc = 3 (Remove mount entry)', 'Directory = /tmp/lab/export', ''],
    replyDetail: ['Proc = 3 (Remove mount entry)', ''],
  });
});

test('MOUNT3 UMNTALL (nfs3_allprocs_tcp_lo.pcap 126/127)', async () => {
  const p = pair(await fixtureEvents('nfs3_allprocs_tcp_lo.pcap'), 126, 127);
  assert.equal(p.args, null);
  assert.equal(p.result, null);
  assert.deepEqual(texts(p), {
    call: 'Unmountall',
    reply: 'Unmountall reply',
    callDetail: ['Proc = 4 (Remove all mount entries)', ''],
    replyDetail: ['Proc = 4 (Remove all mount entries)', ''],
  });
});

test('MOUNT3 EXPORT (nfs3_allprocs_tcp_lo.pcap 22/23, nfs3_browse_lo.pcap 18/19, showmount -e in rpcbind_rpcinfo_lo.pcapng)', async () => {
  const expected = {
    call: 'Get export list',
    reply: 'Get export list 1 entries',
    callDetail: ['Proc = 5 (Return export list)', ''],
    replyDetail: ['Proc = 5 (Return export list)', 'Directory = /tmp/lab/export', ''],
  };
  for (const [name, c, r] of [
    ['nfs3_allprocs_tcp_lo.pcap', 22, 23],
    ['nfs3_browse_lo.pcap', 18, 19],
    ['rpcbind_rpcinfo_lo.pcapng', 238, 242],
  ] as const) {
    const p = pair(await fixtureEvents(name), c, r);
    assert.deepEqual(p.result as Exports, { entries: [{ ex_dir: '/tmp/lab/export', ex_groups: [] }] }, name);
    assert.deepEqual(texts(p), expected, name);
  }
});

// ------------------------------------------------------------------------------------------------ v1 and v2

test('MOUNT1 NULL, EXPORT, DUMP and UMNT (nfs3_allprocs_tcp_lo.pcap 28-37)', async () => {
  const events = await fixtureEvents('nfs3_allprocs_tcp_lo.pcap');
  assert.deepEqual(texts(pair(events, 28, 29)), {
    call: 'Null',
    reply: 'Null ',
    callDetail: ['Proc = 0 (Null procedure)', ''],
    replyDetail: ['Proc = 0 (Null procedure)', ''],
  });
  // snoop's v1 summary tries to read a path after EXPORT/DUMP calls, which have no arguments: we do not.
  const exp = pair(events, 30, 31);
  assert.equal(exp.call.vers, 1);
  assert.deepEqual(texts(exp), {
    call: 'Get export list',
    reply: 'Get export list 1 entries',
    callDetail: ['Proc = 5 (Return export list)', ''],
    replyDetail: ['Proc = 5 (Return export list)', 'Directory = /tmp/lab/export', ''],
  });
  assert.deepEqual(texts(pair(events, 34, 35)), {
    call: 'Get mount list',
    reply: 'Get mount list 0 entries',
    callDetail: ['Proc = 2 (Return mount entries)', ''],
    replyDetail: ['Proc = 2 (Return mount entries)', 'Mount list', ''],
  });
  assert.deepEqual(texts(pair(events, 36, 37)), {
    call: 'Unmount /tmp/lab/export',
    reply: 'Unmount reply',
    callDetail: ['Proc = 3 (Remove mount entry)', 'Directory = /tmp/lab/export', ''],
    replyDetail: ['Proc = 3 (Remove mount entry)', ''],
  });
});

test('MOUNT1 MNT call (nfs3_allprocs_tcp_lo.pcap 32); ganesha answers PROC_UNAVAIL (33), so no result is decoded', async () => {
  const events = await fixtureEvents('nfs3_allprocs_tcp_lo.pcap');
  const call = at(events, 32, 'call');
  assert.equal(call.vers, 1);
  const def = procedureOf(call);
  const args = decodeArgs(def, call);
  assert.deepEqual(args, { dirpath: '/tmp/lab/export' });
  assert.equal(def.callSummary!(args, f), 'Mount /tmp/lab/export');
  assert.deepEqual(flattenDetail(def.callDetail!(args, f)), ['Proc = 1 (Add mount entry)', 'Directory = /tmp/lab/export', '']);
  const reply = at(events, 33, 'reply');
  assert.equal(reply.msg.type === 'reply' && reply.msg.acceptStat, 3, 'PROC_UNAVAIL');
});

test('MOUNT2 NULL call (rpcbind_rpcinfo_lo.pcapng 134); the server answers PROG_MISMATCH (135)', async () => {
  const events = await fixtureEvents('rpcbind_rpcinfo_lo.pcapng');
  const call = at(events, 134, 'call');
  assert.equal(call.vers, 2);
  const def = procedureOf(call);
  assert.equal(decodeArgs(def, call), null);
  assert.equal(def.callSummary!(null, f), 'Null');
  assert.deepEqual(flattenDetail(def.callDetail!(null, f)), ['Proc = 0 (Null procedure)', '']);
  const reply = at(events, 135, 'reply');
  assert.equal(reply.msg.type === 'reply' && reply.msg.acceptStat, 2, 'PROG_MISMATCH');
});

// ------------------------------------------------------------------------------------------------ learning

test('a successful MNT teaches the export root as server:/dirpath; --names shows it after FH=', async () => {
  const events = await fixtureEvents('nfs3_browse_lo.pcap');
  const names = new FhNames();
  const ports = new LearnedPorts();
  const roots: string[] = [];
  for (const [c, r] of [
    [38, 39],
    [86, 87],
    [220, 221],
  ]) {
    const p = pair(events, c, r);
    p.def.learn!(p.args, p.result, { transport: 'tcp', server: p.reply.record.src, client: p.reply.record.dst, ports, names });
    const fh = (p.result as MountRes3).mountinfo!.fhandle;
    roots.push(names.path(fh.hex)!);
    if (c === 86) {
      const shown = formatContext({ names, showNames: true });
      assert.equal(p.def.replySummary!(p.result, p.args, shown), `Mount OK FH=${fh.hash} (127.0.0.1:/tmp/lab/export/corpus) Auth=unix`);
      assert.equal(p.def.replySummary!(p.result, p.args, formatContext({ names })), `Mount OK FH=${fh.hash} Auth=unix`);
    }
  }
  assert.deepEqual(roots, ['127.0.0.1:/tmp/lab/export', '127.0.0.1:/tmp/lab/export/corpus', '127.0.0.1:/tmp/lab/export/sub']);
  assert.equal(exportRootName('::1', '/export'), '[::1]:/export');
});

test('a failed MNT teaches nothing', async () => {
  const p = pair(await fixtureEvents('rpc_errors_lo_nsec.pcap'), 64, 65);
  const names = new FhNames();
  p.def.learn!(p.args, p.result, { transport: 'tcp', server: '127.0.0.1', client: '127.0.0.1', ports: new LearnedPorts(), names });
  assert.equal(names.size, 0);
});

test('MNT over IPv6 teaches [::1]:/path (nfs3_ipv6_lo.pcap)', async () => {
  const events = await fixtureEvents('nfs3_ipv6_lo.pcap');
  const names = new FhNames();
  let learned = 0;
  for (const reply of events.filter((e) => e.msg.type === 'reply' && e.prog === 100005 && e.vers === 3 && e.proc === 1)) {
    if (reply.msg.type !== 'reply' || reply.msg.acceptStat !== 0) continue;
    const call = events.find((e) => e.msg.type === 'call' && e.tx === reply.tx)!;
    const def = procedureOf(call);
    const args = decodeArgs(def, call);
    const result = decodeResult(def, reply, args) as MountRes3;
    def.learn!(args, result, { transport: reply.record.transport, server: reply.record.src, client: reply.record.dst, ports: new LearnedPorts(), names });
    if (result.mountinfo) {
      learned++;
      assert.match(names.path(result.mountinfo.fhandle.hex)!, /^\[::1\]:\//);
    }
  }
  assert.ok(learned > 0, 'some MNT succeeded over ::1');
});

// ------------------------------------------------------------------------------------------------ tshark

test('the CRC-32 helper is the zlib/IEEE one tshark uses for nfs.fh.hash', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

/** Every MOUNT message of a fixture decoded and compared with tshark's mount.path, mount.status, nfs.fh.hash. */
for (const name of [
  'nfs3_allprocs_tcp_lo.pcap',
  'nfs3_browse_lo.pcap',
  'rpc_errors_lo_nsec.pcap',
  'nfs3_udp_lo.pcap',
  'rpcbind_rpcinfo_lo.pcapng',
  'nfs3_ipv6_lo.pcap',
  'nfs3_udp_ipfrag_veth.pcap',
  'rpc_veth_any_sll.pcap',
  'rpc_tcp_record_marking_lo.pcap',
  'nlm_rquota_other_programs_lo.pcap',
  'lab_mount_sequence_lo.pcap',
]) {
  test(`every MOUNT message agrees with tshark: ${name}`, async () => {
    const events = await fixtureEvents(name);
    const rows = new Map(readTsv(fixture(`${name}.tsv`)).map((r) => [Number(r['frame.number']), r]));
    const problems: string[] = [];
    const counts = { calls: 0, replies: 0, paths: 0, statuses: 0, handles: 0 };
    for (const ev of events) {
      if (ev.prog !== 100005 || ev.vers === null || ev.proc === null) continue;
      const def = MOUNT_PROGRAM.versions[ev.vers]?.[ev.proc];
      if (!def) continue; // MOUNT v0 probes, proc 17: not in the protocol, tshark decodes nothing either
      const row = rows.get(ev.record.frameNo);
      const where = `frame ${ev.record.frameNo} ${ev.msg.type} v${ev.vers} ${def.name}`;
      if (!row || row['rpc.xid'].includes(',')) continue;
      if (ev.msg.type === 'call') {
        counts.calls++;
        const args = decodeArgs(def, ev) as { dirpath?: string } | null;
        if (row['mount.path'] !== '') {
          counts.paths++;
          if (args?.dirpath !== row['mount.path']) problems.push(`${where}: dirpath ${args?.dirpath} != ${row['mount.path']}`);
        } else if (args !== null) problems.push(`${where}: args ${JSON.stringify(args)} but tshark shows no path`);
        continue;
      }
      if (ev.msg.acceptStat !== 0) continue;
      counts.replies++;
      const call = events.find((e) => e.msg.type === 'call' && e.tx === ev.tx);
      const result = decodeResult(def, ev, call ? decodeArgs(def, call) : undefined);
      const st = result as MountRes3 | FhStatus | null;
      if (row['mount.status'] !== '') {
        counts.statuses++;
        if (st?.fhs_status !== Number(row['mount.status'])) problems.push(`${where}: status ${st?.fhs_status} != ${row['mount.status']}`);
        if (!/^MNT3(_OK|ERR_)/.test(def.status!(result)!)) problems.push(`${where}: status name ${def.status!(result)}`);
      }
      const fh = st && 'mountinfo' in st ? st.mountinfo?.fhandle : st && 'fhandle' in st ? st.fhandle : undefined;
      const ours = fh ? `0x${crc32(fh.bytes).toString(16).padStart(8, '0')}` : '';
      if (ours !== row['nfs.fh.hash']) problems.push(`${where}: handle hash ${ours} != ${row['nfs.fh.hash']}`);
      if (ours) counts.handles++;
    }
    assert.deepEqual(problems, []);
    assert.ok(counts.calls > 0 && counts.replies > 0, JSON.stringify(counts));
    if (name !== 'rpcbind_rpcinfo_lo.pcapng') {
      assert.ok(counts.paths > 0 && counts.statuses > 0 && counts.handles > 0, `MNT compared: ${JSON.stringify(counts)}`);
    }
  });
}

test('a dirpath of 0xffffffff bytes in a real MNT call is an XdrError, not an allocation', async () => {
  const events = await fixtureEvents('nfs3_allprocs_tcp_lo.pcap');
  const call = at(events, 24, 'call');
  const bytes = Uint8Array.from(call.record.bytes);
  bytes.set([0xff, 0xff, 0xff, 0xff], call.msg.bodyOffset);
  const hostile: RpcEvent = { ...call, record: { ...call.record, bytes } };
  assert.throws(
    () => decodeArgs(procedureOf(call), hostile),
    (e: unknown) => e instanceof XdrError && e.kind === 'length_exceeded',
  );
});
