/**
 * Regenerates the golden outputs: for every capture in fixtures/, rpcsnoop's summary lines and JSON Lines go to
 * fixtures/golden/NAME.txt and NAME.jsonl. Run with `npm run golden` after an intended output change, then
 * review the diff: test/golden.test.ts fails on any unreviewed change.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureCaptures } from '../helpers/fixtures';
import { GOLDEN_DIR, GOLDEN_KINDS, GOLDEN_SAME_AS, renderGolden, type GoldenKind } from './golden-render';

mkdirSync(GOLDEN_DIR, { recursive: true });
// captures held to another capture's files (GOLDEN_SAME_AS) get none of their own
for (const name of fixtureCaptures().filter((n) => !(n in GOLDEN_SAME_AS))) {
  for (const kind of Object.keys(GOLDEN_KINDS) as GoldenKind[]) {
    writeFileSync(join(GOLDEN_DIR, `${name}.${kind}`), renderGolden(name, kind));
  }
}
process.stdout.write(`golden: ${readdirSync(GOLDEN_DIR).length} files in ${GOLDEN_DIR}\n`);
