// The contract of a source whose collections are not tables (a Redis keyspace, a bucket):
// it streams units with keys (catalog/collection.ts). Table sources keep source.ts, whose rows
// travel as arrays on the hot path; the registry opens either (sources/registry.ts).
import type { Collection, Key, Unit } from '../catalog/collection.js';
import type { Finding } from '../catalog/findings.js';

export interface UnitReadOptions {
  /** Ordered collections: only units whose key sorts after this one (resume). Ignored when unordered. */
  after?: Key;
  /** Units per batch yielded, at most. */
  maxUnits: number;
  /** Bytes per batch, at most (a batch holds at least one unit whatever its size). */
  maxBytes: number;
  signal?: AbortSignal;
  /**
   * Fill each value's content digest by reading it through (verify --checksum of a bucket, whose
   * listing gives sizes and ETags only). Sources whose values are their content ignore it.
   */
  digest?: boolean;
}

/** A view of the source for copy and verify; its reads close their cursors in `finally`. */
export interface UnitSnapshot<C extends Collection = Collection, V = unknown> {
  /** How consistent the view is, in words for the report ('live SCAN: keys changed during the copy may be missed'). */
  readonly consistency: string;
  /** Units in the collection now (progress; exact when the source can say, else an estimate). */
  count(c: C): Promise<number>;
  /**
   * Bytes in the collection now, when its units are measured in bytes (a bucket's objects): the
   * copy then reports progress in bytes as well as units. Absent for keyspaces and the like.
   */
  bytes?(c: C): Promise<number>;
  /**
   * Streams the collection's units in batches, bounded by maxUnits and maxBytes, whatever the
   * collection's size. Unordered collections may yield a key twice (SCAN does): the pipeline
   * keeps the first.
   */
  read(c: C, options: UnitReadOptions): AsyncIterable<Unit<V>[]>;
  /** The units with these keys as the source holds them (verify: is a target key really extra?). */
  lookup(c: C, keys: readonly Key[]): Promise<(Unit<V> | undefined)[]>;
  close(): Promise<void>;
}

export interface UnitPlanCollection {
  collection: Collection;
  units: number;
  bytes: number;
}

/** `plan` for a unit source: what is there, and what will not carry over as it is (with the fix). */
export interface UnitPlan {
  source: { engine: string; description: string; serverVersion?: string };
  collections: UnitPlanCollection[];
  findings: Finding[];
  totals: { blockers: number; warnings: number; infos: number };
}

export interface UnitSource<C extends Collection = Collection, V = unknown> {
  /** Tells a unit source from a table source (sources/registry.ts: isUnitSource). */
  readonly units: true;
  /** The source kind that opened it (its registry name: 'redis'). */
  readonly engine: string;
  /** What the user gave, with any password removed. */
  readonly description: string;
  collections(): Promise<C[]>;
  /** Measures the collections and reports findings (`flarelift plan`). */
  plan(options?: { signal?: AbortSignal; onProgress?: (message: string) => void }): Promise<UnitPlan>;
  snapshot(readers: number): Promise<UnitSnapshot<C, V>>;
  close(): Promise<void>;
}
