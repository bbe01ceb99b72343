/**
 * Lab: `--services` against `rpcinfo -p`. `lab.sh start DIR` runs rpcbind and nfs-ganesha; tcpdump captures lo
 * while `rpcinfo -p 127.0.0.1` (PORTMAP v2 DUMP over TCP) runs — its output saved at that moment — and some client
 * traffic follows (RPCBIND v4 GETADDR + MOUNT NULL over UDP, NFS NULL over TCP, MOUNT EXPORT); then the servers
 * stop, and the services table rebuilt from the capture (ServicesAnalyzer on the pipeline's events) must list
 * exactly the rows `rpcinfo -p` printed (program, version, protocol, port, service name), all announced by the
 * DUMP, and the services the clients talked to also observed.
 *
 * Once the CLI has `--services --json`, its output must be the same report (checked when `rpcsnoop --services`
 * is accepted; noted and skipped otherwise).
 *
 * Needs root and the lab's packages: skipped with the reason without them, a failure under CI=true (as the other
 * lab tests). `npm run test:lab` runs it; it takes a few seconds. LAB_KEEP=1 keeps the directory (capture, rpcinfo
 * output, ganesha log) of a failed run.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { Pipeline, DEFAULT_PIPELINE } from '../../src/pipeline';
import { isRpcEvent } from '../../src/rpc/rpc-event';
import { ServicesAnalyzer, type ServicesReport } from '../../src/analysis/services';
import { servicesLines } from '../../src/analysis/services-table';
import { readFrames } from '../helpers/capture-packets';
import { BIN, ROOT } from '../helpers/fixtures';
import { waitForFreePort } from './lab-ports';
import { cleanupOnAbort } from './lab-lifecycle';

const LAB_SH = join(ROOT, 'test', 'lab', 'lab.sh');
const CI = process.env.CI === 'true';
const SERVER = '127.0.0.1';
/** Every port of the lab (lab.sh: rpcbind, NFS, MOUNT, NLM, RQUOTA). */
const CAPTURE_FILTER = 'port 111 or port 2049 or port 20048 or port 32803 or port 875';
const NFS_PORT = 2049;
const START_TIMEOUT_MS = 120_000;
const CLIENT_TIMEOUT_MS = 30_000;

