/**
 * `--services` (src/analysis/services.ts, services-table.ts): the rpcinfo -p table rebuilt from a capture.
 *
 * - rpcbind_rpcinfo_lo.pcapng and rpc_veth_any_sll.pcap hold PORTMAP v2 DUMP replies (what `rpcinfo -p` printed
 *   then): the table must list exactly their 18 mappings (checked against tshark's portmap.prog/portmap.port of
 *   that reply in the .tsv), marked announced — and observed where traffic to them was answered. The GETADDR
 *   replies of rpcinfo's version probing (100003 v2/v4, 100005 v0, 100021 v0) are rpcbind's any-version answers
 *   and must not add rows.
 * - nfs3_browse_lo.pcap has no DUMP: GETPORT replies (MOUNT v3, NFS v3) and observed traffic only.
 * - rpcbind_all_procs_any_sll2.pcap: SET, UNSET and DUMP in turn, checked after each step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServicesAnalyzer, servicesOf, parseEtcRpc, ETC_RPC_NAMES, type ServicesReport, type ServiceRow } from '../src/analysis/services';
import { RPCINFO_HEADER, servicesLines, servicesJson } from '../src/analysis/services-table';
import { fixture, readTsv } from './helpers/fixtures';
import { fixtureEvents } from './helpers/program-harness';

type Brief = [program: number, vers: number, proto: string, port: number, service: string, seen: string];

const brief = (r: ServiceRow): Brief => [r.program, r.version, r.proto, r.port, r.service, r.seen];

function only(report: ServicesReport, address: string): ServiceRow[] {
  assert.deepEqual(
    report.servers.map((s) => s.address),
    [address],
  );
  return report.servers[0].services;
}

/** The 18 mappings of the PORTMAP v2 DUMP replies of rpcbind_rpcinfo_lo.pcapng (frame 26) and rpc_veth_any_sll.pcap
 *  (frames 70, 145), as (program, version, proto, port, /etc/rpc name), sorted (nfs-ganesha's registrations and
 *  rpcbind's own). */
const DUMP18: Array<[number, number, string, number, string]> = [
  [100000, 2, 'tcp', 111, 'portmapper'],
  [100000, 2, 'udp', 111, 'portmapper'],
  [100000, 3, 'tcp', 111, 'portmapper'],
  [100000, 3, 'udp', 111, 'portmapper'],
  [100000, 4, 'tcp', 111, 'portmapper'],
  [100000, 4, 'udp', 111, 'portmapper'],
  [100003, 3, 'tcp', 2049, 'nfs'],
  [100003, 3, 'udp', 2049, 'nfs'],
  [100005, 1, 'tcp', 20048, 'mountd'],
  [100005, 1, 'udp', 20048, 'mountd'],
  [100005, 3, 'tcp', 20048, 'mountd'],
  [100005, 3, 'udp', 20048, 'mountd'],
  [100011, 1, 'tcp', 875, 'rquotad'],
  [100011, 1, 'udp', 875, 'rquotad'],
  [100011, 2, 'tcp', 875, 'rquotad'],
  [100011, 2, 'udp', 875, 'rquotad'],
  [100021, 4, 'tcp', 32803, 'nlockmgr'],
  [100021, 4, 'udp', 32803, 'nlockmgr'],
];

/** tshark's portmap.prog / portmap.port lists of the PORTMAP v2 DUMP reply at `frame`, as sorted "prog/port". */
function tsharkDump(name: string, frame: number): string[] {
  const row = readTsv(fixture(`${name}.tsv`)).find((r) => r['frame.number'] === String(frame));
  assert.ok(row, `no frame ${frame} in ${name}.tsv`);
  const progs = row['portmap.prog'].split(',');
  const ports = row['portmap.port'].split(',');
  assert.equal(progs.length, ports.length);
  return progs.map((p, i) => `${p}/${ports[i]}`).sort();
}

