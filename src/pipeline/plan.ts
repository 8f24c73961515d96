// `flarelift plan`: inventory the source and say what carries over, what changes and what blocks.
import { measuredRules } from '../casting/measured-rules.js';
import { CastRules } from '../casting/rules.js';
import { sortFindings, type Finding } from '../catalog/findings.js';
import type { Catalog, TableMeasurement } from '../catalog/types.js';
import { buildSchema, type SchemaResult } from '../schema/build-schema.js';
import type { TableMapping } from '../schema/mapping.js';
import type { Source } from '../sources/source.js';
import { D1_LOCAL_CAPABILITIES } from '../targets/d1-local/d1-local-target.js';
import type { TargetCapabilities } from '../targets/target.js';
import { measurementFindings, objectFindings, scanFindings, sizeFindings, tableFindings, unusedRuleFindings } from './findings.js';
import { passwordHashFindings } from './hash-findings.js';
import { scanPasswordHashes, type PasswordHashColumn } from './hash-readiness.js';
import { countKeyNulls, nullableKeyColumns, nullKeyConsequence } from './null-keys.js';
import { rewriteFindings } from './rewrite-plan.js';
import { PlanScanner, type PredictedOrphans, type PredictedRejects, type TableScan } from './plan-scan.js';

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
  /** Rows holding NULL in a key column (measured; only keys that may hold NULLs). */
  keyNulls?: number;
  columns: ColumnPlan[];
  /** Rows copy will reject, measured by running every row through its casts and the target's limits and constraints. */
  rejected?: number;
  rejects?: PredictedRejects[];
  /** Rows that will point at a rejected parent row. */
  orphans?: PredictedOrphans[];
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
  /** Scan the data for D1 limits, special values and the rows copy would reject (default true). */
  measure?: boolean;
  /** Whose limits the row scan holds rows to (default local D1's, which are D1's). */
  capabilities?: TargetCapabilities;
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
  const user = options.userRules ?? [];
  const rules = CastRules.combine([...user, ...(await measuredRules(source, catalog, user))], source.castRules);
  const schema = buildSchema(catalog, rules);
  const findings: Finding[] = [...schema.findings, ...objectFindings(catalog), ...unusedRuleFindings(options.userRules ?? [], catalog, schema.tables)];
  const tables: TablePlan[] = [];
  const passwordHashes: PasswordHashColumn[] = [];
  const verifyCpu = new Map<string, number>();
  let index = 0;
  const scanner = options.measure !== false ? await PlanScanner.open(schema, options.capabilities ?? D1_LOCAL_CAPABILITIES) : undefined;
  try {
    for (const m of schema.tables) {
      findings.push(...tableFindings(m));
      let measured: TableMeasurement | undefined;
      let scan: TableScan | undefined;
      if (scanner) {
        options.onProgress?.({ phase: 'measure', table: m.name, done: index, total: schema.tables.length });
        measured = await source.measure(m.table);
        findings.push(...measurementFindings(m, measured));
        if (rules.rewrites.length > 0) findings.push(...(await rewriteFindings(source, m)));
        passwordHashes.push(...(await scanPasswordHashes(source, m, measured, verifyCpu)));
        scan = await scanner.scan(source, m);
        findings.push(...scanFindings(m, scan));
      }
      const keyNulls = scanner ? await countKeyNulls(m, source) : undefined;
      findings.push(...nullKeyFindings(m, keyNulls));
      index++;
      tables.push({
        name: m.name,
        sourceName: m.table.sourceName,
        rows: measured?.rows ?? m.table.rowEstimate,
        rowsExact: measured !== undefined,
        bytes: m.table.sizeEstimate,
        maxRowBytes: measured?.maxRowBytes,
        key: m.key,
        ...(keyNulls !== undefined ? { keyNulls } : {}),
        columns: m.columns.map((c) => ({
          name: c.name,
          sourceType: c.cast.column.sourceType,
          sqliteType: c.cast.transform.declaredType?.(c.cast.column) ?? c.cast.sqliteType,
          transform: c.cast.transform.name,
          ...(c.cast.lossy ? { lossy: c.cast.lossy } : {}),
        })),
        ...(scan ? { rejected: scan.rejected, rejects: scan.rejects, orphans: scan.orphans } : {}),
      });
    }
  } finally {
    scanner?.close();
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

/** A key that may hold NULLs: a warning with the count when measured, else a note that it may. */
function nullKeyFindings(m: TableMapping, keyNulls: number | undefined): Finding[] {
  const columns = nullableKeyColumns(m);
  if (columns.length === 0 || keyNulls === 0) return [];
  const fix = `declare ${columns.join(', ')} NOT NULL in the source (after filling or removing those rows) to resume and verify by key`;
  if (keyNulls === undefined) {
    return [{ severity: 'info', code: 'nullable-key', object: m.name, message: `key column ${columns.join(', ')} is not declared NOT NULL: if it holds NULLs, ${nullKeyConsequence}`, fix }];
  }
  const rows = Number.isFinite(keyNulls) ? `${keyNulls} rows hold` : 'rows may hold';
  return [{ severity: 'warning', code: 'null-in-key', object: m.name, message: `${rows} NULL in key column ${columns.join(', ')}: ${nullKeyConsequence}`, fix }];
}
