/**
 * The hostile captures of fixtures/hostile/ (issue 8; built by test/hostile/, `npm run hostile`) through the real
 * command, in the modes that print differently (summary, -V, -v, --json, --stats): exit codes, the anomalies and
 * limits reported (once in the output, the total at the end), bounded output, no crash. The volume captures also
 * run as smaller copies built by the same builders, with small caps, so every mode stays fast.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BIN, ROOT } from './helpers/fixtures';
import { removeTempDir, tempFile } from './helpers/synthetic-capture';
import { HOSTILE_CAPTURES } from './hostile/catalogue';
import { captureFileBytes } from './hostile/generate';
import { millionCalls, tcpStreams } from './hostile/volume';
import { partialRecords } from './hostile/partial-records';
import { SEQUENCES } from './hostile/escape-sequences';

after(removeTempDir);

const hostile = (name: string): string => join(ROOT, 'fixtures', 'hostile', name);

interface Run {
  status: number | null;
  lines: string[];
  stderr: string;
  /** The "limit reached" lines (text) or objects (--json) in the output. */
  limits: string[];
  /** Output lines that are messages (not limit notices). */
  messages: string[];
}

function run(file: string, args: string[] = [], nodeArgs: string[] = []): Run {
  const r = spawnSync(process.execPath, [...nodeArgs, BIN, '-r', file, '--no-progress', ...args], { encoding: 'latin1', maxBuffer: 256 << 20 });
  assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /internal error|RangeError|TypeError|at .*\.js:\d+/, 'no crash');
  const lines = r.stdout.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const isLimit = (l: string): boolean => l.startsWith('rpcsnoop: limit reached') || l.startsWith('{"type":"limit"');
  return { status: r.status, lines, stderr: r.stderr, limits: lines.filter(isLimit), messages: lines.filter((l) => !isLimit(l) && l !== '') };
}

/** The anomaly counts of the end-of-run "anomalies:" line on stderr. */
function anomalies(r: Run): Record<string, number> {
  const m = /rpcsnoop: anomalies: (.*)/.exec(r.stderr);
  const out: Record<string, number> = {};
  for (const kv of m ? m[1].split(' ') : []) {
    const [k, v] = kv.split('=');
    out[k] = Number(v);
  }
  return out;
}

const MODES: Array<[string, string[]]> = [
  ['summary', []],
  ['-V', ['-V']],
  ['-v', ['-v']],
  ['--json', ['--json']],
  ['--stats', ['--stats']],
];

test('the committed captures are what the generator builds, each under 2 MB', () => {
  for (const c of HOSTILE_CAPTURES.filter((c) => !c.onDemand)) {
    const onDisk = readFileSync(hostile(c.name));
    assert.ok(onDisk.length < 2_000_000, `${c.name}: ${onDisk.length} bytes`);
    // gzip output may differ between zlib versions: compressed files are compared by their content
    if (c.name.endsWith('.gz') && !c.asIs) assert.ok(gunzipSync(onDisk).equals(c.build()), `${c.name} is stale: run npm run hostile`);
    else if (!c.name.endsWith('.gz')) assert.ok(captureFileBytes(c).equals(onDisk), `${c.name} is stale: run npm run hostile`);
  }
});

test('escape_sequences: every printed string reaches the terminal without a raw control character', () => {
  for (const [mode, args] of MODES) {
    const r = run(hostile('escape_sequences.pcap'), args);
    assert.equal(r.status, 0, mode);
    assert.deepEqual(anomalies(r), {}, `${mode}: every message decodes`);
    for (const l of r.lines) {
      // C0 controls (tab aside): none may reach the output unescaped (JSON escapes them itself)
      assert.doesNotMatch(l, /[\x00-\x08\x0a-\x1f]/, `${mode}: ${JSON.stringify(l)}`);
      // text modes also escape DEL and C1 CSI, raw (0x9b) or UTF-8 (C2 9B); JSON.stringify leaves those as they are
      if (mode !== '--json') assert.doesNotMatch(l, /\x7f|\x9b/, `${mode}: ${JSON.stringify(l)}`);
    }
    if (mode === 'summary') assert.equal(r.lines.length, 40);
  }
  const json = run(hostile('escape_sequences.pcap'), ['--json']).lines.map((l) => JSON.parse(Buffer.from(l, 'latin1').toString('utf8')) as { type: string; callFrame?: number | null; decodeError?: string });
  assert.equal(json.length, 40);
  assert.equal(json.filter((m) => m.type === 'reply' && typeof m.callFrame === 'number').length, 20, 'every reply paired');
  assert.ok(json.every((m) => m.decodeError === undefined));
  // the sequences are really there: the escaped summary shows the clear-screen sequence as text
  const text = run(hostile('escape_sequences.pcap')).lines.join('\n');
  assert.ok(SEQUENCES.clear.length > 0 && text.includes('\\x1b[2J'));
});

