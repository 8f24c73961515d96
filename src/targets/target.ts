// The contract every copy target implements (targets/<kind>/). A target says what it can hold
// (capabilities, checked by the pipeline before a row is written) and how committed progress is
// recorded (the journal), so `copy --resume` works the same way whatever the bytes' route.
import type { Finding } from '../catalog/findings.js';
import type { SqliteValue } from '../casting/values.js';
import type { TableMapping } from '../schema/mapping.js';
import type { TargetReader } from './reader.js';
import type { SyncSession } from './sync-session.js';

export interface TargetCapabilities {
  /** Whose limits these are, for reject reasons: 'D1', 'SQLite'. */
  readonly limitsOf: string;
  /** Largest string or BLOB value, in bytes (valueBytes). */
  readonly maxValueBytes: number;
  /** Largest row, as the sum of its values' bytes. */
  readonly maxRowBytes: number;
  /** Largest SQL statement text, when the target receives SQL text (import files). */
  readonly maxStatementBytes?: number;
  /** Bound parameters per statement the target accepts (import files bind none). */
  readonly maxBoundParameters: number;
  /**
   * 'per-row': rows are inserted through a connection, a constraint error rejects that row only.
   * 'per-file': rows travel as import files, a constraint error fails the whole file when applied.
   */
  readonly constraintErrors: 'per-row' | 'per-file';
  /**
   * 'check-after-load': foreign keys are off during the load and checked at the end (local files).
   * 'deferred-per-file': each import file defers its checks to its end (D1), so files go in FK-safe order.
   */
  readonly foreignKeys: 'check-after-load' | 'deferred-per-file';
}

/** What is committed for one table: the journal row (database targets) or manifest entry (files). */
export interface JournalEntry {
  table: string;
  /** JSON text (copy-json.ts encoding) of the key of the last row read and committed; null at the start or for keyless tables. */
  lastKey: string | null;
  read: number;
  written: number;
  rejected: number;
  done: boolean;
}

export interface TargetState {
  /** The journal of an unfinished copy, when the target holds one. */
  journal?: JournalEntry[];
  /** For each table asked about that the target has (by target name): whether it holds rows. */
  tables: Map<string, boolean>;
}

/** Schema DDL split by when it runs: tables before the load, the rest (indexes, views, triggers) after it. */
export interface SchemaSetup {
  preLoad: string[];
  postLoad: string[];
}

/** A row the target refused while writing (constraint error), by its index in the batch. */
export interface RowFailure {
  index: number;
  reason: string;
}

export interface WriteBatch {
  table: TableMapping;
  /** Values in table.columns order, already cast and checked against the capabilities. */
  rows: SqliteValue[][];
  /** Key (JSON text) of the first row written in this batch; null when keyless or empty. */
  firstKey: string | null;
  /** The entry once this batch is committed, counting the pipeline's rejects but not the rows the target refuses here. */
  after: JournalEntry;
  /**
   * Receives the rows the target refused, before the batch is committed, so the reject file
   * always holds at least what the journal counts. Must persist them synchronously.
   */
  onFailures(failures: RowFailure[]): void;
}

export interface TargetReport {
  findings: Finding[];
  /** One-line facts for the summary (e.g. "local D1 read back through wrangler: 3503 rows in track"). */
  notes: string[];
}

export interface TargetSession {
  /** The unfinished copy's journal, if any, and which of `tables` exist and hold rows. */
  state(tables: readonly string[]): Promise<TargetState>;
  /** Starts a new copy: creates the schema (when given) and the journal with these entries, atomically. */
  begin(setup: { schema?: SchemaSetup; entries: JournalEntry[]; tables: TableMapping[] }): Promise<void>;
  /** A keyless table that did not finish starts over: its rows go and its entry resets, atomically. */
  restart(table: TableMapping): Promise<void>;
  /** Writes a batch; resolves to the entry as committed (or buffered, for file targets) with the target's own refusals counted. */
  write(batch: WriteBatch): Promise<JournalEntry>;
  /** After every table is done: post-load DDL, checks, and removal of the journal; `notify` tells what a long step is doing. */
  finish(tables: TableMapping[], notify?: (message: string) => void): Promise<TargetReport>;
  /** Releases the target; an unfinished journal stays for --resume. */
  close(): Promise<void>;
  /**
   * SQLite targets, from a SQLite source file that stays unchanged while the copy runs: the
   * table's rows copied by SQLite itself, batch by batch (targets/sqlite-file/sqlite-direct.ts);
   * a string says why this table goes row by row.
   */
  direct?(file: string, table: TableMapping, capabilities: TargetCapabilities): DirectTable | string;
}

/** A table a SQLite target copies from an attached SQLite file in its own SQL. */
export interface DirectTable {
  /**
   * Copies the next `rows` rows after `entry`'s key in one transaction with the journal entry;
   * returns the entry as committed, 'end' when no rows remain, or undefined (nothing written)
   * when this batch must go row by row (text that is not UTF-8, a row the target refuses).
   */
  copy(entry: JournalEntry, rows: number): JournalEntry | 'end' | undefined;
}

export interface Target {
  readonly kind: 'sqlite-file' | 'd1-local' | 'sql-files' | 'd1-remote' | 'postgres' | 'mysql';
  /** For messages and the summary: "local D1 'mydb' (/path/….sqlite)". */
  readonly description: string;
  readonly capabilities: TargetCapabilities;
  /** The lock file a copy holds while it writes (target-lock.ts): one writer per target. */
  readonly lockFile?: string;
  open(): Promise<TargetSession>;
  /** Reads the target back for verify (the reader module and its driver are imported only here). */
  reader(): Promise<TargetReader>;
  /** Opens the session `sync` writes its changes through (sync-session.ts); absent: the kind cannot be synced. */
  sync?(): Promise<SyncSession>;
}
