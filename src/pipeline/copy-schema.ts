// The schema a copy creates when the target has none: buildSchema's statements, split so that
// only tables and unique indexes exist during the load. Other indexes are built once at the end
// (faster than maintaining them row by row), and triggers come after the data so they do not
// fire on copied rows. AUTOINCREMENT tables get the source's sequence position.
import type { Catalog } from '../catalog/types.js';
import type { SchemaResult } from '../schema/build-schema.js';
import type { TableMapping } from '../schema/mapping.js';
import type { SchemaSetup } from '../targets/target.js';

const PRE_LOAD = /^\s*CREATE\s+(TABLE|UNIQUE\s+INDEX)\b/i;

function sqlText(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Statements that move sqlite_sequence to the source's next value, as an AUTOINCREMENT column would have. */
export function sequenceStatements(m: TableMapping): string[] {
  const next = m.table.sequenceNext;
  const pk = m.table.primaryKey?.columns;
  if (next === undefined || pk?.length !== 1) return [];
  const col = m.columns.find((c) => c.name === pk[0]);
  const declared = col ? (col.cast.transform.declaredType?.(col.cast.column) ?? col.cast.sqliteType) : '';
  if (!col?.cast.column.autoIncrement || declared.toUpperCase() !== 'INTEGER') return [];
  let seq: bigint;
  try {
    seq = BigInt(next) - 1n;
  } catch {
    return [];
  }
  if (seq <= 0n) return [];
  const name = sqlText(m.name);
  return [
    `INSERT INTO sqlite_sequence (name, seq) SELECT ${name}, ${seq} WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ${name});`,
    `UPDATE sqlite_sequence SET seq = ${seq} WHERE name = ${name} AND seq < ${seq};`,
  ];
}

export function schemaSetup(schema: SchemaResult): SchemaSetup {
  const preLoad = schema.statements.filter((s) => PRE_LOAD.test(s));
  const postLoad = schema.statements.filter((s) => !PRE_LOAD.test(s));
  for (const m of schema.tables) postLoad.push(...sequenceStatements(m));
  return { preLoad, postLoad };
}

/**
 * The catalog cut down to the tables `--tables` names, so a partial copy creates only those:
 * foreign keys to tables left out are dropped (SQLite would refuse every row's check), and so
 * are objects not tied to a kept table (views may read the others).
 */
export function catalogSubset(catalog: Catalog, keep: ReadonlySet<string>): { catalog: Catalog; droppedForeignKeys: number } {
  let droppedForeignKeys = 0;
  const tables = catalog.tables
    .filter((t) => keep.has(t.name))
    .map((t) => {
      const foreignKeys = t.foreignKeys.filter((fk) => keep.has(fk.refTable));
      droppedForeignKeys += t.foreignKeys.length - foreignKeys.length;
      return { ...t, foreignKeys };
    });
  const objects = catalog.objects.filter((o) => o.table !== undefined && keep.has(o.table));
  return { catalog: { ...catalog, tables, objects }, droppedForeignKeys };
}
