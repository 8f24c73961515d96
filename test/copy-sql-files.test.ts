// The sql: target's import files for Pagila: they load into a fresh local D1 with the real
// `wrangler d1 execute --local --file`, file by file in manifest order, giving the source's
// counts; and they go through a fake remote D1 that enforces D1's limits (--remote), resumably.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { copy } from '../src/pipeline/copy.js';
import type { Manifest } from '../src/targets/sql-files/sql-manifest.js';
import { installFakeWrangler, makeProject, testEnv, wranglerCounts, wranglerFile, type WranglerProject } from './helpers/copy-project.js';
import { pgRowCounts } from './helpers/copy-sources.js';
import { pgUrl } from './helpers/env.js';

const PAGILA = pgUrl('pagila');
const work = mkdtempSync(path.join(os.tmpdir(), 'flarelift-sqlfiles-'));
const saved = { ...process.env };
let source: Map<string, number>;

/**
 * Foreign keys between Pagila's tables as (child, parent), from Postgres itself. Keys declared
 * only on partitions (payment_p2022_*) are not the parent's, and are not D1's either.
 */
async function pagilaForeignKeys(): Promise<[string, string][]> {
  const c = new pg.Client(PAGILA);
  await c.connect();
  try {
    const r = await c.query<{ child: string; parent: string }>(
      `SELECT DISTINCT ch.relname AS child, pa.relname AS parent
         FROM pg_constraint k JOIN pg_class ch ON ch.oid = k.conrelid JOIN pg_class pa ON pa.oid = k.confrelid
        WHERE k.contype = 'f' AND NOT ch.relispartition AND NOT pa.relispartition`,
    );
    return r.rows.filter((x) => x.child !== x.parent).map((x) => [x.child, x.parent]);
  } finally {
    await c.end();
  }
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
}

describe('copy --to sql:<dir> (Pagila)', () => {
  const dir = path.join(work, 'sql');
  before(async () => {
    Object.assign(process.env, testEnv());
    source = await pgRowCounts(PAGILA);
    const summary = await copy({ from: PAGILA, to: `sql:${dir}`, rejectDir: path.join(work, 'rejects') });
    assert.equal(summary.status, 'complete');
    assert.equal(summary.totals.rejected, 0);
  });
  after(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    rmSync(work, { recursive: true, force: true });
  });

  test('the manifest lists every file in foreign-key-safe order, with rows and key ranges', async () => {
    const m = readManifest(dir);
    assert.equal(m.complete, true);
    assert.equal(m.files[0].kind, 'schema');
    const data = m.files.filter((f) => f.kind === 'data');
    for (const [table, n] of source) {
      const rows = data.filter((f) => f.table === table).reduce((s, f) => s + (f.rows ?? 0), 0);
      assert.equal(rows, n, `${table}: the manifest's rows add up to the source's count`);
    }
    const position = (t: string) => m.files.findIndex((f) => f.table === t);
    const last = (t: string) => m.files.map((f) => f.table).lastIndexOf(t);
    for (const [child, parent] of await pagilaForeignKeys()) {
      if (source.get(child) && source.get(parent)) assert.ok(last(parent) < position(child), `${parent} is loaded before ${child}`);
    }
    for (const f of data) {
      const text = readFileSync(path.join(dir, f.file), 'utf8');
      assert.ok(text.startsWith('PRAGMA defer_foreign_keys = on;\n'), `${f.file} starts by deferring foreign keys`);
      assert.doesNotMatch(text, /^(BEGIN|COMMIT|SAVEPOINT|RELEASE)\b/im, `${f.file} has no transaction statement`);
      if (f.firstKey !== undefined) assert.ok(Array.isArray(f.firstKey) && Array.isArray(f.lastKey), `${f.file} has a key range`);
    }
  });

  test('loaded file by file with the real wrangler --local --file, the local D1 has the source counts', async () => {
    const project: WranglerProject = makeProject();
    try {
      for (const f of readManifest(dir).files) await wranglerFile(project, path.join(dir, f.file));
      const seen = await wranglerCounts(project, [...source.keys()]);
      for (const [table, n] of source) assert.equal(seen.get(table), n, table);
    } finally {
      rmSync(project.dir, { recursive: true, force: true });
    }
  });
});

