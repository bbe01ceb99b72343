/**
 * src/format/escape.ts, src/format/json-text.ts and src/rpc/utf8-lossless.ts: what a terminal could act on is shown
 * as a visible escape, invalid UTF-8 bytes survive decoding as themselves, JSON text carries no raw C1/bidi.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeControls, escapeDetailText, hasControls } from '../src/format/escape';
import { jsonText } from '../src/format/json-text';
import { decodeUtf8Lossless } from '../src/rpc/utf8-lossless';
import { XdrReader } from '../src/rpc/xdr';
import { XdrWriter } from './helpers/rpc-builders';
import { Gen } from './helpers/seeded-gen';

test('escapeControls: C0, DEL, C1, bidi/format controls, separators and lone surrogates become visible escapes', () => {
  assert.equal(escapeControls('a\x1b[2Jb\x07\b\r\n\t\x7f'), 'a\\x1b[2Jb\\x07\\x08\\r\\n\\t\\x7f');
  assert.equal(escapeControls('\u0085\u009b\u009f'), '\\u0085\\u009b\\u009f');
  assert.equal(escapeControls('x\u202ey\u2066\u2069\u200e\u200f\u061c\u2028\u2029'), 'x\\u202ey\\u2066\\u2069\\u200e\\u200f\\u061c\\u2028\\u2029');
  assert.equal(escapeControls('\udc9b\udcff'), '\\x9b\\xff', 'invalid bytes kept by the lossless decoder show as bytes');
  assert.equal(escapeControls('\ud800 \udfff'), '\\ud800 \\udfff', 'other lone surrogates as \\u');
  assert.equal(escapeControls('tab\there', true), 'tab\there');
  // printable text, including non-ASCII and astral characters (surrogate pairs), is left alone
  for (const s of ['plain /export/a.txt', 'é日本 Ω', '😀 emoji', '\u00a0nbsp', 'a\\x1b literal backslash']) {
    assert.equal(escapeControls(s), s);
    assert.equal(hasControls(s), false);
  }
  assert.equal(hasControls('a\tb'), true);
  assert.equal(hasControls('\u202e'), true);
});

test('escapeControls is idempotent and its output never holds a control (random strings)', () => {
  const g = new Gen(42);
  for (let i = 0; i < 2000; i++) {
    let s = '';
    for (let k = g.int(0, 20); k > 0; k--) s += String.fromCharCode(g.pick([g.int(0, 0x40), g.int(0x7f, 0xa0), g.int(0x2000, 0x2070), g.int(0xd800, 0xdfff), g.int(0x20, 0xffff)]));
    const e = escapeControls(s);
    assert.equal(hasControls(e), false, JSON.stringify(s));
    assert.equal(escapeControls(e), e);
  }
});

test('escapeDetailText: the leading layout tabs of a -v line stay, tabs inside it are escaped', () => {
  assert.equal(escapeDetailText('\t.... ...1 = Hard links supported'), '\t.... ...1 = Hard links supported');
  assert.equal(escapeDetailText('File name = a\tb\x1b'), 'File name = a\\tb\\x1b');
  assert.equal(escapeDetailText('\tx\ty'), '\tx\\ty');
});

test('decodeUtf8Lossless: valid UTF-8 as TextDecoder decodes it; each invalid byte as U+DC00+byte', () => {
  const enc = new TextEncoder();
  for (const s of ['', 'ascii', 'é日本😀', '\u009b\u202e', '\uffff\u{10ffff}']) assert.equal(decodeUtf8Lossless(enc.encode(s)), s);
  const cases: Array<[number[], string]> = [
    [[0x61, 0x9b, 0x62], 'a\udc9bb'], // lone continuation byte
    [[0xff, 0xfe], '\udcff\udcfe'],
    [[0xc3], '\udcc3'], // sequence cut at the end
    [[0xc3, 0x28], '\udcc3('], // bad continuation
    [[0xc0, 0xaf], '\udcc0\udcaf'], // overlong '/'
    [[0xe0, 0x80, 0xaf], '\udce0\udc80\udcaf'], // overlong 3-byte
    [[0xed, 0xa0, 0x80], '\udced\udca0\udc80'], // an encoded surrogate
    [[0xf4, 0x90, 0x80, 0x80], '\udcf4\udc90\udc80\udc80'], // above U+10FFFF
    [[0xe6, 0x97, 0xa5, 0xff, 0xf0, 0x9f, 0x98, 0x80], '日\udcff😀'],
  ];
  for (const [bytes, want] of cases) assert.equal(decodeUtf8Lossless(Uint8Array.from(bytes)), want, bytes.map((b) => b.toString(16)).join(' '));
});

test('decodeUtf8Lossless on random bytes: the bytes can be recovered exactly from the string', () => {
  const g = new Gen(7);
  for (let i = 0; i < 500; i++) {
    const b = g.bytes(g.int(0, 24));
    const s = decodeUtf8Lossless(b);
    // re-encode: lone surrogates U+DC80-U+DCFF back to their byte, everything else as UTF-8
    const back: number[] = [];
    for (const ch of s) {
      const c = ch.codePointAt(0)!;
      if (c >= 0xdc80 && c <= 0xdcff) back.push(c - 0xdc00);
      else back.push(...new TextEncoder().encode(ch));
    }
    assert.deepEqual(Uint8Array.from(back), b);
  }
});

test('XdrReader.string keeps invalid bytes (was U+FFFD)', () => {
  const r = new XdrReader(new XdrWriter().opaque(Uint8Array.of(0x6e, 0x9b, 0x6f)).bytes());
  assert.equal(r.string(255), 'n\udc9bo');
});

test('jsonText: the same JSON value, with DEL, C1, bidi controls and separators as \\u escapes', () => {
  const v = { name: 'a\x1b\x7f\u009b\u202e\u2066\u2028\udc9b日', n: 1 };
  const t = jsonText(v);
  assert.deepEqual(JSON.parse(t), v);
  assert.equal(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029\u{d800}-\u{dfff}]/u.test(t), false, t);
  assert.ok(t.includes('\\u001b\\u007f\\u009b\\u202e\\u2066\\u2028\\udc9b日'));
});
