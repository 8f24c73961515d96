// Translating deparsed PostgreSQL expressions (CHECKs, partial-index predicates, index
// elements) into SQLite SQL. Conservative on purpose: a translation must mean the same thing
// on the values the reader delivers and the default cast rules store, so anything whose
// meaning depends on a collation, a storage form chosen later, or Postgres-only semantics is
// reported with a reason instead.
import type { Column } from '../../catalog/types.js';
import { sqlString } from '../../casting/transforms.js';
import { quoteAlways } from '../../schema/identifiers.js';
import { Untranslatable, fail, likeToGlob, parseArrayLiteral } from './postgres-literals.js';
import { ParseError, parseExpression, stripCasts, type Node } from './postgres-sql-parser.js';

export interface ExprScope {
  column(name: string): Column | undefined;
  /** In a domain CHECK, the column that VALUE stands for. */
  value?: Column;
  /** Names of enum types (as printed in casts), so `'G'::mpaa_rating` is understood. */
  enumTypes?: ReadonlySet<string>;
}

export type Translation = { sql: string; reason?: undefined } | { sql?: undefined; reason: string };

type Kind = 'number' | 'text' | 'bool' | 'date' | 'enum' | 'null';
interface Emitted {
  sql: string;
  kind: Kind;
}


const NUMBER_TYPES = new Set(['smallint', 'integer', 'bigint', 'int', 'int2', 'int4', 'int8', 'numeric', 'decimal', 'real', 'double precision', 'float4', 'float8', 'oid']);
const TEXT_TYPES = new Set(['text', 'character varying', 'varchar', 'character', 'bpchar', 'char', 'name']);
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function baseTypeName(type: string): string {
  return type.replace(/\(.*?\)/g, '').trim();
}

/** Column types whose stored SQLite value compares like the Postgres value under the default rules. */
function columnRef(c: Column): Emitted {
  const q = quoteAlways(c.name);
  switch (c.dataType) {
    case 'smallint': case 'integer': case 'bigint': case 'oid': case 'real': case 'double precision':
      return { sql: q, kind: 'number' };
    case 'numeric': case 'money':
      // Stored as exact decimal text: compare as a number, whatever the column's affinity.
      return { sql: `CAST(${q} AS NUMERIC)`, kind: 'number' };
    case 'boolean':
      return { sql: q, kind: 'bool' };
    case 'text': case 'varchar': case 'name': case 'uuid':
      return { sql: q, kind: 'text' };
    case 'char':
      // char(n) values arrive blank-padded; Postgres ignores the padding when comparing.
      return { sql: `rtrim(${q}, ' ')`, kind: 'text' };
    case 'enum':
      return { sql: q, kind: 'enum' };
    case 'date':
      return { sql: q, kind: 'date' };
    default:
      return fail(`column "${c.name}" is ${c.sourceType}, whose stored form depends on its cast rule`);
  }
}

class Emitter {
  constructor(private readonly scope: ExprScope) {}

  private lookup(n: Node & { k: 'ident' }): Column {
    if (!n.quoted && n.name.toUpperCase() === 'VALUE' && this.scope.value) return this.scope.value;
    const c = this.scope.column(n.name);
    if (!c) return fail(`'${n.name}' is not a column of the table`);
    return c;
  }

  emit(n: Node): Emitted {
    switch (n.k) {
      case 'ident':
        return columnRef(this.lookup(n));
      case 'str':
        return { sql: sqlString(n.value), kind: 'text' };
      case 'num':
        return { sql: n.value, kind: 'number' };
      case 'bool':
        return { sql: n.value ? '1' : '0', kind: 'bool' };
      case 'null':
        return { sql: 'NULL', kind: 'null' };
      case 'neg': {
        const e = this.emit(n.e);
        if (e.kind !== 'number') fail('negation of a non-number');
        return { sql: n.e.k === 'num' ? `-${e.sql}` : `(-${e.sql})`, kind: 'number' };
      }
      case 'not':
        return { sql: `(NOT ${this.emit(n.e).sql})`, kind: 'bool' };
      case 'cast':
        return this.cast(n.expr, n.type);
      case 'is':
        return this.isTest(n);
      case 'bin':
        return this.binary(n.op, n.l, n.r);
      case 'any':
        return this.any(n);
      case 'in': {
        const e = this.emit(n.e);
        return { sql: `(${e.sql} ${n.not ? 'NOT IN' : 'IN'} (${n.items.map((i) => this.emit(i).sql).join(', ')}))`, kind: 'bool' };
      }
      case 'between': {
        const [e, lo, hi] = [this.emit(n.e), this.emit(n.lo), this.emit(n.hi)];
        this.orderable(e, lo);
        this.orderable(e, hi);
        return { sql: `(${e.sql} ${n.not ? 'NOT BETWEEN' : 'BETWEEN'} ${lo.sql} AND ${hi.sql})`, kind: 'bool' };
      }
      case 'call':
        return this.call(n.name, n.args);
      case 'array':
        return fail('array values');
    }
  }

