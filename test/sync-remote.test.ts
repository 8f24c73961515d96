// `flarelift sync --remote` through the fake remote D1 (test/helpers/fake-wrangler.ts, which
// enforces D1's limits: statement size, no BEGIN/COMMIT, files applied whole): Chinook copied
// with --remote, changed in the source, synced with exact counts and proven. And bad input:
// one line, exit 2.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { runCli } from './helpers/cli.js';
import { installFakeWrangler, makeProject, testEnv, type WranglerProject } from './helpers/copy-project.js';
import { CHINOOK_SQLITE } from './helpers/env.js';
import { lessMargin } from '../src/pipeline/sync-since.js';
import { assertProven, changes, runSync } from './helpers/sync.js';

describe('sync --remote (fake remote D1), and bad input', () => {
  const bin = mkdtempSync(path.join(os.tmpdir(), 'flarelift-sync-fake-'));
  const fakeDir = path.join(bin, 'd1');
  const src = path.join(bin, 'chinook.sqlite');
  let p: WranglerProject;
  let env: NodeJS.ProcessEnv;
  before(() => {
    mkdirSync(fakeDir);
    env = testEnv({ FLARELIFT_WRANGLER: installFakeWrangler(bin), FAKE_D1_DIR: fakeDir });
    p = makeProject();
    copyFileSync(CHINOOK_SQLITE, src);
    const db = new Database(src);
    db.exec(`CREATE TABLE notes (who TEXT, note TEXT); INSERT INTO notes VALUES ('a', 'x'), ('b', 'y')`);
    db.close();
  });
  after(() => {
    rmSync(bin, { recursive: true, force: true });
    rmSync(p.dir, { recursive: true, force: true });
  });

  test('Chinook: copy --remote, change, sync --remote: exact counts, proven, then none', async () => {
    const to = ['--to', `d1:${p.database}`, '--remote', '--config', p.config];
    const copied = await runCli(['copy', '--from', src, ...to], { cwd: p.dir, env });
    assert.equal(copied.code, 0, copied.stderr.slice(-2000));
    const db = new Database(src);
    db.exec(`
      UPDATE Track SET Name = 'It''s changed ✓' WHERE TrackId IN (10, 20);
      UPDATE Track SET Composer = '${'long text '.repeat(12_000)}' WHERE TrackId = 30;
      DELETE FROM PlaylistTrack WHERE PlaylistId = 1 AND TrackId IN (3402, 3389);
      INSERT INTO PlaylistTrack VALUES (2, 1), (2, 2);
      INSERT INTO Genre (Name) VALUES ('Sea shanty');
      INSERT INTO notes VALUES ('c', 'z');`);
    db.close();
    const args = ['--from', src, ...to, '--failures', path.join(p.dir, 'f.jsonl')];
    const first = await runSync(args, { cwd: p.dir, env });
    assertProven(first);
    assert.deepEqual(changes(first.summary), { Track: [0, 3, 0], PlaylistTrack: [2, 0, 2], Genre: [1, 0, 0], notes: [1, 0, 0] });
    const fake = new Database(path.join(fakeDir, `${p.database}.sqlite`), { readonly: true });
    try {
      assert.equal(fake.prepare(`SELECT length(Composer) FROM Track WHERE TrackId = 30`).pluck().get(), 120_000);
      assert.equal(fake.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'flarelift_sync_journal'`).pluck().get(), 0);
    } finally {
      fake.close();
    }
    const second = await runSync(args, { cwd: p.dir, env });
    assertProven(second);
    assert.deepEqual(changes(second.summary), {});
  });

  const oneLine = (r: { code: number | null; stderr: string }, pattern: RegExp) => {
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, pattern);
  };

  test('bad input: unknown table or column in --since-column, a target never copied', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flarelift-sync-bad-'));
    try {
      const never = ['--to', `sqlite:${path.join(dir, 'never.sqlite')}`];
      oneLine(await runCli(['sync', '--from', src, ...never, '--since-column', 'nosuch.updated_at'], { cwd: dir, env }), /--since-column nosuch\.updated_at: no table nosuch/);
      oneLine(await runCli(['sync', '--from', src, ...never, '--since-column', 'Track.nosuch'], { cwd: dir, env }), /table Track has no column nosuch/);
      oneLine(await runCli(['sync', '--from', src, ...never], { cwd: dir, env }), /no database file.*run copy first/);
      const q = makeProject();
      try {
        oneLine(await runCli(['sync', '--from', src, '--to', `d1:${q.database}`, '--config', q.config], { cwd: q.dir, env: testEnv() }), /run copy first/);
      } finally {
        rmSync(q.dir, { recursive: true, force: true });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the since mark less the margin keeps its form: times across midnight, dates, unix seconds and milliseconds', () => {
    assert.equal(lessMargin('2026-12-01 00:02:00.123456+00', 300), '2026-11-30 23:57:00+00');
    assert.equal(lessMargin('2026-03-01T00:00:10', 60), '2026-02-28T23:59:10');
    assert.equal(lessMargin('2024-03-01', 300), '2024-02-29');
    assert.equal(lessMargin(1_700_000_000, 300), 1_699_999_700);
    assert.equal(lessMargin(1_700_000_000_000n, 300), 1_699_999_700_000n);
  });
});
