// SQLite file to SQLite file: SQLite copies clean batches itself (ATTACH + INSERT … SELECT) and
// every batch it cannot vouch for goes row by row, with exactly the outcome the row path gives:
// the same values with their storage classes (compared with quote()), text that is not UTF-8 and
// a row the target refuses rejected with their reasons and the rest of their batch written, keys
// in BINARY order across ranges (a text key, a two-column key; a NOCASE key row by row), casts row by row, a
// WAL source (which other writers may change) row by row, and a copy killed between batches
// resumed without loss or duplicates.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { BIN, runCli } from './helpers/cli.js';
import { killAtProgress } from './helpers/processes.js';

interface TableJson {
  name: string;
  read: number;
  written: number;
  rejected: number;
  copiedBySqlite?: number;
}
interface SummaryJson {
  status: string;
  tables: TableJson[];
  notes: string[];
}

const ROWS = 3_000;
const BATCH = 200;
const BAD_ID = 1_234; // text that is not UTF-8: its batch (ids 1,201-1,400) goes row by row
const REFUSED_ID = 2_500; // breaks a CHECK the source let in: its batch (2,401-2,600) goes row by row

function makeSource(file: string, options: { wal?: boolean; bigRows?: number } = {}): void {
  const db = new Database(file);
  if (options.wal) db.pragma('journal_mode = WAL');
  if (options.bigRows) {
    // Enough batches that a kill lands while SQLite is copying them.
    db.exec(`CREATE TABLE big (id INTEGER PRIMARY KEY, t TEXT NOT NULL);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${options.bigRows}) INSERT INTO big SELECT i, 'text of row ' || i FROM n;`);
  }
  db.exec(`
    CREATE TABLE mixed (id INTEGER PRIMARY KEY, t TEXT, r REAL, b BLOB, n NUMERIC, any_type, big INTEGER);
    CREATE TABLE checked (id INTEGER PRIMARY KEY, v INTEGER CHECK (v >= 0));
    CREATE TABLE named (k TEXT COLLATE NOCASE PRIMARY KEY, v TEXT) WITHOUT ROWID;
    CREATE TABLE coded (code TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID;
    CREATE TABLE pairs (a INTEGER NOT NULL, b TEXT NOT NULL, v REAL, PRIMARY KEY (a, b));
    CREATE TABLE flags (id INTEGER PRIMARY KEY, on_off BOOLEAN);
  `);
  const mixed = db.prepare('INSERT INTO mixed VALUES (?, ?, ?, ?, ?, ?, ?)');
  const checked = db.prepare('INSERT INTO checked VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= ROWS; i++) {
      const text = i % 7 === 0 ? `naïve ☃ ${i}` : i % 11 === 0 ? `nul\u0000inside ${i}` : i % 13 === 0 ? null : `row ${i}`;
      // An untyped column: INTEGER, REAL (5.0 stays REAL both ways), TEXT, BLOB and NULL.
      const any = [BigInt(i), i % 2 ? i : i + 0.5, `s${i}`, Buffer.from([0xff, 0xfe, i & 0xff]), null][i % 5];
      mixed.run(i, text, i % 3 === 0 ? -i / 7 : i, i % 4 === 0 ? Buffer.from([0xc3, 0x28, i & 0xff]) : null, i % 2 ? '12.50' : i, any, 2 ** 40 + i);
      checked.run(i, i);
    }
  })();
  db.prepare('UPDATE mixed SET t = CAST(? AS TEXT) WHERE id = ?').run(Buffer.from([0x61, 0xe9, 0x62]), BAD_ID);
  // The source's CHECK was not enforced when this row went in (an old schema, a bulk load).
  db.pragma('ignore_check_constraints = ON');
  db.prepare('UPDATE checked SET v = -1 WHERE id = ?').run(REFUSED_ID);
  db.pragma('ignore_check_constraints = OFF');
  const named = db.prepare('INSERT INTO named VALUES (?, ?)');
  const coded = db.prepare('INSERT INTO coded VALUES (?, ?)');
  const pairs = db.prepare('INSERT INTO pairs VALUES (?, ?, ?)');
  db.transaction(() => {
    // Upper and lower case interleave in NOCASE order and not in BINARY order.
    for (let i = 0; i < 700; i++) named.run(`${i % 2 ? 'K' : 'k'}${String(i).padStart(4, '0')}${i % 3 ? 'X' : 'x'}`, `v${i}`);
    for (let i = 0; i < 600; i++) coded.run(`${i % 2 ? 'Z' : 'a'}-${(i * 37) % 600}-é`, Buffer.from([i & 0xff, 0x80]));
    for (let a = 0; a < 30; a++) for (let b = 0; b < 25; b++) pairs.run(a, `b${(b * 7) % 25}`, a * b);
    for (let i = 1; i <= 500; i++) db.prepare('INSERT INTO flags VALUES (?, ?)').run(i, i % 2);
  })();
  db.close();
}

