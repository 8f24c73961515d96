// One writer per target. A second copy started on a target another copy is writing is refused
// in one line with exit 2, and the first finishes exact; a lock left by a run that died
// (kill -9) is taken over. Two tables whose names map to the same file name ("t x", t_x) keep
// their own reject files, and verify reads each table's own lines. The same holds for a KV target
// (a lock file beside its journal) and a postgres:// target (a session advisory lock), and a
// verify started while a copy writes is refused in one line rather than reporting half a copy.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { pgUrl } from './helpers/env.js';
import { dropPgDatabase, freshPgDatabase, withPg } from './helpers/pg.js';
import { testEnv } from './helpers/copy-project.js';
import { makeKvProject } from './helpers/redis-kv.js';
import { lines, runCliBounded, scratch, stallingProxy, startCli } from './helpers/reliability.js';
import { Redis } from 'ioredis';

const ROWS = 200_000;

describe('two writers on one target', () => {
  let dir: string;
  let source: string;
  before(() => {
    dir = scratch('writers');
    source = path.join(dir, 'source.sqlite');
    const db = new Database(source);
    db.exec('CREATE TABLE keyed (id INTEGER PRIMARY KEY, t TEXT); CREATE TABLE loose (a INTEGER, t TEXT)');
    db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS})
             INSERT INTO keyed SELECT i, 'row ' || i FROM n`);
    db.exec('INSERT INTO loose SELECT id % 1000, t FROM keyed');
    db.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the second copy is refused in one line, exit 2, and the first finishes exact', async () => {
    const target = path.join(dir, 'two.sqlite');
    const first = startCli(['copy', '--from', source, '--to', `sqlite:${target}`, '--json', '--batch-size', '25', '--jobs', '1'], { cwd: dir });
    await first.event((e) => e.event === 'progress');
    const second = await runCliBounded(['copy', '--from', source, '--to', `sqlite:${target}`, '--resume'], { cwd: dir });
    assert.equal(second.code, 2);
    assert.equal(lines(second.stderr).length, 1, second.stderr);
    assert.match(second.stderr, /^error: .*being written by another flarelift \(pid \d+/);
    const done = await first.done;
    assert.equal(done.code, 0, done.stderr);
    const db = new Database(target, { readonly: true });
    assert.equal((db.prepare('SELECT count(*) AS n FROM keyed').get() as { n: number }).n, ROWS);
    assert.equal((db.prepare('SELECT count(*) AS n FROM loose').get() as { n: number }).n, ROWS);
    db.close();
    const v = await runCliBounded(['verify', '--from', source, '--to', `sqlite:${target}`], { cwd: dir });
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('-lock')), [], 'the lock goes with the run');
  });

  test('a lock left by a dead run does not block the next one', async () => {
    const target = path.join(dir, 'stale.sqlite');
    const first = startCli(['copy', '--from', source, '--to', `sqlite:${target}`, '--json', '--batch-size', '100'], { cwd: dir });
    await first.event((e) => e.event === 'progress');
    first.child.kill('SIGKILL');
    await first.done;
    const lock = JSON.parse(readFileSync(`${target}.flarelift-lock`, 'utf8')) as { pid: number; host: string };
    assert.equal(lock.host, hostname());
    const resumed = await runCliBounded(['copy', '--from', source, '--to', `sqlite:${target}`, '--resume'], { cwd: dir });
    assert.equal(resumed.code, 0, resumed.stderr);
    const v = await runCliBounded(['verify', '--from', source, '--to', `sqlite:${target}`], { cwd: dir });
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });

  test('a lock held on another host is not taken over; the message says which file to remove', async () => {
    const target = path.join(dir, 'foreign.sqlite');
    writeFileSync(`${target}.flarelift-lock`, JSON.stringify({ pid: 1, host: 'elsewhere', started: '2026-01-01T00:00:00Z' }));
    const r = await runCliBounded(['copy', '--from', source, '--to', `sqlite:${target}`], { cwd: dir });
    assert.equal(r.code, 2);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.ok(r.stderr.includes(`remove ${target}.flarelift-lock`), r.stderr);
  });
});

describe('tables whose names share a file name', () => {
  const DB = 'fl_i8_rejects';
  let dir: string;
  before(async () => {
    dir = scratch('rejects');
    // Rows 3 and 7 of each table hold an integer beyond 64 bits that flarelift.toml asks to store as
    // INTEGER, so copy rejects them.
    const fill = (t: string) => `INSERT INTO ${t} SELECT g, CASE WHEN g IN (3, 7) THEN 10::numeric ^ 25 ELSE g END FROM generate_series(1, 50) g`;
    await freshPgDatabase(DB, ['CREATE TABLE "t x" (id int PRIMARY KEY, n numeric(30,0))', 'CREATE TABLE t_x (id int PRIMARY KEY, n numeric(30,0))', fill('"t x"'), fill('t_x')]);
    writeFileSync(path.join(dir, 'flarelift.toml'), '[[cast]]\ncolumn = "t x.n"\ntransform = "integer"\n\n[[cast]]\ncolumn = "t_x.n"\ntransform = "integer"\n');
  });
  after(async () => {
    await dropPgDatabase(DB);
    rmSync(dir, { recursive: true, force: true });
  });

  test('each table keeps its reject file; verify passes, and a row deleted from "t x" is found', async () => {
    const target = path.join(dir, 'out.sqlite');
    const rejects = path.join(dir, 'rejects');
    const copy = await runCliBounded(['copy', '--from', pgUrl(DB), '--to', `sqlite:${target}`, '--reject-dir', rejects, '--accept-rejects'], { cwd: dir });
    assert.equal(copy.code, 0, copy.stderr);
    const files = readdirSync(rejects).sort();
    assert.equal(files.length, 2, files.join(', '));
    for (const f of files) {
      const records = readFileSync(path.join(rejects, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { table: string });
      assert.equal(records.length, 2);
      assert.equal(new Set(records.map((r) => r.table)).size, 1, `${f} holds one table's lines`);
    }
    const verify = (extra: string[] = []) => runCliBounded(['verify', '--from', pgUrl(DB), '--to', `sqlite:${target}`, '--reject-dir', rejects, '--json', '--accept-rejects', ...extra], { cwd: dir });
    const ok = await verify();
    assert.equal(ok.code, 0, ok.stdout);
    const db = new Database(target);
    db.prepare('DELETE FROM "t x" WHERE id = 10').run();
    db.close();
    const bad = await verify();
    assert.equal(bad.code, 1);
    const tables = (JSON.parse(bad.stdout.trim().split('\n').at(-1)!) as { tables: { name: string; missing: number; rejected: number }[] }).tables;
    assert.deepEqual(
      tables.map((t) => [t.name, t.missing, t.rejected]).sort(),
      [['t x', 1, 2], ['t_x', 0, 2]],
    );
  });
});