test('rpcbind_rpcinfo_lo.pcapng: the DUMP mappings, announced and observed', async () => {
  const report = servicesOf(await fixtureEvents('rpcbind_rpcinfo_lo.pcapng'));
  const rows = only(report, '127.0.0.1');
  assert.deepEqual(
    rows.map((r) => [r.program, r.version, r.proto, r.port, r.service]),
    DUMP18,
  );
  assert.deepEqual(rows.map((r) => `${r.program}/${r.port}`).sort(), tsharkDump('rpcbind_rpcinfo_lo.pcapng', 26));
  assert.ok(rows.every((r) => r.announced));
  // answered calls seen on these ports
  assert.deepEqual(
    rows.filter((r) => r.observed).map((r) => [r.program, r.version, r.proto, r.observedCalls]),
    [
      [100000, 2, 'tcp', 1],
      [100000, 3, 'tcp', 2],
      [100000, 4, 'tcp', 12],
      [100000, 4, 'udp', 5],
      [100003, 3, 'tcp', 3],
      [100005, 1, 'tcp', 1],
      [100005, 1, 'udp', 2],
      [100005, 3, 'tcp', 4],
      [100005, 3, 'udp', 2],
      [100021, 4, 'udp', 1],
    ],
  );
  // rpcinfo's version probing: GETADDR for versions that are not registered got another version's address
  // (rpcbind's any-version answer), then PROG_MISMATCH from the service: no rows for them
  for (const [prog, vers] of [
    [100003, 2],
    [100003, 4],
    [100005, 0],
    [100021, 0],
  ]) {
    assert.ok(!rows.some((r) => r.program === prog && r.version === vers), `${prog} v${vers} must not be listed`);
  }
  const nfsTcp = rows.find((r) => r.program === 100003 && r.proto === 'tcp');
  assert.ok(nfsTcp);
  assert.equal(nfsTcp.seen, 'both');
  assert.deepEqual(
    nfsTcp.announcedBy.map((a) => [a.procedure, a.version, a.netid, a.exact]),
    [
      ['GETADDR', 4, 'tcp', false],
      ['GETADDRLIST', 4, 'tcp', true],
      ['DUMP', 3, 'tcp', true],
      ['DUMP', 3, 'tcp6', true],
    ],
  );
  assert.deepEqual(
    report.servers[0].sources.map((s) => [s.procedure, s.version, s.replies, s.firstFrame]),
    [
      ['DUMP', 3, 2, 6],
      ['GETADDR', 4, 15, 16],
      ['DUMP', 2, 1, 26],
      ['GETADDRLIST', 4, 1, 56],
    ],
  );
});

test('rpc_veth_any_sll.pcap: a remote rpcbind (DUMP v2/v3/v4, refused SET/UNSET), with observed traffic', async () => {
  const report = servicesOf(await fixtureEvents('rpc_veth_any_sll.pcap'));
  const rows = only(report, '10.99.0.1');
  assert.deepEqual(
    rows.map((r) => [r.program, r.version, r.proto, r.port, r.service]),
    DUMP18,
  );
  assert.deepEqual(rows.map((r) => `${r.program}/${r.port}`).sort(), tsharkDump('rpc_veth_any_sll.pcap', 70));
  assert.deepEqual(tsharkDump('rpc_veth_any_sll.pcap', 145), tsharkDump('rpc_veth_any_sll.pcap', 70));
  // SET/UNSET from a remote host are refused (AUTH_ERROR): they neither add nor remove anything
  assert.ok(!report.servers[0].sources.some((s) => s.procedure === 'SET' || s.procedure === 'UNSET'));
  assert.deepEqual(
    rows.filter((r) => r.seen === 'announced').map((r) => [r.program, r.version, r.proto]),
    [
      [100003, 3, 'udp'],
      [100005, 1, 'tcp'],
      [100005, 1, 'udp'],
      [100005, 3, 'udp'],
    ],
  );
  assert.ok(rows.filter((r) => r.seen !== 'announced').every((r) => r.seen === 'both'));
});

test('nfs3_browse_lo.pcap: GETPORT replies and observed traffic only', async () => {
  const report = servicesOf(await fixtureEvents('nfs3_browse_lo.pcap'));
  const rows = only(report, '127.0.0.1');
  assert.deepEqual(rows.map(brief), [
    [100000, 2, 'tcp', 111, 'portmapper', 'observed'],
    [100003, 3, 'tcp', 2049, 'nfs', 'both'],
    [100005, 3, 'tcp', 20048, 'mountd', 'both'],
  ]);
  assert.deepEqual(
    rows.map((r) => r.announcedBy.map((a) => `${a.procedure} v${a.version} ${a.netid}`)),
    [[], ['GETPORT v2 tcp'], ['GETPORT v2 tcp']],
  );
  assert.deepEqual(report.servers[0].sources, [{ procedure: 'GETPORT', version: 2, replies: 15, firstFrame: 9, lastFrame: 388 }]);
  assert.deepEqual(servicesLines(report), [
    '127.0.0.1 (PORTMAP/RPCBIND replies: GETPORT v2 x15):',
    `${RPCINFO_HEADER}     seen`,
    '    100000    2   tcp    111  portmapper  observed (30 calls)',
    '    100003    3   tcp   2049  nfs         announced (GETPORT v2), observed (66 calls)',
    '    100005    3   tcp  20048  mountd      announced (GETPORT v2), observed (23 calls)',
  ]);
});

