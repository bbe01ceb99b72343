/**
 * JSON text that is also safe to `cat` on a terminal. JSON.stringify escapes C0 controls and lone surrogates but
 * leaves DEL, the C1 controls (U+0080-U+009F; U+009B is CSI to many terminals), the bidi/format controls (U+061C,
 * U+200E/F, U+202A-U+202E, U+2066-U+2069) and U+2028/U+2029 raw. Those can only occur inside JSON strings (the
 * structure is ASCII), so each is rewritten as its `\uXXXX` escape: the same JSON value, no raw byte a terminal could
 * act on. Wire bytes that were not valid UTF-8 are lone surrogates in our strings (utf8-lossless.ts) and come out as
 * `\udcNN` (NN the byte).
 */
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function uEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** JSON.stringify(value) with the characters above escaped. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value).replace(RAW_IN_JSON, uEscape);
}
