// The targets' own contracts: --to parsing, SQL literals that SQLite reads back as the same
// value, statements under D1's size, a plain SQLite file target (schema, journal mode, foreign
// key findings, --tables), and user errors for unwritable targets and a full disk.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { SqliteValue } from '../src/casting/values.js';
import { UserError } from '../src/errors.js';
import { copy } from '../src/pipeline/copy.js';
import { parseTarget } from '../src/targets/registry.js';
import { sqlLiteral } from '../src/targets/sql-files/sql-literals.js';
import { InsertStatements } from '../src/targets/sql-files/sql-statements.js';
import { openSqliteSession } from '../src/targets/sqlite-file/sqlite-session.js';
import type { TableMapping } from '../src/schema/mapping.js';
import { CHINOOK_SQLITE } from './helpers/env.js';
import { sqliteRowCounts } from './helpers/copy-sources.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'flarelift-targets-'));
after(() => rmSync(work, { recursive: true, force: true }));

describe('--to parsing', () => {
  test('unknown kinds, empty names and misplaced flags are user errors', () => {
    for (const spec of ['foo:bar', 'oracle://x/y', 'd1:', 'sqlite:', 'postgres:', 'nothing']) {
      assert.throws(() => parseTarget(spec, { cwd: work }), UserError, spec);
    }
    // The way back from D1 (issue 13): database URLs are targets too, opened only when written.
    assert.equal(parseTarget('postgres://x/y', { cwd: work }).kind, 'postgres');
    assert.equal(parseTarget('mariadb://x/y', { cwd: work }).kind, 'mysql');
    assert.throws(() => parseTarget('postgres://x/y', { remote: true, cwd: work }), /--remote applies to d1/);
    assert.throws(() => parseTarget('sql:out', { remote: true, cwd: work }), /--remote applies to d1/);
    assert.throws(() => parseTarget('sqlite:x.db', { persistTo: 'p', cwd: work }), /--persist-to/);
    assert.throws(() => parseTarget('sql:out', { fileBytes: 10, cwd: work }), /--file-bytes/);
  });

  test('d1: needs a wrangler config naming the database', () => {
    assert.throws(() => parseTarget('d1:mydb', { cwd: work }), /no wrangler/);
    const config = path.join(work, 'wrangler.json');
    writeFileSync(config, JSON.stringify({ d1_databases: [{ binding: 'DB', database_name: 'other', database_id: 'x' }] }));
    assert.throws(() => parseTarget('d1:mydb', { cwd: work, config }), /no D1 database 'mydb'/);
    assert.equal(parseTarget('d1:other', { cwd: work, config }).kind, 'd1-local');
    assert.equal(parseTarget('d1:other', { cwd: work, config, remote: true }).kind, 'd1-remote');
    rmSync(config);
  });
});

describe('SQL literals for import files', () => {
  const db = new Database(':memory:');
  db.defaultSafeIntegers(true);
  const values: SqliteValue[] = [
    null, 0, 1, -1, 42, 9007199254740991, -9007199254740991, 9223372036854775807n, -9223372036854775808n,
    0.1, -2.5, 1 / 3, 1e-300, 5e-324, Number.MAX_VALUE, 123456789.12345679, 1e21, 2 ** 60,
    Infinity, -Infinity,
    '', "it's", 'a\nb', 'naïve ✓ 😀', 'nul\0inside', "''; DROP TABLE x; --",
    Buffer.alloc(0), Buffer.from([0, 1, 2, 255, 0]),
  ];
  for (const v of values) {
    test(`${typeof v} ${String(v).slice(0, 20)} reads back as itself`, () => {
      const got = db.prepare(`SELECT ${sqlLiteral(v)} AS v, typeof(${sqlLiteral(v)}) AS t`).get() as { v: unknown; t: string };
      // canonical(): bigints and safe integers are INTEGER; other numbers (past 2^53 too) REAL.
      const expectedType = v === null ? 'null' : typeof v === 'string' ? 'text' : Buffer.isBuffer(v) ? 'blob' : typeof v === 'bigint' || Number.isSafeInteger(v) ? 'integer' : 'real';
      assert.equal(got.t, expectedType);
      if (typeof v === 'number' && Number.isSafeInteger(v)) assert.equal(got.v, BigInt(v));
      else assert.deepEqual(got.v, v);
    });
  }
});

