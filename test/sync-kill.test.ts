// `flarelift sync` killed with SIGKILL while it applies chunks, then `--resume`: the counts carry
// on from the sync journal (nothing counted twice, nothing lost) and the sync ends proven with
// the source's exact content. A scratch SQLite source with a larger table, so the kill lands
// mid-flight, and a keyless table beside it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { runCli } from './helpers/cli.js';
import { CLI, testEnv } from './helpers/copy-project.js';
import { killAtProgress } from './helpers/processes.js';
import { assertProven, changes, runSync } from './helpers/sync.js';

const ROWS = 150_000;

/** Runs sync --json and sends SIGKILL once table big reported `after` progress events. */
function syncKilled(dir: string, args: string[], after: number): Promise<{ signal: NodeJS.Signals | null; progress: number }> {
  return killAtProgress(spawn(process.execPath, [CLI, 'sync', '--json', ...args], { cwd: dir, env: testEnv() }), 'big', after);
}

/** Every row of a table in key order (or sorted, without a key), as one text. */
function content(file: string, sql: string): string {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(sql).raw(true).all() as unknown[][]).map((r) => r.join('|')).join('\n');
  } finally {
    db.close();
  }
}

describe('sync: kill -9 and --resume', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flarelift-sync-kill-'));
  const src = path.join(dir, 'src.sqlite');
  const out = path.join(dir, 'out.sqlite');
  const args = ['--from', src, '--to', `sqlite:${out}`, '--chunk-rows', '1000', '--jobs', '1', '--failures', path.join(dir, 'f.jsonl')];
  before(() => {
    const db = new Database(src);
    db.exec(`CREATE TABLE big (id INTEGER PRIMARY KEY, t TEXT NOT NULL, n INTEGER, r REAL)`);
    db.exec(`CREATE TABLE loose (a INTEGER, b TEXT)`);
    db.exec(`WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ${ROWS})
             INSERT INTO big SELECT i, 'row ' || i || ' ' || hex(randomblob(8)), i % 1000, i / 7.0 FROM g`);
    db.exec(`WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 3000) INSERT INTO loose SELECT i % 50, 'l' || (i % 70) FROM g`);
    db.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('SIGKILL mid-sync, --resume: exact counts, proven, same content', async () => {
    const copied = await runCli(['copy', '--from', src, '--to', `sqlite:${out}`], { cwd: dir, env: testEnv() });
    assert.equal(copied.code, 0, copied.stderr);
    const db = new Database(src);
    const count = (sql: string) => Number(db.prepare(sql).pluck().get());
    const deleted = count(`SELECT count(*) FROM big WHERE id % 89 = 0`);
    const updated = count(`SELECT count(*) FROM big WHERE id % 97 = 0 AND id % 89 <> 0`);
    db.exec(`UPDATE big SET t = t || ' changed', n = NULL WHERE id % 97 = 0`);
    db.exec(`DELETE FROM big WHERE id % 89 = 0`);
    db.exec(`WITH RECURSIVE g(i) AS (SELECT ${ROWS + 1} UNION ALL SELECT i + 1 FROM g WHERE i < ${ROWS + 700}) INSERT INTO big SELECT i, 'new ' || i, 1, NULL FROM g`);
    db.exec(`INSERT INTO loose VALUES (1, 'l1'), (999, 'new'); DELETE FROM loose WHERE a = 7`);
    const looseDeleted = 60; // 3,000 rows, a = i % 50: 60 rows with a = 7
    db.close();

    const killed = await syncKilled(dir, args, 40);
    assert.equal(killed.signal, 'SIGKILL', 'killed mid-flight');
    const journal = new Database(out, { readonly: true });
    const applied = journal.prepare(`SELECT inserted + updated + deleted FROM flarelift_sync_journal WHERE table_name = 'big'`).pluck().get() as number;
    journal.close();
    assert.ok(applied > 0 && applied < deleted + updated + 700, `some chunks applied before the kill (${applied})`);

    const refused = await runCli(['sync', ...args], { cwd: dir, env: testEnv() });
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr.trim(), /unfinished sync: pass --resume/);

    const resumed = await runSync([...args, '--resume'], { cwd: dir });
    assertProven(resumed);
    assert.deepEqual(changes(resumed.summary), { big: [700, updated, deleted], loose: [2, 0, looseDeleted] });
    assert.equal(content(out, `SELECT * FROM big ORDER BY id`), content(src, `SELECT * FROM big ORDER BY id`));
    assert.equal(content(out, `SELECT * FROM loose ORDER BY a, b`), content(src, `SELECT * FROM loose ORDER BY a, b`));

    const again = await runSync(args, { cwd: dir });
    assertProven(again);
    assert.deepEqual(changes(again.summary), {});
  });
});
