// Nothing lost, nothing misread: one PostgreSQL and one MariaDB fixture hold a row per special value
// (zero and partial zero dates in DATE/DATETIME/TIMESTAMP with zero defaults, infinity, BC dates,
// NaN, -0, tinyint(1) holding 2, MySQL's '' enum value, ids beyond 2^53 and 2^63 referenced by
// foreign keys). `migrate` keeps every row and proves it; D1 holds each value in its documented
// form; the plan names each kind. Then a 3 MB value (and a child row pointing at it) is added: the
// plan's predicted rejects are exactly copy's, and migrate's verdict says INCOMPLETE unless the
// rejects are accepted ahead.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { localD1Path } from '../src/cloudflare/local-state.js';
import { copy, plan, schema } from '../src/index.js';
import { runCli, type CliResult } from './helpers/cli.js';
import { testEnv } from './helpers/copy-project.js';
import { mysqlUrl, pgUrl } from './helpers/env.js';
import { dropPgDatabase, freshPgDatabase, withPg } from './helpers/pg.js';
import { APP_WORKER, assertReadsAsSource, runWorker, type AppRow, type WorkerAnswer } from './helpers/worker.js';
import { d1Queries, d1Query, makeWranglerProject, type WranglerProject } from './helpers/wrangler.js';

const DB = 'fl_i7_special';
const THREE_MB = 3_000_000;

interface Engine {
  name: string;
  url: string;
  setup(): Promise<void>;
  /** The app row as an application reads it from the source: the engine's own client's view. */
  appRow(): Promise<AppRow>;
  /** The big account id app.account_id holds. */
  bigId: string;
  /** In the source: [inserting a case variant of 'Ann@x.io' is refused, the id found by 'ann@X.IO']. */
  caseProbe(): Promise<[boolean, number | undefined]>;
  /** Adds a 3 MB note to a new account (id 7) and an entry (id 9) that references it. */
  addBigRow(): Promise<void>;
  drop(): Promise<unknown>;
  /** `SELECT id, quote(col) …` of the special table in D1, by id: what each special value became. */
  expected: Record<number, Record<string, string>>;
  /** Finding code -> the table.column objects the plan must name with it. */
  findings: Record<string, string[]>;
  /** A row inserted in D1 with only its key and NOT NULL text: the defaults apply as in the source. */
  defaultsRow: Record<string, string>;
  /** The one-setting alternative: a flarelift.toml, and what `quote(col)` of the special table then holds, by id. */
  alternative: { toml: string; expected: Record<number, Record<string, string>>; nullable: string[] };
  /**
   * Statements the migrated D1 must refuse by a constraint the source had (SET members, UNSIGNED
   * ranges, a case-insensitive unique), and ones it must take; each in a transaction rolled back.
   */
  refused: string[];
  accepted: string[];
  /** Runs one statement in the source inside a transaction rolled back: 'taken', or the error. */
  inRolledBack(sql: string): Promise<string>;
}

