// What the user asked of a Redis source, given in the --from URL's query (the generic commands
// pass --from through unchanged): `?match=session:*` (SCAN MATCH), `&prefix=sess:=session:` (key
// prefix rewrite), `&types=string,hash` (the types to copy), `&skip=tmp:*` (repeatable: keys left
// out), `&short-ttl=round-up|skip|drop` (a TTL under KV's 60 s minimum).
import { isUtf8 } from 'node:buffer';
import { UserError } from '../../errors.js';
import { globToRegExp } from './redis-glob.js';
import { REDIS_TYPES, type RedisType } from './redis-types.js';

/**
 * A TTL under KV's 60 s minimum: `round-up` writes it to expire 60 s (+ a margin) from now —
 * nothing is lost, the key lives at most about a minute longer; `skip` leaves the key out (it
 * would be gone within a minute anyway); `drop` writes it without an expiration.
 */
export type ShortTtlRule = 'round-up' | 'skip' | 'drop';
export const SHORT_TTL_RULES: readonly ShortTtlRule[] = ['round-up', 'skip', 'drop'];
export const DEFAULT_SHORT_TTL: ShortTtlRule = 'round-up';
/** Streams and HyperLogLogs are reported and skipped unless `types` asks for them. */
export const DEFAULT_SKIP_TYPES: readonly RedisType[] = ['stream', 'hyperloglog'];

export interface RedisRules {
  /** SCAN MATCH pattern; undefined for every key. */
  match?: string;
  skipTypes: ReadonlySet<RedisType>;
  /** Keys matching these (Redis globs over the source key's bytes) are skipped. */
  skip: readonly RegExp[];
  /** Source keys starting with `from` are written under `to` instead. */
  prefix?: { from: Buffer; to: Buffer };
  shortTtl: ShortTtlRule;
}

const QUERY_WORDS = ['match', 'prefix', 'types', 'skip', 'short-ttl'];

export function redisRules(query: URLSearchParams): RedisRules {
  for (const name of new Set(query.keys())) {
    if (!QUERY_WORDS.includes(name)) throw new UserError(`unknown option '${name}' in the Redis URL: use ${QUERY_WORDS.map((w) => `${w}=`).join(', ')}`);
  }
  const skipTypes = new Set<RedisType>(DEFAULT_SKIP_TYPES);
  const types = query.get('types');
  if (types !== null) {
    skipTypes.clear();
    const wanted = new Set(types.split(',').map((t) => t.trim()).filter(Boolean));
    for (const t of wanted) if (!REDIS_TYPES.includes(t as RedisType)) throw new UserError(`types=${types}: unknown Redis type '${t}'; use ${REDIS_TYPES.join(', ')}`);
    for (const t of REDIS_TYPES) if (!wanted.has(t)) skipTypes.add(t);
  }
  const shortTtl = (query.get('short-ttl') ?? DEFAULT_SHORT_TTL) as ShortTtlRule;
  if (!SHORT_TTL_RULES.includes(shortTtl)) throw new UserError(`short-ttl=${shortTtl}: use ${SHORT_TTL_RULES.join(', ')}`);
  let prefix: RedisRules['prefix'];
  const p = query.get('prefix');
  if (p !== null) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UserError(`prefix=${p}: write it as old=new (e.g. prefix=sess:=session:), new may be empty`);
    prefix = { from: Buffer.from(p.slice(0, eq)), to: Buffer.from(p.slice(eq + 1)) };
  }
  const skip = query.getAll('skip').map((g) => globToRegExp(Buffer.from(g, 'utf8').toString('latin1')));
  return { match: query.get('match') ?? undefined, skipTypes, skip, prefix, shortTtl };
}

/** The target key of a source key (prefix rewrite), as bytes. */
export function targetKey(key: Buffer, rules: RedisRules): Buffer {
  const p = rules.prefix;
  if (p && key.subarray(0, p.from.length).equals(p.from)) return Buffer.concat([p.to, key.subarray(p.from.length)]);
  return key;
}

/** The inverse of targetKey: the source key a target key came from. */
export function sourceKey(key: Buffer, rules: RedisRules): Buffer {
  const p = rules.prefix;
  if (p && key.subarray(0, p.to.length).equals(p.to)) return Buffer.concat([p.from, key.subarray(p.to.length)]);
  return key;
}

/** A key's text for messages: as it is when UTF-8, else base64 with a marker. */
export function keyText(key: Buffer): string {
  return isUtf8(key) ? key.toString('utf8') : `base64:${key.toString('base64')}`;
}
