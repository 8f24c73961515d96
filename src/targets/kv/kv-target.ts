// The contract of a KV target (kv:<BINDING> local or --remote, kvjson:<dir>): write entries and
// say when they are durable, and read back for verify. Where the copy's journal lives is the
// target's choice, beside what it writes, so a resume finds it.
import type { KvEntry } from '../../keyspace/redis-kv-rules.js';

export interface KvSession {
  /**
   * Writes the entries; `commit` runs once they are durable in the target — at once for a local
   * namespace, when their file is closed (kvjson) or uploaded (remote) — and the journal records
   * them then, so a crash before it only means they are written again.
   */
  write(entries: readonly KvEntry[], commit: () => void): Promise<void>;
  /** Makes everything written durable (the last file), running the pending commits. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface KvListedKey {
  name: string;
  /** Seconds since the epoch. */
  expiration?: number;
  metadata?: unknown;
}

export interface KvReader {
  /** Every key in byte order, in pages. */
  list(): AsyncIterable<KvListedKey[]>;
  /** The values of these keys (null when absent). */
  get(keys: readonly string[]): Promise<(Buffer | null)[]>;
  close(): Promise<void>;
}

export interface KvTarget {
  readonly kind: 'kv-local' | 'kv-remote' | 'kvjson';
  /** For messages and the summary. */
  readonly description: string;
  /** The SQLite file of the copy's key journal (kept until the copy completes). */
  readonly journalPath: string;
  /** `resume`: continuing the copy its journal records (else earlier files of this target are cleared). */
  open(o: { resume: boolean }): Promise<KvSession>;
  reader(): Promise<KvReader>;
}