/** Why the lab cannot run here, or null if it can (as the other lab tests). */
function unmetPrerequisites(): string | null {
  if (process.platform !== 'linux') return `the lab needs Linux (this is ${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root (the lab starts rpcbind and nfs-ganesha and captures on lo)';
  const r = spawnSync('bash', [LAB_SH, 'check'], { encoding: 'utf8' });
  if (r.error) return `cannot run bash: ${r.error.message}`;
  if (r.status !== 0) return `${r.stdout.trim().split('\n').join('; ') || r.stderr.trim()}`;
  return null;
}

/** The rows of `rpcinfo -p` output as "program vers proto port service", sorted; the header checked. */
function rpcinfoRows(text: string): string[] {
  const lines = text.split('\n').filter((l) => l.trim().length > 0);
  assert.equal(lines[0], '   program vers proto   port  service', 'rpcinfo -p header');
  return lines
    .slice(1)
    .map((l) => l.trim().split(/\s+/).slice(0, 5).join(' '))
    .sort(compareRows);
}

function compareRows(a: string, b: string): number {
  const [pa, va, ta, na] = a.split(' ');
  const [pb, vb, tb, nb] = b.split(' ');
  return Number(pa) - Number(pb) || Number(va) - Number(vb) || (ta < tb ? -1 : ta > tb ? 1 : 0) || Number(na) - Number(nb);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));


function exited(p: ChildProcess): boolean {
  return p.exitCode !== null || p.signalCode !== null;
}

function waitExit(p: ChildProcess, ms: number): Promise<boolean> {
  if (exited(p)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      p.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    p.once('exit', onExit);
  });
}

/** Runs a client command to its end (bounded); stdout and stderr as text. */
function client(cmd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: CLIENT_TIMEOUT_MS, killSignal: 'SIGTERM' });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function servicesOfCapture(path: string): Promise<ServicesReport> {
  const a = new ServicesAnalyzer();
  const p = new Pipeline(DEFAULT_PIPELINE, (ev) => {
    if (isRpcEvent(ev)) a.add(ev);
  });
  for (const f of await readFrames(path)) p.pushFrame(f);
  p.finish();
  return a.finish();
}

test('lab: --services rebuilds the table rpcinfo -p printed', { timeout: START_TIMEOUT_MS + 4 * CLIENT_TIMEOUT_MS + 60_000 }, async (t: TestContext) => {
  const unmet = unmetPrerequisites();
  if (unmet !== null) {
    if (CI) assert.fail(`lab prerequisite missing under CI=true: ${unmet}`);
    t.skip(unmet);
    return;
  }

  const dir = mkdtempSync('/tmp/rpcsnoop-services-');
  const pcap = join(dir, 'lab_services_lo.pcap');
  let tcpdump: ChildProcess | null = null;
  let labStarted = false;
  let passed = false;

  /** Stops what we started; safe to call twice. Synchronous, so that a signal handler can use it. */
  const stopLab = (): void => {
    if (tcpdump && !exited(tcpdump)) tcpdump.kill('SIGKILL');
    if (labStarted) {
      labStarted = false;
      const r = spawnSync('bash', [LAB_SH, 'stop', dir], { encoding: 'utf8', timeout: 60_000 });
      for (const l of (r.stderr ?? '').split('\n').filter(Boolean)) t.diagnostic(l);
    }
  };
  const onExit = (): void => {
    stopLab();
    if (process.env.LAB_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
  };
  const unhook = cleanupOnAbort(onExit);

  try {
    // ------------------------------------------------------------------------------------------ servers
    // Another lab (another lab test, or someone's) holds the ports until it ends: wait for it.
    await waitForFreePort(t, NFS_PORT, START_TIMEOUT_MS);
    labStarted = true;
    const start = spawnSync('bash', [LAB_SH, 'start', dir], { encoding: 'utf8', timeout: START_TIMEOUT_MS, killSignal: 'SIGTERM' });
    for (const l of (start.stderr ?? '').split('\n').filter(Boolean)) t.diagnostic(l);
    assert.equal(start.error, undefined, `lab.sh start did not finish: ${String(start.error)}`);
    assert.equal(start.status, 0, `lab.sh start failed:\n${start.stderr}`);

    // ------------------------------------------------------------------------------------------ capture
    let tcpdumpErr = '';
    const td = spawn('tcpdump', ['-i', 'lo', '-U', '--immediate-mode', '--time-stamp-precision=nano', '-Z', 'root', '-w', pcap, CAPTURE_FILTER], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    tcpdump = td;
    td.stderr.setEncoding('utf8').on('data', (d: string) => (tcpdumpErr += d));
    if (td.pid !== undefined) writeFileSync(join(dir, 'tcpdump.pid'), `${td.pid} tcpdump\n`);
    for (let i = 0; i < 100 && !tcpdumpErr.includes('listening on'); i++) {
      assert.ok(!exited(td), `tcpdump exited: ${tcpdumpErr.trim()}`);
      await sleep(100);
    }
    assert.ok(tcpdumpErr.includes('listening on'), `tcpdump did not start within 10 s: ${tcpdumpErr.trim()}`);

    // rpcinfo -p: PORTMAP v2 DUMP; its output is the expectation
    const dump = client('rpcinfo', ['-p', SERVER]);
    assert.equal(dump.status, 0, `rpcinfo -p failed: ${dump.stderr}`);
    writeFileSync(join(dir, 'rpcinfo-p.txt'), dump.stdout);
    for (const l of dump.stdout.split('\n').filter(Boolean)) t.diagnostic(`rpcinfo -p: ${l}`);
    // client traffic to the services (each must succeed)
    for (const args of [
      ['-T', 'udp', SERVER, '100005', '3'], // RPCBIND v4 GETADDR over UDP + MOUNT v3 NULL over UDP
      ['-T', 'tcp', SERVER, '100003', '3'], // RPCBIND GETADDR + NFS v3 NULL over TCP
      ['-n', String(NFS_PORT), '-u', SERVER, '100003', '3'], // NFS v3 NULL over UDP, port given (no rpcbind query)
    ]) {
      const r = client('rpcinfo', args);
      assert.equal(r.status, 0, `rpcinfo ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
    }
    const sm = client('showmount', ['-e', SERVER]);
    assert.equal(sm.status, 0, `showmount -e failed: ${sm.stderr}`);

    await sleep(300); // let the last FIN/ACKs through
    td.kill('SIGINT');
    assert.ok(await waitExit(td, 5000), 'tcpdump did not stop on SIGINT within 5 s');
    assert.match(tcpdumpErr, /^0 packets dropped by kernel/m, `tcpdump dropped packets:\n${tcpdumpErr}`);
    stopLab();

    // ------------------------------------------------------------------------------------------ the table
    const report = await servicesOfCapture(pcap);
    for (const l of servicesLines(report)) t.diagnostic(`services: ${l}`);
    const server = report.servers.find((s) => s.address === SERVER);
    assert.ok(server, `no server ${SERVER} in the report (servers: ${report.servers.map((s) => s.address).join(', ')})`);
    assert.deepEqual(
      report.servers.map((s) => s.address),
      [SERVER],
      'only the lab server',
    );
    const want = rpcinfoRows(dump.stdout);
    const got = server.services.map((r) => [r.program, r.version, r.proto, r.port, r.service].join(' '));
    assert.deepEqual(got, want, 'the services table equals rpcinfo -p');
    // the text table's first five columns too
    const lines = servicesLines(report);
    assert.ok(lines[1].startsWith('   program vers proto   port  service'), `header: ${lines[1]}`);
    assert.deepEqual(
      lines.slice(2).map((l) => l.trim().split(/\s+/).slice(0, 5).join(' ')),
      want,
    );
    // announced by the DUMP; observed where the clients were answered
    assert.ok(server.sources.some((s) => s.procedure === 'DUMP' && s.version === 2), 'a PORTMAP v2 DUMP reply taught the table');
    assert.ok(server.services.every((r) => r.announcedBy.some((a) => a.procedure === 'DUMP' && a.version === 2)), 'every row announced by the DUMP');
    const observed = server.services.filter((r) => r.observed).map((r) => `${r.program} ${r.version} ${r.proto}`);
    for (const row of ['100000 2 tcp', '100005 3 udp', '100003 3 tcp', '100003 3 udp']) {
      assert.ok(observed.includes(row), `${row} observed (observed: ${observed.join(', ')})`);
    }

    // ------------------------------------------------------------------------------------------ the CLI
    const help = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    if (!`${help.stdout}${help.stderr}`.includes('--services')) {
      t.diagnostic('rpcsnoop has no --services option yet: CLI output not checked');
    } else {
      const cli = spawnSync(process.execPath, [BIN, '-r', pcap, '--services', '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
      assert.equal(cli.status, 0, `rpcsnoop -r ${pcap} --services --json failed: ${cli.stderr}`);
      assert.deepEqual(JSON.parse(cli.stdout) as unknown, JSON.parse(JSON.stringify(report)), 'rpcsnoop --services --json');
    }
    passed = true;
  } finally {
    unhook();
    if (tcpdump && !exited(tcpdump)) {
      tcpdump.kill('SIGINT');
      if (!(await waitExit(tcpdump, 5000))) tcpdump.kill('SIGKILL');
    }
    stopLab();
    if (passed || process.env.LAB_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
    else t.diagnostic(`kept ${dir}`);
  }
});
