// MySQL / MariaDB as a reverse-copy target: rows go in as multi-row INSERTs (one statement per
// few hundred rows) in the transaction that also moves the journal row, in strict mode so a
// value that does not fit its column is an error (then a reject) rather than silently cut.
import type { Connection } from 'mysql2/promise';
import type { EngineValue } from '../../casting/inverse-functions.js';
import type { SourceValue } from '../../casting/values.js';
import type { Table } from '../../catalog/types.js';
import { connectOne, parseMysqlUrl } from '../../sources/mysql/mysql-connection.js';
import { buildSelect, qualifiedName } from '../../sources/mysql/mysql-reader.js';
import { MysqlSource } from '../../sources/mysql/mysql-source.js';
import { isGeometryType, quoteMy } from '../../sources/mysql/mysql-types.js';
import { JOURNAL_TABLE, createTableSql, writerLockName, type DbLink } from './db-link.js';

/** Rows per INSERT statement: well under max_allowed_packet for ordinary rows. */
const ROWS_PER_INSERT = 500;

/** Strict: too long, out of range and not-a-member are errors; an id 0 stays 0. */
const WRITE_SESSION = "SET sql_mode = 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION', foreign_key_checks = 0, unique_checks = 1";

const param = (v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v);

export async function openMysqlLink(url: string): Promise<DbLink> {
  const source = await MysqlSource.open(url);
  let conn: Connection;
  const location = parseMysqlUrl(url);
  try {
    conn = await connectOne(location);
    await conn.query(WRITE_SESSION);
  } catch (e) {
    await source.close();
    throw e;
  }
  const query = async (sql: string, params: readonly unknown[] = []): Promise<SourceValue[][]> => {
    const [rows] = await conn.query({ sql, values: params.map(param), rowsAsArray: true });
    return Array.isArray(rows) ? (rows as SourceValue[][]) : [];
  };
  return {
    engine: 'mysql',
    source,
    query,
    param: () => '?',
    quote: quoteMy,
    qualified: qualifiedName,
    loadSettings: [],
    async load(table, columns, rows) {
      const byName = new Map(table.columns.map((c) => [c.name, c]));
      // Geometry travels as WKT (the forward copy's lossy_text) and is parsed back here.
      const one = `(${columns.map((c) => (isGeometryType(byName.get(c)?.dataType ?? '') ? 'ST_GeomFromText(?)' : '?')).join(', ')})`;
      const head = `INSERT INTO ${qualifiedName(table)} (${columns.map(quoteMy).join(', ')}) VALUES `;
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
        const part = rows.slice(i, i + ROWS_PER_INSERT);
        await conn.query(head + part.map(() => one).join(', '), part.flat().map((v: EngineValue) => param(v)));
      }
    },
    select(table, orderBy, after, limit) {
      const { sql, values } = buildSelect(table, { orderBy, after: after as SourceValue[] | undefined });
      return { sql: `${sql} LIMIT ${limit}`, values };
    },
    createTable: (m) => createTableSql(m, { quote: quoteMy, engine: 'mysql' }),
    async advanceSequences(table: Table) {
      const auto = table.columns.find((c) => c.autoIncrement);
      if (!auto) return 0;
      const [row] = await query(`SELECT max(${quoteMy(auto.name)}) FROM ${qualifiedName(table)}`);
      if (row?.[0] === null || row?.[0] === undefined) return 0;
      await query(`ALTER TABLE ${qualifiedName(table)} AUTO_INCREMENT = ${BigInt(String(row[0])) + 1n}`);
      return 1;
    },
    async triggers(tables) {
      const create: string[] = [];
      const drop: string[] = [];
      for (const t of tables) {
        const names = await query('SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE = ?', [t.schema, t.sourceName.replace(/^`|`$/g, '')]);
        for (const [name] of names) {
          const trigger = `${quoteMy(t.schema)}.${quoteMy(String(name))}`;
          const [row] = await query(`SHOW CREATE TRIGGER ${trigger}`);
          create.push(`SET SESSION sql_mode = '${String(row[1])}'`, String(row[2]));
          drop.push(`DROP TRIGGER IF EXISTS ${trigger}`);
        }
      }
      if (create.length > 0) create.push(WRITE_SESSION);
      return { create, drop };
    },
    // GET_LOCK names are server-wide: the database's name is in it.
    async tryLock() {
      const [row] = await query('SELECT GET_LOCK(?, 0)', [writerLockName(location.database)]);
      return Number(row?.[0]) === 1;
    },
    async unlock() {
      await query('SELECT RELEASE_LOCK(?)', [writerLockName(location.database)]);
    },
    async lockFree() {
      const [row] = await query('SELECT IS_FREE_LOCK(?)', [writerLockName(location.database)]);
      return Number(row?.[0]) === 1;
    },
    journalUpsert: `REPLACE INTO ${JOURNAL_TABLE} (table_name, last_key, rows_read, rows_written, rows_rejected, done) VALUES (?, ?, ?, ?, ?, ?)`,
    async close() {
      await conn.end().catch(() => undefined);
      await source.close();
    },
  };
}
