// The journal of a copy into KV: the collection's entry (counts), the rules' note counts, the
// bulk files' state (file targets), and every source key whose fate is committed — in a SQLite
// file beside the target. SCAN cursors do not survive a restart (the hash table may be resized
// or rebuilt), so a resume scans again from the start and passes over every key the journal
// holds. Keys are journaled only once the target holds their batch, so a crash in between
// writes them again, with the value they have then — never lost, never counted twice. Lookups
// go to disk (an index), so memory stays flat whatever the keyspace size.
import type BetterSqlite3 from 'better-sqlite3';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { UnitJournalEntry } from '../unit-target.js';

export interface JournalCommit {
  /** Source keys settled by this batch (written, rejected or skipped). */
  keys: readonly Buffer[];
  entry: UnitJournalEntry;
  /** Note counts added by this batch. */
  notes?: ReadonlyMap<string, number>;
  /** The file target's state once this batch is in it (JSON-able). */
  files?: unknown;
}

export class KvJournal {
  private constructor(
    readonly file: string,
    private readonly db: BetterSqlite3.Database,
    private readonly hasStmt: BetterSqlite3.Statement<[Buffer], { n: number }>,
    private readonly commitTx: (c: JournalCommit) => void,
  ) {}

  static exists(file: string): boolean {
    return existsSync(file);
  }

  /** Opens the journal (`fresh`: a new, empty one replacing any file there). */
  static async open(file: string, fresh: boolean): Promise<KvJournal> {
    const { default: Database } = await import('better-sqlite3');
    if (fresh) KvJournal.remove(file);
    mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(`CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
             CREATE TABLE IF NOT EXISTS keys (key BLOB PRIMARY KEY) WITHOUT ROWID;`);
    const ins = db.prepare<[Buffer]>('INSERT OR IGNORE INTO keys VALUES (?)');
    const setMeta = db.prepare<[string, string]>('INSERT OR REPLACE INTO meta VALUES (?, ?)');
    const getMeta = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE name = ?');
    const commitTx = db.transaction((c: JournalCommit) => {
      for (const k of c.keys) ins.run(k);
      const entries = JSON.parse(getMeta.get('entries')?.value ?? '{}') as Record<string, UnitJournalEntry>;
      entries[c.entry.collection] = c.entry;
      setMeta.run('entries', JSON.stringify(entries));
      if (c.notes && c.notes.size > 0) {
        const notes = JSON.parse(getMeta.get('notes')?.value ?? '{}') as Record<string, number>;
        for (const [n, v] of c.notes) notes[n] = (notes[n] ?? 0) + v;
        setMeta.run('notes', JSON.stringify(notes));
      }
      if (c.files !== undefined) setMeta.run('files', JSON.stringify(c.files));
    });
    return new KvJournal(file, db, db.prepare<[Buffer], { n: number }>('SELECT 1 AS n FROM keys WHERE key = ?'), commitTx);
  }

  private meta<T>(name: string, fallback: T): T {
    const row = this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE name = ?').get(name);
    return row ? (JSON.parse(row.value) as T) : fallback;
  }

  entries(): UnitJournalEntry[] {
    return Object.values(this.meta<Record<string, UnitJournalEntry>>('entries', {}));
  }

  notes(): Record<string, number> {
    return this.meta<Record<string, number>>('notes', {});
  }

  files<T>(): T | undefined {
    return this.meta<T | undefined>('files', undefined);
  }

  has(key: Buffer): boolean {
    return this.hasStmt.get(key) !== undefined;
  }

  commit(c: JournalCommit): void {
    this.commitTx(c);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  static remove(file: string): void {
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  }
}
