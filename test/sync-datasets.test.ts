// `flarelift sync` after a full copy of the datasets: rows inserted, updated and deleted in the
// source — in a composite-key table, a table without a key and plain ones — are reported exactly
// per table, the target is proven (sync's own verify, then the verify command), and a second
// sync reports nothing. Pagila goes to a local D1 and is read back through the real wrangler;
// Sakila (MariaDB) and Chinook (SQLite) go to SQLite files. Pagila also shows --since-column:
// rows updated with a newer timestamp are read since the mark, and a delete is still caught.
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { runCli } from './helpers/cli.js';
import { makeProject, testEnv, wranglerQuery, type WranglerProject } from './helpers/copy-project.js';
import { CHINOOK_SQLITE, mysqlUrl, pgUrl } from './helpers/env.js';
import { withPg } from './helpers/pg.js';
import { assertProven, changes, runSync } from './helpers/sync.js';

const PG_DB = 'fl_i13s_pagila';
const MY_DB = 'fl_i13s_sakila';
const MY = ['-h127.0.0.1', '-P3306', '-uroot'];

async function copyInto(from: string, to: string[], cwd: string): Promise<void> {
  const r = await runCli(['copy', '--from', from, ...to, '--reject-dir', path.join(cwd, 'rejects')], { cwd, env: testEnv() });
  assert.equal(r.code, 0, r.stderr.slice(-2000));
}

async function verifyCli(from: string, to: string[], cwd: string): Promise<void> {
  const r = await runCli(['verify', '--from', from, ...to, '--reject-dir', path.join(cwd, 'rejects'), '--failures', path.join(cwd, 'f.jsonl')], { cwd, env: testEnv() });
  assert.equal(r.code, 0, r.stdout.slice(-2000) + r.stderr.slice(-2000));
}

