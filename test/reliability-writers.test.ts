// One writer per target. A second copy started on a target another copy is writing is refused
// in one line with exit 2, and the first finishes exact; a lock left by a run that died
// (kill -9) is taken over. Two tables whose names map to the same file name ("t x", t_x) keep
// their own reject files, and verify reads each table's own lines.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { pgUrl } from './helpers/env.js';
import { dropPgDatabase, freshPgDatabase } from './helpers/pg.js';
import { lines, runCliBounded, scratch, startCli } from './helpers/reliability.js';

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
