/**
 * The rpcsnoop command end to end (`node bin/rpcsnoop.js`): exit codes, what goes to stdout and to stderr, for
 * good, bad, damaged, compressed, piped and synthetic inputs. Needs the build (dist/), as `npm test` does.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { randomBytes } from './helpers/bytes';
import { pcapHeader, pcapRecordOffsets } from './helpers/capture-builders';
import type { JsonMessage } from './helpers/conformance';
import { BIN, fixture, ROOT } from './helpers/fixtures';
import { authUnix, buildAcceptedReply, buildCall, buildDeniedReply, frameRecord } from './helpers/rpc-builders';
import { removeTempDir, tcpFrame, tempDir, tempFile, udpFrame, writePcap } from './helpers/synthetic-capture';
import { frameTruth } from './helpers/tshark-tsv';

after(removeTempDir);

// ------------------------------------------------------------------------------------------------ running it

function run(args: string[], input?: Uint8Array): SpawnSyncReturns<string> {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    input,
    maxBuffer: 256 << 20,
    timeout: 30_000,
    cwd: ROOT,
  });
  if (r.error) throw r.error;
  return r;
}

function lines(s: string): string[] {
  return s.split('\n').filter((l) => l.length > 0);
}

function parseJsonLines(stdout: string): JsonMessage[] {
  return lines(stdout).map((l, i) => {
    let v: unknown;
    assert.doesNotThrow(() => (v = JSON.parse(l)), `stdout line ${i + 1} is not JSON: ${l.slice(0, 200)}`);
    assert.ok(v !== null && typeof v === 'object' && !Array.isArray(v), `stdout line ${i + 1} is not a JSON object: ${l.slice(0, 200)}`);
    return v as JsonMessage;
  });
}

/** stderr is exactly one "rpcsnoop: ..." line and nothing that looks like a stack trace. */
function assertOneLine(stderr: string, what: string): string {
  assertNoStack(stderr, what);
  const ls = lines(stderr);
  assert.equal(ls.length, 1, `${what}: expected one line on stderr, got ${JSON.stringify(stderr)}`);
  assert.ok(stderr.endsWith('\n'), `${what}: stderr line ends with a newline`);
  assert.match(ls[0], /^rpcsnoop: \S/, `${what}: ${ls[0]}`);
  return ls[0];
}

function assertNoStack(stderr: string, what: string): void {
  assert.doesNotMatch(stderr, /^\s+at /m, `${what}: stack frames on stderr: ${stderr}`);
  assert.doesNotMatch(stderr, /^\w*Error:/m, `${what}: error stack on stderr: ${stderr}`);
  assert.doesNotMatch(stderr, /internal error/, `${what}: ${stderr}`);
}

const BROWSE = fixture('nfs3_browse_lo.pcap');

const fullCache = new Map<string, { stdout: string; messages: JsonMessage[] }>();
/** `--json` of a whole fixture (exit 0 and parsed), run once per fixture. */
function full(path: string, extra: string[] = []): { stdout: string; messages: JsonMessage[] } {
  const key = [path, ...extra].join('\0');
  let v = fullCache.get(key);
  if (!v) {
    const r = run(['-r', path, '--json', ...extra]);
    assert.equal(r.status, 0, `${path}: ${r.stderr}`);
    v = { stdout: r.stdout, messages: parseJsonLines(r.stdout) };
    assert.ok(v.messages.length > 0, `${path}: no messages`);
    fullCache.set(key, v);
  }
  return v;
}

/**
 * What `--json` must print when the input stops just before frame `cut`: the whole file's messages that completed
 * before it, in the same order, except that a call whose reply came at or after `cut` is unanswered.
 */
function expectedBefore(all: JsonMessage[], cut: number): JsonMessage[] {
  return all
    .filter((m) => m.frame < cut)
    .map((m) => {
      if (m.type !== 'call' || m.replyFrame === null || m.replyFrame === undefined || m.replyFrame < cut) return m;
      const flags = m.flags.filter((f) => f !== 'late_reply');
      // the call's summary line says what pairing found: an unanswered call ends in " (no reply)"
      const summary = typeof m.summary === 'string' && !m.summary.endsWith(' (no reply)') ? `${m.summary} (no reply)` : m.summary;
      return { ...m, summary, replyFrame: null, rtt: null, flags: flags.includes('unanswered') ? flags : [...flags, 'unanswered'] };
    });
}

