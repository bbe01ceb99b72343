/**
 * `--explain` (src/analysis/explain.ts, explain-text.ts): the NFSv3 mount sequence found in real captures (libnfs
 * and the lab's own client, over TCP and UDP, successful and refused mounts, rpcinfo/showmount traffic that is
 * not a mount), and on synthetic traffic the failures the fixtures do not hold: MOUNT not registered (port 0),
 * PROG_UNAVAIL, PROG_MISMATCH with the versions offered, AUTH_ERROR on MNT, no reply then a retry over TCP, a
 * stale root handle, and Linux mount.nfs's order (NFS looked up before MOUNT).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RawFrame } from '../src/capture/raw-frame';
import { DEFAULT_PIPELINE, Pipeline } from '../src/pipeline';
import { ExplainAnalyzer, type ExplainReport, type MountAttempt } from '../src/analysis/explain';
import { explainLines } from '../src/analysis/explain-text';
import { readFrames } from './helpers/capture-packets';
import { fixture } from './helpers/fixtures';
import { ethernet, frame, ipv4, tcp, udp } from './helpers/net-builders';
import { AUTH_NONE, authUnix, buildAcceptedReply, buildCall, buildDeniedReply, frameRecord, XdrWriter, type Auth } from './helpers/rpc-builders';

// ------------------------------------------------------------------------------------------------ harness

function explain(frames: RawFrame[], hold = true): ExplainReport {
  const a = new ExplainAnalyzer();
  const p = new Pipeline({ ...DEFAULT_PIPELINE, hold }, (ev) => a.add(ev));
  for (const f of frames) p.pushFrame(f);
  p.finish();
  return a.finish();
}

async function explainFixture(name: string, hold = true): Promise<ExplainReport> {
  return explain(await readFrames(fixture(name)), hold);
}

const kinds = (a: MountAttempt): string[] => a.steps.map((s) => s.kind);

/** The report must survive JSON unchanged (it is printed with --json). */
function assertJsonable(r: ExplainReport): void {
  assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
}

// A synthetic client/server conversation: UDP datagrams and TCP segments (joined mid-stream, which the reassembler
// accepts) with record marks, one frame each, 1 ms apart unless told.
const CLIENT = '10.1.0.2';
const SERVER = '10.1.0.1';
const RPCBIND = 111;
const MOUNTD = 20048;
const NFSD = 2049;

class Wire {
  readonly frames: RawFrame[] = [];
  private usec = 0;
  private readonly seq = new Map<string, number>();
  private xid = 0x1000;

  constructor(
    private readonly client = CLIENT,
    private readonly server = SERVER,
  ) {}

  nextXid(): number {
    return this.xid++;
  }

  wait(ms: number): this {
    this.usec += Math.round(ms * 1000);
    return this;
  }

  private push(bytes: Uint8Array): void {
    this.usec += 1000;
    const sec = 1_700_000_000 + Math.floor(this.usec / 1e6);
    this.frames.push(frame(bytes, 1, { frameNo: this.frames.length + 1, sec, nsec: (this.usec % 1e6) * 1000 }));
  }

  /** One message: from the client (`c`) to the server's port, or back. */
  send(from: 'c' | 's', transport: 'udp' | 'tcp', port: number, msg: Uint8Array, clientPort = 800): this {
    const [src, dst, sport, dport] = from === 'c' ? [this.client, this.server, clientPort, port] : [this.server, this.client, port, clientPort];
    if (transport === 'udp') {
      this.push(ethernet(ipv4(udp(msg, { sport, dport }), { src, dst, protocol: 17 })));
      return this;
    }
    const rec = frameRecord(msg);
    const key = `${src}:${sport}>${dst}:${dport}`;
    const back = `${dst}:${dport}>${src}:${sport}`;
    const seq = this.seq.get(key) ?? 1000;
    this.seq.set(key, seq + rec.length);
    this.push(ethernet(ipv4(tcp(rec, { sport, dport, seq, ack: this.seq.get(back) ?? 1000, flags: 0x18 }), { src, dst, protocol: 6 })));
    return this;
  }

  /** A call and (unless `reply` is null) its reply. */
  rpc(transport: 'udp' | 'tcp', port: number, call: { prog: number; vers: number; proc: number; cred?: Auth; body?: Uint8Array }, reply: ((xid: number) => Uint8Array) | null, clientPort = 800): this {
    const xid = this.nextXid();
    this.send('c', transport, port, buildCall({ xid, ...call }), clientPort);
    if (reply) this.send('s', transport, port, reply(xid), clientPort);
    return this;
  }
}

