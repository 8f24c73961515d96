// The journal of a keyspace copy: every source key whose fate is committed (written, rejected or
// skipped, with the note saying why), in a SQLite file beside the target. SCAN cursors do not
// survive a restart (the hash table may be resized or rebuilt), so resume does not continue a
// cursor: it scans again from the start and passes over every key the journal holds. A key is
// journaled only after the target holds it, so a crash in between writes it again, with the value
// it has then — never lost, never counted twice. Lookups go to disk (an index), so memory stays
// flat whatever the keyspace size; the same lookup drops the keys SCAN returns twice.
import type BetterSqlite3 from 'better-sqlite3';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';

export type Fate = 'written' | 'rejected' | 'skipped';
export interface JournalRecord {
  key: Buffer;
  fate: Fate;
  note?: string;
}

export interface JournalCounts {
  written: number;
  rejected: number;
  skipped: number;
  /** Per note (skip reasons, TTL rule applications). */
  notes: Record<string, number>;
}

export class KeyJournal {
  readonly counts: JournalCounts = { written: 0, rejected: 0, skipped: 0, notes: {} };

  private constructor(
    readonly file: string,
    private readonly db: BetterSqlite3.Database,
    readonly resumed: boolean,
    private readonly hasStmt: BetterSqlite3.Statement<[Buffer], { n: number }>,
    private readonly insert: (records: readonly JournalRecord[]) => void,
  ) {}

  /**
   * Opens the journal for a copy from `source`: a fresh one unless `resume` and an unfinished one
   * exists. An unfinished journal without `resume` is refused (the user decides).
   */
  static async open(file: string, o: { resume: boolean; source: string; target: string }): Promise<KeyJournal> {
    const { default: Database } = await import('better-sqlite3');
    const exists = existsSync(file);
    if (exists && !o.resume) {
      throw new UserError(`${o.target} holds an unfinished copy (journal ${file}): run the same command with --resume to finish it, or delete that file to start over`);
    }
    mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(`CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
             CREATE TABLE IF NOT EXISTS keys (key BLOB PRIMARY KEY, fate TEXT NOT NULL, note TEXT) WITHOUT ROWID;`);
    const recorded = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE name = ?').get('source')?.value;
    if (recorded !== undefined && recorded !== o.source) {
      db.close();
      throw new UserError(`the unfinished copy in ${file} came from ${recorded}, not ${o.source}: resume it with that --from, or delete the file to start over`);
    }
    db.prepare('INSERT OR REPLACE INTO meta VALUES (?, ?)').run('source', o.source);
    const ins = db.prepare<[Buffer, string, string | null]>('INSERT OR IGNORE INTO keys VALUES (?, ?, ?)');
    const insert = db.transaction((records: readonly JournalRecord[]) => {
      for (const r of records) ins.run(r.key, r.fate, r.note ?? null);
    });
    const journal = new KeyJournal(file, db, exists, db.prepare<[Buffer], { n: number }>('SELECT 1 AS n FROM keys WHERE key = ?'), insert);
    for (const row of db.prepare<[], { fate: Fate; note: string | null; n: number }>('SELECT fate, note, count(*) AS n FROM keys GROUP BY fate, note').all()) {
      journal.count(row.fate, row.note, row.n);
    }
    return journal;
  }

  get read(): number {
    return this.counts.written + this.counts.rejected + this.counts.skipped;
  }

  has(key: Buffer): boolean {
    return this.hasStmt.get(key) !== undefined;
  }

  /** Records the batch in one transaction (after the target holds its writes). */
  commit(records: readonly JournalRecord[]): void {
    this.insert(records);
    for (const r of records) this.count(r.fate, r.note ?? null, 1);
  }

  private count(fate: Fate, note: string | null, n: number): void {
    this.counts[fate] += n;
    if (note) this.counts.notes[note] = (this.counts.notes[note] ?? 0) + n;
  }

  /** The copy is complete: the journal goes (a later copy starts fresh). */
  complete(): void {
    this.db.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(this.file + suffix, { force: true });
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
