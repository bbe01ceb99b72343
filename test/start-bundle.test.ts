/**
 * src/cli/start-bundle.ts: the one-file bundle bin/rpcsnoop.js loads the CLI from. Built here from a small fake
 * dist/ in a temporary directory and loaded in child processes (a fresh module cache each): which modules it
 * holds, that each module still has one instance whoever requires it, that lazy requires stay lazy, that a changed
 * module file makes it fall back to node's loading, and that the V8 code cache is written, used, and ignored when
 * it belongs to another bundle.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBundle } from '../src/cli/start-bundle';
import { removeTempDir, tempDir } from './helpers/synthetic-capture';

after(removeTempDir);

const START_BUNDLE = join(__dirname, '..', 'src', 'cli', 'start-bundle.js');

/** A dist/ like tsc's: src/cli/main.js requires ./a at once and ../lib/b lazily; tui/x.js (outside src/) requires a. */
function fakeDist(): string {
  const d = join(tempDir(), `dist-${Math.random().toString(36).slice(2)}`);
  for (const sub of ['src/cli', 'src/lib', 'tui']) mkdirSync(join(d, sub), { recursive: true });
  writeFileSync(
    join(d, 'src/cli/main.js'),
    `"use strict";
const a_1 = require("./a");
exports.main = async () => a_1.value;
exports.lazy = () => require('../lib/b');
exports.a = a_1;
//# sourceMappingURL=main.js.map
`,
  );
  writeFileSync(join(d, 'src/cli/a.js'), `"use strict";\nconst path = require("node:path");\nexports.value = 1;\nexports.file = __filename;\nexports.base = path.basename(__dirname);\n`);
  writeFileSync(join(d, 'src/lib/b.js'), `"use strict";\nexports.a = require("../cli/a");\n`);
  writeFileSync(join(d, 'tui/x.js'), `"use strict";\nexports.a = require("../src/cli/a");\n`);
  return d;
}

interface Report {
  from: string;
  value: number;
  sameA: boolean;
  aFile: string;
  aBase: string;
  lazyBefore: boolean;
  lazyAfter: boolean;
  lazySameA: boolean;
  tuiSameA: boolean;
}

/** Loads the fake dist's main through loadMain in a new node process and reports what it saw. */
function load(dist: string, env: NodeJS.ProcessEnv = {}): Report {
  const code = `
const { join } = require('node:path');
const dist = ${JSON.stringify(dist)};
(async () => {
  const { main, from } = require(${JSON.stringify(START_BUNDLE)}).loadMain(dist);
  const aPath = join(dist, 'src/cli/a.js');
  const bPath = join(dist, 'src/lib/b.js');
  const mainMod = require.cache[join(dist, 'src/cli/main.js')].exports;
  const a = mainMod.a;
  const lazyBefore = bPath in require.cache;
  const b = mainMod.lazy();
  process.stdout.write(JSON.stringify({
    from, value: await main(), sameA: require(aPath) === a, aFile: a.file, aBase: a.base,
    lazyBefore, lazyAfter: bPath in require.cache, lazySameA: b.a === a, tuiSameA: require(join(dist, 'tui/x.js')).a === a,
  }));
})();
`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', env: { ...process.env, RPCSNOOP_NO_BUNDLE: '', ...env }, timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Report;
}

test('the bundle holds what the CLI entry reaches under src/, tui/ excluded', () => {
  const d = fakeDist();
  assert.deepEqual(buildBundle(d), ['src/cli/a.js', 'src/cli/main.js', 'src/lib/b.js']);
  const text = readFileSync(join(d, 'rpcsnoop-bundle.js'), 'utf8');
  assert.match(text, /^\/\/rpcsnoop-bundle 2 \{"id":"[0-9a-f]{40}"/);
  assert.doesNotMatch(text, /sourceMappingURL/);
});

test('modules from the bundle: one instance each, real file names, lazy requires stay lazy', () => {
  const d = fakeDist();
  buildBundle(d);
  const r = load(d);
  assert.equal(r.from, 'bundle');
  assert.equal(r.value, 1);
  assert.equal(r.aFile, join(d, 'src/cli/a.js'));
  assert.equal(r.aBase, 'cli');
  assert.ok(r.sameA, "node's require of a bundled file gives the bundle's instance");
  assert.equal(r.lazyBefore, false, 'a lazy require runs only when reached');
  assert.ok(r.lazyAfter);
  assert.ok(r.lazySameA);
  assert.ok(r.tuiSameA, 'a module outside the bundle that requires a bundled one gets the same instance');
});

test('the code cache is written at exit, then used; a cache of another bundle is ignored and replaced', () => {
  const d = fakeDist();
  buildBundle(d);
  const cache = join(d, 'rpcsnoop-bundle.cache');
  assert.equal(existsSync(cache), false);
  assert.equal(load(d).from, 'bundle');
  assert.ok(existsSync(cache), 'written at exit');
  const id = /"id":"([0-9a-f]{40})"/.exec(readFileSync(join(d, 'rpcsnoop-bundle.js'), 'utf8'))?.[1] as string;
  assert.equal(readFileSync(cache).toString('latin1', 0, 40), id);
  assert.equal(load(d).from, 'bundle+cache');
  // a cache file of another bundle (same length, another id): not used
  const other = readFileSync(cache);
  other.write('0'.repeat(40), 0, 'latin1');
  writeFileSync(cache, other);
  assert.equal(load(d).from, 'bundle');
  assert.equal(readFileSync(cache).toString('latin1', 0, 40), id, 'rewritten for this bundle');
  assert.equal(load(d).from, 'bundle+cache');
  // rebuilding removes the old cache
  buildBundle(d);
  assert.equal(existsSync(cache), false);
});

test('a module file changed since the bundle was built: node loads the files, and the new code runs', () => {
  const d = fakeDist();
  buildBundle(d);
  writeFileSync(join(d, 'src/cli/a.js'), readFileSync(join(d, 'src/cli/a.js'), 'utf8').replace('exports.value = 1', 'exports.value = 2'));
  const r = load(d);
  assert.equal(r.from, 'modules');
  assert.equal(r.value, 2);
  assert.ok(r.sameA && r.lazySameA && r.tuiSameA);
  // the same size and content but a new mtime (a tsc run): still not trusted
  buildBundle(d);
  assert.equal(load(d).from, 'bundle');
  const later = new Date(Date.now() + 5000);
  utimesSync(join(d, 'src/lib/b.js'), later, later);
  assert.equal(load(d).from, 'modules');
});

test('RPCSNOOP_NO_BUNDLE=1, a missing or foreign bundle file: modules loaded one by one', () => {
  const d = fakeDist();
  assert.equal(load(d).from, 'modules', 'no bundle built');
  buildBundle(d);
  assert.equal(load(d, { RPCSNOOP_NO_BUNDLE: '1' }).from, 'modules');
  const built = readFileSync(join(d, 'rpcsnoop-bundle.js'), 'utf8');
  writeFileSync(join(d, 'rpcsnoop-bundle.js'), built.replace('//rpcsnoop-bundle 2 ', '//rpcsnoop-bundle 1 '));
  assert.equal(load(d).from, 'modules', 'a bundle of another layout');
  writeFileSync(join(d, 'rpcsnoop-bundle.js'), '({})\n');
  assert.equal(load(d).from, 'modules', 'a file without the manifest line');
});
