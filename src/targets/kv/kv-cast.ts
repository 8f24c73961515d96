// What happens to each Redis key on its way to KV — written (its value in a KV shape, its TTL as
// an absolute expiration), skipped by a rule, or rejected with the reason KV would refuse it —
// and, beside it, how verify compares what KV holds with what the cast wrote. Copy and verify
// decide with this one function, so what verify expects is exactly what copy did.
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import type { Collection, Unit } from '../../catalog/collection.js';
import { KV_MAX_KEY_BYTES, KV_MAX_METADATA_BYTES, KV_MAX_VALUE_BYTES, KV_MIN_TTL_SECONDS } from '../../cloudflare/limits.js';
import { UserError } from '../../errors.js';
import type { UnitSource } from '../../sources/unit-source.js';
import { toKv, type KvMetadata } from '../../sources/redis/redis-kv-shapes.js';
import { matchesAny } from '../../sources/redis/redis-glob.js';
import { targetKey, type RedisRules } from '../../sources/redis/redis-rules.js';
import type { RedisEntry } from '../../sources/redis/redis-types.js';
import type { CastOutcome, UnitCast } from '../unit-target.js';

/**
 * Seconds added to KV's minimum when judging a TTL: a batch reaches KV a moment after it was
 * read, and KV measures its 60 s when it receives it.
 */
export const TTL_MARGIN_SECONDS = 5;
/** Seconds an expiration may differ on verify: KV keeps whole seconds, and the reads are moments apart. */
export const TTL_TOLERANCE_SECONDS = 5;

export interface KvEntry {
  key: string;
  value: Buffer;
  metadata: KvMetadata;
  /** Seconds since the epoch. */
  expiration?: number;
  /** The source key's own expiry (ms since the epoch), for verify; not written. */
  sourceExpiresAt?: number;
  /** The source key (differs with prefix=): what the journal records; not written. */
  sourceKey?: Buffer;
}

/** Words for why a key was skipped or its TTL changed (counted in the copy's notes). */
export type Note = 'ttl-rounded-up' | 'ttl-dropped' | 'skip-type' | 'skip-pattern' | 'skip-short-ttl' | 'skip-gone' | 'skip-unknown-type';

export type Decision = { write: KvEntry; note?: Note } | { skip: string; note: Note } | { reject: string };

export function decide(e: RedisEntry, rules: RedisRules, nowMs: number): Decision {
  if (e.type === 'gone') return { skip: 'expired or deleted between SCAN and the read', note: 'skip-gone' };
  if (e.type === 'unknown') return { skip: `type ${e.typeName} has no KV shape`, note: 'skip-unknown-type' };
  if (rules.skipTypes.has(e.type)) return { skip: `type ${e.type} is not copied (types=)`, note: 'skip-type' };
  if (matchesAny(e.key, rules.skip)) return { skip: 'matches skip=', note: 'skip-pattern' };
  const key = targetKey(e.key, rules);
  if (!isUtf8(key)) return { reject: 'key is not UTF-8 text (KV keys are strings)' };
  if (key.length === 0 || key.toString('latin1') === '.' || key.toString('latin1') === '..') return { reject: `key '${key.toString('utf8')}' is refused by KV (empty, "." and ".." are)` };
  if (key.length > KV_MAX_KEY_BYTES) return { reject: `key of ${key.length} bytes is over KV's ${KV_MAX_KEY_BYTES}-byte limit` };
  if (!e.value) return { reject: `value of at least ${e.bytes} bytes is over KV's ${KV_MAX_VALUE_BYTES}-byte limit` };
  const kv = toKv(e.value);
  if (kv.bytes.length > KV_MAX_VALUE_BYTES) return { reject: `value of ${kv.bytes.length} bytes (as ${e.type === 'string' ? 'bytes' : 'JSON'}) is over KV's ${KV_MAX_VALUE_BYTES}-byte limit` };
  const metaBytes = Buffer.byteLength(JSON.stringify(kv.metadata));
  if (metaBytes > KV_MAX_METADATA_BYTES) return { reject: `metadata of ${metaBytes} bytes is over KV's ${KV_MAX_METADATA_BYTES}-byte limit` };
  const entry: KvEntry = { key: key.toString('utf8'), value: kv.bytes, metadata: kv.metadata, sourceKey: e.key };
  if (e.pttl < 0) return { write: entry };
  const expiresAt = e.readAt + e.pttl;
  const expiration = Math.ceil(expiresAt / 1000);
  if (expiration - nowMs / 1000 >= KV_MIN_TTL_SECONDS + TTL_MARGIN_SECONDS) return { write: { ...entry, expiration, sourceExpiresAt: expiresAt } };
  switch (rules.shortTtl) {
    case 'skip':
      return { skip: `TTL under KV's ${KV_MIN_TTL_SECONDS} s minimum (short-ttl=skip)`, note: 'skip-short-ttl' };
    case 'drop':
      return { write: { ...entry, sourceExpiresAt: expiresAt }, note: 'ttl-dropped' };
    default:
      return { write: { ...entry, expiration: Math.ceil(nowMs / 1000) + KV_MIN_TTL_SECONDS + TTL_MARGIN_SECONDS, sourceExpiresAt: expiresAt }, note: 'ttl-rounded-up' };
  }
}

