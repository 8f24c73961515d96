// Tables without a key are compared as multisets (each distinct row and how often it occurs),
// and rows copy rejected count as rejected, not missing. On MySQL: the edgecases dataset's
// keyless tables (found from MySQL's own catalog) verify clean, and a row duplicated in the
// target is caught; in a scratch database: a keyless table with duplicate rows loses one copy,
// a value no SQLite INTEGER holds (rejected by its cast) and a value over D1's 2 MB limit
// (rejected by copy, listed in its reject file) verify as rejected.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import { copy } from '../src/pipeline/copy.js';
import { localD1Path } from '../src/cloudflare/local-state.js';
import { verify } from '../src/verify/verify.js';
import { makeProject, useTestEnv } from './helpers/copy-project.js';
import { mysqlUrl } from './helpers/env.js';
import { jsonSummary, openForTamper, q, readFailures, runVerifyCommand } from './helpers/verify-helpers.js';

const SCRATCH = 'flarelift_test_verify';

async function mysqlQuery<T>(db: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const conn = await mysql.createConnection(mysqlUrl(db));
  try {
    return (await conn.query(sql, params))[0] as T[];
  } finally {
    await conn.end();
  }
}

/** Tables with no primary key and no unique index whose columns are all NOT NULL: nothing identifies a row. */
async function keylessTables(db: string): Promise<Map<string, number>> {
  const rows = await mysqlQuery<{ name: string }>(
    db,
    `SELECT t.table_name AS name FROM information_schema.tables t
      WHERE t.table_schema = ? AND t.table_type = 'BASE TABLE' AND NOT EXISTS (
        SELECT 1 FROM information_schema.statistics s WHERE s.table_schema = t.table_schema AND s.table_name = t.table_name
          AND s.non_unique = 0 AND s.sub_part IS NULL
          GROUP BY s.index_name HAVING sum(s.nullable = 'YES') = 0)`,
    [db],
  );
  const out = new Map<string, number>();
  for (const { name } of rows) out.set(name, Number((await mysqlQuery<{ n: number }>(db, `SELECT count(*) AS n FROM \`${name}\``))[0].n));
  return out;
}

