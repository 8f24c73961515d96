// Drill-down of a chunk whose hashes differ: both sides' rows are in SQLite key order, so one
// merge pass finds each row missing from the target, extra in it, or present with other values.
import type { SourceValue, SqliteValue } from '../casting/values.js';
import type { EncodedRows } from './chunk-hash.js';
import type { TableDifferences } from './differences.js';
import { compareValues } from './key-compare.js';

/** Rows of one side of a chunk: values in column order, and encoded for hashing. */
export interface ChunkRows {
  values: SqliteValue[][];
  encoded: EncodedRows;
  /** Source rows as read (for the failures file when a cast changed a value). */
  raws?: (readonly SourceValue[])[];
}

/** Compares two rows by their key columns, with SQLite's ordering. */
export function compareAt(a: readonly SqliteValue[], b: readonly SqliteValue[], keyIdx: readonly number[]): number {
  for (let k = 0; k < keyIdx.length; k++) {
    const c = compareValues(a[keyIdx[k]], b[keyIdx[k]]);
    if (c !== 0) return c;
  }
  return 0;
}

export function diffChunk(source: ChunkRows, target: ChunkRows, keyIdx: readonly number[], diff: TableDifferences): void {
  let i = 0;
  let j = 0;
  const s = source.values;
  const t = target.values;
  while (i < s.length || j < t.length) {
    const c = i >= s.length ? 1 : j >= t.length ? -1 : compareAt(s[i], t[j], keyIdx);
    if (c < 0) diff.missingRow(s[i++]);
    else if (c > 0) diff.extraRow(t[j++]);
    else {
      if (!source.encoded.same(i, target.encoded, j)) diff.changedRow(s[i], t[j], source.raws?.[i]);
      i++;
      j++;
    }
  }
}
