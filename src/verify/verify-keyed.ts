// Tables whose cast key does not keep the source's order (a MySQL DECIMAL key stored as TEXT,
// timestamps as unix seconds, …): ranges of source keys would not be ranges in the target, so
// rows are matched by key instead. The target is read whole, in its own key order, into a map
// from canonical key to row identity (rowId: the canonical row, or its SHA-1 when longer than
// 40 characters); the source is then streamed against it. Memory grows with the table's row
// count (about 100 bytes a row), which is why this is the fallback and not the rule.
import type { SourceValue, SqliteValue } from '../casting/values.js';
import { canonicalKey, canonicalRow, parseCanonicalRow, rowId } from './chunk-hash.js';
import { SourceCaster } from './source-rows.js';
import { keyOf, newDifferences, readAhead, type TableOutcome, type TableRun } from './table-run.js';

export async function verifyKeyed(run: TableRun): Promise<TableOutcome> {
  const { m, reader } = run;
  const caster = new SourceCaster(m, run.rejects);
  const keyIdx = caster.keyIdx!;
  const diff = newDifferences(run);
  const out: TableOutcome = { sourceRows: 0, targetRows: 0, rejected: 0, diff, interrupted: false };

  const target = new Map<string, string>();
  for (let cursor: SqliteValue[] | null = null; ; ) {
    const page = await reader.range(cursor, null, run.readRows);
    out.targetRows += page.length;
    for (const row of page) target.set(canonicalKey(keyOf(row, keyIdx)), rowId(canonicalRow(row)));
    if (page.length < run.readRows) break;
    cursor = keyOf(page[page.length - 1], keyIdx);
  }

  // Changed rows whose values go to the failures file: read back by key once the scan is done.
  const changed: { expected: SqliteValue[]; raw: readonly SourceValue[] }[] = [];
  for await (const batch of readAhead(run.snapshot.readRows(m.table, { orderBy: m.key, batchSize: run.chunkRows }))) {
    for (const src of batch) {
      const row = caster.cast(src);
      if (row === null) continue;
      const key = canonicalKey(keyOf(row, keyIdx));
      const id = target.get(key);
      if (id === undefined) {
        diff.missingRow(row);
        continue;
      }
      target.delete(key);
      if (id === rowId(canonicalRow(row))) continue;
      if (changed.length + diff.records.length < run.maxRecords) changed.push({ expected: row, raw: src });
      else diff.changed++;
    }
    out.sourceRows += batch.length;
    run.progress(out.sourceRows);
    if (run.signal.aborted) {
      out.interrupted = true;
      break;
    }
  }

  if (changed.length > 0) {
    const actual = new Map<string, SqliteValue[]>();
    for (const row of await reader.lookup(changed.map((c) => keyOf(c.expected, keyIdx)))) actual.set(canonicalKey(keyOf(row, keyIdx)), row);
    for (const c of changed) {
      const row = actual.get(canonicalKey(keyOf(c.expected, keyIdx)));
      if (row) diff.changedRow(c.expected, row, c.raw);
      else diff.changed++; // changed again since the scan: still a difference
    }
  }
  if (!out.interrupted) {
    // Keys left over are in the target only. Their rows are rebuilt from the key alone: the
    // failures file names extra rows by key.
    for (const key of target.keys()) {
      const row = new Array<SqliteValue>(m.columns.length).fill(null);
      parseCanonicalRow(key).forEach((v, k) => (row[keyIdx[k]] = v));
      diff.extraRow(row);
    }
  }
  out.rejected = caster.rejected;
  return out;
}