async function withMy<T>(db: string | undefined, fn: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const u = new URL(mysqlUrl('x'));
  const c = await mysql.createConnection({ host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username), database: db, multipleStatements: true });
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const postgres: Engine = {
  name: 'postgres',
  url: pgUrl(DB),
  setup: () =>
    freshPgDatabase(DB, [
      'CREATE EXTENSION IF NOT EXISTS citext',
      // citext: the unique index refuses a case variant and equality finds any case.
      'CREATE TABLE person (id int PRIMARY KEY, email citext NOT NULL UNIQUE)',
      "INSERT INTO person VALUES (1, 'Ann@x.io'), (2, 'José@x.io')",
      // A nondeterministic ICU collation (case-insensitive, accent-sensitive): NOCASE in D1.
      "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)",
      'CREATE TABLE handle (id int PRIMARY KEY, name text COLLATE ci NOT NULL UNIQUE)',
      "INSERT INTO handle VALUES (1, 'Ann'), (2, 'bob')",
      'CREATE TABLE account (id bigint PRIMARY KEY, name text NOT NULL, note text)',
      // 2^53 + 1: a Worker reading it as a JS number gets 2^53.
      "INSERT INTO account (id, name) VALUES (9007199254740993, 'big'), (1, 'small')",
      'CREATE TABLE entry (id int PRIMARY KEY, account_id bigint NOT NULL REFERENCES account (id))',
      'INSERT INTO entry VALUES (1, 9007199254740993), (2, 1)',
      `CREATE TABLE app (id bigint PRIMARY KEY, active boolean NOT NULL DEFAULT true, doc jsonb, bytes bytea, at timestamptz,
        account_id bigint REFERENCES account (id), qty int NOT NULL DEFAULT 1 CHECK (qty > 0))`,
      `INSERT INTO app VALUES (1, false, '{"a": [1, 2], "b": "x"}', '\\xdeadbeef00', '2024-02-29 12:00:00.123456+02', 9007199254740993, 3)`,
      'CREATE TABLE special (id int PRIMARY KEY, what text NOT NULL, d date, ts timestamp, tstz timestamptz, f double precision, n numeric)',
      `INSERT INTO special (id, what, d, ts, tstz, f, n) VALUES
        (1, 'date infinity', 'infinity', NULL, NULL, NULL, NULL),
        (2, 'date -infinity', '-infinity', NULL, NULL, NULL, NULL),
        (3, 'BC date', '0044-03-15 BC', NULL, NULL, NULL, NULL),
        (4, 'timestamp infinity', NULL, 'infinity', '-infinity', NULL, NULL),
        (5, 'BC timestamptz', NULL, '0044-03-15 10:00:00.5 BC', '0044-03-15 10:00:00+00 BC', NULL, NULL),
        (6, 'NaN', NULL, NULL, NULL, 'NaN', 'NaN'),
        (7, 'float -0', NULL, NULL, NULL, '-0', NULL),
        (8, 'ordinary', '2024-02-29', '2024-02-29 12:00:00', '2024-02-29 12:00:00+02', 1.5, 12.50),
        (9, 'years past 9999', '12345-06-07', '12345-06-07 08:09:10', '294276-12-31 23:59:59+00', NULL, NULL)`,
    ]),
  bigId: '9007199254740993',
  appRow: () =>
    withPg(DB, async (c) => {
      await c.query('SET TimeZone = UTC');
      const r = await c.query(`SELECT id::text, active, doc, bytes, at, extract(microseconds FROM at)::int % 1000 AS micros, account_id::text FROM app WHERE id = 1`);
      const row = r.rows[0] as { id: string; active: boolean; doc: unknown; bytes: Buffer; at: Date; micros: number; account_id: string };
      return { id: row.id, active: row.active, doc: row.doc, bytes: row.bytes.toString('hex'), atMs: row.at.getTime(), atMicros: row.micros, accountId: row.account_id };
    }),
  caseProbe: () =>
    withPg(DB, async (c) => {
      const refused = await c.query(`INSERT INTO person VALUES (3, 'ANN@X.IO')`).then(() => false, () => true);
      const found = await c.query<{ id: number }>(`SELECT id FROM person WHERE email = 'ann@X.IO'`);
      return [refused, found.rows[0]?.id];
    }),
  addBigRow: () =>
    withPg(DB, async (c) => {
      await c.query(`INSERT INTO account VALUES (7, 'huge', repeat('x', ${THREE_MB}))`);
      await c.query('INSERT INTO entry VALUES (9, 7)');
    }),
  drop: () => dropPgDatabase(DB),
  expected: {
    1: { d: "'infinity'" },
    2: { d: "'-infinity'" },
    3: { d: "'-0043-03-15'" },
    4: { ts: "'infinity'", tstz: "'-infinity'" },
    5: { ts: "'-0043-03-15T10:00:00.500000'", tstz: "'-0043-03-15T10:00:00.000000Z'" },
    6: { f: "'NaN'", n: "'NaN'" },
    7: { f: '0.0' },
    8: { d: "'2024-02-29'", ts: "'2024-02-29T12:00:00.000000'", tstz: "'2024-02-29T10:00:00.000000Z'", f: '1.5', n: "'12.50'" },
    // ISO 8601 expanded years: a sign and all the digits.
    9: { d: "'+12345-06-07'", ts: "'+12345-06-07T08:09:10.000000'", tstz: "'+294276-12-31T23:59:59.000000Z'" },
  },
  findings: {
    'infinity-kept': ['special.d', 'special.ts', 'special.tstz'],
    'bc-date-kept': ['special.d', 'special.ts', 'special.tstz'],
    'nan-kept': ['special.f', 'special.n'],
    'negative-zero': ['special.f'],
    'integer-as-text': ['account.id', 'app.account_id', 'entry.account_id'],
    'nocase-differs': ['person.email'],
  },
  defaultsRow: {},
  alternative: {
    toml: '[[cast]]\ntype = ["date", "timestamp", "timestamptz"]\ntransform = "clamp_infinity"\n',
    expected: {
      1: { d: "'9999-12-31'" },
      2: { d: "'0001-01-01'" },
      3: { d: "'-0043-03-15'" },
      4: { ts: "'9999-12-31T23:59:59.999999'", tstz: "'0001-01-01T00:00:00.000000Z'" },
      8: { d: "'2024-02-29'", ts: "'2024-02-29T12:00:00.000000'", tstz: "'2024-02-29T10:00:00.000000Z'" },
    },
    nullable: [],
  },
  refused: [
    // The ICU collation's unique index refuses a case variant, as PostgreSQL does.
    "INSERT INTO handle VALUES (3, 'ANN')",
  ],
  accepted: [
    // Accent-sensitive in the source too: 'Bób' is another handle.
    "INSERT INTO handle VALUES (3, 'Bób')",
  ],
  inRolledBack: (sql) =>
    withPg(DB, async (c) => {
      await c.query('BEGIN');
      try {
        return await c.query(sql).then(() => 'taken', (e: Error) => e.message);
      } finally {
        await c.query('ROLLBACK');
      }
    }),
};

