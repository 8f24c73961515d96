// Reading a batch of scanned keys in three pipelined round trips — TYPE and PTTL; sizes (STRLEN,
// HLEN, …, MEMORY USAGE); the values of the small ones — so a batch of a thousand keys costs
// three network waits, not three thousand. A value past `maxBytes` is not read:
// it will be rejected by its size, which is all that needs knowing. Values past 64 KiB are left
// `deferred`, for the caller to read one at a time when it is ready to write them.
import type { Redis } from 'ioredis';
import { isLostConnection } from './redis-connection.js';
import { HLL_MAGIC, type RedisEntry, type RedisType } from './redis-types.js';

/**
 * Values up to this size (strings by STRLEN, collections by MEMORY USAGE and up to SMALL_ELEMENTS
 * elements) are read inside the batch pipeline; larger ones are left `deferred` for the caller to
 * read one at a time (readLargeValue), so a batch holds at most about keys × 64 KiB.
 */
const SMALL_BYTES = 64 * 1024;
const SMALL_ELEMENTS = 512;

type Reply = [Error | null, unknown];

const LENGTH: Record<string, string> = { string: 'STRLEN', hash: 'HLEN', list: 'LLEN', set: 'SCARD', zset: 'ZCARD', stream: 'XLEN' };
const READ_ALL: Record<string, (key: Buffer) => (string | Buffer | number)[]> = {
  string: (k) => ['GET', k],
  hash: (k) => ['HGETALL', k],
  list: (k) => ['LRANGE', k, 0, -1],
  set: (k) => ['SMEMBERS', k],
  zset: (k) => ['ZRANGE', k, 0, -1, 'WITHSCORES'],
  stream: (k) => ['XRANGE', k, '-', '+'],
};

export interface ReadOptions {
  /** Values past this many bytes are not read (they cannot be written). */
  maxBytes: number;
  /** Types whose values are not read at all (skipped by a rule); their keys still come back. */
  skipTypes: ReadonlySet<RedisType>;
}

async function exec(client: Redis, commands: (string | Buffer | number)[][]): Promise<Reply[]> {
  if (commands.length === 0) return [];
  const p = client.pipeline();
  for (const [name, ...args] of commands) p.callBuffer(name as string, ...args);
  const replies = ((await p.exec()) ?? []) as Reply[];
  // A connection cut mid-pipeline answers the rest with errors, not a rejection: each would read
  // as a key of no known type (then a reject). The whole batch fails instead.
  const lost = replies.find(([e]) => e !== null && isLostConnection(client, e));
  if (lost || client.status !== 'ready') throw lost?.[0] ?? new Error('Connection is closed.');
  return replies;
}

const text = (v: unknown) => (Buffer.isBuffer(v) ? v.toString('latin1') : String(v));

export async function readEntries(client: Redis, keys: readonly Buffer[], o: ReadOptions): Promise<RedisEntry[]> {
  const readAt = Date.now();
  const meta = await exec(client, keys.flatMap((k) => [['TYPE', k], ['PTTL', k]]));
  const entries: RedisEntry[] = keys.map((key, i) => {
    const typeName = text(meta[2 * i][1]);
    const pttl = Number(text(meta[2 * i + 1][1]));
    if (typeName === 'none' || pttl === -2) return { key, type: 'gone', pttl: -2, bytes: 0, readAt };
    const known = typeName in LENGTH;
    return { key, type: known ? (typeName as RedisType) : 'unknown', typeName: known ? undefined : typeName, pttl, bytes: 0, readAt };
  });

  const sized = entries.filter((e) => e.type in LENGTH && !(e.type !== 'string' && o.skipTypes.has(e.type as RedisType)));
  const sizes = await exec(client, sized.flatMap((e) => [[LENGTH[e.type], e.key], ['MEMORY', 'USAGE', e.key]]));
  const small: RedisEntry[] = [];
  sized.forEach((e, i) => {
    const length = Number(text(sizes[2 * i][1] ?? 0));
    const memory = Number(text(sizes[2 * i + 1][1] ?? 0));
    if (e.type === 'string') {
      e.bytes = length;
      if (length > o.maxBytes) return; // rejected by size, not read
      if (length <= SMALL_BYTES) small.push(e);
      else e.deferred = true;
    } else if (length <= SMALL_ELEMENTS && memory <= SMALL_BYTES) small.push(e);
    else e.deferred = true;
  });

  const values = await exec(client, small.map((e) => READ_ALL[e.type](e.key)));
  small.forEach((e, i) => {
    const [err, reply] = values[i];
    // Changed type or vanished since TYPE: read again alone, later.
    if (err || reply === null) e.deferred = true;
    else setValue(e, e.type as RedisType, reply);
  });
  return entries;
}

/** Stores a whole-value reply (the batch's or a re-read's) on the entry, typed and sized. */
export function setValue(e: RedisEntry, type: RedisType, reply: unknown): void {
  const parts = reply as Buffer[];
  switch (type) {
    case 'string':
    case 'hyperloglog': {
      const b = reply as Buffer;
      const hll = b.length >= 4 && b.subarray(0, 4).equals(HLL_MAGIC);
      e.type = hll ? 'hyperloglog' : 'string';
      e.value = { type: e.type, value: b };
      e.bytes = b.length;
      return;
    }
    case 'hash':
    case 'zset': {
      const pairs: [Buffer, Buffer][] = [];
      for (let i = 0; i < parts.length; i += 2) pairs.push([parts[i], parts[i + 1]]);
      e.value = type === 'hash' ? { type, value: pairs } : { type, value: pairs.map(([m, s]) => [m, s.toString('latin1')]) };
      e.bytes = parts.reduce((s, p) => s + p.length, 0);
      return;
    }
    case 'list':
    case 'set':
      e.value = { type, value: parts };
      e.bytes = parts.reduce((s, p) => s + p.length, 0);
      return;
    case 'stream': {
      const items = reply as [Buffer, Buffer[]][];
      e.value = { type, value: items.map(([id, fields]) => [id.toString('latin1'), fields]) };
      e.bytes = items.reduce((s, [id, f]) => s + id.length + f.reduce((t, p) => t + p.length, 0), 0);
      return;
    }
  }
}
