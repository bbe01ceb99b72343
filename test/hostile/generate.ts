/**
 * `npm run hostile`: (re)writes the hostile captures of fixtures/hostile/ (issue 8), deterministically — the same
 * bytes on every run (fixed times, no randomness; gzip output carries no file time). `--full` also writes the
 * full-size captures too large to commit (their small committed versions are always written), and `--out DIR`
 * writes elsewhere (the benchmark and the tests use a temporary directory for the full-size ones).
 *
 *   node dist/test/hostile/generate.js [--full] [--out DIR] [NAME ...]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT } from '../helpers/fixtures';
import { HOSTILE_CAPTURES, type HostileCapture } from './catalogue';

export const HOSTILE_DIR = join(ROOT, 'fixtures', 'hostile');

/** The file's bytes as written: gzip (level 9, no name, time 0) when its name ends in .gz. */
export function captureFileBytes(c: HostileCapture): Buffer {
  const raw = c.build();
  return c.name.endsWith('.gz') && !c.asIs ? gzipSync(raw, { level: 9 }) : raw;
}

/** Writes the named captures (all when `names` is empty) into `dir`; returns their paths. */
export function writeHostile(dir: string, opts: { full?: boolean; names?: string[] } = {}): string[] {
  mkdirSync(dir, { recursive: true });
  const chosen = HOSTILE_CAPTURES.filter((c) => (opts.names?.length ? opts.names.includes(c.name) : !c.onDemand || opts.full === true));
  return chosen.map((c) => {
    const p = join(dir, c.name);
    writeFileSync(p, captureFileBytes(c));
    return p;
  });
}

function main(argv: string[]): void {
  let out = HOSTILE_DIR;
  let full = false;
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--full') full = true;
    else if (argv[i] === '--out') out = argv[++i];
    else names.push(argv[i]);
  }
  for (const p of writeHostile(out, { full, names })) process.stdout.write(`${p}\n`);
}

if (require.main === module) main(process.argv.slice(2));
