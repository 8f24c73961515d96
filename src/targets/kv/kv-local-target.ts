// `kv:<BINDING>`: the local KV namespace of the wrangler project, written through Miniflare.
// The copy's journal lives beside the namespace's state (<persist root>/flarelift/), so it goes
// wherever --persist-to puts the data.
import path from 'node:path';
import type { Collection, Key, Unit } from '../../catalog/collection.js';
import { KV_MIN_TTL_SECONDS } from '../../cloudflare/limits.js';
import type { KvMetadata } from '../../sources/redis/redis-kv-shapes.js';
import type { UnitTargetReader } from '../unit-target.js';
import { TTL_MARGIN_SECONDS, TTL_TOLERANCE_SECONDS, type KvEntry } from './kv-cast.js';
import { indexExpirations, type ExpirationIndex } from './kv-expirations.js';
import { LocalKvNamespace, type StoredPair } from './kv-miniflare.js';
import { locateKvNamespace } from './kv-namespace.js';
import { localStore } from './kv-stores.js';
import { kvUnitTarget } from './kv-unit-target.js';

/** Keys per read-back request to the local namespace. */
const GET_CHUNK = 100;

export function kvLocalTarget(o: { binding: string; config?: string; persistTo?: string; cwd?: string }) {
  const ns = locateKvNamespace(o);
  const safeId = ns.id.replace(/[^A-Za-z0-9_.-]/g, '_');
  return kvUnitTarget({
    kind: 'kv-local',
    description: `local KV '${ns.binding}' (id ${ns.id}, ${ns.persistRoot})`,
    journalPath: path.join(ns.persistRoot, 'flarelift', `kv-${safeId}.journal.sqlite`),
    lockFile: path.join(ns.persistRoot, 'flarelift', `kv-${safeId}.flarelift-lock`),
    makeStore: () => localStore(ns.persistRoot, ns.id),
    reader: async () => pairReader(`local KV '${ns.binding}'`, await LocalKvNamespace.open(ns.persistRoot, ns.id), true),
  });
}

export const pairUnit = (p: StoredPair): Unit<KvEntry> => ({
  key: [p.key],
  value: { key: p.key, value: p.value, metadata: p.metadata as KvMetadata, expiration: p.expiration },
  bytes: p.value.length,
});

/**
 * Keys listed for the extra-key check leave out those expiring within about a minute: a TTL
 * under 60 s rounded up outlives its source key by up to that long, and is not extra.
 */
export const expiringSoon = (expiration: number | undefined) =>
  expiration !== undefined && expiration <= Date.now() / 1000 + KV_MIN_TTL_SECONDS + TTL_MARGIN_SECONDS + TTL_TOLERANCE_SECONDS;

export interface PairSource {
  get(keys: readonly string[]): Promise<(StoredPair | null)[]>;
  list(): AsyncIterable<{ name: string; expiration?: number }[]>;
  close(): Promise<void>;
}

/** A reader over pairs; `indexed`: get() does not tell expirations, so they are listed once (kv-expirations.ts). */
export function pairReader(description: string, kv: PairSource, indexed = false): UnitTargetReader<Collection, KvEntry> {
  let expirations: Promise<ExpirationIndex> | undefined;
  return {
    description,
    async get(_c, keys: readonly Key[]) {
      if (indexed) expirations ??= indexExpirations(() => kv.list());
      const index = await expirations;
      const out: (Unit<KvEntry> | undefined)[] = [];
      for (let i = 0; i < keys.length; i += GET_CHUNK) {
        const found = await kv.get(keys.slice(i, i + GET_CHUNK).map((k) => String(k[0])));
        out.push(...found.map((p) => (p ? pairUnit(index ? { ...p, expiration: index.get(p.key) } : p) : undefined)));
      }
      return out;
    },
    async *keys(_c, o) {
      for await (const page of kv.list()) {
        const keys = page.filter((k) => !expiringSoon(k.expiration)).map((k): Key => [k.name]);
        if (keys.length > 0) yield keys;
        if (o.signal?.aborted) return;
      }
    },
    async close() {
      if (expirations) (await expirations).close();
      await kv.close();
    },
  };
}
