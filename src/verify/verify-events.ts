// What a verify tells its caller while it runs (the CLI draws bars, lines or JSON from these)
// and the summary it ends with. The library never prints.

/**
 * How a table was compared:
 * - 'chunks': hashes over chunks of rows in key order, rows drilled into where a chunk differs;
 * - 'keyed': the key's cast changes its order (e.g. DECIMAL as TEXT), so rows are matched by key;
 * - 'multiset': no key, so rows are compared as multisets (each distinct row and its count).
 */
export type VerifyMethod = 'chunks' | 'keyed' | 'multiset';

export interface VerifyTableSummary {
  name: string;
  /** Rows read from the source snapshot (rejected ones included). */
  sourceRows: number;
  /** Rows read from the target. */
  targetRows: number;
  /** missing + extra + changed. */
  mismatches: number;
  missing: number;
  extra: number;
  changed: number;
  /** Source rows copy rejected (its casts refuse them, or its reject file lists them): absent by design. */
  rejected: number;
  method: VerifyMethod;
  /** Chunks compared by hash, and how many of them differed ('chunks' method). */
  chunks?: number;
  chunksDiffering?: number;
  /** The chunks were digested by the source server and the target's SQLite (verify-server-digest.ts). */
  serverDigests?: boolean;
  /** The target has no such table (every source row counts as missing). */
  absent?: boolean;
  ms: number;
}

export interface VerifySummary {
  /** Every table matches (rejected rows aside) and the run was not interrupted. */
  ok: boolean;
  interrupted: boolean;
  source: string;
  target: string;
  consistency: string;
  tables: VerifyTableSummary[];
  totals: { sourceRows: number; targetRows: number; missing: number; extra: number; changed: number; rejected: number; mismatches: number; ms: number };
  /** The failures file, when differences were written to it. */
  failuresFile?: string;
  /** Lines written there (at most --max-failures). */
  failuresWritten: number;
  notes: string[];
}

export type VerifyEvent =
  | { type: 'start'; source: string; target: string; consistency: string; tables: string[] }
  | { type: 'table-start'; table: string; total: number; method: VerifyMethod }
  | { type: 'progress'; table: string; rows: number; total: number }
  | { type: 'note'; table?: string; message: string }
  | { type: 'table-done'; summary: VerifyTableSummary }
  | { type: 'done'; summary: VerifySummary };

export type VerifyEventListener = (event: VerifyEvent) => void;
