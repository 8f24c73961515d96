// Drawing a copy's events: a bar per table on a terminal (cli-progress: rows, rows/s, ETA),
// plain lines every few seconds otherwise, one JSON object per line under --json. Then the
// summary, pgloader style: table | read | written | rejected | time, with a totals line.
import type { CopyEvent, CopySummary } from '../../pipeline/copy-events.js';
import type { Output } from '../output.js';
import { renderFindings } from './plan-text.js';
import { jsonEvents, progressView, seconds, type ProgressMode, type ProgressView } from './progress.js';
import { formatCount, textTable } from './table.js';

export interface CopyRenderer {
  onEvent(event: CopyEvent): void;
  /** Removes the bars (before the summary is printed). */
  stop(): void;
}

const volumeOf = (e: { bytes?: number; totalBytes?: number }) => (e.totalBytes !== undefined ? { done: e.bytes ?? 0, total: e.totalBytes } : undefined);
const formatBytes = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${formatCount(n)} bytes`);

export function createCopyRenderer(output: Output, mode: ProgressMode): CopyRenderer {
  if (mode === 'json') return { onEvent: jsonEvents(output), stop: () => undefined };
  let view: ProgressView | undefined;
  return {
    onEvent(e) {
      switch (e.type) {
        case 'start':
          view = progressView(output, mode, e.tables);
          view.log(`copying ${e.tables.length} tables from ${e.source} to ${e.target} (${e.consistency})`);
          break;
        case 'table-start':
          view?.start(e.table, e.total, e.rows, e.restarted ? 'restarted' : '',
            e.totalBytes !== undefined
              ? `${e.table}: ${formatCount(e.total)} objects, ${formatBytes(e.totalBytes)} in the source${e.rows > 0 ? `, resuming after ${formatCount(e.rows)}` : ''}`
              : `${e.table}: ${formatCount(e.total)} rows in the source${e.rows > 0 ? `, resuming after ${formatCount(e.rows)}` : ''}${e.restarted ? ' (no key: started over)' : ''}`,
            volumeOf(e));
          break;
        case 'progress':
          view?.update(e.table, e.rows, e.total, volumeOf(e));
          break;
        case 'table-done':
          view?.finish(e.table, e.read, 'done',
            e.skipped ? undefined : `${e.table}: done, ${formatCount(e.written)} written, ${formatCount(e.rejected)} rejected in ${seconds(e.ms)}`);
          break;
        case 'note':
          (view ?? { log: (m: string) => output.err(m) }).log(e.message);
          break;
        default:
          break;
      }
    },
    stop: () => view?.stop(),
  };
}


export function renderCopySummary(s: CopySummary): string {
  const out: string[] = [];
  out.push(
    textTable(
      ['table', 'read', 'written', 'rejected', 'time'],
      s.tables.map((t) => [
        `${t.name}${t.skipped ? ' (done before)' : t.restarted ? ' (restarted: no key)' : ''}`,
        t.read,
        t.written,
        t.rejected,
        seconds(t.ms),
      ]),
      ['total', s.totals.read, s.totals.written, s.totals.rejected, seconds(s.totals.ms)],
    ),
  );
  const unbalanced = s.tables.filter((t) => t.read !== t.written + t.rejected + (t.skippedByRule ?? 0));
  const rule = s.totals.skippedByRule !== undefined ? ' + skipped by a rule' : '';
  out.push('', unbalanced.length === 0 ? `Every table: read = written + rejected${rule}.` : `NOT BALANCED (read != written + rejected${rule}): ${unbalanced.map((t) => t.name).join(', ')}`);
  const skipped = s.tables.filter((t) => t.skippedByRule);
  if (skipped.length > 0) out.push(`Skipped by a rule: ${skipped.map((t) => `${t.skippedByRule} in ${t.name}`).join(', ')}`);
  const rejectFiles = s.tables.filter((t) => t.rejectFile);
  if (rejectFiles.length > 0) out.push(`Rejected rows, with their reasons: ${rejectFiles.map((t) => t.rejectFile).join(', ')}`);
  for (const n of s.notes) out.push(n);
  out.push(`Source view: ${s.consistency}.`);
  if (s.findings.length > 0) out.push('', renderFindings(s.findings));
  if (s.status === 'interrupted') out.push('', 'Interrupted: what is committed stays. Run the same command with --resume to finish.');
  if (s.status === 'max-rejects') out.push('', 'Stopped: more rows rejected than --max-rejects allows. Fix the data or raise the limit, then run with --resume.');
  return out.join('\n');
}

/** The --json summary line: tables and totals, with the status, findings and notes. */
export function copySummaryJson(s: CopySummary): string {
  return JSON.stringify({
    status: s.status,
    source: s.source,
    target: s.target,
    consistency: s.consistency,
    tables: s.tables.map((t) => ({
      name: t.name,
      read: t.read,
      written: t.written,
      rejected: t.rejected,
      ...(t.skippedByRule !== undefined ? { skippedByRule: t.skippedByRule } : {}),
      ms: t.ms,
      ...(t.rejectFile ? { rejectFile: t.rejectFile } : {}),
      ...(t.resumed ? { resumed: true } : {}),
      ...(t.restarted ? { restarted: true } : {}),
      ...(t.skipped ? { skipped: true } : {}),
      ...(t.copiedBySqlite ? { copiedBySqlite: t.copiedBySqlite } : {}),
    })),
    totals: s.totals,
    findings: s.findings,
    notes: s.notes,
  });
}
