// Integers beyond 2^53 get exact decimal text (a Worker reads D1 integers as JS numbers) in every
// column that holds integers — PostgreSQL numeric(p, 0) and SQLite's kept INTEGER columns as well as
// bigint — and their foreign key children follow; columns that also hold what text could not
// (numeric NaN, a SQLite REAL) keep their cast. Copied into a SQLite file and verified.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { copy, plan, verify } from '../src/index.js';
import { pgUrl } from './helpers/env.js';
import { dropPgDatabase, freshPgDatabase } from './helpers/pg.js';

const DB = 'fl_i7_measured';
const BIG = '12345678901234567890'; // beyond 2^63: numeric(20, 0) only
const BIG_SQLITE = '9007199254740993'; // 2^53 + 1
const work = mkdtempSync(path.join(os.tmpdir(), 'flarelift-measured-'));

async function casts(from: string): Promise<Record<string, string>> {
  const { schema } = await plan({ from, measure: false });
  return Object.fromEntries(schema.tables.flatMap((t) => t.columns.map((c) => [`${t.name}.${c.name}`, c.cast.transform.name])));
}

/** `table.column` -> typeof() of every value, in key order, in the copied file. */
function storedTypes(file: string, columns: string[]): Record<string, string[]> {
  const db = new Database(file, { readonly: true });
  try {
    return Object.fromEntries(columns.map((tc) => {
      const [t, c] = tc.split('.');
      return [tc, db.prepare(`SELECT typeof("${c}") FROM "${t}" ORDER BY rowid`).pluck().all() as string[]];
    }));
  } finally {
    db.close();
  }
}

async function copyAndVerify(from: string, name: string): Promise<string> {
  const file = path.join(work, `${name}.sqlite`);
  const rejectDir = path.join(work, `${name}-rejects`);
  const copied = await copy({ from, to: `sqlite:${file}`, rejectDir });
  assert.equal(copied.status, 'complete');
  assert.equal(copied.tables.reduce((n, t) => n + t.rejected, 0), 0, 'no row rejected');
  const verified = await verify({ from, to: `sqlite:${file}`, rejectDir });
  assert.equal(verified.ok, true, JSON.stringify(verified.tables.filter((t) => t.mismatches > 0)));
  return file;
}

describe('PostgreSQL numeric(p, 0) beyond 2^53', () => {
  const url = pgUrl(DB);
  before(() =>
    freshPgDatabase(DB, [
      'CREATE TABLE ledger (id numeric(20, 0) PRIMARY KEY, name text)',
      `INSERT INTO ledger VALUES (${BIG}, 'big'), (5, 'small')`,
      // The child holds only a small id: it follows the parent so both read alike and join.
      'CREATE TABLE line (id int PRIMARY KEY, ledger_id bigint REFERENCES ledger (id))',
      'INSERT INTO line VALUES (1, 5)',
      // NaN sorts above every number: exact integer text could not hold it, numeric text does.
      'CREATE TABLE odd (id int PRIMARY KEY, n numeric(20, 0), small numeric(20, 0), cents numeric(22, 2))',
      `INSERT INTO odd VALUES (1, -${BIG}, 1, ${BIG}.25), (2, 'NaN', 2, 1)`,
    ]),
  );
  after(() => dropPgDatabase(DB));

  test('gets exact integer text, its children follow, NaN and small columns keep decimal text', async () => {
    assert.deepEqual(await casts(url), {
      'ledger.id': 'integer_text',
      'ledger.name': 'text',
      'line.id': 'integer',
      'line.ledger_id': 'integer_text',
      'odd.id': 'integer',
      'odd.n': 'decimal_text',
      'odd.small': 'decimal_text',
      'odd.cents': 'decimal_text',
    });
    const { plan: measured } = await plan({ from: url });
    assert.deepEqual(measured.findings.filter((f) => f.code === 'integer-as-text').map((f) => f.object), ['ledger.id']);
    const file = await copyAndVerify(url, 'pg');
    assert.deepEqual(storedTypes(file, ['ledger.id', 'line.ledger_id']), { 'ledger.id': ['text', 'text'], 'line.ledger_id': ['text'] });
    const db = new Database(file, { readonly: true });
    assert.deepEqual(db.prepare('SELECT l.id FROM line JOIN ledger l ON l.id = line.ledger_id').pluck().all(), ['5']);
    assert.deepEqual(db.prepare('SELECT id FROM ledger ORDER BY name').pluck().all(), [BIG, '5']);
    db.close();
  });
});

describe('SQLite INTEGER columns kept as declared, beyond 2^53', () => {
  const src = path.join(work, 'source.sqlite');
  before(() => {
    const db = new Database(src);
    db.exec(`CREATE TABLE account (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
             INSERT INTO account VALUES (${BIG_SQLITE}, 'big'), (1, 'small');
             CREATE TABLE entry (id INTEGER PRIMARY KEY, account_id BIGINT REFERENCES account (id), n INTEGER);
             INSERT INTO entry VALUES (1, 1, 2), (2, 1, 3);
             -- A REAL between integer bounds beyond 2^53, and a TEXT: kept as they are stored.
             CREATE TABLE mixed (id INTEGER PRIMARY KEY, r INTEGER, t INTEGER);
             INSERT INTO mixed VALUES (1, ${BIG_SQLITE}, ${BIG_SQLITE}), (2, 1.5, 'x'), (3, -${BIG_SQLITE}, 1);`);
    db.close();
  });

  test('get exact integer text, their children follow, columns also holding REAL or TEXT keep theirs', async () => {
    assert.deepEqual(await casts(src), {
      'account.id': 'integer_text',
      'account.name': 'keep',
      'entry.id': 'keep',
      'entry.account_id': 'integer_text',
      'entry.n': 'keep',
      'mixed.id': 'keep',
      'mixed.r': 'keep',
      'mixed.t': 'keep',
    });
    const file = await copyAndVerify(src, 'sqlite');
    assert.deepEqual(storedTypes(file, ['account.id', 'entry.account_id', 'mixed.r', 'mixed.t']), {
      'account.id': ['text', 'text'],
      'entry.account_id': ['text', 'text'],
      'mixed.r': ['integer', 'real', 'integer'],
      'mixed.t': ['integer', 'text', 'integer'],
    });
    const db = new Database(file, { readonly: true });
    assert.deepEqual(db.prepare('SELECT id FROM account WHERE id = ?').pluck().all(BIG_SQLITE), [BIG_SQLITE]);
    db.close();
  });
});
