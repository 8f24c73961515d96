// What a keyspace copy reports: the table copy's events (the keyspace is the one "table"), and a
// summary that also counts what rules skipped and which TTLs the short-TTL rule changed.
import type { CopyEventListener, CopySummary } from '../pipeline/copy-events.js';

export interface KeyspaceCopySummary extends CopySummary {
  keyspace: {
    name: string;
    read: number;
    written: number;
    rejected: number;
    skipped: number;
    /** Counts per note: skip-type, skip-pattern, skip-short-ttl, skip-gone, skip-unknown-type, ttl-rounded-up, ttl-dropped. */
    notes: Record<string, number>;
    rejectFile?: string;
  };
}

export type KeyspaceEventListener = CopyEventListener;
