// The way back: a dataset goes PostgreSQL / MariaDB → local D1 → a fresh database holding the
// original schema (the dataset's own DDL, no data). verify proves each leg, and the final data
// equals the original as the engine's own dump tool prints it (sorted, sequence lines aside).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { copy } from '../src/pipeline/copy.js';
import { verify } from '../src/verify/verify.js';
import { localD1Path } from '../src/cloudflare/local-state.js';
import { CLI, installFakeWrangler, makeProject, testEnv, useTestEnv } from './helpers/copy-project.js';
import { CHINOOK_SQLITE, DATASETS, mysqlUrl, pgUrl } from './helpers/env.js';

useTestEnv();

const PG = ['-h', '127.0.0.1', '-U', 'postgres'];
const MY = ['-h', '127.0.0.1', '-u', 'root'];

function psql(db: string, sql: string): string {
  return execFileSync('psql', [...PG, '-qAt', '-v', 'ON_ERROR_STOP=1', '-d', db, '-c', sql], { encoding: 'utf8' });
}

function pgFreshWithSchema(db: string, schemaFile: string): void {
  psql('postgres', `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  psql('postgres', `CREATE DATABASE ${db}`);
  execFileSync('psql', [...PG, '-q', '-v', 'ON_ERROR_STOP=1', '-d', db, '-f', schemaFile], { stdio: 'ignore' });
}

/** pg_dump's data lines, sorted; setval lines kept apart (a sequence may stand past its largest id). */
function pgData(db: string): { rows: string[]; sequences: string[] } {
  const lines = execFileSync('pg_dump', [...PG, '--data-only', db], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 }).split('\n');
  const data = lines.filter((l) => l && !/^(--|SET |SELECT pg_catalog\.set_config|\\(un)?restrict )/.test(l));
  return { rows: data.filter((l) => !l.startsWith('SELECT pg_catalog.setval')).sort(), sequences: data.filter((l) => l.startsWith('SELECT pg_catalog.setval')).sort() };
}

function mysqlData(db: string): string[] {
  const out = execFileSync('mysqldump', [...MY, '--no-create-info', '--skip-triggers', '--skip-extended-insert', '--compact', '--hex-blob', db], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  return out.split('\n').filter((l) => l.startsWith('INSERT')).sort();
}

async function proven(from: string, to: string, extra: Record<string, unknown> = {}): Promise<void> {
  const summary = await verify({ from, to, ...extra });
  assert.equal(summary.ok, true, `verify ${from} → ${to}: ${JSON.stringify(summary.totals)}`);
}

describe('reverse copy: PostgreSQL → D1 → PostgreSQL', () => {
  test('pagila comes back equal, sequences past the ids, a value outside an enum is rejected with its reason', async () => {
    const project = makeProject('pagila');
    const d1 = `d1:pagila?config=${encodeURIComponent(project.config)}`;
    const there = await copy({ from: pgUrl('pagila'), to: 'd1:pagila', config: project.config, cwd: project.dir, rejectDir: path.join(project.dir, 'rej') });
    assert.equal(there.status, 'complete');
    await proven(pgUrl('pagila'), 'd1:pagila', { config: project.config, cwd: project.dir });

    pgFreshWithSchema('fl_i13_pagila_back', path.join(DATASETS, 'pagila/pagila-schema.sql'));
    const back = await copy({ from: d1, to: pgUrl('fl_i13_pagila_back'), rejectDir: path.join(project.dir, 'rej-back') });
    assert.equal(back.status, 'complete');
    assert.equal(back.totals.rejected, 0);
    assert.equal(back.totals.written, there.totals.written);
    await proven(d1, pgUrl('fl_i13_pagila_back'));

    const original = pgData('pagila');
    const final = pgData('fl_i13_pagila_back');
    assert.equal(final.rows.length, original.rows.length);
    assert.deepEqual(final.rows, original.rows);
    // Every sequence stands at least at its table's largest id: the next insert cannot collide.
    assert.equal(psql('fl_i13_pagila_back', "SELECT last_value FROM actor_actor_id_seq").trim(), psql('pagila', 'SELECT max(actor_id) FROM actor').trim());
    assert.equal(psql('fl_i13_pagila_back', "SELECT nextval('payment_payment_id_seq') > (SELECT max(payment_id) FROM payment)").trim(), 't');

    // SIGKILL in the middle of the way back, then --resume: nothing lost, nothing twice.
    pgFreshWithSchema('fl_i13_pagila_kill', path.join(DATASETS, 'pagila/pagila-schema.sql'));
    const child = spawn(process.execPath, [CLI, 'copy', '--from', d1, '--to', pgUrl('fl_i13_pagila_kill'), '--batch-size', '50', '--jobs', '1', '--reject-dir', path.join(project.dir, 'rej-kill')], {
      env: testEnv(),
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    for (let i = 0; i < 600; i++) {
      let written = 0;
      try {
        written = Number(psql('fl_i13_pagila_kill', 'SELECT coalesce(sum(rows_written), 0) FROM flarelift_copy_journal'));
      } catch {
        // the journal is not made yet
      }
      if (written > 3000) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    assert.ok(Number(psql('fl_i13_pagila_kill', 'SELECT count(*) FROM flarelift_copy_journal').trim()) > 0, 'killed before the copy finished');
    const resumed = await copy({ from: d1, to: pgUrl('fl_i13_pagila_kill'), resume: true, rejectDir: path.join(project.dir, 'rej-kill') });
    assert.equal(resumed.status, 'complete');
    assert.equal(resumed.totals.written, there.totals.written);
    await proven(d1, pgUrl('fl_i13_pagila_kill'));
    assert.deepEqual(pgData('fl_i13_pagila_kill').rows, original.rows);
    psql('postgres', 'DROP DATABASE IF EXISTS fl_i13_pagila_kill WITH (FORCE)');

    // A D1 value that does not fit the original column: a rating outside the mpaa_rating enum.
    const db = new Database(localD1Path({ configPath: project.config, database: 'pagila' }));
    db.pragma('ignore_check_constraints = ON'); // D1's CHECK keeps the labels; this row stands for one written around it
    db.prepare("UPDATE film SET rating = 'X-RATED' WHERE film_id = 7").run();
    db.close();
    pgFreshWithSchema('fl_i13_pagila_rej', path.join(DATASETS, 'pagila/pagila-schema.sql'));
    const rejDir = path.join(project.dir, 'rej-enum');
    const refused = await copy({ from: d1, to: pgUrl('fl_i13_pagila_rej'), tables: ['film'], rejectDir: rejDir });
    assert.equal(refused.totals.rejected, 1);
    assert.equal(refused.totals.written, 999);
    const line = JSON.parse(readFileSync(path.join(rejDir, 'film.rejects.jsonl'), 'utf8').trim()) as { key: Record<string, unknown>; reason: string };
    assert.match(line.reason, /enum mpaa_rating/);
    assert.equal(String(line.key.film_id), '7');
    psql('postgres', 'DROP DATABASE IF EXISTS fl_i13_pagila_rej WITH (FORCE)');
  });
});

interface RoundTrip {
  engine: 'postgres' | 'mysql';
  db: string;
  /** Makes the fresh database with the original schema and no data. */
  schema(back: string): void;
}

const pgSchemaOf = (db: string) => (back: string) => {
  psql('postgres', `DROP DATABASE IF EXISTS ${back} WITH (FORCE)`);
  psql('postgres', `CREATE DATABASE ${back}`);
  const ddl = execFileSync('pg_dump', [...PG, '--schema-only', db], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  execFileSync('psql', [...PG, '-q', '-d', back], { input: ddl, stdio: ['pipe', 'ignore', 'ignore'] });
};

const mysqlSchemaOf = (db: string) => (back: string) => {
  execFileSync('mariadb', [...MY, '-e', `DROP DATABASE IF EXISTS ${back}; CREATE DATABASE ${back} CHARACTER SET utf8mb4`]);
  const ddl = execFileSync('mysqldump', [...MY, '--no-data', db], { encoding: 'utf8' });
  execFileSync('mariadb', [...MY, back], { input: ddl, stdio: ['pipe', 'ignore', 'inherit'] });
};

const ROUND_TRIPS: RoundTrip[] = [
  { engine: 'postgres', db: 'chinook', schema: pgSchemaOf('chinook') },
  { engine: 'postgres', db: 'northwind', schema: pgSchemaOf('northwind') },
  {
    engine: 'mysql',
    db: 'sakila',
    // The dataset's own DDL, renamed (it names its schema): triggers that would fire on copied rows included.
    schema: (back) =>
      execFileSync('mariadb', MY, { input: readFileSync(path.join(DATASETS, 'sakila/sakila-mv-schema.sql'), 'utf8').replace(/\bsakila\b/g, back), stdio: ['pipe', 'ignore', 'inherit'] }),
  },
  { engine: 'mysql', db: 'chinook', schema: mysqlSchemaOf('chinook') },
  { engine: 'mysql', db: 'edgecases', schema: mysqlSchemaOf('edgecases') },
];

describe('reverse copy: round trips of the other datasets', () => {
  for (const rt of ROUND_TRIPS) {
    test(`${rt.engine} ${rt.db} → D1 → a fresh ${rt.engine} database equals the original (engine dump, sorted)`, async () => {
      const url = rt.engine === 'postgres' ? pgUrl : mysqlUrl;
      const project = makeProject(rt.db);
      const there = await copy({ from: url(rt.db), to: `d1:${rt.db}`, config: project.config, cwd: project.dir, rejectDir: path.join(project.dir, 'rej') });
      assert.equal(there.status, 'complete');
      assert.equal(there.totals.rejected, 0);
      await proven(url(rt.db), `d1:${rt.db}`, { config: project.config, cwd: project.dir });
      const back = `fl_i13_${rt.db}_back`;
      rt.schema(back);
      const d1 = `d1:${rt.db}?config=${encodeURIComponent(project.config)}`;
      const summary = await copy({ from: d1, to: url(back), rejectDir: path.join(project.dir, 'rej-back') });
      assert.equal(summary.status, 'complete');
      assert.equal(summary.totals.rejected, 0);
      assert.equal(summary.totals.written, there.totals.written);
      await proven(d1, url(back));
      if (rt.engine === 'postgres') {
        assert.deepEqual(pgData(back).rows, pgData(rt.db).rows);
        psql('postgres', `DROP DATABASE IF EXISTS ${back} WITH (FORCE)`);
      } else {
        const final = mysqlData(back);
        assert.ok(final.length > 0);
        assert.deepEqual(final, mysqlData(rt.db));
        execFileSync('mariadb', [...MY, '-e', `DROP DATABASE IF EXISTS ${back}`]);
      }
    });
  }
});

describe('reverse copy: remote D1 (wrangler d1 export, fake) → PostgreSQL, schema made by flarelift', () => {
  test('Chinook copied to the remote D1 comes back into an empty database and verifies', async () => {
    const bin = mkdtempSync(path.join(os.tmpdir(), 'flarelift-i13-fake-'));
    const fakeDir = path.join(bin, 'd1');
    mkdirSync(fakeDir);
    const saved = { wrangler: process.env.FLARELIFT_WRANGLER, dir: process.env.FAKE_D1_DIR };
    process.env.FLARELIFT_WRANGLER = installFakeWrangler(bin);
    process.env.FAKE_D1_DIR = fakeDir;
    try {
      const project = makeProject('chinook');
      const there = await copy({ from: CHINOOK_SQLITE, to: 'd1:chinook', remote: true, config: project.config, cwd: project.dir, rejectDir: path.join(bin, 'rej') });
      assert.equal(there.status, 'complete');
      psql('postgres', 'DROP DATABASE IF EXISTS fl_i13_chinook_made WITH (FORCE)');
      psql('postgres', 'CREATE DATABASE fl_i13_chinook_made');
      const d1 = `d1:chinook?remote&config=${encodeURIComponent(project.config)}`;
      const back = await copy({ from: d1, to: pgUrl('fl_i13_chinook_made'), rejectDir: path.join(bin, 'rej-back') });
      assert.equal(back.status, 'complete');
      assert.equal(back.totals.rejected, 0);
      assert.equal(back.totals.written, there.totals.written);
      assert.match(back.source, /remote D1 'chinook'/);
      // The tables were made from D1's: Track's key is its primary key, UnitPrice a double.
      assert.equal(psql('fl_i13_chinook_made', "SELECT data_type FROM information_schema.columns WHERE table_name = 'Track' AND column_name = 'UnitPrice'").trim(), 'double precision');
      assert.equal(psql('fl_i13_chinook_made', 'SELECT count(*) FROM "Track"').trim(), '3503');
      await proven(d1, pgUrl('fl_i13_chinook_made'));
      // Changed after the copy, the target no longer verifies: the proof reads real values.
      psql('fl_i13_chinook_made', `UPDATE "Track" SET "Name" = 'changed' WHERE "TrackId" = 5`);
      const summary = await verify({ from: d1, to: pgUrl('fl_i13_chinook_made'), failuresFile: path.join(bin, 'failures.jsonl') });
      assert.equal(summary.ok, false);
      assert.equal(summary.totals.changed, 1);
      psql('postgres', 'DROP DATABASE IF EXISTS fl_i13_chinook_made WITH (FORCE)');
    } finally {
      process.env.FLARELIFT_WRANGLER = saved.wrangler;
      process.env.FAKE_D1_DIR = saved.dir;
      if (saved.wrangler === undefined) delete process.env.FLARELIFT_WRANGLER;
      if (saved.dir === undefined) delete process.env.FAKE_D1_DIR;
    }
  });
});