  private cast(inner: Node, type: string): Emitted {
    const base = baseTypeName(type);
    const literal = stripCasts(inner);
    if (literal.k === 'str' || literal.k === 'num' || (literal.k === 'neg' && literal.e.k === 'num')) {
      const text = literal.k === 'str' ? literal.value : literal.k === 'num' ? literal.value : `-${(literal.e as { value: string }).value}`;
      if (NUMBER_TYPES.has(base)) {
        if (!NUMBER_TEXT.test(text.trim())) fail(`'${text}' as ${type}`);
        return { sql: text.trim().replace(/^\+/, ''), kind: 'number' };
      }
      if (TEXT_TYPES.has(base)) return { sql: sqlString(text), kind: 'text' };
      if (base === 'boolean' || base === 'bool') {
        const t = text.trim().toLowerCase();
        if (['t', 'true', 'y', 'yes', 'on', '1'].includes(t)) return { sql: '1', kind: 'bool' };
        if (['f', 'false', 'n', 'no', 'off', '0'].includes(t)) return { sql: '0', kind: 'bool' };
        return fail(`'${text}' as boolean`);
      }
      if (base === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(text)) return { sql: sqlString(text), kind: 'date' };
      if (base === 'uuid') return { sql: sqlString(text.toLowerCase()), kind: 'text' };
      if (this.scope.enumTypes?.has(base)) return { sql: sqlString(text), kind: 'enum' };
      return fail(`a ${type} constant`);
    }
    const e = this.emit(inner);
    if (TEXT_TYPES.has(base)) {
      if (e.kind === 'text' || e.kind === 'enum' || e.kind === 'null') return { sql: e.sql, kind: 'text' };
      if (e.kind === 'number') return { sql: `CAST(${e.sql} AS TEXT)`, kind: 'text' };
    }
    if (NUMBER_TYPES.has(base) && (e.kind === 'number' || e.kind === 'null')) return e;
    if ((base === 'boolean' || base === 'bool') && e.kind === 'bool') return e;
    if (base === 'date' && e.kind === 'date') return e;
    if (type.endsWith('[]')) return e;
    return fail(`a cast to ${type}`);
  }

  private isTest(n: Node & { k: 'is' }): Emitted {
    if (n.what === 'NULL') {
      // A NULL test does not depend on the stored form, so any column type can be tested.
      const target = stripCasts(n.e);
      const sql = target.k === 'ident' ? quoteAlways(this.lookup(target).name) : this.emit(n.e).sql;
      return { sql: `(${sql} IS ${n.not ? 'NOT ' : ''}NULL)`, kind: 'bool' };
    }
    const e = this.emit(n.e);
    return { sql: `(${e.sql} IS ${n.not ? 'NOT ' : ''}${n.what === 'TRUE' ? 1 : 0})`, kind: 'bool' };
  }

  /** Ordering comparisons only where SQLite orders the stored values as Postgres does. */
  private orderable(a: Emitted, b: Emitted): void {
    for (const e of [a, b]) {
      if (e.kind === 'text') fail('an ordering comparison of text depends on the collation');
      if (e.kind === 'enum') fail('enum order is the declaration order, not the text order');
    }
  }

