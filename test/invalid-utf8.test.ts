// Text that is not valid UTF-8 is never read as U+FFFD: a SQLite TEXT value and a value in a
// PostgreSQL SQL_ASCII database are rejected with their bytes and a reason (plan predicts it,
// copy writes it to the reject file, verify counts it), unless a `blob` rule keeps the bytes; a
// genuine U+FFFD still arrives. The SQLite fixture also has several reject reasons and more
// than 5 rejected rows, so `plan --json`'s predicted counts per reason are compared with the
// reasons of copy's reject file (more than the 5 keys the plan samples).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { NotUtf8Text } from '../src/casting/values.js';
import { decodeKey, encodeKey } from '../src/pipeline/copy-json.js';
import { reasonClass } from '../src/pipeline/plan-scan.js';
import { SqliteSource } from '../src/sources/sqlite/sqlite-source.js';
import { runCli, type CliResult } from './helpers/cli.js';
import { testEnv } from './helpers/copy-project.js';
import { pgUrl } from './helpers/env.js';
import { dropPgDatabase, withPg } from './helpers/pg.js';

interface PlanJson {
  tables: { name: string; rejected?: number; rejects?: { reason: string; rows: number; keys: unknown[] }[] }[];
  findings: { severity: string; code: string; object: string; message: string; fix: string }[];
}
interface RejectLine {
  key: Record<string, unknown> | null;
  reason: string;
  values: Record<string, unknown>;
}

const json = <T>(r: CliResult): T => JSON.parse(r.stdout) as T;
const rejectLines = (dir: string, table: string): RejectLine[] => {
  const file = path.join(dir, `${table}.rejects.jsonl`);
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RejectLine) : [];
};
/** Reject lines per reason, grouped as the plan groups them. */
function perReason(lines: RejectLine[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of lines) out[reasonClass(l.reason)] = (out[reasonClass(l.reason)] ?? 0) + 1;
  return out;
}
const lastLine = (r: CliResult) => r.stdout.trim().split('\n').pop()!;

