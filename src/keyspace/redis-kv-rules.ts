// What happens to each Redis key on its way to KV: written (with its expiration), skipped by a
// rule, or rejected with the reason KV would refuse it. Copy and verify decide with this one
// function, so what verify expects is exactly what copy did.
import { isUtf8 } from 'node:buffer';
import { UserError } from '../errors.js';
import { toKv, type KvMetadata } from '../sources/redis/redis-kv-shapes.js';
import { REDIS_TYPES, type RedisEntry, type RedisType } from '../sources/redis/redis-types.js';
import { KV_MAX_KEY_BYTES, KV_MAX_METADATA_BYTES, KV_MAX_VALUE_BYTES, KV_MIN_TTL_SECONDS } from './kv-limits.js';
import { globToRegExp, matchesAny } from '../sources/redis/redis-glob.js';

/**
 * A TTL under KV's 60 s minimum: `round-up` writes it to expire 60 s (+ a margin) from now —
 * nothing is lost, the key lives at most a minute longer; `skip` leaves the key out (it would be
 * gone in under a minute anyway); `drop` writes it without an expiration.
 */
export type ShortTtlRule = 'round-up' | 'skip' | 'drop';
export const SHORT_TTL_RULES: readonly ShortTtlRule[] = ['round-up', 'skip', 'drop'];
export const DEFAULT_SHORT_TTL: ShortTtlRule = 'round-up';
/** Streams and HyperLogLogs are reported and skipped unless asked for. */
export const DEFAULT_SKIP_TYPES: readonly RedisType[] = ['stream', 'hyperloglog'];
/**
 * Seconds added to KV's minimum when judging a TTL: a batch reaches KV a moment after it was read,
 * and KV measures the 60 s when it receives it.
 */
export const TTL_MARGIN_SECONDS = 5;

export interface KeyspaceRules {
  skipTypes: ReadonlySet<RedisType>;
  /** Keys matching these (Redis globs over the source key) are skipped. */
  skip: readonly RegExp[];
  /** `--prefix old=new`: source keys starting with `from` are written under `to` instead. */
  prefix?: { from: Buffer; to: Buffer };
  shortTtl: ShortTtlRule;
}

export interface KvEntry {
  key: string;
  value: Buffer;
  metadata: KvMetadata;
  /** Seconds since the epoch. */
  expiration?: number;
}

/** Journal and summary words for why a key was skipped or its TTL changed. */
export type Note =
  | 'ttl-rounded-up' | 'ttl-dropped'
  | 'skip-type' | 'skip-pattern' | 'skip-short-ttl' | 'skip-gone' | 'skip-unknown-type';

export type Outcome =
  | { kind: 'write'; entry: KvEntry; note?: Note }
  | { kind: 'skip'; note: Note; reason: string }
  | { kind: 'reject'; reason: string };

export interface RuleOptions {
  types?: readonly string[];
  skip?: readonly string[];
  prefix?: string;
  shortTtl?: string;
}

/** The rules from the command's options; bad words are user errors. */
export function keyspaceRules(o: RuleOptions): KeyspaceRules {
  const skipTypes = new Set<RedisType>(DEFAULT_SKIP_TYPES);
  if (o.types !== undefined) {
    skipTypes.clear();
    const wanted = new Set(o.types);
    for (const t of wanted) if (!REDIS_TYPES.includes(t as RedisType)) throw new UserError(`--types: unknown Redis type '${t}'; use ${REDIS_TYPES.join(', ')}`);
    for (const t of REDIS_TYPES) if (!wanted.has(t)) skipTypes.add(t);
  }
  const shortTtl = (o.shortTtl ?? DEFAULT_SHORT_TTL) as ShortTtlRule;
  if (!SHORT_TTL_RULES.includes(shortTtl)) throw new UserError(`--short-ttl ${o.shortTtl}: use ${SHORT_TTL_RULES.join(', ')}`);
  let prefix: KeyspaceRules['prefix'];
  if (o.prefix !== undefined) {
    const eq = o.prefix.indexOf('=');
    if (eq <= 0) throw new UserError(`--prefix ${o.prefix}: write it as old=new (e.g. --prefix sess:=session:), new may be empty`);
    prefix = { from: Buffer.from(o.prefix.slice(0, eq)), to: Buffer.from(o.prefix.slice(eq + 1)) };
  }
  const skip = (o.skip ?? []).map((g) => globToRegExp(Buffer.from(g, 'utf8').toString('latin1')));
  return { skipTypes, skip, prefix, shortTtl };
}

