// Resume after the worst: the CLI copy (bin/flarelift.js) of a scratch database is killed with
// SIGKILL at several points and resumed with --resume until it completes; then every table's
// rows match the source exactly (an md5 over the ordered rows on both sides). Ctrl-C (SIGINT)
// stops cleanly with exit 130 and a resumable journal.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { CLI, makeProject, testEnv, wranglerCounts, type WranglerProject } from './helpers/copy-project.js';
import { pgUrl } from './helpers/env.js';
import { withPg } from './helpers/pg.js';

const DB = 'flarelift_test_copy';
const URL = pgUrl(DB);
const ROWS = 200_000;
const NOKEY_ROWS = 30_000;
const CHILD_ROWS = 5_000;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  events: Record<string, unknown>[];
  stderr: string;
}

/** Runs the CLI copy; `stop` sends `signal` once table big reported that many batches. */
function runCopy(p: WranglerProject, args: string[], stop?: { after: number; signal: NodeJS.Signals }): Promise<Run> {
  const child = spawn(
    process.execPath,
    [CLI, 'copy', '--from', URL, '--to', `d1:${p.database}`, '--config', p.config, '--json', '--batch-size', '2000', '--reject-dir', path.join(p.dir, 'rejects'), ...args],
    { cwd: p.dir, env: testEnv() },
  );
  const events: Record<string, unknown>[] = [];
  let stderr = '';
  let buffer = '';
  let progress = 0;
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.on('data', (d) => {
    buffer += d;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const e = JSON.parse(line) as Record<string, unknown>;
      events.push(e);
      if (e.event === 'progress' && e.table === 'big' && stop && ++progress === stop.after) child.kill(stop.signal);
    }
  });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, events, stderr })));
}

