// `sync`: after a copy, bring the target up to date with the source — repeatably — and prove it.
// Every table is compared chunk by chunk in key order from one consistent source snapshot, and
// only the differing chunks are re-copied (sync-table.ts); tables with a --since-column read
// only the rows changed since the last sync's mark (sync-since.ts); keyless tables are compared
// as multisets and replaced when they differ (sync-keyless.ts). Each applied chunk commits with
// its sync journal row, so a kill -9 and --resume lose and count nothing twice. It ends with a
// verify of the synced tables against the same snapshot: the proof.
import type { CastRule } from '../casting/rules.js';
import { loadConfig } from '../config/config.js';
import { UserError, hintOnLostConnection } from '../errors.js';
import type { TableMapping } from '../schema/mapping.js';
import type { Snapshot, Source } from '../sources/source.js';
import { withSource } from '../sources/with-source.js';
import type { TargetTableReader } from '../targets/reader.js';
import { parseAnyTarget, tableTarget, type TargetSpecOptions } from '../targets/registry.js';
import type { SyncEntry, SyncSession } from '../targets/sync-session.js';
import type { Target } from '../targets/target.js';
import { lockTarget } from '../targets/target-lock.js';
import { DEFAULT_ROW_CHUNK_ROWS } from '../verify/verify-defaults.js';
import { verifySource } from '../verify/verify.js';
import type { VerifySummary } from '../verify/verify-events.js';
import { DEFAULT_JOBS, DEFAULT_REJECT_DIR } from './copy-defaults.js';
import { loadTableRejects, type TableRejects } from '../verify/reject-index.js';
import { selectTables } from './copy-start.js';
import { withoutNullKeys } from './null-keys.js';
import { planSource } from './plan.js';
import type { SyncEventListener, SyncSummary, SyncTableSummary } from './sync-events.js';
import { syncKeyless } from './sync-keyless.js';
import { resolveSince, syncSince, DEFAULT_SINCE_MARGIN_SECONDS, type SinceColumn, type SinceContext } from './sync-since.js';
import { syncChunks, TableTally } from './sync-table.js';
import { forEachTable } from './table-pool.js';

export { DEFAULT_SINCE_MARGIN_SECONDS };

export interface SyncRunOptions {
  source: Source;
  target: Target;
  userRules?: CastRule[];
  /** Only these tables (catalog or source names). */
  tables?: string[];
  /** Tables compared at the same time (default 2). */
  jobs?: number;
  /** Source rows per compared chunk (default 2,000; the proof uses verify's defaults). */
  chunkRows?: number;
  /** Continue a sync that was killed or interrupted (its journal's counts carry on). */
  resume?: boolean;
  /** `<table>.<column>`: read only rows whose column is at or past the last sync's mark. */
  sinceColumns?: string[];
  /** Detect updated_at / modified_at / last_update columns by name (default true). */
  detectSince?: boolean;
  /** Subtracted from the mark before reading (late commits with earlier timestamps); default 300. */
  sinceMarginSeconds?: number;
  /** The final verify: its failures file and cap, and copy's reject files. */
  failuresFile?: string;
  maxFailures?: number;
  rejectDir?: string;
  signal?: AbortSignal;
  onEvent?: SyncEventListener;
}

interface Shared extends SinceContext {
  target: Target;
  readers: Map<string, TargetTableReader>;
  journal: Map<string, SyncEntry>;
  since: Map<string, SinceColumn>;
  marks: Map<string, string>;
  marginSeconds: number;
}

async function syncTable(m: TableMapping, s: Shared): Promise<SyncTableSummary & { done: boolean }> {
  const reader = s.readers.get(m.name)!;
  const resumedEntry = s.journal.get(m.name);
  const tally = new TableTally(resumedEntry ?? { table: m.name, lastKey: null, inserted: 0, updated: 0, deleted: 0 });
  const since = m.key ? s.since.get(m.name) : undefined;
  const method = !m.key ? 'replace' : since ? 'since' : 'chunks';
  s.emit({ type: 'table-start', table: m.name, total: m.table.rowEstimate, method });
  let done: boolean;
  let sinceInfo: SyncTableSummary['since'];
  if (!m.key) done = await syncKeyless(m, reader, s, tally);
  else if (since) {
    const r = await syncSince(m, reader, s, tally, since, s.marks, s.marginSeconds);
    done = r.done;
    sinceInfo = { column: since.column, from: r.from };
  } else done = await syncChunks(m, reader, s, tally);
  const summary = { ...tally.summary(m, method, resumedEntry !== undefined), ...(sinceInfo ? { since: sinceInfo } : {}) };
  s.emit({ type: 'table-done', summary });
  return { ...summary, done };
}

