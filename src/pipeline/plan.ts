// `flarelift plan`: inventory the source and say what carries over, what changes and what blocks.
import { CastRules } from '../casting/rules.js';
import { rewriteFindings } from './rewrite-plan.js';
import { sortFindings, type Finding } from '../catalog/findings.js';
import type { Catalog, TableMeasurement } from '../catalog/types.js';
import { buildSchema, type SchemaResult } from '../schema/build-schema.js';
import type { Source } from '../sources/source.js';
import { passwordHashFindings } from './hash-findings.js';
import { scanPasswordHashes, type PasswordHashColumn } from './hash-readiness.js';
import { measurementFindings, objectFindings, sizeFindings, tableFindings } from './findings.js';

export interface ColumnPlan {
  name: string;
  sourceType: string;
  sqliteType: string;
  transform: string;
  lossy?: string;
}

export interface TablePlan {
  name: string;
  sourceName: string;
  /** Exact when measured, else the catalog's estimate. */
  rows: number;
  rowsExact: boolean;
  /** Source size estimate in bytes (data + indexes). */
  bytes: number;
  maxRowBytes?: number;
  key?: string[];
  columns: ColumnPlan[];
}

export interface PlanResult {
  source: { engine: string; database: string; description: string; serverVersion?: string };
  tables: TablePlan[];
  findings: Finding[];
  /** Text columns holding password hashes, when a measured plan found any (hash-readiness.ts). */
  passwordHashes?: PasswordHashColumn[];
  totals: { tables: number; rows: number; bytes: number; blockers: number; warnings: number; infos: number };
}

export interface PlanOptions {
  /** User cast rules (flarelift.toml), matched before the engine's defaults. */
  userRules?: CastRules['rules'];
  /** Scan the data for D1 limits (default true). */
  measure?: boolean;
  onProgress?: (event: { phase: 'introspect' | 'measure'; table?: string; done: number; total: number }) => void;
}

export interface PlanContext {
  catalog: Catalog;
  rules: CastRules;
  schema: SchemaResult;
  plan: PlanResult;
}

export async function planSource(source: Source, options: PlanOptions = {}): Promise<PlanContext> {
  options.onProgress?.({ phase: 'introspect', done: 0, total: 1 });
  const catalog = await source.introspect();
  const rules = CastRules.combine(options.userRules ?? [], source.castRules);
  const schema = buildSchema(catalog, rules);
  const findings: Finding[] = [...schema.findings, ...objectFindings(catalog)];
  const tables: TablePlan[] = [];
  const passwordHashes: PasswordHashColumn[] = [];
  const verifyCpu = new Map<string, number>();
  let index = 0;
  for (const m of schema.tables) {
    findings.push(...tableFindings(m));
    let measured: TableMeasurement | undefined;
    if (options.measure !== false) {
      options.onProgress?.({ phase: 'measure', table: m.name, done: index, total: schema.tables.length });
      measured = await source.measure(m.table);
      findings.push(...measurementFindings(m, measured));
      if (rules.rewrites.length > 0) findings.push(...(await rewriteFindings(source, m)));
      passwordHashes.push(...(await scanPasswordHashes(source, m, measured, verifyCpu)));
    }
    index++;
    tables.push({
      name: m.name,
      sourceName: m.table.sourceName,
      rows: measured?.rows ?? m.table.rowEstimate,
      rowsExact: measured !== undefined,
      bytes: m.table.sizeEstimate,
      maxRowBytes: measured?.maxRowBytes,
      key: m.key,
      columns: m.columns.map((c) => ({
        name: c.name,
        sourceType: c.cast.column.sourceType,
        sqliteType: c.cast.transform.declaredType?.(c.cast.column) ?? c.cast.sqliteType,
        transform: c.cast.transform.name,
        ...(c.cast.lossy ? { lossy: c.cast.lossy } : {}),
      })),
    });
  }
  const bytes = tables.reduce((s, t) => s + t.bytes, 0);
  findings.push(...sizeFindings(catalog.database, bytes), ...passwordHashFindings(passwordHashes));
  const sorted = sortFindings(findings);
  const plan: PlanResult = {
    source: { engine: catalog.engine, database: catalog.database, description: source.description, serverVersion: catalog.serverVersion },
    tables,
    findings: sorted,
    ...(passwordHashes.length ? { passwordHashes } : {}),
    totals: {
      tables: tables.length,
      rows: tables.reduce((s, t) => s + t.rows, 0),
      bytes,
      blockers: sorted.filter((f) => f.severity === 'blocker').length,
      warnings: sorted.filter((f) => f.severity === 'warning').length,
      infos: sorted.filter((f) => f.severity === 'info').length,
    },
  };
  return { catalog, rules, schema, plan };
}
