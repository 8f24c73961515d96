// Findings about the source as a whole: objects that do not carry over, D1 limits measured from
// the data, lossy casts in effect. (The schema builder adds its own: defaults, checks, indexes, names.)
import type { Finding } from '../catalog/findings.js';
import type { Catalog, SourceObject, TableMeasurement } from '../catalog/types.js';
import type { TableMapping } from '../schema/mapping.js';
import { describeRule, matches, type CastRule } from '../casting/rules.js';
import { describeSpecial, type TableScan } from './plan-scan.js';
import { D1_MAX_COLUMNS, D1_MAX_DATABASE_BYTES_FREE, D1_MAX_DATABASE_BYTES_PAID, D1_MAX_ROW_BYTES } from '../cloudflare/limits.js';

type ObjectFinding = { severity: Finding['severity']; what: string; fix: string; code?: string; message?: string };

const OBJECT_FINDINGS: Record<SourceObject['kind'], ObjectFinding | undefined> = {
  trigger: { severity: 'warning', what: 'trigger', fix: 'move its logic into the Worker, or rewrite it as a SQLite trigger in a later migration' },
  function: { severity: 'warning', what: 'function', fix: 'move its logic into the Worker (D1 has no stored functions)' },
  procedure: { severity: 'warning', what: 'procedure', fix: 'move its logic into the Worker (D1 has no stored procedures)' },
  view: { severity: 'warning', what: 'view', fix: 'rewrite it in SQLite SQL as a CREATE VIEW in a later migration, or query the tables from the Worker' },
  materialized_view: { severity: 'warning', what: 'materialized view', fix: 'create a table and refresh it from a Cron Trigger, or query the tables directly' },
  exclusion_constraint: { severity: 'warning', what: 'exclusion constraint', fix: 'check overlaps in the application before writing; SQLite has no exclusion constraints' },
  rule: { severity: 'warning', what: 'rule', fix: 'move its logic into the Worker' },
  policy: { severity: 'warning', what: 'row-level security policy', fix: 'enforce access in the Worker; D1 has no row-level security' },
  event: { severity: 'warning', what: 'scheduled event', fix: 'run it from a Cron Trigger in the Worker' },
  sequence: { severity: 'info', what: 'sequence not owned by a column', fix: 'keep a counter row in a table, or use a Durable Object' },
  extension: { severity: 'info', what: 'extension', fix: 'check that nothing the data needs comes from it' },
  enum: { severity: 'info', what: 'enum type', code: 'enum-inlined', message: 'becomes TEXT with a CHECK on its labels in each column that uses it', fix: 'nothing to do' },
  domain: { severity: 'info', what: 'domain', code: 'domain-inlined', message: 'is replaced by its base type in each column; its translatable checks are inlined', fix: 'nothing to do' },
  type: { severity: 'info', what: 'user-defined type', fix: 'store it as JSON text if a column uses it' },
};

export function objectFindings(catalog: Catalog): Finding[] {
  const out: Finding[] = [];
  if (catalog.uncheckedEncoding) {
    out.push({
      severity: 'warning',
      code: 'source-encoding-unchecked',
      object: catalog.database,
      message: `the database's encoding is ${catalog.uncheckedEncoding}: the server never checked that text is UTF-8. flarelift reads text, varchar, char, json, xml, enum and array columns as bytes and rejects values that are not UTF-8 (counted under rows-rejected)`,
      fix: "re-encode those values as UTF-8 in the source (Latin-1 text: UPDATE … SET col = convert_from(convert(convert_to(col, 'SQL_ASCII'), 'LATIN1', 'UTF8'), 'SQL_ASCII') WHERE …), or cast the column with transform \"blob\" in flarelift.toml to keep the bytes",
    });
  }
  for (const o of catalog.objects) {
    if (o.sqlite) continue; // carried over as is (SQLite source)
    const f = OBJECT_FINDINGS[o.kind];
    if (!f) continue;
    out.push({
      severity: f.severity,
      code: f.code ?? `${o.kind.replace(/_/g, '-')}-not-carried`,
      object: o.name,
      message: `${f.what} ${o.name} ${f.message ?? 'is not carried over to D1'}`,
      fix: f.fix,
    });
  }
  return out;
}

export function tableFindings(m: TableMapping): Finding[] {
  const out: Finding[] = [];
  const t = m.table;
  if (t.columns.length > D1_MAX_COLUMNS) {
    out.push({
      severity: 'blocker',
      code: 'd1-too-many-columns',
      object: m.name,
      message: `${t.columns.length} columns; D1 allows at most ${D1_MAX_COLUMNS} per table`,
      fix: 'split the table into two tables sharing the primary key before migrating',
    });
  }
  if (t.partitions?.length) {
    out.push({
      severity: 'info',
      code: 'partitions-merged',
      object: m.name,
      message: `partitioned table: its ${t.partitions.length} partitions (${t.partitions.join(', ')}) become one table`,
      fix: 'nothing: rows are read through the parent',
    });
  }
  if (!m.key) {
    out.push({
      severity: 'info',
      code: 'no-primary-key',
      object: m.name,
      message: 'no primary key or NOT NULL unique key: copy restarts this table whole on resume and verify compares it as a multiset',
      fix: 'add a primary key in the source if rows have an identity',
    });
  }
  for (const c of m.columns) {
    if (c.cast.lossy) {
      out.push({
        severity: 'warning',
        code: 'lossy-cast',
        object: `${m.name}.${c.name}`,
        message: `${c.cast.column.sourceType} -> ${c.cast.sqliteType} using ${c.cast.transform.name}: ${c.cast.lossy}`,
        fix: `accept it, or choose another transform for this column in flarelift.toml (rule from ${c.cast.rule.origin})`,
      });
    }
  }
  return out;
}