/** The local D1 file of the project (the one sqlite file Miniflare keeps besides its metadata). */
function d1File(p: WranglerProject): string {
  const dir = path.join(p.dir, '.wrangler/state/v3/d1/miniflare-D1DatabaseObject');
  const files = readdirSync(dir).filter((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite');
  assert.equal(files.length, 1);
  return path.join(dir, files[0]);
}

const md5 = (lines: string[]) => createHash('md5').update(lines.join('\n')).digest('hex');
const nul = (v: unknown) => (v === null ? '\\N' : String(v));

/** Source rows, normalized: double precision by its number value, booleans as 1/0, bytea as hex. */
async function sourceDigest(): Promise<{ big: string; child: string; nokey: string }> {
  return withPg(DB, async (c) => {
    const big = await c.query({ text: `SELECT id, t, n, d::float8 AS d, price::text, flag, encode(b, 'hex') AS b FROM big ORDER BY id`, rowMode: 'array' });
    const child = await c.query({ text: `SELECT id, big_id FROM child ORDER BY id`, rowMode: 'array' });
    const nokey = await c.query({ text: `SELECT a, b FROM nokey`, rowMode: 'array' });
    return {
      big: md5(big.rows.map((r) => [r[0], nul(r[1]), r[2], nul(r[3] === null ? null : Number(r[3])), r[4], r[5] ? 1 : 0, nul(r[6])].join('|'))),
      child: md5(child.rows.map((r) => r.join('|'))),
      nokey: md5(nokey.rows.map((r) => r.map(nul).join('|')).sort()),
    };
  });
}

function targetDigest(file: string): { big: string; child: string; nokey: string } {
  const db = new Database(file, { readonly: true });
  try {
    const rows = (sql: string) => db.prepare(sql).raw(true).all() as unknown[][];
    return {
      big: md5(rows(`SELECT id, t, n, d, price, flag, hex(b) FROM big ORDER BY id`).map((r) => [r[0], nul(r[1]), r[2], nul(r[3]), r[4], r[5], r[6] === '' || r[6] === null ? '\\N' : String(r[6]).toLowerCase()].join('|'))),
      child: md5(rows(`SELECT id, big_id FROM child ORDER BY id`).map((r) => r.join('|'))),
      nokey: md5(rows(`SELECT a, b FROM nokey`).map((r) => r.map(nul).join('|')).sort()),
    };
  } finally {
    db.close();
  }
}

describe('copy: killed and resumed, interrupted and resumed', () => {
  before(async () => {
    await withPg('postgres', async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${DB}`);
      await c.query(`CREATE DATABASE ${DB}`);
    });
    await withPg(DB, async (c) => {
      await c.query(`CREATE TABLE big (id bigint PRIMARY KEY, t text, n integer NOT NULL, d double precision, price numeric(12,2) NOT NULL, flag boolean NOT NULL, b bytea)`);
      await c.query(`INSERT INTO big SELECT g, CASE WHEN g % 11 = 0 THEN NULL ELSE 'row ' || g || ' it''s ✓ ' || md5(g::text) END, g % 1000,
                       CASE WHEN g % 13 = 0 THEN NULL ELSE g / 7.0 END, (g % 10000) / 100.0, g % 2 = 0,
                       CASE WHEN g % 5 = 0 THEN NULL ELSE decode(md5(g::text), 'hex') END
                     FROM generate_series(1, ${ROWS}) g`);
      await c.query(`CREATE TABLE child (id integer PRIMARY KEY, big_id bigint NOT NULL REFERENCES big (id))`);
      await c.query(`INSERT INTO child SELECT g, (g * 37) % ${ROWS} + 1 FROM generate_series(1, ${CHILD_ROWS}) g`);
      await c.query(`CREATE TABLE nokey (a integer, b text)`);
      await c.query(`INSERT INTO nokey SELECT g % 100, CASE WHEN g % 3 = 0 THEN NULL ELSE 'n' || g END FROM generate_series(1, ${NOKEY_ROWS}) g`);
      await c.query('ANALYZE');
    });
  });
  after(async () => {
    await withPg('postgres', (c) => c.query(`DROP DATABASE IF EXISTS ${DB}`));
  });

  test('SIGKILL at several points, --resume each time: no row missing, none twice', async () => {
    const p = makeProject();
    try {
      const first = await runCopy(p, [], { after: 3, signal: 'SIGKILL' });
      assert.equal(first.signal, 'SIGKILL');

      const refused = await runCopy(p, []);
      assert.equal(refused.code, 2, 'a target with an unfinished copy needs --resume');
      assert.match(refused.stderr, /unfinished copy: pass --resume/);

      let last: Run | undefined;
      let kills = 1;
      let continuedBig = 0;
      for (const after of [5, 12, 20, 9]) {
        last = await runCopy(p, ['--resume'], { after, signal: 'SIGKILL' });
        const start = last.events.find((e) => e.event === 'start');
        assert.equal(start?.resumed, true, 'each run continues the journal');
        const big = last.events.find((e) => e.event === 'table-start' && e.table === 'big');
        if (big && Number(big.rows) > 0) continuedBig++;
        if (last.code === 0) break; // finished before the kill point
        assert.equal(last.signal, 'SIGKILL');
        kills++;
      }
      assert.ok(kills >= 3, `killed ${kills} times`);
      assert.ok(continuedBig >= 2, 'big continued from its journal key more than once');
      if (last?.code !== 0) last = await runCopy(p, ['--resume']);
      assert.equal(last.code, 0, last.stderr);
      const summary = last.events[last.events.length - 1] as { status: string; tables: { name: string; read: number; written: number; rejected: number }[] };
      assert.equal(summary.status, 'complete');
      for (const t of summary.tables) assert.equal(t.read, t.written + t.rejected, t.name);

      const counts = await wranglerCounts(p, ['big', 'child', 'nokey']);
      assert.deepEqual(Object.fromEntries(counts), { big: ROWS, child: CHILD_ROWS, nokey: NOKEY_ROWS });
      assert.deepEqual(targetDigest(d1File(p)), await sourceDigest());
      const db = new Database(d1File(p), { readonly: true });
      assert.equal(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'flarelift_copy_journal'`).pluck().get(), 0, 'journal dropped');
      db.close();
    } finally {
      rmSync(p.dir, { recursive: true, force: true });
    }
  });

  test('SIGINT stops after the current batch with exit 130; --resume finishes', async () => {
    const p = makeProject();
    try {
      const stopped = await runCopy(p, [], { after: 4, signal: 'SIGINT' });
      assert.equal(stopped.code, 130, stopped.stderr);
      assert.match(stopped.stderr, /interrupted/);
      const summary = stopped.events[stopped.events.length - 1] as { status: string; tables: { read: number; written: number; rejected: number }[] };
      assert.equal(summary.status, 'interrupted');
      for (const t of summary.tables) assert.equal(t.read, t.written + t.rejected);

      const done = await runCopy(p, ['--resume']);
      assert.equal(done.code, 0, done.stderr);
      assert.deepEqual(targetDigest(d1File(p)), await sourceDigest());
    } finally {
      rmSync(p.dir, { recursive: true, force: true });
    }
  });
});
