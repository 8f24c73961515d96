// `flarelift sync` the other way: D1 live, PostgreSQL the fallback. Chinook goes PostgreSQL →
// local D1 → a fresh database holding Chinook's schema (the reverse copy); then rows change in
// D1 — inserted, updated, deleted in a keyed table, a composite-key table (playlist_track) and a
// table without a key — and sync reports exactly those counts, ends proven, verify agrees, the
// fallback's sequence stands past the new id, and a second sync finds nothing. Then the same
// D1 into MariaDB (tables the reverse copy makes), with more changes.
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { localD1Path } from '../src/cloudflare/local-state.js';
import { runCli } from './helpers/cli.js';
import { makeProject, testEnv, type WranglerProject } from './helpers/copy-project.js';
import { mysqlUrl, pgUrl } from './helpers/env.js';
import { withPg } from './helpers/pg.js';
import { assertProven, changes, runSync } from './helpers/sync.js';

const BACK = 'fl_i13r_back';
const MY = '-h127.0.0.1 -P3306 -uroot';

async function cli(args: string[], cwd: string): Promise<void> {
  const r = await runCli(args, { cwd, env: testEnv() });
  assert.equal(r.code, 0, `${args[0]}: ${r.stdout.slice(-1500)}${r.stderr.slice(-1500)}`);
}