/** Messages with their flags sorted, for comparisons that must not depend on flag order. */
function normalised(ms: JsonMessage[]): JsonMessage[] {
  return ms.map((m) => ({ ...m, flags: [...m.flags].sort() }));
}

function describeDiff(got: JsonMessage[], want: JsonMessage[]): string {
  for (let i = 0; i < Math.max(got.length, want.length); i++) {
    const g = JSON.stringify(got[i]);
    const w = JSON.stringify(want[i]);
    if (g !== w) return `first difference at message ${i}:\n  got  ${g}\n  want ${w}`;
  }
  return 'no difference';
}

// ------------------------------------------------------------------------------------------------ help, version

test('--help and -h: exit 0, usage on stdout, nothing on stderr', () => {
  for (const flag of ['--help', '-h']) {
    const r = run([flag]);
    assert.equal(r.status, 0, flag);
    assert.match(r.stdout, /^Usage: rpcsnoop -r FILE/, flag);
    assert.match(r.stdout, /--json/);
    assert.match(r.stdout, /-c COUNT/);
    assert.equal(r.stderr, '', flag);
  }
});

test("--version prints package.json's version", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const r = run(['--version']);
  assert.equal(r.status, 0);
  assert.equal(r.stdout, `rpcsnoop ${pkg.version}\n`);
  assert.equal(r.stderr, '');
});

// ------------------------------------------------------------------------------------------------ bad arguments

test('bad arguments: exit 2, exactly one line on stderr, no stack trace, nothing on stdout', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown option', ['-r', BROWSE, '--bogus'], /bogus/],
    ['unknown short option', ['-r', BROWSE, '-z'], /-z/],
    ['-c abc', ['-r', BROWSE, '-c', 'abc'], /-c/],
    ['-c 0', ['-r', BROWSE, '-c', '0'], /-c/],
    ['-c -5', ['-r', BROWSE, '-c', '-5'], /-c/],
    ['-c 1.5', ['-r', BROWSE, '-c', '1.5'], /-c/],
    ['-t x', ['-r', BROWSE, '-t', 'x'], /-t/],
    ['-r without its argument', ['-r'], /-r/],
    ['no -r', ['--json'], /-r/],
    ['no arguments', [], /-r/],
    ['a positional argument', ['-r', BROWSE, 'extra.pcap'], /extra\.pcap/],
    ['--reply-timeout 0', ['-r', BROWSE, '--reply-timeout', '0'], /reply-timeout/],
    ['--reply-timeout abc', ['-r', BROWSE, '--reply-timeout', 'abc'], /reply-timeout/],
    ['--max-transactions 0', ['-r', BROWSE, '--max-transactions', '0'], /max-transactions/],
    ['--max-record-size 10', ['-r', BROWSE, '--max-record-size', '10'], /max-record-size/],
  ];
  for (const [what, args, mention] of cases) {
    const r = run(args);
    assert.equal(r.status, 2, `${what}: exit ${r.status}, stderr ${r.stderr}`);
    assert.equal(r.stdout, '', `${what}: stdout`);
    const line = assertOneLine(r.stderr, what);
    assert.match(line, mention, what);
  }
});

// ------------------------------------------------------------------------------------------------ unreadable input

test('a missing file, a directory, a text file, an empty file: exit 1, one line on stderr, nothing on stdout', () => {
  const text = tempFile('notes.txt', Buffer.from('This is not a capture.\nJust some text.\n'));
  const empty = tempFile('empty.pcap', new Uint8Array(0));
  const cases: [string, string, RegExp][] = [
    ['missing file', join(tempDir(), 'does-not-exist.pcap'), /No such file or directory/],
    ['directory', tempDir(), /Is a directory/],
    ['text file', text, /not a pcap or pcapng file/],
    ['empty file', empty, /empty file/],
  ];
  for (const [i, [what, path, mention]] of cases.entries()) {
    for (const extra of i === 2 ? [[], ['--json']] : [i % 2 === 0 ? [] : ['--json']]) {
      const r = run(['-r', path, ...extra]);
      assert.equal(r.status, 1, `${what}: exit ${r.status}, stderr ${r.stderr}`);
      assert.equal(r.stdout, '', `${what}: stdout`);
      const line = assertOneLine(r.stderr, what);
      assert.match(line, mention, what);
      assert.ok(line.includes(path), `${what}: the message names the input: ${line}`);
    }
  }
});

// ------------------------------------------------------------------------------------------------ damage

