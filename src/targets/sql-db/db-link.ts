// What a reverse copy needs from the database it writes (PostgreSQL or MySQL): one connection
// for batches and their journal rows in one transaction, the engine's bulk load, and the
// database opened as a flarelift source, whose catalog says each column's type (and so the
// inverse to apply) and whose readers read it back for verify exactly as a forward copy would.
import { createHash } from 'node:crypto';
import type { EngineValue, InverseEngine } from '../../casting/inverse-functions.js';
import type { SourceValue } from '../../casting/values.js';
import type { Table } from '../../catalog/types.js';
import type { TableMapping } from '../../schema/mapping.js';
import type { Source } from '../../sources/source.js';

export interface DbLink {
  readonly engine: InverseEngine;
  /** The database as a source: its catalog and cast rules (forward transforms for verify). */
  readonly source: Source;
  /** Rows as arrays of values, typed as the engine's source reader types them. */
  query(sql: string, params?: readonly unknown[]): Promise<SourceValue[][]>;
  /** The n-th (1-based) bound parameter's placeholder. */
  param(n: number): string;
  quote(name: string): string;
  /** The table's name as SQL, schema-qualified. */
  qualified(table: Table): string;
  /** Statements each write transaction starts with (checks and triggers off for copied rows). */
  readonly loadSettings: string[];
  /** Writes rows (engine values in `columns` order) into the table, the engine's fastest way. */
  load(table: Table, columns: string[], rows: EngineValue[][]): Promise<void>;
  /** SELECT of the columns (in table.columns order) in key order after a key, as the source reads. */
  select(table: Table, orderBy: string[] | undefined, after: unknown[] | undefined, limit: number): { sql: string; values: unknown[] };
  /** CREATE TABLE for a mapping whose target table does not exist (types from SQLite's). */
  createTable(m: TableMapping): string;
  /** Moves the table's sequences / AUTO_INCREMENT past the largest copied id; returns how many. */
  advanceSequences(table: Table): Promise<number>;
  /**
   * Triggers that would fire on copied rows and that the engine cannot switch off per session
   * (MySQL): their CREATE statements, to be recorded in the journal before they are dropped and
   * run again at the end. PostgreSQL returns none (replica mode skips triggers).
   */
  triggers(tables: Table[]): Promise<{ create: string[]; drop: string[] }>;
  /**
   * Takes the database's writer lock for this session (PostgreSQL pg_try_advisory_lock, MySQL
   * GET_LOCK with no wait): false when another session holds it. Held until the connection
   * closes, so a killed copy's lock goes with its connection.
   */
  tryLock(): Promise<boolean>;
  /**
   * Releases the writer lock before the connection closes: the server frees a closed session's
   * locks a moment after the socket closes, and a verify right after the copy (migrate) must
   * not find it still held.
   */
  unlock(): Promise<void>;
  /** Whether no session holds the writer lock (verify asks; it does not take it). */
  lockFree(): Promise<boolean>;
  /** INSERT-or-replace of one journal row (6 parameters). */
  readonly journalUpsert: string;
  close(): Promise<void>;
}

export const JOURNAL_TABLE = 'flarelift_copy_journal';

/** The writer lock's name for a database: one per target database, whoever connects to it. */
export function writerLockName(database: string): string {
  const name = `flarelift-copy:${database}`;
  // MySQL lock names are at most 64 characters: a long database name is hashed.
  return name.length <= 64 ? name : `flarelift-copy:${createHash('sha256').update(database).digest('hex').slice(0, 40)}`;
}

/** The same name as PostgreSQL's 64-bit advisory lock key (signed, as pg_advisory_lock takes it). */
export function writerLockKey(database: string): string {
  return createHash('sha256').update(writerLockName(database)).digest().readBigInt64BE(0).toString();
}

/** A column type in the database a flarelift-created table gets, from the SQLite declared type. */
export function engineType(declared: string, engine: InverseEngine, inKey: boolean): string {
  const t = declared.toUpperCase();
  const my = engine === 'mysql';
  if (/BOOL/.test(t)) return 'BOOLEAN';
  if (t.includes('INT')) return 'BIGINT';
  if (/CHAR|CLOB|TEXT/.test(t) || (/DATE|TIME/.test(t))) return my ? (inKey ? 'VARCHAR(768) COLLATE utf8mb4_bin' : 'LONGTEXT') : 'TEXT';
  if (t.includes('BLOB') || t.trim() === '') return my ? (inKey ? 'VARBINARY(3072)' : 'LONGBLOB') : 'BYTEA';
  // NUMERIC affinity stores well-formed numbers as INTEGER or REAL, so D1 holds no exact decimal
  // a double could not hold.
  return my ? 'DOUBLE' : 'DOUBLE PRECISION';
}

export function createTableSql(m: TableMapping, link: Pick<DbLink, 'quote' | 'engine'>): string {
  const key = new Set(m.key ?? []);
  const cols = m.columns.map((c) => `${link.quote(c.name)} ${engineType(c.cast.column.sourceType, link.engine, key.has(c.name))}${c.cast.column.nullable ? '' : ' NOT NULL'}`);
  if (m.table.primaryKey?.columns.length) cols.push(`PRIMARY KEY (${m.table.primaryKey.columns.map(link.quote).join(', ')})`);
  return `CREATE TABLE ${link.quote(m.name)} (${cols.join(', ')})`;
}
