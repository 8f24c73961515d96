// What `sync` needs of a target beyond copy's session: apply one chunk's changes (deletes,
// updates, inserts by key) together with the sync journal in one transaction, replace a keyless
// table's content, and keep the high-water marks of the --since-column narrowing. A target that
// offers it sets `Target.sync`; targets/<kind>/ implements it beside its copy session.
import type { SqliteValue } from '../casting/values.js';
import type { TableMapping } from '../schema/mapping.js';

/** The sync journal (table flarelift_sync_journal in the target) and the marks (flarelift_sync_state). */
export const SYNC_JOURNAL_TABLE = 'flarelift_sync_journal';
export const SYNC_STATE_TABLE = 'flarelift_sync_state';

/** What is committed of one table's sync in this run, saved with every chunk applied. */
export interface SyncEntry {
  table: string;
  /** JSON text (copy-json.ts) of the last key range end applied; null before the first. */
  lastKey: string | null;
  inserted: number;
  updated: number;
  deleted: number;
}

export interface SyncChange {
  table: TableMapping;
  /** Key values (in the mapping's key order) of target rows to delete. */
  deletes: SqliteValue[][];
  /** Whole rows (mapping column order) whose key the target holds with other values. */
  updates: SqliteValue[][];
  /** Whole rows the target lacks. */
  inserts: SqliteValue[][];
  /** The table's entry once this change is committed (counts included). */
  entry: SyncEntry;
}

export interface SyncState {
  /** The entries of an unfinished sync (killed or interrupted), if the target holds one. */
  journal?: SyncEntry[];
  /** High-water marks of earlier syncs: `<table>.<column>` → the largest value seen (source text). */
  marks: Map<string, string>;
  /** The target holds an unfinished copy (its journal): sync must not start. */
  copyUnfinished: boolean;
}

export interface SyncSession {
  state(): Promise<SyncState>;
  /** Starts the journal of a new sync (or keeps the unfinished one's entries when resuming). */
  begin(entries: SyncEntry[]): Promise<void>;
  /** Deletes, updates, inserts and the entry, in one target transaction. */
  apply(change: SyncChange): Promise<void>;
  /**
   * A table without a key: its rows become `batches`, the entry saved with them. Local targets do
   * it in one transaction; remote ones in as many import files as it takes (the entry is saved
   * with the last, so a resume replaces the table again).
   */
  replace(table: TableMapping, batches: AsyncIterable<SqliteValue[][]>, entry: SyncEntry): Promise<void>;
  /** After every table: saves the marks and drops the journal. */
  finish(marks: Map<string, string>): Promise<void>;
  close(): Promise<void>;
}
