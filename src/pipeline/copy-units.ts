// `copy` for collections that are not tables (a Redis keyspace into KV, a bucket into R2): the
// same journal, rejects, pool, events and summary as the table copy, over units. Each batch is
// cast by the target's cast (UnitTarget.castFrom), held to the target's limits, and written
// with its journal entry in one step. An ordered collection resumes after its last committed
// key; an unordered one (SCAN) is read again from the start and every batch's keys are checked
// against what the target's journal says is committed, so nothing is written or counted twice.
import { decodeUnitKey, encodeUnitKey, type Collection, type Key, type Unit } from '../catalog/collection.js';
import type { Finding } from '../catalog/findings.js';
import { UserError, hintOnLostConnection } from '../errors.js';
import type { UnitSnapshot, UnitSource } from '../sources/unit-source.js';
import { lockTarget } from '../targets/target-lock.js';
import type { UnitCast, UnitJournalEntry, UnitTarget, UnitTargetSession } from '../targets/unit-target.js';
import type { CopyEventListener, CopyStatus, CopySummary, CopyTableSummary } from './copy-events.js';
import { CopyControl } from './copy-control.js';
import { RejectFiles } from './copy-rejects.js';
import { DEFAULT_BATCH_ROWS, DEFAULT_JOBS, DEFAULT_REJECT_DIR } from './copy-defaults.js';
import { forEachItem } from './table-pool.js';
import { checkUnit, readableKey, selectCollections } from './unit-checks.js';

/** Units per batch are also held under this many bytes, so large values keep memory bounded. */
const BATCH_BYTES = 4 * 1024 * 1024;
/** Progress within a batch (bytes of large objects as they go) at most this often. */
const BYTES_EVENT_MS = 500;

export interface UnitCopyRunOptions {
  source: UnitSource;
  target: UnitTarget;
  /** Only these collections (by name). */
  collections?: string[];
  jobs?: number;
  /** Most units per batch (default 2,000). */
  batchSize?: number;
  resume?: boolean;
  maxRejects?: number;
  rejectDir?: string;
  signal?: AbortSignal;
  onEvent?: CopyEventListener;
}

export interface UnitRejectRecord {
  collection: string;
  key: unknown;
  reason: string;
}

interface Shared {
  snapshot: UnitSnapshot;
  session: UnitTargetSession;
  target: UnitTarget;
  cast: UnitCast;
  rejects: RejectFiles;
  stop: AbortSignal;
  emit: CopyEventListener;
  batchSize: number;
  countRejects(n: number): void;
}

const emptyEntry = (c: Collection): UnitJournalEntry => ({ collection: c.name, ordered: c.ordered, lastKey: null, read: 0, written: 0, rejected: 0, skipped: 0, done: false });

