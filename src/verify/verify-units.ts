// `verify` for collections that are not tables: compared by key, whatever the source's order.
// Every source unit goes through the same cast copy applied; a unit the cast skips or rejects
// (or that the copy's reject file lists) is absent by design and counted, not compared. The
// rest are fetched from the target by key (missing, or changed as the cast's compare() says).
// Then every key the target holds is looked up in the source: keys it lacks are extra.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Collection, Unit } from '../catalog/collection.js';
import { DEFAULT_BATCH_ROWS, DEFAULT_JOBS, DEFAULT_REJECT_DIR } from '../pipeline/copy-defaults.js';
import { RejectFiles } from '../pipeline/copy-rejects.js';
import { forEachItem } from '../pipeline/table-pool.js';
import { checkUnit, readableKey, selectCollections } from '../pipeline/unit-checks.js';
import { hintOnLostConnection } from '../errors.js';
import type { UnitSnapshot, UnitSource } from '../sources/unit-source.js';
import { refuseWhileWritten } from '../targets/target-lock.js';
import type { UnitCast, UnitTarget, UnitTargetReader } from '../targets/unit-target.js';
import { FailuresFile, type FailureRecord } from './failures-file.js';
import { DEFAULT_FAILURES_FILE, DEFAULT_MAX_FAILURES } from './verify-defaults.js';
import type { VerifyEventListener, VerifySummary, VerifyTableSummary } from './verify-events.js';
import { verifySummary } from './verify-summary.js';

export interface UnitVerifyRunOptions {
  source: UnitSource;
  target: UnitTarget;
  collections?: string[];
  jobs?: number;
  /** Keys per lookup on each side (default 2,000). */
  batchSize?: number;
  maxFailures?: number;
  failuresFile?: string;
  rejectDir?: string;
  /** Read both sides' contents through and compare their digests (buckets: MD5 of every object). */
  checksum?: boolean;
  signal?: AbortSignal;
  onEvent?: VerifyEventListener;
}

interface Shared {
  snapshot: UnitSnapshot;
  reader: UnitTargetReader;
  target: UnitTarget;
  cast: UnitCast;
  rejectDir: string;
  failures: FailuresFile;
  batchSize: number;
  signal: AbortSignal;
  checksum: boolean;
  emit: VerifyEventListener;
}

/** Keys (encodeUnitKey of the readable key's parts) the copy wrote to the reject file: absent by design. */
function rejectedKeys(dir: string, c: Collection): Set<string> {
  const file = new RejectFiles(dir).fileFor(c.name);
  const out = new Set<string>();
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    try {
      if (line.trim()) out.add(JSON.stringify((JSON.parse(line) as { key: unknown }).key));
    } catch {
      // a line cut short by a crash: copy --resume cuts it away too
    }
  }
  return out;
}

