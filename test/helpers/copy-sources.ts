// Row counts per table straight from each source (its own catalog and count(*)), independent of
// flarelift's introspectors and readers, named as flarelift names tables in the target.
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';

export async function pgRowCounts(url: string): Promise<Map<string, number>> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    const tables = await client.query<{ schema: string; name: string }>(
      `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`,
    );
    const out = new Map<string, number>();
    for (const t of tables.rows) {
      const q = `"${t.schema.replace(/"/g, '""')}"."${t.name.replace(/"/g, '""')}"`;
      // A partitioned parent's count(*) covers its partitions, as the copy reads it.
      const n = Number((await client.query(`SELECT count(*) AS n FROM ${q}`)).rows[0].n);
      out.set(t.schema === 'public' ? t.name : `${t.schema}_${t.name}`, n);
    }
    return out;
  } finally {
    await client.end();
  }
}

export async function mysqlRowCounts(url: string): Promise<Map<string, number>> {
  const conn = await mysql.createConnection(url);
  try {
    const db = new URL(url).pathname.slice(1);
    const [tables] = await conn.query(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE'`, [db]);
    const out = new Map<string, number>();
    for (const { name } of tables as { name: string }[]) {
      const [rows] = await conn.query(`SELECT count(*) AS n FROM \`${name.replace(/`/g, '``')}\``);
      out.set(name, Number((rows as { n: number }[])[0].n));
    }
    return out;
  } finally {
    await conn.end();
  }
}

export function sqliteRowCounts(file: string): Map<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    const names = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).pluck().all() as string[];
    return new Map(names.map((n) => [n, Number(db.prepare(`SELECT count(*) FROM "${n.replace(/"/g, '""')}"`).pluck().get())]));
  } finally {
    db.close();
  }
}
