/**
 * `--findings` (src/analysis/findings.ts, findings-text.ts) on real captures: UDP DUMP answered to a remote peer
 * (the amplification ratio checked against tshark's frame lengths) and to loopback, unanswered CALLIT/BCAST,
 * services disclosed by DUMP/EXPORT, AUTH_TOOWEAK on remote SET/UNSET, MNT3ERR_ACCES grouped by path, GETPORT →
 * port 0, PROG_MISMATCH, AUTH_ERROR, bad handles, root not squashed; and on synthetic traffic: retransmissions,
 * latency outliers, AUTH_NONE accepted and offered, stale handles with learned paths, calls unanswered at the end.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RawFrame } from '../src/capture/raw-frame';
import { DEFAULT_PIPELINE, Pipeline } from '../src/pipeline';
import {
  FindingsAnalyzer,
  type AmplificationDetails,
  type DisclosureDetails,
  type ErrorDetails,
  type Finding,
  type FindingsOptions,
  type FindingsReport,
  type LookupDetails,
  type OutlierDetails,
  type RootDetails,
  type AuthNoneDetails,
  type RetransmissionDetails,
  type UnansweredDetails,
} from '../src/analysis/findings';
import { findingsLines } from '../src/analysis/findings-text';
import { readFrames } from './helpers/capture-packets';
import { fixture, readTsv } from './helpers/fixtures';
import { ethernet, frame, ipv4, udp } from './helpers/net-builders';
import { AUTH_NONE, authUnix, buildAcceptedReply, buildCall, XdrWriter, type Auth } from './helpers/rpc-builders';

// ------------------------------------------------------------------------------------------------ harness

function analyze(frames: RawFrame[], opts: Partial<FindingsOptions> = {}, withPaths = true, hold = true): FindingsReport {
  let p: Pipeline | null = null;
  const a = new FindingsAnalyzer({ ...opts, pathOf: withPaths ? (hex) => (p as Pipeline).names.path(hex) : null });
  p = new Pipeline({ ...DEFAULT_PIPELINE, hold }, (ev) => a.add(ev));
  for (const f of frames) p.pushFrame(f);
  p.finish();
  return a.finish();
}

async function analyzeFixture(name: string, opts: Partial<FindingsOptions> = {}, withPaths = true, hold = true): Promise<FindingsReport> {
  return analyze(await readFrames(fixture(name)), opts, withPaths, hold);
}

function find(r: FindingsReport, kind: Finding['kind'], pred: (f: Finding) => boolean = () => true): Finding {
  const f = r.findings.find((x) => x.kind === kind && pred(x));
  assert.ok(f, `no ${kind} finding among:\n${r.findings.map((x) => `${x.kind}: ${x.title}`).join('\n')}`);
  return f;
}

const details = <T>(f: Finding): T => f.details as unknown as T;

/** Frame lengths from tshark's ground truth beside a fixture (NAME.tsv). */
function tsharkFrameLen(name: string, frameNo: number): number {
  const row = readTsv(fixture(`${name}.tsv`), ['frame.number', 'frame.len']).find((r) => r['frame.number'] === String(frameNo));
  assert.ok(row, `frame ${frameNo} is not in ${name}.tsv`);
  return Number(row['frame.len']);
}

// synthetic UDP traffic between one client and one server
const CLIENT = '10.2.0.2';
const SERVER = '10.2.0.1';

class Wire {
  readonly frames: RawFrame[] = [];
  private usec = 0;
  private xid = 0x2000;

  wait(ms: number): this {
    this.usec += Math.round(ms * 1000);
    return this;
  }

  send(from: 'c' | 's', port: number, msg: Uint8Array, client = CLIENT): this {
    const [src, dst, sport, dport] = from === 'c' ? [client, SERVER, 900, port] : [SERVER, client, port, 900];
    this.usec += 100;
    const sec = 1_700_000_000 + Math.floor(this.usec / 1e6);
    this.frames.push(frame(ethernet(ipv4(udp(msg, { sport, dport }), { src, dst, protocol: 17 })), 1, { frameNo: this.frames.length + 1, sec, nsec: (this.usec % 1e6) * 1000 }));
    return this;
  }

