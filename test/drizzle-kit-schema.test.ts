// The generated Drizzle schema is the migration: `drizzle-kit generate` on it produces a database
// whose tables, columns (type, NOT NULL, default, collation), primary keys, uniques, indexes (with
// WHERE and direction), CHECKs and foreign keys equal the ones the migration flarelift writes
// produces — compared through sqlite_schema and PRAGMA, for every dataset and a fixture holding
// what the datasets lack (partial, descending and expression indexes, citext, CHECKs).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { sqliteAffinity } from '../src/casting/transforms.js';
import { schema } from '../src/index.js';
import { CHINOOK_SQLITE, MYSQL_DATASETS, PG_DATASETS, REPO_ROOT, mysqlUrl, pgUrl } from './helpers/env.js';
import { dropPgDatabase, freshPgDatabase } from './helpers/pg.js';

const FIXTURE = 'fl_i7_drizzle';
// Inside the repository, so the schema files resolve drizzle-orm from its node_modules.
const WORK = path.join(REPO_ROOT, '.tmp/drizzle-kit-check');

const cases = [
  ...PG_DATASETS.map((db) => ({ label: `postgres ${db}`, from: pgUrl(db) })),
  ...MYSQL_DATASETS.map((db) => ({ label: `mysql ${db}`, from: mysqlUrl(db) })),
  { label: 'sqlite chinook', from: CHINOOK_SQLITE },
  { label: 'postgres fixture', from: pgUrl(FIXTURE) },
];

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
/** SQL text compared loosely: identifier quotes, case, spacing and outer parentheses do not matter. */
function normSql(sql: string | null): string | null {
  if (sql === null) return null;
  let s = sql.replace(/["`]/g, '').replace(/\s+/g, ' ').trim().toLowerCase();
  while (/^\(.*\)$/.test(s) && balanced(s.slice(1, -1))) s = s.slice(1, -1).trim();
  return s.replace(/\( /g, '(').replace(/ \)/g, ')').replace(/\s*,\s*/g, ',');
}

function balanced(s: string): boolean {
  let depth = 0;
  for (const ch of s) {
    if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/** The CHECK expressions of a CREATE TABLE, each up to its matching parenthesis. */
function checks(sql: string): string[] {
  const out: string[] = [];
  for (const m of sql.matchAll(/\bCHECK\s*\(/gi)) {
    let depth = 0;
    const start = m.index! + m[0].length - 1;
    for (let i = start; i < sql.length; i++) {
      if (sql[i] === '(') depth++;
      else if (sql[i] === ')' && --depth === 0) {
        out.push(normSql(sql.slice(start, i + 1))!);
        break;
      }
    }
  }
  return out.sort();
}

interface ColumnInfo { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }

/** Everything a migration creates that an application's queries depend on, in a comparable form. */
function describeDb(db: Database.Database): unknown {
  const tables = db.prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string; sql: string }[];
  return tables.map((t) => {
    const columns = db.pragma(`table_info(${q(t.name)})`) as ColumnInfo[];
    const pkCount = columns.filter((c) => c.pk > 0).length;
    const indexes = (db.pragma(`index_list(${q(t.name)})`) as { name: string; unique: number; origin: string; partial: number }[])
      .map((ix) => {
        const keys = (db.pragma(`index_xinfo(${q(ix.name)})`) as { name: string | null; desc: number; coll: string; key: number }[]).filter((k) => k.key);
        const sql = (db.prepare(`SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?`).get(ix.name) as { sql: string | null } | undefined)?.sql ?? null;
        const where = sql && /\bWHERE\b/i.test(sql) ? normSql(sql.slice(sql.search(/\bWHERE\b/i) + 5)) : null;
        // Names of indexes created by CREATE INDEX are part of the schema; SQLite names the others.
        return { name: ix.origin === 'c' ? ix.name : ix.origin, unique: ix.unique, origin: ix.origin, where, keys: keys.map((k) => `${k.name ?? 'expr'} ${k.desc ? 'desc' : 'asc'} ${k.coll}`) };
      })
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const expressionIndexes = (db.prepare(`SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`).all(t.name) as { sql: string }[])
      .map((r) => normSql(r.sql.slice(r.sql.indexOf('(', r.sql.search(/\bON\b/i)))))
      .sort();
    return {
      name: t.name,
      autoincrement: /AUTOINCREMENT/i.test(t.sql),
      nocaseColumns: (t.sql.match(/COLLATE NOCASE/gi) ?? []).length,
      columns: columns.map((c) => ({
        name: c.name,
        // SQLite's type is the affinity the declared name gives: a SQLite source's NVARCHAR(160) is
        // kept in the migration, while Drizzle's text() declares 'text' — the same TEXT column.
        type: sqliteAffinity(c.type),
        // INTEGER PRIMARY KEY is the rowid: never NULL, whether or not NOT NULL is written.
        notnull: c.notnull === 1 || (pkCount === 1 && c.pk === 1 && c.type.toUpperCase() === 'INTEGER'),
        default: normSql(c.dflt_value),
        pk: c.pk,
      })),
      checks: checks(t.sql),
      foreignKeys: (db.pragma(`foreign_key_list(${q(t.name)})`) as { table: string; from: string; to: string; on_update: string; on_delete: string }[])
        .map((f) => `${f.from} -> ${f.table}.${f.to} update ${f.on_update} delete ${f.on_delete}`)
        .sort(),
      indexes,
      expressionIndexes,
    };
  });
}

const run = promisify(execFile);

describe('drizzle-kit generate on the generated schema equals the migration', () => {
  before(async () => {
    rmSync(WORK, { recursive: true, force: true });
    mkdirSync(WORK, { recursive: true });
    await freshPgDatabase(FIXTURE, [
      'CREATE EXTENSION IF NOT EXISTS citext',
      `CREATE TABLE member (id serial PRIMARY KEY, email citext NOT NULL, name text NOT NULL, score int NOT NULL DEFAULT 0 CHECK (score >= 0),
        deleted_at timestamptz, created_at timestamptz NOT NULL DEFAULT now())`,
      'CREATE UNIQUE INDEX member_live_email ON member (email) WHERE deleted_at IS NULL',
      'CREATE INDEX member_score_desc ON member (score DESC, name)',
      'CREATE INDEX member_lower_name ON member (lower(name))',
      'CREATE TABLE post (id bigint PRIMARY KEY, member_id int NOT NULL REFERENCES member (id) ON DELETE CASCADE, body text)',
    ]);
  });
  after(() => dropPgDatabase(FIXTURE));

  for (const c of cases) {
    test(c.label, async () => {
      const dir = path.join(WORK, c.label.replace(/\W+/g, '_'));
      const drizzleFile = path.join(dir, 'schema.ts');
      await schema({ from: c.from, outDir: path.join(dir, 'migrations'), drizzle: drizzleFile });
      await run(path.join(REPO_ROOT, 'node_modules/.bin/drizzle-kit'), ['generate', '--dialect', 'sqlite', '--schema', drizzleFile, '--out', path.join(dir, 'kit')], { cwd: REPO_ROOT });

      const migration = readdirSync(path.join(dir, 'migrations')).find((f) => f.endsWith('.sql'))!;
      const ours = new Database(':memory:');
      ours.exec(readFileSync(path.join(dir, 'migrations', migration), 'utf8'));
      const kitFile = readdirSync(path.join(dir, 'kit')).find((f) => f.endsWith('.sql'))!;
      const theirs = new Database(':memory:');
      for (const statement of readFileSync(path.join(dir, 'kit', kitFile), 'utf8').split('--> statement-breakpoint')) {
        if (statement.trim()) theirs.exec(statement);
      }
      // Views and triggers (a SQLite source's) are the migration's alone: Drizzle tables hold neither.
      const [a, b] = [describeDb(theirs) as Record<string, unknown>[], describeDb(ours) as Record<string, unknown>[]];
      assert.deepEqual(a.map((t) => t.name), b.map((t) => t.name), 'the same tables');
      a.forEach((t, i) => {
        for (const key of Object.keys(t)) assert.deepEqual(t[key], b[i]![key], `${String(t.name)}: ${key}`);
      });
    });
  }
});
