// Workers KV's limits, each with the reason it matters to a copy. (They move to src/cloudflare/
// with the core's contracts.)

/** A key's UTF-8 bytes: KV refuses longer keys. */
export const KV_MAX_KEY_BYTES = 512;
/** A value's bytes: 25 MiB, KV refuses larger values. */
export const KV_MAX_VALUE_BYTES = 25 * 1024 * 1024;
/** The metadata's JSON text in bytes. */
export const KV_MAX_METADATA_BYTES = 1024;
/** An expiration must lie at least this far in the future when written. */
export const KV_MIN_TTL_SECONDS = 60;
/** Pairs per bulk write (`wrangler kv bulk put` file, API request). */
export const KV_BULK_MAX_PAIRS = 10_000;
/** Bytes per bulk write request. */
export const KV_BULK_MAX_BYTES = 100 * 1000 * 1000;
/** Writes per second to one key: why counters, locks and rate limiters do not belong in KV. */
export const KV_WRITES_PER_KEY_PER_SECOND = 1;
/** Seconds a write can take to be seen everywhere (KV is eventually consistent). */
export const KV_PROPAGATION_SECONDS = 60;
