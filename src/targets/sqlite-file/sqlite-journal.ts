// The journal of a copy into a SQLite database (a plain file or local D1): one row per table,
// written in the same transaction as each batch, so what it says is exactly what is committed.
// It is dropped when the whole copy completes, leaving the user's database clean.
import type Database from 'better-sqlite3';
import type { JournalEntry } from '../target.js';

export const JOURNAL_TABLE = 'flarelift_copy_journal';

/** The row with an empty table_name holds, as JSON in last_key, the DDL to run after the load. */
const META = '';

interface JournalRow {
  table_name: string;
  last_key: string | null;
  rows_read: number;
  rows_written: number;
  rows_rejected: number;
  done: number;
}

export class SqliteJournal {
  private upsert?: Database.Statement;

  constructor(private readonly db: Database.Database) {}

  exists(): boolean {
    return this.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(JOURNAL_TABLE) !== undefined;
  }

  read(): { entries: JournalEntry[]; postLoad: string[] } {
    const rows = this.db.prepare(`SELECT * FROM ${JOURNAL_TABLE} ORDER BY rowid`).all() as JournalRow[];
    const meta = rows.find((r) => r.table_name === META);
    const entries = rows
      .filter((r) => r.table_name !== META)
      .map((r) => ({
        table: r.table_name,
        lastKey: r.last_key,
        read: r.rows_read,
        written: r.rows_written,
        rejected: r.rows_rejected,
        done: r.done === 1,
      }));
    return { entries, postLoad: meta?.last_key ? (JSON.parse(meta.last_key) as string[]) : [] };
  }

  /** Creates the journal; call inside the transaction that creates the schema. */
  create(entries: readonly JournalEntry[], postLoad: readonly string[]): void {
    this.db.exec(
      `CREATE TABLE ${JOURNAL_TABLE} (table_name TEXT PRIMARY KEY, last_key TEXT, rows_read INTEGER NOT NULL, ` +
        `rows_written INTEGER NOT NULL, rows_rejected INTEGER NOT NULL, done INTEGER NOT NULL)`,
    );
    this.save({ table: META, lastKey: JSON.stringify(postLoad), read: 0, written: 0, rejected: 0, done: false });
    for (const e of entries) this.save(e);
  }

  save(e: JournalEntry): void {
    this.upsert ??= this.db.prepare(
      `INSERT OR REPLACE INTO ${JOURNAL_TABLE} (table_name, last_key, rows_read, rows_written, rows_rejected, done) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.upsert.run(e.table, e.lastKey, e.read, e.written, e.rejected, e.done ? 1 : 0);
  }

  drop(): void {
    this.db.exec(`DROP TABLE IF EXISTS ${JOURNAL_TABLE}`);
  }
}
