/** Shared by the golden test and its regeneration script: how a capture's golden output is produced. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BIN, fixture, FIXTURES } from '../helpers/fixtures';

/** Golden outputs of every capture in fixtures/ (fixtureCaptures()). */
export const GOLDEN_DIR = join(FIXTURES, 'golden');

/** Text mode with relative times (`-t r`), so lines do not depend on the local time zone. */
export function renderGolden(name: string, kind: 'txt' | 'jsonl'): string {
  const args = [BIN, '-r', fixture(name), ...(kind === 'jsonl' ? ['--json'] : ['-t', 'r'])];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`rpcsnoop failed on ${name}: ${r.stderr}`);
  return r.stdout;
}