export function measurementFindings(m: TableMapping, measured: TableMeasurement): Finding[] {
  const out: Finding[] = [];
  if (measured.maxRowBytes > D1_MAX_ROW_BYTES) {
    const big = measured.columns.filter((c) => c.maxBytes > D1_MAX_ROW_BYTES).map((c) => c.column);
    out.push({
      severity: 'blocker',
      code: 'd1-row-too-large',
      object: big.length ? `${m.name}.${big.join(', ')}` : m.name,
      message: `largest row is ${measured.maxRowBytes.toLocaleString('en-US')} bytes; D1 allows ${D1_MAX_ROW_BYTES.toLocaleString('en-US')} per row or value — such rows will be rejected by copy`,
      fix: 'move large values to R2 and keep their keys in the table',
    });
  }
  for (const c of measured.columns) {
    const cast = m.columns.find((x) => x.name === c.column)?.cast;
    // Cast to exact text (measured-rules.ts): the integer-as-text finding of the row scan says so.
    if (c.unsafeIntegers && cast?.sqliteType === 'INTEGER') {
      out.push({
        severity: 'warning',
        code: 'integer-above-2^53',
        object: `${m.name}.${c.column}`,
        message: `${c.unsafeIntegers} value(s) beyond ±2^53 kept as INTEGER (rule from ${cast.rule.origin}); a Worker reads D1 integers as JS numbers and gets them wrong`,
        fix: 'remove the rule so the default casts the column to exact text (transform "integer_text"), or read it only through SQL',
      });
    }
  }
  return out;
}

export function sizeFindings(database: string, bytes: number): Finding[] {
  if (bytes > D1_MAX_DATABASE_BYTES_PAID) {
    return [{
      severity: 'blocker',
      code: 'd1-database-too-large',
      object: database,
      message: `about ${(bytes / 1e9).toFixed(1)} GB; a D1 database holds at most 10 GB`,
      fix: 'split the data across several D1 databases (for example per tenant)',
    }];
  }
  if (bytes > D1_MAX_DATABASE_BYTES_FREE) {
    return [{
      severity: 'warning',
      code: 'd1-free-plan-size',
      object: database,
      message: `about ${(bytes / 1e6).toFixed(0)} MB; the free plan allows 500 MB per database`,
      fix: 'use the Workers paid plan (10 GB per database)',
    }];
  }
  return [];
}

const fmtCount = (n: number) => n.toLocaleString('en-US');

/** What the row scan found: rows copy would reject (blockers, with a few keys), their orphaned children, special values kept. */
export function scanFindings(m: TableMapping, scan: TableScan): Finding[] {
  const out: Finding[] = [];
  for (const r of scan.rejects) {
    const keys = r.keys.filter((k) => k !== null).map((k) => JSON.stringify(k));
    out.push({
      severity: 'blocker',
      code: 'rows-rejected',
      object: m.name,
      message: `copy would reject ${fmtCount(r.rows)} of ${fmtCount(scan.rows)} row(s): ${r.reason}${keys.length ? ` (for example ${keys.join(', ')})` : ''}`,
      fix: 'fix the values in the source, choose a cast rule in flarelift.toml that keeps them, or accept the loss with --accept-findings and --accept-rejects',
    });
  }
  for (const o of scan.orphans) {
    out.push({
      severity: 'blocker',
      code: 'rows-orphaned',
      object: `${m.name}.${o.columns.join(', ')}`,
      message: `${fmtCount(o.rows)} row(s) reference ${o.refTable} rows that copy would reject: they would point at missing parents`,
      fix: `resolve the rejects of ${o.refTable} first (see its rows-rejected finding)`,
    });
  }
  for (const s of scan.specials) {
    const d = describeSpecial(s);
    out.push({ severity: 'warning', code: d.code, object: `${m.name}.${s.column}`, message: d.message, fix: d.fix });
  }
  return out;
}

/**
 * User cast rules that decide no column: matching none (a typo in a type or column name), or
 * only columns an earlier rule already took. Silently ignored, they would look applied.
 */
export function unusedRuleFindings(userRules: readonly CastRule[], catalog: Catalog, tables: readonly TableMapping[]): Finding[] {
  const used = new Set(tables.flatMap((m) => m.columns.map((c) => c.cast.rule)));
  return userRules
    .filter((r) => !used.has(r))
    .map((r) => {
      const any = catalog.tables.some((t) => t.columns.some((c) => matches(r.match, t, c)));
      return {
        severity: 'warning' as const,
        code: 'cast-rule-unused',
        object: `${r.origin} rule: ${describeRule(r).split('  [')[0]}`,
        message: any ? 'every column it matches is taken by an earlier rule, so it changes nothing' : 'it matches no column of the source, so it changes nothing',
        fix: any ? 'move it before the rule that takes those columns, or remove it' : 'check its type (as the plan prints dataType) or table.column, or remove it',
      };
    });
}