  rpc(port: number, call: { prog: number; vers: number; proc: number; cred?: Auth; body?: Uint8Array }, reply: Uint8Array | null, opts: { rttMs?: number; client?: string } = {}): number {
    const xid = this.xid++;
    this.send('c', port, buildCall({ xid, ...call }), opts.client);
    if (opts.rttMs) this.wait(opts.rttMs);
    if (reply) this.send('s', port, buildAcceptedReply({ xid, body: reply }), opts.client);
    return xid;
  }
}

const u32s = (...v: number[]): Uint8Array => {
  const w = new XdrWriter();
  for (const x of v) w.u32(x);
  return w.bytes();
};
const root = authUnix({ uid: 0, gid: 0, machine: 'admin-box' });
const user = authUnix({ uid: 1000, gid: 1000 });
const FH = Uint8Array.from({ length: 24 }, (_, i) => (i * 13 + 5) & 0xff);
const FH2 = Uint8Array.from({ length: 24 }, (_, i) => (i * 17 + 3) & 0xff);
const fhArg = (fh = FH): Uint8Array => new XdrWriter().opaque(fh).bytes();
const mntReply = (flavors: number[]): Uint8Array => {
  const w = new XdrWriter().u32(0).opaque(FH).u32(flavors.length);
  for (const f of flavors) w.u32(f);
  return w.bytes();
};
/** fattr3 of a regular file owned by `uid`. */
const fattr = (uid: number): XdrWriter =>
  new XdrWriter().u32(1).u32(0o644).u32(1).u32(uid).u32(uid).u64(0n).u64(0n).u32(0).u32(0).u64(1n).u64(9n).u32(1).u32(0).u32(1).u32(0).u32(1).u32(0);

// ------------------------------------------------------------------------------------------------ fixtures

test('rpc_veth_any_sll: PORTMAP DUMP over UDP answered to a remote peer: amplification from the bytes on the wire', async () => {
  const r = await analyzeFixture('rpc_veth_any_sll.pcap');
  assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
  const f = find(r, 'udp-amplification', (x) => details<AmplificationDetails>(x).procedure === 'PORTMAP v2 DUMP');
  const d = details<AmplificationDetails>(f);
  assert.equal(f.severity, 'high');
  assert.deepEqual(f.evidence, [69, 70]);
  assert.equal(d.server, '10.99.0.1');
  assert.equal(d.remotePeer, true);
  assert.deepEqual(d.peers, [{ address: '10.99.0.2', remote: true, pairs: 1, bytesIn: 40, bytesOut: 388 }]);
  // tshark's frame lengths (Linux SLL: 16-byte link header, IPv4 without options: 20, UDP: 8)
  const ipIn = tsharkFrameLen('rpc_veth_any_sll.pcap', 69) - 16;
  const ipOut = tsharkFrameLen('rpc_veth_any_sll.pcap', 70) - 16;
  assert.deepEqual([d.ipBytesIn, d.ipBytesOut], [ipIn, ipOut]);
  assert.deepEqual([d.bytesIn, d.bytesOut], [ipIn - 28, ipOut - 28]);
  assert.equal(d.basis, 'udp-payload');
  assert.equal(d.ratio, (ipOut - 28) / (ipIn - 28));
  assert.equal(d.ipRatio, ipOut / ipIn);
  assert.match(f.title, /^PORTMAP v2 DUMP over UDP answered to a remote peer \(10\.99\.0\.2\): 388 bytes out for 40 in, 9\.70× \(UDP payload; IP 416\/68 = 6\.12×\)$/);

  // RPCBIND DUMP over UDP: the reply was IP-fragmented (1500 + 480 bytes on the wire)
  const v3 = details<AmplificationDetails>(find(r, 'udp-amplification', (x) => details<AmplificationDetails>(x).procedure === 'RPCBIND v3 DUMP'));
  assert.deepEqual([v3.bytesIn, v3.bytesOut, v3.ipBytesIn, v3.ipBytesOut], [40, 1932, 68, 1500 + 480]);
  // DUMP over TCP is no reflection; INDIRECT's reply is smaller than its call (reflection without amplification)
  const amps = r.findings.filter((x) => x.kind === 'udp-amplification');
  assert.deepEqual(amps.map((x) => [details<AmplificationDetails>(x).procedure, x.severity]).sort(), [
    ['PORTMAP v2 DUMP', 'high'],
    ['RPCBIND v3 DUMP', 'high'],
    ['RPCBIND v4 DUMP', 'high'],
    ['RPCBIND v4 GETSTAT', 'high'],
    ['RPCBIND v4 INDIRECT', 'medium'],
  ]);
  assert.ok(r.findings.filter((x) => x.kind === 'udp-amplification').every((x) => !x.evidence.includes(144)));
});

