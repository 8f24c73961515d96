// Reads the canonical catalog from pg_catalog (never a dump) inside one read-only snapshot, so
// tables, columns, keys and objects describe the same instant.
import type { PoolClient } from 'pg';
import type { Catalog, Table } from '../../catalog/types.js';
import { loadColumns, type TableEntry } from './postgres-columns.js';
import { catalogName, loadConstraints, loadIndexes, loadPartitionForeignKeys } from './postgres-constraints.js';
import { NOT_EXTENSION, USER_SCHEMA, loadObjects } from './postgres-objects.js';
import { pgIdent } from './postgres-reader.js';
import { PgTypeCatalog } from './postgres-types.js';

interface TableRow {
  oid: number;
  schema: string;
  name: string;
  comment: string | null;
  row_estimate: number;
  size_estimate: number;
  partitions: string | null;
}

// Partitioned parents are one table: estimates summed over the whole partition tree, partitions
// listed by the name the user knows. Partitions themselves are not tables here.
const TABLES_SQL = `
SELECT c.oid, n.nspname AS schema, c.relname AS name, obj_description(c.oid, 'pg_class') AS comment,
       CASE WHEN c.relkind = 'p'
            THEN (SELECT coalesce(sum(greatest(pc.reltuples, 0)), 0) FROM pg_partition_tree(c.oid) pt
                    JOIN pg_class pc ON pc.oid = pt.relid WHERE pt.isleaf)
            ELSE greatest(c.reltuples, 0) END::float8 AS row_estimate,
       CASE WHEN c.relkind = 'p'
            THEN (SELECT coalesce(sum(pg_total_relation_size(pt.relid)), 0) FROM pg_partition_tree(c.oid) pt)
            ELSE pg_total_relation_size(c.oid) END::float8 AS size_estimate,
       CASE WHEN c.relkind = 'p'
            THEN (SELECT json_agg(CASE WHEN pn.nspname = 'public' THEN pc.relname::text ELSE pn.nspname || '.' || pc.relname END
                                  ORDER BY pn.nspname, pc.relname)
                    FROM pg_partition_tree(c.oid) pt JOIN pg_class pc ON pc.oid = pt.relid
                    JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE pt.level > 0)::text END AS partitions
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND ${USER_SCHEMA('n')} AND ${NOT_EXTENSION('pg_class', 'c.oid')}
 ORDER BY n.nspname, c.relname`;

async function loadTables(client: PoolClient): Promise<TableEntry[]> {
  const r = await client.query<TableRow>(TABLES_SQL);
  return r.rows.map((row) => {
    const table: Table = {
      schema: row.schema,
      name: catalogName(row.schema, row.name),
      sourceName: `${pgIdent(row.schema)}.${pgIdent(row.name)}`,
      columns: [],
      uniques: [],
      indexes: [],
      foreignKeys: [],
      checks: [],
      rowEstimate: Math.round(row.row_estimate),
      sizeEstimate: row.size_estimate,
    };
    if (row.partitions !== null) table.partitions = JSON.parse(row.partitions) as string[];
    if (row.comment !== null) table.comment = row.comment;
    return { oid: row.oid, schema: row.schema, relname: row.name, table, sequences: new Map() };
  });
}

/** The sequence that seeds sqlite_sequence: the single-column primary key's, else the first one. */
function pickSequenceNext(entry: TableEntry): void {
  const pk = entry.table.primaryKey?.columns;
  const next = (pk?.length === 1 ? entry.sequences.get(pk[0]) : undefined) ?? entry.sequences.values().next().value;
  if (next === undefined) return;
  const n = Number(next);
  entry.table.sequenceNext = Number.isSafeInteger(n) ? n : next;
}

export async function introspect(client: PoolClient): Promise<Catalog> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const meta = await client.query<{ database: string; version: string; encoding: string }>(
      "SELECT current_database() AS database, current_setting('server_version') AS version, current_setting('server_encoding') AS encoding",
    );
    const types = await PgTypeCatalog.load(client);
    const enumTypes = types.enumTypeNames();
    const entries = await loadTables(client);
    await loadColumns(client, entries, types, enumTypes);
    await loadConstraints(client, entries, enumTypes);
    await loadPartitionForeignKeys(client, entries);
    await loadIndexes(client, entries, enumTypes);
    entries.forEach(pickSequenceNext);
    const objects = await loadObjects(client, entries.every((e) => e.schema === 'public'));
    await client.query('COMMIT');
    return {
      engine: 'postgres',
      database: meta.rows[0].database,
      serverVersion: meta.rows[0].version,
      ...(meta.rows[0].encoding === 'SQL_ASCII' ? { uncheckedEncoding: 'SQL_ASCII' } : {}),
      tables: entries.map((e) => e.table),
      objects,
    };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
