// The SQLite source case of "a Worker reads what the source held": a SQLite file shaped as the
// PostgreSQL and MariaDB fixtures of special-values.test.ts (booleans stored as 0/1 in BOOLEAN
// columns, JSON text, an id beyond 2^53 referenced by a foreign key, a BLOB, an ISO timestamp with
// microseconds) is migrated to local D1, and a Worker under Miniflare reads it through
// drizzle-orm/d1 and the generated schema as an application reads the file; a row it inserts
// meets the defaults, CHECK and foreign key the source has. One migrate, one Miniflare run.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { schema } from '../src/index.js';
import { runCli } from './helpers/cli.js';
import { testEnv } from './helpers/copy-project.js';
import { APP_WORKER, assertReadsAsSource, runWorker, type AppRow, type WorkerAnswer } from './helpers/worker.js';
import { makeWranglerProject } from './helpers/wrangler.js';

const BIG_ID = '9007199254740993'; // 2^53 + 1: a Worker reading it as a JS number gets 2^53
const source = path.join(mkdtempSync(path.join(os.tmpdir(), 'flarelift-sqlite-worker-')), 'app.sqlite');

/** The app row as an application reads the file: booleans by their declared type, ids exact, JSON as its text. */
function appRow(): AppRow {
  const db = new Database(source, { readonly: true });
  try {
    const row = db.prepare('SELECT id, active, doc, bytes, at, account_id FROM app WHERE id = 1').safeIntegers(true).get() as {
      id: bigint; active: bigint; doc: string; bytes: Buffer; at: string; account_id: bigint;
    };
    return {
      id: row.id.toString(),
      active: row.active === 1n, // declared BOOLEAN: 0/1 read as false/true
      doc: row.doc, // SQLite has no JSON type: the application reads the text
      bytes: row.bytes.toString('hex'),
      atMs: Date.parse(row.at),
      atMicros: Number(/\.\d{3}(\d{3})/.exec(row.at)![1]),
      accountId: row.account_id.toString(),
    };
  } finally {
    db.close();
  }
}

describe('a Worker reads a migrated SQLite file as the source reads', () => {
  before(() => {
    const db = new Database(source);
    db.exec(`PRAGMA foreign_keys = ON;
      CREATE TABLE account (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT);
      INSERT INTO account (id, name) VALUES (${BIG_ID}, 'big'), (1, 'small');
      CREATE TABLE app (
        id INTEGER PRIMARY KEY, active BOOLEAN NOT NULL DEFAULT 1, doc TEXT, bytes BLOB, at DATETIME,
        account_id INTEGER REFERENCES account (id), qty INTEGER NOT NULL DEFAULT 1 CHECK (qty > 0));
      INSERT INTO app VALUES (1, 0, '{"a": [1, 2], "b": "x"}', X'deadbeef00', '2024-02-29T10:00:00.123456Z', ${BIG_ID}, 3);`);
    // The source refuses what the Worker must be refused: a qty of 0 and an unknown account.
    assert.throws(() => db.exec('INSERT INTO app (id, qty) VALUES (3, 0)'), /CHECK/);
    assert.throws(() => db.exec(`INSERT INTO app (id, account_id) VALUES (4, 424242)`), /FOREIGN KEY/);
    db.close();
  });

  test('migrate keeps every row exactly; the Worker reads booleans, JSON, exact ids, bytes and instants as the source', async () => {
    const p = makeWranglerProject();
    const r = await runCli(['migrate', '--from', source, '--to', `d1:${p.database}`, '--reject-dir', path.join(p.dir, 'rejects'), '--failures', path.join(p.dir, 'failures.jsonl')], {
      cwd: p.dir,
      env: testEnv(),
    });
    assert.equal(r.code, 0, r.stdout.slice(-3000) + r.stderr);
    assert.match(r.stdout.trim().split('\n').pop()!, /^PROVEN/);
    assert.match(r.stdout, /integer-as-text +account\.id/, 'the plan names the id kept as exact text');

    const drizzleFile = path.join(p.dir, 'schema.ts');
    await schema({ from: source, outDir: path.join(p.dir, 'generated'), drizzle: drizzleFile });
    const generated = readFileSync(drizzleFile, 'utf8');
    assert.doesNotMatch(generated, /mode: "buffer"/, 'no Buffer: the Worker runs without nodejs_compat');
    const answer = await runWorker<WorkerAnswer>(p, generated, APP_WORKER);
    assertReadsAsSource(answer, appRow(), BIG_ID);
    assert.deepEqual(JSON.parse(answer.app.doc as string), { a: [1, 2], b: 'x' }, 'the JSON text parses to what was stored');
  });
});
