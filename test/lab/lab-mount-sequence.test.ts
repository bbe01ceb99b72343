/**
 * Lab: the NFSv3 mount sequence over UDP and over TCP, captured from real servers and printed by rpcsnoop with
 * real values (the issue's seed lines: PORTMAP GETPORT MOUNT → MOUNT NULL → MNT → GETPORT NFS → NFS NULL →
 * FSINFO → GETATTR, then UMNT).
 *
 * `lab.sh start DIR` runs rpcbind and nfs-ganesha; tcpdump captures lo while mount-client.ts (our own client:
 * libnfs speaks MOUNT and NFS over TCP only) runs the sequence over UDP, then over TCP; then `rpcsnoop -r` must
 * print, for each transport in turn, the seed lines in order, with the ports the client was given, the export it
 * mounted and the FH hash of the handle MNT returned; and `rpcsnoop --json` must pair every call and decode the MNT
 * status and the GETPORT ports.
 *
 * Needs root and the lab's packages: skipped with the reason without them, a failure under CI=true (as
 * lab-conformance.test.ts). `npm run test:lab` runs it; it takes about 2 s. LAB_KEEP=1 keeps the lab directory
 * (capture, ganesha log) of a failed run; LAB_SAVE=PATH copies the capture to PATH (how
 * fixtures/lab_mount_sequence_lo.pcap was made).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test, type TestContext } from 'node:test';
import { BIN, ROOT } from '../helpers/fixtures';
import type { SequenceResult } from './mount-client';
import { waitForFreePort } from './lab-ports';
import { cleanupOnAbort } from './lab-lifecycle';

const LAB_SH = join(ROOT, 'test', 'lab', 'lab.sh');
/** The client, compiled beside this test in dist/test/lab/. */
const CLIENT = join(__dirname, 'mount-client.js');
const CI = process.env.CI === 'true';
const SERVER = '127.0.0.1';
/** rpcbind, NFS and MOUNT (lab.sh's ganesha.conf); nothing else on lo matches. */
const CAPTURE_FILTER = 'port 111 or port 2049 or port 20048';
const NFS_PORT = 2049;
/** `lab.sh start` takes under a second, but waits up to 65 s if a client connection holds ganesha's RQUOTA port. */
const START_TIMEOUT_MS = 120_000;
/** The sequence takes ~10 ms; a UDP step can take 3 × 2 s before it gives up. */
const CLIENT_TIMEOUT_MS = 60_000;
const TRANSPORTS = ['udp', 'tcp'] as const;

interface JsonLine {
  frame: number;
  transport?: string;
  type: 'call' | 'reply';
  xid: number;
  program: number | null;
  version: number | null;
  procedure: number | null;
  replyFrame?: number | null;
  status?: unknown;
  result?: unknown;
  [k: string]: unknown;
}

/** One summary line of `rpcsnoop -r`: frame, addresses and the text after the `src -> dst` columns. */
interface SummaryLine {
  frame: number;
  text: string;
  line: string;
}

