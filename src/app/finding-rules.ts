// What a backend may do that a Worker does differently, shared by the Python and JS scanners:
// one rule per kind with its severity, the Cloudflare replacement and a pointer.
import { KV_MAX_WRITES_PER_KEY_PER_SECOND, KV_READ_LAG_SECONDS } from '../cloudflare/limits.js';
import type { Feature, Severity } from './types.js';

export interface FindingRule {
  code: string;
  severity: Severity;
  message: string;
  replacement: string;
  docs: string;
  /** What the generated project adds for it (a binding or a class). */
  feature?: Feature;
}

const rules: FindingRule[] = [
  {
    code: 'websocket',
    severity: 'warning',
    message: 'a WebSocket / Socket.IO server holds connections and rooms in one process; a Worker holds none between requests',
    replacement: 'a Durable Object with the WebSocket hibernation API, one object per room (ctx.acceptWebSocket(ws, [room])); the generated FlareliftRoom is a start',
    docs: 'https://developers.cloudflare.com/durable-objects/best-practices/websockets/',
    feature: 'websocket',
  },
  {
    code: 'cache',
    severity: 'warning',
    message: 'an in-process cache lives in one isolate and is lost on eviction; isolates do not share it',
    replacement: 'KV (binding CACHE, expirationTtl for the TTL) or the Cache API',
    docs: 'https://developers.cloudflare.com/kv/api/write-key-value-pairs/',
    feature: 'cache',
  },
  {
    code: 'process',
    severity: 'error',
    message: 'starts a process; Workers cannot run processes or shell commands',
    replacement: 'do the work in JavaScript/WASM inside the Worker, or call a service that runs it (a Container, or an HTTP endpoint elsewhere)',
    docs: 'https://developers.cloudflare.com/workers/runtime-apis/',
  },
  {
    code: 'threads',
    severity: 'warning',
    message: 'thread or process pools do not exist in a Worker (one thread per request)',
    replacement: 'await the work concurrently (Promise.all), ctx.waitUntil for work after the response, or Queues for background work',
    docs: 'https://developers.cloudflare.com/queues/',
  },
  {
    code: 'smtp',
    severity: 'warning',
    message: 'SMTP connections are not available from Workers (port 25 is blocked; no SMTP client)',
    replacement: "an email API over HTTPS (Cloudflare Email Service, or your provider's REST API)",
    docs: 'https://developers.cloudflare.com/email-routing/email-workers/send-email-workers/',
  },
  {
    code: 'bucket',
    severity: 'info',
    message: 'object storage through the S3 API',
    replacement: 'an R2 bucket binding (BUCKET); R2 also speaks the S3 API for existing clients',
    docs: 'https://developers.cloudflare.com/r2/api/workers/workers-api-usage/',
    feature: 'bucket',
  },
  {
    code: 'redis',
    severity: 'info',
    message: 'Redis as a key-value store',
    replacement: 'KV (binding KV) for reads-mostly keys with TTLs; see the redis-* findings for what KV cannot do',
    docs: 'https://developers.cloudflare.com/kv/',
    feature: 'redis',
  },
  {
    code: 'redis-counter',
    severity: 'warning',
    message: `an atomic counter (INCR): KV has no atomic increment, takes ${KV_MAX_WRITES_PER_KEY_PER_SECOND} write per key per second and reads may lag up to ${KV_READ_LAG_SECONDS} s`,
    replacement: 'a Durable Object holding the counter (or D1 UPDATE ... SET n = n + 1)',
    docs: 'https://developers.cloudflare.com/durable-objects/',
  },
  {
    code: 'redis-lock',
    severity: 'warning',
    message: `a lock (SET NX / PX): KV cannot compare-and-set and reads may lag writes by up to ${KV_READ_LAG_SECONDS} s`,
    replacement: 'a Durable Object per lock name (its single thread serialises callers)',
    docs: 'https://developers.cloudflare.com/durable-objects/',
  },
  {
    code: 'redis-queue',
    severity: 'warning',
    message: 'a list used as a queue (LPUSH / BRPOP): KV has no lists or blocking pops',
    replacement: 'Cloudflare Queues (producer binding + consumer Worker)',
    docs: 'https://developers.cloudflare.com/queues/',
  },
  {
    code: 'redis-pubsub',
    severity: 'warning',
    message: 'pub/sub (PUBLISH / SUBSCRIBE): KV has no subscriptions',
    replacement: 'a Durable Object that holds the subscribers’ WebSockets and broadcasts, or Queues for fan-out to Workers',
    docs: 'https://developers.cloudflare.com/durable-objects/best-practices/websockets/',
  },
  {
    code: 'queue',
    severity: 'warning',
    message: 'background tasks on a worker process (Celery / RQ / Bull): a Worker has no long-running consumer',
    replacement: 'Cloudflare Queues: send from the Worker, consume in a queue() handler',
    docs: 'https://developers.cloudflare.com/queues/',
  },
  {
    code: 'file-write',
    severity: 'warning',
    message: 'writes to local disk; a Worker has no persistent file system',
    replacement: 'an R2 bucket (BUCKET binding) for files and uploads',
    docs: 'https://developers.cloudflare.com/r2/',
    feature: 'bucket',
  },
];

export const FINDING_RULES: Record<string, FindingRule> = Object.fromEntries(rules.map((r) => [r.code, r]));