async function verifyCollection(c: Collection, s: Shared): Promise<VerifyTableSummary> {
  const started = Date.now();
  const total = await s.snapshot.count(c);
  s.emit({ type: 'table-start', table: c.name, total, method: 'keyed' });
  const rejectFile = rejectedKeys(s.rejectDir, c);
  const out = { sourceRows: 0, targetRows: 0, missing: 0, extra: 0, changed: 0, rejected: 0 };
  const records: FailureRecord[] = [];
  const record = (r: FailureRecord) => {
    if (records.length < s.failures.max) records.push(r);
  };
  /** The unit as the target must hold it; null when the copy left it out by design. */
  const expected = (unit: Unit<unknown>): Unit<unknown> | null => {
    const outcome = s.cast.cast(unit, c);
    if ('unit' in outcome && checkUnit(outcome.unit, s.target.capabilities) === undefined && !rejectFile.has(JSON.stringify(readableKey(unit.key)))) return outcome.unit;
    return null;
  };
  let interrupted = false;
  for await (const batch of s.snapshot.read(c, { maxUnits: s.batchSize, maxBytes: 4 * 1024 * 1024, signal: s.signal, digest: s.checksum })) {
    out.sourceRows += batch.length;
    const wanted: Unit<unknown>[] = [];
    for (const unit of batch) {
      const e = expected(unit);
      if (e) wanted.push(e);
      else out.rejected++;
    }
    const found = await s.reader.get(c, wanted.map((u) => u.key), { digest: s.checksum });
    wanted.forEach((e, i) => {
      const actual = found[i];
      const key = { key: readableKey(e.key) };
      if (!actual) {
        out.missing++;
        record({ table: c.name, kind: 'missing', key });
        return;
      }
      const reason = s.cast.compare(e, actual);
      if (reason !== undefined) {
        out.changed++;
        record({ table: c.name, kind: 'changed', key, reason, source: s.cast.describe(e.value), target: s.cast.describe(actual.value) });
      }
    });
    s.emit({ type: 'progress', table: c.name, rows: out.sourceRows, total });
    if (s.signal.aborted) {
      interrupted = true;
      break;
    }
  }
  if (!interrupted) {
    for await (const keys of s.reader.keys(c, { batch: s.batchSize, signal: s.signal })) {
      out.targetRows += keys.length;
      const inSource = await s.snapshot.lookup(c, keys);
      keys.forEach((k, i) => {
        const unit = inSource[i];
        if (unit && expected(unit)) return;
        out.extra++;
        record({ table: c.name, kind: 'extra', key: { key: readableKey(k) } });
      });
      if (s.signal.aborted) break;
    }
  }
  for (const r of records) s.failures.write(r);
  const mismatches = out.missing + out.extra + out.changed;
  const summary: VerifyTableSummary = { name: c.name, ...out, mismatches, method: 'keyed', ms: Date.now() - started };
  s.emit({ type: 'table-done', summary });
  return summary;
}

/** A lost source connection (Redis, S3) ends in one line that says to run verify again. */
export function verifyUnits(options: UnitVerifyRunOptions): Promise<VerifySummary> {
  return hintOnLostConnection(() => runVerifyUnits(options), 'run verify again once the source is reachable');
}

async function runVerifyUnits(options: UnitVerifyRunOptions): Promise<VerifySummary> {
  const emit: VerifyEventListener = options.onEvent ?? (() => undefined);
  const { source, target } = options;
  const jobs = Math.max(1, Math.floor(options.jobs ?? DEFAULT_JOBS));
  // A copy still writing the target would show as missing keys: refused, not reported as loss.
  refuseWhileWritten(target.lockFile, target.description);
  const selected = selectCollections(await source.collections(), options.collections, target);
  const cast = target.castFrom(source);
  const failures = new FailuresFile(path.resolve(options.failuresFile ?? DEFAULT_FAILURES_FILE), Math.max(0, options.maxFailures ?? DEFAULT_MAX_FAILURES));
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const started = Date.now();
  const reader = await target.reader();
  let snapshot: UnitSnapshot | undefined;
  try {
    snapshot = await source.snapshot(Math.min(jobs, selected.length) || 1);
    emit({ type: 'start', source: source.description, target: target.description, consistency: snapshot.consistency, tables: selected.map((c) => c.name) });
    const shared: Shared = {
      snapshot,
      reader,
      target,
      cast,
      rejectDir: options.rejectDir ?? DEFAULT_REJECT_DIR,
      failures,
      batchSize: Math.max(1, Math.floor(options.batchSize ?? DEFAULT_BATCH_ROWS)),
      signal: stop.signal,
      checksum: Boolean(options.checksum),
      emit,
    };
    const items = selected.map((c) => ({ name: c.name, size: c.sizeEstimate ?? 0, c }));
    const results = await forEachItem(items, jobs, stop, (i) => verifyCollection(i.c, shared));
    const summary = verifySummary({
      source: source.description,
      target: target.description,
      consistency: snapshot.consistency,
      selected: selected.length,
      tables: selected.flatMap((c) => results.get(c.name) ?? []),
      aborted: stop.signal.aborted,
      started,
      failures,
      notes: () => [],
    });
    emit({ type: 'done', summary });
    return summary;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    failures.close();
    await snapshot?.close().catch(() => undefined);
    await reader.close();
  }
}
