// One large value, read in chunks (HSCAN, SSCAN, LRANGE and ZRANGE by index, XRANGE by id) so
// that no single reply is giant, and abandoned as soon as it passes `maxBytes`: such a value is
// rejected by its size, so memory stays under the limit whatever the collection holds.
import type { Redis } from 'ioredis';
import { setValue } from './redis-read.js';
import type { RedisEntry, RedisType } from './redis-types.js';

const CHUNK = 256;

export async function readLargeValue(client: Redis, e: RedisEntry, maxBytes: number): Promise<void> {
  e.deferred = false;
  const [typeBuf, pttl] = await Promise.all([client.callBuffer('TYPE', e.key), client.pttl(e.key)]);
  const type = String(typeBuf);
  if (type === 'none' || pttl === -2) {
    Object.assign(e, { type: 'gone', pttl: -2, value: undefined, bytes: 0 });
    return;
  }
  e.pttl = pttl;
  e.readAt = Date.now();
  if (type === 'string' || type === 'hash' || type === 'list' || type === 'set' || type === 'zset' || type === 'stream') e.type = type;
  const budget = { bytes: 0, max: maxBytes };
  const add = (parts: readonly Buffer[]) => {
    for (const p of parts) budget.bytes += p.length;
    return budget.bytes <= budget.max;
  };
  let whole: unknown;
  switch (type) {
    case 'string': {
      const length = await client.strlen(e.key);
      if (length > maxBytes) return over(e, length);
      whole = await client.callBuffer('GET', e.key);
      break;
    }
    case 'hash':
    case 'set': {
      const seen = new Map<string, Buffer[]>();
      let cursor = '0';
      do {
        const [next, parts] = (await client.callBuffer(type === 'hash' ? 'HSCAN' : 'SSCAN', e.key, cursor, 'COUNT', CHUNK)) as [Buffer, Buffer[]];
        cursor = next.toString('latin1');
        const step = type === 'hash' ? 2 : 1;
        for (let i = 0; i < parts.length; i += step) {
          const id = parts[i].toString('latin1');
          if (seen.has(id)) continue; // *SCAN may return an element twice
          const piece = parts.slice(i, i + step);
          seen.set(id, piece);
          if (!add(piece)) return over(e, budget.bytes);
        }
      } while (cursor !== '0');
      whole = [...seen.values()].flat();
      break;
    }
    case 'list':
    case 'zset': {
      const parts: Buffer[] = [];
      for (let start = 0; ; start += CHUNK) {
        const chunk = (await (type === 'list'
          ? client.callBuffer('LRANGE', e.key, start, start + CHUNK - 1)
          : client.callBuffer('ZRANGE', e.key, start, start + CHUNK - 1, 'WITHSCORES'))) as Buffer[];
        if (!add(type === 'zset' ? chunk.filter((_, i) => i % 2 === 0) : chunk)) return over(e, budget.bytes);
        parts.push(...chunk);
        if (chunk.length < (type === 'zset' ? 2 * CHUNK : CHUNK)) break;
      }
      whole = parts;
      break;
    }
    case 'stream': {
      const items: [Buffer, Buffer[]][] = [];
      let start = '-';
      for (;;) {
        const chunk = (await client.callBuffer('XRANGE', e.key, start, '+', 'COUNT', CHUNK)) as [Buffer, Buffer[]][];
        for (const [id, fields] of chunk) if (!add([id, ...fields])) return over(e, budget.bytes);
        items.push(...chunk);
        if (chunk.length < CHUNK) break;
        start = `(${chunk[chunk.length - 1][0].toString('latin1')}`;
      }
      whole = items;
      break;
    }
    default:
      Object.assign(e, { type: 'unknown', typeName: type, value: undefined });
      return;
  }
  if (whole === null) {
    Object.assign(e, { type: 'gone', pttl: -2, value: undefined, bytes: 0 });
    return;
  }
  setValue(e, type as RedisType, whole);
}

function over(e: RedisEntry, bytes: number): void {
  e.value = undefined;
  e.bytes = bytes;
}