/** The one-line refusals a second writer and a verify get while a copy writes `to`. */
async function assertRefused(from: string, to: string, cwd: string, env?: NodeJS.ProcessEnv): Promise<void> {
  const second = await runCliBounded(['copy', '--from', from, '--to', to, '--resume'], { cwd, env });
  assert.equal(second.code, 2, second.stdout + second.stderr);
  assert.equal(lines(second.stderr).length, 1, second.stderr);
  assert.match(second.stderr, /^error: .*being written by another flarelift .*: wait for it to finish/);
  const verify = await runCliBounded(['verify', '--from', from, '--to', to], { cwd, env });
  assert.equal(verify.code, 2, verify.stdout + verify.stderr);
  assert.equal(lines(verify.stderr).length, 1, verify.stderr);
  assert.match(verify.stderr, /^error: .*being written by another flarelift .*: verify once that copy has finished/);
}

describe('two writers on a KV target (Redis db 12 → kv:)', () => {
  const DB = 12;
  const KEYS = 1_000;
  let redis: Redis;
  before(async () => {
    redis = new Redis({ host: '127.0.0.1', port: 6379, db: DB });
    await redis.flushdb();
    const p = redis.pipeline();
    for (let i = 0; i < KEYS; i++) p.set(`w:${i}`, `value ${i}`);
    await p.exec();
  });
  after(async () => {
    await redis.flushdb();
    await redis.quit();
  });

  test('a second copy and a verify are refused in one line while the first writes; the first finishes exact', async () => {
    const project = makeKvProject(['CACHE']);
    const direct = `redis://127.0.0.1:6379/${DB}`;
    // The first copy reads through a proxy that the test holds still: it is mid-copy, for sure,
    // while the others start.
    const proxy = await stallingProxy(6379);
    try {
      const env = testEnv();
      const first = startCli(['copy', '--from', `redis://127.0.0.1:${proxy.port}/${DB}`, '--to', 'kv:CACHE', '--json', '--batch-size', '50', '--jobs', '1'], { cwd: project.dir, env });
      await first.event((e) => e.event === 'progress');
      proxy.stall();
      const lockDir = path.join(project.dir, '.wrangler', 'state', 'v3', 'flarelift');
      assert.equal(readdirSync(lockDir).filter((f) => f.endsWith('.flarelift-lock')).length, 1, 'the lock sits beside the journal');
      await assertRefused(direct, 'kv:CACHE', project.dir, env);
      proxy.flow();
      const done = await first.done;
      assert.equal(done.code, 0, done.stderr);
      assert.equal((done.events.at(-1) as { totals?: { written: number } }).totals?.written, KEYS);
      const v = await runCliBounded(['verify', '--from', direct, '--to', 'kv:CACHE'], { cwd: project.dir, env });
      assert.equal(v.code, 0, v.stdout + v.stderr);
      assert.deepEqual(existsSync(lockDir) ? readdirSync(lockDir).filter((f) => f.endsWith('.flarelift-lock')) : [], [], 'the lock goes with the run');
    } finally {
      proxy.close();
      rmSync(project.dir, { recursive: true, force: true });
    }
  });
});