async function copyCollection(c: Collection, start: UnitJournalEntry, resumed: boolean, s: Shared): Promise<CopyTableSummary & { done: boolean }> {
  const started = Date.now();
  let entry = start;
  const summary = () => ({
    name: c.name,
    read: entry.read,
    written: entry.written,
    rejected: entry.rejected,
    skippedByRule: entry.skipped,
    ms: Date.now() - started,
    done: entry.done,
    ...(resumed ? { resumed: true } : {}),
    ...(entry.rejected > 0 ? { rejectFile: s.rejects.fileFor(c.name) } : {}),
  });
  if (entry.done) {
    s.emit({ type: 'table-done', table: c.name, read: entry.read, written: entry.written, rejected: entry.rejected, ms: 0, skipped: true });
    return { ...summary(), skipped: true };
  }
  // The reject file keeps exactly the lines the journal counts (lines go in before their batch commits).
  s.rejects.truncate(c.name, entry.rejected);
  const total = await s.snapshot.count(c);
  // Progress in bytes too, when the source measures its units in bytes (a bucket).
  const totalBytes = s.snapshot.bytes ? await s.snapshot.bytes(c) : undefined;
  const volume = (done: number) => (totalBytes !== undefined ? { bytes: done, totalBytes } : {});
  s.emit({ type: 'table-start', table: c.name, total, rows: entry.read, resumed: resumed && entry.read > 0, restarted: false, ...volume(entry.bytes ?? 0) });
  const after = c.ordered && entry.lastKey !== null ? decodeUnitKey(entry.lastKey) : undefined;
  const reading = s.snapshot.read(c, { after, maxUnits: s.batchSize, maxBytes: BATCH_BYTES, signal: s.stop });
  let complete = true;
  for await (const read of reading) {
    if (s.stop.aborted) {
      complete = false;
      break;
    }
    const batch = c.ordered ? read : await fresh(c, read, s.session);
    if (batch.length === 0) continue; // all committed before (a resumed SCAN passing what is done)
    const units: Unit<unknown>[] = [];
    const settled: Key[] = [];
    const rejects: UnitRejectRecord[] = [];
    let skipped = 0;
    for (const unit of batch) {
      const outcome = s.cast.cast(unit, c);
      const problem = 'reject' in outcome ? outcome.reject : 'unit' in outcome ? checkUnit(outcome.unit, s.target.capabilities) : undefined;
      if (problem !== undefined) {
        rejects.push({ collection: c.name, key: readableKey(unit.key), reason: problem });
        settled.push(unit.key);
      } else if ('skip' in outcome) {
        skipped++;
        settled.push(unit.key);
      } else if ('unit' in outcome) units.push(outcome.unit);
    }
    s.rejects.appendTo(c.name, rejects);
    for (const r of rejects) s.emit({ type: 'reject', table: c.name, key: r.key, reason: r.reason });
    let refused = 0;
    const batchBytes = batch.reduce((n, u) => n + u.bytes, 0);
    const doneBytes = entry.bytes ?? 0;
    let sentBytes = 0;
    let lastEvent = Date.now();
    const onBytes = (n: number) => {
      sentBytes = Math.min(batchBytes, sentBytes + n);
      if (Date.now() - lastEvent < BYTES_EVENT_MS) return;
      lastEvent = Date.now();
      s.emit({ type: 'progress', table: c.name, rows: entry.read, total, ...volume(doneBytes + sentBytes) });
    };
    entry = await s.session.write({
      collection: c,
      units,
      settled,
      after: {
        ...entry,
        lastKey: c.ordered && read.length > 0 ? encodeUnitKey(read[read.length - 1].key) : entry.lastKey,
        read: entry.read + batch.length,
        written: entry.written + units.length,
        rejected: entry.rejected + rejects.length,
        skipped: entry.skipped + skipped,
        ...(totalBytes !== undefined ? { bytes: doneBytes + batchBytes } : {}),
      },
      ...(totalBytes !== undefined ? { onBytes } : {}),
      onFailures: (failures) => {
        refused = failures.length;
        const records = failures.map((f) => ({ collection: c.name, key: readableKey(units[f.index].key), reason: f.reason }));
        s.rejects.appendTo(c.name, records);
        for (const r of records) s.emit({ type: 'reject', table: c.name, key: r.key, reason: r.reason });
      },
    });
    s.emit({ type: 'progress', table: c.name, rows: entry.read, total, ...volume(entry.bytes ?? 0) });
    s.countRejects(rejects.length + refused);
  }
  if (s.stop.aborted) complete = false;
  if (complete) {
    entry = await s.session.write({ collection: c, units: [], settled: [], after: { ...entry, done: true }, onFailures: () => undefined });
    s.emit({ type: 'table-done', table: c.name, read: entry.read, written: entry.written, rejected: entry.rejected, ms: Date.now() - started, skipped: false });
  }
  return summary();
}