test('a file cut in the middle of a record: everything before is printed, exit 1, damage warning last', () => {
  const bytes = readFileSync(BROWSE);
  const offsets = pcapRecordOffsets(bytes);
  const all = full(BROWSE).messages;
  for (const fraction of [0.5, 2 / 3, 0.9]) {
    const i = Math.floor(offsets.length * fraction);
    const cutFrame = i + 1;
    const capLen = bytes.readUInt32LE(offsets[i] + 8);
    const cutAt = offsets[i] + 16 + Math.floor(capLen / 2);
    const path = tempFile(`cut-${cutFrame}.pcap`, bytes.subarray(0, cutAt));
    const r = run(['-r', path, '--json']);
    const what = `cut inside frame ${cutFrame}`;
    assert.equal(r.status, 1, `${what}: exit ${r.status}, stderr ${r.stderr}`);
    assertNoStack(r.stderr, what);
    const got = parseJsonLines(r.stdout);
    const want = expectedBefore(all, cutFrame);
    assert.ok(want.length > 10, `${what}: the comparison has something to compare`);
    assert.deepEqual(normalised(got), normalised(want), `${what}: ${describeDiff(normalised(got), normalised(want))}`);
    const last = lines(r.stderr).at(-1) ?? '';
    assert.match(last, /^rpcsnoop: /, what);
    assert.ok(last.includes(path), `${what}: the warning names the file: ${last}`);
    assert.match(last, new RegExp(`\\b${cutFrame}\\b`), `${what}: the warning names the frame: ${last}`);
    assert.match(r.stderr, /\n$/, `${what}: stderr ends with a newline`);
  }
});

test('a record header claiming 0xffffffff captured bytes mid-file: frames before it decoded, exit 1, one-line warning', () => {
  const bytes = Buffer.from(readFileSync(BROWSE));
  const offsets = pcapRecordOffsets(bytes);
  const i = Math.floor(offsets.length * 0.6);
  const badFrame = i + 1;
  bytes.writeUInt32LE(0xffffffff, offsets[i] + 8);
  const path = tempFile('huge-caplen.pcap', bytes);
  const r = run(['-r', path, '--json']);
  assert.equal(r.status, 1, r.stderr);
  assertNoStack(r.stderr, 'huge incl_len');
  const got = normalised(parseJsonLines(r.stdout));
  const want = normalised(expectedBefore(full(BROWSE).messages, badFrame));
  assert.deepEqual(got, want, describeDiff(got, want));
  const last = lines(r.stderr).at(-1) ?? '';
  assert.match(last, /^rpcsnoop: .*4294967295/, last);
  assert.match(last, new RegExp(`frame ${badFrame}\\b`), last);
});

test('snaplen 0 and snaplen 0xffffffff in the file header: the capture still decodes in full', () => {
  const bytes = readFileSync(BROWSE);
  const want = full(BROWSE).stdout;
  for (const snaplen of [0, 0xffffffff, 64]) {
    const header = pcapHeader({ snaplen, linkType: bytes.readUInt32LE(20) });
    const path = tempFile(`snaplen-${snaplen}.pcap`, Buffer.concat([header, bytes.subarray(24)]));
    const r = run(['-r', path, '--json']);
    assert.equal(r.status, 0, `snaplen ${snaplen}: ${r.stderr}`);
    assert.equal(r.stdout, want, `snaplen ${snaplen}: same output as the original`);
  }
});

/** Frame number of the packet block that contains file offset `at` of a pcapng file (little-endian sections). */
function pcapngFrameAt(bytes: Buffer, at: number): number {
  let frame = 0;
  for (let o = 0; o + 8 <= bytes.length; ) {
    const type = bytes.readUInt32LE(o);
    const len = bytes.readUInt32LE(o + 4);
    assert.ok(len >= 12 && len % 4 === 0, `block at ${o}: length ${len}`);
    if (type === 2 || type === 3 || type === 6) frame++;
    if (at < o + len) return frame;
    o += len;
  }
  throw new Error(`offset ${at} is past the end`);
}

