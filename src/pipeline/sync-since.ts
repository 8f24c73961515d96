// The narrower sync, where a column says when a row last changed (--since-column, or a column
// named updated_at / modified_at / last_update… found by name): only the rows whose column is at
// or past the last sync's high-water mark (less a safety margin, for transactions that commit
// after later ones) are read whole; they are looked up in the target by key and inserted or
// updated. Deletes — which leave no timestamp — are caught by chunk hashes over the key columns
// alone (cheap: keys only on both sides); a key chunk that differs is re-copied whole, which also
// catches a row inserted with an old timestamp. The first sync of such a table has no mark: it
// compares every chunk (sync-table.ts) and records the column's largest value.
import type { SourceValue, SqliteValue } from '../casting/values.js';
import type { Column, Table } from '../catalog/types.js';
import { UserError } from '../errors.js';
import type { TableMapping } from '../schema/mapping.js';
import type { TargetTableReader } from '../targets/reader.js';
import { canonicalKey, canonicalRow, EncodedRows } from '../verify/chunk-hash.js';
import { compareKeys } from '../verify/key-compare.js';
import { keyOf, readAhead, targetRange } from '../verify/table-run.js';
import { decodeKey, encodeKey } from './copy-json.js';
import { ChunkCaster, chunkChanges, deleteTail, syncChunks, type SyncTableContext, type TableTally } from './sync-table.js';

export const DEFAULT_SINCE_MARGIN_SECONDS = 300;

/** Column names that say when a row last changed (Rails, Django, Laravel, Sakila/Pagila…). */
const DETECTED = /^(updated_?at|modified_?at|modified_?on|updated_?on|last_?update|last_?updated|last_?modified|date_?modified|update_?time)$/i;
/** Types such a column must have to be trusted: times, or integers holding unix times. */
const TIME_TYPES = /^(timestamp|timestamptz|datetime|datetime2|date)$/;

export interface SinceColumn {
  column: string;
  /** Named by --since-column (else detected by name). */
  given: boolean;
}

/** The since-column of each table: the ones given (checked), then the ones detected by name. */
export function resolveSince(tables: readonly TableMapping[], given: readonly string[], detect: boolean): Map<string, SinceColumn> {
  const out = new Map<string, SinceColumn>();
  for (const spec of given) {
    const dot = spec.lastIndexOf('.');
    if (dot <= 0 || dot === spec.length - 1) throw new UserError(`--since-column ${spec}: give it as <table>.<column>`);
    const [tableName, columnName] = [spec.slice(0, dot).toLowerCase(), spec.slice(dot + 1).toLowerCase()];
    const m = tables.find((t) => t.name.toLowerCase() === tableName || t.table.sourceName.toLowerCase() === tableName);
    if (!m) throw new UserError(`--since-column ${spec}: no table ${spec.slice(0, dot)} among the tables synced (${tables.map((t) => t.name).join(', ')})`);
    const c = m.table.columns.find((col) => col.name.toLowerCase() === columnName);
    if (!c) throw new UserError(`--since-column ${spec}: table ${m.name} has no column ${spec.slice(dot + 1)}`);
    if (!m.key) throw new UserError(`--since-column ${spec}: table ${m.name} has no key, so its changed rows cannot be matched in the target (it is compared whole)`);
    out.set(m.name, { column: c.name, given: true });
  }
  if (detect) {
    for (const m of tables) {
      if (out.has(m.name) || !m.key) continue;
      const c = m.table.columns.find((col: Column) => DETECTED.test(col.name) && TIME_TYPES.test(col.dataType));
      if (c) out.set(m.name, { column: c.name, given: false });
    }
  }
  return out;
}

