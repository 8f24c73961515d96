// Copying one table: read in key order from the journal's last key, cast, write, commit the
// journal entry with the batch, report progress. The next batch is already being read while
// the current one is cast and written. From a SQLite file into a SQLite target, SQLite copies the
// batches itself where no value needs the row path (targets/sqlite-file/sqlite-direct.ts).
import type { SourceValue } from '../casting/values.js';
import type { TableMapping } from '../schema/mapping.js';
import type { Snapshot } from '../sources/source.js';
import type { DirectTable, JournalEntry, TargetCapabilities, TargetSession } from '../targets/target.js';
import { Batcher, type CastBatch } from './copy-batcher.js';
import { endStage, stageClock } from './copy-stages.js';
import type { CopyEventListener, CopyTableSummary } from './copy-events.js';
import { decodeKey } from './copy-json.js';
import type { RejectFiles, RejectRecord } from './copy-rejects.js';

export interface TableContext {
  snapshot: Snapshot;
  session: TargetSession;
  capabilities: TargetCapabilities;
  rejects: RejectFiles;
  /** Stops the loop between batches (Ctrl-C, --max-rejects, another table's failure). */
  stop: AbortSignal;
  emit: CopyEventListener;
  /** Counts committed rejects towards --max-rejects. */
  countRejects(n: number): void;
}

export interface TableJob {
  mapping: TableMapping;
  /** What the journal holds for the table when this run starts. */
  entry: JournalEntry;
  resumed: boolean;
  /** Rows per batch for this table (bounded by bytes, see copy.ts). */
  batchSize: number;
}

export const emptyEntry = (table: string): JournalEntry => ({ table, lastKey: null, read: 0, written: 0, rejected: 0, done: false });

