// A small parser for the expressions PostgreSQL deparses (pg_get_expr, pg_get_indexdef):
// defaults, CHECKs, index elements and partial-index predicates. It covers the regular,
// fully parenthesized form the server prints; anything outside it throws ParseError and the
// caller reports the expression as not translatable rather than guessing.

import { ParseError, tokenize, type Token } from './postgres-sql-tokens.js';

export { ParseError };

export type Node =
  | { k: 'ident'; name: string; quoted: boolean; qualifier?: string }
  | { k: 'str'; value: string }
  | { k: 'num'; value: string }
  | { k: 'bool'; value: boolean }
  | { k: 'null' }
  | { k: 'cast'; expr: Node; type: string }
  | { k: 'bin'; op: string; l: Node; r: Node }
  | { k: 'not'; e: Node }
  | { k: 'neg'; e: Node }
  | { k: 'is'; e: Node; what: 'NULL' | 'TRUE' | 'FALSE'; not: boolean }
  | { k: 'call'; name: string; args: Node[] }
  | { k: 'array'; items: Node[] }
  | { k: 'any'; op: string; l: Node; all: boolean; r: Node }
  | { k: 'in'; e: Node; items: Node[]; not: boolean }
  | { k: 'between'; e: Node; lo: Node; hi: Node; not: boolean };

