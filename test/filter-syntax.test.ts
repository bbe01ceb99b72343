/**
 * Display filters, syntax: the lexer's tokens and positions, the parser's precedence and grouping, aliases, and
 * errors — a caret under the right column with a one-line reason, for syntax and for meaning (unknown field,
 * operator not for this field, bad value, bad regular expression).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize, FilterSyntaxError } from '../src/filter/lexer';
import { parseFilter, printFilter, formatFilterError } from '../src/filter/parser';
import { compileFilter } from '../src/filter/evaluate';

const kinds = (expr: string) => tokenize(expr).map((t) => `${t.kind}:${t.value}@${t.pos}`);
const p = (expr: string) => printFilter(parseFilter(expr));

test('lexer: tokens with their positions; operators, parentheses, words, strings', () => {
  assert.deepEqual(kinds('proc==LOOKUP'), ['word:proc@0', 'op:==@4', 'word:LOOKUP@6', 'eof:@12']);
  assert.deepEqual(kinds(' (rtt >= 10ms)'), ['lparen:(@1', 'word:rtt@2', 'op:>=@6', 'word:10ms@9', 'rparen:)@13', 'eof:@14']);
  assert.deepEqual(
    tokenize('a != 1 < 2 <= 3 > 4 >= 5 ~ x').filter((t) => t.kind === 'op').map((t) => t.value),
    ['!=', '<', '<=', '>', '>=', '~'],
  );
  assert.deepEqual(kinds('host == 127.0.0.1'), ['word:host@0', 'op:==@5', 'word:127.0.0.1@8', 'eof:@17']);
  assert.deepEqual(kinds('host==::1'), ['word:host@0', 'op:==@4', 'word:::1@6', 'eof:@9']);
  assert.deepEqual(kinds('path contains /tmp/x'), ['word:path@0', 'op:contains@5', 'word:/tmp/x@14', 'eof:@20']);
});

test('lexer: keywords are case-insensitive; &&, ||, ! and matches are aliases', () => {
  assert.deepEqual(kinds('a AND b Or NOT c'), ['word:a@0', 'and:and@2', 'word:b@6', 'or:or@8', 'not:not@11', 'word:c@15', 'eof:@16']);
  assert.deepEqual(kinds('a&&b||!c'), ['word:a@0', 'and:and@1', 'word:b@3', 'or:or@4', 'not:not@6', 'word:c@7', 'eof:@8']);
  assert.deepEqual(kinds('name MATCHES x'), ['word:name@0', 'op:~@5', 'word:x@13', 'eof:@14']);
  assert.deepEqual(kinds('name Contains x'), ['word:name@0', 'op:contains@5', 'word:x@14', 'eof:@15']);
  assert.deepEqual(kinds('!!a'), ['not:not@0', 'not:not@1', 'word:a@2', 'eof:@3']);
});

test('lexer: quoted strings, both quotes, escapes; a regex backslash is kept', () => {
  const t = tokenize(`name == "a \\"b\\" \\\\ \\x41\\t" or name == 'it''s'`);
  assert.equal(t[2].kind, 'string');
  assert.equal(t[2].value, 'a "b" \\ A\t');
  assert.equal(t[2].pos, 8);
  assert.equal(tokenize(`name ~ "\\d+\\.txt$"`)[2].value, '\\d+\\.txt$');
  assert.equal(tokenize(`name == 'a "q" b'`)[2].value, 'a "q" b');
  assert.equal(tokenize(`name == ""`)[2].value, '');
});

test('parser: every comparison operator, bare fields, values as words and strings', () => {
  for (const op of ['==', '!=', '<', '<=', '>', '>=', '~', 'contains']) assert.equal(p(`xid ${op} 5`), `xid ${op} 5`);
  assert.equal(p('xid matches 5'), 'xid ~ 5');
  assert.equal(p('retransmit'), 'retransmit');
  assert.equal(p('name == "a b"'), 'name == "a b"');
  const n = parseFilter('  proc == "LOOKUP"');
  assert.deepEqual(n, { type: 'compare', field: 'proc', pos: 2, op: '==', opPos: 7, value: 'LOOKUP', quoted: true, valuePos: 10 });
});

test('parser: precedence not > and > or, left-associative, parentheses override', () => {
  assert.equal(p('a or b and not c'), '(a or (b and (not c)))');
  assert.equal(p('a and b or c'), '((a and b) or c)');
  assert.equal(p('not a and b'), '((not a) and b)');
  assert.equal(p('not a == 1 or b'), '((not a == 1) or b)');
  assert.equal(p('a or b or c'), '((a or b) or c)');
  assert.equal(p('a and b and c'), '((a and b) and c)');
  assert.equal(p('(a or b) and not (c or d)'), '((a or b) and (not (c or d)))');
  assert.equal(p('not not a'), '(not (not a))');
  assert.equal(p('((a))'), 'a');
  assert.equal(p('a || b && !c'), p('a or b and not c'));
  assert.equal(p('A OR B AND NOT C'), '(A or (B and (not C)))');
});

/** [expression, caret column (0-based), reason pattern] */
const BAD: Array<[string, number, RegExp]> = [
  ['', 0, /^empty filter$/],
  ['proc = LOOKUP', 5, /unknown operator '='; use '=='/],
  ['proc ==', 7, /expected a value after '=='/],
  ['proc == LOOKUP or', 17, /expected a field after 'or'/],
  ['(proc == LOOKUP', 15, /expected '\)' to close the '\(' at column 1/],
  ['proc == LOOKUP)', 14, /unexpected '\)'/],
  ['retransmit & orphan', 11, /use 'and' or '&&'/],
  ['retransmit | orphan', 11, /use 'or' or '\|\|'/],
  ['name == "abc', 8, /unterminated string/],
  ['and retransmit', 0, /expected a field, found 'and'/],
  ['== 3', 0, /expected a field before '=='/],
  ['proc LOOKUP', 5, /expected an operator .* after 'proc', found 'LOOKUP'/],
  ['retransmit orphan', 11, /expected an operator/],
  ['xid == 1 == 2', 9, /unexpected '=='/],
  ['not', 3, /expected a field after 'not'/],
  ['()', 1, /expected a field after '\(', found '\)'/],
  ['"proc" == 1', 0, /expected a field name, found a quoted string/],
  ['name == or', 8, /expected a value after '=='.*quote it/],
  ['retransmit and (orphan or unanswered', 36, /expected '\)' to close the '\(' at column 16/],
];

