// Bringing one keyed table up to date: the source in key order, chunk by chunk, each chunk's
// rows cast as copy casts them and hashed; the target hashed over the same key range (as
// verify-ordered.ts does). A chunk whose hashes differ is merged row by row with the target's
// rows of its range: a source row the target lacks is inserted, one it holds with other values
// is updated, a target row the source lacks is deleted — all of the chunk in one target
// transaction with the sync journal, so the counts are those of rows, not ranges.
import type { SourceValue, SqliteValue } from '../casting/values.js';
import { UserError } from '../errors.js';
import type { TableMapping } from '../schema/mapping.js';
import type { Snapshot } from '../sources/source.js';
import type { RangeRead, TargetRow, TargetTableReader } from '../targets/reader.js';
import type { SyncEntry, SyncSession } from '../targets/sync-session.js';
import type { TargetCapabilities } from '../targets/target.js';
import { EncodedRows } from '../verify/chunk-hash.js';
import { rejectLookup, type TableRejects } from '../verify/reject-index.js';
import { compareAt } from '../verify/row-diff.js';
import { keyOf, readAhead, targetRange } from '../verify/table-run.js';
import { Batcher } from './copy-batcher.js';
import { encodeKey } from './copy-json.js';
import type { SyncEventListener, SyncTableSummary } from './sync-events.js';

/** Chunks whose target digest is computed while the source is read on (as verify). */
const IN_FLIGHT = 2;

export interface SyncTableContext {
  snapshot: Snapshot;
  session: SyncSession;
  capabilities: TargetCapabilities;
  chunkRows: number;
  /** Target rows per page (reads past the last source key). */
  readRows: number;
  signal: AbortSignal;
  emit: SyncEventListener;
  /** The copy's reject files, by table: rows copy could not write are left out here too. */
  rejects: Map<string, TableRejects | undefined>;
}

/** Counts and timings one table's run gathers (sync-table, sync-since, sync-keyless share it). */
export class TableTally {
  chunks = 0;
  chunksDiffering = 0;
  rejected = 0;
  sourceRows = 0;
  applyMs = 0;
  readonly started = Date.now();
  constructor(public entry: SyncEntry) {}

  async apply(session: SyncSession, m: TableMapping, deletes: SqliteValue[][], updates: SqliteValue[][], inserts: SqliteValue[][], lastKey: string | null): Promise<void> {
    if (deletes.length + updates.length + inserts.length === 0) return;
    const e = this.entry;
    const entry: SyncEntry = { ...e, lastKey: lastKey ?? e.lastKey, inserted: e.inserted + inserts.length, updated: e.updated + updates.length, deleted: e.deleted + deletes.length };
    const t = Date.now();
    await session.apply({ table: m, deletes, updates, inserts, entry });
    this.applyMs += Date.now() - t;
    this.entry = entry;
  }

  summary(m: TableMapping, method: SyncTableSummary['method'], resumed: boolean): SyncTableSummary {
    const ms = Date.now() - this.started;
    return {
      name: m.name,
      method,
      sourceRows: this.sourceRows,
      inserted: this.entry.inserted,
      updated: this.entry.updated,
      deleted: this.entry.deleted,
      rejected: this.rejected,
      chunks: this.chunks,
      chunksDiffering: this.chunksDiffering,
      compareMs: Math.max(0, ms - this.applyMs),
      applyMs: this.applyMs,
      ms,
      ...(resumed ? { resumed: true } : {}),
    };
  }
}

/** Casts source batches as copy does, checking that the cast keys keep SQLite's order. */
export class ChunkCaster {
  private readonly batcher: Batcher;
  readonly keyIdx: number[];
  private last: SqliteValue[] | null = null;

  constructor(
    private readonly m: TableMapping,
    capabilities: TargetCapabilities,
    private readonly tally: TableTally,
    /** Rows the copy rejected (its reject file): the target refused them once, they stay out. */
    private readonly copyRejects?: TableRejects,
  ) {
    this.batcher = new Batcher(m, capabilities);
    this.keyIdx = this.batcher.keyIndexes!;
  }

  cast(source: Parameters<Batcher['cast']>[0]): SqliteValue[][] {
    const known = this.copyRejects?.keys;
    const batch = known?.size ? source.filter((src) => !known.has(rejectLookup(src, this.keyIdx))) : source;
    this.tally.rejected += source.length - batch.length;
    const { rows, rejects } = this.batcher.cast(batch);
    this.tally.rejected += rejects.length;
    for (const row of rows) {
      if (this.last !== null && compareAt(this.last, row, this.keyIdx) >= 0) {
        throw new UserError(`${this.m.name}: its key's cast does not keep the source's order, so sync cannot compare it chunk by chunk; copy it again (flarelift copy --tables ${this.m.name} into a fresh target)`);
      }
      this.last = row;
    }
    return rows;
  }
}

