// The SQLite writer thread takes the next batch while it writes one (a pipelined session). What
// that must not change: batches commit in the order sent; the rows the target refuses in one
// batch are counted in every later batch's journal entry although those were sent before the
// refusal was known; a batch asking to record rejects of its own first (`confirm`) waits for
// the batches before it; and once a batch is rolled back, no batch sent after it commits.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteWriterSession } from '../src/targets/sqlite-file/sqlite-writer.js';
import type { JournalEntry, RowFailure, WriteBatch } from '../src/targets/target.js';
import type { TableMapping } from '../src/schema/mapping.js';
import type { SqliteValue } from '../src/casting/values.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'flarelift-pipeline-'));
const table = { name: 't', columns: [{ name: 'id' }, { name: 'v' }] } as unknown as TableMapping;
const DDL = 'CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL CHECK (v >= 0))';

async function open(name: string): Promise<{ session: SqliteWriterSession; file: string }> {
  const file = path.join(work, name);
  const session = await SqliteWriterSession.open({ file, where: name, restoreJournalMode: true, maxParameters: 999 });
  await session.begin({ schema: { preLoad: [DDL], postLoad: [] }, entries: [{ table: 't', lastKey: null, read: 0, written: 0, rejected: 0, done: false }] });
  return { session, file };
}

const rows = (from: number, n: number, bad: number[] = []): SqliteValue[][] =>
  Array.from({ length: n }, (_, i) => [from + i, bad.includes(from + i) ? -1 : from + i]);

describe('SQLite writer thread, pipelined', () => {
  after(() => rmSync(work, { recursive: true, force: true }));

  test('refusals of one batch are counted by the batches sent after it; confirm waits its turn', async () => {
    const { session, file } = await open('order.sqlite');
    assert.equal(session.pipelined, true);
    const calls: string[] = [];
    let sent: JournalEntry = { table: 't', lastKey: null, read: 0, written: 0, rejected: 0, done: false };
    const send = (label: string, batch: SqliteValue[][], castRejects: number): Promise<JournalEntry> => {
      // As copy-table counts a pipelined batch: on from the previous batch's entry, refusals unknown.
      sent = { ...sent, lastKey: JSON.stringify([batch[batch.length - 1]?.[0] ?? null]), read: sent.read + batch.length + castRejects, written: sent.written + batch.length, rejected: sent.rejected + castRejects };
      const w: WriteBatch = {
        table,
        rows: batch,
        firstKey: null,
        after: sent,
        confirm: castRejects > 0,
        onFailures: (f: RowFailure[]) => calls.push(`${label}: ${f.map((x) => x.index).join(',') || 'none'}`),
      };
      return session.write(w);
    };
    // All three go before any is answered.
    const one = send('one', rows(1, 100, [5, 50]), 0);
    const two = send('two', rows(101, 100), 3);
    const three = send('three', rows(201, 100, [250]), 0);
    const [e1, e2, e3] = await Promise.all([one, two, three]);
    assert.deepEqual(calls, ['one: 4,49', 'two: none', 'three: 49'], 'each batch reports before the next commits, in order');
    assert.deepEqual([e1.written, e1.rejected, e1.read], [98, 2, 100]);
    assert.deepEqual([e2.written, e2.rejected, e2.read], [198, 5, 203], "batch two counts batch one's refusals and its own rejects");
    assert.deepEqual([e3.written, e3.rejected, e3.read], [297, 6, 303]);
    const done = await session.write({ table, rows: [], firstKey: null, after: { ...sent, done: true }, onFailures: () => undefined });
    assert.deepEqual([done.written, done.rejected, done.done], [297, 6, true]);
    await session.close();
    const db = new Database(file, { readonly: true });
    assert.equal((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 297);
    const j = db.prepare(`SELECT rows_read, rows_written, rows_rejected, done FROM flarelift_copy_journal WHERE table_name = 't'`).get();
    assert.deepEqual(j, { rows_read: 303, rows_written: 297, rows_rejected: 6, done: 1 });
    db.close();
  });

  test('a batch rolled back stops every batch sent after it: the journal keeps the last good one', async () => {
    const { session, file } = await open('stop.sqlite');
    const entry = (read: number): JournalEntry => ({ table: 't', lastKey: JSON.stringify([read]), read, written: read, rejected: 0, done: false });
    const good = session.write({ table, rows: rows(1, 10), firstKey: null, after: entry(10), onFailures: () => undefined });
    // The reject file cannot be written: the batch must not commit (copy-rejects.ts relies on it).
    const failing = session.write({
      table,
      rows: rows(11, 10, [12]),
      firstKey: null,
      after: entry(20),
      onFailures: () => {
        throw new Error('disk full while writing the reject file');
      },
    });
    const later = session.write({ table, rows: rows(21, 10), firstKey: null, after: entry(30), onFailures: () => undefined });
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
