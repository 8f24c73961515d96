// `copy`: stream every table from a consistent source snapshot through its casts into a
// target, tables side by side (--jobs), with a journal that makes any interruption resumable.
import type { CastRule } from '../casting/rules.js';
import type { Finding } from '../catalog/findings.js';
import type { TableMapping } from '../schema/mapping.js';
import type { Source } from '../sources/source.js';
import { isUnitSource } from '../sources/registry.js';
import { withAnySource } from '../sources/with-source.js';
import { loadConfig } from '../config/config.js';
import { hintOnLostConnection } from '../errors.js';
import { parseAnyTarget, tableTarget, unitTarget, type TargetSpecOptions } from '../targets/registry.js';
import type { Target } from '../targets/target.js';
import { lockTarget } from '../targets/target-lock.js';
import type { CopyEventListener, CopyStatus, CopySummary, CopyTableSummary } from './copy-events.js';
import { RejectFiles } from './copy-rejects.js';
import { selectTables, startCopy } from './copy-start.js';
import { CopyControl } from './copy-control.js';
import { copyTable, type TableContext } from './copy-table.js';
import { withoutNullKeys } from './null-keys.js';
import { copyUnits } from './copy-units.js';
import { catalogSubset } from './copy-schema.js';
import { buildSchema } from '../schema/build-schema.js';
import { planSource } from './plan.js';
import { forEachTable } from './table-pool.js';
import { printStages } from './copy-stages.js';
import { DEFAULT_BATCH_ROWS, DEFAULT_JOBS, DEFAULT_REJECT_DIR } from './copy-defaults.js';

export { DEFAULT_BATCH_ROWS, DEFAULT_JOBS, DEFAULT_REJECT_DIR };

/** Rows per batch are also held under this many source bytes, so wide rows keep memory bounded. */
const BATCH_BYTES = 4 * 1024 * 1024;

export interface CopyRunOptions {
  source: Source;
  target: Target;
  /** User cast rules (flarelift.toml), before the engine's defaults. */
  userRules?: CastRule[];
  /** Only these tables (catalog or source names). */
  tables?: string[];
  /** Tables copied at the same time (default 2). */
  jobs?: number;
  /** Most rows per batch (each batch is one transaction on database targets; default 2,000). */
  batchSize?: number;
  /** Continue an unfinished copy from the target's journal. */
  resume?: boolean;
  /** Stop once more rows than this are rejected (default: no limit). */
  maxRejects?: number;
  /** Directory of the per-table reject files (default ./flarelift-rejects). */
  rejectDir?: string;
  /** Aborting stops between batches, leaving a resumable journal (status 'interrupted'). */
  signal?: AbortSignal;
  onEvent?: CopyEventListener;
}

function batchRows(m: TableMapping, max: number): number {
  const { rowEstimate, sizeEstimate } = m.table;
  if (rowEstimate <= 0 || sizeEstimate <= 0) return max;
  return Math.min(max, Math.max(100, Math.floor(BATCH_BYTES / (sizeEstimate / rowEstimate))));
}

export function copySource(options: CopyRunOptions): Promise<CopySummary> {
  return hintOnLostConnection(() => runCopy(options), 'every committed batch is kept: run the same copy with --resume to finish');
}