test('rpc_veth_any_sll: unanswered CALLIT, services disclosed by DUMP and EXPORT, SET/UNSET refused as too weak', async () => {
  const r = await analyzeFixture('rpc_veth_any_sll.pcap');
  const callit = find(r, 'unanswered', (x) => details<UnansweredDetails>(x).procedure === 'PORTMAP v2 CALLIT');
  assert.equal(callit.severity, 'low');
  assert.deepEqual(callit.evidence, [75, 76, 150, 152]);
  assert.equal(details<UnansweredDetails>(callit).calls, 4);
  assert.match(callit.advice, /silent/);

  const dump = find(r, 'service-disclosure', (x) => details<DisclosureDetails>(x).source === 'PORTMAP v2 DUMP');
  const dd = details<DisclosureDetails>(dump);
  assert.equal(dd.itemCount, 18);
  assert.deepEqual(dd.peers, [{ address: '10.99.0.2', remote: true }]);
  assert.ok(dd.items.some((i) => i.startsWith('MOUNT (100005) ')));
  assert.equal(dump.severity, 'low');
  const exp = find(r, 'service-disclosure', (x) => details<DisclosureDetails>(x).source === 'MOUNT v3 EXPORT');
  assert.deepEqual(details<DisclosureDetails>(exp).items, ['/tmp/lab2/export (everyone)']);
  assert.match(exp.title, /some exported to everyone$/);

  const tooWeak = find(r, 'error-replies', (x) => details<ErrorDetails>(x).status === 'AUTH_ERROR (AUTH_TOOWEAK)');
  assert.equal(details<ErrorDetails>(tooWeak).count, 14);
  assert.equal(tooWeak.severity, 'low', 'rpcbind refusing remote SET/UNSET is its job');
  assert.match(tooWeak.advice, /rpcbind refuses to register/);
});

test('rpcbind_all_procs_any_sll2: UDP DUMP over loopback is reported, marked local', async () => {
  const r = await analyzeFixture('rpcbind_all_procs_any_sll2.pcap');
  const f = find(r, 'udp-amplification', (x) => details<AmplificationDetails>(x).procedure === 'PORTMAP v2 DUMP');
  const d = details<AmplificationDetails>(f);
  assert.equal(f.severity, 'info');
  assert.equal(d.remotePeer, false);
  assert.equal(d.peers[0].remote, false);
  // Linux SLL2: 20-byte link header
  assert.deepEqual([d.ipBytesIn, d.ipBytesOut], [tsharkFrameLen('rpcbind_all_procs_any_sll2.pcap', 9) - 20, tsharkFrameLen('rpcbind_all_procs_any_sll2.pcap', 10) - 20]);
  assert.deepEqual([d.bytesIn, d.bytesOut], [40, 428]);
  assert.match(f.title, /\(loopback\/local only\)/);
  const unanswered = r.findings.filter((x) => x.kind === 'unanswered').map((x) => details<UnansweredDetails>(x).procedure).sort();
  assert.deepEqual(unanswered, ['PORTMAP v2 CALLIT', 'RPCBIND v3 CALLIT', 'RPCBIND v4 BCAST', 'RPCBIND v4 INDIRECT']);
});

