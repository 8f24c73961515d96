// Bringing a table without a key up to date: nothing identifies a row but its values, so both
// sides are compared as multisets (verify-multiset.ts). When they differ the table's content is
// replaced by the source's, in one transaction on local targets; the counts are the multiset
// difference — inserted: source copies of a row beyond the target's, deleted: the reverse —
// since no row of a keyless table can be said to be "updated".
import type { SqliteValue } from '../casting/values.js';
import type { TableMapping } from '../schema/mapping.js';
import type { TargetTableReader } from '../targets/reader.js';
import { rejectLookup } from '../verify/reject-index.js';
import { readAhead } from '../verify/table-run.js';
import { verifyMultiset } from '../verify/verify-multiset.js';
import { Batcher } from './copy-batcher.js';
import type { SyncTableContext, TableTally } from './sync-table.js';

/** Rows per batch handed to the target while replacing. */
const REPLACE_BATCH = 1_000;

export async function syncKeyless(m: TableMapping, reader: TargetTableReader, ctx: SyncTableContext, tally: TableTally): Promise<boolean> {
  const total = await ctx.snapshot.countRows(m.table);
  const outcome = await verifyMultiset({
    m,
    snapshot: ctx.snapshot,
    reader,
    chunkRows: ctx.chunkRows,
    readRows: ctx.readRows,
    maxRecords: 0,
    rejects: ctx.rejects.get(m.name),
    signal: ctx.signal,
    progress: (rows) => ctx.emit({ type: 'progress', table: m.name, rows, total }),
  });
  tally.sourceRows = outcome.sourceRows;
  tally.chunks = 1;
  if (outcome.interrupted) return false;
  const { missing, extra } = outcome.diff;
  if (missing + extra === 0) return true;
  tally.chunksDiffering = 1;
  const batcher = new Batcher(m, ctx.capabilities);
  let rejected = 0;
  // Rows the copy rejected stay out (a multiset: each reject line stands for one copy of its row).
  const left = new Map(ctx.rejects.get(m.name)?.rows ?? []);
  const all = m.columns.map((_, i) => i);
  async function* rows(): AsyncGenerator<SqliteValue[][]> {
    for await (const read of readAhead(ctx.snapshot.readRows(m.table, { batchSize: REPLACE_BATCH }))) {
      const batch = left.size === 0 ? read : read.filter((src) => {
        const text = rejectLookup(src, all);
        const n = left.get(text);
        if (!n) return true;
        left.set(text, n - 1);
        rejected++;
        return false;
      });
      const cast = batcher.cast(batch);
      rejected += cast.rejects.length;
      yield cast.rows;
    }
  }
  const e = tally.entry;
  const entry = { ...e, inserted: e.inserted + missing, deleted: e.deleted + extra };
  const t = Date.now();
  await ctx.session.replace(m, rows(), entry);
  tally.applyMs += Date.now() - t;
  tally.entry = entry;
  tally.rejected = rejected;
  return true;
}
