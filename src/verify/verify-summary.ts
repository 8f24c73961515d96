// The summary a verify ends with, for tables and units alike: totals over the compared
// collections, ok only when nothing differs and nothing was left uncompared.
import type { FailuresFile } from './failures-file.js';
import type { VerifySummary, VerifyTableSummary } from './verify-events.js';

export interface SummaryInput {
  source: string;
  target: string;
  consistency: string;
  /** Collections asked for, and the summaries of those compared (fewer when stopped). */
  selected: number;
  tables: VerifyTableSummary[];
  aborted: boolean;
  started: number;
  failures: FailuresFile;
  /** Notes of the caller's own; the failures file's cap is noted here. */
  notes: (totals: VerifySummary['totals']) => string[];
}

export function verifySummary(i: SummaryInput): VerifySummary {
  const { tables, failures } = i;
  const interrupted = tables.length < i.selected || i.aborted;
  const sum = (f: (t: VerifyTableSummary) => number) => tables.reduce((s, t) => s + f(t), 0);
  const totals = {
    sourceRows: sum((t) => t.sourceRows),
    targetRows: sum((t) => t.targetRows),
    missing: sum((t) => t.missing),
    extra: sum((t) => t.extra),
    changed: sum((t) => t.changed),
    rejected: sum((t) => t.rejected),
    mismatches: sum((t) => t.mismatches),
    ms: Date.now() - i.started,
  };
  const notes = i.notes(totals);
  if (failures.written < totals.mismatches && failures.written >= failures.max) {
    notes.push(`the failures file holds the first ${failures.written} of ${totals.mismatches} differences (--max-failures)`);
  }
  return {
    ok: totals.mismatches === 0 && !interrupted,
    interrupted,
    source: i.source,
    target: i.target,
    consistency: i.consistency,
    tables,
    totals,
    ...(failures.written > 0 ? { failuresFile: failures.file } : {}),
    failuresWritten: failures.written,
    notes,
  };
}
