// Tables without a key: nothing identifies a row but its values, so both sides are compared as
// multisets — each distinct row (RowIds: SHA-1 of its encoding) with how many times it occurs.
// NetCounts holds source count minus target count (in bounded memory: it spills to disk past a
// limit); rows whose count is not zero differ. Example rows for the failures file take a second
// pass over the side that holds them.
import type { SqliteValue } from '../casting/values.js';
import { RowIds } from './chunk-hash.js';
import { NetCounts } from './multiset-counts.js';
import { SourceCaster } from './source-rows.js';
import { newDifferences, readAhead, type TableOutcome, type TableRun } from './table-run.js';
import type { TargetRow } from '../targets/reader.js';

/**
 * Rows per read on either side. Nothing here needs chunk-sized batches, and small ones die young
 * in the garbage collector instead of filling the old generation (peak RSS, see the bench).
 */
const BATCH_ROWS = 1_000;

/** Every target row (without its trailing rowid), page by page. */
async function* targetRows(run: TableRun): AsyncGenerator<TargetRow[]> {
  for (let after: bigint | null = null; ; ) {
    const rows = Math.min(run.readRows, BATCH_ROWS);
    const page = await run.reader.rowidPage(after, rows);
    if (page.length === 0) return;
    after = page[page.length - 1].at(-1) as bigint;
    for (const r of page) r.pop(); // in place: a copy of every row is garbage the GC must chase
    yield page;
    if (page.length < rows) return;
  }
}

/** Source rows as cast (rejected ones left out), with how many rows each batch read. */
async function* sourceRows(run: TableRun, caster: SourceCaster): AsyncGenerator<{ rows: SqliteValue[][]; read: number }> {
  for await (const batch of readAhead(run.snapshot.readRows(run.m.table, { batchSize: Math.min(run.chunkRows, BATCH_ROWS) }))) {
    const rows: SqliteValue[][] = [];
    for (const src of batch) {
      const row = caster.cast(src);
      if (row !== null) rows.push(row);
    }
    yield { rows, read: batch.length };
  }
}

export async function verifyMultiset(run: TableRun): Promise<TableOutcome> {
  const counts = new NetCounts();
  try {
    return await compare(run, counts);
  } finally {
    counts.close();
  }
}

async function compare(run: TableRun, counts: NetCounts): Promise<TableOutcome> {
  const diff = newDifferences(run);
  const out: TableOutcome = { sourceRows: 0, targetRows: 0, rejected: 0, diff, interrupted: false };
  const caster = new SourceCaster(run.m, run.rejects);
  const ids = new RowIds();
  for await (const { rows, read } of sourceRows(run, caster)) {
    for (const row of rows) counts.add(ids.of(row), 1);
    out.sourceRows += read;
    run.progress(out.sourceRows);
    if (run.signal.aborted) {
      out.interrupted = true;
      return out;
    }
  }
  out.rejected = caster.rejected;
  for await (const rows of targetRows(run)) {
    out.targetRows += rows.length;
    for (const row of rows) counts.add(ids.of(row), -1);
  }
  // Exact counts from every differing row; the first few kept to find example rows for.
  const net = new Map<string, number>();
  for (const [id, n] of counts.nonZero()) {
    diff.multisetRows(n > 0 ? 'missing' : 'extra', Math.abs(n));
    if (net.size < run.maxRecords) net.set(id, n);
  }
  if (net.size === 0) return out;

  // Examples: the first occurrence of each differing row, from the side that has more of it.
  const example = (rows: SqliteValue[][], sign: 1 | -1) => {
    for (const row of rows) {
      if (diff.full) return;
      const id = ids.of(row);
      const n = net.get(id);
      if (n === undefined || Math.sign(n) !== sign) continue;
      diff.multisetExample(sign > 0 ? 'missing' : 'extra', row, Math.abs(n));
      net.delete(id);
    }
  };
  if (diff.missing > 0) {
    for await (const { rows } of sourceRows(run, new SourceCaster(run.m, run.rejects))) {
      example(rows, 1);
      if (diff.full) break;
    }
  }
  if (diff.extra > 0 && !diff.full) {
    for await (const rows of targetRows(run)) {
      example(rows, -1);
      if (diff.full) break;
    }
  }
  return out;
}
