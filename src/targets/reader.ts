// The read-back contract every database target implements for verify (targets/<kind>/<kind>-reader.ts),
// reached through Target.reader(). verify/ holds the strategies that walk these reads (ordered
// chunks, keyed, multiset) and never imports a reader's internals. Rows are arrays of values in
// the mapping's column order, as SQLite holds them.
import type { SqliteValue } from '../casting/values.js';
import { UserError } from '../errors.js';
import type { TableMapping } from '../schema/mapping.js';

/** Rows are arrays of values in the mapping's column order, as SQLite holds them (integers as bigint). */
export type TargetRow = SqliteValue[];

export interface RangeRead {
  rows: number;
  /** SHA-1 of the rows encoded as EncodedRows encodes them, in key order. */
  digest: string;
  /** The rows themselves, when the reader had to bring them here to hash them (remote). */
  data?: TargetRow[];
}

export interface TargetTableReader {
  /** Count and digest of the rows whose key is in (lo, hi] (null: unbounded). */
  digest(lo: readonly SqliteValue[] | null, hi: readonly SqliteValue[] | null): Promise<RangeRead>;
  /**
   * Count and SHA-256 of the row text (verify/verify-server-digest.ts) of the rows whose key is
   * in (lo, hi], for sources that digest chunks themselves. Optional: readers without it are
   * verified by rows.
   */
  textDigest?(lo: readonly SqliteValue[] | null, hi: readonly SqliteValue[] | null): Promise<RangeRead>;
  /** Rows whose key is in (lo, hi] (null: unbounded), in SQLite's key order (BINARY), at most `limit`. */
  range(lo: readonly SqliteValue[] | null, hi: readonly SqliteValue[] | null, limit: number): Promise<TargetRow[]>;
  /** The rows whose key equals one of `keys` (any order; under a NOCASE key also a row equal but for case: match by exact key). */
  lookup(keys: readonly (readonly SqliteValue[])[]): Promise<TargetRow[]>;
  /** Tables without a key, in rowid order after `after`: each row ends with its rowid (a bigint). */
  rowidPage(after: bigint | null, limit: number): Promise<TargetRow[]>;
}

export interface TargetReader {
  readonly description: string;
  /** Rows per page read that suit the transport (a remote call costs about a second). */
  readRows(chunkRows: number): number;
  /** The table as copy created it, or undefined when the target has no such table. */
  table(m: TableMapping): Promise<TargetTableReader | undefined>;
  close(): Promise<void>;
}

/** Key columns (or the rowid) of a table mapping, for the SQL both readers build. */
export interface TableShape {
  table: string;
  columns: string[];
  key: string[];
}

export function shapeOf(m: TableMapping): TableShape {
  return { table: m.name, columns: m.columns.map((c) => c.name), key: m.key ?? [] };
}

/** A name for the rowid that no column of the table shadows. */
export function rowidName(columns: readonly string[]): string {
  const taken = new Set(columns.map((c) => c.toLowerCase()));
  const name = ['rowid', '_rowid_', 'oid'].find((n) => !taken.has(n));
  if (!name) throw new UserError('a table without a key has columns named rowid, _rowid_ and oid: verify cannot tell its rows apart');
  return name;
}

/** Columns copy wrote that the target table lacks: a target not made from this source. */
export function checkColumns(shape: TableShape, present: readonly string[]): void {
  const have = new Set(present.map((c) => c.toLowerCase()));
  const missing = shape.columns.filter((c) => !have.has(c.toLowerCase()));
  if (missing.length > 0) {
    throw new UserError(`target table ${shape.table} has no column ${missing.join(', ')}: it was not copied from this source with these cast rules (check --from and --config-file)`);
  }
}