for (const [expr, col, reason] of BAD) {
  test(`syntax error at column ${col}: ${JSON.stringify(expr)}`, () => {
    assert.throws(
      () => parseFilter(expr),
      (e: unknown) => e instanceof FilterSyntaxError && e.position === col && reason.test(e.reason),
    );
  });
}

/** Errors of meaning, found when compiling: [expression, caret column, reason pattern] */
const BAD_MEANING: Array<[string, number, RegExp]> = [
  ['prc == NFS', 0, /unknown field 'prc'; did you mean 'proc'\?/],
  ['retransmit and zzzzzz', 15, /unknown field 'zzzzzz'$/],
  ['rtt > 10parsecs', 6, /rtt takes a duration/],
  ['rtt == fast', 7, /rtt takes a duration/],
  ['xid == abc', 7, /xid takes a number/],
  ['uid < root', 6, /'<' needs a number, not 'root'/],
  ['type == request', 8, /type takes call or reply/],
  ['transport == sctp', 13, /transport takes udp or tcp/],
  ['retransmit == maybe', 14, /retransmit takes true or false/],
  ['retransmit > 1', 11, /'>' does not apply to retransmit, a flag/],
  ['error contains x', 6, /'contains' does not apply to error/],
  ['status < 3', 7, /'<' compares numbers; status is not a number/],
  ['path >= "/a"', 5, /'>=' compares numbers; path is not a number/],
  ['proc > LOOKUP', 7, /'>' needs a number, not 'LOOKUP'/],
  ['fh == xyz', 6, /fh takes hex digits/],
  ['status == 2', 10, /status takes a name/],
  ['name ~ "a(b"', 7, /invalid regular expression: .*/],
  ['proc == LOOKUP and (name ~ "[z-a]")', 27, /invalid regular expression/],
];

for (const [expr, col, reason] of BAD_MEANING) {
  test(`compile error at column ${col}: ${JSON.stringify(expr)}`, () => {
    assert.throws(
      () => compileFilter(expr),
      (e: unknown) => e instanceof FilterSyntaxError && e.position === col && reason.test(e.reason),
    );
  });
}

test('formatFilterError: the expression, then a caret under the position and the reason', () => {
  const expr = 'proc == LOOKUP and (name ~ "[z-a]")';
  let err: FilterSyntaxError | null = null;
  try {
    compileFilter(expr);
  } catch (e) {
    err = e as FilterSyntaxError;
  }
  assert.ok(err);
  const lines = formatFilterError(expr, err);
  assert.equal(lines.length, 2);
  assert.equal(lines[0], expr);
  assert.match(lines[1], /^ {27}\^ invalid regular expression: /);
  assert.equal(lines[1].indexOf('^'), expr.indexOf('"['));
});

test('formatFilterError: a prefix shifts the caret; the end of the expression; control characters keep the column', () => {
  const e = new FilterSyntaxError(7, "expected a value after '=='");
  assert.deepEqual(formatFilterError('proc ==', e, 'rpcsnoop: -Y: '), ['rpcsnoop: -Y: proc ==', `${' '.repeat(21)}^ expected a value after '=='`]);
  const tabbed = 'a\t==\x1b[31m 1';
  const lines = formatFilterError(tabbed, new FilterSyntaxError(5, 'x'));
  assert.equal(lines[0], 'a ==?[31m 1');
  assert.equal(lines[1], '     ^ x');
  // columns count code points: an astral character is one column, not two UTF-16 units
  assert.equal(formatFilterError('name == "\u{1F600}" x', new FilterSyntaxError(12, 'r'))[1], `${' '.repeat(11)}^ r`);
});

test('a FilterSyntaxError carries position and reason, and says the column in its message', () => {
  const e = new FilterSyntaxError(4, 'bad');
  assert.equal(e.position, 4);
  assert.equal(e.reason, 'bad');
  assert.equal(e.message, 'bad (at column 5)');
  assert.ok(e instanceof Error);
});
