// The plan measures D1's limits from the data, reports names D1 refuses or folds together, and
// migrate stops before copying when there are blockers. Awkward names are quoted so that the real
// wrangler applies the migration and the rows come back verified.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { plan, schema, type Finding } from '../src/index.js';
import { runCli } from './helpers/cli.js';
import { pgUrl } from './helpers/env.js';
import { dropPgDatabase, freshPgDatabase } from './helpers/pg.js';
import { d1Query, makeWranglerProject, wrangler } from './helpers/wrangler.js';

const LIMITS_DB = 'flarelift_test_limits';
const NAMES_DB = 'flarelift_test_names';

const find = (findings: Finding[], code: string, object: string) => findings.find((f) => f.code === code && f.object.startsWith(object));

describe('D1 limits measured from the data', () => {
  const wideColumns = Array.from({ length: 101 }, (_, i) => `c${i} int`).join(', ');
  before(() =>
    freshPgDatabase(LIMITS_DB, [
      `CREATE TABLE wide (id int PRIMARY KEY, ${wideColumns})`,
      'CREATE TABLE files (id int PRIMARY KEY, name text, body bytea)',
      // 2.5 MB in one value: over D1's 2 MB per value and per row.
      `INSERT INTO files VALUES (1, 'small', '\\x00'), (2, 'big', decode(repeat('ab', 2500000), 'hex'))`,
      'CREATE TABLE counters (id int PRIMARY KEY, n bigint)',
      // 2^53 + 1 and a negative beyond -(2^53): Workers would read both wrong.
      'INSERT INTO counters VALUES (1, 42), (2, 9007199254740993), (3, -9007199254740995)',
      'CREATE TABLE "Users" (id int PRIMARY KEY)',
      'CREATE TABLE users (id int PRIMARY KEY)',
      'CREATE TABLE _cf_secrets (id int PRIMARY KEY)',
    ]),
  );
  after(() => dropPgDatabase(LIMITS_DB));

  test('plan reports each limit and name problem with its severity', async () => {
    const { plan: p } = await plan({ from: pgUrl(LIMITS_DB) });
    assert.equal(find(p.findings, 'd1-too-many-columns', 'wide')?.severity, 'blocker');
    assert.match(find(p.findings, 'd1-too-many-columns', 'wide')!.message, /^102 columns/);
    const big = find(p.findings, 'd1-row-too-large', 'files');
    assert.equal(big?.severity, 'blocker');
    assert.match(big!.object, /files\.body/);
    // Measured beyond 2^53: the default cast becomes exact text, and the plan says so.
    const unsafe = find(p.findings, 'integer-as-text', 'counters.n');
    assert.equal(unsafe?.severity, 'warning');
    assert.match(unsafe!.message, /^2 row\(s\) hold integers beyond ±2\^53/);
    assert.equal(p.tables.find((t) => t.name === 'counters')!.columns.find((c) => c.name === 'n')!.transform, 'integer_text');
    // The row scan predicts the copy: the 2.5 MB row is rejected, by key.
    const rejected = find(p.findings, 'rows-rejected', 'files');
    assert.equal(rejected?.severity, 'blocker');
    assert.match(rejected!.message, /copy would reject 1 of 2 row\(s\): body: value of N bytes is over D1's limit.*\{"id":2\}/);
    assert.equal(find(p.findings, 'name-collision', 'Users')?.severity ?? find(p.findings, 'name-collision', 'users')?.severity, 'blocker');
    assert.equal(find(p.findings, 'reserved-name', '_cf_secrets')?.severity, 'blocker');
    assert.equal(p.totals.blockers, p.findings.filter((f) => f.severity === 'blocker').length);
    // Nothing else is a blocker here: the small tables are fine.
    assert.equal(p.totals.blockers, 5);
  });

  test('migrate stops before copying when the plan has blockers', async () => {
    const project = makeWranglerProject();
    const r = await runCli(['migrate', '--from', pgUrl(LIMITS_DB), '--to', `d1:${project.database}`, '--no-measure'], { cwd: project.dir });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stdout, /STOPPED before copying: the plan has blockers/);
    // Nothing was written: the local D1 has no tables of ours.
    const tables = await d1Query<{ n: number }>(project, "SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' AND name IN ('wide', 'files', 'counters')").catch(() => [{ n: 0 }]);
    assert.equal(tables[0]!.n, 0);
  });
});

describe('awkward names', () => {
  before(() =>
    freshPgDatabase(NAMES_DB, [
      'CREATE TABLE "Order Items" ("order" int, "group" text, "from-date" date, "select" boolean, PRIMARY KEY ("order"))',
      `INSERT INTO "Order Items" VALUES (1, 'a', '2024-02-29', true), (2, 'b''s', NULL, false)`,
      'CREATE TABLE "2fa-codes" (id serial PRIMARY KEY, item int REFERENCES "Order Items" ("order") ON DELETE CASCADE, "Code" text UNIQUE)',
      `INSERT INTO "2fa-codes" (item, "Code") VALUES (1, 'x'), (2, 'y')`,
      'CREATE INDEX "by group" ON "Order Items" ("group")',
    ]),
  );
  after(() => dropPgDatabase(NAMES_DB));

  test('are quoted so wrangler applies the migration, and the rows verify', async () => {
    const project = makeWranglerProject();
    const result = await schema({ from: pgUrl(NAMES_DB), outDir: path.join(project.dir, 'migrations') });
    assert.equal(result.plan.totals.blockers, 0);
    await wrangler(project, ['d1', 'migrations', 'apply', project.database, '--local']);
    const r = await runCli(['migrate', '--from', pgUrl(NAMES_DB), '--to', `d1:${project.database}`], { cwd: project.dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const rows = await d1Query<{ group: string; fromDate: string | null }>(project, 'SELECT "group", "from-date" AS fromDate FROM "Order Items" ORDER BY "order"');
    assert.deepEqual(rows, [{ group: 'a', fromDate: '2024-02-29' }, { group: "b's", fromDate: null }]);
    const fk = await d1Query<{ table: string; on_delete: string }>(project, 'PRAGMA foreign_key_list("2fa-codes")');
    assert.equal(fk[0]!.table, 'Order Items');
    assert.equal(fk[0]!.on_delete, 'CASCADE');
  });
});

describe('a rule keeping integers beyond 2^53 as INTEGER', () => {
  const RULE_DB = 'fl_i7_integer_rule';
  before(() =>
    freshPgDatabase(RULE_DB, ['CREATE TABLE counters (id int PRIMARY KEY, n bigint)', 'INSERT INTO counters VALUES (1, 42), (2, 9007199254740993)']),
  );
  after(() => dropPgDatabase(RULE_DB));

  test('the plan warns and the PROVEN verdict names the column a Worker reads inexactly', async () => {
    const project = makeWranglerProject();
    writeFileSync(path.join(project.dir, 'flarelift.toml'), '[[cast]]\ncolumn = "counters.n"\ntransform = "bigint"\n');
    const r = await runCli(['migrate', '--from', pgUrl(RULE_DB), '--to', `d1:${project.database}`], { cwd: project.dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /integer-above-2\^53 +counters\.n/);
    assert.match(r.stdout.trim().split('\n').pop()!, /^PROVEN: .* A Worker reads counters\.n inexactly/);
    // D1 itself holds the value exactly.
    const [row] = await d1Query<{ t: string; v: string }>(project, 'SELECT typeof(n) AS t, CAST(n AS TEXT) AS v FROM counters WHERE id = 2');
    assert.deepEqual(row, { t: 'integer', v: '9007199254740993' });
  });
});
