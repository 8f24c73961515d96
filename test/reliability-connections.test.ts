// A source connection lost mid-run: the backend terminated (pg_terminate_backend), the
// connection killed (MySQL KILL), or a proxy in between that stops forwarding (a stall: the
// socket stays open, nothing arrives). Each ends the run in one line with exit 2 — no stack,
// no hang — copy's line says to --resume, and --resume then finishes exact.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import { mysqlUrl, pgUrl } from './helpers/env.js';
import { dropPgDatabase, freshPgDatabase, withPg } from './helpers/pg.js';
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
  async function cutAndResume(name: string, from: string, resumeFrom: string, cut: () => Promise<void>, extra: string[] = []): Promise<string> {
    const target = path.join(dir, `${name}.sqlite`);
    const copy = startCli([...extra, 'copy', '--from', from, '--to', `sqlite:${target}`, '--json', '--batch-size', '100', '--jobs', '1'], { cwd: dir });
    await copy.event((e) => e.event === 'progress');
    await cut();
    const r = await copy.done;
    assert.equal(r.code, 2, r.stderr);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, /^error: .*; every committed batch is kept: run the same copy with --resume to finish$/m);
    const resumed = await runCliBounded(['copy', '--from', resumeFrom, '--to', `sqlite:${target}`, '--resume'], { cwd: dir });
    assert.equal(resumed.code, 0, resumed.stderr);
    const verify = await runCliBounded(['verify', '--from', resumeFrom, '--to', `sqlite:${target}`], { cwd: dir });
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
});
