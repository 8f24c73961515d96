// Rows that cannot be written go to the table's reject file with their key and reason, and the
// copy goes on: a 3 MB value (over D1's 2 MB), 'infinity' in a timestamptz column cast to unix
// seconds and 2^64 in a numeric column cast to integer, both by flarelift.toml rules. NaN in a
// double precision column is no reject: the default cast keeps it as the text 'NaN'.
// Large values within D1's limits are split over statements for import files (fake remote D1).
// A copy that rejected rows ends INCOMPLETE with exit 5, as migrate and verify do, unless the
// rejects were accepted ahead (--accept-rejects, or a --max-rejects it stayed under).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { CLI, installFakeWrangler, makeProject, testEnv, wranglerQueries, type WranglerProject } from './helpers/copy-project.js';
import { pgUrl } from './helpers/env.js';
import { withPg } from './helpers/pg.js';

const DB = 'flarelift_test_rejects';
const URL = pgUrl(DB);
const NORMAL = 100;
const BAD = { tooBig: 1001, infinity: 1003, huge: 1004 } as const;
const NAN = 1002;
const LARGE_TEXT = 1005; // 700 kB of text: legal in D1, longer than one statement
const LARGE_BLOB = 1006; // 900 kB of random bytes
const blob = randomBytes(900_000);
const bigText = 'é'.repeat(350_000) + "it's";

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(p: WranglerProject, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI, 'copy', '--from', URL, '--to', `d1:${p.database}`, '--config', p.config, '--config-file', path.join(p.dir, 'flarelift.toml'), ...args], {
    cwd: p.dir,
    env: testEnv(env),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

function project(): WranglerProject {
  const p = makeProject();
  // The user's rule: this numeric column holds integers; 2^64 does not fit SQLite's 64 bits.
  // And this one wants epoch seconds, which 'infinity' has none of.
  writeFileSync(path.join(p.dir, 'flarelift.toml'), `[[cast]]\ncolumn = "r.n"\ntransform = "integer"\n\n[[cast]]\ncolumn = "r.ts"\ntransform = "unix_seconds"\n`);
  return p;
}

interface RejectLine {
  table: string;
  key: { id: string } | null;
  reason: string;
  values: Record<string, unknown>;
}

const rejectFile = (p: WranglerProject) => path.join(p.dir, 'flarelift-rejects', 'r.rejects.jsonl');
const readRejects = (p: WranglerProject) =>
  readFileSync(rejectFile(p), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RejectLine);

function assertRejects(lines: RejectLine[]): void {
  const byId = new Map(lines.map((l) => [Number(l.key?.id), l]));
  assert.deepEqual([...byId.keys()].sort(), Object.values(BAD).sort(), 'exactly the three bad rows, once each');
  assert.match(byId.get(BAD.tooBig)!.reason, /^t: value of 3,000,000 bytes is over D1's limit of 2,000,000 bytes/);
  assert.equal((byId.get(BAD.tooBig)!.values.t as string).length, 3_000_000, 'the rejected value is in the file as it was');
  assert.match(byId.get(BAD.infinity)!.reason, /^ts: .*infinity/);
  assert.match(byId.get(BAD.huge)!.reason, /^n: 18446744073709551616 does not fit SQLite's 64-bit INTEGER/);
  for (const l of lines) assert.equal(l.table, 'r');
}

describe('copy: rejects', () => {
  before(async () => {
    await withPg('postgres', async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${DB}`);
      await c.query(`CREATE DATABASE ${DB}`);
    });
    await withPg(DB, async (c) => {
      await c.query(`CREATE TABLE r (id bigint PRIMARY KEY, t text, d double precision, ts timestamptz, n numeric(30,0), b bytea)`);
      await c.query(`INSERT INTO r SELECT g, 'row ' || g, g * 1.5, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour', g, NULL FROM generate_series(1, ${NORMAL}) g`);
      await c.query(`INSERT INTO r (id, t) VALUES (${BAD.tooBig}, repeat('x', 3000000))`);
      await c.query(`INSERT INTO r (id, d) VALUES (${NAN}, 'NaN')`);
      await c.query(`INSERT INTO r (id, ts) VALUES (${BAD.infinity}, 'infinity')`);
      await c.query(`INSERT INTO r (id, n) VALUES (${BAD.huge}, 18446744073709551616)`);
      await c.query(`INSERT INTO r (id, t) VALUES ($1, $2)`, [LARGE_TEXT, bigText]);
      await c.query(`INSERT INTO r (id, b) VALUES ($1, $2)`, [LARGE_BLOB, blob]);
    });
  });
  after(async () => {
    await withPg('postgres', (c) => c.query(`DROP DATABASE IF EXISTS ${DB}`));
  });

  test('local D1: the bad rows are in the reject file with their reasons, every other row is written', async () => {
    const p = project();
    try {
      const run = await cli(p, ['--json']);
      assert.equal(run.code, 5, 'rows were rejected and not accepted: INCOMPLETE' + run.stderr);
      const summary = JSON.parse(run.stdout.trim().split('\n').pop()!) as { tables: { name: string; read: number; written: number; rejected: number }[] };
      assert.deepEqual(summary.tables[0], { ...summary.tables[0], name: 'r', read: NORMAL + 6, written: NORMAL + 3, rejected: 3 });
      assertRejects(readRejects(p));
      const [count, large, nan] = await wranglerQueries(
        p,
        `SELECT count(*) AS n FROM r; SELECT length(t) AS t, hex(b) AS b FROM r WHERE id IN (${LARGE_TEXT}, ${LARGE_BLOB}) ORDER BY id; SELECT d, typeof(d) AS type FROM r WHERE id = ${NAN}`,
      );
      assert.equal(Number(count[0].n), NORMAL + 3);
      assert.deepEqual(nan[0], { d: 'NaN', type: 'text' });
      assert.equal(Number(large[0].t), bigText.length);
      assert.equal(String(large[1].b).toLowerCase(), blob.toString('hex'));
    } finally {
      rmSync(p.dir, { recursive: true, force: true });
    }
  });

  test('--max-rejects stops with exit code 3; --resume goes on without listing a row twice', async () => {
    const p = project();
    try {
      const stopped = await cli(p, ['--max-rejects', '2', '--batch-size', '1']);
      assert.equal(stopped.code, 3, stopped.stderr);
      assert.match(stopped.stdout, /--max-rejects/);
      const done = await cli(p, ['--resume', '--batch-size', '1']);
      assert.equal(done.code, 5, done.stderr);
      const rows = NORMAL + 6;
      assert.match(done.stdout.trim().split('\n').pop()!, new RegExp(`^INCOMPLETE: 3 of ${rows} rows of r rejected, see .*r\\.rejects\\.jsonl \\(--accept-rejects accepts them\\)\\.$`));
      assertRejects(readRejects(p));
    } finally {
      rmSync(p.dir, { recursive: true, force: true });
    }
  });

  test('remote D1 (fake, limits enforced): long values travel in pieces, bad rows are rejected', async () => {
    const p = project();
    const bin = path.join(os.tmpdir(), `flarelift-fake-${process.pid}`);
    rmSync(bin, { recursive: true, force: true });
    try {
      mkdirSync(bin, { recursive: true });
      const shim = installFakeWrangler(bin);
      // Three rejects under --max-rejects 3: accepted ahead, exit 0, and still named last.
      const run = await cli(p, ['--remote', '--max-rejects', '3'], { FLARELIFT_WRANGLER: shim, FAKE_D1_DIR: bin });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout.trim().split('\n').pop()!, new RegExp(`^accepted rejects: 3 of ${NORMAL + 6} rows of r rejected, see .*r\\.rejects\\.jsonl$`));
      assertRejects(readRejects(p));
      const db = new Database(path.join(bin, `${p.database}.sqlite`), { readonly: true });
      try {
        assert.equal(db.prepare('SELECT count(*) FROM r').pluck().get(), NORMAL + 3);
        const t = db.prepare(`SELECT t FROM r WHERE id = ?`).pluck().get(LARGE_TEXT) as string;
        assert.equal(createHash('md5').update(t).digest('hex'), createHash('md5').update(bigText).digest('hex'));
        const b = db.prepare(`SELECT b, typeof(b) AS type FROM r WHERE id = ?`).get(LARGE_BLOB) as { b: Buffer; type: string };
        assert.equal(b.type, 'blob');
        assert.ok(Buffer.compare(b.b, blob) === 0, 'the blob arrives byte for byte');
      } finally {
        db.close();
      }
    } finally {
      rmSync(p.dir, { recursive: true, force: true });
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
