// Keys, foreign keys, CHECKs and indexes of the catalog's tables, from pg_constraint and pg_index.
import type { PoolClient } from 'pg';
import type { ForeignKey, ForeignKeyAction, Index } from '../../catalog/types.js';
import { quoteAlways } from '../../schema/identifiers.js';
import { tableScope, type TableEntry } from './postgres-columns.js';
import { translateCondition, translateIndexExpression } from './postgres-expressions.js';

/** A table's name in the catalog: bare in public, `<schema>_<table>` elsewhere. */
export function catalogName(schema: string, relname: string): string {
  return schema === 'public' ? relname : `${schema}_${relname}`;
}

const FK_ACTIONS: Record<string, ForeignKeyAction> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};

interface ConstraintRow {
  table_oid: number;
  name: string;
  type: 'p' | 'u' | 'f' | 'c';
  columns: string | null;
  ref_schema: string | null;
  ref_name: string | null;
  ref_columns: string | null;
  on_update: string;
  on_delete: string;
  deferrable: boolean;
  check_expr: string | null;
  validated: boolean;
}

// Column names of a key, in key order, as JSON (array types arrive as text with our parsers).
const keyNames = (keys: string, rel: string) =>
  `(SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(${keys}) WITH ORDINALITY k(attnum, ord)
     JOIN pg_attribute a ON a.attrelid = ${rel} AND a.attnum = k.attnum)::text`;

export async function loadConstraints(client: PoolClient, entries: TableEntry[], enumTypes: ReadonlySet<string>): Promise<void> {
  const byOid = new Map(entries.map((e) => [e.oid, e]));
  // conparentid = 0: a foreign key to a partitioned table also has one row per referenced
  // partition, and those rows are the server's bookkeeping, not the user's constraints.
  const r = await client.query<ConstraintRow>(
    `SELECT c.conrelid AS table_oid, c.conname AS name, c.contype AS type,
            ${keyNames('c.conkey', 'c.conrelid')} AS columns,
            rn.nspname AS ref_schema, rc.relname AS ref_name,
            ${keyNames('c.confkey', 'c.confrelid')} AS ref_columns,
            c.confupdtype AS on_update, c.confdeltype AS on_delete, c.condeferrable AS deferrable,
            CASE WHEN c.contype = 'c' THEN pg_get_expr(c.conbin, c.conrelid) END AS check_expr,
            c.convalidated AS validated
       FROM pg_constraint c
       LEFT JOIN pg_class rc ON rc.oid = c.confrelid
       LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
      WHERE c.conrelid = ANY($1::oid[]) AND c.contype IN ('p', 'u', 'f', 'c') AND c.conparentid = 0
      ORDER BY c.conrelid, c.conname`,
    [entries.map((e) => e.oid)],
  );
  for (const row of r.rows) {
    const entry = byOid.get(row.table_oid)!;
    const t = entry.table;
    const columns = JSON.parse(row.columns ?? '[]') as string[];
    if (row.type === 'p') t.primaryKey = { name: row.name, columns };
    else if (row.type === 'u') t.uniques.push({ name: row.name, columns });
    else if (row.type === 'f') {
      t.foreignKeys.push(foreignKey(row, columns));
    } else if (row.check_expr !== null) {
      // A NOT VALID check may be violated by rows already there: enforcing it in SQLite would reject them.
      const translated = row.validated ? translateCondition(row.check_expr, tableScope(t, enumTypes)) : undefined;
      t.checks.push({ name: row.name, expression: row.check_expr, ...(translated?.sql !== undefined && { sqlite: translated.sql }) });
    }
  }
}

interface PartitionForeignKeyRow extends ConstraintRow {
  partitions_with: number;
  partitions: number;
}

/**
 * Foreign keys declared on the partitions rather than on their parent (as Pagila's payment
 * does): one that every leaf partition has, alike, holds for the whole table, so it is carried
 * on the parent, which is the one table SQLite gets.
 */
