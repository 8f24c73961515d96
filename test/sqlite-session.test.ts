// The SQLite copy session's batches, as two table jobs use it at once (--jobs 2): a batch with
// refused rows has them recorded (the reject file) before it commits, and the other job's batch
// goes in only after it; once a batch is rolled back (its rejects could not be recorded) no later
// batch commits, so the journal keeps the last good batch and --resume starts there.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { openSqliteSession, type SqliteSession } from '../src/targets/sqlite-file/sqlite-session.js';
import type { JournalEntry, RowFailure } from '../src/targets/target.js';
import type { TableMapping } from '../src/schema/mapping.js';
import type { SqliteValue } from '../src/casting/values.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'flarelift-writer-'));
const shape = (name: string) => ({ name, columns: [{ name: 'id' }, { name: 'v' }] }) as unknown as TableMapping;
const ddl = (name: string) => `CREATE TABLE ${name} (id INTEGER PRIMARY KEY, v INTEGER NOT NULL CHECK (v >= 0))`;
const fresh = (table: string): JournalEntry => ({ table, lastKey: null, read: 0, written: 0, rejected: 0, done: false });
const entry = (table: string, read: number): JournalEntry => ({ table, lastKey: JSON.stringify([read]), read, written: read, rejected: 0, done: false });

async function open(name: string, tables: string[]): Promise<{ session: SqliteSession; file: string }> {
  const file = path.join(work, name);
  const session = openSqliteSession({ file, where: name, restoreJournalMode: true, maxParameters: 999 });
  await session.begin({ schema: { preLoad: tables.map(ddl), postLoad: [] }, entries: tables.map(fresh) });
  return { session, file };
}

const rows = (from: number, n: number, bad: number[] = []): SqliteValue[][] =>
  Array.from({ length: n }, (_, i) => [from + i, bad.includes(from + i) ? -1 : from + i]);

describe('SQLite copy session', () => {
  after(() => rmSync(work, { recursive: true, force: true }));

  test('two jobs at once: refused rows are recorded before their batch commits, the other batch after it', async () => {
    const { session, file } = await open('two.sqlite', ['a', 'b']);
    const log: string[] = [];
    const a = session.write({
      table: shape('a'),
      rows: rows(1, 100, [5, 50]),
      firstKey: null,
      after: entry('a', 100),
      onFailures: (f: RowFailure[]) => log.push(`a refused ${f.map((x) => x.index).join(',')}`),
    });
    const b = session.write({ table: shape('b'), rows: rows(1, 50), firstKey: null, after: entry('b', 50), onFailures: () => log.push('b refused') });
    const [ea, eb] = await Promise.all([a.then((e) => (log.push('a committed'), e)), b.then((e) => (log.push('b committed'), e))]);
    assert.deepEqual(log, ['a refused 4,49', 'a committed', 'b committed']);
    assert.deepEqual([ea.read, ea.written, ea.rejected], [100, 98, 2]);
    assert.deepEqual([eb.read, eb.written, eb.rejected], [50, 50, 0]);
    await session.close();
    const db = new Database(file, { readonly: true });
    assert.equal((db.prepare('SELECT count(*) AS n FROM a').get() as { n: number }).n, 98);
    assert.deepEqual(db.prepare(`SELECT rows_written AS w, rows_rejected AS r FROM flarelift_copy_journal WHERE table_name = 'a'`).get(), { w: 98, r: 2 });
    db.close();
  });

  test('a batch rolled back stops every batch sent after it: the journal keeps the last good one', async () => {
    const { session, file } = await open('stop.sqlite', ['t']);
    const good = session.write({ table: shape('t'), rows: rows(1, 10), firstKey: null, after: entry('t', 10), onFailures: () => undefined });
    // The reject file cannot be written: the batch must not commit (copy-rejects.ts relies on it).
    const failing = session.write({
      table: shape('t'),
      rows: rows(11, 10, [12]),
      firstKey: null,
      after: entry('t', 20),
      onFailures: () => {
        throw new Error('disk full while writing the reject file');
      },
    });
    const later = session.write({ table: shape('t'), rows: rows(21, 10), firstKey: null, after: entry('t', 30), onFailures: () => undefined });
    assert.equal((await good).written, 10);
    await assert.rejects(failing, /disk full/);
    await assert.rejects(later, /an earlier batch was not written/);
    await session.close();
    const db = new Database(file, { readonly: true });
    assert.equal((db.prepare('SELECT max(id) AS m FROM t').get() as { m: number }).m, 10);
    assert.equal((db.prepare(`SELECT rows_read FROM flarelift_copy_journal WHERE table_name = 't'`).get() as { rows_read: number }).rows_read, 10);
    db.close();
  });
});
