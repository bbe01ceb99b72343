/**
 * Regenerates the golden outputs: for every capture in fixtures/, rpcsnoop's summary lines and JSON Lines go to
 * fixtures/golden/NAME.txt and NAME.jsonl. Run with `npm run golden` after an intended output change, then
 * review the diff: test/golden.test.ts fails on any unreviewed change.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureCaptures } from '../helpers/fixtures';
import { GOLDEN_DIR, GOLDEN_KINDS, renderGolden, type GoldenKind } from './golden-render';

mkdirSync(GOLDEN_DIR, { recursive: true });
for (const name of fixtureCaptures()) {
  for (const kind of Object.keys(GOLDEN_KINDS) as GoldenKind[]) {
    writeFileSync(join(GOLDEN_DIR, `${name}.${kind}`), renderGolden(name, kind));
  }
}
process.stdout.write(`golden: ${readdirSync(GOLDEN_DIR).length} files in ${GOLDEN_DIR}\n`);