test('rpc_errors_lo_nsec: MNT3ERR_ACCES by path, GETPORT → port 0, PROG_MISMATCH, AUTH_ERROR, bad handles, root not squashed', async () => {
  const r = await analyzeFixture('rpc_errors_lo_nsec.pcap');
  assert.deepEqual(JSON.parse(JSON.stringify(r)), r);

  const acces = details<ErrorDetails>(find(r, 'error-replies', (x) => details<ErrorDetails>(x).status === 'MNT3ERR_ACCES'));
  assert.equal(acces.count, 8);
  assert.deepEqual(
    acces.paths.map((p) => [p.path, p.count, p.procedures]),
    [
      ['/not/exported', 3, ['MOUNT v3 MNT']],
      ['/tmp', 3, ['MOUNT v3 MNT']],
      ['/tmp/lab/export/does-not-exist', 2, ['MOUNT v3 MNT']],
    ],
  );
  assert.deepEqual(acces.paths[0].frames, [64, 65, 292, 293, 348, 349]);

  const lookups = find(r, 'unregistered-lookups');
  const ld = details<LookupDetails>(lookups);
  assert.equal(ld.server, '127.0.0.1');
  assert.deepEqual(ld.lookups.map((l) => [l.program, l.vers, l.transport, l.count]), [['AUTOFS', 1, 'tcp', 6]]);
  assert.ok(lookups.evidence.includes(229) && lookups.evidence.includes(230));
  assert.equal(lookups.severity, 'info');

  const mismatch = find(r, 'error-replies', (x) => details<ErrorDetails>(x).status === 'PROG_MISMATCH');
  assert.equal(details<ErrorDetails>(mismatch).count, 8);
  assert.ok(mismatch.evidence.includes(241) && mismatch.evidence.includes(242));

  const auth = r.findings.filter((x) => x.kind === 'error-replies' && x.title.includes('AUTH_ERROR')).map((x) => details<ErrorDetails>(x).status).sort();
  assert.deepEqual(auth, ['AUTH_ERROR (AUTH_BADCRED)', 'AUTH_ERROR (AUTH_REJECTEDCRED)', 'AUTH_ERROR (RPCSEC_GSS_CREDPROBLEM)']);
  assert.ok(r.findings.filter((x) => x.title.includes('AUTH_ERROR')).every((x) => x.severity === 'medium'));

  const bad = find(r, 'stale-handles');
  assert.equal(details<ErrorDetails>(bad).status, 'NFS3ERR_BADHANDLE');
  assert.equal(details<ErrorDetails>(bad).count, 7);
  assert.equal(bad.severity, 'medium');

  // learned paths, with and without the lookup
  const acc = details<ErrorDetails>(find(r, 'error-replies', (x) => details<ErrorDetails>(x).status === 'NFS3ERR_ACCES'));
  assert.equal(acc.paths[0].path, '127.0.0.1:/tmp/lab/export/rootonly/secret.txt');
  assert.deepEqual(acc.paths[0].procedures, ['NFS v3 LOOKUP']);
  const bare = await analyzeFixture('rpc_errors_lo_nsec.pcap', {}, false);
  const accBare = details<ErrorDetails>(find(bare, 'error-replies', (x) => details<ErrorDetails>(x).status === 'NFS3ERR_ACCES'));
  assert.equal(accBare.paths[0].path, 'FH=A402/secret.txt');

  // CREATE/MKNOD as uid 0 came back owned by uid 0
  const rootF = find(r, 'auth-unix-root');
  const rd = details<RootDetails>(rootF);
  assert.equal(rootF.severity, 'medium');
  assert.match(rootF.title, /^Root is not squashed on 127\.0\.0\.1/);
  assert.deepEqual(rd.notSquashed.map((x) => [x.replyFrame, x.path]), [
    [405, '127.0.0.1:/tmp/lab/export/chr-tcp'],
    [468, '127.0.0.1:/tmp/lab/export/chr-udp'],
  ]);

  // most severe first
  const ranks = r.findings.map((x) => ['high', 'medium', 'low', 'info'].indexOf(x.severity));
  assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b));
  assert.deepEqual(await analyzeFixture('rpc_errors_lo_nsec.pcap', {}, true, false), r, 'the same without holding calls');
});

