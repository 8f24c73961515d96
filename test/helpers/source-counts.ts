// Object counts read straight from each engine's catalog, independently of flarelift's
// introspectors, so the schema tests compare against the source itself.
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';

export interface ObjectCounts {
  tables: number;
  columns: number;
  indexes: number;
  foreignKeys: number;
}

const PG_TABLES = `SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
    AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`;

export async function pgCounts(url: string): Promise<ObjectCounts> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    const one = async (sql: string) => Number((await client.query(sql)).rows[0].n);
    return {
      tables: await one(`SELECT count(*) n FROM (${PG_TABLES}) t`),
      columns: await one(`SELECT count(*) n FROM pg_attribute WHERE attnum > 0 AND NOT attisdropped AND attrelid IN (${PG_TABLES})`),
      // Indexes that do not back a constraint (PK/unique/exclusion are constraints, not indexes, in D1).
      indexes: await one(`SELECT count(*) n FROM pg_index i WHERE i.indrelid IN (${PG_TABLES})
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p','u','x'))`),
      foreignKeys: await one(`SELECT count(*) n FROM pg_constraint WHERE contype = 'f' AND conrelid IN (${PG_TABLES})`),
    };
  } finally {
    await client.end();
  }
}

export async function mysqlCounts(url: string): Promise<ObjectCounts> {
  const conn = await mysql.createConnection(url);
  try {
    const db = new URL(url).pathname.slice(1);
    const one = async (sql: string) => Number(((await conn.query(sql, [db]))[0] as { n: number }[])[0]!.n);
    const base = `SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE'`;
    return {
      tables: await one(`SELECT count(*) n FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE'`),
      columns: await one(`SELECT count(*) n FROM information_schema.columns c JOIN (${base}) t USING (table_name) WHERE c.table_schema = '${db}'`),
      indexes: await one(`SELECT count(DISTINCT table_name, index_name) n FROM information_schema.statistics WHERE table_schema = ? AND index_name <> 'PRIMARY'`),
      foreignKeys: await one(`SELECT count(*) n FROM information_schema.referential_constraints WHERE constraint_schema = ?`),
    };
  } finally {
    await conn.end();
  }
}

// char(95,99,102,95) is '_cf_': written out, workerd warns about the reserved prefix in the SQL text.
export const SQLITE_TABLES = `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND lower(substr(name, 1, 4)) <> char(95, 99, 102, 95) AND name NOT IN ('d1_migrations', 'flarelift_copy_journal')`;

/** One SELECT giving the four counts of a SQLite database (better-sqlite3; D1 refuses pragma functions). */
export const SQLITE_COUNTS_SQL = `SELECT
  (SELECT count(*) FROM (${SQLITE_TABLES})) AS tables,
  (SELECT count(*) FROM (${SQLITE_TABLES}) t, pragma_table_info(t.name)) AS columns,
  (SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${SQLITE_TABLES})) AS indexes,
  (SELECT count(*) FROM (SELECT DISTINCT t.name, f.id FROM (${SQLITE_TABLES}) t, pragma_foreign_key_list(t.name) f)) AS foreignKeys`;

export function sqliteCounts(file: string): ObjectCounts {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(SQLITE_COUNTS_SQL).get() as ObjectCounts;
  } finally {
    db.close();
  }
}
