// A source connection lost mid-run: the backend terminated (pg_terminate_backend), the
// connection killed (MySQL KILL), or a proxy in between that stops forwarding (a stall: the
// socket stays open, nothing arrives). Each ends the run in one line with exit 2 — no stack,
// no hang — copy's line says to --resume, and --resume then finishes exact.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import Database from 'better-sqlite3';
import { mysqlUrl, pgUrl } from './helpers/env.js';
import { dropPgDatabase, freshPgDatabase, withPg } from './helpers/pg.js';
import { startS3Server, type S3Server } from './helpers/s3-server.js';
import { lines, runCliBounded, scratch, stallingProxy, startCli } from './helpers/reliability.js';

const DB = 'fl_i8_conn';
const ROWS = 120_000;

async function withMysql<T>(fn: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const c = await mysql.createConnection(mysqlUrl('mysql'));
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Units per batch: a bucket's objects are few, so its batches are small enough to cut mid-copy. */
const batchFor = (to: string) => (to.startsWith('s3:') ? '10' : '100');

const viaProxy = (url: string, port: number) => url.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`);

describe('lost source connections', () => {
  let dir: string;
  const pgSource = pgUrl(DB);
  const mySource = mysqlUrl(DB);
  before(async () => {
    dir = scratch('conn');
    await freshPgDatabase(DB, [
      'CREATE TABLE big (id int PRIMARY KEY, t text)',
      `INSERT INTO big SELECT g, repeat('x', 40) || g FROM generate_series(1, ${ROWS}) g`,
      'CREATE TABLE loose (a int, t text)',
      "INSERT INTO loose SELECT g % 100, 'y' FROM generate_series(1, 20000) g",
    ]);
    await withMysql(async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${DB}`);
      await c.query(`CREATE DATABASE ${DB}`);
      await c.query(`CREATE TABLE ${DB}.big (id INT PRIMARY KEY, t TEXT)`);
      await c.query(`INSERT INTO ${DB}.big SELECT seq, CONCAT(REPEAT('x', 40), seq) FROM seq_1_to_${ROWS}`);
    });
  });
  after(async () => {
    await dropPgDatabase(DB);
    await withMysql((c) => c.query(`DROP DATABASE IF EXISTS ${DB}`));
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts a copy, runs `cut` once rows are flowing, and checks the one-line end and the exact resume. */
  async function cutAndResume(name: string, from: string, resumeFrom: string, cut: () => Promise<void>, extra: string[] = [], to = `sqlite:${path.join(dir, `${name}.sqlite`)}`, env?: NodeJS.ProcessEnv): Promise<string> {
    const copy = startCli([...extra, 'copy', '--from', from, '--to', to, '--json', '--batch-size', batchFor(to), '--jobs', '1'], { cwd: dir, env });
    await copy.event((e) => e.event === 'progress');
    await cut();
    const r = await copy.done;
    assert.equal(r.code, 2, r.stderr);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, /^error: .*; every committed batch is kept: run the same copy with --resume to finish$/m);
    const resumed = await runCliBounded(['copy', '--from', resumeFrom, '--to', to, '--resume'], { cwd: dir, env });
    assert.equal(resumed.code, 0, resumed.stderr);
    const verify = await runCliBounded(['verify', '--from', resumeFrom, '--to', to], { cwd: dir, env });
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    return r.stderr;
  }

  const terminatePg = () => withPg('postgres', (c) => c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'flarelift' AND datname = $1", [DB])).then(() => undefined);

  test('PostgreSQL: pg_terminate_backend during copy, then during verify', async () => {
    const line = await cutAndResume('pg-terminate', pgSource, pgSource, terminatePg);
    assert.match(line, /PostgreSQL at 127\.0\.0\.1:\d+ (ended|closed) the connection/);
    const target = path.join(dir, 'pg-terminate.sqlite');
    const verify = startCli(['verify', '--from', pgSource, '--to', `sqlite:${target}`, '--json', '--chunk-rows', '100', '--jobs', '1'], { cwd: dir });
    await verify.event((e) => e.event === 'progress');
    await terminatePg();
    const r = await verify.done;
    assert.equal(r.code, 2, r.stderr);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, /run verify again/);
  });

  test('MySQL: KILL of the reading connection during copy', async () => {
    const line = await cutAndResume('my-kill', mySource, mySource, () =>
      withMysql(async (c) => {
        const [rows] = await c.query('SELECT id FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()', [DB]);
        for (const { id } of rows as { id: number }[]) await c.query(`KILL ${Number(id)}`).catch(() => undefined);
      }),
    );
    assert.match(line, /lost the connection to MySQL/);
  });

  test('MySQL: SIGKILL of the copy, then --resume finishes exact', async () => {
    const target = path.join(dir, 'my-sigkill.sqlite');
    const args = ['copy', '--from', mySource, '--to', `sqlite:${target}`, '--json', '--batch-size', '500', '--jobs', '1'];
    const first = startCli(args, { cwd: dir });
    await first.event((e) => e.event === 'progress' && Number(e.rows) >= 10_000);
    first.child.kill('SIGKILL');
    const killed = await first.done;
    assert.equal(killed.signal, 'SIGKILL');
    const partial = new Database(target, { readonly: true });
    const journal = partial.prepare('SELECT count(*) AS n FROM flarelift_copy_journal').get() as { n: number };
    const copied = partial.prepare('SELECT count(*) AS n FROM big').get() as { n: number };
    partial.close();
    assert.ok(journal.n > 0 && copied.n < ROWS, `the kill left an unfinished journal (${copied.n} rows in the target)`);
    const resumed = await runCliBounded([...args, '--resume'], { cwd: dir });
    assert.equal(resumed.code, 0, resumed.stderr);
    const summary = resumed.events.at(-1) as { totals: { read: number; written: number } };
    assert.deepEqual([summary.totals.read, summary.totals.written], [ROWS, ROWS], 'nothing read or written twice');
    const db = new Database(target, { readonly: true });
    assert.equal((db.prepare('SELECT count(*) AS n FROM big').get() as { n: number }).n, ROWS);
    db.close();
    const verify = await runCliBounded(['verify', '--from', mySource, '--to', `sqlite:${target}`], { cwd: dir });
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  });

  for (const [engine, url, port] of [['PostgreSQL', pgSource, 5432], ['MySQL', mySource, 3306]] as const) {
    test(`${engine}: a proxy that stops forwarding ends the copy after --stall-timeout`, async () => {
      const proxy = await stallingProxy(port);
      try {
        const line = await cutAndResume(`${engine}-stall`, viaProxy(url, proxy.port), url, async () => proxy.stall(), ['--stall-timeout', '2']);
        assert.match(line, new RegExp(`${engine} at 127\\.0\\.0\\.1:${proxy.port} stopped answering: nothing received for 2s`));
      } finally {
        proxy.close();
      }
    });
  }

  describe('Redis (db 13 → kvjson:)', () => {
    const REDIS_DB = 13;
    const KEYS = 20_000;
    const redisSource = `redis://127.0.0.1:6379/${REDIS_DB}`;
    let redis: Redis;
    before(async () => {
      redis = new Redis({ host: '127.0.0.1', port: 6379, db: REDIS_DB });
      await redis.flushdb();
      for (let start = 0; start < KEYS; start += 5_000) {
        const p = redis.pipeline();
        for (let i = start; i < start + 5_000; i++) {
          if (i % 10 === 0) p.hset(`h:${i}`, 'n', String(i));
          else p.set(`s:${i}`, `value ${i} ${'x'.repeat(i % 40)}`);
        }
        await p.exec();
      }
    });
    after(async () => {
      await redis.flushdb();
      await redis.quit();
    });

    test('CLIENT KILL of the reading connection during copy', async () => {
      const line = await cutAndResume(
        'redis-kill',
        redisSource,
        redisSource,
        async () => {
          // Only flarelift's connection: the one on this database that is not the test's own.
          const own = Number(await redis.client('ID'));
          const list = String(await redis.client('LIST'));
          const ids = [...list.matchAll(/^id=(\d+) .* db=(\d+) /gm)].filter((m) => Number(m[2]) === REDIS_DB && Number(m[1]) !== own).map((m) => m[1]);
          assert.ok(ids.length > 0, list);
          for (const id of ids) await redis.client('KILL', 'ID', id);
        },
        [],
        `kvjson:${path.join(dir, 'redis-kill')}`,
      );
      assert.match(line, /lost the connection to Redis at redis:\/\/127\.0\.0\.1:6379\/13: the server closed it/);
    });

    test('a proxy that stops forwarding ends the copy after --stall-timeout', async () => {
      const proxy = await stallingProxy(6379);
      try {
        const line = await cutAndResume('redis-stall', `redis://127.0.0.1:${proxy.port}/${REDIS_DB}`, redisSource, async () => proxy.stall(), ['--stall-timeout', '2'], `kvjson:${path.join(dir, 'redis-stall')}`);
        assert.match(line, new RegExp(`Redis at redis://127\\.0\\.0\\.1:${proxy.port}/13 stopped answering: nothing received for 2s`));
      } finally {
        proxy.close();
      }
    });
  });

  describe('S3 (s3rver → s3://)', () => {
    const OBJECTS = 200;
    let s3: S3Server;
    before(async () => {
      s3 = await startS3Server();
      const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
      for (const Bucket of ['fl-g8-src', 'fl-g8-back']) await client.send(new CreateBucketCommand({ Bucket }));
      for (let i = 0; i < OBJECTS; i++) await client.send(new PutObjectCommand({ Bucket: 'fl-g8-src', Key: `o/${String(i).padStart(4, '0')}`, Body: `object ${i} ${'z'.repeat(i)}` }));
      client.destroy();
    });
    after(() => s3?.stop());

    test('a proxy that stops forwarding ends the copy after --stall-timeout (every attempt)', async () => {
      const proxy = await stallingProxy(Number(new URL(s3.endpoint).port));
      try {
        const source = (endpoint: string) => `s3://fl-g8-src?endpoint=${encodeURIComponent(endpoint)}`;
        const to = `s3://fl-g8-back?endpoint=${encodeURIComponent(s3.endpoint)}`;
        const line = await cutAndResume('s3-stall', source(`http://127.0.0.1:${proxy.port}`), source(s3.endpoint), async () => proxy.stall(), ['--stall-timeout', '1'], to, s3.env);
        assert.match(line, /s3:\/\/fl-g8-src at http:\/\/127\.0\.0\.1:\d+: .*the endpoint stopped answering: nothing received for 1s/);
      } finally {
        proxy.close();
      }
    });
  });
});