const unix = authUnix({ uid: 0, gid: 0, machine: 'client' });
const ok = (body: Uint8Array = new Uint8Array(0)) => (xid: number) => buildAcceptedReply({ xid, body });
const u32s = (...v: number[]): Uint8Array => {
  const w = new XdrWriter();
  for (const x of v) w.u32(x);
  return w.bytes();
};
const getport = (prog: number, vers: number, prot: number) => ({ prog: 100000, vers: 2, proc: 3, body: u32s(prog, vers, prot, 0) });
const dirpath = (p: string): Uint8Array => new XdrWriter().string(p).bytes();
const FH = Uint8Array.from({ length: 24 }, (_, i) => (i * 37 + 11) & 0xff);
const fhArg = new XdrWriter().opaque(FH).bytes();
const mntOk = new XdrWriter().u32(0).opaque(FH).u32(1).u32(1).bytes();
const fsinfoOk = new XdrWriter().u32(0).u32(0).u32(1 << 20).u32(1 << 20).u32(4096).u32(1 << 20).u32(1 << 20).u32(4096).u32(8192).u64(1n << 62n).u32(0).u32(1).u32(0x1b).bytes();
const pathconfOk = new XdrWriter().u32(0).u32(0).u32(32000).u32(255).u32(1).u32(1).u32(0).u32(1).bytes();
const getattrOk = new XdrWriter()
  .u32(0)
  .u32(2) // NF3DIR
  .u32(0o755)
  .u32(2)
  .u32(0)
  .u32(0)
  .u64(4096n)
  .u64(4096n)
  .u32(0)
  .u32(0)
  .u64(1n)
  .u64(2n)
  .u32(1)
  .u32(0)
  .u32(1)
  .u32(0)
  .u32(1)
  .u32(0)
  .bytes();

// ------------------------------------------------------------------------------------------------ fixtures

test('lab_mount_sequence_lo: the seed sequence over UDP, then over TCP, each mounted', async () => {
  const r = await explainFixture('lab_mount_sequence_lo.pcap');
  assertJsonable(r);
  assert.deepEqual(r.totals, { attempts: 2, mounted: 2, failed: 0, incomplete: 0, other: 0 });
  assert.equal(r.clients.length, 1);
  const [udpRun, tcpRun] = r.clients[0].attempts;
  const seq = ['lookup-mount', 'mount-null', 'mnt', 'lookup-nfs', 'nfs-null', 'fsinfo', 'getattr', 'umnt'];
  for (const [a, t] of [[udpRun, 'udp'], [tcpRun, 'tcp']] as const) {
    assert.deepEqual(kinds(a), seq);
    assert.equal(a.verdict, 'mounted');
    assert.equal(a.failedStep, null);
    assert.equal(a.mountTransport, t);
    assert.equal(a.nfsTransport, t);
    assert.equal(a.mountVersion, 3);
    assert.equal(a.rootFhHash, '412E');
    assert.match(a.export ?? '', /^\/tmp\/rpcsnoop-mountseq-\w+\/export$/);
    assert.deepEqual(a.steps.map((s) => s.step), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.ok(a.steps.every((s) => s.ok && s.rtt !== null && s.rtt > 0 && s.rtt < 0.01 && s.why.length > 20));
    assert.equal(a.steps[0].answered, 'port 20048');
    assert.equal(a.steps[3].answered, 'port 2049');
    assert.match(a.steps[2].answered, /^MNT3_OK: root handle FH=412E \(24 bytes\), auth flavors AUTH_UNIX$/);
    assert.match(a.steps[2].asked, /^MOUNT v3 MNT \/tmp\/.*\/export \(AUTH_UNIX uid 0\)$/);
    assert.match(a.steps[5].answered, /^NFS3_OK: rtmax \d+, wtmax \d+/);
    assert.match(a.steps[6].answered, /^NFS3_OK: directory, mode 0755, uid 0, gid 0$/);
  }
  // frames as in the golden summary (fixtures/golden/lab_mount_sequence_lo.pcap.txt)
  assert.deepEqual(udpRun.steps.map((s) => s.frames), [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10], [11, 12], [13, 14], [15, 16]]);
  assert.deepEqual(tcpRun.steps.map((s) => [s.callFrame, s.replyFrame]), [[20, 22], [30, 32], [34, 35], [39, 41], [49, 51], [53, 54], [55, 56], [60, 61]]);
  assert.equal(udpRun.steps[0].asked, 'PORTMAP v2 GETPORT MOUNT v3 proto UDP');
  assert.equal(tcpRun.steps[3].asked, 'PORTMAP v2 GETPORT NFS v3 proto TCP');
  assert.equal(udpRun.retryOf, null);
  assert.equal(tcpRun.retryOf, null, 'a mounted attempt is not retried');
});

