// `migrate`: plan -> schema -> copy -> verify against one open source. It stops before copying
// when the plan has blockers (unless the caller accepts them), and its result says whether the
// target is proven equal to the source.
import type { CastRule } from '../casting/rules.js';
import { loadConfig } from '../config/config.js';
import { isUnitSource } from '../sources/registry.js';
import type { UnitPlan, UnitSource } from '../sources/unit-source.js';
import { withAnySource } from '../sources/with-source.js';
import type { Source } from '../sources/source.js';
import { parseAnyTarget, parseTarget, tableTarget, unitTarget, type AnyTarget, type TargetSpecOptions } from '../targets/registry.js';
import type { Target } from '../targets/target.js';
import type { VerifyEventListener, VerifySummary } from '../verify/verify-events.js';
import { verifySource, type VerifyRunOptions } from '../verify/verify.js';
import { verifyUnits } from '../verify/verify-units.js';
import type { CopyEventListener, CopySummary } from './copy-events.js';
import { copySource, type CopyRunOptions } from './copy.js';
import { copyUnits } from './copy-units.js';
import { planSource, type PlanOptions, type PlanResult } from './plan.js';

/** 'rejected': verify matched, but rows copy rejected are not in the target and were not accepted ahead. */
export type MigrateStatus = 'verified' | 'rejected' | 'mismatch' | 'blocked' | 'copy-incomplete' | 'interrupted';

export interface MigrateResult {
  status: MigrateStatus;
  /** The table plan, or a unit source's plan (keyspaces, buckets). */
  plan: PlanResult | UnitPlan;
  copy?: CopySummary;
  verify?: VerifySummary;
}

export interface MigrateRunOptions
  extends Pick<CopyRunOptions, 'tables' | 'jobs' | 'batchSize' | 'resume' | 'maxRejects' | 'rejectDir' | 'signal'>,
    Pick<VerifyRunOptions, 'failuresFile' | 'maxFailures'> {
  /** Copy even when the plan has blockers (the rows that hit them are rejected). */
  acceptFindings?: boolean;
  /** Rejected rows are accepted ahead: verified with rejects is 'verified', not 'rejected'. A `maxRejects` accepts too. */
  acceptRejects?: boolean;
  /** Scan the data for the plan's D1-limit findings (default true). */
  measure?: boolean;
  onPlanProgress?: PlanOptions['onProgress'];
  onCopyEvent?: CopyEventListener;
  onVerifyEvent?: VerifyEventListener;
}

/** migrate for a table source or a unit source, whichever `source` is, into a parsed target. */
export async function migrateAnySource(source: Source | UnitSource, parsed: AnyTarget, userRules: CastRule[], options: MigrateRunOptions): Promise<MigrateResult> {
  if (!isUnitSource(source)) return migrateTables(source, tableTarget(parsed), userRules, options);
  const target = unitTarget(parsed, source.description);
  const plan = await source.plan({ signal: options.signal });
  if (plan.totals.blockers > 0 && !options.acceptFindings) return { status: 'blocked', plan };
  const common = { source, target, collections: options.tables, jobs: options.jobs, rejectDir: options.rejectDir, signal: options.signal, batchSize: options.batchSize };
  const copy = await copyUnits({ ...common, resume: options.resume, maxRejects: options.maxRejects, onEvent: options.onCopyEvent });
  if (copy.status !== 'complete') return { status: copy.status === 'interrupted' ? 'interrupted' : 'copy-incomplete', plan, copy };
  const verify = await verifyUnits({ ...common, failuresFile: options.failuresFile, maxFailures: options.maxFailures, onEvent: options.onVerifyEvent });
  return { status: verify.interrupted ? 'interrupted' : verify.ok ? 'verified' : 'mismatch', plan, copy, verify };
}

export async function migrateSource(
  source: Source,
  to: string,
  targetOptions: TargetSpecOptions,
  userRules: CastRule[],
  options: MigrateRunOptions,
): Promise<MigrateResult> {
  return migrateTables(source, parseTarget(to, targetOptions), userRules, options);
}

async function migrateTables(source: Source, target: Target, userRules: CastRule[], options: MigrateRunOptions): Promise<MigrateResult> {
  const { plan } = await planSource(source, { userRules, measure: options.measure, onProgress: options.onPlanProgress });
  // Predicted rejects are the blockers --accept-rejects accepts ahead; any other blocker still stops.
  const accepted = options.acceptRejects ? new Set(['rows-rejected', 'rows-orphaned', 'd1-row-too-large']) : new Set<string>();
  const blocking = plan.findings.filter((f) => f.severity === 'blocker' && !accepted.has(f.code));
  if (blocking.length > 0 && !options.acceptFindings) return { status: 'blocked', plan };

  const common = { source, userRules, tables: options.tables, jobs: options.jobs, rejectDir: options.rejectDir, signal: options.signal };
  const copy = await copySource({
    ...common,
    target,
    batchSize: options.batchSize,
    resume: options.resume,
    maxRejects: options.maxRejects,
    onEvent: options.onCopyEvent,
  });
  if (copy.status !== 'complete') return { status: copy.status === 'interrupted' ? 'interrupted' : 'copy-incomplete', plan, copy };

  const reader = await target.reader();
  try {
    const verify = await verifySource({
      ...common,
      target: reader,
      failuresFile: options.failuresFile,
      maxFailures: options.maxFailures,
      onEvent: options.onVerifyEvent,
    });
    const accepted = options.acceptRejects || options.maxRejects !== undefined || verify.totals.rejected === 0;
    const status: MigrateStatus = verify.interrupted ? 'interrupted' : !verify.ok ? 'mismatch' : accepted ? 'verified' : 'rejected';
    return { status, plan, copy, verify };
  } finally {
    await reader.close();
  }
}

export interface MigrateOptions extends MigrateRunOptions, TargetSpecOptions {
  from: string;
  to: string;
  configFile?: string;
}

/** Library entry: open the source, migrate into the target, close. */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const config = loadConfig(options.configFile);
  // The target is checked before the source is opened: a wrong --to costs no connection.
  const target = parseAnyTarget(options.to, options);
  return withAnySource(options.from, (source) => migrateAnySource(source, target, config.castRules, options));
}
