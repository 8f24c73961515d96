// Chunk digests made on both sides where the rows are: a source that can render a table's rows
// in SQL (Snapshot.chunkDigests, PostgreSQL) hashes each chunk in the server, the target hashes
// the same key range in SQLite (TargetTableReader.textDigest), and neither side's rows become
// JS values unless a chunk differs. The two sides run at once: the source server computes the
// next chunk while the target's digest thread hashes this one.
//
// The row text both sides hash (SHA-256 over the concatenation, rows in key order): per column,
//   NULL          'N'
//   an INTEGER    'i' and its decimal digits
//   a TEXT        'T', its length in UTF-8 bytes, ':', its bytes
// The target writes anything else as 'X…' (a REAL or BLOB: no source renders one), the source
// '!' for a value it cannot render as the cast would. Every value ends where the next tag (a
// letter) begins or its length says, so equal text means equal rows — provided the source
// renders exactly what the cast makes of a value, which is why a source renders only columns
// whose cast it can reproduce exactly (postgres-chunk-digest.ts) and offers nothing otherwise.
// Neither side sorts to make sure of the order: each aggregates the rows as its key-range scan
// gives them. A side that gave them in another order would make the digests differ (equal text
// is the same rows in the same order), never agree falsely.
//
// A chunk whose text digests differ (or that holds a '!') is not yet a difference: its source
// rows are read and cast, and hashed as verify-ordered.ts hashes them, against the target's
// digest of the same range; only when those differ too are the rows compared one by one.
import type { SqliteValue } from '../casting/values.js';
import type { ChunkDigests, SourceChunk } from '../sources/source.js';
import type { RangeRead, TargetRow } from '../targets/reader.js';
import { EncodedRows } from './chunk-hash.js';
import { compareAt, diffChunk, type ChunkRows } from './row-diff.js';
import { SourceCaster } from './source-rows.js';
import { keyOf, newDifferences, targetRange, type TableOutcome, type TableRun } from './table-run.js';

/** Chunks in flight: the source computes ahead while the target hashes behind. */
const IN_FLIGHT = 3;

interface Flight {
  chunk: SourceChunk;
  lo: SqliteValue[] | null;
  hi: SqliteValue[] | null;
  target: Promise<RangeRead>;
}

export type TextDigest = (lo: readonly SqliteValue[] | null, hi: readonly SqliteValue[] | null) => Promise<RangeRead>;

export async function verifyByServerDigests(run: TableRun, digests: ChunkDigests, textDigest: TextDigest): Promise<TableOutcome> {
  const { m, reader } = run;
  const caster = new SourceCaster(m, run.rejects);
  const keyIdx = caster.keyIdx!;
  const keyCasts = keyIdx.map((i) => m.columns[i].cast.value);
  const diff = newDifferences(run);
  const out: TableOutcome = { sourceRows: 0, targetRows: 0, rejected: 0, diff, chunks: 0, chunksDiffering: 0, interrupted: false };
  const flights: Flight[] = [];

  /** Rows in (from, to], paging when the target holds far more rows there than the source. */
  const readRange = (from: SqliteValue[] | null, to: SqliteValue[] | null, expected: number): Promise<TargetRow[]> => targetRange(reader, keyIdx, from, to, expected);

  /** Target rows after `from` (the last chunk's rows beyond the source's last row): all extra. */
  const extraAfter = async (from: SqliteValue[] | null) => {
    for (let cursor = from; ; ) {
      const page = await reader.range(cursor, null, run.readRows);
      out.targetRows += page.length;
      for (const row of page) diff.extraRow(row);
      if (page.length < run.readRows) return;
      cursor = keyOf(page[page.length - 1], keyIdx);
    }
  };

  /** The chunk's rows, compared the way verify-ordered.ts compares them. */
  const drill = async (f: Flight) => {
    const raws = await f.chunk.rows();
    const chunk: ChunkRows = { values: [], encoded: new EncodedRows(), raws: [] };
    let last: SqliteValue[] | null = null;
    for (const src of raws) {
      const row = caster.cast(src);
      if (row === null) continue;
      if (last !== null && compareAt(last, row, keyIdx) >= 0) throw new Error(`${m.name}: the source's key order is not SQLite's (server-side digests)`);
      last = row;
      chunk.values.push(row);
      chunk.encoded.add(row);
      chunk.raws!.push(src);
    }
    // The last chunk has no upper key: its rows are compared up to the source's last one, and
    // what the target holds after that is extra.
    const hi = f.hi ?? (last ? keyOf(last, keyIdx) : f.lo);
    const exact = f.hi === null && hi === null ? { rows: 0, digest: new EncodedRows().digest() } : await reader.digest(f.lo, hi);
    if (f.hi === null && hi === null) {
      await extraAfter(null);
    } else {
      out.targetRows += exact.rows;
      if (exact.digest !== chunk.encoded.digest()) {
        out.chunksDiffering!++;
        const rows = exact.data ?? (await readRange(f.lo, hi, chunk.values.length));
        const encoded = new EncodedRows();
        for (const row of rows) encoded.add(row);
        diffChunk(chunk, { values: rows, encoded }, keyIdx, diff);
      }
      if (f.hi === null) await extraAfter(hi);
    }
  };

  const land = async (f: Flight) => {
    const [source, target] = await Promise.all([f.chunk.digest, f.target]);
    out.chunks!++;
    out.sourceRows += source.rows;
    if (source.rows === target.rows && source.digest === target.digest) out.targetRows += target.rows;
    else await drill(f);
    run.progress(out.sourceRows);
  };

  let lo: SqliteValue[] | null = null;
  try {
    for await (const chunk of digests.chunks(run.chunkRows, run.signal)) {
      const hi = chunk.hi && chunk.hi.map((v, i) => keyCasts[i](v));
      const target = textDigest(lo, hi);
      target.catch(() => undefined); // awaited in land(); not unhandled while it waits its turn
      flights.push({ chunk, lo, hi, target });
      lo = hi;
      // A chunk's rows can be read only while the source's iterator is open: land every chunk
      // before asking for the one after the last, or before stopping.
      const stop = run.signal.aborted;
      while (flights.length >= IN_FLIGHT || ((chunk.hi === null || stop) && flights.length > 0)) await land(flights.shift()!);
      if (stop) {
        out.interrupted = true;
        break;
      }
    }
  } catch (e) {
    if (!run.signal.aborted) throw e;
    out.interrupted = true;
  }
  out.rejected = caster.rejected;
  return out;
}