test('a pcapng file cut in the middle of a packet block: everything before it printed, exit 1', () => {
  const name = 'rpcbind_rpcinfo_lo.pcapng';
  const bytes = readFileSync(fixture(name));
  assert.equal(bytes.readUInt32LE(8), 0x1a2b3c4d, 'the fixture is little-endian');
  const cutAt = Math.floor((bytes.length * 2) / 3);
  const cutFrame = pcapngFrameAt(bytes, cutAt);
  const path = tempFile('cut.pcapng', bytes.subarray(0, cutAt));
  const r = run(['-r', path, '--json']);
  assert.equal(r.status, 1, r.stderr);
  assertNoStack(r.stderr, 'cut pcapng');
  const got = normalised(parseJsonLines(r.stdout));
  const want = normalised(expectedBefore(full(fixture(name)).messages, cutFrame));
  assert.ok(want.length > 10);
  assert.deepEqual(got, want, describeDiff(got, want));
  const last = lines(r.stderr).at(-1) ?? '';
  assert.match(last, /^rpcsnoop: /, last);
  assert.ok(last.includes(path), last);
});

test('a gzip file cut short: what could be decompressed is printed, exit 1, the gzip warning last', () => {
  const all = full(BROWSE).messages;
  const gz = gzipSync(readFileSync(BROWSE));
  const path = tempFile('cut.pcap.gz', gz.subarray(0, Math.floor(gz.length / 2)));
  const r = run(['-r', path, '--json']);
  assert.equal(r.status, 1, r.stderr);
  assertNoStack(r.stderr, 'cut gzip');
  const got = normalised(parseJsonLines(r.stdout));
  assert.ok(got.length > 10 && got.length < all.length, `${got.length} of ${all.length} messages`);
  // The input stopped before some frame K we cannot see from outside: the output must be exactly what a cut
  // before one of the frames after the last message printed gives.
  const last = Math.max(...got.map((m) => m.frame));
  const frames = pcapRecordOffsets(readFileSync(BROWSE)).length;
  let match = false;
  for (let k = last + 1; k <= frames + 1 && !match; k++) {
    match = JSON.stringify(got) === JSON.stringify(normalised(expectedBefore(all, k)));
  }
  assert.ok(match, 'the output is a clean prefix of the whole file\'s');
  assert.match(lines(r.stderr).at(-1) ?? '', /^rpcsnoop: .*gzip/);
});

test('stdout closed early (| head -n 1): no crash and no EPIPE noise on stderr', () => {
  const shell = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" -r "${fixture('nfs3_ipv6_lo.pcap')}" --json | head -n 1`], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(shell.status, 0);
  assert.equal(lines(shell.stdout).length, 1);
  assertNoStack(shell.stderr, 'closed stdout');
  assert.doesNotMatch(shell.stderr, /EPIPE/);
  for (const l of lines(shell.stderr)) assert.match(l, /^rpcsnoop: /, l);
});

// ------------------------------------------------------------------------------------------------ other inputs

test('gzip-compressed input named .dat: same stdout as the plain file', () => {
  for (const name of ['nfs3_browse_lo.pcap', 'rpcbind_rpcinfo_lo.pcapng', 'rpc_errors_lo_nsec.pcap']) {
    const path = tempFile(`${name}.dat`, gzipSync(readFileSync(fixture(name))));
    const r = run(['-r', path, '--json']);
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    assert.equal(r.stdout, full(fixture(name)).stdout, name);
  }
});

test('-r - reads standard input: same stdout as the file (plain and gzip)', () => {
  const bytes = readFileSync(BROWSE);
  for (const [what, input] of [
    ['plain', bytes],
    ['gzip', gzipSync(bytes)],
  ] as const) {
    const r = run(['-r', '-', '--json'], input);
    assert.equal(r.status, 0, `${what}: ${r.stderr}`);
    assert.equal(r.stdout, full(BROWSE).stdout, what);
  }
  const text = run(['-r', '-'], bytes);
  assert.equal(text.status, 0);
  assert.equal(text.stdout, run(['-r', BROWSE]).stdout, 'text mode from stdin');
});

test('pcapng and nanosecond pcap: JSON time keeps 9 decimals and equals tshark frame.time_epoch', () => {
  for (const name of ['rpcbind_rpcinfo_lo.pcapng', 'rpc_errors_lo_nsec.pcap', 'nfs3_browse_lo_nsec_bigendian.pcap']) {
    const { messages } = full(fixture(name));
    const truth = new Map(frameTruth(name).map((t) => [t.frameNo, t.epoch]));
    const first = messages[0];
    assert.match(String(first.time), /^\d+\.\d{9}$/, `${name}: ${String(first.time)}`);
    assert.equal(first.time, truth.get(first.frame), `${name}: time of frame ${first.frame}`);
    let nonMicro = 0;
    for (const m of messages) {
      assert.match(String(m.time), /^\d+\.\d{9}$/, `${name} frame ${m.frame}`);
      const epoch = truth.get(m.frame);
      if (epoch !== undefined) assert.equal(m.time, epoch, `${name}: time of frame ${m.frame}`);
      if (!String(m.time).endsWith('000')) nonMicro++;
    }
    assert.ok(nonMicro > 0, `${name}: nanoseconds are actually exercised`);
  }
});

