/**
 * Locating the fixture captures and reading tshark's frame-level truth from their NAME.tsv
 * (frame.number, frame.time_epoch with 9 decimals, frame.len, frame.cap_len) for the capture-layer tests.
 */

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatEpoch, type RawFrame } from '../../src/capture/raw-frame';

/**
 * The fixtures directory. Compiled tests live in dist/test/helpers or in another outDir entirely, so look
 * upwards from here first, then in the working directory (tests run from the project root).
 */
export function fixturesDir(): string {
  for (let dir = __dirname, i = 0; i < 5; i++, dir = resolve(dir, '..')) {
    const candidate = join(dir, 'fixtures');
    if (existsSync(join(candidate, 'MANIFEST-shared.md'))) return candidate;
  }
  return resolve(process.cwd(), 'fixtures');
}

export function fixture(name: string): string {
  return join(fixturesDir(), name);
}

export interface FrameTruth {
  frameNo: number;
  /** frame.time_epoch as tshark prints it: seconds with exactly 9 decimals. */
  epoch: string;
  len: number;
  capLen: number;
}

/** The frame-level columns of NAME.tsv (one row per frame that carries RPC). */
export function frameTruth(captureName: string): FrameTruth[] {
  const lines = readFileSync(fixture(`${captureName}.tsv`), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  const header = lines[0].split('\t');
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${captureName}.tsv has no ${name} column`);
    return i;
  };
  const [no, epoch, len, capLen] = ['frame.number', 'frame.time_epoch', 'frame.len', 'frame.cap_len'].map(col);
  return lines.slice(1).map((line) => {
    const c = line.split('\t');
    return { frameNo: Number(c[no]), epoch: c[epoch], len: Number(c[len]), capLen: Number(c[capLen]) };
  });
}

/**
 * Differences between the frames read and tshark's truth, as readable lines (empty when they agree): frames
 * must be numbered 1..n in order, and every truth row must match its frame exactly.
 */
export function truthMismatches(captureName: string, frames: RawFrame[]): string[] {
  const out: string[] = [];
  frames.forEach((f, i) => {
    if (f.frameNo !== i + 1) out.push(`frame at index ${i} is numbered ${f.frameNo}`);
    if (f.capLen !== f.bytes.length) out.push(`frame ${f.frameNo}: capLen ${f.capLen} but ${f.bytes.length} bytes`);
  });
  const rows = frameTruth(captureName);
  if (rows.length === 0) out.push(`${captureName}.tsv has no rows`);
  for (const row of rows) {
    const f = frames[row.frameNo - 1];
    if (!f) {
      out.push(`frame ${row.frameNo} missing`);
      continue;
    }
    const got = { epoch: formatEpoch(f.ts), len: f.origLen, capLen: f.capLen };
    const want = { epoch: row.epoch, len: row.len, capLen: row.capLen };
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      out.push(`frame ${row.frameNo}: got ${JSON.stringify(got)}, tshark ${JSON.stringify(want)}`);
    }
  }
  return out;
}
