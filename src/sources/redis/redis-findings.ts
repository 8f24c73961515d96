// The plan's findings for a Redis keyspace: stable codes (listed in the README), what each means
// on KV, and what to use instead — with the reason, which is nearly always KV's write rate (one
// write per second per key) and its eventual consistency (reads may lag a write by up to 60 s).
import { isUtf8 } from 'node:buffer';
import type { Severity } from '../../catalog/findings.js';
import type { RedisEntry } from './redis-types.js';

export type FindingCode =
  | 'kv-counter' | 'kv-lock' | 'kv-queue' | 'kv-stream' | 'kv-pubsub' | 'kv-short-ttl'
  | 'kv-key-too-large' | 'kv-value-too-large' | 'kv-key-not-utf8' | 'kv-hyperloglog' | 'kv-unknown-type' | 'kv-free-plan-size';

const WHY = 'KV takes one write per second per key and is eventually consistent (a read may see a value up to 60 s old)';

export const FINDINGS: Record<FindingCode, { severity: Severity; message: string; fix: string }> = {
  'kv-counter': { severity: 'warning', message: `integer values, the shape of INCR counters and rate limits; ${WHY}, so increments would be lost`,
    fix: 'keep the counter in a Durable Object (one object per counter or per client, its storage incremented in place); copy the current values there, not to KV' },
  'kv-lock': { severity: 'warning', message: `lock keys (SET NX with a short TTL); ${WHY}, so two Workers could both take the lock`,
    fix: 'use a Durable Object as the lock (its single-threaded storage gives mutual exclusion; an alarm releases it), and leave these keys out (--skip)' },
  'kv-queue': { severity: 'warning', message: `lists, used as queues (LPUSH/BRPOP); ${WHY}, so pushes and pops would race`,
    fix: 'use Cloudflare Queues for work queues (or a Durable Object holding the list); copy to KV only lists read as plain values' },
  'kv-stream': { severity: 'warning', message: 'streams (XADD/XREADGROUP): consumer groups and ordered appends have no KV equivalent; skipped by default',
    fix: 'use Cloudflare Queues for the consumers (or a Durable Object with SQLite storage for an ordered log); --types … stream copies the entries as JSON' },
  'kv-pubsub': { severity: 'warning', message: 'pub/sub channels in use: KV has no publish/subscribe',
    fix: 'use a Durable Object with WebSockets (hibernation API) to fan messages out, or Queues for fire-and-forget delivery' },
  'kv-short-ttl': { severity: 'warning', message: 'TTLs under 60 s: KV refuses expirations less than 60 s ahead',
    fix: 'copy follows --short-ttl (default round-up: written to expire 60 s from now; skip leaves them out; drop writes them without expiry); keys this short-lived usually belong in a Durable Object or nowhere' },
  'kv-key-too-large': { severity: 'blocker', message: 'keys over 512 bytes: KV refuses them, copy rejects them',
    fix: 'shorten them (hash the long part, or prefix=old=new in the Redis URL to drop a long prefix) in the application and the copy' },
  'kv-value-too-large': { severity: 'blocker', message: 'values over 25 MiB (as written: bytes, or JSON for collections): KV refuses them, copy rejects them',
    fix: 'store large values in R2 and keep their R2 key in KV; or split the collection into several keys' },
  'kv-key-not-utf8': { severity: 'blocker', message: 'keys that are not UTF-8 text: KV keys are strings, copy rejects them',
    fix: 'rename them to text keys (e.g. hex or base64 of the bytes) in Redis and the application before the copy' },
  'kv-hyperloglog': { severity: 'info', message: 'HyperLogLogs: KV cannot PFADD or PFCOUNT; skipped by default',
    fix: 'count distinct values in a Durable Object or Analytics Engine; --types … hyperloglog copies the raw bytes' },
  'kv-unknown-type': { severity: 'warning', message: 'module types (RedisJSON, search indexes, …) with no KV shape: skipped',
    fix: 'export them through the module (JSON.GET) into strings first, or rebuild them in D1' },
  'kv-free-plan-size': { severity: 'warning', message: 'more than 1 GB of keys and values: the free plan stores 1 GB of KV', fix: 'use the paid plan (no namespace size limit) or keep large values in R2' },
};

/** A key's shape for grouping: segments between `:` that hold digits or long hex become `*`. */
export function keyShape(key: Buffer): string {
  const text = isUtf8(key) ? key.toString('utf8') : key.toString('latin1');
  if (text.length > 200) return `${text.slice(0, 40).split(':').slice(0, -1).join(':') || text.slice(0, 20)}:*`;
  return text.split(':').map((s) => (/\d/.test(s) || /^[0-9a-f]{8,}$/i.test(s) ? '*' : s)).join(':');
}

/** For messages: the key as text, cut at 80 characters with its size. */
export function displayKey(key: Buffer): string {
  const text = isUtf8(key) ? key.toString('utf8') : `base64:${key.toString('base64')}`;
  return text.length > 80 ? `${text.slice(0, 80)}… (${key.length} bytes)` : text;
}

const LOCK_NAME = /(^|[:_.-])(lock|locks|mutex|lease|semaphore)([:_.-]|$)/i;

export function looksLikeLock(e: RedisEntry): boolean {
  return e.type === 'string' && LOCK_NAME.test(e.key.toString('latin1'));
}

export function isCounterValue(v: Buffer): boolean {
  return v.length > 0 && v.length <= 20 && /^-?\d+$/.test(v.toString('latin1'));
}