describe('SQLite source: TEXT that is not UTF-8, and several reject reasons', () => {
  let dir: string;
  let src: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fl-g7-utf8-'));
    src = path.join(dir, 'src.db');
    const db = new Database(src);
    db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT, flag BOOLEAN, big BLOB);
      CREATE TABLE k (name TEXT PRIMARY KEY, v INT) WITHOUT ROWID;`);
    const ins = db.prepare('INSERT INTO t (id, s, flag, big) VALUES (?, ?, ?, ?)');
    // 7 values that are not UTF-8 (an overlong form, a stray 0xff, a cut sequence, each followed
    // by the id's digit), 6 booleans holding 2, one holding text: three reasons, 14 rows.
    for (let i = 1; i <= 7; i++) db.prepare(`INSERT INTO t (id, s, flag) VALUES (?, CAST(? AS TEXT), 1)`).run(i, Buffer.from(`${i % 3 === 0 ? '41c0af' : i % 2 ? '41ff42' : 'e282'}3${i}`, 'hex'));
    for (let i = 8; i <= 13; i++) ins.run(i, 'fine', 2, null);
    ins.run(14, 'fine', 'maybe', null);
    ins.run(15, 'genuine \uFFFD replacement character', 1, null);
    ins.run(16, 'José', 0, null);
    db.prepare(`INSERT INTO k VALUES ('b', 1), (CAST(x'c328' AS TEXT), 2), ('é', 3)`).run();
    db.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('plan --json predicts per reason exactly the rows copy rejects; migrate says INCOMPLETE; valid text (and a genuine U+FFFD) arrives', async () => {
    const planned = await runCli(['plan', '--from', `sqlite:${src}`, '--json'], { cwd: dir, env: testEnv() });
    assert.equal(planned.code, 0, planned.stderr);
    const plan = json<PlanJson>(planned);
    const rejectDir = path.join(dir, 'rejects');
    const out = path.join(dir, 'out.db');
    const r = await runCli(['migrate', '--from', `sqlite:${src}`, '--to', `sqlite:${out}`, '--accept-findings', '--reject-dir', rejectDir], { cwd: dir, env: testEnv() });
    assert.equal(r.code, 5, r.stdout.slice(-2000) + r.stderr);
    assert.match(lastLine(r), /^INCOMPLETE: 1 of 3 rows of k rejected, see .*k\.rejects\.jsonl; 14 of 16 rows of t rejected/);

    for (const table of ['t', 'k']) {
      const predicted = plan.tables.find((t) => t.name === table)!;
      const lines = rejectLines(rejectDir, table);
      assert.deepEqual(Object.fromEntries((predicted.rejects ?? []).map((x) => [x.reason, x.rows])), perReason(lines), `${table}: plan's rows per reason = copy's reject file`);
      assert.equal(predicted.rejected, lines.length);
    }
    const reasons = perReason(rejectLines(rejectDir, 't'));
    assert.equal(Object.keys(reasons).length, 3, 'three reasons: not UTF-8, 2 is not a boolean, text is not a boolean');
    assert.equal(reasons[`s: text is not valid UTF-8 ('…'): D1 stores text as UTF-8; to keep the bytes, cast the column with transform "blob" in flarelift.toml`], 7);

    // The reject file holds the exact bytes, not U+FFFD.
    const bad = rejectLines(rejectDir, 't').find((l) => (l.key as { id: string }).id === '1')!;
    assert.deepEqual(bad.values.s, { $hex: '41ff4231' });
    assert.match(bad.reason, /^s: text is not valid UTF-8 \('A\\xffB1'\)/);
    assert.deepEqual(rejectLines(rejectDir, 'k').map((l) => l.key), [{ name: { $hex: 'c328' } }]);

    const db = new Database(out, { readonly: true });
    try {
      const rows = db.prepare('SELECT id, hex(s) AS s FROM t ORDER BY id').all() as { id: number; s: string }[];
      assert.deepEqual(rows, [
        { id: 15, s: Buffer.from('genuine \uFFFD replacement character').toString('hex').toUpperCase() },
        { id: 16, s: Buffer.from('José').toString('hex').toUpperCase() },
      ]);
      assert.deepEqual(db.prepare('SELECT name FROM k ORDER BY name').pluck().all(), ['b', 'é']);
    } finally {
      db.close();
    }
  });

  test('a blob rule keeps the bytes exactly and verify proves them', async () => {
    const project = path.join(dir, 'blob');
    rmSync(project, { recursive: true, force: true });
    const out = path.join(dir, 'blob.db');
    const config = path.join(dir, 'blob.toml');
    writeFileSync(config, '[[cast]]\ncolumn = "t.s"\ntransform = "blob"\n\n[[cast]]\ncolumn = "k.name"\ntransform = "blob"\n');
    const r = await runCli(['migrate', '--from', `sqlite:${src}`, '--to', `sqlite:${out}`, '--config-file', config, '--accept-findings', '--reject-dir', project, '--json'], { cwd: dir, env: testEnv() });
    assert.equal(r.code, 5, r.stdout.slice(-2000) + r.stderr);
    const lines = rejectLines(project, 't');
    assert.ok(lines.every((l) => !/UTF-8/.test(l.reason)), 'no UTF-8 reject under the blob rule');
    assert.equal(lines.length, 7, 'the booleans that are not 0/1 still');
    assert.deepEqual(rejectLines(project, 'k'), []);
    const db = new Database(out, { readonly: true });
    try {
      const s = db.prepare('SELECT id, typeof(s) AS type, hex(s) AS s FROM t WHERE id IN (1, 2, 3, 15) ORDER BY id').all();
      assert.deepEqual(s, [
        { id: 1, type: 'blob', s: '41FF4231' },
        { id: 2, type: 'blob', s: 'E28232' },
        { id: 3, type: 'blob', s: '41C0AF33' },
        { id: 15, type: 'blob', s: Buffer.from('genuine \uFFFD replacement character').toString('hex').toUpperCase() },
      ]);
      assert.deepEqual(db.prepare('SELECT hex(name) FROM k ORDER BY name').pluck().all(), ['62', 'C328', 'C3A9']);
    } finally {
      db.close();
    }
    const lines0 = r.stdout.trim().split('\n');
    const result = JSON.parse(lines0.slice(lines0.findIndex((l) => l === '{')).join('\n')) as { verify: { totals: { mismatches: number; rejected: number } } };
    assert.equal(result.verify.totals.mismatches, 0);
    assert.equal(result.verify.totals.rejected, 7);
  });

  test('a resume point that is such a text compares as TEXT again', async () => {
    const source = SqliteSource.open(src);
    try {
      const table = (await source.introspect()).tables.find((t) => t.name === 'k')!;
      const after = decodeKey(encodeKey([NotUtf8Text.copyOf(Buffer.from('c328', 'hex'))]));
      assert.ok(after[0] instanceof NotUtf8Text);
      const rows: unknown[][] = [];
      for await (const batch of source.readRows(table, { orderBy: ['name'], after, batchSize: 10 })) rows.push(...batch);
      assert.deepEqual(rows.map((row) => row[0]), ['é']);
    } finally {
      await source.close();
    }
  });
});

describe('PostgreSQL SQL_ASCII database: text that is not UTF-8', () => {
  const DB = 'fl_g7_ascii';
  before(async () => {
    await withPg('postgres', async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
      await c.query(`CREATE DATABASE ${DB} WITH ENCODING 'SQL_ASCII' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'`);
    });
    await withPg(DB, async (c) => {
      await c.query(`CREATE TABLE t (id int PRIMARY KEY, s text, ch char(5), doc json)`);
      // Bytes straight into the database: SQL_ASCII checks none of them.
      const text = (hex: string) => `convert_from('\\x${hex}'::bytea, 'SQL_ASCII')`;
      await c.query(`INSERT INTO t VALUES
        (1, ${text('41ff42')}, 'a', NULL),
        (2, ${text('4a6f73c3a9')}, ${text('c3a9')}, '{"a": "é"}'),
        (3, 'plain', 'ab', NULL),
        (4, 'fine', NULL, ${text('22e922')}::json),
        (5, ${text('efbfbd')}, NULL, NULL)`);
    });
  });
  after(() => dropPgDatabase(DB));

  test('plan warns of the encoding and predicts the rejects; migrate rejects them with their bytes, keeps the rest exactly', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fl-g7-ascii-'));
    try {
      const planned = await runCli(['plan', '--from', pgUrl(DB), '--json'], { cwd: dir, env: testEnv() });
      assert.equal(planned.code, 0, planned.stderr);
      const plan = json<PlanJson>(planned);
      const warning = plan.findings.find((f) => f.code === 'source-encoding-unchecked');
      assert.equal(warning?.severity, 'warning');
      assert.match(warning!.fix, /convert_from\(convert\(convert_to\(col, 'SQL_ASCII'\), 'LATIN1', 'UTF8'\)/);
      assert.match(warning!.fix, /transform "blob"/);
      const t = plan.tables.find((x) => x.name === 't')!;
      assert.equal(t.rejected, 2);

      const out = path.join(dir, 'out.db');
      const rejectDir = path.join(dir, 'rejects');
      const r = await runCli(['migrate', '--from', pgUrl(DB), '--to', `sqlite:${out}`, '--accept-findings', '--reject-dir', rejectDir], { cwd: dir, env: testEnv() });
      assert.equal(r.code, 5, r.stdout.slice(-2000) + r.stderr);
      assert.match(lastLine(r), /^INCOMPLETE: 2 of 5 rows of t rejected/);
      const lines = rejectLines(rejectDir, 't');
      assert.deepEqual(Object.fromEntries(t.rejects!.map((x) => [x.reason, x.rows])), perReason(lines));
      assert.deepEqual(lines.map((l) => [l.key, l.reason.split(':')[0]]), [[{ id: 1 }, 's'], [{ id: 4 }, 'doc']]);
      assert.deepEqual(lines[0].values.s, { $hex: '41ff42' });
      const db = new Database(out, { readonly: true });
      try {
        assert.deepEqual(db.prepare('SELECT id, s, ch, doc FROM t ORDER BY id').all(), [
          // char(5) counts bytes in a single-byte encoding: é is two of them.
          { id: 2, s: 'José', ch: 'é   ', doc: '{"a": "é"}' },
          { id: 3, s: 'plain', ch: 'ab   ', doc: null },
          { id: 5, s: '\uFFFD', ch: null, doc: null },
        ]);
      } finally {
        db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