test('calls without replies: --max-pending and --max-held are each reported once, when reached, and counted at the end', () => {
  const r = run(hostile('calls_without_replies.pcap.gz'), ['--max-pending', '10000', '--max-held', '1000']);
  assert.equal(r.status, 0);
  assert.equal(r.messages.length, 250_000);
  assert.equal(r.limits.length, 2);
  assert.match(r.limits[0], /^rpcsnoop: limit reached at frame 1001: more than 1000 messages \(or 32 MiB of them\) held back .*\(--max-held; counted at the end\)$/);
  assert.match(r.limits[1], /^rpcsnoop: limit reached at frame 10001: more than 10000 calls remembered for pairing: .*\(--max-pending;/);
  // the notice comes when the limit is reached, not at the end: about 9000 calls were printed before it
  const at = r.lines.indexOf(r.limits[1]);
  assert.ok(at > 8000 && at < 10_001, String(at));
  // every call beyond the last 10 000 evicted; every call but the last 1000 printed before it could be answered
  assert.match(r.stderr, /pairing table full: 240000 transactions evicted, 240000 of them before their reply \(raise --max-pending, now 10000\)/);
  assert.match(r.stderr, /release queue full: 249000 calls printed before their reply \(raise --max-held, now 1000\)/);
});

test('calls without replies, every mode: the limits appear once each as a line or a JSON object', () => {
  const file = tempFile('calls-20000.pcap', millionCalls(20_000));
  for (const [mode, args] of MODES) {
    const r = run(file, [...args, '--max-pending', '5000', '--max-held', '500']);
    assert.equal(r.status, 0, mode);
    assert.equal(r.limits.length, 2, mode);
    if (mode === '--json') {
      const objs = r.limits.map((l) => JSON.parse(l) as { anomaly: string; option: string; value: number; frame: number });
      assert.deepEqual(
        objs.map((o) => [o.anomaly, o.option, o.value, o.frame]),
        [
          ['release_queue_full', '--max-held', 500, 501],
          ['pairing_table_full', '--max-pending', 5000, 5001],
        ],
      );
      assert.equal(r.messages.length, 20_000);
    }
    if (mode === 'summary') assert.equal(r.messages.length, 20_000);
    assert.match(r.stderr, /pairing table full: 15000 transactions evicted/, mode);
  }
  // the old name still works, the same way; both at once is a usage error
  const old = run(file, ['--stats', '--max-transactions', '5000', '--max-held', '500']);
  assert.match(old.stderr, /pairing table full: 15000 transactions evicted/);
  assert.equal(run(file, ['--max-transactions', '5000', '--max-pending', '5000']).status, 2);
});

test('tcp_streams: 100 000 concurrent connections fit the default --max-streams; each gap is counted', () => {
  const r = run(hostile('tcp_streams.pcap.gz'));
  assert.equal(r.status, 0);
  assert.equal(r.messages.length, 200_000);
  assert.deepEqual(anomalies(r), { tcp_gap: 100_000 });
  assert.equal(r.limits.length, 1, 'only --max-held is reached');
  assert.match(r.limits[0], /--max-held/);
  assert.doesNotMatch(r.stderr, /TCP stream table full/);
});

test('tcp streams past --max-streams, every mode: one notice, every eviction counted at the end', () => {
  const file = tempFile('streams-3000.pcap', tcpStreams(3000));
  for (const [mode, args] of MODES) {
    const r = run(file, [...args, '--max-streams', '1000']);
    assert.equal(r.status, 0, mode);
    const streams = r.limits.filter((l) => /--max-streams|tcp_stream_table_full/.test(l));
    assert.equal(streams.length, 1, mode);
    if (mode === '--json') assert.equal((JSON.parse(streams[0]) as { frame: number }).frame, 1001);
    // 6000 connections created (each stream's second segment comes back after its eviction), the first 1000 free
    assert.match(r.stderr, /TCP stream table full: 5000 open connections evicted \(raise --max-streams, now 1000\)/, mode);
    assert.equal(anomalies(r).tcp_stream_table_full, 5000);
  }
  // within the cap: no notice, the 3000 gaps
  const r = run(file, ['--stats']);
  assert.equal(r.limits.length, 0);
  assert.deepEqual(anomalies(r), { tcp_gap: 3000 });
});

test('--stats past --max-endpoints: one notice when the first client is folded, an (others) row, the total on stderr', () => {
  const file = tempFile('streams-endpoints-3000.pcap', tcpStreams(3000));
  const text = run(file, ['--stats', '--max-endpoints', '1000']);
  assert.equal(text.status, 0);
  assert.equal(text.limits.length, 1);
  // connection i's first call is frame i + 1: client 1001 is the first past the cap
  assert.match(text.limits[0], /^rpcsnoop: limit reached at frame 1001: more than 1000 clients or servers counted one by one by --stats: .*\(--max-endpoints; counted at the end\)$/);
  // 3000 clients, 2 calls each: 2000 kept per client, 4000 in the (others) row
  assert.ok(text.messages.some((l) => /^\(others\)\s+4000\s/.test(l)), 'the (others) row counts the calls of clients 1001-3000');
  assert.match(text.stderr, /stats endpoint table full: 4000 messages of clients or servers past the first 1000 counted in the \(others\) rows \(raise --max-endpoints\)/);
  const json = run(file, ['--stats', '--json', '--max-endpoints', '1000']);
  assert.deepEqual(JSON.parse(json.limits[0]), { type: 'limit', anomaly: 'endpoint_table_full', limit: 'endpoints', option: '--max-endpoints', value: 1000, frame: 1001, time: 1_700_000_000 });
  const report = JSON.parse(json.messages[0]) as { clients: Array<{ address: string; calls: number; other?: true }> };
  assert.equal(report.clients.length, 1001);
  assert.deepEqual(report.clients.filter((c) => c.other).map((c) => [c.address, c.calls]), [['(others)', 4000]]);
  // under the cap: no row, no notice
  const under = run(file, ['--stats', '--json', '--max-endpoints', '3000']);
  assert.equal(under.limits.length, 0);
  assert.equal((JSON.parse(under.messages[0]) as { clients: unknown[] }).clients.length, 3000);
});

test('huge_record_marks: records of 2^31-1 bytes are kept truncated, the 16.8 MB one hits --max-record-size once', () => {
  for (const [mode, args] of MODES) {
    const r = run(hostile('huge_record_marks.pcap.gz'), args);
    assert.equal(r.status, 0, mode);
    // record_truncated: 901 and 902 cut by the end of their data, and 906 (a mark and FIN, no body: no message, but
    // counted — it used to vanish silently)
    assert.deepEqual(anomalies(r), { record_too_large: 1, not_rpc: 5000, record_resync: 1, record_truncated: 3 }, mode);
    assert.equal(r.limits.length, 1, mode);
    assert.match(r.limits[0], mode === '--json' ? /"anomaly":"record_too_large".*"frame":293/ : /at frame 293: more than 16777216 bytes in a TCP record/);
    if (mode === '--json') {
      const msgs = r.messages.map((l) => JSON.parse(l) as { xid: number; length: number; truncated: boolean });
      assert.deepEqual(
        msgs.map((m) => [m.xid, m.length, m.truncated]),
        [
          [0x903, 16_800_000, true],
          [0x904, 72, false],
          [0x9041, 72, false],
          [0x905, 72, false],
          [0x901, 0x7fffffff, true],
          [0x902, 0x7fffffff, true],
        ],
      );
    }
  }
  const small = run(hostile('huge_record_marks.pcap.gz'), ['--max-record-size', '65536']);
  assert.equal(anomalies(small).record_too_large, 3);
  assert.match(small.stderr, /records too large: 3 TCP records kept truncated at 65536 bytes/);
});

/**
 * Node options that make the command report its peak RSS (KiB) on stderr as it exits: `maxrss=N`. From
 * /proc/self/status's VmHWM where there is one: getrusage's maxrss survives exec, so a child forked from this test
 * process (which built the captures) would report the test's own peak.
 */
function rssProbe(): string[] {
  const code = [
    "process.on('exit', () => {",
    "  let kib = process.resourceUsage().maxRSS;",
    "  try { kib = Number(/VmHWM:\\s*(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]); } catch {}",
    "  process.stderr.write('maxrss=' + kib + '\\n');",
    '});',
  ].join('\n');
  return ['--require', tempFile('rss-probe.js', code)];
}

test('partial_records: 64 connections holding 15 MB each are cut to --max-record-buffer, oldest first; RSS stays bounded', () => {
  for (const [mode, args] of [MODES[0], MODES[3]]) {
    const r = run(hostile('partial_records.pcap.gz'), args, rssProbe());
    assert.equal(r.status, 0, mode);
    // 64 MiB holds four 15 MB records: each later connection's bytes push the oldest out (64 - 4 = 60); the last
    // four are flushed truncated at the end
    assert.deepEqual(anomalies(r), { record_buffer_full: 60, record_truncated: 4 }, mode);
    const cut = r.limits.filter((l) => /record.buffer/.test(l));
    assert.equal(cut.length, 1, mode);
    // connection 4 (frames 1009-1260) passes 67 108 864 bytes 7.2 MB into its record, 121 segments in
    assert.match(cut[0], mode === '--json' ? /"anomaly":"record_buffer_full","limit":"record_buffer","option":"--max-record-buffer","value":67108864,"frame":1129/ : /at frame 1129: more than 67108864 bytes of partial TCP records/);
    assert.match(r.stderr, /record buffer full: 60 partial TCP records cut, .* under 67108864 bytes \(raise --max-record-buffer\)/);
    assert.equal(r.messages.length, 64, 'every record is still reported, truncated');
    // 960 MB of partial records without the budget (1.3 GB RSS measured); with it, well under the 1 GiB budget
    const rss = Number(/maxrss=(\d+)/.exec(r.stderr)?.[1]);
    assert.ok(rss > 0 && rss < 600 * 1024, `${mode}: peak RSS ${rss} KiB`);
  }
  // a smaller copy with a small budget: the cut order is the order the records began
  const file = tempFile('partial-8.pcap', partialRecords(8, 2_000_000));
  const r = run(file, ['--json', '--max-record-buffer', '5000000']);
  assert.deepEqual(anomalies(r), { record_buffer_full: 6, record_truncated: 2 });
  const msgs = r.messages.map((l) => JSON.parse(l) as { sport: number; truncated: boolean });
  assert.deepEqual(msgs.map((m) => m.sport), [10_000, 10_001, 10_002, 10_003, 10_004, 10_005, 10_006, 10_007]);
  assert.ok(msgs.every((m) => m.truncated));
  assert.equal(run(file, ['--max-record-buffer', '100']).status, 2, 'a budget under 64 KiB is a usage error');
});

test('nested_indirect: CALLIT/INDIRECT nested 20 000 deep decodes to the depth limit, output stays small', () => {
  for (const [mode, args] of MODES) {
    const r = run(hostile('nested_indirect.pcap.gz'), args);
    assert.equal(r.status, 0, mode);
    assert.deepEqual(anomalies(r), {}, mode);
    assert.equal(r.limits.length, 0);
    assert.ok(r.lines.length < 2000, `${mode}: ${r.lines.length} lines`);
    for (const l of r.lines) assert.ok(l.length < 5000, `${mode}: a line of ${l.length}`);
    if (mode === 'summary') {
      assert.equal(r.lines.length, 8);
      // three levels shown, never more
      for (const l of r.lines) assert.ok((l.match(/\[/g) ?? []).length <= 2, l);
    }
  }
});

test('huge_lists: counts of 2^31 fail one decode; endless lists stop at their caps; -v stays bounded', () => {
  for (const [mode, args] of MODES) {
    const r = run(hostile('huge_lists.pcap.gz'), args);
    assert.equal(r.status, 0, mode);
    assert.deepEqual(anomalies(r), { malformed_body: 1 }, mode);
    if (mode === 'summary') {
      assert.equal(r.lines.length, 21);
      assert.ok(r.lines.some((l) => l.includes('READDIRPLUS3 OK 524285+ entries (incomplete)')));
      assert.ok(r.lines.some((l) => l.includes('Get mount list 100000+ entries')));
    }
    if (mode === '-v') {
      assert.ok(r.lines.includes('NFS:    ... 514285 more entries not shown'));
      assert.ok(r.lines.length < 250_000, String(r.lines.length));
    }
  }
});

test('ip_fragments: overlaps counted, the fragment table fills once, the complete datagram after it still decodes', () => {
  for (const [mode, args] of MODES) {
    const r = run(hostile('ip_fragments.pcap.gz'), args);
    assert.equal(r.status, 0, mode);
    assert.deepEqual(anomalies(r), { ip_fragment_overlap: 7, ip_fragment_too_large: 1, ip_fragment_table_full: 3479, ip_fragment_incomplete: 1023 }, mode);
    assert.equal(r.limits.length, 1, mode);
    assert.match(r.limits[0], mode === '--json' ? /"option":"--max-fragments","value":1024,"frame":3551/ : /at frame 3551: more than 1024 IP datagrams/);
    assert.match(r.stderr, /IP fragment table full: 3479 incomplete datagrams given up \(raise --max-fragments, now 1024\)/);
    if (mode === 'summary') assert.equal(r.messages.length, 8);
  }
  const big = run(hostile('ip_fragments.pcap.gz'), ['--max-fragments', '5000']);
  assert.equal(big.limits.length, 0);
  assert.equal(anomalies(big).ip_fragment_incomplete, 4502);
});

test('pcapng blocks with wrong lengths: what comes before the damage is printed, then exit 1', () => {
  const damaged = HOSTILE_CAPTURES.filter((c) => /^pcapng_(?!epb_63mib)/.test(c.name));
  assert.equal(damaged.length, 7);
  for (const c of damaged) {
    for (const [mode, args] of MODES.filter(([m]) => m !== '-V')) {
      const r = run(hostile(c.name), args);
      assert.equal(r.status, 1, `${c.name} ${mode}`);
      assert.match(r.stderr, /pcapng (packet |interface )?block at offset \d+/, c.name);
      const expected = c.name.includes('idb_option') ? 0 : 2;
      if (mode === 'summary' || mode === '--json') assert.equal(r.messages.length, expected, `${c.name} ${mode}`);
    }
  }
  const huge = run(hostile('pcapng_epb_63mib.pcapng.gz'));
  assert.equal(huge.status, 0);
  assert.equal(huge.messages.length, 4);
});

test('snaplen 0 and frames of 0 bytes: counted as truncated, the frames around them decode', () => {
  for (const [mode, args] of MODES) {
    const r = run(hostile('snaplen_zero.pcap'), args);
    assert.equal(r.status, 0, mode);
    assert.deepEqual(anomalies(r), { frame_truncated: 4 }, mode);
    if (mode === 'summary') assert.equal(r.lines.length, 3);
  }
});

test('files cut in a record: everything before the cut is printed, the cut RPC record counted, exit 1', () => {
  for (const name of ['cut_in_record_data.pcap', 'cut_in_record_header.pcap']) {
    for (const [mode, args] of MODES) {
      const r = run(hostile(name), args);
      assert.equal(r.status, 1, `${name} ${mode}`);
      assert.match(r.stderr, /file ends in the middle of frame 5/);
      assert.deepEqual(anomalies(r), { malformed_header: 1, record_truncated: 1 });
      if (mode === 'summary') assert.equal(r.lines.length, 1);
    }
  }
  const gz = run(hostile('cut_in_gzip.pcap.gz'));
  assert.equal(gz.status, 1);
  assert.match(gz.stderr, /gzip data ends early/);
  assert.ok(statSync(hostile('cut_in_gzip.pcap.gz')).size > 0);
});