const mariadb: Engine = {
  name: 'mariadb',
  url: mysqlUrl(DB),
  setup: () =>
    withMy(undefined, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${DB}; CREATE DATABASE ${DB}; USE ${DB}; SET SESSION sql_mode = ''`);
      // utf8mb4_general_ci (the server's default): the unique key refuses a case variant, equality finds any case.
      await c.query(`CREATE TABLE person (id int PRIMARY KEY, email varchar(100) COLLATE utf8mb4_general_ci NOT NULL, UNIQUE KEY email (email)) ENGINE=InnoDB`);
      await c.query(`INSERT INTO person VALUES (1, 'Ann@x.io'), (2, 'José@x.io')`);
      await c.query(`CREATE TABLE account (id bigint unsigned PRIMARY KEY, name varchar(20) NOT NULL, note longtext) ENGINE=InnoDB`);
      // 2^64 - 1 (beyond SQLite's 64-bit INTEGER) and 2^53 + 1.
      await c.query(`INSERT INTO account (id, name) VALUES (18446744073709551615, 'max'), (9007199254740993, 'big'), (1, 'small')`);
      await c.query(`CREATE TABLE entry (id int PRIMARY KEY, account_id bigint unsigned NOT NULL, FOREIGN KEY (account_id) REFERENCES account (id)) ENGINE=InnoDB`);
      await c.query(`INSERT INTO entry VALUES (1, 18446744073709551615), (2, 9007199254740993), (3, 1)`);
      await c.query(`CREATE TABLE app (id bigint unsigned PRIMARY KEY, active tinyint(1) NOT NULL DEFAULT 1, doc json, bytes blob, at datetime(6),
        account_id bigint unsigned, qty int NOT NULL DEFAULT 1, CHECK (qty > 0), FOREIGN KEY (account_id) REFERENCES account (id)) ENGINE=InnoDB`);
      await c.query(`INSERT INTO app VALUES (1, 0, '{"a": [1, 2], "b": "x"}', X'deadbeef00', '2024-02-29 10:00:00.123456', 18446744073709551615, 3)`);
      await c.query(`CREATE TABLE special (
        id int PRIMARY KEY, what varchar(40) NOT NULL,
        d DATE NOT NULL DEFAULT '0000-00-00',
        dt DATETIME NOT NULL DEFAULT '0000-00-00 00:00:00',
        ts TIMESTAMP NOT NULL DEFAULT '0000-00-00 00:00:00',
        dn DATE NULL, dtn DATETIME(3) NULL,
        flag tinyint(1) NULL, e enum('a', 'b') NULL, f double NULL,
        tags set('x', 'y', 'z') NULL, u tinyint unsigned NULL, big int unsigned NULL) ENGINE=InnoDB`);
      await c.query(`INSERT INTO special (id, what) VALUES (1, 'zero dates by default')`);
      await c.query(`INSERT INTO special (id, what, d, dt, dn, dtn) VALUES (2, 'partial zero dates', '2024-00-15', '2024-05-00 10:00:00', '0000-00-00', '0000-00-00 00:00:00.000')`);
      await c.query(`INSERT INTO special (id, what, d, dt, ts, dtn) VALUES (3, 'zero fraction path', '2024-01-02', '2024-01-02 03:04:05', '2024-01-02 03:04:05', '2024-00-00 00:00:00.5')`);
      await c.query(`INSERT INTO special (id, what, d, dt, ts, flag, e, f) VALUES (4, 'tinyint 2, invalid enum, -0', '2024-01-02', '2024-01-02 03:04:05', '2024-01-02 03:04:05', 2, 'zzz', -0.0)`);
      await c.query(`INSERT INTO special (id, what, d, dt, ts, flag, e, f, tags, u, big) VALUES (5, 'ordinary', '2024-02-29', '2024-02-29 12:00:00', '2024-02-29 12:00:00', 1, 'b', 1.5, 'x,z', 255, 4294967295)`);
    }),
  bigId: '18446744073709551615',
  appRow: () =>
    withMy(DB, async (c) => {
      const [rows] = await c.query({ sql: `SELECT CAST(id AS CHAR) id, active, doc, bytes, CAST(at AS CHAR(26)) at, CAST(account_id AS CHAR) account_id FROM app WHERE id = 1`, typeCast: true });
      const row = (rows as { id: string; active: number; doc: unknown; bytes: Buffer; at: string; account_id: string }[])[0]!;
      // MySQL has no boolean: an application reads tinyint(1) 0 as false (Drizzle's mysql boolean does).
      const at = row.at.replace(' ', 'T');
      return { id: row.id, active: row.active === 1, doc: typeof row.doc === 'string' ? JSON.parse(row.doc) : row.doc, bytes: row.bytes.toString('hex'), atMs: Date.parse(`${at.slice(0, 23)}Z`), atMicros: Number(at.slice(23, 26)), accountId: row.account_id };
    }),
  caseProbe: () =>
    withMy(DB, async (c) => {
      const refused = await c.query(`INSERT INTO person VALUES (3, 'ANN@X.IO')`).then(() => false, () => true);
      const [found] = await c.query(`SELECT id FROM person WHERE email = 'ann@X.IO'`);
      return [refused, (found as { id: number }[])[0]?.id];
    }),
  addBigRow: () =>
    withMy(DB, async (c) => {
      await c.query(`INSERT INTO account VALUES (7, 'huge', REPEAT('x', ${THREE_MB}))`);
      await c.query('INSERT INTO entry VALUES (9, 7)');
    }),
  drop: () => withMy(undefined, (c) => c.query(`DROP DATABASE IF EXISTS ${DB}`)),
  expected: {
    1: { d: "'0000-00-00'", dt: "'0000-00-00T00:00:00'", ts: "'0000-00-00T00:00:00Z'", dn: 'NULL' },
    2: { d: "'2024-00-15'", dt: "'2024-05-00T10:00:00'", dn: "'0000-00-00'", dtn: "'0000-00-00T00:00:00.000'" },
    3: { ts: "'2024-01-02T03:04:05Z'", dtn: "'2024-00-00T00:00:00.500'" },
    4: { flag: '2', e: "''", f: '0.0' },
    5: { flag: '1', e: "'b'", f: '1.5', d: "'2024-02-29'", tags: "'x,z'", u: '255', big: '4294967295' },
  },
  findings: {
    'zero-date-kept': ['special.d', 'special.dt', 'special.ts', 'special.dn', 'special.dtn'],
    'boolean-not-0-1': ['special.flag'],
    'enum-empty-kept': ['special.e'],
    // MariaDB stores -0 as 0 itself: there is no negative zero to keep.
    'negative-zero': [],
    'integer-as-text': ['account.id', 'app.account_id', 'entry.account_id'],
    'nocase-differs': ['person.email'],
  },
  defaultsRow: { d: "'0000-00-00'", dt: "'0000-00-00T00:00:00'", ts: "'0000-00-00T00:00:00Z'" },
  alternative: {
    toml: '[[cast]]\ntype = ["date", "datetime", "timestamp"]\ntransform = "zero_date_null"\n',
    expected: {
      1: { d: 'NULL', dt: 'NULL', ts: 'NULL', dn: 'NULL' },
      2: { d: 'NULL', dt: 'NULL', dn: 'NULL', dtn: 'NULL' },
      3: { d: "'2024-01-02'", dt: "'2024-01-02T03:04:05'", ts: "'2024-01-02T03:04:05Z'", dtn: 'NULL' },
      5: { d: "'2024-02-29'", dt: "'2024-02-29T12:00:00'" },
    },
    // zero_date_null drops NOT NULL on the columns it turns to NULL.
    nullable: ['d', 'dt', 'ts'],
  },
  refused: [
    // SET members and UNSIGNED ranges are CHECKs in D1, as they are limits in MariaDB.
    "INSERT INTO special (id, what, tags) VALUES (101, 'not a member', 'x,w')",
    "INSERT INTO special (id, what, u) VALUES (101, 'negative', -1)",
    "INSERT INTO special (id, what, u) VALUES (101, 'over 255', 256)",
    "INSERT INTO special (id, what, big) VALUES (101, 'negative', -1)",
  ],
  accepted: ["INSERT INTO special (id, what, tags, u, big) VALUES (101, 'in range', 'y,z', 0, 0)", "INSERT INTO special (id, what, tags) VALUES (102, 'empty set', '')"],
  inRolledBack: (sql) =>
    withMy(DB, async (c) => {
      // Strict mode, as a MariaDB server has by default: out-of-range values are errors, not warnings.
      await c.query("SET SESSION sql_mode = 'STRICT_ALL_TABLES'");
      await c.query('BEGIN');
      try {
        return await c.query(sql).then(() => 'taken', (e: Error) => e.message);
      } finally {
        await c.query('ROLLBACK');
      }
    }),
};

interface MigrateJson {
  status: string;
  plan: { findings: { code: string; object: string; message: string; fix: string }[] };
  copy: { totals: { read: number; written: number; rejected: number } };
  verify: { ok: boolean; totals: { mismatches: number; rejected: number; sourceRows: number } };
}

const resultJson = (r: CliResult) => {
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines.slice(lines.findIndex((l) => l === '{')).join('\n')) as MigrateJson;
};

function migrateCli(p: WranglerProject, from: string, extra: string[] = []): Promise<CliResult> {
  return runCli(['migrate', '--from', from, '--to', `d1:${p.database}`, '--reject-dir', path.join(p.dir, 'rejects'), '--failures', path.join(p.dir, 'failures.jsonl'), ...extra], {
    cwd: p.dir,
    env: testEnv(),
  });
}

interface RejectLine {
  table: string;
  key: Record<string, unknown> | null;
  reason: string;
}

for (const engine of [postgres, mariadb]) {
  describe(`special values from ${engine.name}`, () => {
    before(() => engine.setup());
    after(() => engine.drop());
    let migrated: WranglerProject | undefined;

    test('migrate keeps every row, verify proves it, each value in its documented form, the plan names each kind', async () => {
      const p = makeWranglerProject();
      migrated = p;
      const r = await migrateCli(p, engine.url, ['--json']);
      assert.equal(r.code, 0, r.stdout.slice(-3000) + r.stderr);
      const result = resultJson(r);
      assert.equal(result.status, 'verified');
      assert.equal(result.copy.totals.rejected, 0, 'no row rejected');
      assert.equal(result.verify.totals.mismatches, 0);
      assert.equal(result.copy.totals.written, result.copy.totals.read);

      for (const [code, objects] of Object.entries(engine.findings)) {
        const named = result.plan.findings.filter((f) => f.code === code);
        assert.deepEqual(named.map((f) => f.object).sort(), [...objects].sort(), `${code} names exactly these columns`);
        for (const f of named) assert.match(f.fix, /transform "|UPDATE|lower\(\)/, `${code} names the one-setting alternative`);
      }
      assert.ok(!result.plan.findings.some((f) => f.code === 'rows-rejected'), 'the plan predicts no reject');

      const columns = [...new Set(Object.values(engine.expected).flatMap((e) => Object.keys(e)))];
      const rows = await d1Query<Record<string, string | number>>(p, `SELECT id, ${columns.map((c) => `quote(${c}) AS ${c}`).join(', ')} FROM special ORDER BY id`);
      for (const [id, want] of Object.entries(engine.expected)) {
        const got = rows.find((row) => Number(row.id) === Number(id));
        assert.ok(got, `row ${id} is in D1`);
        for (const [c, v] of Object.entries(want)) assert.equal(String(got[c]), v, `special ${id}.${c}`);
      }
      // Ids beyond 2^53 (and 2^63) are exact text, and the foreign keys that follow them still join.
      const joined = await d1Query<{ id: string; name: string }>(p, 'SELECT a.id AS id, a.name AS name FROM entry e JOIN account a ON a.id = e.account_id ORDER BY e.id');
      assert.deepEqual(
        joined.map((j) => j.id),
        engine.name === 'postgres' ? ['9007199254740993', '1'] : ['18446744073709551615', '9007199254740993', '1'],
      );
      assert.deepEqual(await d1Query(p, 'PRAGMA foreign_key_check'), []);
      // Case-insensitive text compares the same way in D1 (COLLATE NOCASE) as in the source.
      assert.deepEqual(await engine.caseProbe(), [true, 1], 'the source refuses the case variant and finds any case');
      const d1Refused = await d1Query(p, `INSERT INTO person VALUES (3, 'ANN@X.IO')`).then(() => false, () => true);
      const [found] = await d1Query<{ id: number }>(p, `SELECT id FROM person WHERE email = 'ann@X.IO'`);
      assert.deepEqual([d1Refused, found?.id], [true, 1], 'D1 refuses the case variant and finds any case');
      // Defaults carry over as the source's: a row given only its key gets the zero dates.
      if (Object.keys(engine.defaultsRow).length > 0) {
        const cols = Object.keys(engine.defaultsRow);
        const [, [row]] = await d1Queries<Record<string, string>>(p, `INSERT INTO special (id, what) VALUES (100, 'defaults'); SELECT ${cols.map((c) => `quote(${c}) AS ${c}`).join(', ')} FROM special WHERE id = 100`);
        assert.deepEqual(row, engine.defaultsRow);
      }
    });

    test('constraints carried: D1 refuses what the source refuses (SET members, UNSIGNED ranges, an ICU case-insensitive unique) and takes what it takes', async () => {
      assert.ok(migrated, 'the migrate test ran first');
      // Straight on the local D1's SQLite file: its DDL is the migration's, and no wrangler round trip per statement.
      const d1 = new Database(localD1Path({ configPath: migrated.config, database: migrated.database, cwd: migrated.dir }));
      const outcome = async (run: (sql: string) => Promise<unknown>, sql: string) => run(sql).then(() => 'taken', (e: Error) => e.message);
      try {
        const inD1 = (sql: string) =>
          outcome(async () => {
            d1.exec('BEGIN');
            try {
              d1.exec(sql);
            } finally {
              d1.exec('ROLLBACK');
            }
          }, sql);
        const inSource = (sql: string) => engine.inRolledBack(sql);
        if (engine.name === 'postgres') {
          const ddl = d1.prepare("SELECT sql FROM sqlite_schema WHERE name = 'handle'").pluck().get() as string;
          assert.match(ddl, /\bname TEXT COLLATE NOCASE\b/, 'the ICU collation became NOCASE');
        }
        for (const sql of engine.refused) {
          assert.notEqual(await inSource(sql), 'taken', `the source refuses: ${sql}`);
          assert.match(await inD1(sql), /CHECK constraint failed|UNIQUE constraint failed/, `D1 refuses: ${sql}`);
        }
        for (const sql of engine.accepted) {
          assert.equal(await inSource(sql), 'taken', `the source takes: ${sql}`);
          assert.equal(await inD1(sql), 'taken', `D1 takes: ${sql}`);
        }
      } finally {
        d1.close();
      }
    });

    test('the one-setting alternative (flarelift.toml) stores the special values otherwise, and verify proves it', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'fl-g7-alt-'));
      try {
        writeFileSync(path.join(dir, 'flarelift.toml'), engine.alternative.toml);
        const out = path.join(dir, 'out.db');
        const r = await runCli(['migrate', '--from', engine.url, '--to', `sqlite:${out}`], { cwd: dir, env: testEnv() });
        assert.equal(r.code, 0, r.stdout.slice(-3000) + r.stderr);
        assert.match(r.stdout.trim().split('\n').pop()!, /^PROVEN: /);
        const db = new Database(out, { readonly: true });
        try {
          const columns = [...new Set(Object.values(engine.alternative.expected).flatMap((e) => Object.keys(e)))];
          const rows = db.prepare(`SELECT id, ${columns.map((c) => `quote(${c}) AS ${c}`).join(', ')} FROM special`).all() as Record<string, string | number>[];
          for (const [id, want] of Object.entries(engine.alternative.expected)) {
            const got = rows.find((row) => Number(row.id) === Number(id));
            for (const [c, v] of Object.entries(want)) assert.equal(String(got?.[c]), v, `special ${id}.${c}`);
          }
          const info = db.prepare('PRAGMA table_info(special)').all() as { name: string; notnull: number }[];
          for (const c of engine.alternative.nullable) assert.equal(info.find((i) => i.name === c)?.notnull, 0, `${c} lost NOT NULL`);
        } finally {
          db.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('a Worker under Miniflare reads the migrated D1 through drizzle-orm/d1 and the generated schema as the source reads', async () => {
      assert.ok(migrated, 'the migrate test ran first');
      const p = migrated;
      const drizzleFile = path.join(p.dir, 'schema.ts');
      await schema({ from: engine.url, outDir: path.join(p.dir, 'generated'), drizzle: drizzleFile });
      const generated = readFileSync(drizzleFile, 'utf8');
      assert.doesNotMatch(generated, /mode: "buffer"/, 'no Buffer: the Worker runs without nodejs_compat');
      const answer = await runWorker<WorkerAnswer>(p, generated, APP_WORKER);
      assertReadsAsSource(answer, await engine.appRow(), engine.bigId);
    });

    test('with a 3 MB value: plan predicts exactly the rows copy rejects and the orphan; migrate says INCOMPLETE unless accepted', async () => {
      await engine.addBigRow();
      const { plan: predicted } = await plan({ from: engine.url });
      const account = predicted.tables.find((t) => t.name === 'account')!;
      assert.equal(account.rejected, 1);
      assert.deepEqual(account.rejects!.map((r) => r.keys.map((k) => String(k?.id))), [['7']]);
      assert.deepEqual(predicted.tables.find((t) => t.name === 'entry')!.orphans, [{ refTable: 'account', columns: ['account_id'], rows: 1 }]);
      assert.ok(predicted.findings.some((f) => f.code === 'rows-orphaned' && f.severity === 'blocker' && f.object === 'entry.account_id'));

      const p = makeWranglerProject();
      const rejectDir = path.join(p.dir, 'copy-rejects');
      const summary = await copy({ from: engine.url, to: `d1:${p.database}`, config: p.config, cwd: p.dir, rejectDir });
      for (const t of predicted.tables) {
        const copied = summary.tables.find((x) => x.name === t.name)!;
        const file = copied.rejectFile;
        const lines: RejectLine[] = file && existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RejectLine) : [];
        assert.equal(copied.rejected, t.rejected, `${t.name}: predicted rejects = copy's`);
        assert.deepEqual(lines.map((l) => JSON.stringify(l.key)).sort(), (t.rejects ?? []).flatMap((r) => r.keys.map((k) => JSON.stringify(k))).sort(), `${t.name}: the same keys`);
      }
      // The orphan the plan predicted is the one SQLite's foreign key check finds after the copy.
      const fk = await d1Query<{ table: string }>(p, 'PRAGMA foreign_key_check');
      assert.deepEqual(fk.map((f) => f.table), ['entry']);

      // verify of that copy: every table matches, but the rejected row is not there — INCOMPLETE, exit 5.
      const verifyArgs = ['verify', '--from', engine.url, '--to', `d1:${p.database}`, '--reject-dir', rejectDir, '--failures', path.join(p.dir, 'failures.jsonl')];
      const verified = await runCli(verifyArgs, { cwd: p.dir, env: testEnv() });
      assert.equal(verified.code, 5, verified.stdout.slice(-2000) + verified.stderr);
      assert.match(verified.stdout.trim().split('\n').pop()!, /^INCOMPLETE: 1 of [34] rows of account rejected/);
      const acceptedVerify = await runCli([...verifyArgs, '--accept-rejects'], { cwd: p.dir, env: testEnv() });
      assert.equal(acceptedVerify.code, 0, acceptedVerify.stdout.slice(-2000) + acceptedVerify.stderr);

      const stopped = await migrateCli(makeWranglerProject(), engine.url);
      assert.equal(stopped.code, 4, 'predicted rejects are blockers');
      assert.match(stopped.stdout, /rows-rejected +account[\s\S]*\{"id":"?7"?\}/);

      const incomplete = await migrateCli(makeWranglerProject(), engine.url, ['--accept-findings']);
      assert.equal(incomplete.code, 5, incomplete.stdout.slice(-2000) + incomplete.stderr);
      const last = incomplete.stdout.trim().split('\n').pop()!;
      assert.match(last, /^INCOMPLETE: 1 of [34] rows of account rejected, see .*account\.rejects\.jsonl/);

      const accepted = await migrateCli(makeWranglerProject(), engine.url, ['--accept-rejects']);
      assert.equal(accepted.code, 0, accepted.stdout.slice(-2000) + accepted.stderr);
      assert.match(accepted.stdout.trim().split('\n').pop()!, /^PROVEN: .*not the 1 rejected row\(s\) you accepted \(accepted rejects: 1 of [34] rows of account rejected, see .*account\.rejects\.jsonl\)/);
    });
  });
}
