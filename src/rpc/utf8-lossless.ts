/**
 * UTF-8 decoding that keeps invalid bytes recoverable (the "surrogateescape" idea): every byte that is not part of a
 * well-formed sequence (RFC 3629 section 4: no overlong forms, no encoded surrogates, nothing above U+10FFFF) becomes
 * the lone surrogate U+DC00+byte (U+DC80-U+DCFF, as such bytes are >= 0x80). A well-formed UTF-8 string can never
 * decode to a lone surrogate, so text output can show the original byte (`\x9b`, escape.ts) instead of an ambiguous
 * U+FFFD. Pure; reads the view, keeps no reference to it.
 */

const strict = new TextDecoder('utf-8', { fatal: true });

/** Length of the well-formed sequence starting at b[i], or 0 (RFC 3629 section 4, Table 3-7 of Unicode). */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i];
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => i + k < b.length && b[i + k] >= lo && b[i + k] <= hi;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c >= 0xe1 && c <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

export function decodeUtf8Lossless(b: Uint8Array): string {
  try {
    return strict.decode(b);
  } catch {
    // fall through: at least one invalid byte
  }
  let out = '';
  let run = 0; // start of the current run of well-formed bytes
  let i = 0;
  while (i < b.length) {
    const n = sequenceLength(b, i);
    if (n > 0) {
      i += n;
      continue;
    }
    if (run < i) out += strict.decode(b.subarray(run, i));
    out += String.fromCharCode(0xdc00 + b[i]);
    i++;
    run = i;
  }
  if (run < b.length) out += strict.decode(b.subarray(run));
  return out;
}
