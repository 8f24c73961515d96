// The MySQL reader's values without a typeCast function must be the ones the earlier typeCast
// (JSON as UTF-8 text, BIT as a Buffer, everything else the driver's way) gave: every table of
// the MySQL datasets and a table of JSON and BIT columns, read through the source and through a
// connection with that typeCast, compared value by value.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mysql from 'mysql2/promise';
import type { TypeCast } from 'mysql2/promise';
import type { SourceValue } from '../src/casting/values.js';
import type { Table } from '../src/catalog/types.js';
import { mysqlEngine } from '../src/sources/mysql/index.js';
import { connectionOptions, parseMysqlUrl, SESSION_SETUP } from '../src/sources/mysql/mysql-connection.js';
import { buildSelect } from '../src/sources/mysql/mysql-reader.js';
import type { Source } from '../src/sources/source.js';
import { MYSQL_DATASETS, mysqlUrl } from './helpers/env.js';

const DB = 'fl_i14a_row_values';

const earlierTypeCast: TypeCast = (field, next) => {
  if (field.type === 'JSON' || field.extendedFormat === 'json') return field.string('utf8');
  if (field.type === 'BIT') return field.buffer();
  return next();
};

async function withAdmin<T>(fn: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const c = await mysql.createConnection(mysqlUrl('mysql'));
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function viaSource(source: Source, table: Table): Promise<SourceValue[][]> {
  const rows: SourceValue[][] = [];
  for await (const batch of source.readRows(table, { orderBy: table.primaryKey?.columns, batchSize: 500 })) rows.push(...batch);
  return rows;
}

async function viaEarlierTypeCast(db: string, table: Table): Promise<SourceValue[][]> {
  const conn = await mysql.createConnection({ ...connectionOptions(parseMysqlUrl(mysqlUrl(db))), typeCast: earlierTypeCast });
  try {
    await conn.query(SESSION_SETUP);
    const { sql, values } = buildSelect(table, { orderBy: table.primaryKey?.columns });
    const [rows] = await conn.query({ sql, values, rowsAsArray: true });
    return rows as SourceValue[][];
  } finally {
    await conn.end();
  }
}

describe('MySQL row values without a typeCast function', () => {
  const sources = new Map<string, Source>();

  before(async () => {
    await withAdmin(async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${DB}`);
      await c.query(`CREATE DATABASE ${DB} CHARACTER SET utf8mb4`);
      await c.query(`CREATE TABLE ${DB}.odd (id INT PRIMARY KEY, j JSON, b1 BIT(1), b64 BIT(64), t TEXT, bin VARBINARY(8), d DECIMAL(30,10), u BIGINT UNSIGNED)`);
      await c.query(
        `INSERT INTO ${DB}.odd VALUES (1, '{"b": 1, "a": [1.50, "é"]}', b'1', b'1111111111111111111111111111111111111111111111111111111111111111', 'x', x'00ff', -12345678901234567890.0123456789, 18446744073709551615),
         (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL), (3, '"text"', b'0', b'0', '', x'', 0, 0)`,
      );
    });
    for (const db of [DB, ...MYSQL_DATASETS]) sources.set(db, await mysqlEngine.open(mysqlUrl(db)));
  });

  after(async () => {
    for (const s of sources.values()) await s.close();
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${DB}`));
  });

  it('JSON stays text, BIT a Buffer, as before', async () => {
    const source = sources.get(DB)!;
    const table = (await source.introspect()).tables.find((t) => t.name === 'odd')!;
    const rows = await viaSource(source, table);
    assert.deepStrictEqual(rows, await viaEarlierTypeCast(DB, table));
    assert.equal(rows[0][1], '{"b": 1, "a": [1.50, "é"]}');
    assert.deepStrictEqual(rows[0][2], Buffer.from([1]));
    assert.deepStrictEqual(rows[0][3], Buffer.alloc(8, 0xff));
    assert.deepStrictEqual(rows[0][5], Buffer.from([0, 0xff]));
    assert.equal(rows[0][6], '-12345678901234567890.0123456789');
    assert.equal(rows[0][7], '18446744073709551615');
    assert.deepStrictEqual(rows[1].slice(1), [null, null, null, null, null, null, null]);
  });

  it('every table of the MySQL datasets reads as it did with the typeCast', async () => {
    let compared = 0;
    for (const db of MYSQL_DATASETS) {
      const source = sources.get(db)!;
      for (const table of (await source.introspect()).tables) {
        const now = await viaSource(source, table);
        const before = await viaEarlierTypeCast(db, table);
        assert.equal(now.length, before.length, `${db}.${table.name}`);
        for (let r = 0; r < now.length; r++) assert.deepStrictEqual(now[r], before[r], `${db}.${table.name} row ${r + 1}`);
        compared += now.length;
      }
    }
    assert.ok(compared > 50_000, `compared ${compared} rows`);
  });
});