describe('verify: tables without a key, and rejected rows', () => {
  useTestEnv();

  test('edgecases: keyless tables verify as multisets; a duplicated row is caught', async () => {
    const from = mysqlUrl('edgecases');
    const project = makeProject();
    const rejectDir = path.join(project.dir, 'rejects');
    const failures = path.join(project.dir, 'failures.jsonl');
    try {
      await copy({ from, to: `d1:${project.database}`, config: project.config, cwd: project.dir, rejectDir });
      const keyless = await keylessTables('edgecases');
      assert.ok(keyless.size >= 3, `edgecases has several keyless tables (${[...keyless.keys()].join(', ')})`);
      const options = { from, to: `d1:${project.database}`, config: project.config, rejectDir, failures, json: true };
      const clean = await runVerifyCommand(options);
      assert.equal(clean.code, 0, clean.stdout + clean.stderr);
      const summary = jsonSummary(clean.stdout);
      for (const t of summary.tables) assert.equal(t.method === 'multiset', keyless.has(t.name), `${t.name}: ${t.method}`);

      const [table] = [...keyless].find(([, n]) => n > 0)!;
      const db = openForTamper(localD1Path({ configPath: project.config, database: project.database }));
      let row: Record<string, unknown>;
      try {
        row = db.prepare(`SELECT * FROM ${q(table)} LIMIT 1`).get() as Record<string, unknown>;
        assert.equal(db.prepare(`INSERT INTO ${q(table)} SELECT * FROM ${q(table)} LIMIT 1`).run().changes, 1);
      } finally {
        db.close();
      }
      const bad = await runVerifyCommand(options);
      assert.equal(bad.code, 1);
      const t = jsonSummary(bad.stdout).tables.find((x) => x.name === table)!;
      assert.deepEqual([t.missing, t.extra, t.changed, t.targetRows], [0, 1, 0, keyless.get(table)! + 1]);
      const [record] = readFailures(failures);
      assert.equal(record.table, table);
      assert.equal(record.kind, 'extra');
      assert.equal(record.key, null);
      assert.equal(record.count, 1);
      const expected = Object.fromEntries(
        Object.entries(row).map(([k, v]) => [k, Buffer.isBuffer(v) ? { $hex: v.toString('hex') } : v]),
      );
      assert.deepEqual(record.values, expected);
    } finally {
      rmSync(project.dir, { recursive: true, force: true });
    }
  });

  describe('scratch database', () => {
    before(async () => {
      await mysqlQuery('mysql', `DROP DATABASE IF EXISTS ${SCRATCH}`);
      await mysqlQuery('mysql', `CREATE DATABASE ${SCRATCH}`);
      const conn = await mysql.createConnection({ uri: mysqlUrl(SCRATCH), multipleStatements: true });
      try {
        await conn.query(`
          CREATE TABLE dup (a INT, b VARCHAR(10));
          INSERT INTO dup VALUES (1, 'x'), (1, 'x'), (1, 'x'), (2, 'y'), (NULL, NULL);
          CREATE TABLE big (id INT PRIMARY KEY, v BIGINT UNSIGNED);
          INSERT INTO big VALUES (1, 5), (2, 18446744073709551615), (3, 9223372036854775807);
          CREATE TABLE wide (id INT PRIMARY KEY, body LONGTEXT);
          INSERT INTO wide VALUES (1, 'small'), (2, REPEAT('a', 2100000)), (3, 'also small');`);
      } finally {
        await conn.end();
      }
    });
    after(async () => {
      await mysqlQuery('mysql', `DROP DATABASE IF EXISTS ${SCRATCH}`);
    });

    test('duplicates count; rejected rows are rejected, not missing, with the reject files', async () => {
      const from = mysqlUrl(SCRATCH);
      const project = makeProject();
      const rejectDir = path.join(project.dir, 'rejects');
      const failures = path.join(project.dir, 'failures.jsonl');
      // By default 2^64-1 would be kept as exact text; this rule asks for INTEGER, which cannot hold
      // it, so the cast itself refuses that row.
      const configFile = path.join(project.dir, 'flarelift.toml');
      writeFileSync(configFile, '[[cast]]\ncolumn = "big.v"\ntransform = "bigint"\n');
      try {
        const copied = await copy({ from, to: `d1:${project.database}`, config: project.config, cwd: project.dir, rejectDir, configFile });
        assert.deepEqual(Object.fromEntries(copied.tables.map((t) => [t.name, t.rejected])), { big: 1, dup: 0, wide: 1 });
        const base = { from, to: `d1:${project.database}`, config: project.config, cwd: project.dir, failuresFile: failures, configFile };
        const ok = await verify({ ...base, rejectDir });
        assert.equal(ok.ok, true, JSON.stringify(ok.tables));
        const byName = new Map(ok.tables.map((t) => [t.name, t]));
        assert.deepEqual([byName.get('big')!.rejected, byName.get('big')!.sourceRows, byName.get('big')!.targetRows], [1, 3, 2]);
        assert.deepEqual([byName.get('wide')!.rejected, byName.get('wide')!.sourceRows, byName.get('wide')!.targetRows], [1, 3, 2]);
        assert.equal(byName.get('dup')!.method, 'multiset');

        // Without the reject files, the row copy refused for its size is missing (the cast refuses the other one itself).
        const empty = path.join(project.dir, 'no-rejects');
        mkdirSync(empty);
        const blind = await verify({ ...base, rejectDir: empty });
        const wide = blind.tables.find((t) => t.name === 'wide')!;
        assert.deepEqual([wide.missing, wide.rejected], [1, 0]);
        assert.equal(blind.tables.find((t) => t.name === 'big')!.rejected, 1);
        assert.deepEqual(readFailures(failures), [{ table: 'wide', kind: 'missing', key: { id: 2 } }]);
        assert.deepEqual(readdirSync(rejectDir).sort(), ['big.rejects.jsonl', 'wide.rejects.jsonl']);

        // One of three equal rows goes: the multiset is short of one (1, 'x').
        const db = openForTamper(localD1Path({ configPath: project.config, database: project.database }));
        try {
          assert.equal(db.prepare(`DELETE FROM dup WHERE rowid = (SELECT max(rowid) FROM dup WHERE a = 1)`).run().changes, 1);
        } finally {
          db.close();
        }
        const short = await verify({ ...base, rejectDir });
        const dup = short.tables.find((t) => t.name === 'dup')!;
        assert.deepEqual([dup.missing, dup.extra, dup.sourceRows, dup.targetRows], [1, 0, 5, 4]);
        assert.deepEqual(readFailures(failures), [{ table: 'dup', kind: 'missing', key: null, values: { a: 1, b: 'x' }, count: 1 }]);
      } finally {
        rmSync(project.dir, { recursive: true, force: true });
      }
    });
  });
});