test('the report is the same whether calls are held for their replies or not', async () => {
  for (const name of ['lab_mount_sequence_lo.pcap', 'rpc_errors_lo_nsec.pcap', 'nfs3_browse_lo.pcap']) {
    assert.deepEqual(await explainFixture(name, false), await explainFixture(name, true), name);
  }
});

test('nfs3_browse_lo: seven libnfs mounts over TCP, with its PORTMAP NULL pings and EXPORT; nfs-ls -e is not a mount', async () => {
  const r = await explainFixture('nfs3_browse_lo.pcap');
  assertJsonable(r);
  assert.equal(r.totals.attempts, 7);
  assert.equal(r.totals.mounted, 7);
  const c = r.clients[0];
  const first = c.attempts[0];
  assert.deepEqual(kinds(first), ['portmap-null', 'lookup-mount', 'mount-null', 'mnt', 'export', 'portmap-null', 'lookup-nfs', 'nfs-null', 'fsinfo', 'getattr']);
  assert.equal(first.export, '/tmp/lab/export');
  assert.equal(first.rootFhHash, '706E');
  assert.deepEqual([first.firstFrame, first.lastFrame], [24, 63]);
  // the MNT paths of fixtures/golden/nfs3_browse_lo.pcap.txt
  assert.deepEqual(
    c.attempts.map((a) => a.export),
    ['/tmp/lab/export', '/tmp/lab/export/corpus', '/tmp/lab/export', '/tmp/lab/export/sub', '/tmp/lab/export/corpus', '/tmp/lab/export/corpus/deep/a/b/c', '/tmp/lab/export/sub'],
  );
  assert.ok(c.attempts.every((a) => a.mountTransport === 'tcp' && a.nfsTransport === 'tcp'));
  // frames 4-19: PORTMAP NULL, GETPORT MOUNT, MOUNT NULL, EXPORT and nothing else
  assert.equal(c.other.length, 1);
  assert.equal(c.other[0].kind, 'export-list');
  assert.equal(c.other[0].frames[0], 4);
  // optional steps are marked so
  assert.ok(first.steps.filter((s) => s.optional).every((s) => s.kind === 'portmap-null' || s.kind === 'export'));
});