/** Every row of every table in key order, each value as quote() writes it (storage class included; text as hex, whole past a NUL). */
function dump(file: string): Record<string, string[]> {
  const db = new Database(file, { readonly: true });
  const out: Record<string, string[]> = {};
  const order: Record<string, string> = { mixed: 'id', checked: 'id', named: 'k COLLATE BINARY', coded: 'code', pairs: 'a, b', flags: 'id', big: 'id' };
  const tables = new Set(db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table'`).pluck().all() as string[]);
  for (const [t, by] of Object.entries(order)) {
    if (!tables.has(t)) continue;
    const cols = (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(t) as string[]).map((c) => `CASE typeof("${c}") WHEN 'text' THEN 'T' || hex("${c}") ELSE quote("${c}") END`);
    out[t] = db.prepare(`SELECT ${cols.join(" || '|' || ")} FROM "${t}" ORDER BY ${by}`).pluck().all() as string[];
  }
  db.close();
  return out;
}

const copyArgs = (from: string, to: string, rejects: string, extra: string[] = []) => [
  'copy', '--from', `sqlite:${from}`, '--to', `sqlite:${to}`, '--json', '--batch-size', String(BATCH), '--reject-dir', rejects, '--jobs', '1', ...extra,
];
const summaryOf = (stdout: string): SummaryJson => JSON.parse(stdout.trim().split('\n').at(-1)!) as SummaryJson;
const table = (s: SummaryJson, name: string) => s.tables.find((t) => t.name === name)!;
const rejectReasons = (dir: string, t: string): string[] => {
  const f = path.join(dir, `${t}.rejects.jsonl`);
  return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { reason: string }).reason) : [];
};

describe('SQLite to SQLite: SQLite copies clean batches itself', () => {
  let tmp: string;
  let source: string;
  let expected: Record<string, string[]>;
  before(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'flarelift-direct-'));
    source = path.join(tmp, 'source.db');
    makeSource(source);
    expected = dump(source);
    // What the target must hold: the source less the two rows rejected.
    expected.mixed = expected.mixed.filter((r) => !r.startsWith(`${BAD_ID}|`));
    expected.checked = expected.checked.filter((r) => !r.startsWith(`${REFUSED_ID}|`));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('clean batches by SQLite, the others row by row, the same rows as the source', async () => {
    const target = path.join(tmp, 'one.db');
    const rejects = path.join(tmp, 'rejects-one');
    const r = await runCli(copyArgs(source, target, rejects));
    assert.equal(r.code, 5, r.stderr); // done, two rows rejected
    const s = summaryOf(r.stdout);
    assert.equal(s.status, 'complete');
    // Each table's batches: SQLite took all but the one with the bad text or the refused row.
    assert.deepEqual(
      Object.fromEntries(s.tables.map((t) => [t.name, [t.read, t.written, t.rejected, t.copiedBySqlite ?? 0]])),
      // named's NOCASE key is read in BINARY order, which no index gives: row by row (one sort).
      { mixed: [ROWS, ROWS - 1, 1, ROWS - BATCH], checked: [ROWS, ROWS - 1, 1, ROWS - BATCH], named: [700, 700, 0, 0], coded: [600, 600, 0, 600], pairs: [750, 750, 0, 750], flags: [500, 500, 0, 0] },
    );
    assert.match(s.notes.join('\n'), /SQLite copied 6,950 row\(s\) file to file itself \(2 table\(s\) whole\)/);
    assert.deepEqual(dump(target), expected);
    assert.equal(rejectReasons(rejects, 'mixed').length, 1);
    assert.match(rejectReasons(rejects, 'mixed')[0], /^t: text is not valid UTF-8/);
    assert.match(rejectReasons(rejects, 'checked')[0], /SQLite refused the row: CHECK constraint failed/);
    // verify agrees: everything matches, only the two rejected rows are absent.
    const v = await runCli(['verify', '--from', `sqlite:${source}`, '--to', `sqlite:${target}`, '--reject-dir', rejects, '--json']);
    assert.equal(v.code, 5, v.stderr);
    const verdict = JSON.parse(v.stdout.trim().split('\n').at(-1)!) as { tables: { name: string; sourceRows: number; targetRows: number; mismatches: number }[] };
    assert.deepEqual(
      verdict.tables.map((t) => [t.name, t.sourceRows - t.targetRows, t.mismatches]).sort(),
      [['checked', 1, 0], ['coded', 0, 0], ['flags', 0, 0], ['mixed', 1, 0], ['named', 0, 0], ['pairs', 0, 0]],
    );
  });

  test('a WAL source (others may write it meanwhile) goes row by row, with the same result', async () => {
    const wal = path.join(tmp, 'wal.db');
    makeSource(wal, { wal: true });
    const target = path.join(tmp, 'from-wal.db');
    const r = await runCli(copyArgs(wal, target, path.join(tmp, 'rejects-wal')));
    assert.equal(r.code, 5, r.stderr);
    const s = summaryOf(r.stdout);
    assert.deepEqual(s.tables.map((t) => t.copiedBySqlite ?? 0), [0, 0, 0, 0, 0, 0]);
    assert.deepEqual(dump(target), expected);
  });

  test('killed between batches, resumed: no row lost or written twice', async () => {
    const bigSource = path.join(tmp, 'big.db');
    makeSource(bigSource, { bigRows: 300_000 });
    const target = path.join(tmp, 'killed.db');
    const rejects = path.join(tmp, 'rejects-killed');
    // SIGKILL once table big has committed a few batches (copied by SQLite, 2,000 rows each).
    const args = [...copyArgs(bigSource, target, rejects), '--batch-size', '2000', '--tables', 'big'];
    const killed = await killAtProgress(spawn(process.execPath, [BIN, ...args], { env: { ...process.env, FLARELIFT_SOURCES: '1' } }), 'big', 4);
    assert.equal(killed.signal, 'SIGKILL', 'the copy was killed before it finished');
    const partial = new Database(target, { readonly: true });
    const before = partial.prepare('SELECT count(*) FROM big').pluck().get() as number;
    partial.close();
    assert.ok(before > 0 && before < 300_000, `the kill left part of the table (${before} rows)`);
    const r = await runCli([...args, '--resume']);
    assert.equal(r.code, 0, r.stderr);
    const s = summaryOf(r.stdout);
    assert.deepEqual([table(s, 'big').read, table(s, 'big').written, table(s, 'big').copiedBySqlite], [300_000, 300_000, 300_000 - before]);
    assert.deepEqual(dump(target).big, dump(bigSource).big);
  });
});
