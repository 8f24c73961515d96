// `flarelift plan` as text: tables with their casts, then findings by severity.
import type { Finding } from '../../catalog/findings.js';
import type { PlanResult } from '../../pipeline/plan.js';
import type { UnitPlan } from '../../sources/unit-source.js';
import { formatBytes, formatCount, textTable } from './table.js';

const LABEL: Record<Finding['severity'], string> = { blocker: 'BLOCKER', warning: 'warning', info: 'info' };

export function renderFindings(findings: readonly Finding[]): string {
  if (!findings.length) return 'No findings: everything carries over as it is.';
  return findings
    .map((f) => `${LABEL[f.severity].padEnd(7)}  ${f.code}  ${f.object}\n         ${f.message}\n         fix: ${f.fix}`)
    .join('\n');
}

/** The plan of a unit source (a keyspace, a bucket): its collections, then findings. */
export function renderUnitPlan(plan: UnitPlan): string {
  const s = plan.source;
  const out: string[] = [`Source: ${s.engine}${s.serverVersion ? ` (${s.serverVersion})` : ''} — ${s.description}`, ''];
  out.push(
    textTable(
      ['collection', 'kind', 'units', 'size'],
      plan.collections.map((c) => [c.collection.name, c.collection.kind, c.units, formatBytes(c.bytes)]),
      ['total', '', plan.collections.reduce((n, c) => n + c.units, 0), formatBytes(plan.collections.reduce((n, c) => n + c.bytes, 0))],
    ),
  );
  const { blockers, warnings, infos } = plan.totals;
  out.push('', `Findings: ${blockers} blocker(s), ${warnings} warning(s), ${infos} info`, renderFindings(plan.findings));
  return out.join('\n');
}

export function renderPlan(plan: PlanResult, options: { casts: boolean } = { casts: true }): string {
  const s = plan.source;
  const out: string[] = [];
  out.push(`Source: ${s.engine} database ${s.database}${s.serverVersion ? ` (${s.serverVersion})` : ''} — ${s.description}`);
  out.push('');
  out.push(
    textTable(
      ['table', 'rows', 'size', 'columns', 'key'],
      plan.tables.map((t) => [t.name, t.rows, formatBytes(t.bytes), t.columns.length, t.key?.join(', ') ?? '(none)']),
      ['total', plan.totals.rows, formatBytes(plan.totals.bytes), plan.tables.reduce((n, t) => n + t.columns.length, 0), ''],
    ),
  );
  if (options.casts) {
    out.push('', 'Casts (source type -> D1 type using transform):');
    for (const t of plan.tables) {
      out.push(`  ${t.name}`);
      for (const c of t.columns) {
        out.push(`    ${c.name}: ${c.sourceType} -> ${c.sqliteType} using ${c.transform}${c.lossy ? '  [LOSSY]' : ''}`);
      }
    }
  }
  const { blockers, warnings, infos } = plan.totals;
  out.push('', `Findings: ${blockers} blocker(s), ${warnings} warning(s), ${infos} info`, renderFindings(plan.findings));
  out.push('', `${formatCount(plan.totals.tables)} tables, ${formatCount(plan.totals.rows)} rows.`);
  return out.join('\n');
}
