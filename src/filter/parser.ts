/**
 * Display filters: recursive descent from tokens to an AST. Syntax only — which fields exist and what values
 * they take is checked by the compiler (evaluate.ts), with the positions kept here.
 *
 *   filter  := or EOF
 *   or      := and (('or' | '||') and)*
 *   and     := unary (('and' | '&&') unary)*
 *   unary   := ('not' | '!') unary | primary
 *   primary := '(' or ')' | FIELD [OP VALUE]
 *   OP      := '==' | '!=' | '<' | '<=' | '>' | '>=' | 'contains' | '~' | 'matches'
 *   VALUE   := WORD | STRING
 *
 * So `not` binds tighter than `and`, which binds tighter than `or`: `a or b and not c` is `a or (b and (not c))`;
 * `and` and `or` group to the left. A bare field is a test of the field (a flag that is set, a field that has a
 * value): `retransmit`, `error`, `fh`.
 */
import { FilterSyntaxError, tokenize, type ComparisonOp, type Token } from './lexer';
import { escapeControls } from '../format/escape';

export { FilterSyntaxError };

export type FilterNode =
  | { type: 'or' | 'and'; left: FilterNode; right: FilterNode; pos: number }
  | { type: 'not'; operand: FilterNode; pos: number }
  | { type: 'test'; field: string; pos: number }
  | {
      type: 'compare';
      field: string;
      pos: number;
      op: ComparisonOp;
      opPos: number;
      value: string;
      /** The value was a quoted string (taken verbatim) rather than a word. */
      quoted: boolean;
      valuePos: number;
    };

const OPS = "==, !=, <, <=, >, >=, contains, ~";

function describe(t: Token): string {
  if (t.kind === 'eof') return 'the end';
  if (t.kind === 'string') return 'a quoted string';
  return `'${t.text}'`;
}

class Parser {
  private i = 0;

  constructor(
    private readonly toks: Token[],
    private readonly exprLength: number,
  ) {}

  private get tok(): Token {
    return this.toks[this.i];
  }

  private next(): Token {
    const t = this.toks[this.i];
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  parse(): FilterNode {
    if (this.tok.kind === 'eof') throw new FilterSyntaxError(0, 'empty filter');
    const node = this.or();
    const t = this.tok;
    if (t.kind === 'eof') return node;
    if (t.kind === 'rparen') throw new FilterSyntaxError(t.pos, "unexpected ')' with no '(' to close");
    if (t.kind === 'op') throw new FilterSyntaxError(t.pos, `unexpected ${describe(t)}: a comparison takes one field and one value`);
    throw new FilterSyntaxError(t.pos, `expected 'and', 'or' or the end, found ${describe(t)}`);
  }

  private or(): FilterNode {
    let left = this.and();
    while (this.tok.kind === 'or') {
      const op = this.next();
      left = { type: 'or', left, right: this.and(), pos: op.pos };
    }
    return left;
  }

  private and(): FilterNode {
    let left = this.unary();
    while (this.tok.kind === 'and') {
      const op = this.next();
      left = { type: 'and', left, right: this.unary(), pos: op.pos };
    }
    return left;
  }

  private unary(): FilterNode {
    if (this.tok.kind === 'not') {
      const op = this.next();
      return { type: 'not', operand: this.unary(), pos: op.pos };
    }
    return this.primary();
  }

  private primary(): FilterNode {
    const t = this.tok;
    const prev = this.i > 0 ? this.toks[this.i - 1] : null;
    const after = prev ? ` after ${describe(prev)}` : '';
    switch (t.kind) {
      case 'lparen': {
        this.next();
        const inner = this.or();
        const close = this.tok;
        if (close.kind !== 'rparen') {
          throw new FilterSyntaxError(close.pos, `expected ')' to close the '(' at column ${t.pos + 1}, found ${describe(close)}`);
        }
        this.next();
        return inner;
      }
      case 'word':
        return this.test();
      case 'eof':
        throw new FilterSyntaxError(this.exprLength, `expected a field${after}`);
      case 'rparen':
        throw new FilterSyntaxError(t.pos, `expected a field${after}, found ')'`);
      case 'op':
        throw new FilterSyntaxError(t.pos, `expected a field before ${describe(t)}`);
      case 'string':
        throw new FilterSyntaxError(t.pos, 'expected a field name, found a quoted string');
      default:
        throw new FilterSyntaxError(t.pos, `expected a field${after}, found ${describe(t)}`);
    }
  }

  private test(): FilterNode {
    const field = this.next();
    const t = this.tok;
    if (t.kind === 'word' || t.kind === 'string') {
      throw new FilterSyntaxError(t.pos, `expected an operator (${OPS}) or 'and'/'or' after '${field.text}', found ${describe(t)}`);
    }
    if (t.kind !== 'op') return { type: 'test', field: field.value, pos: field.pos };
    const op = this.next();
    const v = this.tok;
    if (v.kind !== 'word' && v.kind !== 'string') {
      const found = v.kind === 'eof' ? '' : `, found ${describe(v)}`;
      const keyword = v.kind === 'and' || v.kind === 'or' || v.kind === 'not' || (v.kind === 'op' && /^[a-z]/i.test(v.text));
      const hint = keyword ? ` (quote it: "${v.text}")` : '';
      throw new FilterSyntaxError(v.pos, `expected a value after '${op.text}'${found}${hint}`);
    }
    this.next();
    return {
      type: 'compare',
      field: field.value,
      pos: field.pos,
      op: op.value as ComparisonOp,
      opPos: op.pos,
      value: v.value,
      quoted: v.kind === 'string',
      valuePos: v.pos,
    };
  }
}

/** The AST of a filter expression. Throws FilterSyntaxError. */
export function parseFilter(expr: string): FilterNode {
  return new Parser(tokenize(expr), expr.length).parse();
}

/** The AST back as text, every operation parenthesised: `(a or (b and (not c)))` (tests, debugging). */
export function printFilter(node: FilterNode): string {
  switch (node.type) {
    case 'or':
    case 'and':
      return `(${printFilter(node.left)} ${node.type} ${printFilter(node.right)})`;
    case 'not':
      return `(not ${printFilter(node.operand)})`;
    case 'test':
      return node.field;
    case 'compare':
      return `${node.field} ${node.op} ${node.quoted ? JSON.stringify(node.value) : node.value}`;
  }
}

/** Code points before a UTF-16 index: the column a terminal shows it at (wide characters aside). */
function displayColumn(s: string, index: number): number {
  return Array.from(s.slice(0, index)).length;
}

/**
 * The error as two lines: the expression, then a caret under the position with the reason:
 *
 *     proc = LOOKUP
 *          ^ unknown operator '='; use '=='
 *
 * `prefix` starts the first line (e.g. "rpcsnoop: -Y "); the caret line is indented to match. Control
 * characters in the expression are shown as '?' (tabs and newlines as spaces) so the caret stays aligned and a
 * pasted expression cannot drive the terminal.
 */
export function formatFilterError(expr: string, err: FilterSyntaxError, prefix = ''): string[] {
  // bidi/format controls too (U+061C, U+200E/F, U+2028/9, U+202A-E, U+2066-9): one '?' each keeps the caret aligned
  const shown = expr.replace(/[\t\n\r\f\v]/g, ' ').replace(/[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '?');
  const pos = Math.max(0, Math.min(err.position, expr.length));
  const col = displayColumn(prefix, prefix.length) + displayColumn(expr, pos);
  // the reason can quote the expression (`not '…'`): escaped like any other output
  return [`${prefix}${shown}`, `${' '.repeat(col)}^ ${escapeControls(err.reason)}`];
}
