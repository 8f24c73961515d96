// What one table's comparison needs, and what it returns, whatever the method.
import type { SqliteValue } from '../casting/values.js';
import type { TableMapping } from '../schema/mapping.js';
import type { Snapshot } from '../sources/source.js';
import { TableDifferences } from './differences.js';
import type { TableRejects } from './reject-index.js';
import type { TargetRow, TargetTableReader } from '../targets/reader.js';
import { EncodedRows } from './chunk-hash.js';

export interface TableRun {
  m: TableMapping;
  snapshot: Snapshot;
  reader: TargetTableReader;
  /** Source rows per chunk (one source batch). */
  chunkRows: number;
  /** Target rows per page (reads after the last key, keyed and multiset reads). */
  readRows: number;
  rejects?: TableRejects;
  /** Failure records kept for this table at most (the file's cap). */
  maxRecords: number;
  signal: AbortSignal;
  /** Source rows read so far (for progress). */
  progress(rows: number): void;
}

export interface TableOutcome {
  sourceRows: number;
  targetRows: number;
  rejected: number;
  diff: TableDifferences;
  chunks?: number;
  chunksDiffering?: number;
  /** Stopped by the signal before the end. */
  interrupted: boolean;
}

export function newDifferences(run: TableRun): TableDifferences {
  return new TableDifferences(run.m, run.maxRecords);
}

/** The key tuple of a row (values in column order). */
export const keyOf = (row: readonly SqliteValue[], keyIdx: readonly number[]): SqliteValue[] => keyIdx.map((i) => row[i]);

/** Target rows a range read may return beyond the rows expected there before it pages. */
const EXTRA_SLACK = 1_000;

/** The target rows of (lo, hi], paging when the target holds far more there than expected. */
export async function targetRange(reader: TargetTableReader, keyIdx: readonly number[], lo: SqliteValue[] | null, hi: SqliteValue[] | null, expected: number): Promise<TargetRow[]> {
  const limit = expected + EXTRA_SLACK;
  const rows: TargetRow[] = [];
  for (let cursor = lo; ; ) {
    const page = await reader.range(cursor, hi, limit);
    for (const row of page) rows.push(row);
    if (page.length < limit) return rows;
    cursor = keyOf(page[page.length - 1], keyIdx);
  }
}

/** A reader for a table the target lacks: it holds no rows. */
export const EMPTY_TABLE: TargetTableReader = {
  digest: async () => ({ rows: 0, digest: new EncodedRows().digest() }),
  range: async () => [],
  lookup: async () => [],
  rowidPage: async () => [],
};

/** An async iterator over source batches that already asks for the next batch while one is compared. */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  const next = () => {
    const p = it.next();
    p.catch(() => undefined); // a read-ahead that fails after we stopped is not unhandled
    return p;
  };
  let pending: Promise<IteratorResult<T>> | undefined = next();
  try {
    for (;;) {
      const r: IteratorResult<T> = await pending;
      if (r.done) {
        pending = undefined;
        return;
      }
      pending = next();
      yield r.value;
    }
  } finally {
    if (pending) await it.return?.().catch(() => undefined);
  }
}