/** Why the lab cannot run here, or null if it can (as lab-conformance.test.ts). */
function unmetPrerequisites(): string | null {
  if (process.platform !== 'linux') return `the lab needs Linux (this is ${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root (the lab starts rpcbind and nfs-ganesha and captures on lo)';
  const r = spawnSync('bash', [LAB_SH, 'check'], { encoding: 'utf8' });
  if (r.error) return `cannot run bash: ${r.error.message}`;
  if (r.status !== 0) return `${r.stdout.trim().split('\n').join('; ') || r.stderr.trim()}`;
  return null;
}

/** snoop's `FH=XXXX` (snoop-format.md §1.4): XOR of the big-endian 16-bit halfwords of the handle zero-padded to
 *  a multiple of 4 bytes, 4 uppercase hex digits. Computed here from the bytes the client received, independently
 *  of rpcsnoop's own. */
function snoopHash(hex: string): string {
  const b = Buffer.from(hex, 'hex');
  let h = 0;
  for (let i = 0; i < b.length; i += 2) h ^= (b[i] << 8) | (i + 1 < b.length ? b[i + 1] : 0);
  return h.toString(16).toUpperCase().padStart(4, '0');
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The seed lines one run of the client must produce, in order: [what, pattern]. The MNT reply's pattern captures
 *  the FH hash. */
function expectedLines(run: SequenceResult): [string, RegExp][] {
  const proto = run.transport.toUpperCase();
  const exp = escapeRe(run.export);
  const fh = snoopHash(run.fh);
  return [
    ['GETPORT MOUNT call', new RegExp(`^PORTMAP C GETPORT prog=100005 \\(MOUNT\\) vers=3 proto=${proto}$`)],
    ['GETPORT MOUNT reply', new RegExp(`^PORTMAP R GETPORT port=${run.mountPort}$`)],
    ['MOUNT NULL call', /^MOUNT3 C Null$/],
    ['MOUNT NULL reply', /^MOUNT3 R Null $/],
    ['MNT call', new RegExp(`^MOUNT3 C Mount ${exp}$`)],
    ['MNT reply', new RegExp(`^MOUNT3 R Mount OK FH=${fh} Auth=unix$`)],
    ['GETPORT NFS call', new RegExp(`^PORTMAP C GETPORT prog=100003 \\(NFS\\) vers=3 proto=${proto}$`)],
    ['GETPORT NFS reply', new RegExp(`^PORTMAP R GETPORT port=${NFS_PORT}$`)],
    ['NFS NULL call', /^NFS C NULL3$/],
    ['NFS NULL reply', /^NFS R NULL3 $/],
    ['FSINFO call', new RegExp(`^NFS C FSINFO3 FH=${fh}$`)],
    ['FSINFO reply', /^NFS R FSINFO3 OK$/],
    ['GETATTR call', new RegExp(`^NFS C GETATTR3 FH=${fh}$`)],
    ['GETATTR reply', /^NFS R GETATTR3 OK$/],
    ['UMNT call', new RegExp(`^MOUNT3 C Unmount ${exp}$`)],
  ];
}

/** Summary lines: "  4   0.00000    127.0.0.1 -> 127.0.0.1    TEXT" (summary-prefix.ts). TEXT keeps its trailing
 *  blanks. Lines of another shape (none expected) are left out. */
function parseSummary(stdout: string): SummaryLine[] {
  const out: SummaryLine[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+) +\S+ +\S+ -> \S+ +(\S.*)$/.exec(line);
    if (m) out.push({ frame: Number(m[1]), text: m[2], line });
  }
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));


function exited(p: ChildProcess): boolean {
  return p.exitCode !== null || p.signalCode !== null;
}

/** Waits up to `ms` for `p` to exit; true if it did. */
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

/** Runs a command to its end; stdout and stderr as text. */
function run(cmd: string, args: string[], timeoutMs: number): Promise<{ status: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGTERM'), timeoutMs);
    p.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    p.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

test('lab: the NFSv3 mount sequence over UDP and TCP, as rpcsnoop prints it', { timeout: START_TIMEOUT_MS + 2 * CLIENT_TIMEOUT_MS + 60_000 }, async (t: TestContext) => {
  const unmet = unmetPrerequisites();
  if (unmet !== null) {
    if (CI) assert.fail(`lab prerequisite missing under CI=true: ${unmet}`);
    t.skip(unmet);
    return;
  }

  const dir = mkdtempSync('/tmp/rpcsnoop-mountseq-');
  const pcap = join(dir, 'lab_mount_sequence_lo.pcap');
  const exportPath = join(dir, 'export');
  let tcpdump: ChildProcess | null = null;
  let labStarted = false;
  let passed = false;
  const t0 = Date.now();
  const secs = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;

  /** Stops what we started; safe to call twice. Synchronous, so that a signal handler can use it. */
  const stopLab = (): void => {
    if (tcpdump && !exited(tcpdump)) tcpdump.kill('SIGKILL');
    if (labStarted) {
      labStarted = false;
      const r = spawnSync('bash', [LAB_SH, 'stop', dir], { encoding: 'utf8', timeout: 60_000 });
      for (const l of (r.stderr ?? '').split('\n').filter(Boolean)) t.diagnostic(l);
    }
  };
  // Ctrl-C or a CI job timeout ends us with a signal, and `finally` would not run. Under `node --test`, node:test's
  // own SIGINT/SIGTERM handler calls process.exit(): stop the lab on 'exit' too (stopLab is synchronous).
  const onExit = (): void => {
    stopLab();
    if (process.env.LAB_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
  };
  const unhook = cleanupOnAbort(onExit);

  try {
    // ------------------------------------------------------------------------------------------ servers
    // Another lab (lab-conformance.test.ts, when node --test runs the lab files side by side) holds the ports
    // until it ends: wait for it rather than fail in `lab.sh start`.
    await waitForFreePort(t, NFS_PORT, START_TIMEOUT_MS);
    labStarted = true; // `start` stops what it started if it fails; `stop` of a half-started DIR is harmless
    const ts = Date.now();
    const start = spawnSync('bash', [LAB_SH, 'start', dir], { encoding: 'utf8', timeout: START_TIMEOUT_MS, killSignal: 'SIGTERM' });
    for (const l of (start.stderr ?? '').split('\n').filter(Boolean)) t.diagnostic(l);
    assert.equal(start.error, undefined, `lab.sh start did not finish: ${String(start.error)}`);
    assert.equal(start.status, 0, `lab.sh start failed:\n${start.stderr}`);
    t.diagnostic(`lab.sh start: ${secs(ts)}`);

    // ------------------------------------------------------------------------------------------ capture
    const t1 = Date.now();
    let tcpdumpErr = '';
    // --immediate-mode: without it libpcap hands packets over a block at a time, after up to 1 s, and tcpdump
    // stopped sooner writes none of them ("0 packets captured, 128 packets received by filter"). -Z root: Debian's
    // tcpdump otherwise drops to user tcpdump, which cannot write into our 0700 directory.
    const tdArgs = ['-i', 'lo', '-U', '--immediate-mode', '--time-stamp-precision=nano', '-Z', 'root', '-w', pcap, CAPTURE_FILTER];
    const td = spawn('tcpdump', tdArgs, {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    tcpdump = td;
    td.stderr.setEncoding('utf8').on('data', (d: string) => (tcpdumpErr += d));
    // recorded the way lab.sh records its processes, so that `lab.sh stop DIR` stops it too if we are killed
    if (td.pid !== undefined) writeFileSync(join(dir, 'tcpdump.pid'), `${td.pid} tcpdump\n`);
    for (let i = 0; i < 100 && !tcpdumpErr.includes('listening on'); i++) {
      assert.ok(!exited(td), `tcpdump exited: ${tcpdumpErr.trim()}`);
      await sleep(100);
    }
    assert.ok(tcpdumpErr.includes('listening on'), `tcpdump did not start within 10 s: ${tcpdumpErr.trim()}`);

    const runs: SequenceResult[] = [];
    for (const transport of TRANSPORTS) {
      const tc = Date.now();
      const r = await run(process.execPath, [CLIENT, '--transport', transport, '--server', SERVER, '--export', exportPath], CLIENT_TIMEOUT_MS);
      for (const l of r.stderr.split('\n').filter(Boolean)) t.diagnostic(l);
      t.diagnostic(`mount-client --transport ${transport}: ${secs(tc)}, exit ${String(r.status)}${r.signal ? ` (${r.signal})` : ''}`);
      assert.equal(r.status, 0, `mount-client --transport ${transport} failed:\n${r.stderr}`);
      const result = JSON.parse(r.stdout) as SequenceResult;
      assert.equal(result.transport, transport);
      assert.equal(result.calls.length, 8, 'the client reports its 8 calls');
      runs.push(result);
    }

    await sleep(300); // let the last FIN/ACKs through
    td.kill('SIGINT');
    assert.ok(await waitExit(td, 5000), 'tcpdump did not stop on SIGINT within 5 s');
    const captured = /(\d+) packets? captured/.exec(tcpdumpErr);
    t.diagnostic(`capture: ${captured ? captured[1] : '?'} packets in ${secs(t1)}`);
    assert.ok(captured && Number(captured[1]) > 0, `tcpdump captured nothing:\n${tcpdumpErr}`);
    assert.match(tcpdumpErr, /^0 packets dropped by kernel/m, `tcpdump dropped packets:\n${tcpdumpErr}`);
    stopLab();
    if (process.env.LAB_SAVE) {
      copyFileSync(pcap, resolve(process.env.LAB_SAVE));
      t.diagnostic(`saved the capture as ${resolve(process.env.LAB_SAVE)}`);
    }

    // ------------------------------------------------------------------------------------------ rpcsnoop
    const t2 = Date.now();
    const summary = spawnSync(process.execPath, [BIN, '-r', pcap], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(summary.status, 0, `rpcsnoop -r ${pcap} failed: ${summary.stderr}`);
    const json = spawnSync(process.execPath, [BIN, '-r', pcap, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(json.status, 0, `rpcsnoop -r ${pcap} --json failed: ${json.stderr}`);
    t.diagnostic(`rpcsnoop (summary and --json): ${secs(t2)}`);
    const messages = json.stdout
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as JsonLine);
    const lines = parseSummary(summary.stdout);
    for (const l of lines) t.diagnostic(`rpcsnoop: ${l.line}`);

    // Each transport's lines, told apart by the frames' transport in the JSON (the UDP run comes first).
    const transportOf = new Map(messages.map((m) => [m.frame, m.transport]));
    for (const seq of runs) {
      const own = lines.filter((l) => transportOf.get(l.frame) === seq.transport);
      const want = expectedLines(seq);
      let i = 0;
      for (const l of own) if (i < want.length && want[i][1].test(l.text)) i++;
      if (i < want.length) {
        assert.fail(
          `${seq.transport}: rpcsnoop -r does not print the mount sequence; after ${i} of ${want.length} seed lines, ` +
            `none matches ${want[i][0]} ${String(want[i][1])}.\nThe ${seq.transport} lines, text after "src -> dst" in quotes:\n` +
            own.map((l) => `  frame ${l.frame}: ${JSON.stringify(l.text)}`).join('\n'),
        );
      }
    }

    // ------------------------------------------------------------------------------------------ --json
    const calls = messages.filter((m) => m.type === 'call');
    assert.ok(calls.length >= 16, `only ${calls.length} calls in the capture (the two runs make 16)`);
    const unpaired = calls.filter((m) => typeof m.replyFrame !== 'number').map((m) => `frame ${m.frame} xid 0x${m.xid.toString(16)}`);
    assert.deepEqual(unpaired, [], 'calls without replyFrame');
    for (const seq of runs) {
      const find = (type: 'call' | 'reply', xid: number): JsonLine => {
        const m = messages.find((x) => x.type === type && x.xid === xid && x.transport === seq.transport);
        assert.ok(m, `${seq.transport}: no ${type} with xid 0x${xid.toString(16)} in rpcsnoop --json`);
        return m;
      };
      for (const c of seq.calls) {
        const m = find('call', c.xid);
        assert.deepEqual([m.program, m.version, m.procedure], [c.prog, c.vers, c.proc], `${seq.transport} ${c.step}: program/version/procedure`);
        find('reply', c.xid);
      }
      const step = (name: string): number => {
        const c = seq.calls.find((x) => x.step.startsWith(name));
        assert.ok(c, `the client made no ${name} call`);
        return c.xid;
      };
      assert.equal(find('reply', step('MOUNT MNT')).status, 'MNT3_OK', `${seq.transport} MNT reply: status`);
      const port = (xid: number): unknown => (find('reply', xid).result as { port?: unknown } | undefined)?.port;
      assert.equal(port(step('PORTMAP GETPORT MOUNT')), seq.mountPort, `${seq.transport} GETPORT MOUNT reply: result.port`);
      assert.equal(port(step('PORTMAP GETPORT NFS')), seq.nfsPort, `${seq.transport} GETPORT NFS reply: result.port`);
      assert.equal(seq.nfsPort, NFS_PORT);
    }
    t.diagnostic(`total: ${secs(t0)}`);
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