/** A value named without showing it (values may be secrets): its size and a hash prefix. */
export const fingerprint = (b: Buffer) => `${b.length} bytes, sha256 ${createHash('sha256').update(b).digest('hex').slice(0, 12)}`;

/**
 * The Redis → KV cast for this source. `notes` counts the rules applied (skips by reason, TTLs
 * changed) for the session to journal with the batch they belong to.
 */
export function kvCastFrom(source: UnitSource, notes: Map<Note, number>): UnitCast<Collection, RedisEntry, KvEntry> {
  const rules = (source as UnitSource & { rules?: RedisRules }).rules;
  if (source.engine !== 'redis' || !rules) throw new UserError(`KV targets take a Redis keyspace, not ${source.description}`);
  const count = (note: Note | undefined) => note && notes.set(note, (notes.get(note) ?? 0) + 1);
  return {
    cast(unit: Unit<RedisEntry>): CastOutcome<KvEntry> {
      const d = decide(unit.value, rules, Date.now());
      if ('reject' in d) return d;
      count(d.note);
      if ('skip' in d) return { skip: d.skip };
      return { unit: { key: [d.write.key], value: d.write, bytes: d.write.value.length } };
    },
    compare(expected: Unit<KvEntry>, actual: Unit<KvEntry>): string | undefined {
      const e = expected.value;
      const a = actual.value;
      if (!a.value.equals(e.value)) return `value differs: expected ${fingerprint(e.value)}, found ${fingerprint(a.value)}`;
      if (JSON.stringify(a.metadata ?? null) !== JSON.stringify(e.metadata)) return `metadata differs: expected ${JSON.stringify(e.metadata)}, found ${JSON.stringify(a.metadata ?? null)}`;
      return compareExpiration(e, a.expiration, rules, Date.now());
    },
    describe(value: KvEntry | RedisEntry): unknown {
      if ('metadata' in value) return { bytes: value.value.length, sha256: fingerprint(value.value), metadata: value.metadata, expiration: value.expiration ?? null };
      return { type: value.type, bytes: value.bytes, pttl: value.pttl };
    },
  };
}

/**
 * Whether KV's expiration `actual` (s) is what the cast wrote for a source key expiring at
 * e.sourceExpiresAt: equal within the tolerance, or — for a TTL that is under KV's minimum now —
 * what the short-TTL rule made of it (rounded up to about a minute from the copy, or dropped).
 */
function compareExpiration(e: KvEntry, actual: number | undefined, rules: RedisRules, nowMs: number): string | undefined {
  const tol = TTL_TOLERANCE_SECONDS;
  const src = e.sourceExpiresAt === undefined ? undefined : e.sourceExpiresAt / 1000;
  if (src === undefined) return actual === undefined ? undefined : `expiration differs: the source key has none, KV has ${actual}`;
  if (actual !== undefined && Math.abs(actual - src) <= tol) return undefined;
  const shortNow = src - nowMs / 1000 < KV_MIN_TTL_SECONDS + TTL_MARGIN_SECONDS + tol;
  if (shortNow && rules.shortTtl === 'drop' && actual === undefined) return undefined;
  if (shortNow && rules.shortTtl === 'round-up' && actual !== undefined && actual > src && actual <= nowMs / 1000 + KV_MIN_TTL_SECONDS + TTL_MARGIN_SECONDS + tol) return undefined;
  return `expiration differs: expected ${Math.ceil(src)} (±${tol} s), found ${actual ?? 'none'}`;
}
