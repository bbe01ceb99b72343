/**
 * Display filters (`-Y EXPR`): the tokens of an expression, each with its position (a UTF-16 index into the
 * expression), for the parser and for error carets.
 *
 * - Parentheses `(` `)`.
 * - Operators `==` `!=` `<` `<=` `>` `>=` `~`; `contains` and `matches` (= `~`) as words.
 * - Connectives `and` `or` `not` (words, case-insensitive) and their aliases `&&` `||` `!`.
 * - Quoted strings, "…" or '…', with the escapes \\ \" \' \n \r \t \xHH; any other backslash is kept as it is, so
 *   a regular expression can be written "\d+" without doubling.
 * - Words: a run of anything but white space, quotes and `( ) ! = < > ~ & |` — field names, numbers (`100005`,
 *   `0x1f`), durations (`10ms`), names (`LOOKUP`, `NFS3ERR_NOENT`), addresses (`127.0.0.1`, `::1`), hex
 *   (`412E`) and bare paths (`/tmp/x`). What a word means is decided by the field it is compared with.
 *
 * A lone `=`, `&` or `|` is an error with a hint (`==`, `&&`/`and`, `||`/`or`).
 */

/** A syntax or meaning error, at a position (UTF-16 index into the expression; its length for "at the end"). */
export class FilterSyntaxError extends Error {
  constructor(
    readonly position: number,
    readonly reason: string,
  ) {
    super(`${reason} (at column ${position + 1})`);
    this.name = 'FilterSyntaxError';
  }
}

export type ComparisonOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'contains' | '~';

export type TokenKind = 'word' | 'string' | 'op' | 'and' | 'or' | 'not' | 'lparen' | 'rparen' | 'eof';

export interface Token {
  kind: TokenKind;
  /** The source text of the token (with quotes for a string; '' for eof). */
  text: string;
  /** A word's text, a string's decoded contents, an operator's canonical form (`~` for `matches`). */
  value: string;
  /** Start index in the expression (its length for eof). */
  pos: number;
  /** Index just past the token. */
  end: number;
}

const KEYWORDS: Readonly<Record<string, { kind: TokenKind; value: string }>> = {
  and: { kind: 'and', value: 'and' },
  or: { kind: 'or', value: 'or' },
  not: { kind: 'not', value: 'not' },
  contains: { kind: 'op', value: 'contains' },
  matches: { kind: 'op', value: '~' },
};

/** Characters that end a word. */
const BREAK = new Set(['(', ')', '!', '=', '<', '>', '~', '&', '|', '"', "'"]);

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}

/** The keyword a word is, if any (case-insensitive). */
export function keywordOf(word: string): { kind: TokenKind; value: string } | null {
  return Object.prototype.hasOwnProperty.call(KEYWORDS, word.toLowerCase()) ? KEYWORDS[word.toLowerCase()] : null;
}

function readString(expr: string, start: number): Token {
  const quote = expr[start];
  let out = '';
  let i = start + 1;
  while (i < expr.length) {
    const c = expr[i];
    if (c === quote) return { kind: 'string', text: expr.slice(start, i + 1), value: out, pos: start, end: i + 1 };
    if (c === '\\' && i + 1 < expr.length) {
      const n = expr[i + 1];
      if (n === '\\' || n === '"' || n === "'") out += n;
      else if (n === 'n') out += '\n';
      else if (n === 'r') out += '\r';
      else if (n === 't') out += '\t';
      else if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(expr.slice(i + 2, i + 4))) {
        out += String.fromCharCode(parseInt(expr.slice(i + 2, i + 4), 16));
        i += 4;
        continue;
      } else out += `\\${n}`;
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  throw new FilterSyntaxError(start, `unterminated string: no closing ${quote}`);
}

/** The tokens of `expr`, ending with one `eof` token. Throws FilterSyntaxError. */
export function tokenize(expr: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, len: number, value?: string): void => {
    const text = expr.slice(i, i + len);
    out.push({ kind, text, value: value ?? text, pos: i, end: i + len });
    i += len;
  };
  while (i < expr.length) {
    const c = expr[i];
    const two = expr.slice(i, i + 2);
    if (isSpace(c)) i++;
    else if (c === '(') push('lparen', 1);
    else if (c === ')') push('rparen', 1);
    else if (two === '==' || two === '!=' || two === '<=' || two === '>=') push('op', 2);
    else if (c === '<' || c === '>' || c === '~') push('op', 1);
    else if (two === '&&') push('and', 2, 'and');
    else if (two === '||') push('or', 2, 'or');
    else if (c === '!') push('not', 1, 'not');
    else if (c === '=') throw new FilterSyntaxError(i, "unknown operator '='; use '=='");
    else if (c === '&') throw new FilterSyntaxError(i, "unknown operator '&'; use 'and' or '&&'");
    else if (c === '|') throw new FilterSyntaxError(i, "unknown operator '|'; use 'or' or '||'");
    else if (c === '"' || c === "'") {
      const t = readString(expr, i);
      out.push(t);
      i = t.end;
    } else {
      let j = i;
      while (j < expr.length && !isSpace(expr[j]) && !BREAK.has(expr[j])) j++;
      const word = expr.slice(i, j);
      const kw = keywordOf(word);
      if (kw) push(kw.kind, j - i, kw.value);
      else push('word', j - i);
    }
  }
  out.push({ kind: 'eof', text: '', value: '', pos: expr.length, end: expr.length });
  return out;
}
