// Bytes each table takes on disk (its b-tree plus its indexes' b-trees), for the plan.
import type Database from 'better-sqlite3';
import { quoteName } from './sqlite-tables.js';

interface SchemaRow { type: string; name: string; tbl_name: string }

/**
 * From the dbstat virtual table when SQLite was built with it (better-sqlite3's build is): exact
 * pages per b-tree. Without dbstat, the file's size (page_count * page_size) is shared between
 * tables in proportion to their row counts: an estimate that ignores row widths.
 */
export function tableSizes(db: Database.Database, schema: SchemaRow[]): Map<string, number> {
  const owner = new Map(schema.filter((r) => r.type === 'table' || r.type === 'index').map((r) => [r.name, r.tbl_name]));
  const sizes = new Map<string, number>();
  try {
    const rows = db.prepare('SELECT name, pgsize FROM dbstat WHERE aggregate = TRUE').all() as { name: string; pgsize: number }[];
    for (const r of rows) {
      const table = owner.get(r.name);
      if (table !== undefined) sizes.set(table, (sizes.get(table) ?? 0) + Number(r.pgsize));
    }
    return sizes;
  } catch {
    return sharedByRows(db, schema);
  }
}

function sharedByRows(db: Database.Database, schema: SchemaRow[]): Map<string, number> {
  const pragma = (name: string) => Number(db.pragma(name, { simple: true }));
  const total = pragma('page_count') * pragma('page_size');
  const counts = schema
    .filter((r) => r.type === 'table')
    .map((r) => {
      try {
        return [r.name, Number((db.prepare(`SELECT count(*) AS n FROM ${quoteName(r.name)}`).get() as { n: number }).n)] as const;
      } catch {
        return [r.name, 0] as const; // virtual table whose module is missing
      }
    });
  const rows = counts.reduce((s, [, n]) => s + n, 0);
  return new Map(counts.map(([name, n]) => [name, rows > 0 ? Math.round((total * n) / rows) : 0]));
}
