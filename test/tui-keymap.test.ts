/**
 * tui/keymap.ts: every key of KEY_TABLE reaches its action when typed at a terminal (through blessed's own key
 * parser: test/helpers/blessed-keys.ts), `G` that blessed names `S-g` included; a carriage return acts once; the
 * help screen lists every action and every key.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actionOf, helpLines, KEY_TABLE, type Action } from '../tui/keymap';
import { press, SEQ, typed } from './helpers/blessed-keys';

/** Every action, so that the compiler fails this test when one is added to the type and not here. */
const ALL: Record<Action, true> = {
  quit: true,
  up: true,
  down: true,
  pageUp: true,
  pageDown: true,
  top: true,
  bottom: true,
  enter: true,
  expand: true,
  collapse: true,
  nextPane: true,
  prevPane: true,
  search: true,
  filter: true,
  nextMatch: true,
  prevMatch: true,
  follow: true,
  pause: true,
  nextError: true,
  prevError: true,
  callReply: true,
  stats: true,
  ladder: true,
  help: true,
  back: true,
  redraw: true,
};

/** The bytes a terminal sends for a key as KEY_TABLE names it. */
function bytesOf(key: string): string {
  if (key.length === 1) return key;
  const ctrl = /^C-([a-z])$/.exec(key);
  if (ctrl) return SEQ.ctrl(ctrl[1]);
  const named: Record<string, string> = {
    up: SEQ.up,
    down: SEQ.down,
    left: SEQ.left,
    right: SEQ.right,
    home: SEQ.home,
    end: SEQ.end,
    pageup: SEQ.pageup,
    pagedown: SEQ.pagedown,
    tab: SEQ.tab,
    'S-tab': SEQ.stab,
    escape: SEQ.escape,
    enter: SEQ.enter,
    space: ' ',
  };
  const b = named[key];
  if (b === undefined) throw new Error(`no terminal bytes known for ${key}`);
  return b;
}

test('every key of the table, typed at a terminal, gives its action (a carriage return once)', () => {
  let checked = 0;
  for (const [keys, action] of KEY_TABLE) {
    for (const key of keys) {
      const reported = typed(bytesOf(key));
      const actions = reported.map(actionOf).filter((a) => a !== null);
      assert.deepEqual(actions, [action], `${key} (${JSON.stringify(reported)})`);
      checked++;
    }
  }
  assert.equal(checked, KEY_TABLE.flatMap(([ks]) => ks).length);
});

test('blessed names G as S-g: its character decides; capital letters of other actions too', () => {
  const g = press('G');
  assert.deepEqual(g, { full: 'S-g', ch: 'G' });
  assert.equal(actionOf(g), 'bottom');
  assert.equal(actionOf(press('g')), 'top');
  assert.equal(actionOf(press('N')), 'prevMatch');
  assert.equal(actionOf(press('n')), 'nextMatch');
  assert.equal(actionOf(press('E')), 'prevError');
  assert.equal(actionOf(press('F')), 'follow');
  assert.equal(actionOf(press('f')), 'filter');
  // hand-made too (the shape app.ts builds from blessed's keypress)
  assert.equal(actionOf({ full: 'S-g', ch: 'G' }), 'bottom');
  assert.equal(actionOf({ full: 'space', ch: ' ' }), 'pause');
  assert.equal(actionOf({ full: ' ', ch: ' ' }), 'pause');
});

test('a carriage return is enter then return to blessed: only enter acts; linefeed is enter', () => {
  const cr = typed('\r');
  assert.deepEqual(
    cr.map((k) => k.full),
    ['enter', 'return'],
  );
  assert.equal(actionOf(cr[0]), 'enter');
  assert.equal(actionOf(cr[1]), null);
  assert.equal(actionOf({ full: 'return' }), null);
  assert.equal(actionOf(press('\n')), 'enter');
});

test('keys of no action give null: unknown letters, control keys, function keys, meta keys', () => {
  for (const bytes of ['x', 'K', 'Z', SEQ.ctrl('x'), '\x1b[15~', '\x1bx', '\x1b[2~', '!', '1', 'é']) {
    const k = press(bytes);
    assert.equal(actionOf(k), null, JSON.stringify(k));
  }
  assert.equal(actionOf({ full: '' }), null);
  assert.equal(actionOf({ full: 'x-unknown', ch: 'ab' }), null);
});

test('the table: every action has a key; no key is bound twice', () => {
  const actions = new Set(KEY_TABLE.map(([, a]) => a));
  assert.deepEqual([...actions].sort(), (Object.keys(ALL) as Action[]).sort());
  const keys = KEY_TABLE.flatMap(([ks]) => ks);
  assert.equal(new Set(keys).size, keys.length, keys.join(' '));
});

test('help lists every key and what it does, in 80 columns', () => {
  const help = helpLines();
  for (const [keys, , what] of KEY_TABLE) {
    const line = help.find((l) => l.endsWith(what));
    assert.ok(line, what);
    for (const key of keys) assert.ok(line.includes(key), `${key} in ${line}`);
  }
  assert.equal(help.filter((l) => l.startsWith('  ')).length, KEY_TABLE.length);
  assert.ok(help.every((l) => l.length <= 80), help.find((l) => l.length > 80));
});
