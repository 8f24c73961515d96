// Tables with a key whose cast keeps SQLite's order: chunk hashes in key order. Each source
// batch is a chunk, the key range (previous chunk's last key, this chunk's last key]; the
// target is hashed over the same ranges (the first from the very start, so rows before the
// first source key count) and then read after the last source key (extra rows at the end).
// Chunks whose SHA-1 differs are drilled into row by row. The target's digests are computed
// while the next source batch is read and cast (a few chunks in flight).
//
// Correct only if the cast keys come out of the source strictly increasing in SQLite's order.
// That is checked on every row rather than assumed from the types; the first row out of order
// ends this method ('order-broken') and the table is compared by key instead (verify-keyed.ts).
import type { SqliteValue } from '../casting/values.js';
import { EncodedRows } from './chunk-hash.js';
import { compareAt, diffChunk, type ChunkRows } from './row-diff.js';
import { SourceCaster } from './source-rows.js';
import { keyOf, newDifferences, targetRange, readAhead, type TableOutcome, type TableRun } from './table-run.js';
import type { RangeRead, TargetRow } from '../targets/reader.js';

/** Chunks whose target digest is being computed while the source is read on. */
const IN_FLIGHT = 2;

interface Flight {
  chunk: ChunkRows;
  digest: string;
  lo: SqliteValue[] | null;
  hi: SqliteValue[];
  read: Promise<RangeRead>;
}

export async function verifyOrdered(run: TableRun): Promise<TableOutcome | 'order-broken'> {
  const { m, reader } = run;
  const caster = new SourceCaster(m, run.rejects);
  const keyIdx = caster.keyIdx!;
  const diff = newDifferences(run);
  const out: TableOutcome = { sourceRows: 0, targetRows: 0, rejected: 0, diff, chunks: 0, chunksDiffering: 0, interrupted: false };
  // Encoding buffers are reused chunk after chunk (they grow to the largest chunk once).
  const free: EncodedRows[] = [];
  const flights: Flight[] = [];

  /** Rows in (from, to], paging when the target holds far more rows there than the source. */
  const readRange = (from: SqliteValue[] | null, to: SqliteValue[] | null, expected: number): Promise<TargetRow[]> => targetRange(reader, keyIdx, from, to, expected);

  const land = async (f: Flight) => {
    const r = await f.read;
    out.chunks!++;
    out.targetRows += r.rows;
    if (r.digest !== f.digest) {
      out.chunksDiffering!++;
      const rows = r.data ?? (await readRange(f.lo, f.hi, f.chunk.values.length));
      const encoded = new EncodedRows();
      for (const row of rows) encoded.add(row);
      diffChunk(f.chunk, { values: rows, encoded }, keyIdx, diff);
    }
    free.push(f.chunk.encoded);
  };

  /** Upper bound of the ranges sent so far (null: none yet, the next range starts at the beginning). */
  let lo: SqliteValue[] | null = null;
  let last: SqliteValue[] | null = null;
  for await (const batch of readAhead(run.snapshot.readRows(m.table, { orderBy: m.key, batchSize: run.chunkRows }))) {
    const encoded = free.pop() ?? new EncodedRows();
    encoded.clear();
    const chunk: ChunkRows = { values: [], encoded, raws: [] };
    for (const src of batch) {
      const row = caster.cast(src);
      if (row === null) continue;
      if (last !== null && compareAt(last, row, keyIdx) >= 0) return 'order-broken';
      last = row;
      chunk.values.push(row);
      encoded.add(row);
      chunk.raws!.push(src);
    }
    out.sourceRows += batch.length;
    if (chunk.values.length > 0) {
      const hi = keyOf(last!, keyIdx);
      const read = reader.digest(lo, hi);
      read.catch(() => undefined); // awaited in land(); not unhandled while it waits its turn
      flights.push({ chunk, digest: encoded.digest(), lo, hi, read });
      lo = hi;
      while (flights.length >= IN_FLIGHT) await land(flights.shift()!);
    } else free.push(encoded);
    run.progress(out.sourceRows);
    if (run.signal.aborted) {
      out.interrupted = true;
      break;
    }
  }
  while (flights.length > 0) await land(flights.shift()!);
  if (!out.interrupted) {
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
