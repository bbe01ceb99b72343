/**
 * tui/line-editor.ts: the filter and search prompts' one-line editor — every key of its doc comment, the cursor
 * kept inside the text, history, printable-only insertion, the length cap, and blessed's double report of a
 * carriage return (`enter` then `return`) accepting once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineEditor, type KeyInput } from '../tui/line-editor';
import { typed } from './helpers/blessed-keys';

/** The keys blessed reports for typed text: `full` is the character (or `space`), `ch` the character. */
function type(ed: LineEditor, text: string): void {
  for (const ch of text) assert.equal(ed.key({ full: ch === ' ' ? 'space' : ch, ch }), 'edited', `typing ${JSON.stringify(ch)}`);
}

function editor(text: string, cursor = text.length): LineEditor {
  const ed = new LineEditor();
  ed.start(text);
  ed.cursor = cursor;
  return ed;
}

const k = (full: string, ch?: string): KeyInput => ({ full, ch });

test('start: the text with the cursor at its end; typing inserts at the cursor', () => {
  const ed = new LineEditor();
  ed.start('proc == ');
  assert.equal(ed.cursor, 8);
  type(ed, 'LOOKUP');
  assert.equal(ed.text, 'proc == LOOKUP');
  ed.key(k('home'));
  type(ed, 'not ');
  assert.equal(ed.text, 'not proc == LOOKUP');
  assert.equal(ed.cursor, 4);
  // a capital letter comes as S-x with the character in ch
  ed.key(k('S-x', 'X'));
  assert.equal(ed.text, 'not Xproc == LOOKUP');
  ed.start('again');
  assert.deepEqual([ed.text, ed.cursor], ['again', 5]);
});

test('cursor movement: left/C-b, right/C-f, home/C-a, end/C-e, never outside the text', () => {
  for (const [left, right, home, end] of [
    ['left', 'right', 'home', 'end'],
    ['C-b', 'C-f', 'C-a', 'C-e'],
  ]) {
    const ed = editor('abcd', 2);
    assert.equal(ed.key(k(left)), 'edited');
    assert.equal(ed.cursor, 1);
    ed.key(k(left));
    ed.key(k(left));
    assert.equal(ed.cursor, 0, `${left} stops at the start`);
    ed.key(k(right));
    assert.equal(ed.cursor, 1);
    ed.key(k(end));
    assert.equal(ed.cursor, 4);
    ed.key(k(right));
    assert.equal(ed.cursor, 4, `${right} stops at the end`);
    ed.key(k(home));
    assert.equal(ed.cursor, 0);
    assert.equal(ed.text, 'abcd', 'movement does not edit');
  }
});

test('backspace/C-h deletes before the cursor, delete/C-d under it; both do nothing at their end of the text', () => {
  for (const bs of ['backspace', 'C-h']) {
    const ed = editor('abcd', 2);
    assert.equal(ed.key(k(bs)), 'edited');
    assert.deepEqual([ed.text, ed.cursor], ['acd', 1]);
    ed.key(k(bs));
    ed.key(k(bs));
    assert.deepEqual([ed.text, ed.cursor], ['cd', 0]);
  }
  for (const del of ['delete', 'C-d']) {
    const ed = editor('abcd', 2);
    assert.equal(ed.key(k(del)), 'edited');
    assert.deepEqual([ed.text, ed.cursor], ['abd', 2]);
    ed.key(k(del));
    ed.key(k(del));
    assert.deepEqual([ed.text, ed.cursor], ['ab', 2]);
  }
});

test('C-u kills to the start, C-k to the end, C-w the word before the cursor with the blanks after it', () => {
  const u = editor('proc == LOOKUP', 8);
  u.key(k('C-u'));
  assert.deepEqual([u.text, u.cursor], ['LOOKUP', 0]);
  const kk = editor('proc == LOOKUP', 4);
  kk.key(k('C-k'));
  assert.deepEqual([kk.text, kk.cursor], ['proc', 4]);
  const w = editor('proc == LOOKUP and', 15);
  w.key(k('C-w'));
  assert.deepEqual([w.text, w.cursor], ['proc == and', 8]);
  w.key(k('C-w'));
  assert.deepEqual([w.text, w.cursor], ['proc and', 5]);
  w.key(k('C-w'));
  w.key(k('C-w'));
  assert.deepEqual([w.text, w.cursor], ['and', 0]);
  // blanks before the cursor go with the word before them, as readline's unix-word-rubout
  const blanks = editor('one two   three', 10);
  blanks.key(k('C-w'));
  assert.deepEqual([blanks.text, blanks.cursor], ['one three', 4]);
  const start = editor('abc', 0);
  start.key(k('C-w'));
  assert.deepEqual([start.text, start.cursor], ['abc', 0]);
});

