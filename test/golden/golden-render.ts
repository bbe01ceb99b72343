/** Shared by the golden test and its regeneration script: how a capture's golden output is produced. */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
export const FIXTURE_DIR = join(ROOT, 'fixtures');
export const GOLDEN_DIR = join(FIXTURE_DIR, 'golden');
const BIN = join(ROOT, 'bin', 'rpcsnoop.js');

export function goldenCaptures(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => /\.(pcap|pcapng)$/.test(f))
    .sort();
}

/** Text mode with relative times (`-t r`), so lines do not depend on the local time zone. */
export function renderGolden(name: string, kind: 'txt' | 'jsonl'): string {
  const args = [BIN, '-r', join(FIXTURE_DIR, name), ...(kind === 'jsonl' ? ['--json'] : ['-t', 'r'])];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`rpcsnoop failed on ${name}: ${r.stderr}`);
  return r.stdout;
}