test('rpcbind_all_procs_any_sll2.pcap: SET adds, UNSET removes, DUMP replaces', async () => {
  const events = await fixtureEvents('rpcbind_all_procs_any_sll2.pcap');
  /** The program-400111 rows once the messages up to `frame` are in. */
  const at = (frame: number): string[] => {
    const a = new ServicesAnalyzer();
    for (const e of events) if (e.record.frameNo <= frame) a.add(e);
    return (a.finish().servers[0]?.services ?? [])
      .filter((r) => r.program === 400111)
      .map((r) => `${r.version} ${r.proto} ${r.port} ${r.seen} ${r.announcedBy.map((x) => `${x.procedure}v${x.version}@${x.frame}`).join(',')}`);
  };
  // frames 3-6: PORTMAP SET 400111 v1 udp and tcp, port 4444
  assert.deepEqual(at(6), ['1 tcp 4444 announced SETv2@6', '1 udp 4444 announced SETv2@4']);
  // frame 10: PORTMAP DUMP (20 maps) lists them: the DUMP replaces the SETs
  assert.deepEqual(at(10), ['1 tcp 4444 announced DUMPv2@10', '1 udp 4444 announced DUMPv2@10']);
  // frame 12: PORTMAP UNSET v1 (protocol and port ignored, RFC 1833 §3.2): both go
  assert.deepEqual(at(12), []);
  // frame 20: RPCBIND v3 SET 400111 v2 udp 127.0.0.1.17.92
  assert.deepEqual(at(20), ['2 udp 4444 announced SETv3@20']);
  // frame 37: RPCBIND UNSET v2 udp
  assert.deepEqual(at(37), []);
  // the end: the last SET (frame 132) and DUMP (frame 140) leave 400111 v2 on udp
  assert.deepEqual(at(1e9), ['2 udp 4444 announced DUMPv4@140']);
  const all = servicesOf(events).servers[0].services;
  assert.equal(all.length, 19);
  assert.equal(all.find((r) => r.program === 400111)?.service, '');
});

test('servicesLines: rpcinfo -p rows, a seen column; JSON is the report', async () => {
  const report = servicesOf(await fixtureEvents('rpcbind_rpcinfo_lo.pcapng'));
  const lines = servicesLines(report);
  assert.equal(lines[0], '127.0.0.1 (PORTMAP/RPCBIND replies: DUMP v3 x2, GETADDR v4 x15, DUMP v2, GETADDRLIST v4):');
  assert.equal(lines[1], '   program vers proto   port  service     seen');
  assert.equal(lines[2], '    100000    2   tcp    111  portmapper  announced (DUMP v3), observed (1 call)');
  assert.equal(lines[3], '    100000    2   udp    111  portmapper  announced (DUMP v3)');
  assert.equal(lines.length, 2 + 18);
  // the first five columns parse as rpcinfo -p's
  const parsed = lines.slice(2).map((l) => l.trim().split(/\s+/).slice(0, 5).join(' '));
  assert.deepEqual(
    parsed,
    DUMP18.map((d) => d.join(' ')),
  );
  const json = JSON.parse(servicesJson(report)) as ServicesReport;
  assert.deepEqual(json, JSON.parse(JSON.stringify(report)));
  assert.equal(json.servers[0].services[0].service, 'portmapper');
});

test('service names: /etc/rpc text, and the built-in netbase list', () => {
  const names = parseEtcRpc('# comment\nportmapper\t100000\tportmap sunrpc\nnfs 100003 nfsprog # trailing\nmountd\t\t100005\n\nbad line\nnfs2 100003\n');
  assert.deepEqual([...names], [
    [100000, 'portmapper'],
    [100003, 'nfs'],
    [100005, 'mountd'],
  ]);
  assert.equal(ETC_RPC_NAMES.get(100021), 'nlockmgr');
  assert.equal(ETC_RPC_NAMES.get(100024), 'status');
  assert.equal(ETC_RPC_NAMES.get(100227), 'nfs_acl');
});

test('a custom service-name table is used', async () => {
  const report = servicesOf(await fixtureEvents('nfs3_browse_lo.pcap'), { serviceNames: new Map([[100003, 'nfs\x1b[31m']]) });
  assert.deepEqual(
    report.servers[0].services.map((r) => r.service),
    ['', 'nfs\x1b[31m', ''],
  );
  assert.match(servicesLines(report)[3], /^ {4}100003 {4}3 {3}tcp {3}2049 {2}nfs\\x1b\[31m {2}announced/);
});
