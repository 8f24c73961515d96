// Redis values as KV values, and back: the pair lives together so that verify compares what
// copy wrote and a rollback can write a KV value back as the Redis value it came from.
//
// Shapes (the KV metadata says which: { "redis": "<type>" }, plus "encoding": "base64" when a
// collection holds bytes that are not UTF-8, and then every member string is base64):
//   string, hyperloglog  the bytes as they are
//   hash                 {"field": "value", …}, fields in byte order
//   list                 ["first", "second", …], in list order
//   set                  ["a", "b", …], in byte order
//   zset                 [["member", score], …], in score order; ±inf as "inf" / "-inf"
//   stream               [["1700000000000-0", ["field", "value", …]], …], in id order
import { isUtf8 } from 'node:buffer';
import type { RedisType, RedisValue } from './redis-types.js';

export interface KvMetadata {
  redis: RedisType;
  encoding?: 'base64';
}

export interface KvValue {
  bytes: Buffer;
  metadata: KvMetadata;
}

const byBytes = (a: Buffer, b: Buffer) => Buffer.compare(a, b);

function parts(v: RedisValue): Buffer[] {
  switch (v.type) {
    case 'hash':
      return v.value.flat();
    case 'zset':
      return v.value.map(([m]) => m);
    case 'stream':
      return v.value.flatMap(([, f]) => f);
    case 'list':
    case 'set':
      return v.value;
    default:
      return [];
  }
}

function scoreJson(s: string): string {
  const n = Number(s);
  if (Number.isFinite(n)) return JSON.stringify(n);
  return JSON.stringify(s.startsWith('-') ? '-inf' : 'inf');
}

/** The KV value and metadata a Redis value is written as. */
export function toKv(v: RedisValue): KvValue {
  if (v.type === 'string' || v.type === 'hyperloglog') return { bytes: v.value, metadata: { redis: v.type } };
  const base64 = parts(v).some((p) => !isUtf8(p));
  const s = (b: Buffer) => JSON.stringify(base64 ? b.toString('base64') : b.toString('utf8'));
  let json: string;
  switch (v.type) {
    case 'hash':
      json = `{${[...v.value].sort((a, b) => byBytes(a[0], b[0])).map(([f, x]) => `${s(f)}:${s(x)}`).join(',')}}`;
      break;
    case 'list':
      json = `[${v.value.map(s).join(',')}]`;
      break;
    case 'set':
      json = `[${[...v.value].sort(byBytes).map(s).join(',')}]`;
      break;
    case 'zset':
      json = `[${v.value.map(([m, score]) => `[${s(m)},${scoreJson(score)}]`).join(',')}]`;
      break;
    case 'stream':
      json = `[${v.value.map(([id, f]) => `[${JSON.stringify(id)},[${f.map(s).join(',')}]]`).join(',')}]`;
      break;
  }
  return { bytes: Buffer.from(json, 'utf8'), metadata: base64 ? { redis: v.type, encoding: 'base64' } : { redis: v.type } };
}

/** The inverse of toKv: the Redis value a KV value and its metadata stand for. */
export function fromKv(bytes: Buffer, metadata: KvMetadata): RedisValue {
  const type = metadata.redis;
  if (type === 'string' || type === 'hyperloglog') return { type, value: bytes };
  const b = (x: string) => Buffer.from(x, metadata.encoding === 'base64' ? 'base64' : 'utf8');
  const data = JSON.parse(bytes.toString('utf8')) as unknown;
  switch (type) {
    case 'hash':
      return { type, value: Object.entries(data as Record<string, string>).map(([f, x]) => [b(f), b(x)]) };
    case 'list':
    case 'set':
      return { type, value: (data as string[]).map(b) };
    case 'zset':
      return { type, value: (data as [string, number | string][]).map(([m, score]) => [b(m), typeof score === 'number' ? String(score) : score]) };
    case 'stream':
      return { type, value: (data as [string, string[]][]).map(([id, f]) => [id, f.map(b)]) };
  }
}

/** The metadata of a KV key written by flarelift, or undefined when it is not one of ours. */
export function readMetadata(m: unknown): KvMetadata | undefined {
  if (typeof m !== 'object' || m === null) return undefined;
  const r = (m as Record<string, unknown>).redis;
  return typeof r === 'string' ? (m as KvMetadata) : undefined;
}