/** One merge pass over a chunk's rows on both sides (both in key order): what to delete, update, insert. */
export function chunkChanges(source: SqliteValue[][], sourceEncoded: EncodedRows, target: TargetRow[], keyIdx: number[], encoded?: EncodedRows) {
  let targetEncoded = encoded;
  if (!targetEncoded) {
    targetEncoded = new EncodedRows();
    for (const row of target) targetEncoded.add(row);
  }
  const deletes: SqliteValue[][] = [];
  const updates: SqliteValue[][] = [];
  const inserts: SqliteValue[][] = [];
  let i = 0;
  let j = 0;
  while (i < source.length || j < target.length) {
    const c = i >= source.length ? 1 : j >= target.length ? -1 : compareAt(source[i], target[j], keyIdx);
    if (c < 0) inserts.push(source[i++]);
    else if (c > 0) deletes.push(keyOf(target[j++], keyIdx));
    else {
      if (!sourceEncoded.same(i, targetEncoded, j)) updates.push(source[i]);
      i++;
      j++;
    }
  }
  return { deletes, updates, inserts };
}

interface Flight {
  rows: SqliteValue[][];
  encoded: EncodedRows;
  lo: SqliteValue[] | null;
  hi: SqliteValue[];
  read: Promise<RangeRead & { encoded?: EncodedRows }>;
}

/** Deletes every target row after `lo` (the source has none there), page by page. */
export async function deleteTail(m: TableMapping, reader: TargetTableReader, keyIdx: number[], lo: SqliteValue[] | null, ctx: SyncTableContext, tally: TableTally): Promise<void> {
  for (let cursor = lo; ; ) {
    const page = await reader.range(cursor, null, ctx.readRows);
    if (page.length === 0) return;
    const keys = page.map((r) => keyOf(r, keyIdx));
    await tally.apply(ctx.session, m, keys, [], [], null);
    if (page.length < ctx.readRows) return;
    cursor = keys[keys.length - 1];
  }
}

export async function syncChunks(
  m: TableMapping,
  reader: TargetTableReader,
  ctx: SyncTableContext,
  tally: TableTally,
  /** Sees every source batch as read (sync-since.ts takes its column's largest value). */
  observe?: (batch: readonly SourceValue[][]) => void,
): Promise<boolean> {
  const caster = new ChunkCaster(m, ctx.capabilities, tally, ctx.rejects.get(m.name));
  const keyIdx = caster.keyIdx;
  const total = await ctx.snapshot.countRows(m.table);
  const flights: Flight[] = [];
  // Encoding buffers are reused chunk after chunk (they grow to the largest chunk once): at a
  // million rows, new ones per chunk are mostly garbage collection.
  const free: EncodedRows[] = [];
  const take = () => {
    const e = free.pop() ?? new EncodedRows();
    e.clear();
    return e;
  };
  // When changes are dense (the last chunk differed), the target's rows are read at once rather
  // than hashed in the digest thread first and read again to be merged: one read instead of two.
  let dense = false;
  const readTarget = async (lo: SqliteValue[] | null, hi: SqliteValue[], expected: number) => {
    const data = await targetRange(reader, keyIdx, lo, hi, expected);
    const encoded = take();
    for (const row of data) encoded.add(row);
    return { rows: data.length, digest: encoded.digest(), data, encoded };
  };

  const land = async (f: Flight) => {
    const r = await f.read;
    tally.chunks++;
    const differs = r.digest !== f.encoded.digest();
    dense = differs;
    if (differs) {
      tally.chunksDiffering++;
      const target = r.data ?? (await targetRange(reader, keyIdx, f.lo, f.hi, f.rows.length));
      const { deletes, updates, inserts } = chunkChanges(f.rows, f.encoded, target, keyIdx, r.encoded);
      await tally.apply(ctx.session, m, deletes, updates, inserts, encodeKey(f.hi as SourceValue[]));
    }
    free.push(f.encoded);
    if (r.encoded) free.push(r.encoded);
  };

  let lo: SqliteValue[] | null = null;
  for await (const batch of readAhead(ctx.snapshot.readRows(m.table, { orderBy: m.key, batchSize: ctx.chunkRows }))) {
    observe?.(batch);
    const rows = caster.cast(batch);
    tally.sourceRows += batch.length;
    if (rows.length > 0) {
      const encoded = take();
      for (const row of rows) encoded.add(row);
      const hi = keyOf(rows[rows.length - 1], keyIdx);
      const read = dense ? readTarget(lo, hi, rows.length) : reader.digest(lo, hi);
      read.catch(() => undefined); // awaited in land()
      flights.push({ rows, encoded, lo, hi, read });
      lo = hi;
      while (flights.length >= IN_FLIGHT) await land(flights.shift()!);
    }
    ctx.emit({ type: 'progress', table: m.name, rows: tally.sourceRows, total });
    if (ctx.signal.aborted) break;
  }
  while (flights.length > 0) await land(flights.shift()!);
  if (ctx.signal.aborted) return false;
  await deleteTail(m, reader, keyIdx, lo, ctx, tally);
  return true;
}