  private binary(op: string, l: Node, r: Node): Emitted {
    if (op === 'AND' || op === 'OR') return { sql: `(${this.emit(l).sql} ${op} ${this.emit(r).sql})`, kind: 'bool' };
    if (op === '~~' || op === '!~~') {
      const pattern = stripCasts(r);
      if (pattern.k !== 'str') return fail('LIKE with a pattern that is not a constant');
      const left = this.emit(l);
      if (left.kind !== 'text') fail('LIKE on a non-text value');
      // SQLite's LIKE ignores ASCII case; GLOB is case-sensitive like Postgres LIKE.
      return { sql: `(${left.sql} ${op === '~~' ? 'GLOB' : 'NOT GLOB'} ${sqlString(likeToGlob(pattern.value))})`, kind: 'bool' };
    }
    const a = this.emit(l);
    const b = this.emit(r);
    if (op === '||') return { sql: `(${a.sql} || ${b.sql})`, kind: 'text' };
    if (op === '+' || op === '-' || op === '*') {
      if (a.kind !== 'number' || b.kind !== 'number') fail(`'${op}' on non-numbers`);
      return { sql: `(${a.sql} ${op} ${b.sql})`, kind: 'number' };
    }
    if (['=', '<>', '!='].includes(op)) return { sql: `(${a.sql} ${op === '=' ? '=' : '<>'} ${b.sql})`, kind: 'bool' };
    if (['<', '<=', '>', '>='].includes(op)) {
      this.orderable(a, b);
      return { sql: `(${a.sql} ${op} ${b.sql})`, kind: 'bool' };
    }
    return fail(`operator ${op}`);
  }

  private any(n: Node & { k: 'any' }): Emitted {
    const inList = n.op === '=' && !n.all;
    const notInList = (n.op === '<>' || n.op === '!=') && n.all;
    if (!inList && !notInList) fail(`${n.op} ${n.all ? 'ALL' : 'ANY'} (...)`);
    const left = this.emit(n.l);
    const arr = stripCasts(n.r);
    let items: string[];
    if (arr.k === 'array') items = arr.items.map((i) => this.emit(i).sql);
    else if (arr.k === 'str' && n.r.k === 'cast') {
      const elementType = n.r.type.replace(/\[\]$/, '');
      items = parseArrayLiteral(arr.value).map((v) => this.cast({ k: 'str', value: v }, elementType).sql);
    } else return fail('ANY over a non-constant array');
    return { sql: `(${left.sql} ${inList ? 'IN' : 'NOT IN'} (${items.join(', ')}))`, kind: 'bool' };
  }

  private call(name: string, args: Node[]): Emitted {
    const a = args.map((x) => this.emit(x));
    const one = (): Emitted => (a.length === 1 ? a[0] : fail(`${name}() with ${a.length} arguments`));
    switch (name) {
      case 'lower': case 'upper':
        return { sql: `${name}(${one().sql})`, kind: 'text' };
      case 'length': case 'char_length': case 'character_length':
        return { sql: `length(${one().sql})`, kind: 'number' };
      case 'abs':
        return { sql: `abs(${one().sql})`, kind: 'number' };
      case 'btrim': case 'ltrim': case 'rtrim':
        if (a.length < 1 || a.length > 2) fail(`${name}() with ${a.length} arguments`);
        return { sql: `${name === 'btrim' ? 'trim' : name}(${a.map((x) => x.sql).join(', ')})`, kind: 'text' };
      case 'coalesce':
        return { sql: `coalesce(${a.map((x) => x.sql).join(', ')})`, kind: a[0]?.kind ?? 'null' };
      default:
        return fail(`function ${name}()`);
    }
  }
}

function run(src: string, scope: ExprScope, f: (e: Emitter, n: Node) => Emitted): Translation {
  let node: Node;
  try {
    node = parseExpression(src);
  } catch (e) {
    if (e instanceof ParseError) return { reason: `cannot parse '${src}': ${e.message}` };
    throw e;
  }
  try {
    return { sql: f(new Emitter(scope), node).sql };
  } catch (e) {
    if (e instanceof Untranslatable) return { reason: e.message };
    throw e;
  }
}

/** A CHECK or partial-index predicate as SQLite SQL, or the reason it does not translate. */
export function translateCondition(src: string, scope: ExprScope): Translation {
  return run(src, scope, (e, n) => e.emit(n));
}

/** An index element expression (lower(col), upper(col) ...) as SQLite SQL. */
export function translateIndexExpression(src: string, scope: ExprScope): Translation {
  return run(src, scope, (e, n) => {
    const out = e.emit(n);
    if (n.k === 'ident') fail('a plain column is not an expression');
    return out;
  });
}
