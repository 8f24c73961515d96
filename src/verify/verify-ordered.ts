// Tables with a key whose cast keeps SQLite's order: chunk hashes in key order. Each source
// batch is a chunk, the key range (previous chunk's last key, this chunk's last key]; the
// target is read over the same ranges (the first from the very start, so rows before the
// first source key count) and after the last source key (extra rows at the end). Chunks whose
// SHA-1 differs are drilled into row by row.
//
// Correct only if the cast keys come out of the source strictly increasing in SQLite's order.
// That is checked on every row rather than assumed from the types; the first row out of order
// ends this method ('order-broken') and the table is compared by key instead (verify-keyed.ts).
import type { SqliteValue } from '../casting/values.js';
import { EncodedRows } from './chunk-hash.js';
import { compareAt, diffChunk, type ChunkRows } from './row-diff.js';
import { SourceCaster } from './source-rows.js';
import { appendRows, keyOf, newDifferences, readAhead, type TableOutcome, type TableRun } from './table-run.js';
import type { TargetRow } from './target-reader.js';

/** Target rows a range read may return beyond the source rows it covers before it pages. */
const EXTRA_SLACK = 1_000;

export async function verifyOrdered(run: TableRun): Promise<TableOutcome | 'order-broken'> {
  const { m, reader } = run;
  const caster = new SourceCaster(m, run.rejects);
  const keyIdx = caster.keyIdx!;
  const diff = newDifferences(run);
  // Encoding buffers are reused chunk after chunk (they grow to the largest chunk once).
  const free: EncodedRows[] = [];
  const encoder = () => {
    const e = free.pop() ?? new EncodedRows();
    e.clear();
    return e;
  };
  const targetRows = new EncodedRows();
  const out: TableOutcome = { sourceRows: 0, targetRows: 0, rejected: 0, diff, chunks: 0, chunksDiffering: 0, interrupted: false };
  /** Upper bound of the ranges compared so far (null: nothing yet, the next range starts at the beginning). */
  let lo: SqliteValue[] | null = null;
  let last: SqliteValue[] | null = null;
  let pending: ChunkRows[] = [];
  let pendingRows = 0;

  /** Rows in (from, to], paging when the target holds far more rows there than the source. */
  const readRange = async (from: SqliteValue[] | null, to: SqliteValue[] | null, expected: number): Promise<TargetRow[]> => {
    const limit = expected + EXTRA_SLACK;
    const rows: TargetRow[] = [];
    for (let cursor = from; ; ) {
      const page = await reader.range(cursor, to, limit);
      appendRows(rows, page);
      if (page.length < limit) return rows;
      cursor = keyOf(page[page.length - 1], keyIdx);
    }
  };

  const compare = (source: ChunkRows, target: TargetRow[]) => {
    out.chunks!++;
    targetRows.clear();
    for (const row of target) targetRows.add(row);
    if (source.encoded.digest() !== targetRows.digest()) {
      out.chunksDiffering!++;
      diffChunk(source, { values: target, encoded: targetRows }, keyIdx, diff);
    }
    free.push(source.encoded);
  };

  const flush = async () => {
    if (pending.length === 0) return;
    const lastChunk = pending[pending.length - 1];
    const hi = keyOf(lastChunk.values[lastChunk.values.length - 1], keyIdx);
    const target = await readRange(lo, hi, pendingRows);
    out.targetRows += target.length;
    // Several chunks may share one read (remote D1): split the rows at each chunk's last key.
    let t = 0;
    for (const chunk of pending) {
      const end = chunk.values[chunk.values.length - 1];
      const start = t;
      while (t < target.length && compareAt(target[t], end, keyIdx) <= 0) t++;
      compare(chunk, target.slice(start, t));
    }
    lo = hi;
    pending = [];
    pendingRows = 0;
  };

  const total = Math.max(run.readRows, run.chunkRows);
  for await (const batch of readAhead(run.snapshot.readRows(m.table, { orderBy: m.key, batchSize: run.chunkRows }))) {
    const chunk: ChunkRows = { values: [], encoded: encoder(), raws: [] };
    for (const src of batch) {
      const row = caster.cast(src);
      if (row === null) continue;
      if (last !== null && compareAt(last, row, keyIdx) >= 0) return 'order-broken';
      last = row;
      chunk.values.push(row);
      chunk.encoded.add(row);
      chunk.raws!.push(src);
    }
    out.sourceRows += batch.length;
    if (chunk.values.length > 0) {
      pending.push(chunk);
      pendingRows += chunk.values.length;
    } else free.push(chunk.encoded);
    if (pendingRows >= total) await flush();
    run.progress(out.sourceRows);
    if (run.signal.aborted) {
      out.interrupted = true;
      break;
    }
  }
  if (!out.interrupted) {
    await flush();
    // Target rows after the last source key: all extra.
    for (let cursor: SqliteValue[] | null = lo; ; ) {
      const page = await reader.range(cursor, null, run.readRows);
      out.targetRows += page.length;
      for (const row of page) diff.extraRow(row);
      if (page.length < run.readRows) break;
      cursor = keyOf(page[page.length - 1], keyIdx);
    }
  }
  out.rejected = caster.rejected;
  return out;
}
