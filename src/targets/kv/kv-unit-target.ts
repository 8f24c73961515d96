// What every KV target shares: KV's limits as capabilities, the Redis → KV cast, the session
// with its journal; each kind gives its store (how bytes travel) and its reader.
import type { Collection } from '../../catalog/collection.js';
import { KV_MAX_KEY_BYTES, KV_MAX_VALUE_BYTES } from '../../cloudflare/limits.js';
import type { RedisEntry } from '../../sources/redis/redis-types.js';
import type { UnitTarget, UnitTargetReader } from '../unit-target.js';
import { kvCastFrom, type KvEntry, type Note } from './kv-cast.js';
import { KvSession, type KvStore } from './kv-session.js';

export interface KvTargetParts {
  kind: 'kv-local' | 'kv-remote' | 'kvjson';
  description: string;
  /** The journal's SQLite file, beside what the target writes. */
  journalPath: string;
  /** The copy's lock file (target-lock.ts), beside the journal. */
  lockFile: string;
  makeStore(resumed: unknown): Promise<KvStore>;
  reader(): Promise<UnitTargetReader<Collection, KvEntry>>;
}

export function kvUnitTarget(p: KvTargetParts): UnitTarget<Collection, RedisEntry, KvEntry> {
  const notes = new Map<Note, number>();
  return {
    kind: p.kind,
    description: p.description,
    lockFile: p.lockFile,
    capabilities: { limitsOf: 'KV', maxKeyBytes: KV_MAX_KEY_BYTES, maxUnitBytes: KV_MAX_VALUE_BYTES },
    accepts: ['keyspace'],
    castFrom: (source) => kvCastFrom(source, notes),
    open: async () => new KvSession(p.journalPath, (resumed) => p.makeStore(resumed), notes),
    reader: () => p.reader(),
  };
}
