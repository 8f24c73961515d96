// The contract every source engine implements (sources/<engine>/<engine>-source.ts).
import type { CastRule } from '../casting/rules.js';
import type { SourceValue } from '../casting/values.js';
import type { Catalog, Engine, Table, TableMeasurement } from '../catalog/types.js';
import type { TableMapping } from '../schema/mapping.js';
import type { UnitSource } from './unit-source.js';

export interface ReadOptions {
  /**
   * Column names (of the table) to order rows by — the primary key. Text keys are ordered by
   * their bytes (Postgres COLLATE "C", MySQL BINARY) so the order equals SQLite's BINARY order,
   * which verify's merge relies on.
   */
  orderBy?: string[];
  /** Resume point: only rows whose orderBy key is strictly greater than this tuple. */
  after?: SourceValue[];
  /** Rows per batch yielded (the reader fetches with a server-side cursor of about this size). */
  batchSize: number;
  /**
   * Only rows whose `column` is at or past `from` (sync --since-column): `from` is a value the
   * column held, as the reader gave it, compared by the engine in the column's own type.
   */
  since?: { column: string; from: SourceValue };
  signal?: AbortSignal;
  /**
   * The caller reads the whole table, stopping early only to end the run (copy): a source may
   * then use its bulk export (PostgreSQL's COPY TO), which costs a connection to stop early.
   */
  bulk?: boolean;
}

export interface Source {
  readonly engine: Engine;
  /** What the user gave, with any password removed. */
  readonly description: string;
  /** The engine's default cast rules (user rules are put before them). */
  readonly castRules: readonly CastRule[];
  introspect(): Promise<Catalog>;
  /** Scans the table for the plan: exact rows, largest row and values, integers beyond 2^53. */
  measure(table: Table): Promise<TableMeasurement>;
  /**
   * The smallest and largest value of each given integer column, as decimal text (null when the
   * table has none): MIN/MAX, which an index answers at once. Decides the casts that must keep
   * integers beyond 2^53 exact for a Worker (casting/measured-rules.ts).
   */
  integerBounds(table: Table, columns: readonly string[]): Promise<IntegerBounds[]>;
  /**
   * Streams rows as arrays of values in `table.columns` order, in batches. Values follow the
   * SourceValue convention (lossless text for numerics/temporals/json, Buffers for binary).
   * The cursor is closed when the consumer stops early (finally).
   */
  readRows(table: Table, options: ReadOptions): AsyncIterable<SourceValue[][]>;
  countRows(table: Table): Promise<number>;
  /**
   * Rows holding NULL in any of `columns` (a key SQLite let hold NULLs: NULLs have no order to
   * resume after). Engines whose key columns are NOT NULL by definition may leave it out.
   */
  countNullKeys?(table: Table, columns: readonly string[]): Promise<number>;
  /**
   * A consistent view of the whole source shared by up to `readers` concurrent readers
   * (copy --jobs): Postgres exports one snapshot that every reader imports; MySQL opens the
   * readers' consistent-snapshot transactions under one brief global read lock; SQLite holds one
   * read transaction. Rows read through it all see the same instant.
   */
  snapshot(readers: number): Promise<Snapshot>;
  close(): Promise<void>;
}

export interface IntegerBounds {
  column: string;
  min: string | null;
  max: string | null;
  /**
   * True when the column also holds values that are not integers (SQLite's dynamic types: REAL or
   * TEXT in an INTEGER column), which exact decimal text could not hold.
   */
  nonIntegers?: boolean;
}

export interface Snapshot {
  /** How consistent the view is, for the report ('exported snapshot', 'per-table snapshot: ...'). */
  readonly consistency: string;
  /**
   * SQLite sources: the file, when no other connection can change it while the snapshot is open
   * (rollback journal and the snapshot's read lock), so a SQLite target may read it directly.
   */
  readonly frozenFile?: string;
  readRows(table: Table, options: ReadOptions): AsyncIterable<SourceValue[][]>;
  countRows(table: Table): Promise<number>;
  /**
   * Rows holding NULL in any of `columns` (a key SQLite let hold NULLs: NULLs have no order to
   * resume after). Engines whose key columns are NOT NULL by definition may leave it out.
   */
  countNullKeys?(table: Table, columns: readonly string[]): Promise<number>;
  /**
   * Verify's chunk digests computed by the source itself (optional): undefined when some column's
   * cast cannot be reproduced exactly in the engine's SQL, and verify reads the rows instead. The
   * row text hashed is defined in verify/verify-server-digest.ts.
   */
  chunkDigests?(m: TableMapping): ChunkDigests | undefined;
  close(): Promise<void>;
}

/** A table's chunk digests, made where the rows are (verify/verify-server-digest.ts). */
export interface ChunkDigests {
  /**
   * Consecutive chunks of `chunkRows` rows in key order (the last one: every row after the
   * previous chunk). A chunk's rows() may be asked for until the iterator is asked for the
   * chunk after the last one.
   */
  chunks(chunkRows: number, signal?: AbortSignal): AsyncIterable<SourceChunk>;
}

export interface SourceChunk {
  /** The chunk's last key as the source reads it; null for the last chunk (no upper bound). */
  hi: SourceValue[] | null;
  /** Row count and SHA-256 (hex) of the chunk's row text, computed by the source. */
  digest: Promise<{ rows: number; digest: string }>;
  /** The chunk's rows (as readRows gives them, in key order), for a chunk whose digest differs. */
  rows(): Promise<SourceValue[][]>;
}

/**
 * What each source folder's index exports and registers (sources/registry.ts). The index is
 * small and imports no driver: open() imports the folder's source module (and with it pg,
 * mysql2, better-sqlite3 or ioredis) only when a command opens such a source.
 */
export interface SourceEngine<S extends Source | UnitSource = Source | UnitSource> {
  engine: Engine;
  /** How --from looks for this kind, for help and errors: 'postgres://…', 'sqlite:<path>'. */
  forms: readonly string[];
  /** True when this engine handles the given --from text. */
  accepts(spec: string): boolean;
  /** A table source (rows on the fast path) or a unit source (keyspaces, buckets). */
  open(spec: string): Promise<S>;
}
