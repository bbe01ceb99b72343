/** Shared by the golden test and its regeneration script: how a capture's golden output is produced. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BIN, fixture, FIXTURES } from '../helpers/fixtures';

/** Golden outputs of every capture in fixtures/ (fixtureCaptures()). */
export const GOLDEN_DIR = join(FIXTURES, 'golden');

/** The output modes kept as golden files, by file extension: summary lines, -V, -v, JSON Lines. */
export const GOLDEN_KINDS = {
  txt: ['-t', 'r'],
  V: ['-V', '-t', 'r'],
  v: ['-v'],
  jsonl: ['--json'],
} as const;

export type GoldenKind = keyof typeof GOLDEN_KINDS;

/** rpcsnoop's output for a capture. Times are relative (-t r) and -v's wall clock is pinned to UTC, so the
 *  files do not depend on where the tests run. */
export function renderGolden(name: string, kind: GoldenKind): string {
  const args = [BIN, '-r', fixture(name), ...GOLDEN_KINDS[kind]];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 256 << 20, env: { ...process.env, TZ: 'UTC' } });
  if (r.status !== 0) throw new Error(`rpcsnoop failed on ${name}: ${r.stderr}`);
  return r.stdout;
}
