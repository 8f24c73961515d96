// Library entry: the same operations the CLI runs, as explicit named exports.
import { loadConfig } from './config/config.js';
import { planSource, type PlanContext, type PlanOptions } from './pipeline/plan.js';
import { writeSchemaFiles, type SchemaFiles } from './pipeline/schema-files.js';
import { withSource } from './sources/with-source.js';

export interface SourceOptions {
  /** postgres://…, mysql://…, mariadb://…, sqlite:<path> or a SQLite file path. */
  from: string;
  /** flarelift.toml with cast rules (default ./flarelift.toml when present). */
  configFile?: string;
}

/** Inventory a source: tables, casts and findings. */
export async function plan(options: SourceOptions & Pick<PlanOptions, 'measure' | 'onProgress'>): Promise<PlanContext> {
  const config = loadConfig(options.configFile);
  return withSource(options.from, (source) => planSource(source, { ...options, userRules: config.castRules }));
}

/** Write the D1 migration (and optionally the Drizzle schema) for a source. */
export async function schema(options: SourceOptions & { outDir: string; name?: string; drizzle?: string }): Promise<PlanContext & { files: SchemaFiles }> {
  const ctx = await plan({ ...options, measure: false });
  return { ...ctx, files: writeSchemaFiles(ctx, options) };
}

export { copy, copySource, type CopyOptions, type CopyRunOptions } from './pipeline/copy.js';
export type { CopyEvent, CopySummary, CopyTableSummary } from './pipeline/copy-events.js';
export { verify, verifySource, type VerifyOptions, type VerifyRunOptions } from './verify/verify.js';
export type { VerifyEvent, VerifySummary, VerifyTableSummary } from './verify/verify-events.js';
export { sync, syncSource, type SyncOptions, type SyncRunOptions } from './pipeline/sync.js';
export type { SyncEvent, SyncEstimate, SyncMethod, SyncSummary, SyncTableSummary } from './pipeline/sync-events.js';
export type { SyncChange, SyncEntry, SyncSession, SyncState } from './targets/sync-session.js';
export { migrate, migrateSource, type MigrateOptions, type MigrateResult, type MigrateStatus } from './pipeline/migrate.js';
export { parseTarget } from './targets/registry.js';
export { startEmbeddedPostgres } from './demo/embedded-postgres.js';
export { UserError } from './errors.js';
export { openSource } from './sources/registry.js';
export { CastRules, describeRule, type CastRule, type ResolvedCast } from './casting/rules.js';
export { TRANSFORMS, type TransformDef } from './casting/transforms.js';
export { buildSchema, migrationSql, type SchemaResult } from './schema/build-schema.js';
export { drizzleSchema } from './schema/drizzle.js';
export type { Catalog, Table, Column } from './catalog/types.js';
export type { Finding, Severity } from './catalog/findings.js';
export type { PlanResult, PlanContext, TablePlan } from './pipeline/plan.js';
export type { Source } from './sources/source.js';

// Collections that are not tables, and the contracts a new source or target kind implements.
export { copyUnits, type UnitCopyRunOptions } from './pipeline/copy-units.js';
export { verifyUnits, type UnitVerifyRunOptions } from './verify/verify-units.js';
export { openAnySource, registerSource, isUnitSource } from './sources/registry.js';
export { parseAnyTarget, registerTarget, isUnitTarget } from './targets/registry.js';
export { declareTargetOption, type TargetKind, type TargetOptionSpec, type TargetSpecOptions } from './targets/target-kind.js';
export type { Collection, CollectionKind, Key, KeyPart, Unit } from './catalog/collection.js';
export type { SourceEngine } from './sources/source.js';
export type { UnitSource, UnitSnapshot, UnitPlan } from './sources/unit-source.js';
export type { Target, TargetCapabilities, TargetSession } from './targets/target.js';
export type { TargetReader, TargetTableReader } from './targets/reader.js';
export type { UnitTarget, UnitCast, UnitTargetSession, UnitTargetReader, UnitCapabilities, UnitJournalEntry } from './targets/unit-target.js';
