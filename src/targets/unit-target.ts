// The contract of a target that takes units (catalog/collection.ts): KV takes a keyspace, R2 a
// bucket. Like the table contract (target.ts) it says what it can hold (capabilities, checked
// by the pipeline before a unit is written), how committed progress is recorded (the journal,
// written atomically with the units) and how it is read back for verify (reader()).
import type { Collection, CollectionKind, Key, Unit } from '../catalog/collection.js';
import type { Finding } from '../catalog/findings.js';
import type { UnitSource } from '../sources/unit-source.js';
import type { TargetReport } from './target.js';

export interface UnitCapabilities {
  /** Whose limits these are, for reject reasons: 'KV', 'R2'. */
  readonly limitsOf: string;
  /** Largest key, in UTF-8 bytes of its parts (KV: 512); undefined when unbounded. */
  readonly maxKeyBytes?: number;
  /** Largest unit (Unit.bytes after the cast). */
  readonly maxUnitBytes: number;
}

/** What becomes of one source unit in this target: written as `unit`, skipped by a rule, or rejected. */
export type CastOutcome<W> = { unit: Unit<W> } | { skip: string } | { reject: string };

/**
 * The transform from a source's units to a target's, with its inverse beside it: `compare`
 * tells whether what the target holds is what the cast wrote (verify), with the difference in
 * words when it is not. Built by the target for a given source (UnitTarget.castFrom).
 */
export interface UnitCast<C extends Collection = Collection, V = unknown, W = unknown> {
  cast(unit: Unit<V>, c: C): CastOutcome<W>;
  /** Undefined when `actual` (read back) equals `expected` (the cast source unit); else why not. */
  compare(expected: Unit<W>, actual: Unit<W>): string | undefined;
  /** A value for the failures and reject files (bytes as {"$base64": …}, never a secret). */
  describe(value: W | V): unknown;
}

/**
 * What is committed for one collection. Ordered collections resume after `lastKey`; unordered
 * ones resume by asking the session which keys are committed (UnitTargetSession.committed),
 * because a SCAN cursor is not stable across restarts.
 */
export interface UnitJournalEntry {
  collection: string;
  ordered: boolean;
  /** encodeUnitKey() of the last unit read and committed (ordered collections); null otherwise. */
  lastKey: string | null;
  read: number;
  written: number;
  rejected: number;
  skipped: number;
  done: boolean;
  /** Bytes of the units read and settled, when the source measures them (UnitSnapshot.bytes): resumed progress starts there. */
  bytes?: number;
}

export interface UnitTargetState {
  /** The journal of an unfinished copy, when the target holds one. */
  journal?: UnitJournalEntry[];
  /** For each collection asked about: whether the target already holds units in it. */
  filled: Map<string, boolean>;
}

/** A unit the target refused while writing, by its index in the batch. */
export interface UnitFailure {
  index: number;
  reason: string;
}

export interface UnitBatch<C extends Collection = Collection, W = unknown> {
  collection: C;
  /** Units already cast and checked against the capabilities. */
  units: Unit<W>[];
  /**
   * Keys of this batch's units that were rejected or skipped: an unordered collection journals
   * them with the written ones, so a resumed read does not count them again.
   */
  settled: Key[];
  /** The entry once this batch is committed (the pipeline's rejects and skips counted, not the target's refusals). */
  after: UnitJournalEntry;
  /** Receives the units the target refused, before the batch commits; must persist them synchronously. */
  onFailures(failures: UnitFailure[]): void;
  /**
   * Present when progress is counted in bytes: the target reports bytes of this batch's units as
   * it sends (or finds already there), so a batch of large objects shows progress before it commits.
   */
  onBytes?(bytes: number): void;
}

export interface UnitTargetSession<C extends Collection = Collection, W = unknown> {
  state(collections: readonly C[]): Promise<UnitTargetState>;
  /** Starts a new copy: the journal with these entries. */
  begin(setup: { entries: UnitJournalEntry[]; collections: C[] }): Promise<void>;
  /** Unordered collections: which of `keys` an earlier run of this copy committed (written, rejected or skipped). */
  committed(c: C, keys: readonly Key[]): Promise<boolean[]>;
  /** Writes the units and journals them (entry and, when unordered, their keys) atomically; resolves to the committed entry. */
  write(batch: UnitBatch<C, W>): Promise<UnitJournalEntry>;
  /** After every collection is done: checks, read-back, removal of the journal. */
  finish(collections: C[], notify?: (message: string) => void): Promise<TargetReport>;
  /** Releases the target; an unfinished journal stays for --resume. */
  close(): Promise<void>;
}

/** Read-back for verify. */
export interface UnitTargetReader<C extends Collection = Collection, W = unknown> {
  readonly description: string;
  /** The units with these keys as the target holds them (undefined when absent), in `keys` order; `digest` as UnitReadOptions.digest. */
  get(c: C, keys: readonly Key[], options?: { digest?: boolean }): Promise<(Unit<W> | undefined)[]>;
  /** Every key the target holds in the collection, in batches (extra keys). */
  keys(c: C, options: { batch: number; signal?: AbortSignal }): AsyncIterable<Key[]>;
  close(): Promise<void>;
}

export interface UnitTarget<C extends Collection = Collection, V = unknown, W = unknown> {
  /** The registered kind that made it ('kv-local', 'kv-remote', 'kvjson'). */
  readonly kind: string;
  /** For messages and the summary: "local KV 'CACHE' (…/.wrangler/state/v3/kv)". */
  readonly description: string;
  readonly capabilities: UnitCapabilities;
  /**
   * The lock file a copy holds while it writes (target-lock.ts), beside the target's journal:
   * one writer per target, as for table targets. Verify refuses while a live copy holds it.
   */
  readonly lockFile?: string;
  /** The collection kinds this target takes ('keyspace'); copying anything else is a user error. */
  readonly accepts: readonly CollectionKind[];
  /** What this target will make of the collection, before copying (plan findings). */
  plan?(c: C): Finding[];
  /** The cast for this source's units; a UserError when the target cannot take them. */
  castFrom(source: UnitSource<C, V>): UnitCast<C, V, W>;
  /** `jobs`: units a session may write at once within a batch (a bucket is one collection of many objects). */
  open(options?: { jobs?: number }): Promise<UnitTargetSession<C, W>>;
  /** Reads the target back for verify (the reader module and its driver are imported only here). */
  reader(): Promise<UnitTargetReader<C, W>>;
}
