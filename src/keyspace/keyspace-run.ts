// Library entries for a Redis source: open it and the KV target, run, close. `copy`, `verify`,
// `plan` and `migrate` route here when --from is redis:// or rediss:// (the seam to the table
// pipeline is that one test).
import { RedisSource } from '../sources/redis/redis-source.js';
import { REDIS_URL } from '../sources/redis/redis-url.js';
import { copyKeyspace, type KeyspaceCopyOptions } from './keyspace-copy.js';
import type { KeyspaceCopySummary } from './keyspace-events.js';
import { parseKvTarget, type KvTargetOptions } from './keyspace-targets.js';
import { verifyKeyspace, type KeyspaceVerifyResult } from './keyspace-verify.js';
import { keyspaceRules, type RuleOptions } from './redis-kv-rules.js';
import { planKeyspace, type KeyspacePlan } from './keyspace-plan.js';

export const isRedisSource = (from: string) => REDIS_URL.test(from.trim());

export interface RedisRunOptions extends RuleOptions, KvTargetOptions {
  from: string;
  to: string;
  match?: string;
}

async function withRedis<T>(from: string, fn: (s: RedisSource) => Promise<T>): Promise<T> {
  const source = await RedisSource.open(from);
  try {
    return await fn(source);
  } finally {
    await source.close();
  }
}

export async function copyRedis(o: RedisRunOptions & Omit<KeyspaceCopyOptions, 'source' | 'target' | 'rules'>): Promise<KeyspaceCopySummary> {
  const rules = keyspaceRules(o);
  const target = await parseKvTarget(o.to, o);
  return withRedis(o.from, (source) => copyKeyspace({ ...o, source, target, rules }));
}

export async function verifyRedis(o: RedisRunOptions & { ttlTolerance?: number; maxFailures?: number; signal?: AbortSignal; onProgress?: (keys: number) => void }): Promise<KeyspaceVerifyResult> {
  const rules = keyspaceRules(o);
  const target = await parseKvTarget(o.to, o);
  const reader = await target.reader();
  try {
    return await withRedis(o.from, (source) => verifyKeyspace({ ...o, source, reader, targetDescription: target.description, rules }));
  } finally {
    await reader.close();
  }
}

export async function planRedis(o: { from: string; match?: string; sampleLimit?: number }): Promise<KeyspacePlan> {
  return withRedis(o.from, (source) => planKeyspace(source, o));
}
