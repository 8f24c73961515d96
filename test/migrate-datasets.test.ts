// `migrate` on every sample database ends with verify reporting zero mismatches, through the
// real CLI entry point, and the local D1 it wrote reads back through the real wrangler.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
import { runCli } from './helpers/cli.js';
import { CHINOOK_SQLITE, MYSQL_DATASETS, PG_DATASETS, mysqlUrl, pgUrl } from './helpers/env.js';
import { d1Query, makeWranglerProject } from './helpers/wrangler.js';

const cases = [
  ...PG_DATASETS.map((db) => ({ label: `postgres ${db}`, from: pgUrl(db) })),
  ...MYSQL_DATASETS.map((db) => ({ label: `mysql ${db}`, from: mysqlUrl(db) })),
  { label: 'sqlite chinook', from: CHINOOK_SQLITE },
];

interface MigrateJson {
  status: string;
  plan: { totals: { blockers: number } };
  copy: { totals: { read: number; written: number; rejected: number } };
  verify: { ok: boolean; totals: { mismatches: number; sourceRows: number; targetRows: number; rejected: number }; tables: { name: string; targetRows: number }[] };
}

describe('migrate proves every dataset', () => {
  for (const c of cases) {
    test(c.label, async () => {
      const project = makeWranglerProject();
      const r = await runCli(['migrate', '--from', c.from, '--to', `d1:${project.database}`, '--json', '--reject-dir', path.join(project.dir, 'rejects'), '--failures', path.join(project.dir, 'failures.jsonl')], { cwd: project.dir });
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      // JSON events, one per line, then the result object (pretty-printed over several lines).
      const result = JSON.parse(lines.slice(lines.findIndex((l) => l === '{')).join('\n')) as MigrateJson;
      assert.equal(result.status, 'verified');
      assert.equal(result.verify.ok, true);
      assert.equal(result.verify.totals.mismatches, 0);
      assert.equal(result.copy.totals.read, result.copy.totals.written + result.copy.totals.rejected);
      // What verify counted in the target is what wrangler sees in the local D1.
      const biggest = [...result.verify.tables].sort((a, b) => b.targetRows - a.targetRows)[0]!;
      const [row] = await d1Query<{ n: number }>(project, `SELECT count(*) AS n FROM "${biggest.name}"`);
      assert.equal(row!.n, biggest.targetRows);
    });
  }
});

describe('a lossy cast chosen in flarelift.toml', () => {
  test('timestamps as unix seconds: the plan lists it as lossy, migrate verifies clean', async () => {
    const project = makeWranglerProject();
    writeFileSync(path.join(project.dir, 'flarelift.toml'), '[[cast]]\ntype = ["timestamp", "timestamptz"]\ntransform = "unix_seconds"\n');
    const planRun = await runCli(['plan', '--from', pgUrl('pagila'), '--json', '--no-measure'], { cwd: project.dir });
    assert.equal(planRun.code, 0, planRun.stderr);
    const planJson = JSON.parse(planRun.stdout) as { findings: { code: string; object: string; message: string }[]; tables: { name: string; columns: { name: string; transform: string; lossy?: string }[] }[] };
    const lastUpdate = planJson.tables.find((t) => t.name === 'film')!.columns.find((c) => c.name === 'last_update')!;
    assert.equal(lastUpdate.transform, 'unix_seconds');
    assert.match(lastUpdate.lossy ?? '', /drop/);
    assert.ok(planJson.findings.some((f) => f.code === 'lossy-cast' && f.object === 'film.last_update' && /unix_seconds/.test(f.message)));

    const r = await runCli(['migrate', '--from', pgUrl('pagila'), '--to', `d1:${project.database}`], { cwd: project.dir });
    assert.equal(r.code, 0, r.stdout.slice(-2000) + r.stderr);
    assert.match(r.stdout, /PROVEN/);
    // What D1 holds is whole seconds, as the rule says.
    const [row] = await d1Query<{ t: string }>(project, 'SELECT typeof(last_update) AS t FROM film LIMIT 1');
    assert.equal(row!.t, 'integer');
  });
});

describe('demo', () => {
  test('runs with no database server, migrates the bundled Chinook and proves it', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'flarelift-demo-test-')), 'project');
    // Point every server variable at a closed port: the demo must not need them.
    const r = await runCli(['demo', '--dir', dir], { env: { PGHOST: '127.0.0.1', PGPORT: '1', MYSQL_PORT: '1' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /PROVEN: the target holds exactly the source's \d+ rows/);
    assert.match(r.stdout, /npx wrangler d1 execute chinook --local --config /);
    // The same Chinook script is loaded into the real server by load.sh: its counts are the reference.
    const client = new pg.Client(pgUrl('chinook'));
    await client.connect();
    const expected = Number((await client.query('SELECT count(*) n FROM track')).rows[0].n);
    await client.end();
    const [row] = await d1Query<{ n: number }>({ dir, database: 'chinook' }, 'SELECT count(*) AS n FROM track');
    assert.equal(row!.n, expected);
  });
});
