// Names that D1 refuses or that SQLite folds together: reported before anything is written.
import type { Finding } from '../catalog/findings.js';
import type { Catalog } from '../catalog/types.js';

// D1 rejects any object whose name starts with _cf_ (its own metadata tables).
const D1_RESERVED_PREFIX = /^_cf_/i;
// SQLite reserves sqlite_ for its internal tables.
const SQLITE_RESERVED_PREFIX = /^sqlite_/i;
// wrangler records applied migrations in this table.
const WRANGLER_MIGRATIONS_TABLE = 'd1_migrations';

function collisions(names: readonly string[]): string[][] {
  const groups = new Map<string, string[]>();
  for (const n of names) {
    const key = n.toLowerCase();
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

export function checkNames(catalog: Catalog): Finding[] {
  const findings: Finding[] = [];
  for (const t of catalog.tables) {
    if (D1_RESERVED_PREFIX.test(t.name) || SQLITE_RESERVED_PREFIX.test(t.name) || t.name.toLowerCase() === WRANGLER_MIGRATIONS_TABLE) {
      findings.push({
        severity: 'blocker',
        code: 'reserved-name',
        object: t.name,
        message: `table name ${t.name} is reserved in D1 (_cf_*, sqlite_*, d1_migrations)`,
        fix: 'rename the table in the source before migrating',
      });
    }
    for (const group of collisions(t.columns.map((c) => c.name))) {
      findings.push({
        severity: 'blocker',
        code: 'name-collision',
        object: `${t.name}.${group[0]}`,
        message: `columns ${group.join(', ')} differ only in case; SQLite names are case-insensitive`,
        fix: 'rename one of the columns in the source before migrating',
      });
    }
  }
  for (const group of collisions(catalog.tables.map((t) => t.name))) {
    findings.push({
      severity: 'blocker',
      code: 'name-collision',
      object: group[0],
      message: `tables ${group.join(', ')} differ only in case; SQLite names are case-insensitive`,
      fix: 'rename one of the tables in the source before migrating',
    });
  }
  return findings;
}