const COMPARISON = new Set(['=', '<>', '!=', '<', '<=', '>', '>=']);
// Operators PostgreSQL prints for LIKE / ILIKE and friends, and other binary operators.
const GENERIC = new Set(['~~', '!~~', '~~*', '!~~*', '~', '!~', '~*', '!~*', '||', '@>', '<@', '&&', '#', '&', '|', '<<', '>>']);
const TYPE_WORDS = new Set(['varying', 'precision', 'without', 'with', 'time', 'zone']);

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  private peek(offset = 0): Token | undefined {
    return this.toks[this.i + offset];
  }
  private isWord(tok: Token | undefined, word: string): boolean {
    return tok?.t === 'ident' && !tok.quoted && tok.v.toUpperCase() === word;
  }
  private isPunct(v: string, offset = 0): boolean {
    const tok = this.peek(offset);
    return tok?.t === 'punct' && tok.v === v;
  }
  private expectPunct(v: string): void {
    if (!this.isPunct(v)) throw new ParseError(`expected '${v}'`);
    this.i++;
  }
  private takeWord(word: string): boolean {
    if (!this.isWord(this.peek(), word)) return false;
    this.i++;
    return true;
  }

  parseAll(): Node {
    const n = this.expr(0);
    if (this.i < this.toks.length) throw new ParseError(`unexpected '${this.toks[this.i].v}'`);
    return n;
  }

  /** Precedence climbing: OR 1, AND 2, NOT 3, IS 4, comparison 5, LIKE/IN/BETWEEN 6, other ops 7, + - 8, * / % 9. */
  expr(minPrec: number): Node {
    let left: Node;
    if (this.takeWord('NOT')) left = { k: 'not', e: this.expr(3) };
    else left = this.unary();
    for (;;) {
      const tok = this.peek();
      if (!tok) break;
      if (this.isWord(tok, 'OR') && minPrec < 1) { this.i++; left = { k: 'bin', op: 'OR', l: left, r: this.expr(1) }; continue; }
      if (this.isWord(tok, 'AND') && minPrec < 2) { this.i++; left = { k: 'bin', op: 'AND', l: left, r: this.expr(2) }; continue; }
      if (this.isWord(tok, 'IS') && minPrec < 4) { left = this.isTest(left); continue; }
      if ((this.isWord(tok, 'ISNULL') || this.isWord(tok, 'NOTNULL')) && minPrec < 4) {
        this.i++;
        left = { k: 'is', e: left, what: 'NULL', not: tok.v.toUpperCase() === 'NOTNULL' };
        continue;
      }
      if (tok.t === 'op' && COMPARISON.has(tok.v) && minPrec < 5) {
        this.i++;
        left = this.comparison(tok.v, left);
        continue;
      }
      if (minPrec < 6 && (this.isWord(tok, 'IN') || this.isWord(tok, 'BETWEEN') || this.isWord(tok, 'LIKE') || (this.isWord(tok, 'NOT') && this.notFollowedBySpecial()))) {
        left = this.special(left);
        continue;
      }
      if (tok.t === 'op' && GENERIC.has(tok.v) && minPrec < 7) { this.i++; left = { k: 'bin', op: tok.v, l: left, r: this.expr(7) }; continue; }
      if (tok.t === 'op' && (tok.v === '+' || tok.v === '-') && minPrec < 8) { this.i++; left = { k: 'bin', op: tok.v, l: left, r: this.expr(8) }; continue; }
      if (tok.t === 'op' && (tok.v === '*' || tok.v === '/' || tok.v === '%') && minPrec < 9) { this.i++; left = { k: 'bin', op: tok.v, l: left, r: this.expr(9) }; continue; }
      break;
    }
    return left;
  }

  private notFollowedBySpecial(): boolean {
    const next = this.peek(1);
    return this.isWord(next, 'IN') || this.isWord(next, 'BETWEEN') || this.isWord(next, 'LIKE');
  }

  private isTest(left: Node): Node {
    this.i++;
    const not = this.takeWord('NOT');
    for (const what of ['NULL', 'TRUE', 'FALSE'] as const) if (this.takeWord(what)) return { k: 'is', e: left, what, not };
    throw new ParseError('unsupported IS test');
  }

  private comparison(op: string, left: Node): Node {
    if (this.isWord(this.peek(), 'ANY') || this.isWord(this.peek(), 'SOME') || this.isWord(this.peek(), 'ALL')) {
      const all = this.peek()!.v.toUpperCase() === 'ALL';
      this.i++;
      this.expectPunct('(');
      const r = this.expr(0);
      this.expectPunct(')');
      return { k: 'any', op, l: left, all, r };
    }
    return { k: 'bin', op, l: left, r: this.expr(5) };
  }

  private special(left: Node): Node {
    const not = this.takeWord('NOT');
    if (this.takeWord('IN')) {
      this.expectPunct('(');
      const items = this.list(')');
      return { k: 'in', e: left, items, not };
    }
    if (this.takeWord('BETWEEN')) {
      const lo = this.expr(6);
      if (!this.takeWord('AND')) throw new ParseError('expected AND in BETWEEN');
      return { k: 'between', e: left, lo, hi: this.expr(6), not };
    }
    this.takeWord('LIKE');
    return { k: 'bin', op: not ? '!~~' : '~~', l: left, r: this.expr(6) };
  }

  private list(close: string): Node[] {
    const items: Node[] = [];
    if (this.isPunct(close)) { this.i++; return items; }
    for (;;) {
      items.push(this.expr(0));
      if (this.isPunct(',')) { this.i++; continue; }
      this.expectPunct(close);
      return items;
    }
  }

  private unary(): Node {
    const tok = this.peek();
    if (tok?.t === 'op' && (tok.v === '-' || tok.v === '+')) {
      this.i++;
      const e = this.unary();
      return tok.v === '-' ? { k: 'neg', e } : e;
    }
    return this.postfix(this.primary());
  }

  private postfix(node: Node): Node {
    let n = node;
    while (this.peek()?.t === 'op' && this.peek()!.v === '::') {
      this.i++;
      n = { k: 'cast', expr: n, type: this.typeName() };
    }
    if (this.isPunct('[')) throw new ParseError('array subscripts are not supported');
    return n;
  }

  /** A type name as printed after '::': words, optional schema, typmod, array brackets. */
  private typeName(): string {
    let name = this.typeWord();
    if (this.isPunct('.')) {
      this.i++;
      name += '.' + this.typeWord();
    }
    name += this.typeWords();
    if (this.isPunct('(')) {
      this.i++;
      const mods = this.list(')');
      name += `(${mods.map((m) => (m.k === 'num' ? m.value : '?')).join(',')})` + this.typeWords();
    }
    while (this.isPunct('[') && this.isPunct(']', 1)) {
      this.i += 2;
      name += '[]';
    }
    return name;
  }

  private typeWord(): string {
    const tok = this.peek();
    if (tok?.t !== 'ident') throw new ParseError('expected a type name');
    this.i++;
    return tok.quoted ? tok.v : tok.v.toLowerCase();
  }

  /** The extra words of multi-word types: character varying, timestamp with time zone. */
  private typeWords(): string {
    let s = '';
    for (let tok = this.peek(); tok?.t === 'ident' && !tok.quoted && TYPE_WORDS.has(tok.v.toLowerCase()); tok = this.peek()) {
      s += ' ' + tok.v.toLowerCase();
      this.i++;
    }
    return s;
  }

  private primary(): Node {
    const tok = this.peek();
    if (!tok) throw new ParseError('unexpected end of expression');
    this.i++;
    if (tok.t === 'str') return { k: 'str', value: tok.v };
    if (tok.t === 'num') return { k: 'num', value: tok.v };
    if (tok.t === 'punct' && tok.v === '(') {
      const inner = this.expr(0);
      this.expectPunct(')');
      return inner;
    }
    if (tok.t !== 'ident') throw new ParseError(`unexpected '${tok.v}'`);
    const upper = tok.quoted ? '' : tok.v.toUpperCase();
    if (upper === 'NULL') return { k: 'null' };
    if (upper === 'TRUE' || upper === 'FALSE') return { k: 'bool', value: upper === 'TRUE' };
    if (upper === 'ARRAY' && this.isPunct('[')) { this.i++; return { k: 'array', items: this.list(']') }; }
    if (upper === 'CAST' && this.isPunct('(')) {
      this.i++;
      const expr = this.expr(0);
      if (!this.takeWord('AS')) throw new ParseError('expected AS in CAST');
      const type = this.typeName();
      this.expectPunct(')');
      return { k: 'cast', expr, type };
    }
    let name = tok.v;
    let qualifier: string | undefined;
    if (this.isPunct('.') && this.peek(1)?.t === 'ident') {
      qualifier = name;
      name = this.peek(1)!.v;
      this.i += 2;
    }
    if (this.isPunct('(')) {
      this.i++;
      if (this.isWord(this.peek(), 'DISTINCT') || (this.peek()?.t === 'op' && this.peek()!.v === '*')) {
        throw new ParseError('aggregate call');
      }
      const args = this.list(')');
      return { k: 'call', name: (qualifier && qualifier !== 'pg_catalog' ? `${qualifier}.` : '') + name.toLowerCase(), args };
    }
    return { k: 'ident', name, quoted: tok.quoted, qualifier };
  }
}

export function parseExpression(src: string): Node {
  return new Parser(tokenize(src)).parseAll();
}

/** The expression text with the domain placeholder VALUE replaced by a column reference. */
export function replaceValue(src: string, replacement: string): string {
  let out = '';
  let last = 0;
  for (const tok of tokenize(src)) {
    if (tok.t === 'ident' && !tok.quoted && tok.v.toUpperCase() === 'VALUE') {
      out += src.slice(last, tok.start) + replacement;
      last = tok.end;
    }
  }
  return out + src.slice(last);
}

/** Drops casts around a node: `('x'::text)::varchar` -> 'x'. */
export function stripCasts(n: Node): Node {
  return n.k === 'cast' ? stripCasts(n.expr) : n;
}
