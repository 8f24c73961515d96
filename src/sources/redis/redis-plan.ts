// `plan` for a Redis source: what the keyspace holds, measured from the data (one pass of SCAN
// and pipelined reads), and the findings — each naming the keys by their shape (`ratelimit:*`),
// what to use instead on Cloudflare and why.
import { isUtf8 } from 'node:buffer';
import { sortFindings, type Finding } from '../../catalog/findings.js';
import { KV_MAX_KEY_BYTES, KV_MAX_VALUE_BYTES, KV_MIN_TTL_SECONDS } from '../../cloudflare/limits.js';
import type { UnitPlan } from '../unit-source.js';
import { FINDINGS, type FindingCode, keyShape, looksLikeLock, isCounterValue, displayKey } from './redis-findings.js';
import { toKv } from './redis-kv-shapes.js';
import type { Redis } from 'ioredis';
import type { Collection } from '../../catalog/collection.js';
import type { RedisRules } from './redis-rules.js';
import type { RedisEntry, RedisType } from './redis-types.js';

/** What the plan reads of the source (redis-source.ts's RedisSource). */
export interface PlannedKeyspace {
  readonly description: string;
  readonly rules: RedisRules;
  readonly client: Redis;
  collections(): Promise<Collection[]>;
  scan(): AsyncIterable<Buffer[]>;
  entries(keys: readonly Buffer[], maxBytes: number, skipTypes: ReadonlySet<RedisType>): AsyncIterable<RedisEntry[]>;
}

/** The unit plan, with what the keyspace holds and each finding's example keys. */
export interface KeyspacePlan extends UnitPlan {
  keyspace: { name: string; keys: number; bytes: number; types: Record<string, number>; withTtl: number; pubsubChannels: string[] };
  findings: (Finding & { keys: string[]; count: number })[];
}

const EXAMPLES = 5;
const MAX_GROUPS = 10_000;

export async function planKeyspace(source: PlannedKeyspace, o: { onProgress?: (message: string) => void } = {}): Promise<KeyspacePlan> {
  const [collection] = await source.collections();
  const hits = new Map<string, { code: FindingCode; shape: string; count: number; keys: string[] }>();
  const shapes = new Set<string>();
  const note = (code: FindingCode, e: RedisEntry) => {
    let shape = keyShape(e.key);
    if (!shapes.has(shape) && shapes.size >= MAX_GROUPS) shape = '*';
    shapes.add(shape);
    const id = `${code} ${shape}`;
    const h = hits.get(id) ?? { code, shape, count: 0, keys: [] };
    h.count++;
    if (h.keys.length < EXAMPLES) h.keys.push(displayKey(e.key));
    hits.set(id, h);
  };
  const types: Record<string, number> = {};
  let keys = 0;
  let bytes = 0;
  let withTtl = 0;
  const inspect = (e: RedisEntry) => {
    if (e.type === 'gone') return;
    keys++;
    types[e.type === 'unknown' ? e.typeName ?? 'unknown' : e.type] = (types[e.type === 'unknown' ? e.typeName ?? 'unknown' : e.type] ?? 0) + 1;
    const kvBytes = e.value ? toKv(e.value).bytes.length : e.bytes;
    bytes += e.key.length + kvBytes;
    if (e.pttl >= 0) withTtl++;
    if (!isUtf8(e.key)) note('kv-key-not-utf8', e);
    if (e.key.length > KV_MAX_KEY_BYTES) note('kv-key-too-large', e);
    if (kvBytes > KV_MAX_VALUE_BYTES || (!e.value && e.type !== 'unknown')) note('kv-value-too-large', e);
    if (e.pttl >= 0 && e.pttl < KV_MIN_TTL_SECONDS * 1000) note('kv-short-ttl', e);
    if (looksLikeLock(e)) note('kv-lock', e);
    else if (e.value?.type === 'string' && isCounterValue(e.value.value)) note('kv-counter', e);
    if (e.type === 'list') note('kv-queue', e);
    if (e.type === 'stream') note('kv-stream', e);
    if (e.type === 'hyperloglog') note('kv-hyperloglog', e);
    if (e.type === 'unknown') note('kv-unknown-type', e);
  };
  let last = Date.now();
  for await (const batch of source.scan()) {
    // Every type is read here (not only those copied): the plan reports them all.
    for await (const part of source.entries(batch, 4 * 1024 * 1024, new Set())) part.forEach(inspect);
    if (Date.now() - last > 5000) {
      last = Date.now();
      o.onProgress?.(`plan: ${keys} keys measured`);
    }
  }
  const channels = ((await source.client.call('PUBSUB', 'CHANNELS', source.rules.match ?? '*')) as string[]).sort();
  const findings: KeyspacePlan['findings'] = [...hits.values()].map((h) => {
    const f = FINDINGS[h.code];
    const more = h.count > h.keys.length ? ', …' : '';
    return { severity: f.severity, code: h.code, object: `${h.shape} (${h.count} key${h.count === 1 ? '' : 's'}: ${h.keys.join(', ')}${more})`, message: f.message, fix: f.fix, keys: h.keys, count: h.count };
  });
  if (channels.length > 0) {
    const f = FINDINGS['kv-pubsub'];
    findings.push({ severity: f.severity, code: 'kv-pubsub', object: `channels ${channels.slice(0, EXAMPLES).join(', ')}${channels.length > EXAMPLES ? ', …' : ''}`, message: f.message, fix: f.fix, keys: channels.slice(0, EXAMPLES), count: channels.length });
  }
  if (bytes > 1e9) {
    const f = FINDINGS['kv-free-plan-size'];
    findings.push({ severity: f.severity, code: 'kv-free-plan-size', object: collection.name, message: `${f.message} (${bytes} bytes)`, fix: f.fix, keys: [], count: keys });
  }
  const sorted = sortFindings(findings) as KeyspacePlan['findings'];
  const version = /redis_version:(\S+)/.exec(await source.client.info('server'))?.[1];
  return {
    source: { engine: 'redis', description: source.description, ...(version ? { serverVersion: `Redis ${version}` } : {}) },
    collections: [{ collection, units: keys, bytes }],
    keyspace: { name: collection.name, keys, bytes, types, withTtl, pubsubChannels: channels },
    findings: sorted,
    totals: {
      blockers: sorted.filter((f) => f.severity === 'blocker').length,
      warnings: sorted.filter((f) => f.severity === 'warning').length,
      infos: sorted.filter((f) => f.severity === 'info').length,
    },
  };
}
