// Defaults shared by the table and the unit verify (and the CLI's help).
/** Rows per chunk when both servers digest it (each chunk is a round trip to both). */
export const DEFAULT_CHUNK_ROWS = 10_000;
/**
 * Rows per chunk when flarelift reads and hashes the rows itself (a source that cannot digest
 * them): a chunk's rows are kept until its target digest is in, and at 10,000 the bench table's
 * verify peaked at 300 MB of RSS; 2,000 was measured at 150 MB and faster (5.5 s against 6.8 s).
 */
export const DEFAULT_ROW_CHUNK_ROWS = 2_000;
export const DEFAULT_MAX_FAILURES = 1_000;
export const DEFAULT_FAILURES_FILE = 'flarelift-verify-failures.jsonl';
