/**
 * tui/theme.ts: styled lines to terminal text — the SGR codes of each style with colour and without (NO_COLOR: no
 * colour code at all, the selection, the highlight and errors still visible by reverse video and bold), spans cut
 * at the width, attributes reset at the end, and the text itself always exactly the line padded or cut to the width.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { padTo, type Span, type Style, type StyledLine } from '../tui/styled-line';
import { Theme } from '../tui/theme';

const STYLES: Style[] = ['normal', 'selected', 'selectedDim', 'error', 'warning', 'pending', 'header', 'title', 'highlight', 'note', 'prompt', 'promptError', 'status', 'cursor'];

const SGR = /\x1b\[([0-9;]*)m/g;

/** The painted text without its SGR sequences. */
const visible = (s: string): string => s.replace(SGR, '');

/** Every SGR sequence of the output, as lists of numbers. */
function sgrCodes(s: string): number[][] {
  return [...s.matchAll(SGR)].map((m) => m[1].split(';').map(Number));
}

/** Codes that set a colour (foreground or background, normal or bright, 256/true colour, defaults). */
const isColour = (n: number): boolean => (n >= 30 && n <= 49) || (n >= 90 && n <= 97) || (n >= 100 && n <= 107);

/** The codes a whole line of a style is painted with. */
function codesOf(theme: Theme, style: Style, inverse = false): number[] {
  const out = theme.paint({ text: 'x', style, inverse }, 1);
  const codes = sgrCodes(out);
  if (codes.length === 0) return [];
  assert.equal(codes.length, 2, JSON.stringify(out));
  assert.deepEqual(codes[1], [0], 'the reset');
  assert.ok(out.startsWith('\x1b[') && out.endsWith('\x1b[0m'));
  return codes[0];
}

test('colour: each style its attributes — errors red, warnings yellow, pending cyan, the highlight and the status on a background', () => {
  const t = new Theme(true);
  assert.equal(t.paint({ text: 'plain' }, 8), 'plain   ', 'the normal style: no escape at all');
  assert.equal(t.paint({ text: 'plain', style: 'normal' }, 3), 'pla');
  assert.deepEqual(codesOf(t, 'error'), [31]);
  assert.deepEqual(codesOf(t, 'warning'), [33]);
  assert.deepEqual(codesOf(t, 'pending'), [36]);
  assert.deepEqual(codesOf(t, 'note'), [32]);
  assert.deepEqual(codesOf(t, 'selected'), [7]);
  assert.ok(codesOf(t, 'selectedDim').includes(7));
  assert.ok(codesOf(t, 'highlight').some((n) => n >= 40 && n <= 47));
  assert.ok(codesOf(t, 'status').some((n) => n >= 40 && n <= 47));
  assert.ok(codesOf(t, 'header').includes(1) && codesOf(t, 'header').includes(4));
  assert.ok(codesOf(t, 'title').includes(1));
  assert.ok(codesOf(t, 'promptError').includes(31));
  assert.deepEqual(codesOf(t, 'cursor'), [7]);
  // inverse adds reverse video to the style: the selected row keeps its colour as the background
  assert.deepEqual(codesOf(t, 'error', true), [31, 7]);
  assert.deepEqual(codesOf(t, 'normal', true), [7]);
  assert.equal(t.paint({ text: 'err', style: 'error', inverse: true }, 5), '\x1b[31;7merr  \x1b[0m');
  // styles that differ look different
  const looks = new Set(STYLES.filter((s) => s !== 'cursor' && s !== 'selected').map((s) => JSON.stringify(codesOf(t, s))));
  assert.equal(looks.size, STYLES.length - 2);
});

