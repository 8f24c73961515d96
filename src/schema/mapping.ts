// How each source table lands in SQLite: target names and the resolved cast of every column.
// Shared by schema (DDL), copy (values) and verify (normalization), so they cannot disagree.
import type { CastRules, ResolvedCast } from '../casting/rules.js';
import type { Catalog, Table } from '../catalog/types.js';

export interface ColumnMapping {
  /** Column name in the target (same as the source name; quoted by quoteIdent when written). */
  name: string;
  cast: ResolvedCast;
}

export interface TableMapping {
  table: Table;
  /** Table name in the target. */
  name: string;
  /** Columns written by copy, in source order (generated columns become plain columns holding the values). */
  columns: ColumnMapping[];
  /** Key used to order, resume and verify: the primary key, else the first unique key of NOT NULL columns. */
  key?: string[];
}

export function mapTable(table: Table, rules: CastRules): TableMapping {
  const columns = table.columns.map((c) => ({ name: c.name, cast: rules.resolve(table, c) }));
  return { table, name: table.name, columns, key: chooseKey(table) };
}

export function mapCatalog(catalog: Catalog, rules: CastRules): TableMapping[] {
  return catalog.tables.map((t) => mapTable(t, rules));
}

function chooseKey(table: Table): string[] | undefined {
  if (table.primaryKey?.columns.length) return table.primaryKey.columns;
  const notNull = new Set(table.columns.filter((c) => !c.nullable).map((c) => c.name));
  const candidates = [
    ...table.uniques.map((u) => u.columns),
    // MySQL's unique keys are unique indexes; a plain-column, non-partial one identifies rows too.
    ...table.indexes.filter((i) => i.unique && !i.where && !i.expressions?.length && !i.untranslatable).map((i) => i.columns),
  ];
  return candidates.find((cols) => cols.length > 0 && cols.every((c) => notNull.has(c)));
}
