/**
 * Lab: `--findings` reports the reflection/amplification pattern of rpcbind with the bytes measured on the wire.
 * `lab.sh start` runs rpcbind and nfs-ganesha (whose registrations make the port map worth dumping); a small UDP
 * client of this test sends PORTMAP v2 DUMP (and RPCBIND v3 DUMP) over UDP to 127.0.0.1:111 from a loopback
 * address of its own (so that the capture holds nothing else) while tcpdump captures lo. The capture is analysed
 * in-process (Pipeline + FindingsAnalyzer): the finding's ratio must be the reply's bytes over the call's, as tshark
 * reads them from the same capture (UDP length - 8 for the payload basis, IP total length for the IP one) and as
 * the client's socket saw them; the peer is loopback, so it is reported as not remote, severity info.
 *
 * A second part, where network namespaces can be made (`ip netns add`), sends the same DUMP from a namespace
 * joined by a veth pair (10.x addresses): there the peer is remote and the finding is high. Without namespaces
 * that part is skipped with the reason.
 *
 * Needs root and the lab's packages: skipped with the reason without them, a failure under CI=true. About 2 s.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import * as dgram from 'node:dgram';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { openCapture } from '../../src/capture/open-capture';
import { DEFAULT_PIPELINE, Pipeline } from '../../src/pipeline';
import { FindingsAnalyzer, type AmplificationDetails, type FindingsReport } from '../../src/analysis/findings';
import { findingsLines } from '../../src/analysis/findings-text';
import { ROOT } from '../helpers/fixtures';
import { buildCall } from '../helpers/rpc-builders';
import { waitForFreePort } from './lab-ports';
import { cleanupOnAbort } from './lab-lifecycle';

const LAB_SH = join(ROOT, 'test', 'lab', 'lab.sh');
const CI = process.env.CI === 'true';
const NFS_PORT = 2049;
const START_TIMEOUT_MS = 120_000;

function unmetPrerequisites(): string | null {
  if (process.platform !== 'linux') return `the lab needs Linux (this is ${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root (the lab starts rpcbind and nfs-ganesha and captures on lo)';
  const r = spawnSync('bash', [LAB_SH, 'check'], { encoding: 'utf8' });
  if (r.error) return `cannot run bash: ${r.error.message}`;
  if (r.status !== 0) return `${r.stdout.trim().split('\n').join('; ') || r.stderr.trim()}`;
  return null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const exited = (p: ChildProcess): boolean => p.exitCode !== null || p.signalCode !== null;


function waitExit(p: ChildProcess, ms: number): Promise<boolean> {
  if (exited(p)) return Promise.resolve(true);
  return new Promise((done) => {
    const timer = setTimeout(() => {
      p.off('exit', onExit);
      done(false);
    }, ms);
    const onExit = (): void => {
      clearTimeout(timer);
      done(true);
    };
    p.once('exit', onExit);
  });
}

/** tcpdump writing `pcap` from `iface` with `filter`, started and listening. */
async function startTcpdump(iface: string, pcap: string, filter: string, pidDir: string | null): Promise<{ p: ChildProcess; err: () => string }> {
  let err = '';
  const p = spawn('tcpdump', ['-i', iface, '-U', '--immediate-mode', '--time-stamp-precision=nano', '-Z', 'root', '-w', pcap, filter], { stdio: ['ignore', 'ignore', 'pipe'] });
  p.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  if (pidDir !== null && p.pid !== undefined) writeFileSync(join(pidDir, 'tcpdump.pid'), `${p.pid} tcpdump\n`);
  for (let i = 0; i < 100 && !err.includes('listening on'); i++) {
    assert.ok(!exited(p), `tcpdump exited: ${err.trim()}`);
    await sleep(100);
  }
  assert.ok(err.includes('listening on'), `tcpdump did not start: ${err.trim()}`);
  return { p, err: () => err };
}

/** Stops tcpdump; returns its statistics line. Kernel drops are not failures: on a shared lo they are other
 *  programs' packets, counted before the filter is attached; the analysis checks that our messages are there. */
async function stopTcpdump(td: { p: ChildProcess; err: () => string }): Promise<string> {
  await sleep(300);
  td.p.kill('SIGINT');
  assert.ok(await waitExit(td.p, 5000), 'tcpdump did not stop on SIGINT');
  return td.err().split('\n').filter((l) => /packets/.test(l)).join(', ');
}