/** The larger of two values of one column (text compares as the engine prints times: fixed-width). */
function later(a: SourceValue | undefined, b: SourceValue): SourceValue | undefined {
  if (b === null || b === undefined) return a;
  if (typeof b !== 'string' && typeof b !== 'number' && typeof b !== 'bigint') return a;
  if (a === undefined || a === null) return b;
  if (typeof a === 'string' && typeof b === 'string') return b > a ? b : a;
  if ((typeof a === 'number' || typeof a === 'bigint') && typeof b !== 'string') return b > a ? b : a;
  return a;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * The mark less the margin, in the mark's own form: a time printed as `YYYY-MM-DD[ T]HH:MM:SS…`
 * has its wall-clock part moved back (its zone suffix, if any, kept — so it stays in that zone);
 * a number is taken as unix seconds (milliseconds past 10^11).
 */
export function lessMargin(mark: SourceValue, seconds: number): SourceValue {
  if (typeof mark === 'number') return mark - (Math.abs(mark) >= 1e11 ? seconds * 1000 : seconds);
  if (typeof mark === 'bigint') return mark - BigInt(Math.abs(Number(mark)) >= 1e11 ? seconds * 1000 : seconds);
  if (typeof mark !== 'string') return mark;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:([ T])(\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(mark);
  if (!m) return mark;
  const t = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[5] ?? 0), +(m[6] ?? 0), +(m[7] ?? 0)) - seconds * 1000;
  const d = new Date(t);
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (m[4] === undefined) return date; // a date column: the day before when the margin crosses midnight
  // The fraction (if any) is dropped: the earlier whole second still bounds it from below.
  return `${date}${m[4]}${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${mark.slice(m[0].length).replace(/^\.\d+/, '')}`;
}

/** A table with only its key columns, on both sides: chunk hashes over keys catch deletes cheaply. */
function keysOnly(m: TableMapping): TableMapping {
  const key = m.key!;
  const table: Table = { ...m.table, columns: key.map((k) => m.table.columns.find((c) => c.name === k)!) };
  return { ...m, table, columns: key.map((k) => m.columns.find((c) => c.name === k)!) };
}

interface Range {
  /** The source key (as read) before the range; undefined for the first. */
  after?: SourceValue[];
  lo: SqliteValue[] | null;
  hi: SqliteValue[];
  rows: number;
}

export interface SinceContext extends SyncTableContext {
  /** Opens the target's reader of a mapping (the key-only one). */
  openTable(m: TableMapping): Promise<TargetTableReader | undefined>;
}

export async function syncSince(
  m: TableMapping,
  reader: TargetTableReader,
  ctx: SinceContext,
  tally: TableTally,
  since: SinceColumn,
  marks: Map<string, string>,
  marginSeconds: number,
): Promise<{ done: boolean; from: string | null }> {
  const markName = `${m.name}.${since.column}`;
  const col = m.columns.findIndex((c) => c.name === since.column);
  let max: SourceValue | undefined;
  const observe = (batch: readonly SourceValue[][]) => {
    for (const row of batch) max = later(max, row[col]);
  };
  const stored = marks.get(markName);
  if (stored === undefined) {
    const done = await syncChunks(m, reader, ctx, tally, observe);
    if (done && max !== undefined && max !== null) marks.set(markName, encodeKey([max]));
    return { done, from: null };
  }
  const mark = decodeKey(stored)[0];
  const from = lessMargin(mark, marginSeconds);
  const recopied = await deletesByKeys(m, reader, ctx, tally);
  const done = recopied !== undefined && (await changedSince(m, reader, ctx, tally, since.column, from, observe, recopied));
  if (done) marks.set(markName, encodeKey([later(mark, max ?? null) ?? mark]));
  return { done, from: String(from) };
}

/**
 * Key chunks on both sides; a differing one is re-copied whole (after the key pass: one source
 * cursor at a time). Returns the ranges re-copied (undefined when interrupted).
 */
