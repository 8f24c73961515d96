// Cloudflare's platform limits, defined once (../shared/docs/PLATFORM.md has the sources). Each
// is a named constant with the reason it matters, so a change at Cloudflare is one edit here.

// ---- D1 (SQLite at the edge) ----
/** Bound parameters per statement: D1 and Durable Object SQL refuse more. */
export const D1_MAX_BOUND_PARAMETERS = 100;
/** SQL text per statement in bytes: D1 refuses a longer statement (import files included). */
export const D1_MAX_STATEMENT_BYTES = 100_000;
/** A string, BLOB or whole row in bytes: D1's storage limit per row and per value. */
export const D1_MAX_ROW_BYTES = 2_000_000;
/** Columns per table: D1 refuses a wider CREATE TABLE. */
export const D1_MAX_COLUMNS = 100;
/** Database size on the paid plan (cannot be raised): larger data must be split. */
export const D1_MAX_DATABASE_BYTES_PAID = 10_000_000_000;
/** Database size on the free plan. */
export const D1_MAX_DATABASE_BYTES_FREE = 500_000_000;
/** One query or one batch() (a transaction) runs at most this long. */
export const D1_MAX_QUERY_MS = 30_000;

// ---- Workers KV ----
/** Key length in bytes: KV refuses longer keys. */
export const KV_MAX_KEY_BYTES = 512;
/** Value size in bytes (25 MiB): KV refuses larger values. */
export const KV_MAX_VALUE_BYTES = 25 * 1024 * 1024;
/** Metadata size in bytes, as serialized JSON: KV refuses more. */
export const KV_MAX_METADATA_BYTES = 1_024;
/** An expiration or TTL must be at least this many seconds in the future: shorter ones are refused. */
export const KV_MIN_TTL_SECONDS = 60;
/** Writes to one key per second: a Redis counter, lock or rate limiter on KV loses writes. */
export const KV_MAX_WRITES_PER_KEY_PER_SECOND = 1;
/** Seconds a read may lag a write (eventual consistency): locks and counters need a Durable Object. */
export const KV_READ_LAG_SECONDS = 60;
/** Pairs per bulk write (`wrangler kv bulk put`, the bulk API). */
export const KV_BULK_MAX_PAIRS = 10_000;
/** Bytes per bulk write request. */
export const KV_BULK_MAX_BYTES = 100_000_000;

// ---- R2 ----
/** Smallest multipart part (all but the last): 5 MiB. */
export const R2_MIN_PART_BYTES = 5 * 1024 * 1024;
/** Largest multipart part, and largest single PUT: 5 GiB. */
export const R2_MAX_PART_BYTES = 5 * 1024 * 1024 * 1024;
/** Largest single PUT (no multipart): 5 GiB. */
export const R2_MAX_PUT_BYTES = R2_MAX_PART_BYTES;
/** Parts per multipart upload: the object size is bounded by parts × part size. */
export const R2_MAX_PARTS = 10_000;
/** Largest object: 5 TiB less one part (R2 documents 4.995 TiB). */
export const R2_MAX_OBJECT_BYTES = 5 * 1024 ** 4 - R2_MAX_PART_BYTES;
/** Longest object key, in UTF-8 bytes. */
export const R2_MAX_KEY_BYTES = 1024;
/** User (custom) metadata per object, keys and values together, in bytes. */
export const R2_MAX_METADATA_BYTES = 8192;
/** Above this a bucket is better moved by Cloudflare's Super Slurper, then verified. */
export const R2_SLURPER_ADVICE_BYTES = 1024 ** 4;

// ---- Cron Triggers and Durable Objects ----
/** Cron fields: five, no seconds (UTC), so one minute is the shortest interval. */
export const CRON_FIELDS = 5;
/** Shortest interval a Cron Trigger fires at; sub-minute work needs a Durable Object alarm. */
export const CRON_MIN_INTERVAL_SECONDS = 60;
/** Cron Triggers per account on the free plan. */
export const CRON_MAX_TRIGGERS_FREE = 5;
/** Cron Triggers per account on the paid plan. */
export const CRON_MAX_TRIGGERS_PAID = 250;
/** SQLite storage per Durable Object (same SQL limits as D1). */
export const DO_MAX_STORAGE_BYTES = 10_000_000_000;

// ---- Workers ----
/** Memory of one isolate: a Worker cannot hold a whole dataset. */
export const WORKER_MAX_MEMORY_BYTES = 128 * 1024 * 1024;
/** CPU per request on the free plan. */
export const WORKER_CPU_MS_FREE = 10;
/** CPU per request on the paid plan (default limit). */
export const WORKER_CPU_MS_PAID = 30_000;
/** Startup time allowed for a Worker's top-level code. */
export const WORKER_MAX_STARTUP_MS = 1_000;
/** Worker script size after gzip on the free plan: deploys above it are refused. */
export const WORKER_MAX_GZIP_BYTES_FREE = 3 * 1024 * 1024;
/** Worker script size after gzip on the paid plan. */
export const WORKER_MAX_GZIP_BYTES_PAID = 10 * 1024 * 1024;
/** Worker script size before compression, either plan: wrangler refuses to upload above it. */
export const WORKER_MAX_RAW_BYTES = 64 * 1024 * 1024;
/** PBKDF2 iterations per call in production: workerd throws NotSupportedError above it. */
export const WORKER_MAX_PBKDF2_ITERATIONS = 100_000;