test('rpc_errors_lo_nsec: MNT3ERR_ACCES names the MNT step, and the next attempt is a retry with another path', async () => {
  const r = await explainFixture('rpc_errors_lo_nsec.pcap');
  assertJsonable(r);
  const attempts = r.clients[0].attempts;
  const refused = attempts[1];
  assert.equal(refused.export, '/not/exported');
  assert.equal(refused.verdict, 'failed');
  assert.deepEqual(kinds(refused), ['portmap-null', 'lookup-mount', 'mount-null', 'mnt']);
  assert.equal(refused.failedStep, 4);
  const mnt = refused.steps[3];
  assert.equal(mnt.ok, false);
  assert.equal(mnt.answered, 'MNT3ERR_ACCES');
  assert.deepEqual([mnt.callFrame, mnt.replyFrame], [64, 65]);
  assert.match(refused.cause ?? '', /^MNT3ERR_ACCES: .*not exported/);
  const next = attempts[2];
  assert.equal(next.export, '/tmp');
  assert.equal(next.retryOf, 2);
  assert.equal(refused.retriedBy, 3);
  assert.equal(next.retryChange, 'export /not/exported → /tmp');

  // a client that pings MOUNT v2 (PROG_MISMATCH, v1-v3 offered) and then mounts with v3: the MNT decides,
  // the refused version is a note
  const probing = attempts.find((a) => a.steps.some((s) => s.asked === 'MOUNT v2 NULL') && a.mountTransport === 'tcp');
  assert.ok(probing);
  assert.equal(probing.steps[probing.failedStep! - 1].kind, 'mnt');
  const v2 = probing.steps.find((s) => s.asked === 'MOUNT v2 NULL');
  assert.equal(v2?.answered, 'PROG_MISMATCH (server has v1-v3)');
  assert.match(v2?.cause ?? '', /offers versions 1 to 3; the client asked for version 2/);
  assert.ok(probing.notes.some((n) => n.includes('MOUNT v2 NULL') && n.includes('the client went on')));

  // the over-long path: GARBAGE_ARGS, and the path is shortened in sentences but kept whole in `export`
  const garbage = attempts.find((a) => a.steps.some((s) => s.answered === 'GARBAGE_ARGS'));
  assert.ok(garbage);
  assert.ok((garbage.export ?? '').length > 1000);
  assert.ok(garbage.steps.every((s) => s.asked.length < 200));
  assert.match(garbage.cause ?? '', /^GARBAGE_ARGS/);

  // the mounts that worked
  assert.equal(r.totals.mounted, 6);
  // NFS lookups and NULL pings of NFS v2/v4 without a mount: not attempts (GETPORT of AUTOFS is not about mounts)
  const probe = r.clients[0].other.find((o) => o.frames[0] === 231);
  assert.equal(probe?.kind, 'ping');
  assert.deepEqual(probe?.steps.map((s) => s.asked).slice(0, 2), ['PORTMAP v2 GETPORT NFS v4 proto UDP', 'PORTMAP v2 GETPORT NFS v3 proto TCP']);
});

test('rpcbind_rpcinfo_lo: rpcinfo and showmount traffic is listed as not a mount', async () => {
  const r = await explainFixture('rpcbind_rpcinfo_lo.pcapng');
  assert.equal(r.totals.attempts, 0);
  const other = r.clients[0].other;
  assert.deepEqual(
    other.map((o) => o.kind),
    ['ping', 'ping', 'ping', 'export-list', 'mount-list', 'mount-list'],
  );
  assert.ok(other[2].steps.some((s) => s.asked === 'MOUNT v0 NULL' && s.answered === 'PROG_MISMATCH (server has v1-v3)'));
});

