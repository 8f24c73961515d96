// What a sync tells its caller while it runs and the summary it ends with (the CLI draws them).
import type { VerifyEvent, VerifySummary } from '../verify/verify-events.js';

/**
 * How a table was brought up to date:
 * - 'chunks': hashes over chunks in key order, the differing chunks re-copied row by row;
 * - 'since': rows with the since-column at or past the last mark read and applied, keys compared
 *   by chunk hashes to catch deletes (and inserts the column missed);
 * - 'replace': no key, compared as multisets; when they differ the content is replaced.
 */
export type SyncMethod = 'chunks' | 'since' | 'replace';

export interface SyncTableSummary {
  name: string;
  method: SyncMethod;
  /** Rows the source snapshot holds. */
  sourceRows: number;
  inserted: number;
  updated: number;
  deleted: number;
  /** Source rows a cast or the target's limits refuse (as copy would reject them): left out. */
  rejected: number;
  /** Chunks compared, and how many differed (applied). */
  chunks: number;
  chunksDiffering: number;
  /** Time comparing (reading both sides, hashing) and applying changes. */
  compareMs: number;
  applyMs: number;
  ms: number;
  /** 'since': the column and the mark rows were read from (source text). */
  since?: { column: string; from: string | null };
  /** Counts include an interrupted earlier run's (from the sync journal). */
  resumed?: boolean;
}

/** How long a last sync with writes stopped would take, from this run's own rates. */
export interface SyncEstimate {
  ms: number;
  /** Comparing every chunk again (what this run spent comparing). */
  compareMs: number;
  /** Applying as many changed rows as this run did, at this run's time per row. */
  applyMs: number;
  /** The proof (this run's verify). */
  verifyMs: number;
  /** Changed rows assumed (this run's). */
  rows: number;
}

export interface SyncSummary {
  status: 'complete' | 'interrupted';
  source: string;
  target: string;
  consistency: string;
  tables: SyncTableSummary[];
  totals: { inserted: number; updated: number; deleted: number; rejected: number; chunks: number; chunksDiffering: number; ms: number };
  /** From the source snapshot to the last change committed: how far behind the source the target is when sync ends. */
  lagMs: number;
  estimate: SyncEstimate;
  /** The verify of the synced tables against the same snapshot (absent when interrupted). */
  verify?: VerifySummary;
  /** Verify matched every table. */
  proven: boolean;
  notes: string[];
}

export type SyncEvent =
  | { type: 'start'; source: string; target: string; consistency: string; resumed: boolean; tables: string[] }
  | { type: 'table-start'; table: string; total: number; method: SyncMethod }
  | { type: 'progress'; table: string; rows: number; total: number }
  | { type: 'note'; message: string }
  | { type: 'table-done'; summary: SyncTableSummary }
  /** The final verify's events, as verify emits them (its 'done' aside). */
  | { type: 'verify'; event: Exclude<VerifyEvent, { type: 'done' }> }
  | { type: 'done'; summary: SyncSummary };

export type SyncEventListener = (event: SyncEvent) => void;
