// Tables without a key: nothing identifies a row but its values, so both sides are compared as
// multisets — each distinct row (rowId of its canonical text) with how many times it occurs.
// One map holds source count minus target count; rows whose count is not zero differ. Example
// rows for the failures file take a second pass over the side that holds them.
import type { SqliteValue } from '../casting/values.js';
import { canonicalRow, rowId } from './chunk-hash.js';
import { SourceCaster } from './source-rows.js';
import { newDifferences, readAhead, type TableOutcome, type TableRun } from './table-run.js';
import type { TargetRow } from '../targets/reader.js';

/** Every target row (without its trailing rowid), page by page. */
async function* targetRows(run: TableRun): AsyncGenerator<TargetRow[]> {
  for (let after: bigint | null = null; ; ) {
    const page = await run.reader.rowidPage(after, run.readRows);
    if (page.length === 0) return;
    after = page[page.length - 1].at(-1) as bigint;
    yield page.map((r) => r.slice(0, -1));
    if (page.length < run.readRows) return;
  }
}

/** Source rows as cast (rejected ones left out), with how many rows each batch read. */
async function* sourceRows(run: TableRun, caster: SourceCaster): AsyncGenerator<{ rows: SqliteValue[][]; read: number }> {
  for await (const batch of readAhead(run.snapshot.readRows(run.m.table, { batchSize: run.chunkRows }))) {
    const rows: SqliteValue[][] = [];
    for (const src of batch) {
      const row = caster.cast(src);
      if (row !== null) rows.push(row);
    }
    yield { rows, read: batch.length };
  }
}

export async function verifyMultiset(run: TableRun): Promise<TableOutcome> {
  const diff = newDifferences(run);
  const out: TableOutcome = { sourceRows: 0, targetRows: 0, rejected: 0, diff, interrupted: false };
  const net = new Map<string, number>();
  const caster = new SourceCaster(run.m, run.rejects);
  for await (const { rows, read } of sourceRows(run, caster)) {
    for (const row of rows) {
      const id = rowId(canonicalRow(row));
      net.set(id, (net.get(id) ?? 0) + 1);
    }
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
    for (const row of rows) {
      const id = rowId(canonicalRow(row));
      const n = (net.get(id) ?? 0) - 1;
      if (n === 0) net.delete(id);
      else net.set(id, n);
    }
  }
  for (const n of net.values()) diff.multisetRows(n > 0 ? 'missing' : 'extra', Math.abs(n));
  if (net.size === 0) return out;

  // Examples: the first occurrence of each differing row, from the side that has more of it.
  const example = (rows: SqliteValue[][], sign: 1 | -1) => {
    for (const row of rows) {
      if (diff.full) return;
      const id = rowId(canonicalRow(row));
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
