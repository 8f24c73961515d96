// Column facts SQLite keeps as text: the declared type (any words, with optional sizes) and the
// default as written. Turned here into the catalog's vocabulary.
import type { ColumnDefault } from '../../catalog/types.js';
import { tokenize } from './sqlite-sql-text.js';

export interface DeclaredType {
  /** Lower-cased words without the size: 'nvarchar', 'unsigned big int', '' when none. */
  dataType: string;
  length?: number;
  precision?: number;
  scale?: number;
  unsigned?: boolean;
}

// One size argument is a length for character and binary types, a precision otherwise
// (NUMERIC(10), DATETIME(6), FLOAT(24)).
const LENGTH_TYPES = /char|clob|text|binary|blob/;

export function parseDeclaredType(declared: string): DeclaredType {
  const open = declared.indexOf('(');
  const words = (open < 0 ? declared : declared.slice(0, open)).trim().toLowerCase().replace(/\s+/g, ' ');
  const out: DeclaredType = { dataType: words };
  if (/\bunsigned\b/.test(words)) out.unsigned = true;
  if (open < 0) return out;
  const close = declared.indexOf(')', open);
  const args = declared
    .slice(open + 1, close < 0 ? undefined : close)
    .split(',')
    .map((a) => Number.parseInt(a.trim(), 10));
  if (args.length === 0 || !Number.isFinite(args[0])) return out;
  if (args.length >= 2 && Number.isFinite(args[1])) {
    out.precision = args[0];
    out.scale = args[1];
  } else if (LENGTH_TYPES.test(words)) {
    out.length = args[0];
  } else {
    out.precision = args[0];
  }
  return out;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const HEX = /^([+-]?)0x([0-9a-f]+)$/i;

/**
 * PRAGMA table_xinfo's dflt_value (the default as written, outer parentheses removed by SQLite
 * for simple cases) as a ColumnDefault. Literals carry the text the reader delivers for them.
 */
export function normalizeDefault(raw: string | null): ColumnDefault | undefined {
  if (raw === null) return undefined;
  let expr = raw.trim();
  // DEFAULT ((0)) keeps the inner parentheses: strip any that wrap the whole expression.
  while (wrapped(expr)) expr = expr.slice(1, -1).trim();
  const upper = expr.toUpperCase();
  if (upper === 'CURRENT_TIMESTAMP') return { kind: 'now', raw };
  if (upper === 'CURRENT_DATE') return { kind: 'current_date', raw };
  if (upper === 'CURRENT_TIME') return { kind: 'current_time', raw };
  if (upper === 'NULL') return { kind: 'literal', value: null, raw };
  // SQLite reads TRUE/FALSE as the integers 1/0 (since 3.23).
  if (upper === 'TRUE') return { kind: 'literal', value: '1', raw };
  if (upper === 'FALSE') return { kind: 'literal', value: '0', raw };
  if (NUMBER.test(expr)) return { kind: 'literal', value: expr.replace(/^\+/, ''), raw };
  const hex = HEX.exec(expr);
  if (hex) return { kind: 'literal', value: (hex[1] === '-' ? '-' : '') + BigInt('0x' + hex[2]).toString(), raw };
  const tokens = tokenize(expr);
  if (tokens.length === 1 && tokens[0].kind === 'string') {
    return { kind: 'literal', value: expr.slice(1, -1).replace(/''/g, "'"), raw };
  }
  return { kind: 'expression', raw };
}

/** True when the whole text is one parenthesized group: "(a)" but not "(a) + (b)". */
function wrapped(expr: string): boolean {
  if (!expr.startsWith('(') || !expr.endsWith(')')) return false;
  const tokens = tokenize(expr);
  const closeOfFirst = tokens.findIndex((t, k) => k > 0 && t.kind === 'punct' && t.value === ')' && t.depth === 0);
  return closeOfFirst === tokens.length - 1;
}
