// Normalizing column defaults as pg_get_expr prints them into ColumnDefault, so the DDL writer
// never parses Postgres syntax. Constant defaults are flagged here; the introspector then has
// the server render them exactly as the reader would deliver the column's values.
import type { ColumnDefault } from '../../catalog/types.js';
import { ParseError, parseExpression, stripCasts, type Node } from './postgres-sql-parser.js';

const NOW_FUNCTIONS = new Set(['now', 'transaction_timestamp', 'statement_timestamp', 'clock_timestamp', 'current_timestamp', 'localtimestamp']);
const UUID_FUNCTIONS = new Set(['gen_random_uuid', 'uuid_generate_v4']);
const TIMESTAMP_CAST = /^timestamp/;

function outerCastType(n: Node): string | undefined {
  return n.k === 'cast' ? n.type : undefined;
}

/** True for constants: literals, negated numbers, NULL, arrays of those, with any casts. */
export function isConstant(n: Node): boolean {
  const s = stripCasts(n);
  switch (s.k) {
    case 'str': case 'num': case 'bool': case 'null':
      return true;
    case 'neg':
      return isConstant(s.e);
    case 'array':
      return s.items.every(isConstant);
    default:
      return false;
  }
}

/** The text a constant would most likely read as; the server's rendering replaces it when available. */
function localValue(n: Node): string | null {
  const s = stripCasts(n);
  switch (s.k) {
    case 'str': case 'num':
      return s.value;
    case 'bool':
      return s.value ? 't' : 'f';
    case 'neg':
      return `-${localValue(s.e) ?? ''}`;
    default:
      return null;
  }
}

export function classifyDefault(raw: string): ColumnDefault {
  let n: Node;
  try {
    n = parseExpression(raw);
  } catch (e) {
    if (e instanceof ParseError) return { kind: 'expression', raw };
    throw e;
  }
  const s = stripCasts(n);
  if (s.k === 'call') {
    const name = s.name.replace(/^.*\./, '');
    if (name === 'nextval') return { kind: 'sequence', raw };
    if (NOW_FUNCTIONS.has(name)) return { kind: 'now', raw };
    if (name === 'current_time' || name === 'localtime') return { kind: 'current_time', raw };
    if (UUID_FUNCTIONS.has(name) && s.args.length === 0) return { kind: 'uuid', raw };
    return { kind: 'expression', raw };
  }
  if (s.k === 'ident' && !s.quoted && !s.qualifier) {
    switch (s.name.toUpperCase()) {
      case 'CURRENT_TIMESTAMP': case 'LOCALTIMESTAMP':
        return { kind: 'now', raw };
      case 'CURRENT_DATE':
        return { kind: 'current_date', raw };
      case 'CURRENT_TIME': case 'LOCALTIME':
        return { kind: 'current_time', raw };
    }
    return { kind: 'expression', raw };
  }
  // The old spelling of now(): ('now'::text)::timestamp, and of today: ('now'::text)::date.
  if (s.k === 'str' && s.value.toLowerCase() === 'now') {
    const type = outerCastType(n) ?? '';
    if (TIMESTAMP_CAST.test(type)) return { kind: 'now', raw };
    if (type === 'date') return { kind: 'current_date', raw };
    if (type.startsWith('time')) return { kind: 'current_time', raw };
  }
  if (isConstant(n)) return { kind: 'literal', value: localValue(n), raw };
  return { kind: 'expression', raw };
}
