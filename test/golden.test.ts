/**
 * Golden outputs (Zeek's habit): each capture in fixtures/ and rpcsnoop's exact output for it, in text and JSON,
 * kept in fixtures/golden/. Any change of output fails here until `npm run golden` regenerates the files and the
 * diff is reviewed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GOLDEN_DIR, GOLDEN_KINDS, goldenName, renderGolden, type GoldenKind } from './golden/golden-render';
import { fixtureCaptures } from './helpers/fixtures';

for (const name of fixtureCaptures()) {
  for (const kind of Object.keys(GOLDEN_KINDS) as GoldenKind[]) {
    test(`golden ${kind}: ${name}`, () => {
      const file = join(GOLDEN_DIR, `${goldenName(name)}.${kind}`);
      assert.ok(existsSync(file), `missing ${file}: run npm run golden`);
      const want = readFileSync(file, 'utf8');
      const got = renderGolden(name, kind);
      if (got !== want) {
        const a = want.split('\n');
        const b = got.split('\n');
        const i = a.findIndex((l, k) => l !== b[k]);
        assert.fail(`output differs from ${file} at line ${i + 1}:\n- ${a[i]}\n+ ${b[i]}\n(run npm run golden if intended)`);
      }
    });
  }
}