export async function loadPartitionForeignKeys(client: PoolClient, entries: TableEntry[]): Promise<void> {
  const parents = entries.filter((e) => e.table.partitions?.length);
  if (!parents.length) return;
  const r = await client.query<PartitionForeignKeyRow>(
    `WITH leaves AS (
       SELECT p.oid AS parent, pt.relid FROM unnest($1::oid[]) p(oid), pg_partition_tree(p.oid) pt WHERE pt.isleaf AND pt.level > 0
     ), fks AS (
       SELECT l.parent, c.conrelid, min(c.conname) AS name, ${keyNames('c.conkey', 'c.conrelid')} AS columns,
              rn.nspname AS ref_schema, rc.relname AS ref_name, ${keyNames('c.confkey', 'c.confrelid')} AS ref_columns,
              c.confupdtype AS on_update, c.confdeltype AS on_delete, c.condeferrable AS deferrable
         FROM leaves l JOIN pg_constraint c ON c.conrelid = l.relid AND c.contype = 'f' AND c.conparentid = 0
         JOIN pg_class rc ON rc.oid = c.confrelid JOIN pg_namespace rn ON rn.oid = rc.relnamespace
        GROUP BY l.parent, c.conrelid, c.conkey, rn.nspname, rc.relname, c.confkey, c.confrelid, c.confupdtype, c.confdeltype, c.condeferrable
     )
     SELECT f.parent AS table_oid, min(f.name) AS name, 'f' AS type, f.columns, f.ref_schema, f.ref_name, f.ref_columns,
            f.on_update, f.on_delete, f.deferrable, count(DISTINCT f.conrelid)::int AS partitions_with,
            (SELECT count(*) FROM leaves l WHERE l.parent = f.parent)::int AS partitions
       FROM fks f
      GROUP BY f.parent, f.columns, f.ref_schema, f.ref_name, f.ref_columns, f.on_update, f.on_delete, f.deferrable
      ORDER BY f.parent, min(f.name)`,
    [parents.map((e) => e.oid)],
  );
  const byOid = new Map(parents.map((e) => [e.oid, e]));
  for (const row of r.rows) {
    if (row.partitions_with !== row.partitions) continue;
    const t = byOid.get(row.table_oid)!.table;
    const columns = JSON.parse(row.columns ?? '[]') as string[];
    if (t.foreignKeys.some((fk) => fk.columns.join() === columns.join())) continue;
    t.foreignKeys.push(foreignKey(row, columns));
  }
}

function foreignKey(row: ConstraintRow, columns: string[]): ForeignKey {
  return {
    name: row.name,
    columns,
    refTable: catalogName(row.ref_schema!, row.ref_name!),
    refColumns: JSON.parse(row.ref_columns ?? '[]') as string[],
    onDelete: FK_ACTIONS[row.on_delete] ?? 'NO ACTION',
    onUpdate: FK_ACTIONS[row.on_update] ?? 'NO ACTION',
    ...(row.deferrable && { deferrable: true }),
  };
}

interface IndexRow {
  table_oid: number;
  name: string;
  unique: boolean;
  method: string;
  elements: string;
  predicate: string | null;
  valid: boolean;
}

interface IndexElement {
  attnum: number;
  name: string | null;
  expr: string;
  /** indoption's DESC bit. */
  desc: boolean;
}

export async function loadIndexes(client: PoolClient, entries: TableEntry[], enumTypes: ReadonlySet<string>): Promise<void> {
  const byOid = new Map(entries.map((e) => [e.oid, e]));
  // Indexes that back a primary key, unique or exclusion constraint are those constraints.
  const r = await client.query<IndexRow>(
    `SELECT i.indrelid AS table_oid, ic.relname AS name, i.indisunique AS unique, am.amname AS method,
            (SELECT json_agg(json_build_object('attnum', k.attnum, 'name', a.attname,
                                               'expr', pg_get_indexdef(i.indexrelid, k.ord::int, false),
                                               'desc', (i.indoption[k.ord - 1] & 1) = 1) ORDER BY k.ord)
               FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
               LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.attnum > 0
              WHERE k.ord <= i.indnkeyatts)::text AS elements,
            pg_get_expr(i.indpred, i.indrelid) AS predicate, i.indisvalid AS valid
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_am am ON am.oid = ic.relam
      WHERE i.indrelid = ANY($1::oid[])
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid
                          AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x'))
      ORDER BY i.indrelid, ic.relname`,
    [entries.map((e) => e.oid)],
  );
  for (const row of r.rows) {
    const entry = byOid.get(row.table_oid)!;
    entry.table.indexes.push(toIndex(row, tableScope(entry.table, enumTypes)));
  }
}

function toIndex(row: IndexRow, scope: ReturnType<typeof tableScope>): Index {
  const elements = JSON.parse(row.elements) as IndexElement[];
  const columns = elements.filter((e) => e.attnum !== 0 && e.name !== null).map((e) => e.name!);
  const index: Index = { name: row.name, unique: row.unique, columns, method: row.method };
  if (elements.some((e) => e.desc)) index.desc = elements.map((e) => e.desc);
  if (row.method !== 'btree') {
    index.untranslatable = `${row.method} index: SQLite has B-tree indexes only`;
    return index;
  }
  if (!row.valid) {
    index.untranslatable = 'the index is invalid in the source (a failed CREATE INDEX CONCURRENTLY)';
    return index;
  }
  if (elements.some((e) => e.attnum === 0)) {
    const sql: string[] = [];
    for (const e of elements) {
      if (e.attnum !== 0) {
        sql.push(quoteAlways(e.name!));
        continue;
      }
      const t = translateIndexExpression(e.expr, scope);
      if (t.sql === undefined) {
        index.untranslatable = `expression ${e.expr}: ${t.reason}`;
        return index;
      }
      sql.push(t.sql);
    }
    index.expressions = sql;
  }
  if (row.predicate !== null) {
    const t = translateCondition(row.predicate, scope);
    if (t.sql === undefined) index.untranslatable = `partial index WHERE ${row.predicate}: ${t.reason}`;
    else index.where = t.sql;
  }
  return index;
}
