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

/** Captures of the same traffic in another format whose output must equal another capture's golden files
 *  exactly: the big-endian nanosecond pcap and the nanosecond pcapng (if_tsresol 9) of nfs3_browse_lo. One set of
 *  files, and the test proves the two readers decode the same frames. */
export const GOLDEN_SAME_AS: Readonly<Record<string, string>> = {
  'nfs3_browse_lo_nsec_bigendian.pcap': 'nfs3_browse_lo_nsec.pcapng',
};

/** The capture whose golden files hold `name`'s expected output. */
export function goldenName(name: string): string {
  return GOLDEN_SAME_AS[name] ?? name;
}

/** rpcsnoop's output for a capture. Times are relative (-t r) and -v's wall clock is pinned to UTC, so the
 *  files do not depend on where the tests run. */
export function renderGolden(name: string, kind: GoldenKind): string {
  const args = [BIN, '-r', fixture(name), ...GOLDEN_KINDS[kind]];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 256 << 20, env: { ...process.env, TZ: 'UTC' } });
  if (r.status !== 0) throw new Error(`rpcsnoop failed on ${name}: ${r.stderr}`);
  return r.stdout;
}