/** The target key of a source key (prefix rewrite), as bytes. */
export function targetKey(key: Buffer, rules: KeyspaceRules): Buffer {
  const p = rules.prefix;
  if (p && key.subarray(0, p.from.length).equals(p.from)) return Buffer.concat([p.to, key.subarray(p.from.length)]);
  return key;
}

/** The inverse of targetKey: the source key a target key came from. */
export function sourceKey(key: Buffer, rules: KeyspaceRules): Buffer {
  const p = rules.prefix;
  if (p && key.subarray(0, p.to.length).equals(p.to)) return Buffer.concat([p.from, key.subarray(p.to.length)]);
  return key;
}

/** A key's text for messages and reject files: as it is when UTF-8, else base64 with a marker. */
export function keyText(key: Buffer): string {
  return isUtf8(key) ? key.toString('utf8') : `base64:${key.toString('base64')}`;
}

export function decide(e: RedisEntry, rules: KeyspaceRules, nowMs: number): Outcome {
  if (e.type === 'gone') return { kind: 'skip', note: 'skip-gone', reason: 'expired or deleted between SCAN and the read' };
  if (e.type === 'unknown') return { kind: 'skip', note: 'skip-unknown-type', reason: `type ${e.typeName} has no KV shape` };
  if (rules.skipTypes.has(e.type)) return { kind: 'skip', note: 'skip-type', reason: `type ${e.type} is skipped (--types)` };
  if (matchesAny(e.key, rules.skip)) return { kind: 'skip', note: 'skip-pattern', reason: 'matches --skip' };
  const key = targetKey(e.key, rules);
  if (!isUtf8(key)) return { kind: 'reject', reason: 'key is not UTF-8 text (KV keys are strings)' };
  if (key.length === 0 || key.equals(Buffer.from('.')) || key.equals(Buffer.from('..'))) return { kind: 'reject', reason: `key '${key}' is not allowed in KV (empty, "." and ".." are refused)` };
  if (key.length > KV_MAX_KEY_BYTES) return { kind: 'reject', reason: `key of ${key.length} bytes is over KV's ${KV_MAX_KEY_BYTES}-byte limit` };
  if (!e.value) return { kind: 'reject', reason: `value of at least ${e.bytes} bytes is over KV's ${KV_MAX_VALUE_BYTES}-byte limit` };
  const kv = toKv(e.value);
  if (kv.bytes.length > KV_MAX_VALUE_BYTES) return { kind: 'reject', reason: `value of ${kv.bytes.length} bytes (as ${e.type === 'string' ? 'bytes' : 'JSON'}) is over KV's ${KV_MAX_VALUE_BYTES}-byte limit` };
  const metaBytes = Buffer.byteLength(JSON.stringify(kv.metadata));
  if (metaBytes > KV_MAX_METADATA_BYTES) return { kind: 'reject', reason: `metadata of ${metaBytes} bytes is over KV's ${KV_MAX_METADATA_BYTES}-byte limit` };
  const entry: KvEntry = { key: key.toString('utf8'), value: kv.bytes, metadata: kv.metadata };
  if (e.pttl < 0) return { kind: 'write', entry };
  const expiration = Math.ceil((e.readAt + e.pttl) / 1000);
  if (expiration - nowMs / 1000 >= KV_MIN_TTL_SECONDS + TTL_MARGIN_SECONDS) return { kind: 'write', entry: { ...entry, expiration } };
  switch (rules.shortTtl) {
    case 'skip':
      return { kind: 'skip', note: 'skip-short-ttl', reason: `TTL under KV's ${KV_MIN_TTL_SECONDS} s minimum (--short-ttl skip)` };
    case 'drop':
      return { kind: 'write', entry, note: 'ttl-dropped' };
    default:
      return { kind: 'write', entry: { ...entry, expiration: Math.ceil(nowMs / 1000) + KV_MIN_TTL_SECONDS + TTL_MARGIN_SECONDS }, note: 'ttl-rounded-up' };
  }
}
