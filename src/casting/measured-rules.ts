// Casts decided by the data: a column whose integers a Worker would read imprecisely (beyond
// ±2^53; D1 hands integers to JavaScript as numbers) is cast to exact decimal text by default, and
// every column that references it by foreign key follows so joins still match. The bounds come
// from MIN/MAX (an index answers them at once), so plan, schema, copy and verify all decide alike.
// User rules come before these: a rule choosing "bigint" keeps INTEGER (the plan then warns).
import type { Catalog, Column } from '../catalog/types.js';
import type { IntegerBounds, Source } from '../sources/source.js';
import { CastRules, type CastRule, type ResolvedCast } from './rules.js';
import { sqliteAffinity } from './transforms.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
export const MEASURED_ORIGIN = 'measured: integers beyond ±2^53';

const isInteger = (v: string | null) => v !== null && /^-?\d+$/.test(v);
const beyond = (v: string | null) => isInteger(v) && (BigInt(v!) > MAX_SAFE || BigInt(v!) < -MAX_SAFE);

/**
 * Default casts of columns that hold integers: the engines' integer casts, SQLite's `keep` of a
 * column with INTEGER affinity (stored and read as a number), and exact decimals without a
 * fraction (PostgreSQL numeric(p, 0)), whose text is exact but whose foreign key children are
 * integers: all follow the one rule so every such column reads alike and joins still match.
 */
function holdsIntegers(cast: ResolvedCast, column: Column): boolean {
  switch (cast.transform.name) {
    case 'integer':
    case 'bigint':
      return true;
    case 'keep':
      return sqliteAffinity(column.sourceType) === 'INTEGER';
    case 'decimal_text':
      return column.scale === 0;
    default:
      return false;
  }
}

/**
 * Exact text holds every value only when every value is an integer: bounds that are not (numeric's
 * NaN or Infinity sort last or first) or a SQLite column that also holds REAL or TEXT values keep
 * the engine's cast, which stores them as they are.
 */
const needsExactText = (b: IntegerBounds) =>
  !b.nonIntegers && (b.min === null || isInteger(b.min)) && (b.max === null || isInteger(b.max)) && (beyond(b.min) || beyond(b.max));

export async function measuredRules(source: Source, catalog: Catalog, user: readonly CastRule[]): Promise<CastRule[]> {
  const rules = CastRules.combine(user, source.castRules);
  const exact = new Set<string>(); // `table.column`, lower-case
  for (const table of catalog.tables) {
    const columns = table.columns.filter((c) => {
      const cast = rules.resolve(table, c);
      // A user rule decides for itself; only the engine's default integer casts are adjusted.
      // The engines' `integer` cast is their 32-bit-or-narrower types (bigint has its own), which
      // cannot pass 2^53: measuring them cost a scan of the table when no index answers MIN/MAX
      // (1-2 s of every copy of the 1,000,000-row bench table, for its int4 column).
      return holdsIntegers(cast, c) && cast.transform.name !== 'integer' && !user.includes(cast.rule);
    });
    if (columns.length === 0) continue;
    for (const b of await source.integerBounds(table, columns.map((c) => c.name))) {
      if (needsExactText(b)) exact.add(`${table.name}.${b.column}`.toLowerCase());
    }
  }
  // Foreign keys follow their referenced columns (to a fixed point: a chain of references).
  for (let changed = exact.size > 0; changed; ) {
    changed = false;
    for (const t of catalog.tables) {
      for (const fk of t.foreignKeys) {
        fk.refColumns.forEach((ref, i) => {
          const child = `${t.name}.${fk.columns[i]}`.toLowerCase();
          if (exact.has(`${fk.refTable}.${ref}`.toLowerCase()) && !exact.has(child)) {
            const column = t.columns.find((c) => c.name === fk.columns[i]);
            const cast = column && rules.resolve(t, column);
            if (cast && !user.includes(cast.rule) && holdsIntegers(cast, column)) {
              exact.add(child);
              changed = true;
            }
          }
        });
      }
    }
  }
  return [...exact].map((column) => ({ match: { column }, transform: 'integer_text', origin: MEASURED_ORIGIN }));
}
