// `sync` on a SQLite database reached directly (a plain file, or the file behind a local D1):
// each chunk's deletes, updates and inserts and its journal row commit in one transaction, so
// a kill -9 leaves either the whole chunk or none of it. One connection in this thread: a sync
// writes few rows, the comparison (the digest thread, the source) is the work.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import type { SqliteValue } from '../../casting/values.js';
import { UserError } from '../../errors.js';
import { quoteAlways } from '../../schema/identifiers.js';
import type { TableMapping } from '../../schema/mapping.js';
import { SYNC_JOURNAL_TABLE, SYNC_STATE_TABLE, type SyncChange, type SyncEntry, type SyncSession, type SyncState } from '../sync-session.js';
import { guardWrite } from './sqlite-errors.js';
import { JOURNAL_TABLE } from './sqlite-journal.js';

export interface SqliteSyncOptions {
  file: string;
  where: string;
  /** Put the journal mode back when done (plain files); local D1 keeps WAL. */
  restoreJournalMode: boolean;
  /** What to tell the user when the file is absent. */
  hint: string;
}

/**
 * better-sqlite3 binds every JS number as a REAL: an integer in a TEXT column would read '5.0'.
 * Copy binds such integers as BigInt (sqlite-inserter.ts); binding every safe integer so stores
 * the same values in every affinity.
 */
function bindable(row: readonly SqliteValue[]): SqliteValue[] {
  return row.map((v) => (typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : v));
}

interface TableStatements {
  remove: Database.Statement;
  update: Database.Statement;
  insert: Database.Statement;
}

export function openSqliteSync(options: SqliteSyncOptions): SyncSession {
  if (!existsSync(options.file)) throw new UserError(`${options.where}: no database file — ${options.hint}`);
  const db = guardWrite(options.where, () => {
    const d = new Database(options.file, { fileMustExist: true });
    d.prepare('SELECT count(*) FROM sqlite_master').get();
    return d;
  });
  const original = String(db.pragma('journal_mode', { simple: true }));
  guardWrite(options.where, () => {
    // WAL before any reader opens: verify's reader holds a read transaction for its whole run,
    // which a rollback journal would not let a writer commit past.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    db.pragma('foreign_keys = OFF');
  });
  const has = (name: string) => db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) !== undefined;
  const statements = new Map<string, TableStatements>();
  const statementsFor = (m: TableMapping): TableStatements => {
    let s = statements.get(m.name);
    if (!s) {
      const t = quoteAlways(m.name);
      const key = m.key ?? [];
      const where = key.map((k) => `${quoteAlways(k)} = ?`).join(' AND ');
      const cols = m.columns.map((c) => quoteAlways(c.name));
      s = {
        remove: db.prepare(`DELETE FROM ${t} WHERE ${where || '0'}`),
        update: db.prepare(`UPDATE ${t} SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE ${where || '0'}`),
        insert: db.prepare(`INSERT INTO ${t} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`),
      };
      statements.set(m.name, s);
    }
    return s;
  };
  const keyIdx = (m: TableMapping) => (m.key ?? []).map((k) => m.columns.findIndex((c) => c.name === k));
  let save: Database.Statement | undefined;
  const saveEntry = (e: SyncEntry) => {
    save ??= db.prepare(`INSERT OR REPLACE INTO ${SYNC_JOURNAL_TABLE} (table_name, last_key, inserted, updated, deleted) VALUES (?, ?, ?, ?, ?)`);
    save.run(e.table, e.lastKey, e.inserted, e.updated, e.deleted);
  };
  // A keyless replace spans awaits (its rows stream in): other tables' changes wait for it.
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };
  const write = <T>(fn: () => T): T => guardWrite(options.where, fn);

  return {
    async state(): Promise<SyncState> {
      const marks = new Map<string, string>();
      if (has(SYNC_STATE_TABLE)) {
        for (const r of db.prepare(`SELECT name, mark FROM ${SYNC_STATE_TABLE}`).all() as { name: string; mark: string }[]) marks.set(r.name, r.mark);
      }
      const journal = has(SYNC_JOURNAL_TABLE)
        ? (db.prepare(`SELECT * FROM ${SYNC_JOURNAL_TABLE} ORDER BY rowid`).all() as { table_name: string; last_key: string | null; inserted: number; updated: number; deleted: number }[]).map(
            (r) => ({ table: r.table_name, lastKey: r.last_key, inserted: r.inserted, updated: r.updated, deleted: r.deleted }),
          )
        : undefined;
      return { journal, marks, copyUnfinished: has(JOURNAL_TABLE) };
    },
    begin: (entries) =>
      exclusive(async () =>
        write(() =>
          db.transaction(() => {
            db.exec(`CREATE TABLE IF NOT EXISTS ${SYNC_JOURNAL_TABLE} (table_name TEXT PRIMARY KEY, last_key TEXT, inserted INTEGER NOT NULL, updated INTEGER NOT NULL, deleted INTEGER NOT NULL)`);
            for (const e of entries) saveEntry(e);
          })(),
        ),
      ),
    apply: (change: SyncChange) =>
      exclusive(async () =>
        write(() =>
          db.transaction(() => {
            const s = statementsFor(change.table);
            const idx = keyIdx(change.table);
            for (const key of change.deletes) s.remove.run(bindable(key));
            for (const row of change.updates) s.update.run([...bindable(row), ...bindable(idx.map((i) => row[i]))]);
            for (const row of change.inserts) s.insert.run(bindable(row));
            saveEntry(change.entry);
          })(),
        ),
      ),
    replace: (m, batches, entry) =>
      exclusive(async () => {
        const s = statementsFor(m);
        write(() => db.prepare('BEGIN').run());
        try {
          write(() => db.exec(`DELETE FROM ${quoteAlways(m.name)}`));
          for await (const rows of batches) write(() => rows.forEach((row) => s.insert.run(bindable(row))));
          write(() => saveEntry(entry));
          write(() => db.prepare('COMMIT').run());
        } catch (e) {
          if (db.inTransaction) db.prepare('ROLLBACK').run();
          throw e;
        }
      }),
    finish: (marks) =>
      exclusive(async () => {
        write(() =>
          db.transaction(() => {
            db.exec(`CREATE TABLE IF NOT EXISTS ${SYNC_STATE_TABLE} (name TEXT PRIMARY KEY, mark TEXT NOT NULL)`);
            const put = db.prepare(`INSERT OR REPLACE INTO ${SYNC_STATE_TABLE} (name, mark) VALUES (?, ?)`);
            for (const [name, mark] of marks) put.run(name, mark);
            db.exec(`DROP TABLE IF EXISTS ${SYNC_JOURNAL_TABLE}`);
          })(),
        );
        write(() => {
          db.pragma('wal_checkpoint(TRUNCATE)');
          if (options.restoreJournalMode && original !== 'wal') db.pragma(`journal_mode = ${original}`);
        });
      }),
    async close() {
      await queue;
      if (db.open) db.close();
    },
  };
}