test('text: one block per finding with severity, evidence frames, facts and advice; wire strings escaped', async () => {
  const r = await analyzeFixture('rpc_veth_any_sll.pcap');
  const lines = findingsLines(r);
  assert.match(lines[0], /^Findings: \d+ \(4 high, \d+ medium, \d+ low, \d+ info\) in 99 calls and 90 replies$/);
  const i = lines.findIndex((l) => l.startsWith('[HIGH]   PORTMAP v2 DUMP over UDP'));
  assert.ok(i > 0, lines.join('\n'));
  assert.equal(lines[i + 1], '         Evidence: frames 69, 70');
  assert.match(lines[i + 2], /UDP payload 388 bytes out \/ 40 in = 9\.70× .*IP datagrams: 416 bytes out \/ 68 in = 6\.12×/);
  assert.equal(lines[i + 3], '           peer 10.99.0.2 (remote): 1 answered, 388 bytes out / 40 in');
  assert.match(lines[i + 4], /^ {9}Advice: /);

  const w = new Wire();
  w.rpc(20048, { prog: 100005, vers: 3, proc: 1, cred: root, body: new XdrWriter().string('/evil\x1b]0;x\x07').bytes() }, u32s(13));
  const text = findingsLines(analyze(w.frames)).join('\n');
  assert.ok(!text.includes('\x1b') && !text.includes('\x07'));
  assert.ok(text.includes('/evil\\x1b]0;x\\x07'));
  assert.deepEqual(findingsLines(analyze([])), ['Findings: 0 (0 high, 0 medium, 0 low, 0 info) in 0 calls and 0 replies', 'Nothing to report.']);
});

// ------------------------------------------------------------------------------------------------ synthetic

test('retransmissions and a duplicate reply, per procedure', () => {
  const w = new Wire();
  const call = buildCall({ xid: 77, prog: 100003, vers: 3, proc: 1, cred: user, body: fhArg() });
  w.send('c', 2049, call).wait(1100).send('c', 2049, call).wait(1100).send('c', 2049, call);
  const reply = buildAcceptedReply({ xid: 77, body: u32s(70) });
  w.send('s', 2049, reply).send('s', 2049, reply);
  for (let i = 0; i < 3; i++) w.rpc(2049, { prog: 100003, vers: 3, proc: 1, cred: user, body: fhArg() }, u32s(70));
  const r = analyze(w.frames);
  const f = find(r, 'retransmissions');
  const d = details<RetransmissionDetails>(f);
  assert.deepEqual(
    { server: d.server, procedure: d.procedure, calls: d.calls, transmissions: d.transmissions, totalCalls: d.totalCalls, duplicateReplies: d.duplicateReplies },
    { server: SERVER, procedure: 'NFS v3 GETATTR', calls: 1, transmissions: 2, totalCalls: 4, duplicateReplies: 1 },
  );
  assert.deepEqual(f.evidence, [2, 3]);
  assert.equal(f.severity, 'low');
  // the stale replies are reported too, with the handle (no path learned)
  const stale = details<ErrorDetails>(find(r, 'stale-handles'));
  assert.equal(stale.count, 4);
  assert.equal(stale.paths[0].path, `FH=${stale.paths[0].path.slice(3)}`);
});

test('latency outliers: slower than 10× the median and the floor, per procedure', () => {
  const w = new Wire();
  for (let i = 0; i < 20; i++) w.rpc(2049, { prog: 100003, vers: 3, proc: 1, cred: user, body: fhArg() }, u32s(70), { rttMs: 0.2 });
  w.rpc(2049, { prog: 100003, vers: 3, proc: 1, cred: user, body: fhArg() }, u32s(70), { rttMs: 250 });
  w.rpc(2049, { prog: 100003, vers: 3, proc: 1, cred: user, body: fhArg() }, u32s(70), { rttMs: 1.5 }); // 5× the median and under the floor
  const r = analyze(w.frames);
  const f = find(r, 'latency-outliers');
  const d = details<OutlierDetails>(f);
  assert.equal(d.procedure, 'NFS v3 GETATTR');
  assert.equal(d.samples, 22);
  assert.equal(d.outliers.length, 1);
  assert.deepEqual([d.outliers[0].callFrame, d.outliers[0].replyFrame], [41, 42]);
  assert.ok(Math.abs(d.outliers[0].rtt - 0.2501) < 1e-6, String(d.outliers[0].rtt));
  assert.ok(Math.abs(d.median - 0.0003) < 1e-9, String(d.median));
  assert.equal(d.threshold, 0.01);
  assert.equal(f.severity, 'low');
  assert.match(f.title, /^1 slow NFS v3 GETATTR reply: up to 250\.100 ms \(median 0\.300 ms over 22\)$/);
  // too few samples: nothing judged
  assert.ok(!analyze(w.frames, { outlierMinSamples: 100 }).findings.some((x) => x.kind === 'latency-outliers'));
});

