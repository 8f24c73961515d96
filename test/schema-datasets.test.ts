// For every sample database: `schema` writes a migration that the real wrangler applies to a
// local D1, whose table/column/index/foreign-key counts equal the source's own catalog minus
// what the plan reported as not carried over; the Drizzle schemas typecheck against drizzle-orm.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { schema } from '../src/index.js';
import { CHINOOK_SQLITE, MYSQL_DATASETS, PG_DATASETS, REPO_ROOT, mysqlUrl, pgUrl } from './helpers/env.js';
import { mysqlCounts, pgCounts, sqliteCounts, type ObjectCounts } from './helpers/source-counts.js';
import { d1Counts, makeWranglerProject, wrangler } from './helpers/wrangler.js';

const cases: { label: string; from: string; counts: () => Promise<ObjectCounts> | ObjectCounts }[] = [
  ...PG_DATASETS.map((db) => ({ label: `postgres ${db}`, from: pgUrl(db), counts: () => pgCounts(pgUrl(db)) })),
  ...MYSQL_DATASETS.map((db) => ({ label: `mysql ${db}`, from: mysqlUrl(db), counts: () => mysqlCounts(mysqlUrl(db)) })),
  { label: 'sqlite chinook', from: CHINOOK_SQLITE, counts: () => sqliteCounts(CHINOOK_SQLITE) },
];

// Generated Drizzle schemas are collected here and typechecked together at the end.
const drizzleDir = path.join(REPO_ROOT, '.tmp/drizzle-check');
rmSync(drizzleDir, { recursive: true, force: true });
mkdirSync(drizzleDir, { recursive: true });

describe('schema applies to a local D1 with the source counts', () => {
  for (const c of cases) {
    test(c.label, async () => {
      const project = makeWranglerProject();
      const result = await schema({ from: c.from, outDir: path.join(project.dir, 'migrations'), drizzle: path.join(drizzleDir, `${c.label.replace(/\W+/g, '_')}.ts`) });
      const sql = readFileSync(result.files.migration, 'utf8');
      assert.doesNotMatch(sql, /^\s*(BEGIN|COMMIT|SAVEPOINT)\b/im, 'D1 rejects transaction statements');
      await wrangler(project, ['d1', 'migrations', 'apply', project.database, '--local']);
      const got = await d1Counts(project);
      const source = await c.counts();
      const notCarried = result.plan.findings.filter((f) => f.code === 'index-not-carried').length;
      assert.deepEqual(got, { ...source, indexes: source.indexes - notCarried });
      assert.equal(result.schema.counts.tables, source.tables);
    });
  }
});

test('generated Drizzle schemas typecheck against drizzle-orm', async () => {
  // node:test runs this file's tests in order: every schema above has been written by now.
  const generated = readdirSync(drizzleDir).filter((f) => f.endsWith('.ts'));
  assert.equal(generated.length, cases.length);
  writeFileSync(
    path.join(drizzleDir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true, skipLibCheck: true, types: [] }, include: ['*.ts'] }),
  );
  await promisify(execFile)(path.join(REPO_ROOT, 'node_modules/.bin/tsc'), ['-p', path.join(drizzleDir, 'tsconfig.json')], { cwd: REPO_ROOT }).catch((e: { stdout?: string }) => {
    assert.fail(`generated Drizzle schemas do not typecheck:\n${e.stdout ?? String(e)}`);
  });
});
