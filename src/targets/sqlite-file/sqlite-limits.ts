// SQLite's own limits, for targets written through SQLite directly (a plain file, the local D1
// file) rather than through D1's API. Cloudflare's limits are in src/cloudflare/limits.ts.

/** SQLite's own SQLITE_MAX_LENGTH (default build, better-sqlite3 too): a plain file can hold this much per value/row. */
export const SQLITE_MAX_LENGTH = 1_000_000_000;
/** SQLite's own SQLITE_MAX_VARIABLE_NUMBER (since 3.32): for files written directly, not through D1's API. */
export const SQLITE_MAX_BOUND_PARAMETERS = 32_766;