describe('INSERT statements under D1 statement size', () => {
  const mapping = {
    name: 'w',
    key: ['id'],
    columns: ['id', 't', 'b'].map((name) => ({ name })),
  } as unknown as TableMapping;
  test('long text (surrogate pairs at every cut) and blobs are split over UPDATEs that each fit', () => {
    const budget = 10_000;
    const text = '😀a'.repeat(20_000) + "'";
    const bytes = Buffer.from(Array.from({ length: 30_000 }, (_, i) => (i * 7) % 256));
    const rows: SqliteValue[][] = [
      [1, 'small', null],
      [2, text, bytes],
      [3, 'x'.repeat(9_000), Buffer.alloc(10)],
    ];
    const failures: { index: number; reason: string }[] = [];
    const { text: sql } = new InsertStatements(mapping, budget).render(rows, failures);
    assert.deepEqual(failures, []);
    const db = new Database(':memory:');
    db.exec('CREATE TABLE w (id INTEGER PRIMARY KEY, t TEXT, b BLOB)');
    const statements = sql.split(/;\n(?=INSERT|UPDATE)/);
    assert.ok(statements.length > 10, 'the long row became several statements');
    for (const s of statements) assert.ok(Buffer.byteLength(s) + 2 <= budget, `a statement of ${Buffer.byteLength(s)} bytes`);
    db.exec(sql);
    const got = db.prepare('SELECT id, t, b, typeof(b) AS bt FROM w ORDER BY id').all() as { id: number; t: string; b: Buffer | null; bt: string }[];
    assert.equal(got.length, 3);
    assert.equal(got[1].t, text);
    assert.equal(got[1].bt, 'blob');
    assert.ok(Buffer.compare(got[1].b!, bytes) === 0);
    assert.equal(got[2].t, rows[2][1]);
  });

  test('a row whose key alone is too long is refused, not written', () => {
    const failures: { index: number; reason: string }[] = [];
    new InsertStatements(mapping, 1_000).render([[('k'.repeat(2_000)) as unknown as number, 'x', null]], failures);
    assert.equal(failures.length, 1);
    assert.match(failures[0].reason, /statement limit/);
  });
});

describe('sqlite: target', () => {
  test('Chinook into a new SQLite file: every row, journal gone, journal mode put back', async () => {
    const file = path.join(work, 'chinook.sqlite');
    const summary = await copy({ from: CHINOOK_SQLITE, to: `sqlite:${file}`, rejectDir: path.join(work, 'rejects') });
    assert.equal(summary.status, 'complete');
    assert.deepEqual(sqliteRowCounts(file), sqliteRowCounts(CHINOOK_SQLITE));
    const db = new Database(file, { readonly: true });
    assert.equal(db.pragma('journal_mode', { simple: true }), 'delete');
    db.close();
    await assert.rejects(copy({ from: CHINOOK_SQLITE, to: `sqlite:${file}` }), /already holds rows/);
  });

  test('--tables copies only those; foreign-key violations are reported, not hidden', async () => {
    const src = path.join(work, 'orphans.sqlite');
    const s = new Database(src);
    s.pragma('foreign_keys = OFF'); // SQLite lets such rows in when foreign keys are off
    s.exec(`CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT);
            CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id));
            CREATE TABLE other (id INTEGER PRIMARY KEY);
            INSERT INTO parent VALUES (1, 'a'), (2, 'b');
            INSERT INTO child VALUES (1, 1), (2, 2), (3, 7), (4, 8), (5, NULL);
            INSERT INTO other VALUES (1);`);
    s.close();
    const out = path.join(work, 'orphans-out.sqlite');
    const summary = await copy({ from: src, to: `sqlite:${out}`, tables: ['parent', 'child'] });
    assert.deepEqual(summary.tables.map((t) => [t.name, t.written]), [['parent', 2], ['child', 5]]);
    const fk = summary.findings.filter((f) => f.code === 'foreign-key-violations');
    assert.equal(fk.length, 1);
    assert.match(fk[0].message, /^2 row\(s\) of child reference rows missing from parent/);
    const db = new Database(out, { readonly: true });
    assert.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'other'").pluck().get(), 0, '--tables creates only the tables named');
    db.close();
    await assert.rejects(copy({ from: src, to: `sqlite:${path.join(work, 'x.sqlite')}`, tables: ['nope'] }), /no table nope/);
  });

  test('an unwritable path and a full disk are one-line user errors', async () => {
    await assert.rejects(copy({ from: CHINOOK_SQLITE, to: 'sqlite:/dev/null/x.sqlite' }), (e) => e instanceof UserError && /cannot open/.test(e.message));
    const session = openSqliteSession({ file: path.join(work, 'full.sqlite'), where: 'full.sqlite', restoreJournalMode: true, maxParameters: 999 });
    session.db.pragma('max_page_count = 8'); // SQLite answers SQLITE_FULL past this many pages
    const mapping = { name: 'f', key: ['id'], columns: ['id', 't'].map((name) => ({ name })), table: { foreignKeys: [] } } as unknown as TableMapping;
    await session.begin({ schema: { preLoad: ['CREATE TABLE f (id INTEGER PRIMARY KEY, t TEXT);'], postLoad: [] }, entries: [] });
    const rows = Array.from({ length: 200 }, (_, i) => [i, 'x'.repeat(1000)]);
    const after = { table: 'f', lastKey: null, read: 200, written: 200, rejected: 0, done: false };
    await assert.rejects(session.write({ table: mapping, rows, firstKey: null, after, onFailures: () => undefined }), (e) => e instanceof UserError && /disk full/.test(e.message));
    await session.close();
  });
});