test('NO_COLOR: not one colour code in any style, inverse or span; reverse video and bold keep things apart', () => {
  const t = new Theme(false);
  for (const style of STYLES) {
    for (const inverse of [false, true]) {
      for (const span of STYLES) {
        const out = t.paint({ text: 'abcdef', style, inverse, spans: [{ start: 1, end: 3, style: span }] }, 6);
        for (const codes of sgrCodes(out)) assert.ok(!codes.some(isColour), `${style} ${inverse} ${span}: ${JSON.stringify(out)}`);
        assert.equal(visible(out), 'abcdef');
      }
    }
  }
  assert.ok(codesOf(t, 'selected').includes(7));
  assert.ok(codesOf(t, 'selectedDim').includes(7));
  assert.ok(codesOf(t, 'highlight').includes(7));
  assert.ok(codesOf(t, 'cursor').includes(7));
  assert.ok(codesOf(t, 'status').includes(7));
  assert.ok(codesOf(t, 'error').includes(1));
  assert.ok(codesOf(t, 'header').includes(4));
  assert.deepEqual(codesOf(t, 'error', true), [1, 7]);
  assert.equal(t.paint({ text: 'x', style: 'warning' }, 2), 'x ', 'no attribute, no escape');
});

test('spans: styled parts over the line\'s style, the line\'s style restored after each, cut at the width', () => {
  const t = new Theme(true);
  const line: StyledLine = {
    text: 'Filter: proc = X',
    style: 'promptError',
    spans: [
      { start: 13, end: 14, style: 'error' },
      { start: 16, end: 17, style: 'cursor' },
    ],
  };
  const [pe, err, cur, hl] = (['promptError', 'error', 'cursor', 'highlight'] as const).map((st) => `\x1b[${codesOf(t, st).join(';')}m`);
  const R = '\x1b[0m';
  assert.equal(t.paint(line, 20), `${pe}Filter: proc ${err}=${R}${pe} X${cur} ${R}${pe}   ${R}`);
  // the cursor span at the width is not painted; the error span crossing the edge is cut there
  assert.equal(t.paint(line, 14), `${pe}Filter: proc ${err}=${R}${pe}${R}`);
  assert.equal(t.paint(line, 13), `${pe}Filter: proc ${R}`);
  // a span on an unstyled line: just the span, reset after
  const hex: Span[] = [
    { start: 10, end: 14, style: 'highlight' },
    { start: 21, end: 23, style: 'highlight' },
  ];
  const out = t.paint({ text: '00000010: 4142 4344  AB', spans: hex }, 30);
  assert.equal(out, `00000010: ${hl}4142${R} 4344  ${hl}AB${R}${' '.repeat(7)}${R}`);
  // a span wholly past the width: nothing styled, nothing to reset
  assert.equal(t.paint({ text: 'short line', spans: [{ start: 40, end: 45, style: 'error' }] }, 8), 'short li');
});

test('the text is always the line padded or cut to the width, attributes reset at the end', () => {
  for (const theme of [new Theme(true), new Theme(false)]) {
    for (const width of [0, 1, 5, 12, 40]) {
      for (const style of STYLES) {
        for (const spans of [undefined, [], [{ start: 0, end: 2, style: 'cursor' as Style }], [{ start: 3, end: 9, style: 'highlight' as Style }, { start: 9, end: 30, style: 'error' as Style }]]) {
          const line: StyledLine = { text: 'the quick brown fox', style, spans };
          const out = theme.paint(line, width);
          assert.equal(visible(out), padTo(line.text, width), `${width} ${style} ${JSON.stringify(spans)}`);
          if (sgrCodes(out).some((c) => !(c.length === 1 && c[0] === 0))) assert.ok(out.endsWith('\x1b[0m'), JSON.stringify(out));
          assert.ok(!/\x1b(?!\[[0-9;]*m)/.test(out), 'no other escape sequence');
        }
      }
    }
  }
});

test('Theme.fromEnv: NO_COLOR set to anything but the empty string turns colour off', () => {
  assert.equal(Theme.fromEnv({}).color, true);
  assert.equal(Theme.fromEnv({ NO_COLOR: '' }).color, true);
  assert.equal(Theme.fromEnv({ NO_COLOR: '1' }).color, false);
  assert.equal(Theme.fromEnv({ NO_COLOR: '0' }).color, false);
  assert.equal(Theme.fromEnv({ NO_COLOR: 'false' }).color, false);
  assert.equal(Theme.fromEnv({ TERM: 'xterm-256color' }).color, true);
  const paint = (env: NodeJS.ProcessEnv): string => Theme.fromEnv(env).paint({ text: 'x', style: 'error' }, 1);
  assert.equal(paint({ NO_COLOR: '' }), '\x1b[31mx\x1b[0m');
  assert.equal(paint({ NO_COLOR: '1' }), '\x1b[1mx\x1b[0m');
});
