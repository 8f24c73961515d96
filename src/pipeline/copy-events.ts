// What a copy tells its caller while it runs (the CLI draws bars, lines or JSON from these) and
// the summary it ends with. The library never prints.
import type { Finding } from '../catalog/findings.js';

export interface CopyTableSummary {
  name: string;
  /** Rows read from the source, over all runs of this copy (resumes included). */
  read: number;
  written: number;
  rejected: number;
  /** Units a cast rule skipped (unit collections: e.g. Redis streams): read = written + rejected + skippedByRule. */
  skippedByRule?: number;
  /** Time spent on this table in this run. */
  ms: number;
  /** Rows SQLite copied from the source file itself in this run (SQLite to SQLite, see sqlite-direct.ts). */
  copiedBySqlite?: number;
  /** Rows the source held when this run counted them (the snapshot's count). */
  sourceRows?: number;
  /** Continued from the journal of an earlier run. */
  resumed?: boolean;
  /** A table without a key that was copied again from its start on resume. */
  restarted?: boolean;
  /** Already complete in an earlier run. */
  skipped?: boolean;
  /** The reject file, when the table has rejects. */
  rejectFile?: string;
}

export type CopyStatus = 'complete' | 'interrupted' | 'max-rejects';

export interface CopySummary {
  status: CopyStatus;
  source: string;
  target: string;
  /** How consistent the source view was (the snapshot's own words). */
  consistency: string;
  tables: CopyTableSummary[];
  totals: { read: number; written: number; rejected: number; skippedByRule?: number; ms: number };
  /** Foreign-key violations and other things the user must look at. */
  findings: Finding[];
  /** One-line facts: schema created or reused, resume details, wrangler read-back. */
  notes: string[];
}

export type CopyEvent =
  | { type: 'start'; source: string; target: string; consistency: string; resumed: boolean; tables: string[] }
  /** bytes / totalBytes: for collections measured in bytes (buckets), what is done and what the source holds. */
  | { type: 'table-start'; table: string; total: number; rows: number; resumed: boolean; restarted: boolean; bytes?: number; totalBytes?: number }
  | { type: 'progress'; table: string; rows: number; total: number; bytes?: number; totalBytes?: number }
  | { type: 'reject'; table: string; key: unknown; reason: string }
  /** What the target is doing after the tables (e.g. sending import files to remote D1). */
  | { type: 'note'; message: string }
  | { type: 'table-done'; table: string; read: number; written: number; rejected: number; ms: number; skipped: boolean }
  | { type: 'done'; summary: CopySummary };

export type CopyEventListener = (event: CopyEvent) => void;