test('text: numbered steps with frames, latency and why; the failing step with its cause; wire strings escaped', async () => {
  const r = await explainFixture('rpc_errors_lo_nsec.pcap');
  const lines = explainLines(r);
  assert.match(lines[0], /^Mount sequences: 16 attempts \(6 mounted, 10 failed\)/);
  const i = lines.findIndex((l) => l.startsWith('  Attempt 2: 127.0.0.1:/not/exported'));
  assert.ok(i > 0, lines.join('\n'));
  assert.match(lines[i], /MOUNT v3 over TCP: FAILED \(\d+\.\d{3} ms, frames 50-65\)$/);
  assert.match(lines[i + 1], /^ {4}1\. \[ok {2}\] PORTMAP v2 NULL -> OK \(an empty answer\) {2}\(frames 50, 52, \d+\.\d{3} ms\)$/);
  assert.match(lines[i + 2], /^ {10}Why: A ping of rpcbind/);
  const fail = lines.findIndex((l, k) => k > i && l.includes('[FAIL] MOUNT v3 MNT /not/exported'));
  assert.match(lines[fail], /-> MNT3ERR_ACCES {2}\(frames 64, 65, /);
  assert.match(lines[fail + 2], /^ {10}Likely cause: MNT3ERR_ACCES: /);
  assert.ok(lines.some((l) => l.startsWith('  Verdict: FAILED at step 4 (MOUNT v3 MNT /not/exported (AUTH_UNIX uid 0)): MNT3ERR_ACCES')));
  assert.ok(lines.some((l) => l === '  (a retry of attempt 2: export /not/exported → /tmp)'));
  assert.ok(!explainLines(r, { brief: true }).some((l) => l.includes('Why:')));

  // a path with an escape sequence cannot reach the terminal raw
  const w = new Wire();
  w.rpc('udp', MOUNTD, { prog: 100005, vers: 3, proc: 1, cred: unix, body: dirpath('/x\x1b[2J\ny') }, ok(u32s(13)));
  const text = explainLines(explain(w.frames)).join('\n');
  assert.ok(!text.includes('\x1b'));
  assert.ok(text.includes('/x\\x1b[2J\\ny'));
});

// ------------------------------------------------------------------------------------------------ synthetic

test('GETPORT MOUNT answers port 0: the lookup is the failing step, MOUNT is not registered', () => {
  const w = new Wire();
  w.rpc('udp', RPCBIND, getport(100005, 3, 17), ok(u32s(0)));
  const r = explain(w.frames);
  assert.equal(r.totals.failed, 1);
  const a = r.clients[0].attempts[0];
  assert.equal(a.client, CLIENT);
  assert.equal(a.server, SERVER);
  assert.equal(a.failedStep, 1);
  assert.equal(a.steps[0].answered, 'port 0: not registered');
  assert.match(a.cause ?? '', /^MOUNT v3 is not registered with rpcbind on 10\.1\.0\.1 for UDP: mountd is not running/);
  assert.equal(a.export, null);
  assert.equal(a.mountTransport, 'udp');
});

test('RPCBIND GETADDR of MOUNT answers the empty address: not registered', () => {
  const w = new Wire();
  const rpcb = new XdrWriter().u32(100005).u32(3).string('tcp').string('').string('').bytes();
  w.rpc('tcp', RPCBIND, { prog: 100000, vers: 4, proc: 3, body: rpcb }, ok(new XdrWriter().string('').bytes()));
  const a = explain(w.frames).clients[0].attempts[0];
  assert.equal(a.verdict, 'failed');
  assert.equal(a.steps[0].asked, 'RPCBIND v4 GETADDR MOUNT v3 netid tcp');
  assert.equal(a.steps[0].answered, 'empty address: not registered');
  assert.match(a.cause ?? '', /not registered with rpcbind .* for TCP/);
});

test('PROG_UNAVAIL from the port rpcbind gave: a stale registration', () => {
  const w = new Wire();
  w.rpc('udp', RPCBIND, getport(100005, 3, 17), ok(u32s(MOUNTD)));
  w.rpc('udp', MOUNTD, { prog: 100005, vers: 3, proc: 0, cred: unix }, (xid) => buildAcceptedReply({ xid, acceptStat: 1 }));
  const a = explain(w.frames).clients[0].attempts[0];
  assert.equal(a.failedStep, 2);
  assert.equal(a.steps[1].answered, 'PROG_UNAVAIL');
  assert.match(a.cause ?? '', /^PROG_UNAVAIL: the process answering at 10\.1\.0\.1 port 20048 does not serve MOUNT: a stale rpcbind registration/);
});

test('MNT with a MOUNT version the server lacks: PROG_MISMATCH names the versions offered', () => {
  const w = new Wire();
  w.rpc('udp', RPCBIND, getport(100005, 4, 17), ok(u32s(MOUNTD)));
  w.rpc('udp', MOUNTD, { prog: 100005, vers: 4, proc: 1, cred: unix, body: dirpath('/export') }, (xid) => buildAcceptedReply({ xid, acceptStat: 2, mismatch: { low: 1, high: 3 } }));
  const a = explain(w.frames).clients[0].attempts[0];
  assert.deepEqual(kinds(a), ['lookup-mount', 'mnt']);
  assert.equal(a.mountVersion, 4);
  assert.equal(a.failedStep, 2);
  assert.equal(a.steps[1].answered, 'PROG_MISMATCH (server has v1-v3)');
  assert.match(a.cause ?? '', /^PROG_MISMATCH: the server's MOUNT program offers versions 1 to 3; the client asked for version 4 \(use a version it offers, e\.g\. mountvers=3\)\.$/);
  // v4 arguments are not decoded (no MOUNT v4 in the registry), but the step is still the MNT
  assert.equal(a.steps[1].asked, 'MOUNT v4 MNT (path not decoded) (AUTH_UNIX uid 0)');
});

test('AUTH_ERROR on MNT: the auth_stat and what it means', () => {
  const w = new Wire();
  w.rpc('tcp', RPCBIND, getport(100005, 3, 6), ok(u32s(MOUNTD)));
  w.rpc('tcp', MOUNTD, { prog: 100005, vers: 3, proc: 1, cred: AUTH_NONE, body: dirpath('/secure') }, (xid) => buildDeniedReply({ xid, authStat: 5 }));
  const a = explain(w.frames).clients[0].attempts[0];
  assert.equal(a.failedStep, 2);
  assert.equal(a.steps[1].asked, 'MOUNT v3 MNT /secure (AUTH_NONE)');
  assert.equal(a.steps[1].answered, 'AUTH_ERROR (AUTH_TOOWEAK)');
  assert.match(a.cause ?? '', /^AUTH_ERROR \(AUTH_TOOWEAK\): the security flavor is too weak for this export/);
});

test('no reply to GETPORT over UDP (three transmissions), then the client retries over TCP and mounts', () => {
  const w = new Wire();
  const xid = w.nextXid();
  const call = buildCall({ xid, ...getport(100005, 3, 17) });
  w.send('c', 'udp', RPCBIND, call).wait(1000).send('c', 'udp', RPCBIND, call).wait(1000).send('c', 'udp', RPCBIND, call).wait(2000);
  w.rpc('tcp', RPCBIND, getport(100005, 3, 6), ok(u32s(MOUNTD)), 801);
  w.rpc('tcp', MOUNTD, { prog: 100005, vers: 3, proc: 1, cred: unix, body: dirpath('/export') }, ok(mntOk), 802);
  w.rpc('tcp', NFSD, { prog: 100003, vers: 3, proc: 19, cred: unix, body: fhArg }, ok(fsinfoOk), 803);
  const r = explain(w.frames);
  const [lost, retry] = r.clients[0].attempts;
  assert.equal(lost.verdict, 'failed');
  assert.equal(lost.failedStep, 1);
  assert.equal(lost.steps[0].answered, 'no reply');
  assert.equal(lost.steps[0].retransmissions, 2);
  assert.deepEqual(lost.steps[0].frames, [1, 2, 3]);
  assert.match(lost.cause ?? '', /^No reply from rpcbind on 10\.1\.0\.1 \(3 transmissions over UDP\)/);
  assert.equal(retry.verdict, 'mounted');
  assert.equal(retry.retryOf, 1);
  assert.equal(lost.retriedBy, 2);
  assert.equal(retry.retryChange, 'transport UDP → TCP');
  assert.deepEqual(kinds(retry), ['lookup-mount', 'mnt', 'fsinfo']);
  assert.equal(retry.rootFhHash !== null, true);
  const text = explainLines(r).join('\n');
  assert.match(text, /\(a retry of attempt 1: transport UDP → TCP\)/);
  assert.match(text, /\[FAIL\] PORTMAP v2 GETPORT MOUNT v3 proto UDP -> no reply {2}\(frames 1, 2, 3, 2 retransmissions\)$/m);
});

test('a GETPORT asked again after a lost datagram, with a new xid, stays in the same attempt', () => {
  const w = new Wire();
  w.rpc('udp', RPCBIND, getport(100005, 3, 17), null).wait(3000);
  w.rpc('udp', RPCBIND, getport(100005, 3, 17), ok(u32s(MOUNTD)));
  w.rpc('udp', MOUNTD, { prog: 100005, vers: 3, proc: 1, cred: unix, body: dirpath('/export') }, ok(mntOk));
  w.rpc('udp', NFSD, { prog: 100003, vers: 3, proc: 1, cred: unix, body: fhArg }, ok(getattrOk));
  const r = explain(w.frames);
  assert.equal(r.totals.attempts, 1);
  const a = r.clients[0].attempts[0];
  assert.equal(a.verdict, 'mounted');
  assert.deepEqual(kinds(a), ['lookup-mount', 'lookup-mount', 'mnt', 'getattr']);
  assert.equal(a.steps[0].ok, false);
  assert.ok(a.notes.some((n) => n.startsWith('Step 1 ') && n.includes('no reply')));
});

test('the root handle is stale at the first NFS call: FSINFO is the failing step', () => {
  const w = new Wire();
  w.rpc('udp', MOUNTD, { prog: 100005, vers: 3, proc: 1, cred: unix, body: dirpath('/export') }, ok(mntOk));
  w.rpc('udp', NFSD, { prog: 100003, vers: 3, proc: 19, cred: unix, body: fhArg }, ok(u32s(70, 0)));
  const a = explain(w.frames).clients[0].attempts[0];
  assert.deepEqual(kinds(a), ['mnt', 'fsinfo']);
  assert.equal(a.failedStep, 2);
  assert.equal(a.steps[1].answered, 'NFS3ERR_STALE');
  assert.match(a.cause ?? '', /^NFS3ERR_STALE: the NFS server does not recognise the root handle/);
});

test('Linux mount.nfs order: NFS looked up and pinged before MOUNT, then FSINFO, PATHCONF, GETATTR', () => {
  const w = new Wire();
  w.rpc('tcp', RPCBIND, getport(100003, 3, 6), ok(u32s(NFSD)), 801);
  w.rpc('tcp', NFSD, { prog: 100003, vers: 3, proc: 0 }, ok(), 802);
  w.rpc('udp', RPCBIND, getport(100005, 3, 17), ok(u32s(MOUNTD)), 803);
  w.rpc('udp', MOUNTD, { prog: 100005, vers: 3, proc: 0 }, ok(), 804);
  w.rpc('udp', MOUNTD, { prog: 100005, vers: 3, proc: 1, cred: unix, body: dirpath('/srv') }, ok(mntOk), 804);
  w.rpc('tcp', NFSD, { prog: 100003, vers: 3, proc: 19, cred: unix, body: fhArg }, ok(fsinfoOk), 805);
  w.rpc('tcp', NFSD, { prog: 100003, vers: 3, proc: 20, cred: unix, body: fhArg }, ok(pathconfOk), 805);
  w.rpc('tcp', NFSD, { prog: 100003, vers: 3, proc: 1, cred: unix, body: fhArg }, ok(getattrOk), 805);
  // ordinary traffic afterwards is not part of the mount
  w.rpc('tcp', NFSD, { prog: 100003, vers: 3, proc: 4, cred: unix, body: new XdrWriter().opaque(FH).u32(1).bytes() }, ok(u32s(0, 0, 1)), 805);
  const r = explain(w.frames);
  assert.equal(r.totals.attempts, 1);
  const a = r.clients[0].attempts[0];
  assert.deepEqual(kinds(a), ['lookup-nfs', 'nfs-null', 'lookup-mount', 'mount-null', 'mnt', 'fsinfo', 'pathconf', 'getattr']);
  assert.equal(a.verdict, 'mounted');
  assert.equal(a.mountTransport, 'udp');
  assert.equal(a.nfsTransport, 'tcp');
  assert.match(a.steps[5].answered, /^NFS3_OK: rtmax 1048576, wtmax 1048576, dtpref 8192, maxfilesize 4611686018427387904$/);
  assert.match(a.steps[6].answered, /^NFS3_OK: name_max 255, linkmax 32000/);
  assert.equal(a.steps[7].answered, 'NFS3_OK: directory, mode 0755, uid 0, gid 0');
});

test('a MNT that answered OK with no NFS call after it is incomplete, not failed', () => {
  const w = new Wire();
  w.rpc('udp', MOUNTD, { prog: 100005, vers: 3, proc: 1, cred: unix, body: dirpath('/export') }, ok(mntOk));
  const a = explain(w.frames).clients[0].attempts[0];
  assert.equal(a.verdict, 'incomplete');
  assert.equal(a.failedStep, null);
  assert.match(a.cause ?? '', /no NFS call on it is in the capture/);
});

test('two clients are reported apart; an empty capture has no clients', () => {
  const w1 = new Wire('10.1.0.7');
  w1.rpc('udp', RPCBIND, getport(100005, 3, 17), ok(u32s(0)));
  const w2 = new Wire('10.1.0.8');
  w2.rpc('udp', RPCBIND, getport(100005, 3, 17), ok(u32s(MOUNTD)));
  w2.rpc('udp', MOUNTD, { prog: 100005, vers: 3, proc: 5 }, ok(u32s(0)));
  const frames = [...w1.frames, ...w2.frames].map((f, i) => ({ ...f, frameNo: i + 1 }));
  const r = explain(frames);
  assert.deepEqual(r.clients.map((c) => c.client), ['10.1.0.7', '10.1.0.8']);
  assert.equal(r.clients[0].attempts[0].verdict, 'failed');
  assert.equal(r.clients[1].attempts.length, 0);
  assert.equal(r.clients[1].other[0].kind, 'export-list');
  const empty = explain([]);
  assert.deepEqual(empty.clients, []);
  assert.deepEqual(explainLines(empty), ['Mount sequences: 0 attempts (0 mounted, 0 failed)', 'No mount sequence, MOUNT or NFS lookup in the capture.']);
});