test('-c 20 stops after frame 20', () => {
  const all = full(BROWSE).messages;
  const r = run(['-r', BROWSE, '--json', '-c', '20']);
  assert.equal(r.status, 0, r.stderr);
  const got = parseJsonLines(r.stdout);
  assert.ok(got.length > 0, 'some messages in the first 20 frames');
  for (const m of got) assert.ok(m.frame <= 20, `message at frame ${m.frame}`);
  const want = normalised(expectedBefore(all, 21));
  assert.deepEqual(normalised(got), want, describeDiff(normalised(got), want));
  const text = run(['-r', BROWSE, '-c', '20']);
  assert.equal(text.status, 0);
  assert.equal(lines(text.stdout).length, got.length, 'text mode stops at the same place');
});

test('-c N includes frame N and nothing after it (at a reply frame: the reply is in, its call answered)', () => {
  const all = full(BROWSE).messages;
  const reply = all.find((m) => m.type === 'reply' && m.frame > 10 && typeof m.callFrame === 'number' && m.callFrame < m.frame);
  assert.ok(reply, 'a paired reply in the fixture');
  const n = reply.frame;
  for (const count of [n, n - 1]) {
    const r = run(['-r', BROWSE, '--json', '-c', String(count)]);
    assert.equal(r.status, 0, r.stderr);
    const got = normalised(parseJsonLines(r.stdout));
    const want = normalised(expectedBefore(all, count + 1));
    assert.deepEqual(got, want, `-c ${count}: ${describeDiff(got, want)}`);
    assert.equal(got.some((m) => m.frame === n), count === n, `-c ${count}: the reply at frame ${n}`);
  }
});

test('--json writes nothing but JSON objects on stdout, even when there are anomalies to report', () => {
  for (const name of ['rpc_errors_lo_nsec.pcap', 'nfs3_ipv6_lo.pcap', 'rpc_tcp_record_marking_lo.pcap', 'rpc_veth_any_sll.pcap']) {
    const r = run(['-r', fixture(name), '--json']);
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    assertNoStack(r.stderr, name);
    const ms = parseJsonLines(r.stdout);
    assert.ok(ms.length > 0, name);
    for (const m of ms) {
      assert.ok(m.type === 'call' || m.type === 'reply', `${name}: type ${String(m.type)}`);
      assert.equal(typeof m.frame, 'number');
      assert.equal(typeof m.xid, 'number');
    }
    assert.doesNotMatch(r.stdout, /rpcsnoop:|anomalies:/, `${name}: warning text on stdout`);
    for (const l of lines(r.stderr)) assert.match(l, /^rpcsnoop: /, `${name}: stderr line ${l}`);
  }
});

// ------------------------------------------------------------------------------------------------ synthetic captures

