// verify's server-side chunk digests (verify-server-digest.ts): PostgreSQL renders each chunk's
// rows in SQL, the target's SQLite renders the same key range, and only the SHA-256s meet. The
// two renderings must be equal byte for byte for every value a cast gives (checked here by
// comparing the digests of whole tables directly, over NULLs, empty and multi-byte text, text
// that looks like the encoding itself, every eligible type, text and composite keys), values
// outside what the server renders exactly ('infinity', BC years) must fall back to rows without
// a false difference, a table with a column the server cannot render must not be digested by
// it, and every tamper — a changed value of any type, a type changed under the same text, a
// deleted row, a row inserted between keys and after the last — must still be named by key.
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { copy } from '../src/pipeline/copy.js';
import { planSource } from '../src/pipeline/plan.js';
import { withSource } from '../src/sources/with-source.js';
import { parseAnyTarget } from '../src/targets/registry.js';
import type { Target } from '../src/targets/target.js';
import { verify } from '../src/verify/verify.js';
import { dropPgDatabase, freshPgDatabase } from './helpers/pg.js';
import { pgUrl } from './helpers/env.js';
import { readFailures } from './helpers/verify-helpers.js';

const DB = 'fl_i14b_digest';
const FROM = pgUrl(DB);

const SETUP = [
  `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`,
  `CREATE TABLE edge (
     id bigint PRIMARY KEY, t text, v varchar(20), n numeric(10,2), u uuid, b boolean, ts timestamptz, tn timestamp,
     j jsonb, js json, i integer, s smallint, m mood, arr integer[], tm time, money_col money, d date, bin bytea)`,
  `INSERT INTO edge VALUES
     (-5, '', 'a', 0, '00000000-0000-0000-0000-000000000000', true, '2020-01-01 00:00:00+00', '2020-01-01 00:00:00', '{}', '[]', 0, 0, 'sad', '{}', '00:00', 0, '2020-02-29', '\\x'),
     (1, 'naïve café', 'ÄÖÜ', -12.5, 'c4ca4238-a0b9-2382-0dcc-509a6f75849b', false, '2020-06-30 12:34:56.5+02', '1999-12-31 23:59:59.999999', '{"a": [1, 2], "b": "x"}', '{"a" : 1}', -2147483648, -32768, 'happy', '{1,NULL,3}', '23:59:59.123456', 12.34, '0001-01-01', '\\x00ff10'),
     (2, '😀 T3:abc i5 N', 'T0:', 99999999.99, NULL, NULL, '0001-01-01 00:00:00+00', '0001-01-01 00:00:00', '"text"', NULL, 2147483647, 32767, NULL, NULL, NULL, NULL, '9999-12-31', NULL),
     (3, NULL, NULL, NULL, 'ffffffff-ffff-ffff-ffff-ffffffffffff', true, '9999-12-31 23:59:59.999999+00', '9999-12-31 23:59:59.999999', 'null', 'null', NULL, NULL, 'ok', '{{1,2},{3,4}}', '12:00', -1.5, NULL, 'abc'::bytea),
     (4, 'line1' || chr(10) || 'line2''s "quoted" \\ back', 'x', 1.00, '123e4567-e89b-12d3-a456-426614174000', false, '1970-01-01 00:00:00.000001+00', '1970-01-01 00:00:00.000001', '[1, "two", null, {"3": 4.5e10}]', '{}', 7, 7, 'sad', '{-1}', '01:02:03', 1000000, '1970-01-01', '\\xdeadbeef'),
     (1000000, 'last', 'z', 0.01, NULL, false, NULL, NULL, '{"deep": {"deeper": [true, false]}}', NULL, 5, 5, NULL, NULL, NULL, NULL, NULL, NULL)`,
  `CREATE TABLE odd (id integer PRIMARY KEY, ts timestamptz, tn timestamp, d date)`,
  `INSERT INTO odd VALUES (1, 'infinity', '-infinity', 'infinity'), (2, '0044-03-15 12:00:00+00 BC', '0044-03-15 12:00:00 BC', '0044-03-15 BC'),
     (3, '2020-01-01 00:00:00+00', '2020-01-01 00:00:00', '2020-01-01'), (4, '12020-01-01 00:00:00+00', '12020-01-01 00:00:00', '12020-01-01')`,
  `CREATE TABLE words (w text PRIMARY KEY, n integer)`,
  `INSERT INTO words VALUES ('B', 1), ('a', 2), ('é', 3), ('Z', 4), ('ä', 5), ('a b', 6), ('ab', 7), ('😀', 8), ('', 9)`,
  `CREATE TABLE pairs (a integer, b varchar(10), c text, PRIMARY KEY (a, b))`,
  `INSERT INTO pairs SELECT g % 3, 'k' || (g % 7), 'v' || g FROM generate_series(1, 21) g`,
  // NOT NULL columns are rendered without a NULL test (postgres-chunk-digest.ts): the same text.
  `CREATE TABLE strict (id integer PRIMARY KEY, t text NOT NULL, u uuid NOT NULL, b boolean NOT NULL, ts timestamptz NOT NULL,
     tn timestamp NOT NULL, d date NOT NULL, n numeric(10,2) NOT NULL, j jsonb NOT NULL, bin bytea NOT NULL, i bigint NOT NULL, m mood NOT NULL)`,
  `INSERT INTO strict VALUES
     (1, '', '00000000-0000-0000-0000-000000000000', false, '0001-01-01 00:00:00+00', '9999-12-31 23:59:59.999999', '0001-01-01', 0, '{}', '\\x', -9007199254740991, 'sad'),
     (2, 'T4:abcd N i1', 'C4CA4238-A0B9-2382-0DCC-509A6F75849B', false, '2020-06-30 12:34:56.5+02', '1970-01-01 00:00:00.000001', '2020-02-29', -1.50, '{"a": "ü"}', '\\x00ff', 9007199254740991, 'happy')`,
  `CREATE TABLE floaty (id integer PRIMARY KEY, r double precision)`,
  `INSERT INTO floaty VALUES (1, 0.1), (2, 1e300), (3, NULL)`,
  // 5,000 rows each, for the default chunk sizes: digested by the server, and read by flarelift (a double).
  `CREATE TABLE many_text (id integer PRIMARY KEY, t text)`,
  `INSERT INTO many_text SELECT g, 'row ' || g FROM generate_series(1, 5000) g`,
  `CREATE TABLE many_real (id integer PRIMARY KEY, r double precision)`,
  `INSERT INTO many_real SELECT g, g / 7.0 FROM generate_series(1, 5000) g`,
];

