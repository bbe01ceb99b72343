/**
 * Where the repository's files are, for every test, and the one reader of tshark's ground-truth files beside the
 * fixtures (NAME.tsv, written by `tshark -T fields -E header=y`).
 *
 * Paths come from this file's own place: it compiles to dist/test/helpers/, three levels below the repository
 * root, whoever imports it (dist/test/*.test.js, dist/test/lab/, dist/test/golden/) and whatever the working
 * directory is.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..', '..');
export const FIXTURES = join(ROOT, 'fixtures');
export const BIN = join(ROOT, 'bin', 'rpcsnoop.js');

/** Path of a file in fixtures/. */
export function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** The names of the capture files in fixtures/ (.pcap and .pcapng), sorted. */
export function fixtureCaptures(): string[] {
  return readdirSync(FIXTURES)
    .filter((f) => /\.(pcap|pcapng)$/.test(f))
    .sort();
}

/** One row of a .tsv, keyed by column header; a column with no value in the row is ''. */
export type TsvRow = Record<string, string>;

/** The rows of a tshark .tsv file (header line = column names). Throws if a `required` column is missing. */
export function readTsv(path: string, required: readonly string[] = []): TsvRow[] {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  const header = lines[0].split('\t');
  for (const name of required) if (!header.includes(name)) throw new Error(`${path} has no ${name} column`);
  return lines.slice(1).map((line) => {
    const cells = line.split('\t');
    const row: TsvRow = {};
    header.forEach((h, i) => (row[h] = cells[i] ?? ''));
    return row;
  });
}
