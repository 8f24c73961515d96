// Drawing a verify's events: a bar per table on a terminal, plain lines otherwise, one JSON
// object per line under --json. Then the summary like copy's: table | source | target |
// missing | extra | changed | rejected | time, with a totals line.
import type { VerifyEvent, VerifySummary, VerifyTableSummary } from '../../verify/verify-events.js';
import type { Output } from '../output.js';
import { jsonEvents, progressView, seconds, type ProgressMode, type ProgressView } from './progress.js';
import { formatCount, textTable } from './table.js';

export interface VerifyRenderer {
  onEvent(event: VerifyEvent): void;
  /** Removes the bars (before the summary is printed). */
  stop(): void;
}

const countTables = (n: number) => `${n} table${n === 1 ? '' : 's'}`;

function describeDone(t: VerifyTableSummary): string {
  const counts = t.mismatches === 0 ? 'matches' : `${formatCount(t.missing)} missing, ${formatCount(t.extra)} extra, ${formatCount(t.changed)} changed`;
  return `${t.name}: ${counts}${t.rejected ? ` (${formatCount(t.rejected)} rejected by copy)` : ''} in ${seconds(t.ms)}`;
}

export function createVerifyRenderer(output: Output, mode: ProgressMode): VerifyRenderer {
  if (mode === 'json') return { onEvent: jsonEvents(output), stop: () => undefined };
  let view: ProgressView | undefined;
  return {
    onEvent(e) {
      switch (e.type) {
        case 'start':
          view = progressView(output, mode, e.tables);
          view.log(`verifying ${countTables(e.tables.length)}: ${e.source} against ${e.target} (${e.consistency})`);
          break;
        case 'table-start':
          view?.start(e.table, e.total, 0, e.method, `${e.table}: ${formatCount(e.total)} rows in the source (${e.method})`);
          break;
        case 'progress':
          view?.update(e.table, e.rows, e.total);
          break;
        case 'note':
          (view ?? { log: (m: string) => output.err(m) }).log(e.table ? `${e.table}: ${e.message}` : e.message);
          break;
        case 'table-done': {
          const t = e.summary;
          view?.finish(t.name, t.sourceRows, t.mismatches === 0 ? 'matches' : `${formatCount(t.mismatches)} differences`, describeDone(t));
          break;
        }
        default:
          break;
      }
    },
    stop: () => view?.stop(),
  };
}

export function renderVerifySummary(s: VerifySummary): string {
  const out: string[] = [];
  out.push(
    textTable(
      ['table', 'source', 'target', 'missing', 'extra', 'changed', 'rejected', 'time'],
      s.tables.map((t) => [
        `${t.name}${t.absent ? ' (not in the target)' : t.method !== 'chunks' ? ` (${t.method})` : ''}`,
        t.sourceRows,
        t.targetRows,
        t.missing,
        t.extra,
        t.changed,
        t.rejected,
        seconds(t.ms),
      ]),
      ['total', s.totals.sourceRows, s.totals.targetRows, s.totals.missing, s.totals.extra, s.totals.changed, s.totals.rejected, seconds(s.totals.ms)],
    ),
  );
  out.push('');
  const rejected = s.totals.rejected > 0 ? `; ${formatCount(s.totals.rejected)} source rows were rejected by copy and are absent by design` : '';
  if (s.ok) {
    out.push(`OK: the target matches the source, ${formatCount(s.totals.targetRows)} rows in ${countTables(s.tables.length)}${rejected}.`);
  } else if (s.totals.mismatches > 0) {
    const bad = s.tables.filter((t) => t.mismatches > 0).map((t) => t.name);
    out.push(`MISMATCH: ${formatCount(s.totals.mismatches)} rows differ in ${countTables(bad.length)} (${bad.join(', ')})${rejected}.`);
  }
  if (s.failuresFile) out.push(`Differences, by key: ${s.failuresFile}`);
  for (const n of s.notes) out.push(n);
  out.push(`Source view: ${s.consistency}.`);
  if (s.interrupted) out.push('', 'Interrupted: not every table was compared.');
  return out.join('\n');
}

/** The --json summary line; `ok` and `tables` first. */
export function verifySummaryJson(s: VerifySummary): string {
  return JSON.stringify({
    ok: s.ok,
    tables: s.tables.map((t) => ({
      name: t.name,
      sourceRows: t.sourceRows,
      targetRows: t.targetRows,
      mismatches: t.mismatches,
      missing: t.missing,
      extra: t.extra,
      changed: t.changed,
      rejected: t.rejected,
      method: t.method,
      ...(t.serverDigests ? { serverDigests: true } : {}),
      ms: t.ms,
      ...(t.absent ? { absent: true } : {}),
    })),
    totals: s.totals,
    interrupted: s.interrupted,
    source: s.source,
    target: s.target,
    consistency: s.consistency,
    ...(s.failuresFile ? { failuresFile: s.failuresFile } : {}),
    failuresWritten: s.failuresWritten,
    notes: s.notes,
  });
}
