// Keys that hold NULLs (SQLite lets a TEXT or composite primary key hold any number of them):
// killed with SIGKILL mid-copy, `copy --resume` must finish exact — not resume `WHERE k > NULL`
// and lose the rest — and verify must compare every row (a deleted row is found, a correct copy
// passes). The plan says how many rows hold NULL in the key and what copy and verify do.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { runCliBounded, scratch, startCli } from './helpers/reliability.js';

const ROWS = 60_000;

describe('keys holding NULLs', () => {
  let dir: string;
  let source: string;
  let target: string;
  before(() => {
    dir = scratch('keys');
    source = path.join(dir, 'source.sqlite');
    target = path.join(dir, 'target.sqlite');
    const db = new Database(source);
    db.exec('CREATE TABLE single (k TEXT PRIMARY KEY, v INTEGER)');
    db.exec('CREATE TABLE pair (a TEXT, b INTEGER, v INTEGER, PRIMARY KEY (a, b))');
    const one = db.prepare('INSERT INTO single VALUES (?, ?)');
    const two = db.prepare('INSERT INTO pair VALUES (?, ?, ?)');
    db.transaction(() => {
      for (let i = 0; i < ROWS; i++) {
        // NULL keys spread through the table, the first row among them
        one.run(i % 50 === 0 ? null : `k${String(i).padStart(7, '0')}`, i);
        two.run(i % 40 === 0 ? null : `a${i % 7}`, i % 40 === 0 ? i % 3 : i, i);
      }
    })();
    db.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('plan reports the NULLs in key columns and what copy and verify do about them', async () => {
    const r = await runCliBounded(['plan', '--from', source, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as { tables: { name: string; keyNulls?: number }[]; findings: { code: string; object: string; message: string }[] };
    assert.equal(plan.tables.find((t) => t.name === 'single')?.keyNulls, ROWS / 50);
    assert.equal(plan.tables.find((t) => t.name === 'pair')?.keyNulls, ROWS / 40);
    const findings = plan.findings.filter((f) => f.code === 'null-in-key');
    assert.deepEqual(findings.map((f) => f.object).sort(), ['pair', 'single']);
    for (const f of findings) assert.match(f.message, /restarts it whole on resume.*multiset/);
  });

  test('killed mid-copy, --resume finishes exact and verify proves it; a deleted row is found', async () => {
    const args = ['copy', '--from', source, '--to', `sqlite:${target}`, '--json', '--batch-size', '200', '--jobs', '1'];
    const first = startCli(args, { cwd: dir });
    await first.event((e) => e.event === 'progress' && Number(e.rows) >= 1_000);
    first.child.kill('SIGKILL');
    const killed = await first.done;
    assert.equal(killed.signal, 'SIGKILL');
    const partial = new Database(target, { readonly: true });
    const journal = partial.prepare('SELECT count(*) AS n FROM flarelift_copy_journal').get() as { n: number };
    partial.close();
    assert.ok(journal.n > 0, 'the kill left an unfinished journal');

    const resumed = await runCliBounded([...args, '--resume'], { cwd: dir });
    assert.equal(resumed.code, 0, resumed.stderr);
    const db = new Database(target, { readonly: true });
    for (const t of ['single', 'pair']) {
      assert.equal((db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n, ROWS, t);
    }
    assert.equal((db.prepare('SELECT count(*) AS n FROM single WHERE k IS NULL').get() as { n: number }).n, ROWS / 50);
    db.close();

    const ok = await runCliBounded(['verify', '--from', source, '--to', `sqlite:${target}`, '--json'], { cwd: dir });
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const summary = JSON.parse(ok.stdout.trim().split('\n').at(-1)!) as { ok: boolean; totals: { sourceRows: number; mismatches: number } };
    assert.equal(summary.ok, true);
    assert.equal(summary.totals.sourceRows, 2 * ROWS);

    const w = new Database(target);
    w.prepare('DELETE FROM single WHERE k IS NULL AND v = 100').run();
    w.prepare('DELETE FROM pair WHERE a IS NULL AND v = 400').run();
    w.close();
    const bad = await runCliBounded(['verify', '--from', source, '--to', `sqlite:${target}`, '--json'], { cwd: dir });
    assert.equal(bad.code, 1, bad.stderr);
    const tables = (JSON.parse(bad.stdout.trim().split('\n').at(-1)!) as { tables: { name: string; missing: number; extra: number }[] }).tables;
    for (const t of tables) assert.deepEqual([t.name, t.missing, t.extra], [t.name, 1, 0]);
  });
});