async function runCopy(options: CopyRunOptions): Promise<CopySummary> {
  const emit: CopyEventListener = options.onEvent ?? (() => undefined);
  const jobs = Math.max(1, Math.floor(options.jobs ?? DEFAULT_JOBS));
  const maxBatch = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_BATCH_ROWS));
  const { source, target } = options;
  const { schema, catalog, rules, plan } = await planSource(source, { userRules: options.userRules, measure: false });
  const selected = selectTables(schema, options.tables);
  const rejects = new RejectFiles(options.rejectDir ?? DEFAULT_REJECT_DIR);
  const lock = target.lockFile ? lockTarget(target.lockFile, target.description) : undefined;
  let session;
  try {
    session = await target.open();
  } catch (e) {
    lock?.release();
    throw e;
  }
  const started = Date.now();
  let snapshot;
  try {
    const tablesGiven = Boolean(options.tables?.length);
    const subset = tablesGiven ? catalogSubset(catalog, new Set(selected.map((m) => m.table.name))) : undefined;
    const created = subset && { schema: buildSchema(subset.catalog, rules), droppedForeignKeys: subset.droppedForeignKeys };
    const start = await startCopy(target, session, schema, selected, { resume: Boolean(options.resume), tablesGiven, created });
    snapshot = await source.snapshot(Math.min(jobs, start.tables.length) || 1);
    for (const f of plan.findings) if (f.code === 'cast-rule-unused') start.notes.push(`${f.object}: ${f.message}`);
    start.tables = await withoutNullKeys(start.tables, snapshot, (message) => start.notes.push(message));
    emit({ type: 'start', source: source.description, target: target.description, consistency: snapshot.consistency, resumed: start.resumed, tables: start.tables.map((m) => m.name) });

    const control = new CopyControl(options.signal, options.maxRejects, [...start.entries.values()].reduce((s, e) => s + e.rejected, 0));
    const ctx: TableContext = { snapshot, session, capabilities: target.capabilities, rejects, stop: control.stop.signal, emit, countRejects: control.countRejects };

    let results: Map<string, CopyTableSummary & { done: boolean }>;
    try {
      results = await forEachTable(start.tables, jobs, control.stop, (m) =>
        copyTable({ mapping: m, entry: start.entries.get(m.name)!, resumed: start.resumed, batchSize: batchRows(m, maxBatch) }, ctx),
      );
    } finally {
      control.dispose();
    }
    let status: CopyStatus = control.status;

    const findings: Finding[] = [];
    const notes = [...start.notes];
    const allDone = start.tables.every((m) => results.get(m.name)?.done);
    if (status === 'complete' && allDone) {
      const report = await session.finish(start.tables, (message) => emit({ type: 'note', message }));
      findings.push(...report.findings);
      notes.push(...report.notes);
    } else if (status === 'complete') {
      status = 'interrupted';
    }
    const tables = start.tables.map((m) => {
      const r = results.get(m.name);
      const e = start.entries.get(m.name)!;
      const { done: _done, ...t } = r ?? { name: m.name, read: e.read, written: e.written, rejected: e.rejected, ms: 0, done: false };
      return t;
    });
    const bySqlite = tables.reduce((s, t) => s + (t.copiedBySqlite ?? 0), 0);
    if (bySqlite > 0) {
      const whole = tables.filter((t) => t.copiedBySqlite && t.copiedBySqlite === t.read).length;
      notes.push(`SQLite copied ${bySqlite.toLocaleString('en-US')} row(s) file to file itself (${whole} table(s) whole); the rest went row by row`);
    }
    const summary: CopySummary = {
      status,
      source: source.description,
      target: target.description,
      consistency: snapshot.consistency,
      tables,
      totals: {
        read: tables.reduce((s, t) => s + t.read, 0),
        written: tables.reduce((s, t) => s + t.written, 0),
        rejected: tables.reduce((s, t) => s + t.rejected, 0),
        ms: Date.now() - started,
      },
      findings,
      notes,
    };
    emit({ type: 'done', summary });
    printStages();
    return summary;
  } finally {
    rejects.close();
    await snapshot?.close().catch(() => undefined);
    await session.close().finally(() => lock?.release());
  }
}

export interface CopyOptions extends Omit<CopyRunOptions, 'source' | 'target' | 'userRules'>, TargetSpecOptions {
  /** Any registered source: postgres://…, mysql://…, mariadb://…, sqlite:<path> or a SQLite file, … */
  from: string;
  /** Any registered target: d1:<database>, sqlite:<path>, sql:<dir>, … (one that takes the source's data). */
  to: string;
  /** flarelift.toml with cast rules (default ./flarelift.toml when present). */
  configFile?: string;
}

/** Library entry: open the source, parse the target, copy (tables or units, as the source holds), close. */
export async function copy(options: CopyOptions): Promise<CopySummary> {
  const config = loadConfig(options.configFile);
  const target = parseAnyTarget(options.to, options);
  return withAnySource(options.from, (source) =>
    isUnitSource(source)
      ? copyUnits({ ...options, collections: options.tables, source, target: unitTarget(target, source.description) })
      : copySource({ ...options, source, target: tableTarget(target), userRules: config.castRules }),
  );
}