describe('copy --to d1:<db> --remote through a fake D1 that enforces the limits', () => {
  const bin = mkdtempSync(path.join(os.tmpdir(), 'flarelift-fakebin-'));
  const shim = installFakeWrangler(bin);
  const fakeDir = path.join(bin, 'd1');
  const log = path.join(bin, 'calls.jsonl');
  const fakeEnv = { FLARELIFT_WRANGLER: shim, FAKE_D1_DIR: fakeDir, FAKE_D1_LOG: log };
  before(async () => {
    Object.assign(process.env, testEnv(fakeEnv));
    source ??= await pgRowCounts(PAGILA);
  });
  after(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    rmSync(bin, { recursive: true, force: true });
  });

  test('the fake refuses what D1 refuses', () => {
    const sql = path.join(bin, 'bad.sql');
    const attempt = (text: string) => {
      writeFileSync(sql, text);
      try {
        const env = { ...testEnv(fakeEnv), FAKE_D1_LOG: '' }; // not in the copy test's log
        execFileSync(shim, ['d1', 'execute', 'limits', '--remote', '--file', sql, '--yes'], { env, stdio: 'pipe' });
        return 'applied';
      } catch (e) {
        return String((e as { stderr: Buffer }).stderr);
      }
    };
    assert.equal(attempt('CREATE TABLE t (x TEXT);'), 'applied');
    assert.match(attempt(`INSERT INTO t VALUES ('${'a'.repeat(100_000)}');`), /statement too long/);
    assert.match(attempt(`BEGIN TRANSACTION; INSERT INTO t VALUES ('a'); COMMIT;`), /transaction/);
    const parts = Array.from({ length: 25 }, () => `UPDATE t SET x = x || '${'b'.repeat(90_000)}';`);
    assert.match(attempt(`INSERT INTO t VALUES ('');\n${parts.join('\n')}`), /row too big/);
  });

  test('a copy whose file fails midway resumes with the files not yet applied, and lands whole', async () => {
    const project = makeProject();
    try {
      const options = { from: PAGILA, to: `d1:${project.database}`, remote: true, config: project.config, cwd: project.dir, fileBytes: 150_000, batchSize: 1000, rejectDir: path.join(project.dir, 'rejects') };
      process.env.FAKE_D1_FAIL_FILE = '-rental-0003';
      await assert.rejects(copy(options), /wrangler failed applying .*rental-0003.*simulated failure/);
      delete process.env.FAKE_D1_FAIL_FILE;
      await assert.rejects(copy(options), /unfinished copy: pass --resume/);
      const summary = await copy({ ...options, resume: true });
      assert.equal(summary.status, 'complete');

      const calls = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { file?: string });
      const sent = calls.filter((c) => c.file).map((c) => path.basename(c.file!));
      const failedAt = sent.findIndex((f) => f.includes('-rental-0003'));
      assert.ok(failedAt > 0, 'the failing file was sent');
      assert.deepEqual(sent.filter((f, i) => sent.indexOf(f) !== i), [sent[failedAt]], 'only the file that failed was sent twice');
      assert.ok(sent.filter((f) => f.includes('-rental-')).length > 3, 'rental was split over several files');

      const db = new Database(path.join(fakeDir, `${project.database}.sqlite`), { readonly: true });
      try {
        for (const [table, n] of source) {
          assert.equal(Number(db.prepare(`SELECT count(*) FROM "${table}"`).pluck().get()), n, table);
        }
        assert.deepEqual(db.prepare(`PRAGMA foreign_key_check`).all(), []);
      } finally {
        db.close();
      }
      assert.equal(existsSync(path.join(project.dir, '.wrangler', 'flarelift', `remote-${project.database}`)), false, 'the work directory is removed once all is applied');
    } finally {
      rmSync(project.dir, { recursive: true, force: true });
    }
  });
});
