// Defaults shared by the table and the unit copy (and verify, which reads the same reject files).
export const DEFAULT_JOBS = 2;
export const DEFAULT_BATCH_ROWS = 2_000;
export const DEFAULT_REJECT_DIR = 'flarelift-rejects';