async function deletesByKeys(m: TableMapping, reader: TargetTableReader, ctx: SinceContext, tally: TableTally): Promise<Range[] | undefined> {
  const km = keysOnly(m);
  const keyReader = await ctx.openTable(km);
  if (!keyReader) throw new UserError(`the target has no table ${m.name}`);
  const caster = new ChunkCaster(km, ctx.capabilities, tally);
  const keyIdx = km.key!.map((_, i) => i);
  const differing: Range[] = [];
  let lo: SqliteValue[] | null = null;
  let after: SourceValue[] | undefined;
  const total = await ctx.snapshot.countRows(m.table);
  let read = 0;
  for await (const batch of readAhead(ctx.snapshot.readRows(km.table, { orderBy: m.key, batchSize: ctx.chunkRows }))) {
    const rows = caster.cast(batch);
    read += batch.length;
    if (rows.length > 0) {
      const encoded = new EncodedRows();
      for (const row of rows) encoded.add(row);
      const hi = keyOf(rows[rows.length - 1], keyIdx);
      const r = await keyReader.digest(lo, hi);
      tally.chunks++;
      if (r.digest !== encoded.digest()) differing.push({ after, lo, hi, rows: batch.length });
      lo = hi;
    }
    after = batch[batch.length - 1];
    ctx.emit({ type: 'progress', table: m.name, rows: read, total });
    if (ctx.signal.aborted) return undefined;
  }
  tally.sourceRows = read;
  const fullKeyIdx = m.key!.map((k) => m.columns.findIndex((c) => c.name === k));
  for (const d of differing) {
    tally.chunksDiffering++;
    const full = new ChunkCaster(m, ctx.capabilities, tally, ctx.rejects.get(m.name));
    let rows: SqliteValue[][] = [];
    for await (const batch of ctx.snapshot.readRows(m.table, { orderBy: m.key, after: d.after, batchSize: d.rows })) {
      rows = full.cast(batch);
      break; // exactly the range's rows: the same snapshot, the same order
    }
    const encoded = new EncodedRows();
    for (const row of rows) encoded.add(row);
    const target = await targetRange(reader, fullKeyIdx, d.lo, d.hi, rows.length);
    const { deletes, updates, inserts } = chunkChanges(rows, encoded, target, fullKeyIdx);
    await tally.apply(ctx.session, m, deletes, updates, inserts, encodeKey(d.hi as SourceValue[]));
    if (ctx.signal.aborted) return undefined;
  }
  await deleteTail(m, keyReader, keyIdx, lo, ctx, tally);
  return differing;
}

/** Rows whose since-column is at or past `from`: looked up in the target by key, inserted or updated. */
async function changedSince(
  m: TableMapping,
  reader: TargetTableReader,
  ctx: SyncTableContext,
  tally: TableTally,
  column: string,
  from: SourceValue,
  observe: (batch: readonly SourceValue[][]) => void,
  /** Ranges the key pass re-copied from this snapshot: their rows are done (and a local reader's snapshot predates them). */
  recopied: readonly Range[],
): Promise<boolean> {
  const keyIdx = m.key!.map((k) => m.columns.findIndex((c) => c.name === k));
  let at = 0;
  const done = (key: SqliteValue[]) => {
    while (at < recopied.length && compareKeys(recopied[at].hi, key) < 0) at++;
    const r = recopied[at];
    return r !== undefined && (r.lo === null || compareKeys(r.lo, key) < 0);
  };
  for await (const batch of readAhead(ctx.snapshot.readRows(m.table, { orderBy: m.key, batchSize: ctx.chunkRows, since: { column, from } }))) {
    observe(batch);
    const rows = new ChunkCaster(m, ctx.capabilities, tally, ctx.rejects.get(m.name)).cast(batch).filter((r) => !done(keyOf(r, keyIdx)));
    if (rows.length === 0) continue;
    const held = new Map((await reader.lookup(rows.map((r) => keyOf(r, keyIdx)))).map((t) => [canonicalKey(keyOf(t, keyIdx)), t]));
    const updates: SqliteValue[][] = [];
    const inserts: SqliteValue[][] = [];
    for (const row of rows) {
      const t = held.get(canonicalKey(keyOf(row, keyIdx)));
      if (!t) inserts.push(row);
      else if (canonicalRow(t) !== canonicalRow(row)) updates.push(row);
    }
    await tally.apply(ctx.session, m, [], updates, inserts, null);
    if (ctx.signal.aborted) return false;
  }
  return true;
}
