// The SQLite source against the real Chinook file and scratch files built here with SQL.
// Expectations come from independent queries on the file or from its CREATE statements.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { CastRules } from '../src/casting/rules.js';
import { valueBytes, type SourceValue, type SqliteValue } from '../src/casting/values.js';
import type { Catalog, Table } from '../src/catalog/types.js';
import { UserError } from '../src/errors.js';
import type { Source } from '../src/sources/source.js';
import { sqliteEngine } from '../src/sources/sqlite/index.js';
import { CHINOOK_SQLITE } from './helpers/env.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'flarelift-sqlite-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function collect(it: AsyncIterable<SourceValue[][]>): Promise<SourceValue[][][]> {
  const batches: SourceValue[][][] = [];
  for await (const b of it) batches.push(b);
  return batches;
}

describe('sqlite source: Chinook', () => {
  let source: Source;
  let catalog: Catalog;
  let raw: Database.Database;
  const table = (name: string): Table => catalog.tables.find((t) => t.name === name)!;

  before(async () => {
    source = await sqliteEngine.open(`sqlite:${CHINOOK_SQLITE}`);
    catalog = await source.introspect();
    raw = new Database(CHINOOK_SQLITE, { readonly: true });
  });
  after(async () => {
    await source.close();
    raw.close();
  });

  test('table set equals sqlite_schema', () => {
    const expected = (raw.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%'").all() as { name: string }[])
      .map((r) => r.name)
      .sort();
    assert.deepEqual(catalog.tables.map((t) => t.name).sort(), expected);
    assert.equal(catalog.engine, 'sqlite');
    assert.equal(catalog.database, 'Chinook_Sqlite');
    assert.deepEqual(catalog.objects, []);
  });

  test('columns follow PRAGMA table_info and the declared types', () => {
    for (const t of catalog.tables) {
      const info = raw.prepare('SELECT name, type, "notnull" AS nn FROM pragma_table_info(?) ORDER BY cid').all(t.name) as { name: string; type: string; nn: number }[];
      assert.deepEqual(t.columns.map((c) => c.name), info.map((i) => i.name), t.name);
      assert.deepEqual(t.columns.map((c) => c.sourceType), info.map((i) => i.type), t.name);
      assert.deepEqual(t.columns.map((c) => c.ordinal), info.map((_, i) => i + 1));
    }
    // From the file's CREATE TABLE text: [Title] NVARCHAR(160) NOT NULL, [UnitPrice] NUMERIC(10,2) NOT NULL.
    const title = table('Album').columns.find((c) => c.name === 'Title')!;
    assert.equal(title.dataType, 'nvarchar');
    assert.equal(title.length, 160);
    assert.equal(title.nullable, false);
    const price = table('InvoiceLine').columns.find((c) => c.name === 'UnitPrice')!;
    assert.deepEqual([price.dataType, price.precision, price.scale], ['numeric', 10, 2]);
    const artistName = table('Artist').columns.find((c) => c.name === 'Name')!;
    assert.equal(artistName.nullable, true);
    assert.equal(table('Employee').columns.find((c) => c.name === 'BirthDate')!.dataType, 'datetime');
    // `CONSTRAINT PK_Album PRIMARY KEY ([AlbumId])` on an INTEGER column is a rowid alias.
    assert.equal(table('Album').columns[0].autoIncrement, true);
    assert.equal(table('Album').sequenceNext, undefined); // no AUTOINCREMENT keyword
  });

  test('primary keys, composite on PlaylistTrack', () => {
    assert.deepEqual(table('PlaylistTrack').primaryKey?.columns, ['PlaylistId', 'TrackId']);
    assert.equal(table('PlaylistTrack').columns.some((c) => c.autoIncrement), false);
    assert.deepEqual(table('Invoice').primaryKey?.columns, ['InvoiceId']);
  });

  test('foreign keys match the REFERENCES clauses of the CREATE statements', () => {
    const sqlCount = (raw.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table'").all() as { sql: string }[])
      .reduce((n, r) => n + (r.sql.match(/REFERENCES/gi)?.length ?? 0), 0);
    assert.equal(catalog.tables.reduce((n, t) => n + t.foreignKeys.length, 0), sqlCount);
    const pt = table('PlaylistTrack').foreignKeys;
    assert.deepEqual(
      pt.map((f) => [f.columns, f.refTable, f.refColumns, f.onDelete, f.onUpdate]),
      [
        [['PlaylistId'], 'Playlist', ['PlaylistId'], 'NO ACTION', 'NO ACTION'],
        [['TrackId'], 'Track', ['TrackId'], 'NO ACTION', 'NO ACTION'],
      ],
    );
    assert.deepEqual(table('Employee').foreignKeys.map((f) => [f.columns, f.refTable]), [[['ReportsTo'], 'Employee']]);
  });

  test('indexes equal the CREATE INDEX statements', () => {
    const rows = raw.prepare("SELECT name, tbl_name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL").all() as { name: string; tbl_name: string }[];
    for (const t of catalog.tables) {
      assert.deepEqual(t.indexes.map((i) => i.name).sort(), rows.filter((r) => r.tbl_name === t.name).map((r) => r.name).sort(), t.name);
    }
    const ix = table('Track').indexes.find((i) => i.name === 'IFK_TrackAlbumId')!;
    assert.deepEqual(ix, { name: 'IFK_TrackAlbumId', unique: false, columns: ['AlbumId'] });
    assert.deepEqual(table('PlaylistTrack').uniques, []); // the PK's own index is not a unique constraint
  });

  test('row estimates are exact counts; sizes are positive', () => {
    for (const t of catalog.tables) {
      const n = (raw.prepare(`SELECT count(*) AS n FROM "${t.name}"`).get() as { n: number }).n;
      assert.equal(t.rowEstimate, n, t.name);
      assert.ok(t.sizeEstimate > 0, t.name);
    }
  });

  test('readRows in key order, in batches, with resume', async () => {
    const t = table('PlaylistTrack');
    const expected = raw.prepare('SELECT PlaylistId, TrackId FROM PlaylistTrack ORDER BY PlaylistId, TrackId').safeIntegers(true).raw(true).all() as bigint[][];
    const batches = await collect(source.readRows(t, { orderBy: ['PlaylistId', 'TrackId'], batchSize: 1000 }));
    assert.ok(batches.slice(0, -1).every((b) => b.length === 1000));
    assert.deepEqual(batches.flat(), expected);
    assert.equal(typeof batches[0][0][0], 'bigint');
    const at = 4321;
    const resumed = await collect(source.readRows(t, { orderBy: ['PlaylistId', 'TrackId'], after: expected[at], batchSize: 777 }));
    assert.deepEqual(resumed.flat(), expected.slice(at + 1));
    assert.equal(await source.countRows(t), expected.length);
  });

  test('values keep their storage class: REAL as number, NULL as null, TEXT as string', async () => {
    const t = table('Track');
    const rows = (await collect(source.readRows(t, { orderBy: ['TrackId'], batchSize: 5000 }))).flat();
    const expected = raw.prepare('SELECT * FROM Track ORDER BY TrackId').safeIntegers(true).raw(true).all();
    assert.deepEqual(rows, expected);
    const priceIdx = t.columns.findIndex((c) => c.name === 'UnitPrice');
    assert.equal(typeof rows[0][priceIdx], 'number');
  });

  test('measure: exact rows and the largest row and values', async () => {
    const t = table('Track');
    const m = await source.measure(t);
    const rows = raw.prepare('SELECT * FROM Track').raw(true).all() as SqliteValue[][];
    assert.equal(m.rows, rows.length);
    assert.equal(m.maxRowBytes, Math.max(...rows.map((r) => r.reduce<number>((s, v) => s + valueBytes(v), 0))));
    t.columns.forEach((c, i) => {
      assert.equal(m.columns[i].column, c.name);
      assert.equal(m.columns[i].maxBytes, Math.max(...rows.map((r) => valueBytes(r[i]))), c.name);
      assert.equal(m.columns[i].unsafeIntegers, 0);
    });
  });

  test('cast rules: SQLite to SQLite keeps declared types and stored values', () => {
    const rules = CastRules.combine([], source.castRules);
    const cast = (tbl: string, col: string) => rules.resolve(table(tbl), table(tbl).columns.find((c) => c.name === col)!);
    const price = cast('Track', 'UnitPrice');
    assert.equal(price.transform.name, 'keep');
    assert.equal(price.transform.declaredType?.(price.column), 'NUMERIC(10,2)');
    // A REAL stored in a NUMERIC column stays a REAL (not the text '0.99').
    assert.equal(price.value(0.99), 0.99);
    assert.equal(cast('Employee', 'BirthDate').transform.name, 'keep');
    for (const r of source.castRules) assert.ok(r.origin.startsWith('sqlite'));
  });
});

describe('sqlite source: opening', () => {
  const expectUserError = async (spec: string, pattern: RegExp) => {
    await assert.rejects(sqliteEngine.open(spec), (e: unknown) => e instanceof UserError && pattern.test(e.message) && !e.message.includes('\n'));
  };

  test('accepts sqlite: specs, SQLite extensions and existing files, not other schemes', () => {
    const notes = path.join(tmp, 'notes.txt');
    writeFileSync(notes, 'hello');
    assert.equal(sqliteEngine.accepts(`sqlite:${CHINOOK_SQLITE}`), true);
    assert.equal(sqliteEngine.accepts(`sqlite://${CHINOOK_SQLITE}`), true);
    assert.equal(sqliteEngine.accepts('data/app.db'), true);
    assert.equal(sqliteEngine.accepts('x.sqlite3'), true);
    assert.equal(sqliteEngine.accepts(notes), true);
    assert.equal(sqliteEngine.accepts(path.join(tmp, 'missing')), false);
    assert.equal(sqliteEngine.accepts('postgres://u@h/db'), false);
    assert.equal(sqliteEngine.accepts('mysql://u@h/x.db'), false);
  });

  test('sqlite:// with an absolute path opens the file', async () => {
    const s = await sqliteEngine.open(`sqlite://${CHINOOK_SQLITE}`);
    assert.equal((await s.introspect()).tables.length > 0, true);
    await s.close();
  });

  test('missing file, text file, directory, empty file are UserErrors', async () => {
    const text = path.join(tmp, 'not-a-db.sqlite');
    writeFileSync(text, 'this is a text file and certainly not a SQLite database '.repeat(20));
    const empty = path.join(tmp, 'empty.db');
    writeFileSync(empty, '');
    await expectUserError(path.join(tmp, 'nope.db'), /^no such file: .*nope\.db — check the path$/);
    await expectUserError(`sqlite:${text}`, /is not a SQLite database \(file is encrypted or is not a database\)/);
    await expectUserError(`sqlite:${tmp}`, /is a directory/);
    await expectUserError(empty, /is empty/);
  });
});

describe('sqlite source: scratch schema', () => {
  const file = path.join(tmp, 'scratch.db');
  let source: Source;
  let catalog: Catalog;
  const table = (name: string): Table => catalog.tables.find((t) => t.name === name)!;

  before(async () => {
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec(`
      CREATE TABLE users (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        email TEXT NOT NULL,
        age INT CHECK (age >= 0),
        shout TEXT GENERATED ALWAYS AS (upper(email)) VIRTUAL,
        twice INT AS (age * 2) STORED,
        created DATETIME DEFAULT CURRENT_TIMESTAMP,
        active BOOLEAN DEFAULT TRUE,
        note VARCHAR2(20) DEFAULT 'it''s',
        score REAL DEFAULT (-1.5),
        stamp TEXT DEFAULT (datetime('now')),
        CONSTRAINT sane_age CHECK (age < 200),
        UNIQUE (email)
      );
      CREATE INDEX users_email_lower ON users (lower(email), age DESC);
      CREATE INDEX users_adults ON users (age) WHERE age >= 18;
      CREATE TABLE posts (
        user_id INTEGER NOT NULL REFERENCES users ON DELETE CASCADE,
        n INTEGER NOT NULL,
        body TEXT,
        PRIMARY KEY (user_id, n)
      ) WITHOUT ROWID;
      CREATE TABLE tags (name TEXT COLLATE NOCASE PRIMARY KEY, big INTEGER);
      CREATE VIEW adults (who, years) AS SELECT email, age FROM users WHERE age >= 18;
      CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN UPDATE users SET created = CURRENT_TIMESTAMP WHERE id = new.id; END;
      CREATE VIRTUAL TABLE docs USING fts5(body);
      INSERT INTO users (email, age) VALUES ('a@x.org', 30), ('b@x.org', 12), ('c@x.org', 40);
      DELETE FROM users WHERE email = 'c@x.org';
      INSERT INTO posts VALUES (1, 1, 'hello'), (1, 2, 'again'), (2, 1, NULL);
      INSERT INTO tags VALUES ('a', 9007199254740993), ('B', -9007199254740993), ('c', 5);
      INSERT INTO docs VALUES ('full text');
    `);
    db.close();
    source = await sqliteEngine.open(file);
    catalog = await source.introspect();
  });
  after(() => source.close());

  test('tables exclude fts5 shadow tables and sqlite_sequence; fts5, view and trigger are objects', () => {
    assert.deepEqual(catalog.tables.map((t) => t.name).sort(), ['posts', 'tags', 'users']);
    const kinds = catalog.objects.map((o) => [o.kind, o.name]).sort();
    assert.deepEqual(kinds, [
      ['trigger', 'users_touch on users'],
      ['type', 'docs (virtual table using fts5)'],
      ['view', 'adults'],
    ]);
    const view = catalog.objects.find((o) => o.kind === 'view')!;
    const trigger = catalog.objects.find((o) => o.kind === 'trigger')!;
    assert.equal(trigger.table, 'users');
    assert.match(trigger.sqlite!, /^CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN/);
    // The view's SQL keeps its column names and runs in SQLite as is.
    const mem = new Database(file, { readonly: true });
    assert.deepEqual(mem.prepare(view.sqlite!).all(), [{ who: 'a@x.org', years: 30 }]);
    mem.close();
  });

  test('columns: generated, defaults, rowid alias and AUTOINCREMENT', () => {
    const users = table('users');
    const col = (n: string) => users.columns.find((c) => c.name === n)!;
    assert.equal(col('id').autoIncrement, true);
    assert.equal(col('id').nullable, false);
    assert.equal(users.sequenceNext, 4); // three inserts, AUTOINCREMENT never reuses 3
    assert.equal(col('shout').generated, 'upper(email)');
    assert.equal(col('twice').generated, 'age * 2');
    assert.equal(col('email').generated, undefined);
    assert.deepEqual(col('created').default, { kind: 'now', raw: 'CURRENT_TIMESTAMP' });
    assert.deepEqual(col('active').default, { kind: 'literal', value: '1', raw: 'TRUE' });
    assert.deepEqual(col('note').default, { kind: 'literal', value: "it's", raw: "'it''s'" });
    assert.deepEqual(col('score').default, { kind: 'literal', value: '-1.5', raw: '-1.5' });
    assert.equal(col('stamp').default?.kind, 'expression');
    assert.deepEqual([col('note').dataType, col('note').length], ['varchar2', 20]);
    assert.equal(table('tags').columns[0].autoIncrement, undefined);
  });

  test('checks, uniques, expression and partial indexes', () => {
    const users = table('users');
    assert.deepEqual(users.checks, [
      { expression: 'age >= 0', sqlite: 'age >= 0' },
      { name: 'sane_age', expression: 'age < 200', sqlite: 'age < 200' },
    ]);
    assert.deepEqual(users.uniques, [{ columns: ['email'] }]);
    const expr = users.indexes.find((i) => i.name === 'users_email_lower')!;
    assert.deepEqual(expr.expressions, ['lower(email)', '"age" DESC']);
    assert.deepEqual(expr.columns, ['age']);
    const partial = users.indexes.find((i) => i.name === 'users_adults')!;
    assert.deepEqual([partial.columns, partial.where, partial.expressions], [['age'], 'age >= 18', undefined]);
    // Every carried index must be valid SQLite: rebuild them on a copy of the schema.
    const mem = new Database(':memory:');
    mem.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, age INT)');
    for (const ix of users.indexes) {
      const elems = ix.expressions ?? ix.columns.map((c) => `"${c}"`);
      mem.exec(`CREATE INDEX "${ix.name}" ON users (${elems.join(', ')})${ix.where ? ` WHERE ${ix.where}` : ''}`);
    }
    mem.close();
  });

  test('WITHOUT ROWID table and a foreign key to the referenced primary key', () => {
    const posts = table('posts');
    assert.deepEqual(posts.primaryKey?.columns, ['user_id', 'n']);
    assert.deepEqual(posts.foreignKeys, [
      { columns: ['user_id'], refTable: 'users', refColumns: ['id'], onDelete: 'CASCADE', onUpdate: 'NO ACTION' },
    ]);
  });

  test('readRows orders text keys in BINARY order even under COLLATE NOCASE', async () => {
    const rows = (await collect(source.readRows(table('tags'), { orderBy: ['name'], batchSize: 2 }))).flat();
    assert.deepEqual(rows.map((r) => r[0]), ['B', 'a', 'c']);
    const resumed = (await collect(source.readRows(table('tags'), { orderBy: ['name'], after: ['B'], batchSize: 2 }))).flat();
    assert.deepEqual(resumed.map((r) => r[0]), ['a', 'c']);
    assert.equal(rows[0][1], -9007199254740993n); // exact beyond 2^53
  });

  test('readRows without a key: rowid order, and WITHOUT ROWID by primary key', async () => {
    const users = (await collect(source.readRows(table('users'), { batchSize: 10 }))).flat();
    assert.deepEqual(users.map((r) => r[0]), [1n, 2n]);
    assert.equal(users[0][3], 'A@X.ORG'); // virtual generated column is read
    const posts = (await collect(source.readRows(table('posts'), { batchSize: 10 }))).flat();
    assert.deepEqual(posts, [[1n, 1n, 'hello'], [1n, 2n, 'again'], [2n, 1n, null]]);
  });

  test('measure counts integers beyond 2^53', async () => {
    const m = await source.measure(table('tags'));
    assert.equal(m.rows, 3);
    assert.deepEqual(m.columns.map((c) => [c.column, c.unsafeIntegers]), [['name', 0], ['big', 2]]);
  });

  test('cast rules: boolean columns become 0/1, unusual declared types are kept', () => {
    const rules = CastRules.combine([], source.castRules);
    const users = table('users');
    const cast = (n: string) => rules.resolve(users, users.columns.find((c) => c.name === n)!);
    assert.equal(cast('active').transform.name, 'boolean');
    assert.equal(cast('note').transform.name, 'keep');
    assert.equal(cast('score').transform.name, 'keep');
  });

  test('snapshot: readers share one read transaction that writers do not disturb', async () => {
    const snap = await source.snapshot(2);
    assert.equal(snap.consistency, 'one read transaction');
    // Written after the snapshot was taken, before any reader started: invisible to all of them.
    const writer = new Database(file);
    writer.prepare("INSERT INTO posts VALUES (2, 2, 'later')").run();
    writer.prepare("INSERT INTO tags VALUES ('d', 1)").run();
    writer.close();
    const posts = snap.readRows(table('posts'), { orderBy: ['user_id', 'n'], batchSize: 1 })[Symbol.asyncIterator]();
    const first = await posts.next();
    assert.equal(await snap.countRows(table('tags')), 3);
    const tags = (await collect(snap.readRows(table('tags'), { orderBy: ['name'], batchSize: 2 }))).flat();
    assert.deepEqual(tags.map((r) => r[0]), ['B', 'a', 'c']);
    const rest = [];
    for (let r = await posts.next(); !r.done; r = await posts.next()) rest.push(...r.value);
    assert.deepEqual([first.value, ...rest.map((r) => [r])], [[[1n, 1n, 'hello']], [[1n, 2n, 'again']], [[2n, 1n, null]]]);
    // An iterator left open does not stop close().
    const open = snap.readRows(table('users'), { batchSize: 1 })[Symbol.asyncIterator]();
    await open.next();
    await snap.close();
    assert.equal(await source.countRows(table('tags')), 4);
  });
});
