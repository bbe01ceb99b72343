/**
 * A small seeded generator for property tests: every random choice comes from one xorshift32 sequence
 * (src/xorshift.ts), so a failing case is replayed by its seed. `forSeeds` runs a property over many seeds and, when
 * one fails, rethrows with the seed and how to replay it (PROPERTY_SEED=… runs only that seed; PROPERTY_CASES=…
 * changes how many run).
 */
import { xorshift32 } from '../../src/xorshift';

export class Gen {
  private readonly next: () => number;

  constructor(readonly seed: number) {
    this.next = xorshift32(seed, 0x9e3779b9);
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next();
  }

  /** An integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  u32(): number {
    return (this.int(0, 0xffff) * 0x10000 + this.int(0, 0xffff)) >>> 0;
  }

  u64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)];
  }

  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.int(0, 255);
    return b;
  }

  /** A file-name-like string: mostly ASCII, sometimes multi-byte UTF-8, rarely a control character. */
  name(maxLen = 24): string {
    const n = this.int(1, maxLen);
    let s = '';
    for (let i = 0; i < n; i++) {
      const r = this.float();
      if (r < 0.85) s += this.pick([...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-']);
      else if (r < 0.97) s += this.pick(['é', 'ß', '日', '本', 'Ω', '😀', ' ']);
      else s += this.pick(['\x1b', '\n', '\t', '\u202e', '\x7f']);
    }
    return s;
  }

  /** Cut points (ascending, distinct, in (0, len)): `count` of them, or a random number. */
  cuts(len: number, count = this.int(0, Math.min(8, Math.max(0, len - 1)))): number[] {
    if (len < 2) return [];
    const set = new Set<number>();
    const want = Math.min(count, len - 1);
    while (set.size < want) set.add(this.int(1, len - 1));
    return [...set].sort((a, b) => a - b);
  }

  /** Fisher-Yates shuffle of a copy. */
  shuffle<T>(xs: readonly T[]): T[] {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}

/** The seeds a property runs over: PROPERTY_SEED pins one, otherwise `count` (or PROPERTY_CASES) from `base`. */
export function seeds(count: number, base: number): number[] {
  const pinned = process.env.PROPERTY_SEED;
  if (pinned !== undefined && pinned !== '') return [Number(pinned) >>> 0];
  const n = Number(process.env.PROPERTY_CASES ?? count);
  return Array.from({ length: n }, (_, i) => (Math.imul(base + i, 0x9e3779b1) >>> 0) || 1);
}

/** Runs `property` for every seed; a failure is rethrown naming its seed and the command that replays it. */
export function forSeeds(count: number, base: number, property: (g: Gen, seed: number) => void): void {
  for (const seed of seeds(count, base)) {
    try {
      property(new Gen(seed), seed);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      const err = new Error(`property failed for seed ${seed} (replay: PROPERTY_SEED=${seed} node --test <this test file>): ${msg}`);
      (err as Error & { cause?: unknown }).cause = e;
      throw err;
    }
  }
}