/** The tables verified in 2-row chunks (not the 5,000-row ones). */
const SMALL = ['edge', 'odd', 'words', 'pairs', 'strict', 'floaty'];

describe('verify with server-side chunk digests (PostgreSQL into SQLite)', () => {
  let dir: string;
  let file: string;
  let to: string;

  before(async () => {
    await freshPgDatabase(DB, SETUP);
    dir = mkdtempSync(path.join(os.tmpdir(), 'flarelift-server-digest-'));
    file = path.join(dir, 'out.sqlite');
    to = `sqlite:${file}`;
    const copied = await copy({ from: FROM, to, cwd: dir, rejectDir: path.join(dir, 'rejects') });
    assert.equal(copied.status, 'complete');
  });

  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dropPgDatabase(DB);
  });

  test('the server and SQLite render whole tables to the same digest; values outside the rendering do not', async () => {
    const target = parseAnyTarget(to, { cwd: dir }) as Target;
    const reader = await target.reader();
    try {
      await withSource(FROM, async (source) => {
        const { schema } = await planSource(source, { measure: false });
        const snapshot = await source.snapshot(1);
        try {
          const seen = new Map<string, boolean>();
          for (const m of schema.tables) {
            if (m.name.startsWith('many_')) continue; // the default chunk sizes' tables (their own test)
            const digests = snapshot.chunkDigests?.(m);
            if (m.name === 'floaty') {
              assert.equal(digests, undefined, 'a double precision column is not rendered by the server');
              continue;
            }
            assert.ok(digests, `${m.name}: digested by the server`);
            const table = (await reader.table(m))!;
            const chunks = [];
            for await (const c of digests.chunks(1_000_000)) chunks.push({ hi: c.hi, ...(await c.digest) });
            assert.equal(chunks.length, 1);
            const mine = await table.textDigest!(null, null);
            assert.equal(chunks[0].rows, mine.rows, `${m.name}: rows`);
            seen.set(m.name, chunks[0].digest === mine.digest);
          }
          assert.deepEqual(Object.fromEntries(seen), { edge: true, odd: false, words: true, pairs: true, strict: true });
        } finally {
          await snapshot.close();
        }
      });
    } finally {
      await reader.close();
    }
  });

  test('clean: every table matches, the server digests all but the one with a double column', async () => {
    const summary = await verify({ from: FROM, to, cwd: dir, chunkRows: 2, tables: SMALL, failuresFile: path.join(dir, 'clean.jsonl'), rejectDir: path.join(dir, 'rejects') });
    assert.equal(summary.ok, true);
    for (const t of summary.tables) {
      assert.equal(t.mismatches, 0, t.name);
      assert.equal(t.chunksDiffering, 0, `${t.name}: a chunk the server could not render is compared by rows, and matches`);
      assert.equal(t.serverDigests === true, t.name !== 'floaty', `${t.name}: server digests`);
      assert.equal(t.targetRows, t.sourceRows, t.name);
    }
  });

  test('default chunks: 10,000 rows where the server digests them, 2,000 where flarelift reads the rows', async () => {
    const summary = await verify({ from: FROM, to, cwd: dir, tables: ['many_text', 'many_real'], failuresFile: path.join(dir, 'defaults.jsonl'), rejectDir: path.join(dir, 'rejects') });
    assert.equal(summary.ok, true);
    const byName = new Map(summary.tables.map((t) => [t.name, t]));
    assert.equal(byName.get('many_text')?.serverDigests, true);
    assert.equal(byName.get('many_text')?.chunks, 1, 'one chunk of up to 10,000 rows');
    assert.notEqual(byName.get('many_real')?.serverDigests, true);
    assert.equal(byName.get('many_real')?.chunks, 3, 'chunks of 2,000 rows: a chunk\'s rows stay alive until its target digest is in');
  });

  test('tampered: every change is named by key, whatever its type or place', async () => {
    const db = new Database(file);
    try {
      db.prepare(`UPDATE edge SET u = upper(u) WHERE id = 1`).run(); // case of a uuid
      db.prepare(`UPDATE edge SET i = 7.5 WHERE id = 4`).run(); // an INTEGER turned REAL
      db.prepare(`UPDATE edge SET t = CAST(t AS BLOB) WHERE id = 2`).run(); // same bytes, BLOB instead of TEXT
      db.prepare(`UPDATE edge SET ts = '2020-01-01T00:00:00.000001Z' WHERE id = -5`).run(); // one microsecond
      db.prepare(`UPDATE edge SET n = '1.0', bin = x'616263ff' WHERE id = 3`).run(); // NULL became a value; a byte added
      db.prepare(`DELETE FROM edge WHERE id = 1000000`).run(); // the last row of the last chunk
      db.prepare(`UPDATE odd SET ts = 'infinity ' WHERE id = 1`).run(); // in a chunk the server cannot render
      db.prepare(`INSERT INTO words VALUES ('aa', 10)`).run(); // between two keys
      db.prepare(`INSERT INTO pairs VALUES (9, 'zz', 'after the last key')`).run(); // after the last key
      db.prepare(`UPDATE pairs SET c = 'v1 ' WHERE a = 1 AND b = 'k1'`).run();
      db.prepare(`UPDATE strict SET b = 1 WHERE id = 2`).run(); // a NOT NULL boolean flipped
    } finally {
      db.close();
    }
    const failures = path.join(dir, 'bad.jsonl');
    const summary = await verify({ from: FROM, to, cwd: dir, chunkRows: 2, tables: SMALL, failuresFile: failures, rejectDir: path.join(dir, 'rejects') });
    assert.equal(summary.ok, false);
    const by = new Map(summary.tables.map((t) => [t.name, t]));
    assert.deepEqual(
      Object.fromEntries([...by].map(([n, t]) => [n, [t.missing, t.extra, t.changed]])),
      { edge: [1, 0, 5], odd: [0, 0, 1], words: [0, 1, 0], pairs: [0, 1, 1], strict: [0, 0, 1], floaty: [0, 0, 0] },
    );
    const keys = readFailures(failures).map((r) => `${r.table}:${r.kind}:${JSON.stringify(r.key)}`).sort();
    assert.deepEqual(keys, [
      'edge:changed:{"id":-5}',
      'edge:changed:{"id":1}',
      'edge:changed:{"id":2}',
      'edge:changed:{"id":3}',
      'edge:changed:{"id":4}',
      'edge:missing:{"id":1000000}',
      'odd:changed:{"id":1}',
      'pairs:changed:{"a":1,"b":"k1"}',
      'pairs:extra:{"a":9,"b":"zz"}',
      'strict:changed:{"id":2}',
      'words:extra:{"w":"aa"}',
    ]);
  });
});
