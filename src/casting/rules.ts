// Cast rules as data (pgloader's `CAST type X when ... to Y using Z`): the first rule that
// matches a column decides its SQLite type and value transform. User rules come first, then
// the source engine's defaults, then a catch-all.
import type { Column, Table } from '../catalog/types.js';
import { rewriteText, rewritesFor, type RewriteRule } from './rewrite.js';
import { getTransform, type SqliteType, type TransformDef, type ValueFn } from './transforms.js';

export interface RuleMatch {
  /** Column dataType(s), as in Column.dataType ('array' for arrays). */
  type?: string | string[];
  /** Exact `table.column` (catalog table name). */
  column?: string;
  unsigned?: boolean;
  nullable?: boolean;
  /** Declared length / precision bounds (inclusive). */
  minLength?: number;
  maxLength?: number;
  minPrecision?: number;
  maxPrecision?: number;
  /** Column is a Postgres domain of this name. */
  domain?: string;
}

export interface CastRule {
  match: RuleMatch;
  transform: string;
  /** Where the rule came from, for --explain: 'flarelift.toml', 'postgres default', ... */
  origin: string;
  /** URL rewrites (flarelift.toml [[rewrite]]): applied to the text this column's cast makes, whatever rule casts it. */
  rewrites?: RewriteRule[];
}

export interface ResolvedCast {
  column: Column;
  rule: CastRule;
  transform: TransformDef;
  sqliteType: SqliteType;
  /** Undefined when the cast is lossless for this column. */
  lossy?: string;
  value: ValueFn;
  /** The URL rewrites applied after the transform (verify applies the same ones to the source). */
  rewrites?: RewriteRule[];
}

export function matches(m: RuleMatch, table: Table, c: Column): boolean {
  if (m.column !== undefined && m.column.toLowerCase() !== `${table.name}.${c.name}`.toLowerCase()) return false;
  if (m.type !== undefined) {
    const types = Array.isArray(m.type) ? m.type : [m.type];
    if (!types.some((t) => t.toLowerCase() === c.dataType)) return false;
  }
  if (m.unsigned !== undefined && Boolean(c.unsigned) !== m.unsigned) return false;
  if (m.nullable !== undefined && c.nullable !== m.nullable) return false;
  if (m.domain !== undefined && c.domain !== m.domain) return false;
  const length = c.length ?? -1;
  if (m.minLength !== undefined && length < m.minLength) return false;
  if (m.maxLength !== undefined && (length < 0 || length > m.maxLength)) return false;
  const precision = c.precision ?? -1;
  if (m.minPrecision !== undefined && precision < m.minPrecision) return false;
  if (m.maxPrecision !== undefined && (precision < 0 || precision > m.maxPrecision)) return false;
  return true;
}

export const CATCH_ALL: CastRule = { match: {}, transform: 'copy', origin: 'catch-all' };

export class CastRules {
  constructor(
    readonly rules: readonly CastRule[],
    readonly rewrites: readonly RewriteRule[] = [],
  ) {}

  /** User rules first, then engine defaults, then the catch-all; the user's rewrites apply over whichever matches. */
  static combine(user: readonly CastRule[], engineDefaults: readonly CastRule[]): CastRules {
    const rewrites = user.flatMap((r) => r.rewrites ?? []);
    return new CastRules([...user.filter((r) => !r.rewrites), ...engineDefaults, CATCH_ALL], rewrites);
  }

  resolve(table: Table, column: Column): ResolvedCast {
    const rule = this.rules.find((r) => matches(r.match, table, column)) ?? CATCH_ALL;
    const transform = getTransform(rule.transform);
    const made = transform.make(column);
    const rewrites = transform.sqliteType === 'TEXT' ? rewritesFor(this.rewrites, table.name, column.name) : [];
    return {
      column,
      rule,
      transform,
      sqliteType: transform.sqliteType,
      lossy: transform.lossy?.(column),
      value: rewrites.length === 0 ? made : (v) => {
        const out = made(v);
        return typeof out === 'string' ? rewriteText(out, rewrites) : out;
      },
      ...(rewrites.length ? { rewrites } : {}),
    };
  }

  resolveTable(table: Table): ResolvedCast[] {
    return table.columns.map((c) => this.resolve(table, c));
  }
}

/** One line per rule for `schema --explain`. */
export function describeRule(rule: CastRule): string {
  const m = rule.match;
  const parts: string[] = [];
  if (m.column) parts.push(`column ${m.column}`);
  if (m.type) parts.push(`type ${Array.isArray(m.type) ? m.type.join('|') : m.type}`);
  if (m.domain) parts.push(`domain ${m.domain}`);
  if (m.unsigned !== undefined) parts.push(m.unsigned ? 'unsigned' : 'signed');
  if (m.nullable !== undefined) parts.push(m.nullable ? 'nullable' : 'not null');
  if (m.minLength !== undefined || m.maxLength !== undefined) parts.push(`length ${m.minLength ?? 0}..${m.maxLength ?? '∞'}`);
  if (m.minPrecision !== undefined || m.maxPrecision !== undefined) parts.push(`precision ${m.minPrecision ?? 0}..${m.maxPrecision ?? '∞'}`);
  const t = getTransform(rule.transform);
  return `${parts.length ? parts.join(', ') : 'any other type'} -> ${t.sqliteType} using ${t.name}${t.lossy ? ' (may lose information)' : ''}  [${rule.origin}]`;
}
