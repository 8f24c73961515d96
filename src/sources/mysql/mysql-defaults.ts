// information_schema.COLUMNS.COLUMN_DEFAULT -> ColumnDefault. The two servers print it differently:
// MariaDB (10.2.7+) quotes string literals ('G', '0000-00-00'), prints numbers bare, expressions
// bare (current_timestamp(), uuid(), (1 + 2)) and an explicit or implicit NULL default as the
// text NULL; MySQL prints literals unquoted and flags expression defaults with EXTRA
// DEFAULT_GENERATED (8.0.13+), CURRENT_TIMESTAMP being the only expression before that.
import type { ColumnDefault } from '../../catalog/types.js';
import { readQuoted } from './mysql-types.js';

export interface DefaultContext {
  dataType: string;
  extra: string;
  mariadb: boolean;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const BIT_LITERAL = /^b'([01]*)'$/i;
const TEMPORAL = new Set(['date', 'time', 'datetime', 'timestamp', 'year']);

/** now()/curdate()/uuid() and friends; anything else is an expression flarelift does not carry. */
export function classifyExpression(raw: string): ColumnDefault {
  let expr = raw.trim();
  while (/^\(.*\)$/s.test(expr) && balanced(expr.slice(1, -1))) expr = expr.slice(1, -1).trim();
  if (/^(current_timestamp|now|localtimestamp|localtime)(\(\s*\d*\s*\))?$/i.test(expr)) return { kind: 'now', raw };
  if (/^(curdate|current_date)(\(\s*\))?$/i.test(expr)) return { kind: 'current_date', raw };
  if (/^(curtime|current_time)(\(\s*\d*\s*\))?$/i.test(expr)) return { kind: 'current_time', raw };
  if (/^uuid\(\s*\)$/i.test(expr)) return { kind: 'uuid', raw };
  return { kind: 'expression', raw };
}

/** True when the parentheses of `s` pair up on their own (so `(a) + (b)` is not unwrapped). */
function balanced(s: string): boolean {
  let depth = 0;
  for (const ch of s) {
    if (ch === '(') depth += 1;
    else if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

function bitLiteral(raw: string): ColumnDefault | undefined {
  const m = BIT_LITERAL.exec(raw.trim());
  // The bit digits are what the bit transforms read ('101' -> 5, '1' -> true).
  return m ? { kind: 'literal', value: m[1] || '0', raw } : undefined;
}

export function normalizeDefault(raw: string | null, ctx: DefaultContext): ColumnDefault | undefined {
  if (raw === null) return undefined;
  return ctx.mariadb ? mariadbDefault(raw, ctx) : mysqlDefault(raw, ctx);
}

function mariadbDefault(raw: string, ctx: DefaultContext): ColumnDefault | undefined {
  // NULL as a default and no default at all both mean "NULL when omitted": nothing to carry.
  if (raw === 'NULL') return undefined;
  if (raw.startsWith("'")) {
    const { value, end } = readQuoted(raw, 0);
    if (end === raw.length) return { kind: 'literal', value, raw };
  }
  if (NUMBER.test(raw)) return { kind: 'literal', value: raw, raw };
  if (ctx.dataType === 'bit') {
    const bits = bitLiteral(raw);
    if (bits) return bits;
  }
  return classifyExpression(raw);
}

function mysqlDefault(raw: string, ctx: DefaultContext): ColumnDefault | undefined {
  if (/\bDEFAULT_GENERATED\b/i.test(ctx.extra)) return classifyExpression(raw);
  if (TEMPORAL.has(ctx.dataType) && /^current_timestamp(\(\d*\))?$/i.test(raw)) return { kind: 'now', raw };
  if (ctx.dataType === 'bit') {
    const bits = bitLiteral(raw);
    if (bits) return bits;
  }
  return { kind: 'literal', value: raw, raw };
}
