// A SQLite file as a flarelift source: opened read-only, never written.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { CastRule } from '../../casting/rules.js';
import type { SourceValue } from '../../casting/values.js';
import type { Catalog, Table, TableMeasurement } from '../../catalog/types.js';
import { UserError } from '../../errors.js';
import type { IntegerBounds, ReadOptions, Snapshot, Source } from '../source.js';
import { SQLITE_CAST_RULES } from './sqlite-cast-rules.js';
import { limitReadCache } from './sqlite-read-cache.js';
import { introspectSqlite } from './sqlite-introspector.js';
import { SqliteReader, integerBounds, measureTable } from './sqlite-reader.js';

/** The file path in `sqlite:<path>`, `sqlite://<path>` or a bare path. */
export function sqlitePath(spec: string): string {
  if (/^sqlite:\/\//i.test(spec)) return spec.slice('sqlite://'.length);
  if (/^sqlite:/i.test(spec)) return spec.slice('sqlite:'.length);
  return spec;
}

function errorCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

/** Opens the file read-only, turning every way it can be the wrong file into a one-line UserError. */
export function openDatabase(file: string): Database.Database {
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new UserError(`${file} is a directory, not a SQLite file — give the path of the database file itself`);
    size = st.size;
    accessSync(file, constants.R_OK);
  } catch (e) {
    if (e instanceof UserError) throw e;
    if (errorCode(e) === 'ENOENT' || errorCode(e) === 'ENOTDIR') throw new UserError(`no such file: ${file} — check the path`);
    if (errorCode(e) === 'EACCES') throw new UserError(`cannot read ${file}: permission denied — check the file's permissions or run as its owner`);
    throw e;
  }
  // SQLite treats an empty file as an empty database: almost certainly the wrong path here.
  if (size === 0) throw new UserError(`${file} is empty (0 bytes), not a SQLite database — check the path`);
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    limitReadCache(db);
    // better-sqlite3 opens lazily: the first read is what finds out the file is not a database.
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    return db;
  } catch (e) {
    db?.close();
    switch (errorCode(e)) {
      case 'SQLITE_NOTADB':
        throw new UserError(`${file} is not a SQLite database (file is encrypted or is not a database) — check the path`);
      case 'SQLITE_CORRUPT':
        throw new UserError(`${file} is a corrupt SQLite database — check it with: sqlite3 ${file} 'PRAGMA integrity_check'`);
      case 'SQLITE_CANTOPEN':
        throw new UserError(`cannot open ${file} (SQLite could not open it or its -wal/-shm files) — check the file and its directory's permissions`);
    }
    throw e;
  }
}

export class SqliteSource implements Source {
  readonly engine = 'sqlite' as const;
  readonly castRules: readonly CastRule[];
  private readonly reader: SqliteReader;

  private constructor(readonly description: string, private readonly file: string, private readonly db: Database.Database) {
    this.reader = new SqliteReader(db);
    this.castRules = SQLITE_CAST_RULES;
  }

  static open(spec: string): SqliteSource {
    const file = path.resolve(sqlitePath(spec));
    return new SqliteSource(spec, file, openDatabase(file));
  }

  async introspect(): Promise<Catalog> {
    return introspectSqlite(this.db, this.file);
  }

  async measure(table: Table): Promise<TableMeasurement> {
    return measureTable(this.db, table);
  }

  async integerBounds(table: Table, columns: readonly string[]): Promise<IntegerBounds[]> {
    return integerBounds(this.db, table, columns);
  }

  readRows(table: Table, options: ReadOptions): AsyncIterable<SourceValue[][]> {
    return this.reader.readRows(table, options);
  }

  async countRows(table: Table): Promise<number> {
    return this.reader.countRows(table);
  }

  async countNullKeys(table: Table, columns: readonly string[]): Promise<number> {
    return this.reader.countNullKeys(table, columns);
  }

  /**
   * One connection in one read transaction, shared by every reader: better-sqlite3 is
   * synchronous, so readers interleave batch by batch on it and all see the same instant.
   */
  async snapshot(_readers: number): Promise<Snapshot> {
    const db = openDatabase(this.file);
    db.prepare('BEGIN').run();
    // BEGIN is deferred: the read transaction (and its snapshot) starts with the first read.
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    const reader = new SqliteReader(db);
    // With a rollback journal, the read lock held from here to close() keeps every writer out, so
    // another connection (a SQLite target's, attaching the file) reads this same instant. In WAL
    // mode writers go on and only this connection sees the snapshot.
    const wal = String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal';
    return {
      consistency: 'one read transaction',
      ...(wal ? {} : { frozenFile: this.file }),
      readRows: (table, options) => reader.readRows(table, options),
      countRows: async (table) => reader.countRows(table),
      countNullKeys: async (table, columns) => reader.countNullKeys(table, columns),
      close: async () => {
        reader.closeIterators();
        if (db.open) {
          db.prepare('COMMIT').run();
          db.close();
        }
      },
    };
  }

  async close(): Promise<void> {
    this.reader.closeIterators();
    if (this.db.open) this.db.close();
  }
}
