// `verify`: prove a copy's target holds what the source holds, row by row. For each table, in a
// consistent source snapshot: row counts, then SHA-1 hashes over chunks of rows in key order
// computed on both sides from values normalized by the same casts copy applied, then the exact
// rows of every chunk that differs (verify-ordered.ts; verify-keyed.ts and verify-multiset.ts
// for the tables chunks cannot serve). Differences go to a failures file, counts to the summary.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CastRule } from '../casting/rules.js';
import { loadConfig } from '../config/config.js';
import { UserError, hintOnLostConnection } from '../errors.js';
import { DEFAULT_JOBS, DEFAULT_REJECT_DIR } from '../pipeline/copy-defaults.js';
import { selectTables } from '../pipeline/copy-start.js';
import { withoutNullKeys } from '../pipeline/null-keys.js';
import { planSource } from '../pipeline/plan.js';
import type { TableMapping } from '../schema/mapping.js';
import type { Snapshot, Source } from '../sources/source.js';
import { isUnitSource } from '../sources/registry.js';
import type { UnitSource } from '../sources/unit-source.js';
import { withAnySource, withSource } from '../sources/with-source.js';
import { isUnitTarget, parseAnyTarget, tableTarget, type TargetSpecOptions } from '../targets/registry.js';
import type { TargetReader } from '../targets/reader.js';
import { FailuresFile } from './failures-file.js';
import { loadTableRejects } from './reject-index.js';
import { EMPTY_TABLE, type TableOutcome, type TableRun } from './table-run.js';
import type { VerifyEventListener, VerifyMethod, VerifySummary, VerifyTableSummary } from './verify-events.js';
import { verifyKeyed } from './verify-keyed.js';
import { verifyMultiset } from './verify-multiset.js';
import { verifyOrdered } from './verify-ordered.js';
import { verifyByServerDigests } from './verify-server-digest.js';
import { verifySummary } from './verify-summary.js';
import { verifyUnits } from './verify-units.js';
import { forEachTable } from '../pipeline/table-pool.js';
import { refuseWhileWritten } from '../targets/target-lock.js';
import { DEFAULT_CHUNK_ROWS, DEFAULT_FAILURES_FILE, DEFAULT_MAX_FAILURES, DEFAULT_ROW_CHUNK_ROWS } from './verify-defaults.js';

export { DEFAULT_CHUNK_ROWS, DEFAULT_FAILURES_FILE, DEFAULT_MAX_FAILURES, DEFAULT_ROW_CHUNK_ROWS };

export interface VerifyRunOptions {
  source: Source;
  /** Buckets: read every object on both sides and compare MD5s. */
  checksum?: boolean;
  target: TargetReader;
  /** User cast rules (flarelift.toml): must be the ones the copy used. */
  userRules?: CastRule[];
  /** Only these tables (catalog or source names). */
  tables?: string[];
  /** Tables compared at the same time (default 2, as copy). */
  jobs?: number;
  /** Source rows per hashed chunk (default 10,000 where the source digests chunks, else 2,000). */
  chunkRows?: number;
  /** Most lines written to the failures file (default 1,000); counts stay exact. */
  maxFailures?: number;
  /** JSON lines of the differences (default ./flarelift-verify-failures.jsonl). */
  failuresFile?: string;
  /** The copy's reject files (default ./flarelift-rejects, as copy). */
  rejectDir?: string;
  signal?: AbortSignal;
  onEvent?: VerifyEventListener;
  /** A snapshot already open (sync proves what it read): used, not closed. */
  snapshot?: Snapshot;
}

interface Shared {
  snapshot: Snapshot;
  target: TargetReader;
  rejectDir: string;
  failures: FailuresFile;
  /** --chunk-rows; undefined: each table's method's default (verify-defaults.ts). */
  chunkRows?: number;
  signal: AbortSignal;
  emit: VerifyEventListener;
}

async function verifyTable(m: TableMapping, s: Shared): Promise<VerifyTableSummary> {
  const started = Date.now();
  const table = await s.target.table(m);
  const rejects = await loadTableRejects(s.rejectDir, m);
  const total = await s.snapshot.countRows(m.table);
  let method: VerifyMethod = m.key ? 'chunks' : 'multiset';
  s.emit({ type: 'table-start', table: m.name, total, method });
  if (!table) s.emit({ type: 'note', table: m.name, message: `${m.name}: the target has no such table` });
  // Both sides digest chunks where the rows are when the source can render every column as its
  // cast would (verify-server-digest.ts); a chunk holding rejected rows differs, and its rows decide.
  // FLARELIFT_VERIFY_BY_ROWS=1 reads and hashes every row here instead (the bench's "before").
  const digests = m.key && table?.textDigest && process.env.FLARELIFT_VERIFY_BY_ROWS !== '1' ? s.snapshot.chunkDigests?.(m) : undefined;
  const chunkRows = s.chunkRows ?? (digests ? DEFAULT_CHUNK_ROWS : DEFAULT_ROW_CHUNK_ROWS);
  const run: TableRun = {
    m,
    snapshot: s.snapshot,
    reader: table ?? EMPTY_TABLE,
    chunkRows,
    readRows: s.target.readRows(chunkRows),
    rejects,
    maxRecords: s.failures.max,
    signal: s.signal,
    progress: (rows) => s.emit({ type: 'progress', table: m.name, rows, total }),
  };
  let outcome: TableOutcome;
  if (!m.key) outcome = await verifyMultiset(run);
  else if (digests && table?.textDigest) outcome = await verifyByServerDigests(run, digests, (lo, hi) => table.textDigest!(lo, hi));
  else {
    const ordered = await verifyOrdered(run);
    if (ordered === 'order-broken') {
      method = 'keyed';
      s.emit({ type: 'note', table: m.name, message: `${m.name}: its key's cast does not keep the source's order; comparing rows by key instead` });
      s.emit({ type: 'table-start', table: m.name, total, method });
      outcome = await verifyKeyed(run);
    } else outcome = ordered;
  }
  for (const r of outcome.diff.records) s.failures.write(r);
  const d = outcome.diff;
  const summary: VerifyTableSummary = {
    name: m.name,
    sourceRows: outcome.sourceRows,
    targetRows: outcome.targetRows,
    mismatches: d.total,
    missing: d.missing,
    extra: d.extra,
    changed: d.changed,
    rejected: outcome.rejected,
    method,
    ...(digests ? { serverDigests: true } : {}),
    ...(outcome.chunks !== undefined ? { chunks: outcome.chunks, chunksDiffering: outcome.chunksDiffering } : {}),
    ...(table ? {} : { absent: true }),
    ms: Date.now() - started,
  };
  s.emit({ type: 'table-done', summary });
  return summary;
}