describe('sync: Pagila (PostgreSQL) → local D1', () => {
  let p: WranglerProject;
  const url = pgUrl(PG_DB);
  before(async () => {
    await withPg('postgres', async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE)`);
      await c.query(`CREATE DATABASE ${PG_DB} TEMPLATE pagila`);
    });
    await withPg(PG_DB, (c) => c.query(`CREATE TABLE fl_notes (who text, note text); INSERT INTO fl_notes VALUES ('a', 'x'), ('a', 'x'), ('b', 'y')`));
    p = makeProject();
  });
  after(async () => {
    await withPg('postgres', (c) => c.query(`DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE)`));
    rmSync(p.dir, { recursive: true, force: true });
  });

  test('inserts, updates and deletes are counted exactly; proven; a second sync finds none; --since-column narrows', async () => {
    const to = ['--to', `d1:${p.database}`, '--config', p.config];
    await copyInto(url, to, p.dir);
    const expected = await withPg(PG_DB, async (c) => {
      await c.query(`INSERT INTO actor (first_name, last_name) VALUES ('ADA', 'LOVELACE'), ('ALAN', 'TURING')`);
      await c.query(`UPDATE actor SET first_name = 'PENÉLOPE' WHERE actor_id = 1`);
      const gone = (await c.query(`DELETE FROM film_actor WHERE actor_id = 200`)).rowCount!;
      await c.query(`DELETE FROM actor WHERE actor_id = 200`);
      const added = (await c.query(`INSERT INTO film_actor (actor_id, film_id) SELECT 1, f FROM generate_series(990, 1000) f WHERE NOT EXISTS (SELECT 1 FROM film_actor WHERE actor_id = 1 AND film_id = f)`)).rowCount!;
      const touched = (await c.query(`UPDATE film_actor SET last_update = now() + interval '1 second' WHERE actor_id = 2`)).rowCount!;
      await c.query(`INSERT INTO fl_notes VALUES ('a', 'x'), ('c', 'z'); DELETE FROM fl_notes WHERE who = 'b'`);
      return { actor: [2, 1, 1], film_actor: [added, touched, gone], fl_notes: [2, 0, 1] };
    });
    assert.ok(expected.film_actor.every((n) => n > 0));

    const first = await runSync(['--from', url, ...to, '--reject-dir', path.join(p.dir, 'rejects'), '--failures', path.join(p.dir, 'f.jsonl')], { cwd: p.dir });
    assertProven(first);
    assert.deepEqual(changes(first.summary), expected);
    assert.equal(first.summary.tables.find((t) => t.name === 'fl_notes')?.method, 'replace');
    assert.ok(first.summary.estimate.ms > 0 && first.summary.lagMs >= 0);
    await verifyCli(url, to, p.dir);
    // What wrangler reads is what was synced.
    const [row] = await wranglerQuery(p, `SELECT first_name, (SELECT count(*) FROM actor) AS n, (SELECT count(*) FROM film_actor WHERE actor_id = 200) AS gone FROM actor WHERE actor_id = 1`);
    assert.deepEqual(row, { first_name: 'PENÉLOPE', n: 201, gone: 0 });

    const second = await runSync(['--from', url, ...to, '--reject-dir', path.join(p.dir, 'rejects'), '--failures', path.join(p.dir, 'f.jsonl')], { cwd: p.dir });
    assertProven(second);
    assert.deepEqual(changes(second.summary), {});
    // last_update was detected, and a mark recorded by the first sync: the second reads since it.
    assert.equal(second.summary.tables.find((t) => t.name === 'actor')?.method, 'since');

    // Newer timestamps are read since the mark; a delete leaves none and is caught by the key chunks.
    // The insert lands in the key chunk the delete makes differ: re-copied there, not inserted twice.
    const added = await withPg(PG_DB, async (c) => {
      await c.query(`UPDATE actor SET last_name = 'CHANGED' WHERE actor_id = 3`);
      await c.query(`DELETE FROM film_actor WHERE actor_id = 5 AND film_id = (SELECT min(film_id) FROM film_actor WHERE actor_id = 5)`);
      return (await c.query(`INSERT INTO film_actor (actor_id, film_id) SELECT 5, f FROM generate_series(995, 1000) f WHERE NOT EXISTS (SELECT 1 FROM film_actor WHERE actor_id = 5 AND film_id = f)`)).rowCount!;
    });
    assert.ok(added > 0);
    const third = await runSync(
      ['--from', url, ...to, '--no-detect-since', '--since-column', 'actor.last_update', '--since-column', 'film_actor.last_update', '--reject-dir', path.join(p.dir, 'rejects'), '--failures', path.join(p.dir, 'f.jsonl')],
      { cwd: p.dir },
    );
    assertProven(third);
    assert.deepEqual(changes(third.summary), { actor: [0, 1, 0], film_actor: [added, 0, 1] });
    const actor = third.summary.tables.find((t) => t.name === 'actor')!;
    assert.equal(actor.method, 'since');
    assert.match(String(actor.since?.from), /^20\d\d-/);
    assert.equal(third.summary.tables.find((t) => t.name === 'rental')?.method, 'chunks'); // --no-detect-since
  });
});

describe('sync: Sakila (MariaDB) → SQLite file, Chinook (SQLite) → SQLite file', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flarelift-sync-'));
  let my: mysql.Connection;
  before(async () => {
    execSync(`mysql ${MY.join(' ')} -e "DROP DATABASE IF EXISTS ${MY_DB}; CREATE DATABASE ${MY_DB}"`);
    execSync(`mysqldump ${MY.join(' ')} --routines sakila | mysql ${MY.join(' ')} ${MY_DB}`, { shell: '/bin/bash' });
    my = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database: MY_DB, multipleStatements: true });
    await my.query(`CREATE TABLE fl_notes (who varchar(10), note varchar(10)); INSERT INTO fl_notes VALUES ('a', 'x'), ('a', 'x'), ('b', 'y')`);
  });
  after(async () => {
    await my.query(`DROP DATABASE IF EXISTS ${MY_DB}`);
    await my.end();
    rmSync(dir, { recursive: true, force: true });
  });

  test('Sakila: exact counts, proven, then none', async () => {
    const url = mysqlUrl(MY_DB);
    const to = ['--to', `sqlite:${path.join(dir, 'sakila.sqlite')}`];
    await copyInto(url, to, dir);
    const affected = async (sql: string) => ((await my.query(sql))[0] as { affectedRows: number }).affectedRows;
    await my.query(`INSERT INTO actor (first_name, last_name) VALUES ('ADA', 'LOVELACE')`);
    await my.query(`UPDATE actor SET first_name = 'PENÉLOPE', last_update = last_update + INTERVAL 1 SECOND WHERE actor_id IN (1, 2)`);
    const gone = await affected(`DELETE FROM film_actor WHERE actor_id = 199`);
    await my.query(`DELETE FROM actor WHERE actor_id = 199`);
    const added = await affected(`INSERT IGNORE INTO film_actor (actor_id, film_id) VALUES (1, 998), (1, 999), (1, 1000)`);
    const touched = await affected(`UPDATE film_actor SET last_update = last_update + INTERVAL 1 SECOND WHERE actor_id = 3`);
    await my.query(`INSERT INTO fl_notes VALUES ('c', 'z'); DELETE FROM fl_notes WHERE who = 'a'`);
    const first = await runSync(['--from', url, ...to, '--reject-dir', path.join(dir, 'rejects'), '--failures', path.join(dir, 'f.jsonl')], { cwd: dir });
    assertProven(first);
    assert.deepEqual(changes(first.summary), { actor: [1, 2, 1], film_actor: [added, touched, gone], fl_notes: [1, 0, 2] });
    await verifyCli(url, to, dir);
    const second = await runSync(['--from', url, ...to, '--reject-dir', path.join(dir, 'rejects'), '--failures', path.join(dir, 'f.jsonl')], { cwd: dir });
    assertProven(second);
    assert.deepEqual(changes(second.summary), {});
  });

  test('Chinook: exact counts, proven, then none', async () => {
    const src = path.join(dir, 'chinook.sqlite');
    copyFileSync(CHINOOK_SQLITE, src);
    const db = new Database(src);
    db.exec(`CREATE TABLE notes (who TEXT, note TEXT); INSERT INTO notes VALUES ('a', 'x'), ('a', 'x'), ('b', 'y')`);
    const to = ['--to', `sqlite:${path.join(dir, 'chinook-out.sqlite')}`];
    await copyInto(src, to, dir);
    db.exec(`
      INSERT INTO notes VALUES ('a', 'x'), ('c', 'z'); DELETE FROM notes WHERE who = 'b';
      UPDATE Track SET Name = 'Changed' WHERE TrackId IN (1, 2, 3);
      UPDATE Track SET UnitPrice = 1.99 WHERE TrackId = 3500;
      DELETE FROM PlaylistTrack WHERE PlaylistId = 1 AND TrackId IN (3402, 3389);
      INSERT INTO PlaylistTrack VALUES (2, 1), (2, 2), (2, 3);
      INSERT INTO Artist (Name) VALUES ('New one');
      DELETE FROM InvoiceLine WHERE InvoiceLineId IN (1, 2240);`);
    db.close();
    const first = await runSync(['--from', src, ...to, '--reject-dir', path.join(dir, 'rejects'), '--failures', path.join(dir, 'f.jsonl')], { cwd: dir });
    assertProven(first);
    assert.deepEqual(changes(first.summary), { Track: [0, 4, 0], PlaylistTrack: [3, 0, 2], Artist: [1, 0, 0], InvoiceLine: [0, 0, 2], notes: [2, 0, 1] });
    await verifyCli(src, to, dir);
    const second = await runSync(['--from', src, ...to, '--reject-dir', path.join(dir, 'rejects'), '--failures', path.join(dir, 'f.jsonl')], { cwd: dir });
    assertProven(second);
    assert.deepEqual(changes(second.summary), {});
  });
});