export async function copyTable(job: TableJob, ctx: TableContext): Promise<CopyTableSummary & { done: boolean }> {
  const m = job.mapping;
  const started = Date.now();
  let entry = job.entry;
  const summary = () => ({
    name: m.name,
    read: entry.read,
    written: entry.written,
    rejected: entry.rejected,
    ms: Date.now() - started,
    done: entry.done,
    ...(job.resumed ? { resumed: true } : {}),
    ...(restarted ? { restarted: true } : {}),
    ...(entry.rejected > 0 ? { rejectFile: ctx.rejects.fileFor(m.name) } : {}),
    ...(total !== undefined ? { sourceRows: total } : {}),
  });
  let restarted = false;
  let total: number | undefined = undefined; // counted once the table starts
  if (entry.done) {
    ctx.emit({ type: 'table-done', table: m.name, read: entry.read, written: entry.written, rejected: entry.rejected, ms: 0, skipped: true });
    return { ...summary(), skipped: true };
  }
  if (!m.key && entry.read > 0) {
    // No key to continue after: the rows written so far go and the table starts over.
    await ctx.session.restart(m);
    entry = { ...entry, lastKey: null, read: 0, written: 0, rejected: 0 };
    restarted = true;
  }
  // The reject file keeps exactly the lines the journal counts (none for a fresh start).
  ctx.rejects.truncate(m.name, entry.rejected);

  total = await ctx.snapshot.countRows(m.table);
  ctx.emit({ type: 'table-start', table: m.name, total, rows: entry.read, resumed: job.resumed && entry.read > 0, restarted });
  const batcher = new Batcher(m, ctx.capabilities);
  const recordRejects = (records: RejectRecord[]) => {
    ctx.rejects.append(records);
    for (const r of records) ctx.emit({ type: 'reject', table: m.name, key: r.key, reason: r.reason });
  };
  const cast = (rows: SourceValue[][]) => {
    const casting = stageClock();
    const batch = batcher.cast(rows);
    endStage('cast', casting);
    return batch;
  };
  /** Writes a cast batch of `read` source rows after the committed entry; `entry` follows the commit. */
  const write = (batch: CastBatch, read: number): Promise<void> => {
    recordRejects(batch.rejects);
    let refused = 0;
    const written = ctx.session.write({
      table: m,
      rows: batch.rows,
      firstKey: batch.firstKey,
      after: {
        table: m.name,
        lastKey: batch.lastKey ?? entry.lastKey,
        read: entry.read + read,
        written: entry.written + batch.rows.length,
        rejected: entry.rejected + batch.rejects.length,
        done: false,
      },
      onFailures: (failures) => {
        refused = failures.length;
        recordRejects(failures.map((f) => batcher.reject(batch.sources[f.index], f.reason)));
      },
    });
    return written.then((committed) => {
      entry = committed;
      ctx.emit({ type: 'progress', table: m.name, rows: entry.read, total });
      ctx.countRejects(batch.rejects.length + refused);
    });
  };
  const readAfter = (key: string | null) => ({ orderBy: m.key, after: m.key && key !== null ? decodeKey(key) : undefined, batchSize: job.batchSize, bulk: true });

  /** Row by row from the committed entry to the end: true when the table is done. */
  const stream = async (): Promise<boolean> => {
    const it = ctx.snapshot.readRows(m.table, readAfter(entry.lastKey))[Symbol.asyncIterator]();
    const next = () => {
      const p = it.next();
      p.catch(() => undefined); // a read-ahead that fails after we stopped is not unhandled
      return p;
    };
    let pending: Promise<IteratorResult<SourceValue[][]>> | undefined = next();
    // The previous batch's write, still running (remote D1 and database targets answer later)
    // while the next batch is cast. Its rejects reach the file before the next batch's: file order is
    // commit order, which is what cutting the file back on resume relies on.
    let writing: Promise<unknown> | undefined;
    const settle = async () => {
      const t = stageClock();
      if (writing) await writing;
      writing = undefined;
      endStage('wait-writer', t);
    };
    try {
      while (!ctx.stop.aborted) {
        const waited = stageClock();
        const r: IteratorResult<SourceValue[][]> = await pending!;
        endStage('wait-reader', waited);
        if (r.done) {
          pending = undefined;
          break;
        }
        pending = next();
        const batch = cast(r.value);
        await settle();
        if (ctx.stop.aborted) break;
        writing = write(batch, r.value.length);
        writing.catch(() => undefined); // awaited by settle(); never unhandled meanwhile
      }
      await settle();
    } finally {
      await writing?.catch(() => undefined);
      if (pending) await it.return?.().catch(() => undefined);
    }
    return pending === undefined;
  };

  /**
   * SQLite copies each batch itself (sqlite-direct.ts); a batch it leaves is read and written row
   * by row, exactly those rows. 'stream' when the source stopped being readable that way.
   */
  const directly = async (direct: DirectTable): Promise<boolean | 'stream'> => {
    while (!ctx.stop.aborted) {
      const t = stageClock();
      let copied: ReturnType<DirectTable['copy']>;
      try {
        copied = direct.copy(entry, job.batchSize);
      } catch (e) {
        // A writer waiting for the source's lock keeps new readers out: the snapshot's own
        // connection, which holds its lock, reads the rest.
        if (String((e as { code?: unknown }).code).startsWith('SQLITE_BUSY')) return 'stream';
        throw e;
      } finally {
        endStage('direct', t);
      }
      if (copied === 'end') return true;
      if (copied) {
        copiedBySqlite += copied.read - entry.read;
        entry = copied;
        ctx.emit({ type: 'progress', table: m.name, rows: entry.read, total });
        // Each batch is synchronous: let Ctrl-C, other tables' reads and the output go on between them.
        await new Promise(setImmediate);
        continue;
      }
      const it = ctx.snapshot.readRows(m.table, readAfter(entry.lastKey))[Symbol.asyncIterator]();
      let r: IteratorResult<SourceValue[][]>;
      try {
        r = await it.next();
      } finally {
        await it.return?.();
      }
      if (r.done) return true;
      const batch = cast(r.value);
      if (ctx.stop.aborted) break;
      await write(batch, r.value.length);
    }
    return false;
  };

  let copiedBySqlite = 0;
  const direct = m.key && ctx.snapshot.frozenFile !== undefined ? ctx.session.direct?.(ctx.snapshot.frozenFile, m, ctx.capabilities) : undefined;
  let finished = typeof direct === 'object' ? await directly(direct) : 'stream';
  if (finished === 'stream') finished = await stream();
  if (finished) {
    entry = await ctx.session.write({ table: m, rows: [], firstKey: null, after: { ...entry, done: true }, onFailures: () => undefined });
    ctx.emit({ type: 'table-done', table: m.name, read: entry.read, written: entry.written, rejected: entry.rejected, ms: Date.now() - started, skipped: false });
  }
  return { ...summary(), ...(copiedBySqlite > 0 ? { copiedBySqlite } : {}) };
}