/** One UDP call from `bind` to 127.0.0.1:111, sent up to 3 times (same xid); the bytes sent and received. */
function udpCall(bind: string, msg: Uint8Array, xid: number): Promise<{ sent: number; received: number }> {
  return new Promise((done, fail) => {
    const sock = dgram.createSocket('udp4');
    let tries = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (e: Error | null, r?: { sent: number; received: number }): void => {
      if (timer) clearTimeout(timer);
      sock.close();
      if (e) fail(e);
      else done(r as { sent: number; received: number });
    };
    sock.on('error', (e) => finish(e));
    sock.on('message', (m: Buffer) => {
      if (m.length >= 8 && m.readUInt32BE(0) === xid && m.readUInt32BE(4) === 1) finish(null, { sent: msg.length, received: m.length });
    });
    const send = (): void => {
      if (++tries > 3) {
        finish(new Error(`no reply from rpcbind to xid ${xid} after 3 tries`));
        return;
      }
      sock.send(msg, 111, '127.0.0.1');
      timer = setTimeout(send, 1000);
    };
    sock.bind({ address: bind, port: 0 }, send);
  });
}

async function analyse(pcap: string): Promise<FindingsReport> {
  const a = new FindingsAnalyzer();
  const p = new Pipeline(DEFAULT_PIPELINE, (ev) => a.add(ev));
  for await (const f of (await openCapture(pcap)).frames()) p.pushFrame(f);
  p.finish();
  return a.finish();
}

