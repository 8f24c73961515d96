// The contract suite's fixture, the same in every source: a keyed table `items` (60 rows, one of
// them with a 2.1 MB note that D1's limits reject and a plain SQLite file holds) and a keyless
// table `tags` (5 rows, one twice). Small, so every source and target runs the whole contract.
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { freshPgDatabase, withPg } from '../helpers/pg.js';
import { mysqlUrl } from '../helpers/env.js';

export const ITEMS = 60;
export const TAGS = 5;
/** The row whose note is over D1's 2,000,000 bytes per value. */
export const BIG_ID = 13;
/** The row the tamper step changes in the target. */
export const TAMPERED_ID = 42;
export const BIG_NOTE = 'n'.repeat(2_100_000);

export interface Item {
  id: number;
  name: string;
  payload: Buffer | null;
  note: string | null;
}

export const items: Item[] = Array.from({ length: ITEMS }, (_, i) => {
  const id = i + 1;
  return {
    id,
    name: `item ${id} ✓ ${"quote'".repeat(id % 3)}`,
    payload: id % 4 === 0 ? null : Buffer.from([id, 0, 255, id % 7]),
    note: id === BIG_ID ? BIG_NOTE : id % 5 === 0 ? null : `note ${id}`,
  };
});
export const tags: [string, number][] = [['red', 1], ['blue', 2], ['red', 1], ['green', 3], ['naïve', 4]];

export function makeSqliteFixture(file: string): void {
  const db = new Database(file);
  try {
    db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, payload BLOB, note TEXT); CREATE TABLE tags (label TEXT NOT NULL, n INTEGER NOT NULL)');
    const insert = db.prepare('INSERT INTO items VALUES (?, ?, ?, ?)');
    const tag = db.prepare('INSERT INTO tags VALUES (?, ?)');
    db.transaction(() => {
      for (const r of items) insert.run(r.id, r.name, r.payload, r.note);
      for (const t of tags) tag.run(...t);
    })();
  } finally {
    db.close();
  }
}

export async function makePostgresFixture(database: string): Promise<void> {
  await freshPgDatabase(database, [
    'CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL, payload bytea, note text)',
    'CREATE TABLE tags (label text NOT NULL, n integer NOT NULL)',
  ]);
  await withPg(database, async (c) => {
    for (const r of items) await c.query('INSERT INTO items VALUES ($1, $2, $3, $4)', [r.id, r.name, r.payload, r.note]);
    for (const t of tags) await c.query('INSERT INTO tags VALUES ($1, $2)', t);
  });
}

export async function makeMysqlFixture(database: string): Promise<void> {
  const conn = await mysql.createConnection(mysqlUrl('mysql'));
  try {
    await conn.query(`DROP DATABASE IF EXISTS ${database}`);
    await conn.query(`CREATE DATABASE ${database} CHARACTER SET utf8mb4`);
    await conn.query(`USE ${database}`);
    await conn.query('CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, payload VARBINARY(16), note LONGTEXT) ENGINE=InnoDB');
    await conn.query('CREATE TABLE tags (label VARCHAR(20) NOT NULL, n INT NOT NULL) ENGINE=InnoDB');
    for (const r of items) await conn.query('INSERT INTO items VALUES (?, ?, ?, ?)', [r.id, r.name, r.payload, r.note]);
    for (const t of tags) await conn.query('INSERT INTO tags VALUES (?, ?)', t);
  } finally {
    await conn.end();
  }
}

export async function dropMysqlDatabase(database: string): Promise<void> {
  const conn = await mysql.createConnection(mysqlUrl('mysql'));
  try {
    await conn.query(`DROP DATABASE IF EXISTS ${database}`);
  } finally {
    await conn.end();
  }
}
