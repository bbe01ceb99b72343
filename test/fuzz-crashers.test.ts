/**
 * Replays every input in fixtures/crashers/<target>/ through its fuzz target (the same code the fuzzer runs, without
 * Jazzer.js), asserting it returns without throwing, in bounded time. With no crashers this still runs each target
 * over a few seeds carved from the fixtures (so every target and seed type is exercised, and this test can fail),
 * and checks the harness's fixed choices (display filters compile, the mode arguments parse).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseOptions } from '../src/cli/options';
import { compileFilter } from '../src/filter/evaluate';
import { CRASHERS } from './fuzz/run';
import { carveSeeds, cutCapture, swapPcap } from './fuzz/seeds';
import { TARGETS, type TargetName } from './fuzz/target-list';
import { captureArgs, MODES } from './fuzz/targets/capture';
import { FILTERS } from './fuzz/targets/filters';
import { fixture } from './helpers/fixtures';

type Fuzz = (data: Buffer) => void | Promise<void>;

function target(name: TargetName): Fuzz {
  return (require(`./fuzz/targets/${name}`) as { fuzz: Fuzz }).fuzz;
}

/** Generous: the fuzzer's own hang limit per input is 10-20 s on an instrumented build. */
const BOUND_MS = 10_000;

async function runBounded(name: TargetName, data: Buffer): Promise<void> {
  const t0 = performance.now();
  await target(name)(data);
  const ms = performance.now() - t0;
  assert.ok(ms < BOUND_MS, `${name}: ${ms.toFixed(0)} ms`);
}

describe('fuzz crashers replay', () => {
  const dirs = existsSync(CRASHERS) ? readdirSync(CRASHERS, { withFileTypes: true }).filter((d) => d.isDirectory()) : [];
  for (const d of dirs) {
    const spec = TARGETS.find((t) => t.name === d.name);
    test(`${d.name}/ names a fuzz target`, () => assert.ok(spec, `fixtures/crashers/${d.name}: no such target`));
    if (!spec) continue;
    for (const f of readdirSync(join(CRASHERS, d.name)).sort()) {
      test(`${d.name}/${f} runs clean`, async () => runBounded(spec.name, readFileSync(join(CRASHERS, d.name, f))));
    }
  }
});

describe('fuzz targets over fixture seeds', () => {
  const maxLen = Object.fromEntries(TARGETS.map((t) => [t.name, t.maxLen])) as Record<TargetName, number>;
  const seeds = carveSeeds(maxLen);
  for (const t of TARGETS) {
    test(`${t.name}: seeds carved and run clean`, async () => {
      const all = (await seeds)[t.name];
      assert.ok(all.length >= 2, `${t.name}: ${all.length} seeds`);
      for (const s of all) assert.ok(s.length <= t.maxLen, `${t.name}: a seed of ${s.length} bytes`);
      // a few, spread over the fixtures (the full set is the fuzzer's)
      const step = Math.max(1, Math.floor(all.length / 6));
      for (let i = 0; i < all.length; i += step) await runBounded(t.name, all[i]);
    });
  }

});

describe('fuzz harness choices', () => {
  test('every display filter compiles', () => {
    for (const f of FILTERS) assert.doesNotThrow(() => compileFilter(f), f);
  });

  test('every mode byte and options byte gives arguments the CLI accepts', () => {
    for (let m = 0; m < MODES.length; m++) for (let o = 0; o < 256; o++) parseOptions(captureArgs(m, o));
    const o = parseOptions(captureArgs(9, 0x10));
    assert.equal(o.displayFilter, FILTERS[1]);
    assert.equal(parseOptions(captureArgs(10, 0)).tui, true);
  });

  test('cutCapture keeps whole records and blocks; swapPcap round-trips', () => {
    const pcap = readFileSync(fixture('nfs3_browse_lo.pcap'));
    const cut = cutCapture(pcap, 4096);
    assert.ok(cut.length <= 4096 && cut.length > 24);
    assert.deepEqual(swapPcap(swapPcap(cut)), cut);
    assert.notDeepEqual(swapPcap(cut), cut);
    const ng = readFileSync(fixture('rpcbind_rpcinfo_lo.pcapng'));
    const ngCut = cutCapture(ng, 4096);
    assert.ok(ngCut.length <= 4096 && ngCut.length >= 28);
    // ends on a block boundary: the last block's trailing length equals its leading one
    const last = ngCut.readUInt32LE(ngCut.length - 4);
    assert.equal(ngCut.readUInt32LE(ngCut.length - last + 4), last);
  });
});