/** tshark's reading of the capture's UDP port 111 datagrams: frame, UDP length, IP total length. */
function tsharkUdp(pcap: string): Array<{ frame: number; udpLength: number; ipLength: number }> {
  // personal Wireshark preferences must not change the reading (as lab.sh truth)
  const config = join(dirname(pcap), 'wireshark');
  mkdirSync(config, { recursive: true });
  const r = spawnSync('tshark', ['-r', pcap, '-Y', 'udp.port == 111 && ip.flags.mf == 0 && ip.frag_offset == 0', '-T', 'fields', '-e', 'frame.number', '-e', 'udp.length', '-e', 'ip.len'], {
    encoding: 'utf8',
    env: { ...process.env, WIRESHARK_CONFIG_DIR: config },
  });
  assert.equal(r.status, 0, `tshark failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t').map(Number))
    .map(([frame, udpLength, ipLength]) => ({ frame, udpLength, ipLength }));
}

function amplification(r: FindingsReport, procedure: string): { f: FindingsReport['findings'][number]; d: AmplificationDetails } {
  const f = r.findings.find((x) => x.kind === 'udp-amplification' && (x.details as unknown as AmplificationDetails).procedure === procedure);
  assert.ok(f, `no udp-amplification finding for ${procedure}:\n${findingsLines(r).join('\n')}`);
  return { f, d: f.details as unknown as AmplificationDetails };
}

/** The finding's numbers are the capture's, as tshark reads them, for the call/reply pair it names. */
function checkAgainstTshark(pcap: string, d: AmplificationDetails, evidence: number[]): void {
  const rows = tsharkUdp(pcap);
  const [callFrame, replyFrame] = evidence;
  const call = rows.find((x) => x.frame === callFrame);
  const reply = rows.find((x) => x.frame === replyFrame);
  assert.ok(call && reply, `frames ${callFrame}/${replyFrame} not in tshark's UDP rows ${JSON.stringify(rows)}`);
  assert.equal(d.pairs, 1);
  assert.equal(d.bytesIn, call.udpLength - 8);
  assert.equal(d.bytesOut, reply.udpLength - 8);
  assert.equal(d.ratio, (reply.udpLength - 8) / (call.udpLength - 8));
  assert.equal(d.ipBytesIn, call.ipLength);
  assert.equal(d.ipBytesOut, reply.ipLength);
  assert.equal(d.ipRatio, reply.ipLength / call.ipLength);
}

const PMAP_DUMP = (xid: number): Uint8Array => buildCall({ xid, prog: 100000, vers: 2, proc: 4 });
const RPCB_DUMP = (xid: number): Uint8Array => buildCall({ xid, prog: 100000, vers: 3, proc: 4 });

test('lab: --findings reports PORTMAP DUMP over UDP with the amplification ratio of the bytes on the wire', { timeout: START_TIMEOUT_MS + 60_000 }, async (t: TestContext) => {
  const unmet = unmetPrerequisites();
  if (unmet !== null) {
    if (CI) assert.fail(`lab prerequisite missing under CI=true: ${unmet}`);
    t.skip(unmet);
    return;
  }
  const dir = mkdtempSync('/tmp/rpcsnoop-findings-');
  const me = `127.${randomInt(2, 250)}.0.${randomInt(2, 250)}`;
  let labStarted = false;
  const tcpdumps: ChildProcess[] = [];
  let ns: string | null = null;
  let veth: string | null = null;
  const cleanup = (): void => {
    for (const p of tcpdumps) if (!exited(p)) p.kill('SIGKILL');
    if (ns !== null) spawnSync('ip', ['netns', 'del', ns]);
    if (veth !== null) spawnSync('ip', ['link', 'del', veth], { stdio: 'ignore' });
    ns = null;
    veth = null;
    if (labStarted) {
      labStarted = false;
      const r = spawnSync('bash', [LAB_SH, 'stop', dir], { encoding: 'utf8', timeout: 60_000 });
      for (const l of (r.stderr ?? '').split('\n').filter(Boolean)) t.diagnostic(l);
    }
  };
  const onExit = (): void => {
    cleanup();
    rmSync(dir, { recursive: true, force: true });
  };
  const unhook = cleanupOnAbort(onExit);

  try {
    await waitForFreePort(t, NFS_PORT, START_TIMEOUT_MS);
    labStarted = true;
    const start = spawnSync('bash', [LAB_SH, 'start', dir], { encoding: 'utf8', timeout: START_TIMEOUT_MS, killSignal: 'SIGTERM' });
    for (const l of (start.stderr ?? '').split('\n').filter(Boolean)) t.diagnostic(l);
    assert.equal(start.status, 0, `lab.sh start failed:\n${start.stderr}`);

    // ------------------------------------------------------------------------------------------ loopback
    const pcap = join(dir, 'lab_findings_lo.pcap');
    const td = await startTcpdump('lo', pcap, `host ${me} and udp port 111`, dir);
    tcpdumps.push(td.p);
    const xid = randomInt(1, 0x7fffffff);
    const pmap = await udpCall(me, PMAP_DUMP(xid), xid);
    const rpcb = await udpCall(me, RPCB_DUMP(xid + 1), xid + 1);
    t.diagnostic(`PORTMAP v2 DUMP from ${me}: ${pmap.sent} bytes sent, ${pmap.received} received; RPCBIND v3 DUMP: ${rpcb.sent} / ${rpcb.received}`);
    t.diagnostic(`tcpdump: ${await stopTcpdump(td)}`);

    const r = await analyse(pcap);
    for (const l of findingsLines(r)) t.diagnostic(l);
    assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
    const { f, d } = amplification(r, 'PORTMAP v2 DUMP');
    checkAgainstTshark(pcap, d, f.evidence);
    // the client's socket saw the same UDP payloads
    assert.deepEqual([d.bytesIn, d.bytesOut], [pmap.sent, pmap.received]);
    assert.ok(d.ratio > 1, `a DUMP answers more than it is asked (${d.ratio})`);
    assert.equal(d.basis, 'udp-payload');
    assert.equal(d.server, '127.0.0.1');
    assert.equal(d.remotePeer, false);
    assert.deepEqual(d.peers.map((p) => [p.address, p.remote]), [[me, false]]);
    assert.equal(f.severity, 'info');
    assert.ok(f.title.includes(`${d.bytesOut} bytes out for ${d.bytesIn} in, ${d.ratio.toFixed(2)}× (UDP payload; IP ${d.ipBytesOut}/${d.ipBytesIn} = ${(d.ipRatio ?? 0).toFixed(2)}×)`), f.title);
    const v3 = amplification(r, 'RPCBIND v3 DUMP');
    checkAgainstTshark(pcap, v3.d, v3.f.evidence);
    assert.deepEqual([v3.d.bytesIn, v3.d.bytesOut], [rpcb.sent, rpcb.received]);
    // the port map it gave away
    const disclosed = r.findings.find((x) => x.kind === 'service-disclosure' && x.title.startsWith('PORTMAP v2 DUMP on 127.0.0.1'));
    assert.ok(disclosed, 'the DUMP is also reported as a disclosure of services');
    assert.ok((disclosed.details as { items: string[] }).items.some((i) => i.startsWith('MOUNT (100005)')), 'ganesha\'s MOUNT registration is listed');

    // ------------------------------------------------------------------------------------------ remote peer
    await t.test('from a network namespace: a remote peer, severity high', async (st) => {
      const id = `${process.pid % 10000}${randomInt(0, 100)}`;
      const nsName = `rpcsnoop-f${id}`;
      const [hostIf, nsIf] = [`rsf${id}a`, `rsf${id}b`];
      const net = `10.${randomInt(200, 250)}.${randomInt(0, 250)}`;
      const [hostIp, nsIp] = [`${net}.1`, `${net}.2`];
      const sh = (args: string[]): { status: number | null; stderr: string } => {
        const x = spawnSync(args[0], args.slice(1), { encoding: 'utf8', timeout: 10_000 });
        return { status: x.status, stderr: (x.stderr ?? '').trim() };
      };
      if (sh(['ip', 'netns', 'add', nsName]).status !== 0) {
        st.skip('cannot create a network namespace here (ip netns add failed)');
        return;
      }
      ns = nsName;
      for (const cmd of [
        ['ip', 'link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf],
        ['ip', 'link', 'set', nsIf, 'netns', nsName],
        ['ip', 'addr', 'add', `${hostIp}/30`, 'dev', hostIf],
        ['ip', 'link', 'set', hostIf, 'up'],
        ['ip', 'netns', 'exec', nsName, 'ip', 'addr', 'add', `${nsIp}/30`, 'dev', nsIf],
        ['ip', 'netns', 'exec', nsName, 'ip', 'link', 'set', nsIf, 'up'],
        ['ip', 'netns', 'exec', nsName, 'ip', 'link', 'set', 'lo', 'up'],
      ]) {
        const x = sh(cmd);
        if (cmd[2] === 'add' && cmd[1] === 'link') veth = hostIf;
        assert.equal(x.status, 0, `${cmd.join(' ')}: ${x.stderr}`);
      }
      const rpcap = join(dir, 'lab_findings_veth.pcap');
      const rtd = await startTcpdump(hostIf, rpcap, 'udp port 111', null);
      tcpdumps.push(rtd.p);
      const rxid = randomInt(1, 0x7fffffff);
      // a tiny client inside the namespace: the same 40-byte DUMP call, the lengths on stdout
      const hex = Buffer.from(PMAP_DUMP(rxid)).toString('hex');
      const script = `const s=require('dgram').createSocket('udp4');const m=Buffer.from('${hex}','hex');let n=0;const go=()=>{if(++n>3){process.exit(3)}s.send(m,111,'${hostIp}');setTimeout(go,1000)};s.on('message',(r)=>{if(r.readUInt32BE(0)===${rxid}){console.log(JSON.stringify({sent:m.length,received:r.length}));process.exit(0)}});go();`;
      const x = spawnSync('ip', ['netns', 'exec', nsName, process.execPath, '-e', script], { encoding: 'utf8', timeout: 10_000 });
      if (x.status !== 0) {
        await stopTcpdump(rtd).catch(() => undefined);
        st.skip(`rpcbind did not answer over the veth pair (exit ${String(x.status)}: ${(x.stderr ?? '').trim()}): a firewall, or rpcbind bound to loopback`);
        return;
      }
      const seen = JSON.parse(x.stdout) as { sent: number; received: number };
      st.diagnostic(`tcpdump: ${await stopTcpdump(rtd)}`);
      const rr = await analyse(rpcap);
      for (const l of findingsLines(rr)) st.diagnostic(l);
      const remote = amplification(rr, 'PORTMAP v2 DUMP');
      checkAgainstTshark(rpcap, remote.d, remote.f.evidence);
      assert.deepEqual([remote.d.bytesIn, remote.d.bytesOut], [seen.sent, seen.received]);
      assert.equal(remote.d.remotePeer, true);
      assert.deepEqual(remote.d.peers.map((p) => [p.address, p.remote]), [[nsIp, true]]);
      assert.equal(remote.d.server, hostIp);
      assert.equal(remote.f.severity, 'high');
      assert.match(remote.f.title, new RegExp(`^PORTMAP v2 DUMP over UDP answered to a remote peer \\(${nsIp.replace(/\./g, '\\.')}\\): `));
      // the same answer as on loopback: the ratio does not depend on who asks
      assert.equal(remote.d.bytesOut, d.bytesOut);
    });
  } finally {
    unhook();
    for (const p of tcpdumps) {
      if (!exited(p)) {
        p.kill('SIGINT');
        if (!(await waitExit(p, 5000))) p.kill('SIGKILL');
      }
    }
    cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});
