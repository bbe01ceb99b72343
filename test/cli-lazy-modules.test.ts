/**
 * `rpcsnoop -r FILE` (summary lines, the default) loads only what that mode needs: no TUI, no blessed, no cap, no
 * display filter compiler, no analysis reports, no live capture, no JSON or verbose formatting, no pcapng or
 * nanosecond reader for a µs pcap, no zlib (issue 7: first output line within 100 ms; docs/performance.md "Time to
 * the first line"). Each run is a real `node bin/rpcsnoop.js` with a preloaded hook reporting what was loaded at
 * exit; the same check on runs that do need those modules (-Y, --stats, --json, -v, gzip input) shows that the hook
 * sees them, so a new eager import makes this fail. Run both from the start bundle (src/cli/start-bundle.ts) and
 * from the separate module files (RPCSNOOP_NO_BUNDLE=1).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildBundle } from '../src/cli/start-bundle';
import { BIN, fixture, ROOT } from './helpers/fixtures';
import { removeTempDir, tempDir, tempFile } from './helpers/synthetic-capture';

after(removeTempDir);

const HOOK = join(__dirname, 'helpers', 'loaded-modules.js');

interface Loaded {
  files: string[];
  builtins: string[];
  /** Files of this repository, relative to it with '/' (dist/src/cli/main.js, node_modules/blessed/...). */
  ours: string[];
  stdout: string;
}

function loadedBy(args: string[], bundle: boolean): Loaded {
  const out = join(tempDir(), `loaded-${Math.random().toString(36).slice(2)}.json`);
  const env: NodeJS.ProcessEnv = { ...process.env, RPCSNOOP_LOADED_MODULES_OUT: out };
  if (bundle) delete env.RPCSNOOP_NO_BUNDLE;
  else env.RPCSNOOP_NO_BUNDLE = '1';
  const r = spawnSync(process.execPath, ['--require', HOOK, BIN, ...args], { encoding: 'utf8', env, cwd: ROOT, timeout: 30_000, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `rpcsnoop ${args.join(' ')}: ${r.stderr}`);
  const { files, builtins } = JSON.parse(readFileSync(out, 'utf8')) as { files: string[]; builtins: string[] };
  // node_modules is a symlink in worktrees: name packages by what follows node_modules/
  const ours = files.map((f) => {
    const nm = f.lastIndexOf(`${sep}node_modules${sep}`);
    if (nm >= 0) return 'node_modules/' + f.slice(nm + 14).split(sep).join('/');
    return f.startsWith(ROOT + sep) ? f.slice(ROOT.length + 1).split(sep).join('/') : f;
  });
  return { files, builtins, ours, stdout: r.stdout };
}

/** What the summary path of `-r` must not load: [pattern, what it is]. */
const NOT_FOR_SUMMARY: Array<[RegExp, string]> = [
  [/^dist\/tui\//, 'the TUI'],
  [/^node_modules\/blessed\//, 'blessed'],
  [/^node_modules\/cap\//, 'cap'],
  [/^dist\/src\/filter\//, 'the display filter'],
  [/^dist\/src\/analysis\//, 'the analysis reports'],
  [/^dist\/src\/cli\/(live|tui-launch|reports|progress|privileges)\.js$/, 'CLI modes not used'],
  [/^dist\/src\/capture\/(live-capture|live-clock|pcap-writer|pcapng|pcap-nsec|open-capture-at)\.js$/, 'capture code not used'],
  [/^dist\/src\/format\/(json|json-value|layer-detail|rpc-detail|program-detail|verbose-block)\.js$/, 'JSON and verbose formatting'],
  [/^dist\/src\/index\.js$/, 'the public API index (it loads everything)'],
];
const BUILTINS_NOT_FOR_SUMMARY = ['zlib', 'internal/fs/promises', 'perf_hooks', 'readline', 'crypto'];

function unwanted(l: Loaded): string[] {
  const bad = l.ours.filter((f) => NOT_FOR_SUMMARY.some(([re]) => re.test(f)));
  for (const b of BUILTINS_NOT_FOR_SUMMARY) if (l.builtins.includes(b)) bad.push(`node:${b}`);
  return bad;
}

let gz = '';
before(() => {
  // the bundle must be current for the "bundle" runs to use it (a plain `tsc` leaves it stale): build it here
  buildBundle();
  gz = tempFile('browse.pcap.gz', gzipSync(readFileSync(fixture('nfs3_browse_lo.pcap'))));
});

for (const bundle of [true, false]) {
  const how = bundle ? 'from the bundle' : 'from module files';

  test(`rpcsnoop -r FILE (summary) loads none of the other modes' modules, ${how}`, () => {
    for (const f of ['nfs3_browse_lo.pcap', 'nfs3_udp_ipfrag_vlan100_veth.pcap']) {
      const l = loadedBy(['-r', fixture(f)], bundle);
      assert.ok(l.stdout.split('\n').length > 10, `${f}: summary lines printed`);
      assert.deepEqual(unwanted(l), [], `${f}: loaded for summary output`);
      // it did load the pipeline, the classic pcap reader and pcap-parser: the hook sees our modules
      for (const want of ['dist/src/pipeline.js', 'dist/src/cli/printer.js', 'dist/src/capture/pcap-classic.js', 'node_modules/pcap-parser/lib/pcap-parser.js']) {
        assert.ok(l.ours.includes(want), `${f}: ${want} loaded`);
      }
    }
  });

  test(`the modes that need them do load them (the check can fail), ${how}`, () => {
    const cases: Array<[string[], string[]]> = [
      [['-r', fixture('nfs3_browse_lo.pcap'), '-Y', 'proc == LOOKUP', '--stats'], ['dist/src/filter/evaluate.js', 'dist/src/filter/transaction-filter.js', 'dist/src/analysis/stats.js', 'dist/src/cli/reports.js']],
      [['-r', fixture('nfs3_browse_lo.pcap'), '--json'], ['dist/src/format/json.js']],
      [['-r', fixture('nfs3_browse_lo.pcap'), '-v', '-c', '20'], ['dist/src/format/layer-detail.js', 'dist/src/format/verbose-block.js']],
      [['-r', fixture('rpcbind_rpcinfo_lo.pcapng')], ['dist/src/capture/pcapng.js']],
      [['-r', fixture('rpc_errors_lo_nsec.pcap')], ['dist/src/capture/pcap-nsec.js']],
    ];
    for (const [args, wanted] of cases) {
      const l = loadedBy(args, bundle);
      for (const w of wanted) assert.ok(l.ours.includes(w), `${args.slice(2).join(' ')}: ${w} loaded`);
      assert.ok(unwanted(l).length > 0, `${args.slice(2).join(' ')}: seen as loading more than summary output needs`);
    }
    const z = loadedBy(['-r', gz], bundle);
    assert.ok(z.builtins.includes('zlib'), 'gzip input loads zlib');
    assert.ok(z.stdout.length > 0);
  });
}