test('unknown link type 147: exit 0, no messages, the anomaly in the stderr summary', () => {
  const frames = [randomBytes(60, 1), randomBytes(80, 2), randomBytes(100, 3)];
  const path = writePcap(frames, 147, { name: 'linktype147.pcap' });
  for (const extra of [[], ['--json']]) {
    const r = run(['-r', path, ...extra]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    const line = assertOneLine(r.stderr, 'link type 147');
    assert.match(line, /^rpcsnoop: anomalies: .*unknown_link_type=3\b/, line);
  }
});

test('garbage TCP payload to and from port 2049: exit 0, no messages, no crash', () => {
  const client = { src: '10.1.1.1', dst: '10.2.2.2', sport: 876, dport: 2049 };
  const server = { src: '10.2.2.2', dst: '10.1.1.1', sport: 2049, dport: 876 };
  const isnC = 0x10000000;
  const isnS = 0x7ffffff0; // the server's sequence numbers wrap around 2^31 on the way
  const frames: Uint8Array[] = [
    tcpFrame({ ...client, seq: isnC, flags: 0x02 }),
    tcpFrame({ ...server, seq: isnS, ack: isnC + 1, flags: 0x12 }),
    tcpFrame({ ...client, seq: isnC + 1, ack: isnS + 1, flags: 0x10 }),
  ];
  let sentC = 0;
  let sentS = 0;
  for (let i = 0; i < 60; i++) {
    const data = randomBytes(1 + ((i * 397) % 1400), 1000 + i);
    if (i % 2 === 0) {
      frames.push(tcpFrame({ ...client, seq: isnC + 1 + sentC, ack: isnS + 1 + sentS }, data));
      sentC += data.length;
    } else {
      frames.push(tcpFrame({ ...server, seq: isnS + 1 + sentS, ack: isnC + 1 + sentC }, data));
      sentS += data.length;
    }
  }
  frames.push(tcpFrame({ ...client, seq: isnC + 1 + sentC, ack: isnS + 1 + sentS, flags: 0x11 }));
  const path = writePcap(frames, 1, { name: 'garbage-2049.pcap' });
  for (const extra of [['--json'], ['--no-hold']]) {
    const r = run(['-r', path, ...extra]);
    assert.equal(r.status, 0, `${extra.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '', `${extra.join(' ')}: no messages from random bytes`);
    assertNoStack(r.stderr, 'garbage TCP');
    for (const l of lines(r.stderr)) assert.match(l, /^rpcsnoop: /, l);
  }
});

test('RPC over UDP to a random high port: call and reply paired; a reply with no call is an orphan', () => {
  const client = { src: '192.168.7.1', dst: '192.168.7.2', sport: 40123, dport: 47811 };
  const server = { src: '192.168.7.2', dst: '192.168.7.1', sport: 47811, dport: 40123 };
  const frames = [
    udpFrame(client, buildCall({ xid: 0x01020304, prog: 100005, vers: 3, proc: 1, cred: authUnix({ machine: 'box', gids: [4, 24] }), body: randomBytes(12, 5) })),
    udpFrame(server, buildAcceptedReply({ xid: 0x01020304, body: randomBytes(40, 6) })),
    udpFrame(server, buildAcceptedReply({ xid: 0xdeadbeef, acceptStat: 2, mismatch: { low: 1, high: 3 } })),
    udpFrame(server, buildDeniedReply({ xid: 0xdeadbef0, authStat: 5 })),
  ];
  const path = writePcap(frames, 1, { name: 'udp-high-port.pcap', step: 250 });
  const r = run(['-r', path, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const ms = parseJsonLines(r.stdout);
  assert.equal(ms.length, 4, r.stdout);
  const byFrame = new Map(ms.map((m) => [m.frame, m]));

  const c = byFrame.get(1);
  assert.ok(c, 'the call');
  assert.equal(c.type, 'call');
  assert.equal(c.transport, 'udp');
  assert.equal(c.xid, 0x01020304);
  assert.equal(c.program, 100005);
  assert.equal(c.version, 3);
  assert.equal(c.procedure, 1);
  assert.equal(c.sport, 40123);
  assert.equal(c.dport, 47811);
  assert.equal(c.replyFrame, 2);
  assert.deepEqual(c.flags, []);
  const auth = c.auth as Record<string, unknown>;
  assert.equal(auth.flavor, 'AUTH_UNIX');
  assert.equal(auth.machine, 'box');
  assert.deepEqual(auth.gids, [4, 24]);

  const rep = byFrame.get(2);
  assert.ok(rep, 'the reply');
  assert.equal(rep.type, 'reply');
  assert.equal(rep.callFrame, 1);
  assert.equal(rep.program, 100005);
  assert.equal(rep.acceptStat, 'SUCCESS');
  assert.equal(typeof rep.rtt, 'number');
  assert.ok(Math.abs((rep.rtt as number) - 0.00025) < 1e-9, `rtt ${String(rep.rtt)}`);
  assert.deepEqual(rep.flags, []);

  const orphan = byFrame.get(3);
  assert.ok(orphan, 'the orphan reply');
  assert.equal(orphan.type, 'reply');
  assert.equal(orphan.xid, 0xdeadbeef);
  assert.ok(orphan.flags.includes('orphan_reply'), `flags ${JSON.stringify(orphan.flags)}`);
  assert.equal(orphan.callFrame, null);
  assert.equal(orphan.program, null);
  assert.equal(orphan.version, null);
  assert.equal(orphan.procedure, null);
  assert.equal(orphan.rtt, null);
  assert.equal(orphan.replyStat, 'MSG_ACCEPTED');
  assert.equal(orphan.acceptStat, 'PROG_MISMATCH');
  assert.deepEqual(orphan.mismatch, { low: 1, high: 3 });

  const denied = byFrame.get(4);
  assert.ok(denied, 'the denied orphan');
  assert.ok(denied.flags.includes('orphan_reply'));
  assert.equal(denied.replyStat, 'MSG_DENIED');
  assert.equal(denied.rejectStat, 'AUTH_ERROR');
  assert.equal(denied.authStat, 'AUTH_TOOWEAK');

  const text = run(['-r', path]);
  assert.equal(text.status, 0);
  const tl = lines(text.stdout);
  assert.equal(tl.length, 4, text.stdout);
  assert.match(tl[2], /call not seen/, tl[2]);
});

test('RPC over TCP to a random high port with record marking is found by content', () => {
  const client = { src: '10.9.0.1', dst: '10.9.0.2', sport: 1011, dport: 51515 };
  const server = { src: '10.9.0.2', dst: '10.9.0.1', sport: 51515, dport: 1011 };
  const callMsg = frameRecord(buildCall({ xid: 77, prog: 100003, vers: 3, proc: 1, cred: authUnix(), body: randomBytes(36, 9) }));
  const replyMsg = frameRecord(buildAcceptedReply({ xid: 77, body: randomBytes(88, 10) }));
  const frames = [
    tcpFrame({ ...client, seq: 100, flags: 0x02 }),
    tcpFrame({ ...server, seq: 9000, ack: 101, flags: 0x12 }),
    tcpFrame({ ...client, seq: 101, ack: 9001, flags: 0x10 }),
    tcpFrame({ ...client, seq: 101, ack: 9001 }, callMsg),
    tcpFrame({ ...server, seq: 9001, ack: 101 + callMsg.length }, replyMsg),
  ];
  const r = run(['-r', writePcap(frames, 1, { name: 'tcp-high-port.pcap' }), '--json']);
  assert.equal(r.status, 0, r.stderr);
  const ms = parseJsonLines(r.stdout);
  assert.deepEqual(
    ms.map((m) => [m.frame, m.type, m.xid, m.program, m.callFrame ?? m.replyFrame]),
    [
      [4, 'call', 77, 100003, 5],
      [5, 'reply', 77, 100003, 4],
    ],
  );
});

// ------------------------------------------------------------------------------------------------ text mode

test('text mode: every line is a snoop-style summary line, with the program layer or the RPC layer', () => {
  const re = /^\s*\d+\s+\d+\.\d{5} +\S+ -> \S+ +(RPC|NFS|MOUNT[123]|PORTMAP|RPCBIND) [CR] /;
  for (const name of ['nfs3_browse_lo.pcap', 'rpc_errors_lo_nsec.pcap', 'nfs3_ipv6_lo.pcap', 'nfs3_udp_ipfrag_veth.pcap']) {
    const r = run(['-r', fixture(name)]);
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    const ls = lines(r.stdout);
    assert.equal(ls.length, full(fixture(name)).messages.length, `${name}: one line per message`);
    for (const l of ls) assert.match(l, re, `${name}: ${l}`);
  }
});

test('--no-hold prints the same messages in the same order', () => {
  const name = fixture('rpc_errors_lo_nsec.pcap');
  const key = (m: JsonMessage): string => `${m.frame} ${m.type} ${m.xid}`;
  const held = full(name).messages.map(key);
  const r = run(['-r', name, '--json', '--no-hold']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(parseJsonLines(r.stdout).map(key), held);
});

test('text mode -t r and -t a: the time column changes, the rest of the line does not', () => {
  const d = lines(run(['-r', BROWSE]).stdout);
  const rel = lines(run(['-r', BROWSE, '-t', 'r']).stdout);
  const abs = lines(run(['-r', BROWSE, '-t', 'a']).stdout);
  assert.equal(rel.length, d.length);
  assert.equal(abs.length, d.length);
  const tail = (l: string): string => l.replace(/^\s*\d+\s+\S+/, '');
  for (let i = 0; i < d.length; i++) {
    assert.equal(tail(rel[i]), tail(d[i]));
    assert.equal(tail(abs[i]), tail(d[i]));
  }
  assert.match(rel[0], /^\s*\d+\s+0\.00000 /, rel[0]);
  assert.notDeepEqual(abs, d);
});