export function syncSource(options: SyncRunOptions): Promise<SyncSummary> {
  return hintOnLostConnection(() => runSync(options), 'every applied chunk is kept: run the same sync with --resume to finish');
}

async function runSync(options: SyncRunOptions): Promise<SyncSummary> {
  const emit: SyncEventListener = options.onEvent ?? (() => undefined);
  const jobs = Math.max(1, Math.floor(options.jobs ?? DEFAULT_JOBS));
  // Sync reads and compares the rows here (no server digests): verify's row-path default, which
  // keeps fewer rows alive (measured on 1,000,000 rows: 309 MB of RSS at 10,000, 161 MB at 2,000).
  const chunkRows = Math.max(1, Math.floor(options.chunkRows ?? DEFAULT_ROW_CHUNK_ROWS));
  const { source, target } = options;
  if (!target.sync) throw new UserError(`sync cannot write to ${target.description} yet: it brings d1:<database> (local or --remote), sqlite:<path>, postgres:// and mysql:// targets up to date`);
  const { schema } = await planSource(source, { userRules: options.userRules, measure: false });
  const selected = selectTables(schema, options.tables);
  // The way back (D1 → PostgreSQL / MySQL) compares every chunk: no high-water marks there yet.
  const wayBack = target.kind === 'postgres' || target.kind === 'mysql';
  if (wayBack && options.sinceColumns?.length) throw new UserError(`--since-column is not supported when syncing into ${target.description}: sync without it compares every chunk`);
  const since = resolveSince(selected, options.sinceColumns ?? [], !wayBack && (options.detectSince ?? true));
  const lock = target.lockFile ? lockTarget(target.lockFile, target.description) : undefined;
  let session: SyncSession | undefined;
  let snapshot: Snapshot | undefined;
  let reader: Awaited<ReturnType<Target['reader']>> | undefined;
  const started = Date.now();
  try {
    session = await target.sync();
    const state = await session.state();
    if (state.copyUnfinished) throw new UserError(`${target.description} holds an unfinished copy: finish it first (flarelift copy … --resume), then sync`);
    if (state.journal && !options.resume) throw new UserError(`${target.description} holds an unfinished sync: pass --resume to finish it`);
    reader = await target.reader();
    const readers = new Map<string, TargetTableReader>();
    for (const m of selected) {
      const t = await reader.table(m);
      if (!t) throw new UserError(`${target.description} has no table ${m.name}: sync brings a copied target up to date — run flarelift copy first`);
      readers.set(m.name, t);
    }
    snapshot = await source.snapshot(Math.min(jobs, selected.length) || 1);
    const snapshotAt = Date.now();
    const notes: string[] = [];
    const tables = await withoutNullKeys(selected, snapshot, (message) => notes.push(message));
    for (const m of tables) if (!m.key) readers.set(m.name, (await reader.table(m))!);
    const rejects = new Map<string, TableRejects | undefined>();
    for (const m of tables) rejects.set(m.name, await loadTableRejects(options.rejectDir ?? DEFAULT_REJECT_DIR, m));
    const journal = new Map((state.journal ?? []).map((e) => [e.table, e]));
    if (options.resume && !state.journal) notes.push('nothing to resume (the target holds no unfinished sync): started a new sync');
    if (state.journal) notes.push(`resumed an unfinished sync: its counts carry on, every chunk is compared again (applied ones compare equal)`);
    await session.begin(tables.map((m) => journal.get(m.name) ?? { table: m.name, lastKey: null, inserted: 0, updated: 0, deleted: 0 }));
    emit({ type: 'start', source: source.description, target: target.description, consistency: snapshot.consistency, resumed: Boolean(state.journal), tables: tables.map((m) => m.name) });

    const stop = new AbortController();
    const onAbort = () => stop.abort();
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const marks = new Map(state.marks);
    const shared: Shared = {
      snapshot,
      session,
      capabilities: target.capabilities,
      chunkRows,
      readRows: reader.readRows(chunkRows),
      signal: stop.signal,
      emit,
      openTable: (t) => reader!.table(t),
      rejects,
      target,
      readers,
      journal,
      since,
      marks,
      marginSeconds: options.sinceMarginSeconds ?? DEFAULT_SINCE_MARGIN_SECONDS,
    };
    let results;
    try {
      results = await forEachTable(tables, jobs, stop, (m) => syncTable(m, shared));
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
    const lagMs = Date.now() - snapshotAt;
    const summaries = tables.flatMap((m) => {
      const r = results.get(m.name);
      if (!r) return [];
      const { done: _done, ...t } = r;
      return [t];
    });
    const complete = !stop.signal.aborted && tables.every((m) => results.get(m.name)?.done);
    await reader.close();
    reader = undefined;
    let verify: VerifySummary | undefined;
    if (complete) {
      await session.finish(marks);
      await session.close();
      session = undefined;
      const proofReader = await target.reader();
      try {
        verify = await verifySource({
          source,
          target: proofReader,
          snapshot,
          userRules: options.userRules,
          tables: tables.map((m) => m.name),
          jobs,
          chunkRows: options.chunkRows, // undefined: each table's method's default
          failuresFile: options.failuresFile,
          maxFailures: options.maxFailures,
          rejectDir: options.rejectDir,
          signal: options.signal,
          onEvent: (event) => {
            if (event.type !== 'done') emit({ type: 'verify', event });
          },
        });
      } finally {
        await proofReader.close();
      }
    }
    const sum = (f: (t: SyncTableSummary) => number) => summaries.reduce((s, t) => s + f(t), 0);
    const changed = sum((t) => t.inserted + t.updated + t.deleted);
    const applyMs = sum((t) => t.applyMs);
    const syncMs = snapshotAt - started + lagMs;
    const verifyMs = verify?.totals.ms ?? 0;
    const compareMs = Math.max(0, syncMs - applyMs);
    const summary: SyncSummary = {
      status: complete ? 'complete' : 'interrupted',
      source: source.description,
      target: target.description,
      consistency: snapshot.consistency,
      tables: summaries,
      totals: {
        inserted: sum((t) => t.inserted),
        updated: sum((t) => t.updated),
        deleted: sum((t) => t.deleted),
        rejected: sum((t) => t.rejected),
        chunks: sum((t) => t.chunks),
        chunksDiffering: sum((t) => t.chunksDiffering),
        ms: Date.now() - started,
      },
      lagMs,
      estimate: { ms: compareMs + applyMs + verifyMs, compareMs, applyMs, verifyMs, rows: changed },
      ...(verify ? { verify } : {}),
      proven: Boolean(verify?.ok),
      notes,
    };
    emit({ type: 'done', summary });
    return summary;
  } finally {
    await reader?.close().catch(() => undefined);
    await snapshot?.close().catch(() => undefined);
    await session?.close().catch(() => undefined);
    lock?.release();
  }
}

export interface SyncOptions extends Omit<SyncRunOptions, 'source' | 'target' | 'userRules'>, TargetSpecOptions {
  /** postgres://…, mysql://…, sqlite:<path> or a SQLite file, d1:<database>. */
  from: string;
  /** d1:<database> (local, or remote with `remote`), sqlite:<path>, or postgres://… / mysql://… from a d1: source (the way back): a target copy wrote. */
  to: string;
  /** flarelift.toml with the cast rules the copy used (default ./flarelift.toml when present). */
  configFile?: string;
}

/** Library entry: open the source and the target, sync, verify, close. */
export async function sync(options: SyncOptions): Promise<SyncSummary> {
  const config = loadConfig(options.configFile);
  const target = tableTarget(parseAnyTarget(options.to, options));
  return withSource(options.from, (source) => syncSource({ ...options, source, target, userRules: config.castRules }));
}