/** An unordered batch without the keys already committed (by an earlier run, or earlier in this one: SCAN repeats keys) or repeated in it. */
async function fresh(c: Collection, batch: Unit<unknown>[], session: UnitTargetSession): Promise<Unit<unknown>[]> {
  const seen = new Set<string>();
  const unique = batch.filter((u) => {
    const k = encodeUnitKey(u.key);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  if (unique.length === 0) return unique;
  const committed = await session.committed(c, unique.map((u) => u.key));
  return unique.filter((_, i) => !committed[i]);
}

async function startUnits(session: UnitTargetSession, target: UnitTarget, selected: Collection[], resume: boolean) {
  const notes: string[] = [];
  const state = await session.state(selected);
  if (state.journal) {
    if (!resume) throw new UserError(`${target.description} holds an unfinished copy: pass --resume to finish it, or start over with a fresh target`);
    const byName = new Map(state.journal.map((e) => [e.collection, e]));
    const collections = selected.filter((c) => byName.has(c.name));
    notes.push(`resumed an unfinished copy: ${state.journal.filter((e) => e.done).length} of ${collections.length} collections were already complete`);
    return { collections, entries: byName, resumed: true, notes };
  }
  if (resume) notes.push('nothing to resume (the target holds no unfinished copy): started a new copy');
  const filled = selected.filter((c) => state.filled.get(c.name)).map((c) => c.name);
  if (filled.length > 0) throw new UserError(`${filled.join(', ')} in ${target.description} already holds data: copy into an empty one (or --resume an interrupted copy)`);
  const entries = new Map(selected.map((c) => [c.name, emptyEntry(c)]));
  await session.begin({ entries: [...entries.values()], collections: selected });
  return { collections: selected, entries, resumed: false, notes };
}

/** A lost source connection (Redis, S3) ends in one line that says to --resume, as for tables. */
export function copyUnits(options: UnitCopyRunOptions): Promise<CopySummary> {
  return hintOnLostConnection(() => runCopyUnits(options), 'every committed batch is kept: run the same copy with --resume to finish');
}

async function runCopyUnits(options: UnitCopyRunOptions): Promise<CopySummary> {
  const emit: CopyEventListener = options.onEvent ?? (() => undefined);
  const { source, target } = options;
  const jobs = Math.max(1, Math.floor(options.jobs ?? DEFAULT_JOBS));
  const selected = selectCollections(await source.collections(), options.collections, target);
  const cast = target.castFrom(source);
  const rejects = new RejectFiles(options.rejectDir ?? DEFAULT_REJECT_DIR);
  // One writer per target: taken before the journal is read, released once the session is closed.
  const lock = target.lockFile ? lockTarget(target.lockFile, target.description) : undefined;
  let session: UnitTargetSession;
  try {
    session = await target.open({ jobs });
  } catch (e) {
    lock?.release();
    throw e;
  }
  const started = Date.now();
  let snapshot: UnitSnapshot | undefined;
  try {
    const start = await startUnits(session, target, selected, Boolean(options.resume));
    snapshot = await source.snapshot(Math.min(jobs, start.collections.length) || 1);
    emit({ type: 'start', source: source.description, target: target.description, consistency: snapshot.consistency, resumed: start.resumed, tables: start.collections.map((c) => c.name) });
    const control = new CopyControl(options.signal, options.maxRejects, [...start.entries.values()].reduce((n, e) => n + e.rejected, 0));
    const shared: Shared = {
      snapshot,
      session,
      target,
      cast,
      rejects,
      stop: control.stop.signal,
      emit,
      batchSize: Math.max(1, Math.floor(options.batchSize ?? DEFAULT_BATCH_ROWS)),
      countRejects: control.countRejects,
    };
    const items = start.collections.map((c) => ({ name: c.name, size: c.sizeEstimate ?? 0, c }));
    let results: Map<string, CopyTableSummary & { done: boolean }>;
    try {
      results = await forEachItem(items, jobs, control.stop, (i) => copyCollection(i.c, start.entries.get(i.name)!, start.resumed, shared));
    } finally {
      control.dispose();
    }
    let status: CopyStatus = control.status;
    const findings: Finding[] = [];
    const notes = [...start.notes];
    if (status === 'complete' && start.collections.every((c) => results.get(c.name)?.done)) {
      const report = await session.finish(start.collections, (message) => emit({ type: 'note', message }));
      findings.push(...report.findings);
      notes.push(...report.notes);
    } else if (status === 'complete') status = 'interrupted';
    const tables = start.collections.map((c) => {
      const e = start.entries.get(c.name)!;
      const { done: _done, ...t } = results.get(c.name) ?? { name: c.name, read: e.read, written: e.written, rejected: e.rejected, skippedByRule: e.skipped, ms: 0, done: false };
      return t;
    });
    const sum = (f: (t: CopyTableSummary) => number) => tables.reduce((n, t) => n + f(t), 0);
    const summary: CopySummary = {
      status,
      source: source.description,
      target: target.description,
      consistency: snapshot.consistency,
      tables,
      totals: { read: sum((t) => t.read), written: sum((t) => t.written), rejected: sum((t) => t.rejected), skippedByRule: sum((t) => t.skippedByRule ?? 0), ms: Date.now() - started },
      findings,
      notes,
    };
    emit({ type: 'done', summary });
    return summary;
  } finally {
    rejects.close();
    await snapshot?.close().catch(() => undefined);
    await session.close().finally(() => lock?.release());
  }
}