test('enter and linefeed accept; escape and C-g cancel; a carriage return (enter, then return) accepts once', () => {
  const ed = editor('x');
  assert.equal(ed.key(k('enter', '\r')), 'accept');
  assert.equal(ed.key(k('return', '\r')), 'ignored');
  assert.equal(ed.key(k('linefeed', '\n')), 'accept');
  assert.equal(ed.key(k('escape')), 'cancel');
  assert.equal(ed.key(k('C-g')), 'cancel');
  assert.equal(ed.text, 'x', 'none of them edits the text');
});

test('history: up recalls older lines, down newer ones and then the line being typed; no repeats; blank lines not kept', () => {
  const ed = new LineEditor();
  for (const l of ['proc == READ', 'error', '   ', 'proc == READ']) ed.remember(l);
  ed.start('');
  type(ed, 'draft');
  assert.equal(ed.key(k('up')), 'edited');
  assert.deepEqual([ed.text, ed.cursor], ['proc == READ', 12], 'most recent first');
  ed.key(k('up'));
  assert.equal(ed.text, 'error');
  ed.key(k('up'));
  assert.equal(ed.text, 'error', 'the oldest stays at the top');
  ed.key(k('down'));
  assert.equal(ed.text, 'proc == READ');
  ed.key(k('down'));
  assert.deepEqual([ed.text, ed.cursor], ['draft', 5], 'past the newest: the line that was being typed');
  ed.key(k('down'));
  assert.equal(ed.text, 'draft');
  // a new start begins below the history again
  ed.start('');
  ed.key(k('up'));
  assert.equal(ed.text, 'proc == READ');
  // no history: up and down change nothing
  const empty = editor('abc', 1);
  empty.key(k('up'));
  empty.key(k('down'));
  assert.deepEqual([empty.text, empty.cursor], ['abc', 1]);
});

test('history is shared through the array given, holds the last 50 lines', () => {
  const lines: string[] = [];
  const a = new LineEditor(lines);
  for (let i = 0; i < 60; i++) a.remember(`frame == ${i}`);
  assert.equal(lines.length, 50);
  assert.equal(lines[0], 'frame == 10');
  assert.equal(lines[49], 'frame == 59');
  const b = new LineEditor(lines);
  b.start('');
  b.key(k('up'));
  assert.equal(b.text, 'frame == 59');
  a.remember('frame == 10');
  assert.equal(lines[49], 'frame == 10');
  assert.equal(lines.filter((l) => l === 'frame == 10').length, 1);
});

test('only printable characters are inserted: control characters (C0, DEL, C1), keys without a character and multi-character chunks are ignored', () => {
  const ed = editor('ab', 1);
  for (const ch of ['\x1b', '\x00', '\x07', '\t', '\x7f', '\x85', '\x9b', '\x9f']) {
    assert.equal(ed.key({ full: 'x-unknown', ch }), 'ignored', `ch ${JSON.stringify(ch)}`);
  }
  assert.equal(ed.key(k('tab', '\t')), 'ignored');
  assert.equal(ed.key(k('f1')), 'ignored');
  assert.equal(ed.key(k('M-x')), 'ignored');
  assert.equal(ed.key({ full: 'paste', ch: 'ab' }), 'ignored');
  assert.deepEqual([ed.text, ed.cursor], ['ab', 1]);
  // printable beyond ASCII is text
  assert.equal(ed.key({ full: 'é', ch: 'é' }), 'edited');
  assert.equal(ed.key({ full: '\xa0', ch: '\xa0' }), 'edited');
  assert.equal(ed.text, 'aé\xa0b');
});

test('the text is capped at 4096 characters, typed or given to start()', () => {
  const ed = new LineEditor();
  ed.start('x'.repeat(5000));
  assert.equal(ed.text.length, 4096);
  assert.equal(ed.cursor, 4096);
  assert.equal(ed.key(k('y', 'y')), 'ignored');
  ed.key(k('home'));
  assert.equal(ed.key(k('y', 'y')), 'ignored');
  assert.equal(ed.text, 'x'.repeat(4096));
  ed.key(k('backspace'));
  assert.equal(ed.text.length, 4096, 'backspace at the start');
  ed.key(k('end'));
  ed.key(k('backspace'));
  assert.equal(ed.key(k('y', 'y')), 'edited');
  assert.equal(ed.text.length, 4096);
  assert.ok(ed.text.endsWith('y'));
});

test('keys as blessed reports them for typed bytes: text, backspace, C-a, C-k, a carriage return accepting once', () => {
  const ed = new LineEditor();
  ed.start('');
  const results = typed('proc == LOOKUPX\x7f\x01\x0b' + 'status != OK\r').map((key) => ed.key(key));
  assert.equal(ed.text, 'status != OK');
  assert.deepEqual(
    results.filter((r) => r !== 'edited'),
    ['accept', 'ignored'],
  );
});