test('AUTH_NONE: a MNT accepted without credentials, and AUTH_NONE among the flavors MNT offers', () => {
  const w = new Wire();
  w.rpc(20048, { prog: 100005, vers: 3, proc: 1, cred: AUTH_NONE, body: new XdrWriter().string('/pub').bytes() }, mntReply([1, 0]));
  w.rpc(2049, { prog: 100003, vers: 3, proc: 0, cred: AUTH_NONE }, new Uint8Array(0)); // NULL is always AUTH_NONE: not counted
  const r = analyze(w.frames);
  const f = find(r, 'auth-none');
  const d = details<AuthNoneDetails>(f);
  assert.equal(f.severity, 'medium');
  assert.deepEqual(d.accepted, [{ client: CLIENT, procedure: 'MOUNT v3 MNT', callFrame: 1 }]);
  assert.deepEqual(d.offered, [{ export: '/pub', replyFrame: 2 }]);
  assert.equal(f.title, `${SERVER} accepted 1 MNT/NFS call with AUTH_NONE and offers AUTH_NONE for /pub`);
});

test('root: uid 0 calls without proof; a file created as root owned by nobody means root is squashed', () => {
  const w = new Wire();
  w.rpc(20048, { prog: 100005, vers: 3, proc: 1, cred: root, body: new XdrWriter().string('/srv').bytes() }, mntReply([1]));
  w.rpc(2049, { prog: 100003, vers: 3, proc: 1, cred: root, body: fhArg() }, new XdrWriter().u32(0).bytes());
  const unknown = find(analyze(w.frames), 'auth-unix-root');
  assert.equal(unknown.severity, 'low');
  assert.match(unknown.title, /sends AUTH_UNIX uid 0 \(root\) to 10\.2\.0\.1: 2 MOUNT\/NFS calls \(is root squashed\?\)$/);
  assert.deepEqual(details<RootDetails>(unknown).machines, ['admin-box']);

  // CREATE3resok: NFS3_OK, obj (handle follows), obj_attributes (attributes follow), dir_wcc (neither before nor after)
  const body = (uid: number): Uint8Array =>
    Uint8Array.from([...new XdrWriter().u32(0).u32(1).opaque(FH2).u32(1).bytes(), ...fattr(uid).bytes(), ...u32s(0, 0)]);
  const create = new XdrWriter().opaque(FH).string('f').u32(0).u32(0).u32(0).u32(0).u32(0).u32(0).u32(0).bytes(); // UNCHECKED, no attributes set
  w.rpc(2049, { prog: 100003, vers: 3, proc: 8, cred: root, body: create }, body(65534));
  const squashed = find(analyze(w.frames), 'auth-unix-root');
  assert.equal(squashed.severity, 'info');
  assert.deepEqual(details<RootDetails>(squashed).squashedTo, [65534]);
  assert.match(squashed.title, /which squashes root to uid 65534/);
});

test('unanswered calls: at the end of the capture (info) and in the middle (medium)', () => {
  const w = new Wire();
  w.rpc(2049, { prog: 100003, vers: 3, proc: 7, cred: user, body: fhArg() }, null);
  w.wait(5000);
  w.rpc(2049, { prog: 100003, vers: 3, proc: 1, cred: user, body: fhArg() }, u32s(0));
  w.rpc(2049, { prog: 100003, vers: 3, proc: 1, cred: user, body: fhArg() }, null);
  const r = analyze(w.frames);
  const write = find(r, 'unanswered', (x) => details<UnansweredDetails>(x).procedure === 'NFS v3 WRITE');
  assert.equal(write.severity, 'medium');
  assert.deepEqual(write.evidence, [1]);
  const last = find(r, 'unanswered', (x) => details<UnansweredDetails>(x).procedure === 'NFS v3 GETATTR');
  assert.equal(last.severity, 'info');
  assert.equal(details<UnansweredDetails>(last).nearEnd, 1);
  assert.match(last.title, /\(1 in the last second of the capture\)$/);
});
