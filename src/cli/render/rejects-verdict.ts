// The line that ends migrate and verify when source rows are not in the target because copy
// rejected them: said plainly, per table, with where the rows are, so PROVEN and exit 0 only
// ever mean that the target holds every source row.
import type { CopyTableSummary } from '../../pipeline/copy-events.js';
import { formatCount } from './table.js';

export interface RejectedTable {
  name: string;
  rejected: number;
  /** Source rows of the table. */
  rows: number;
  rejectFile?: string;
}

/** A copy's tables as the verdict names them: rows read (over every run) and the reject file. */
export function copiedRejects(tables: readonly CopyTableSummary[]): RejectedTable[] {
  return tables.map((t) => ({ name: t.name, rejected: t.rejected, rows: t.read, rejectFile: t.rejectFile }));
}

/** Exit code when rows were rejected and not accepted ahead (--accept-rejects, --max-rejects). */
export const EXIT_INCOMPLETE = 5;

function perTable(tables: readonly RejectedTable[], where: string): string {
  return tables
    .filter((t) => t.rejected > 0)
    .map((t) => `${formatCount(t.rejected)} of ${formatCount(t.rows)} rows of ${t.name} rejected, see ${t.rejectFile ?? where}`)
    .join('; ');
}

/** "INCOMPLETE: 3,750 of 30,000 rows of tickets rejected, see flarelift-rejects/tickets.rejects.jsonl …" */
export function incompleteLine(tables: readonly RejectedTable[], where: string): string {
  return `INCOMPLETE: ${perTable(tables, where)} (--accept-rejects accepts them).`;
}

/** The rejects the user accepted ahead, named all the same. */
export function acceptedRejectsNote(tables: readonly RejectedTable[], where: string): string {
  return `accepted rejects: ${perTable(tables, where)}`;
}
