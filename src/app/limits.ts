// Cloudflare platform limits the app command checks against (docs/PLATFORM.md), each with why it matters here.

/** Cron Triggers per account on the free plan: more jobs than this must share schedules or move to a paid plan. */
export const CRON_TRIGGERS_FREE = 5;
/** Cron Triggers per account on the paid plan. */
export const CRON_TRIGGERS_PAID = 250;
/** Cron's shortest interval is one minute (five fields, no seconds): anything shorter needs a Durable Object alarm. */
export const CRON_MIN_INTERVAL_S = 60;
/** Worker script size after gzip on the free plan: deploys above it are refused. */
export const WORKER_GZIP_FREE_BYTES = 3 * 1024 * 1024;
/** Worker script size after gzip on the paid plan. */
export const WORKER_GZIP_PAID_BYTES = 10 * 1024 * 1024;
/** Worker script size before compression, either plan: wrangler refuses to upload above it. */
export const WORKER_RAW_MAX_BYTES = 64 * 1024 * 1024;
/** Top-level evaluation of the Worker must finish within this at deploy and at every cold start. */
export const STARTUP_LIMIT_MS = 1000;
