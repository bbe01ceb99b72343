/**
 * xorshift32 (Marsaglia, 2003): a small deterministic pseudo-random sequence in [0, 1), for sampling that must give
 * the same report on every run (stats) and for tests that must replay their mangling. Not for anything secret.
 */
export function xorshift32(seed: number, seedIfZero = 1): () => number {
  let x = seed >>> 0 || seedIfZero;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}
