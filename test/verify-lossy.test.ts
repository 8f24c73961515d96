// A lossy cast declared in flarelift.toml — timestamps as unix seconds, which drops pagila's
// fractions of a second — copies and verifies clean, because verify normalizes the source
// through the same cast; the same target verified without the rule differs on every such
// row; and a tamper of the cast column is still caught, with both values. Pagila's payment key
// (payment_date, payment_id) loses its order under the cast (checked on the source), so it is
// compared by key, and a tamper there is caught too.
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { copy } from '../src/pipeline/copy.js';
import { localD1Path } from '../src/cloudflare/local-state.js';
import { verify } from '../src/verify/verify.js';
import { makeProject, testEnv, type WranglerProject } from './helpers/copy-project.js';
import { pgUrl } from './helpers/env.js';
import { jsonSummary, openForTamper, readFailures, runVerifyCommand } from './helpers/verify-helpers.js';

const PAGILA = pgUrl('pagila');

async function pgQuery<T>(sql: string): Promise<T[]> {
  const client = new pg.Client(PAGILA);
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('verify: a lossy cast (timestamps as unix seconds) on pagila', () => {
  const saved = { ...process.env };
  let project: WranglerProject;
  let configFile: string;
  let rejectDir: string;
  let file: string;
  before(async () => {
    Object.assign(process.env, testEnv());
    project = makeProject();
    configFile = path.join(project.dir, 'flarelift.toml');
    rejectDir = path.join(project.dir, 'rejects');
    writeFileSync(configFile, `[[cast]]\ntype = ["timestamp", "timestamptz"]\ntransform = "unix_seconds"\n`);
    const copied = await copy({ from: PAGILA, to: `d1:${project.database}`, config: project.config, cwd: project.dir, rejectDir, configFile });
    assert.equal(copied.status, 'complete');
    file = localD1Path({ configPath: project.config, database: project.database });
  });
  after(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    rmSync(project.dir, { recursive: true, force: true });
  });

  test('the data has fractions of a second, and the target holds whole seconds', async () => {
    const [f] = await pgQuery<{ n: string; total: string }>(`SELECT count(*) FILTER (WHERE last_update <> date_trunc('second', last_update)) AS n, count(*) AS total FROM film`);
    assert.ok(Number(f.n) > 0, 'film.last_update has fractions: the cast loses them');
    const db = new Database(file, { readonly: true });
    try {
      assert.deepEqual(db.prepare(`SELECT DISTINCT typeof(last_update) FROM film`).pluck().all(), ['integer']);
      assert.deepEqual(db.prepare(`SELECT DISTINCT typeof(payment_date) FROM payment`).pluck().all(), ['integer']);
    } finally {
      db.close();
    }
  });

  test('verifies clean with the rule; payment, whose cast key loses its order, is compared by key', async () => {
    const summary = await verify({ from: PAGILA, to: `d1:${project.database}`, config: project.config, cwd: project.dir, configFile, rejectDir, failuresFile: path.join(project.dir, 'f.jsonl') });
    assert.equal(summary.ok, true, JSON.stringify(summary.tables.filter((t) => t.mismatches > 0)));
    // Consecutive payments (in source key order) whose whole seconds are equal but ids go down:
    // (unix seconds, payment_id) is not in the source's order.
    const [o] = await pgQuery<{ n: string }>(`SELECT count(*) AS n FROM (
        SELECT payment_id, floor(extract(epoch FROM payment_date)) AS s,
               lag(payment_id) OVER w AS prev_id, lag(floor(extract(epoch FROM payment_date))) OVER w AS prev_s
        FROM payment WINDOW w AS (ORDER BY payment_date, payment_id)) x
      WHERE s = prev_s AND payment_id < prev_id`);
    assert.ok(Number(o.n) > 0);
    const byName = new Map(summary.tables.map((t) => [t.name, t]));
    assert.equal(byName.get('payment')!.method, 'keyed');
    assert.equal(byName.get('film')!.method, 'chunks');
  });

  test('the same target verified without the rule differs on every film row', async () => {
    const [f] = await pgQuery<{ n: string }>(`SELECT count(*) AS n FROM film WHERE last_update IS NOT NULL`);
    const summary = await verify({
      from: PAGILA,
      to: `d1:${project.database}`,
      config: project.config,
      cwd: project.dir,
      configFile: path.join(project.dir, 'no-rules.toml'),
      rejectDir,
      tables: ['film'],
      failuresFile: path.join(project.dir, 'norules.jsonl'),
    }).catch((e: Error) => e);
    // A config file that does not exist is a user error; an empty one means no rules.
    assert.ok(summary instanceof Error && /no-rules\.toml/.test(summary.message));
    writeFileSync(path.join(project.dir, 'no-rules.toml'), '');
    const plain = await verify({ from: PAGILA, to: `d1:${project.database}`, config: project.config, cwd: project.dir, configFile: path.join(project.dir, 'no-rules.toml'), rejectDir, tables: ['film'], failuresFile: path.join(project.dir, 'norules.jsonl'), maxFailures: 5 });
    assert.equal(plain.ok, false);
    assert.equal(plain.tables[0].changed, Number(f.n));
    assert.equal(plain.failuresWritten, 5, 'the file is capped; the count is exact');
  });

  test('a tamper of the cast column is caught with both values; so is one in the keyed table', async () => {
    const [film] = await pgQuery<{ film_id: number; s: string; raw: string }>(
      `SELECT film_id, floor(extract(epoch FROM last_update))::bigint AS s, last_update::text AS raw FROM film ORDER BY film_id LIMIT 1`,
    );
    const [pay] = await pgQuery<{ payment_id: number; s: string; amount: string }>(
      `SELECT payment_id, floor(extract(epoch FROM payment_date))::bigint AS s, amount::text FROM payment ORDER BY payment_id LIMIT 1`,
    );
    const db = openForTamper(file);
    try {
      assert.equal(db.prepare(`UPDATE film SET last_update = last_update + 1 WHERE film_id = ?`).run(film.film_id).changes, 1);
      assert.equal(db.prepare(`UPDATE payment SET amount = '999.99' WHERE payment_id = ?`).run(pay.payment_id).changes, 1);
    } finally {
      db.close();
    }
    const failures = path.join(project.dir, 'tampered.jsonl');
    const run = await runVerifyCommand({ from: PAGILA, to: `d1:${project.database}`, config: project.config, configFile, rejectDir, failures, json: true });
    assert.equal(run.code, 1, run.stderr);
    const summary = jsonSummary(run.stdout);
    assert.equal(summary.totals.mismatches, 2);
    const records = readFailures(failures);
    assert.deepEqual(records.find((r) => r.table === 'film'), {
      table: 'film',
      kind: 'changed',
      key: { film_id: film.film_id },
      columns: [{ column: 'last_update', source: Number(film.s), target: Number(film.s) + 1, sourceValue: film.raw }],
    });
    assert.deepEqual(records.find((r) => r.table === 'payment'), {
      table: 'payment',
      kind: 'changed',
      key: { payment_date: Number(pay.s), payment_id: pay.payment_id },
      columns: [{ column: 'amount', source: pay.amount, target: '999.99' }],
    });
  });
});