describe('sync: local D1 → PostgreSQL and MariaDB (the way back)', () => {
  let p: WranglerProject;
  let d1: string;
  before(async () => {
    p = makeProject();
    d1 = `d1:${p.database}?config=${encodeURIComponent(p.config)}`;
    await cli(['copy', '--from', pgUrl('chinook'), '--to', `d1:${p.database}`, '--config', p.config, '--reject-dir', path.join(p.dir, 'rejects')], p.dir);
    await withPg('postgres', async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${BACK} WITH (FORCE)`);
      await c.query(`CREATE DATABASE ${BACK}`);
    });
    // Chinook's own schema (read from it, never written), a sequence owning artist's id, a keyless table.
    execSync(`pg_dump -h 127.0.0.1 -U postgres --schema-only chinook | psql -q -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -d ${BACK}`, { stdio: 'ignore' });
    await withPg(BACK, (c) =>
      c.query(`CREATE SEQUENCE artist_seq OWNED BY artist.artist_id; ALTER TABLE artist ALTER artist_id SET DEFAULT nextval('artist_seq'); CREATE TABLE fl_notes (who text, note text)`),
    );
    const db = new Database(localD1Path({ configPath: p.config, database: p.database }));
    db.exec(`CREATE TABLE fl_notes (who TEXT, note TEXT); INSERT INTO fl_notes VALUES ('a', 'x'), ('a', 'x'), ('b', 'y')`);
    db.close();
    await cli(['copy', '--from', d1, '--to', pgUrl(BACK), '--reject-dir', path.join(p.dir, 'rejects-back')], p.dir);
  });
  after(async () => {
    await withPg('postgres', (c) => c.query(`DROP DATABASE IF EXISTS ${BACK} WITH (FORCE)`));
    execSync(`mysql ${MY} -e 'DROP DATABASE IF EXISTS ${BACK}'`, { stdio: 'ignore' });
    rmSync(p.dir, { recursive: true, force: true });
  });

  test('exact counts in keyed, composite-key and keyless tables; proven; sequences past the ids; then none', async () => {
    const db = new Database(localD1Path({ configPath: p.config, database: p.database }));
    db.exec(`
      INSERT INTO artist (artist_id, name) VALUES (276, 'New one'), (277, 'Newer one');
      UPDATE artist SET name = 'AC/DC (live)' WHERE artist_id = 1;
      UPDATE track SET name = 'Changed', milliseconds = 12345 WHERE track_id IN (1, 2, 3);
      DELETE FROM playlist_track WHERE playlist_id = 1 AND track_id IN (3402, 3389);
      INSERT INTO playlist_track VALUES (2, 1), (2, 2), (2, 3);
      DELETE FROM invoice_line WHERE invoice_line_id IN (1, 2240);
      INSERT INTO fl_notes VALUES ('a', 'x'), ('c', 'z'); DELETE FROM fl_notes WHERE who = 'b';`);
    db.close();
    const args = ['--from', d1, '--to', pgUrl(BACK), '--reject-dir', path.join(p.dir, 'rejects-back'), '--failures', path.join(p.dir, 'f.jsonl')];
    const first = await runSync(args, { cwd: p.dir });
    assertProven(first);
    assert.deepEqual(changes(first.summary), { artist: [2, 1, 0], track: [0, 3, 0], playlist_track: [3, 0, 2], invoice_line: [0, 0, 2], fl_notes: [2, 0, 1] });
    assert.equal(first.summary.tables.find((t) => t.name === 'fl_notes')?.method, 'replace');
    await cli(['verify', '--from', d1, '--to', pgUrl(BACK), '--reject-dir', path.join(p.dir, 'rejects-back')], p.dir);

    const back = await withPg(BACK, async (c) => {
      const r = await c.query(
        `SELECT (SELECT name FROM artist WHERE artist_id = 1) AS a, (SELECT milliseconds FROM track WHERE track_id = 2) AS ms, ` +
          `(SELECT count(*)::int FROM playlist_track WHERE playlist_id = 1 AND track_id IN (3402, 3389)) AS gone, ` +
          `nextval('artist_seq')::int AS next, (SELECT count(*)::int FROM information_schema.tables WHERE table_name = 'flarelift_sync_journal') AS journal`,
      );
      return r.rows[0] as Record<string, unknown>;
    });
    assert.deepEqual(back, { a: 'AC/DC (live)', ms: 12345, gone: 0, next: 278, journal: 0 });

    const second = await runSync(args, { cwd: p.dir });
    assertProven(second);
    assert.deepEqual(changes(second.summary), {});

    const since = await runCli(['sync', ...args, '--since-column', 'artist.name'], { cwd: p.dir, env: testEnv() });
    assert.equal(since.code, 2);
    assert.match(since.stderr, /--since-column is not supported/);
  });

  test('MariaDB: tables flarelift made, exact counts, proven, then none', async () => {
    execSync(`mysql ${MY} -e 'DROP DATABASE IF EXISTS ${BACK}; CREATE DATABASE ${BACK}'`, { stdio: 'ignore' });
    await cli(['copy', '--from', d1, '--to', mysqlUrl(BACK), '--reject-dir', path.join(p.dir, 'rejects-my')], p.dir);
    const db = new Database(localD1Path({ configPath: p.config, database: p.database }));
    db.exec(`
      INSERT INTO artist (artist_id, name) VALUES (278, 'Third one');
      DELETE FROM artist WHERE artist_id = 277;
      UPDATE genre SET name = 'Rock ''n'' Roll' WHERE genre_id = 1;
      DELETE FROM playlist_track WHERE playlist_id = 2 AND track_id = 1;
      INSERT INTO playlist_track VALUES (3, 1);
      DELETE FROM fl_notes WHERE who = 'c';`);
    db.close();
    const args = ['--from', d1, '--to', mysqlUrl(BACK), '--reject-dir', path.join(p.dir, 'rejects-my'), '--failures', path.join(p.dir, 'f-my.jsonl')];
    const first = await runSync(args, { cwd: p.dir });
    assertProven(first);
    assert.deepEqual(changes(first.summary), { artist: [1, 0, 1], genre: [0, 1, 0], playlist_track: [1, 0, 1], fl_notes: [0, 0, 1] });
    await cli(['verify', '--from', d1, '--to', mysqlUrl(BACK), '--reject-dir', path.join(p.dir, 'rejects-my')], p.dir);
    const genre = execSync(`mysql ${MY} -N -e "SELECT name FROM ${BACK}.genre WHERE genre_id = 1"`, { encoding: 'utf8' }).trim();
    assert.equal(genre, "Rock 'n' Roll");
    const second = await runSync(args, { cwd: p.dir });
    assertProven(second);
    assert.deepEqual(changes(second.summary), {});
  });
});