/** Advisory locks held in this database (pg_locks shows the whole cluster's). */
const ADVISORY_LOCKS = "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";

describe('two writers on a postgres:// target', () => {
  const DB = 'fl_g8_writers';
  const ROWS_PG = 10_000;
  let dir: string;
  let source: string;
  before(async () => {
    dir = scratch('writers-pg');
    source = path.join(dir, 'source.sqlite');
    const db = new Database(source);
    db.exec('CREATE TABLE keyed (id INTEGER PRIMARY KEY, t TEXT)');
    db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS_PG}) INSERT INTO keyed SELECT i, 'row ' || i FROM n`);
    db.close();
    await freshPgDatabase(DB);
  });
  after(async () => {
    await dropPgDatabase(DB);
    rmSync(dir, { recursive: true, force: true });
  });

  test('the advisory lock refuses a second copy and a verify in one line; the first finishes exact', async () => {
    const to = pgUrl(DB);
    const first = startCli(['copy', '--from', source, '--to', to, '--json', '--batch-size', '100', '--jobs', '1'], { cwd: dir });
    await first.event((e) => e.event === 'progress');
    // The test holds the table still (the first copy waits on its next batch) while the others start.
    await withPg(DB, async (c) => {
      await c.query('BEGIN');
      await c.query('LOCK TABLE keyed IN ACCESS EXCLUSIVE MODE');
      try {
        const held = await c.query(ADVISORY_LOCKS);
        assert.equal(held.rows[0].n, 1, 'the first copy holds one advisory lock');
        await assertRefused(source, to, dir);
      } finally {
        await c.query('COMMIT');
      }
    });
    const done = await first.done;
    assert.equal(done.code, 0, done.stderr);
    const v = await runCliBounded(['verify', '--from', source, '--to', to], { cwd: dir });
    assert.equal(v.code, 0, v.stdout + v.stderr);
    const left = await withPg(DB, (c) => c.query(ADVISORY_LOCKS));
    assert.equal(left.rows[0].n, 0, 'the lock goes with the run');
  });
});
