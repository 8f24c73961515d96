// A Redis database as a unit source: one keyspace collection, read with SCAN in batches (never
// KEYS), values read in pipelined batches and large ones one at a time. Redis has no snapshot:
// the live keyspace is read as it is, each key as it is when its batch is read; verify afterwards
// says whether the target still equals the source.
import type { Redis } from 'ioredis';
import type { Collection, Key, Unit } from '../../catalog/collection.js';
import { KV_MAX_VALUE_BYTES } from '../../cloudflare/limits.js';
import type { UnitPlan, UnitReadOptions, UnitSnapshot, UnitSource } from '../unit-source.js';
import { readLargeValue } from './redis-big.js';
import { closeRedis, connectRedis, redisRunError } from './redis-connection.js';
import { planKeyspace } from './redis-plan.js';
import { readEntries } from './redis-read.js';
import { sourceKey, type RedisRules } from './redis-rules.js';
import type { RedisEntry, RedisType } from './redis-types.js';
import { parseRedisUrl, type RedisLocation } from './redis-url.js';

/** Keys asked for per SCAN call (a hint to Redis). */
export const SCAN_COUNT = 1_000;
/** Values past this are not read at all: no KV target can hold them. */
const MAX_READ_BYTES = KV_MAX_VALUE_BYTES;

export class RedisSource implements UnitSource<Collection, RedisEntry> {
  readonly units = true as const;
  readonly engine = 'redis';
  readonly consistency = 'live keyspace (Redis has no snapshot): each key as it is when its batch is read';

  private constructor(
    readonly location: RedisLocation,
    readonly client: Redis,
  ) {}

  get description(): string {
    return this.location.description;
  }

  get rules(): RedisRules {
    return this.location.rules;
  }

  static async open(spec: string): Promise<RedisSource> {
    const location = parseRedisUrl(spec);
    return new RedisSource(location, await connectRedis(location));
  }

  /** The keyspace: `db<N>`, or `db<N> <match>` when the URL asks for a pattern. */
  async collections(): Promise<Collection[]> {
    const m = this.rules.match;
    const name = m === undefined || m === '*' ? `db${this.location.db}` : `db${this.location.db} ${m}`;
    return [{ kind: 'keyspace', name, ordered: false, unitEstimate: await this.guard(this.client.dbsize()) }];
  }

  plan(o: { onProgress?: (message: string) => void } = {}): Promise<UnitPlan> {
    return this.guard(planKeyspace(this, o));
  }

  /** A lost connection as one line (ConnectionLostError); other errors as they are. */
  private async guard<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (e) {
      throw redisRunError(this.client, e, this.location);
    }
  }

  /**
   * Batches of keys from a full SCAN. SCAN returns every key present for the whole scan at
   * least once, possibly twice: the pipeline keeps the first (the journal knows it).
   */
  async *scan(o: { count?: number; signal?: AbortSignal } = {}): AsyncGenerator<Buffer[]> {
    let cursor = '0';
    let batch: Buffer[] = [];
    const count = o.count ?? SCAN_COUNT;
    do {
      if (o.signal?.aborted) return;
      const [next, keys] = (await this.client.scanBuffer(cursor, 'MATCH', this.rules.match ?? '*', 'COUNT', Math.min(count, SCAN_COUNT))) as [Buffer, Buffer[]];
      cursor = next.toString('latin1');
      batch.push(...keys);
      if (batch.length >= count) {
        yield batch;
        batch = [];
      }
    } while (cursor !== '0');
    if (batch.length > 0) yield batch;
  }

  /** Entries for these keys: small values read in the batch, large ones yielded alone after it. */
  async *entries(keys: readonly Buffer[], maxBytes: number, skipTypes: ReadonlySet<RedisType> = this.rules.skipTypes): AsyncGenerator<RedisEntry[]> {
    const entries = await readEntries(this.client, keys, { maxBytes: MAX_READ_BYTES, skipTypes });
    const small = entries.filter((e) => !e.deferred);
    // The batch's small values stay under maxBytes: split where they would pass it.
    let part: RedisEntry[] = [];
    let bytes = 0;
    for (const e of small) {
      if (part.length > 0 && bytes + e.bytes > maxBytes) {
        yield part;
        part = [];
        bytes = 0;
      }
      part.push(e);
      bytes += e.bytes;
    }
    if (part.length > 0) yield part;
    for (const e of entries.filter((x) => x.deferred)) {
      await readLargeValue(this.client, e, MAX_READ_BYTES);
      yield [e];
    }
  }

  async snapshot(): Promise<UnitSnapshot<Collection, RedisEntry>> {
    const unit = (e: RedisEntry): Unit<RedisEntry> => ({ key: [e.key], value: e, bytes: e.bytes });
    return {
      consistency: this.consistency,
      count: () => this.guard(this.client.dbsize()),
      read: (_c: Collection, o: UnitReadOptions) => this.read(o, unit),
      lookup: (_c: Collection, keys: readonly Key[]) => this.guard(this.lookup(keys, unit)),
      close: async () => undefined,
    };
  }

  private async lookup(keys: readonly Key[], unit: (e: RedisEntry) => Unit<RedisEntry>): Promise<(Unit<RedisEntry> | undefined)[]> {
    // Target keys back to source keys (the inverse of prefix=), then read as copy would.
    const source = keys.map((k) => sourceKey(Buffer.from(typeof k[0] === 'string' ? Buffer.from(k[0], 'utf8') : (k[0] as Uint8Array)), this.rules));
    const out: (Unit<RedisEntry> | undefined)[] = [];
    for await (const part of this.entries(source, Infinity)) out.push(...part.map((e) => (e.type === 'gone' ? undefined : unit(e))));
    // entries() yields large values after the small ones: put them back in key order.
    const byKey = new Map(out.map((u) => [u ? (u.key[0] as Buffer).toString('latin1') : '', u]));
    return source.map((k) => byKey.get(k.toString('latin1')));
  }

  private async *read(o: UnitReadOptions, unit: (e: RedisEntry) => Unit<RedisEntry>): AsyncGenerator<Unit<RedisEntry>[]> {
    try {
      for await (const keys of this.scan({ count: o.maxUnits, signal: o.signal })) {
        for await (const part of this.entries(keys, o.maxBytes)) {
          yield part.map(unit);
          if (o.signal?.aborted) return;
        }
      }
    } catch (e) {
      throw redisRunError(this.client, e, this.location);
    }
  }

  async close(): Promise<void> {
    await closeRedis(this.client);
  }
}
