// `plan` for a Redis source: what the keyspace holds, measured from the data (one pass of SCAN
// and pipelined reads), and the findings — each naming the keys by their shape (`ratelimit:*`),
// what to use instead on Cloudflare and why.
import { sortFindings, type Finding } from '../catalog/findings.js';
import type { RedisSource } from '../sources/redis/redis-source.js';
import type { RedisEntry } from '../sources/redis/redis-types.js';
import { KV_MAX_VALUE_BYTES } from './kv-limits.js';
import { FINDINGS, type FindingCode, keyShape, looksLikeLock, isCounterValue, displayKey } from './keyspace-findings.js';
import { toKv } from '../sources/redis/redis-kv-shapes.js';
import { isUtf8 } from 'node:buffer';
import { KV_MAX_KEY_BYTES, KV_MIN_TTL_SECONDS } from './kv-limits.js';

export interface KeyspacePlan {
  source: { engine: 'redis'; description: string; db: number };
  keyspace: { name: string; keys: number; bytes: number; types: Record<string, number>; withTtl: number; pubsubChannels: string[] };
  findings: (Finding & { keys: string[]; count: number })[];
  totals: { keys: number; bytes: number; blockers: number; warnings: number; infos: number };
}

const EXAMPLES = 5;
const MAX_GROUPS = 10_000;

export async function planKeyspace(source: RedisSource, o: { match?: string } = {}): Promise<KeyspacePlan> {
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
  for await (const batch of source.scan({ match: o.match })) {
    const entries = await source.read(batch, { maxBytes: KV_MAX_VALUE_BYTES, skipTypes: new Set() });
    entries.filter((e) => !e.deferred).forEach(inspect);
    for (const e of entries.filter((x) => x.deferred)) {
      await source.readDeferred(e, KV_MAX_VALUE_BYTES);
      inspect(e);
      e.value = undefined;
    }
  }
  const channels = ((await source.client.call('PUBSUB', 'CHANNELS', o.match ?? '*')) as string[]).sort();
  const findings: KeyspacePlan['findings'] = [...hits.values()].map((h) => {
    const f = FINDINGS[h.code];
    return { severity: f.severity, code: h.code, object: `${h.shape} (${h.count} key${h.count === 1 ? '' : 's'})`, message: f.message, fix: f.fix, keys: h.keys, count: h.count };
  });
  if (channels.length > 0) {
    const f = FINDINGS['kv-pubsub'];
    findings.push({ severity: f.severity, code: 'kv-pubsub', object: `channels ${channels.slice(0, EXAMPLES).join(', ')}${channels.length > EXAMPLES ? ', …' : ''}`, message: f.message, fix: f.fix, keys: channels.slice(0, EXAMPLES), count: channels.length });
  }
  if (bytes > 1e9) {
    const f = FINDINGS['kv-free-plan-size'];
    findings.push({ severity: f.severity, code: 'kv-free-plan-size', object: source.collection(o.match), message: `${f.message} (${bytes} bytes)`, fix: f.fix, keys: [], count: keys });
  }
  const sorted = sortFindings(findings) as KeyspacePlan['findings'];
  return {
    source: { engine: 'redis', description: source.description, db: source.location.db },
    keyspace: { name: source.collection(o.match), keys, bytes, types, withTtl, pubsubChannels: channels },
    findings: sorted,
    totals: {
      keys,
      bytes,
      blockers: sorted.filter((f) => f.severity === 'blocker').length,
      warnings: sorted.filter((f) => f.severity === 'warning').length,
      infos: sorted.filter((f) => f.severity === 'info').length,
    },
  };
}
