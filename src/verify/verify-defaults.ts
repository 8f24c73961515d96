// Defaults shared by the table and the unit verify (and the CLI's help).
export const DEFAULT_CHUNK_ROWS = 10_000;
export const DEFAULT_MAX_FAILURES = 1_000;
export const DEFAULT_FAILURES_FILE = 'flarelift-verify-failures.jsonl';
