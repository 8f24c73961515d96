// A Redis database as a keyspace source: SCAN in batches (never KEYS), values read in pipelined
// batches with large ones streamed, and the facts the plan needs. The live keyspace is read as
// it is (Redis has no snapshot): a key changed during the copy is read as it is when its batch is
// read; verify afterwards says whether the target still equals the source.
import type { Redis } from 'ioredis';
import { readLargeValue } from './redis-big.js';
import { connectRedis } from './redis-connection.js';
import { readEntries, type ReadOptions } from './redis-read.js';
import type { RedisEntry } from './redis-types.js';
import { parseRedisUrl, type RedisLocation } from './redis-url.js';

/** Keys asked for per SCAN call (a hint to Redis) and per read batch. */
export const SCAN_COUNT = 1_000;

export class RedisSource {
  readonly engine = 'redis' as const;
  readonly consistency = 'live keyspace (Redis has no snapshot): each key as it is when its batch is read';

  private constructor(
    readonly location: RedisLocation,
    readonly client: Redis,
  ) {}

  get description(): string {
    return this.location.description;
  }

  /** The keyspace's name in summaries and reject files: `db<N>`, with the pattern when one is given. */
  collection(match?: string): string {
    return match === undefined || match === '*' ? `db${this.location.db}` : `db${this.location.db} ${match}`;
  }

  static async open(spec: string): Promise<RedisSource> {
    const location = parseRedisUrl(spec);
    return new RedisSource(location, await connectRedis(location));
  }

  async count(): Promise<number> {
    return this.client.dbsize();
  }

  /**
   * Batches of keys from a full SCAN (MATCH `match`). SCAN returns every key present for the
   * whole scan at least once, possibly twice: callers dedupe by key (the copy's journal does).
   */
  async *scan(o: { match?: string; count?: number; signal?: AbortSignal } = {}): AsyncGenerator<Buffer[]> {
    let cursor = '0';
    let batch: Buffer[] = [];
    const count = o.count ?? SCAN_COUNT;
    do {
      if (o.signal?.aborted) return;
      const [next, keys] = (await this.client.scanBuffer(cursor, 'MATCH', o.match ?? '*', 'COUNT', count)) as [Buffer, Buffer[]];
      cursor = next.toString('latin1');
      batch.push(...keys);
      if (batch.length >= count) {
        yield batch;
        batch = [];
      }
    } while (cursor !== '0');
    if (batch.length > 0) yield batch;
  }

  /** The batch's entries; those marked `deferred` are read with readDeferred, one at a time. */
  read(keys: readonly Buffer[], o: ReadOptions): Promise<RedisEntry[]> {
    return readEntries(this.client, keys, o);
  }

  readDeferred(e: RedisEntry, maxBytes: number): Promise<void> {
    return readLargeValue(this.client, e, maxBytes);
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