export function verifySource(options: VerifyRunOptions): Promise<VerifySummary> {
  return hintOnLostConnection(() => runVerify(options), 'run verify again once the source is reachable');
}

async function runVerify(options: VerifyRunOptions): Promise<VerifySummary> {
  const emit: VerifyEventListener = options.onEvent ?? (() => undefined);
  const jobs = Math.max(1, Math.floor(options.jobs ?? DEFAULT_JOBS));
  const { source, target } = options;
  const { schema } = await planSource(source, { userRules: options.userRules, measure: false });
  const selected = selectTables(schema, options.tables);
  const rejectDir = options.rejectDir ?? DEFAULT_REJECT_DIR;
  // A copy that rejected nothing leaves no directory: absent means no rejects.
  if (existsSync(rejectDir) && !statSync(rejectDir).isDirectory()) {
    throw new UserError(`--reject-dir ${rejectDir} is a file: pass the directory the copy wrote its reject files to`);
  }
  const failures = new FailuresFile(path.resolve(options.failuresFile ?? DEFAULT_FAILURES_FILE), Math.max(0, options.maxFailures ?? DEFAULT_MAX_FAILURES));
  const started = Date.now();
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let snapshot: Snapshot | undefined;
  try {
    snapshot = options.snapshot ?? (await source.snapshot(Math.min(jobs, selected.length) || 1));
    const notes: string[] = [];
    const compared = await withoutNullKeys(selected, snapshot, (message) => notes.push(message));
    emit({ type: 'start', source: source.description, target: target.description, consistency: snapshot.consistency, tables: selected.map((m) => m.name) });
    const shared: Shared = { snapshot, target, rejectDir, failures, chunkRows: options.chunkRows === undefined ? undefined : Math.max(1, Math.floor(options.chunkRows)), signal: stop.signal, emit };

    const results = await forEachTable(compared, jobs, stop, (m) => verifyTable(m, shared));

    const summary = verifySummary({
      source: source.description,
      target: target.description,
      consistency: snapshot.consistency,
      selected: selected.length,
      tables: selected.flatMap((m) => results.get(m.name) ?? []),
      aborted: stop.signal.aborted,
      started,
      failures,
      notes: (totals) =>
        options.rejectDir === undefined && !existsSync(rejectDir) && totals.missing > 0
          ? [...notes, `no reject files in ./${DEFAULT_REJECT_DIR}: if the copy rejected rows, pass its --reject-dir so they count as rejected, not missing`]
          : notes,
    });
    emit({ type: 'done', summary });
    return summary;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    failures.close();
    if (!options.snapshot) await snapshot?.close().catch(() => undefined);
  }
}

export interface VerifyOptions extends Omit<VerifyRunOptions, 'source' | 'target' | 'userRules'>, TargetSpecOptions {
  /** postgres://…, mysql://…, mariadb://…, sqlite:<path> or a SQLite file. */
  from: string;
  /** d1:<database> (local, or remote with `remote`) or sqlite:<path>. */
  to: string;
  /** flarelift.toml with the cast rules the copy used (default ./flarelift.toml when present). */
  configFile?: string;
}

/** Library entry: open the target and the source, verify (tables or units, as the source holds), close both. */
export async function verify(options: VerifyOptions): Promise<VerifySummary> {
  const config = loadConfig(options.configFile);
  const target = parseAnyTarget(options.to, options);
  if (isUnitTarget(target)) {
    return withAnySource(options.from, (source) => {
      if (!isUnitSource(source)) tableTarget(target); // throws: the target takes no tables
      return verifyUnits({ ...options, collections: options.tables, source: source as UnitSource, target });
    });
  }
  refuseWhileWritten(target.lockFile, target.description);
  const reader = await target.reader();
  try {
    return await withSource(options.from, (source) => verifySource({ ...options, source, target: reader, userRules: config.castRules }));
  } finally {
    await reader.close();
  }
}
