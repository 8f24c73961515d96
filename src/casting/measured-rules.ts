// Casts decided by the data: a column whose integers a Worker would read imprecisely (beyond
// ±2^53; D1 hands integers to JavaScript as numbers) is cast to exact decimal text by default, and
// every column that references it by foreign key follows so joins still match. The bounds come
// from MIN/MAX (an index answers them at once), so plan, schema, copy and verify all decide alike.
// User rules come before these: a rule choosing "bigint" keeps INTEGER (the plan then warns).
import type { Catalog } from '../catalog/types.js';
import type { Source } from '../sources/source.js';
import { CastRules, type CastRule } from './rules.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** Transforms that store integers as SQLite INTEGER, which a Worker reads as a JS number. */
const INTEGER_TRANSFORMS = new Set(['integer', 'bigint']);
export const MEASURED_ORIGIN = 'measured: integers beyond ±2^53';

const beyond = (v: string | null) => v !== null && /^-?\d+$/.test(v) && (BigInt(v) > MAX_SAFE || BigInt(v) < -MAX_SAFE);

export async function measuredRules(source: Source, catalog: Catalog, user: readonly CastRule[]): Promise<CastRule[]> {
  const rules = CastRules.combine(user, source.castRules);
  const exact = new Set<string>(); // `table.column`, lower-case
  for (const table of catalog.tables) {
    const columns = table.columns.filter((c) => {
      const cast = rules.resolve(table, c);
      // A user rule decides for itself; only the engine's default integer casts are adjusted.
      return INTEGER_TRANSFORMS.has(cast.transform.name) && !user.includes(cast.rule);
    });
    if (columns.length === 0) continue;
    for (const b of await source.integerBounds(table, columns.map((c) => c.name))) {
      if (beyond(b.min) || beyond(b.max)) exact.add(`${table.name}.${b.column}`.toLowerCase());
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
            if (column && !user.includes(rules.resolve(t, column).rule)) {
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
