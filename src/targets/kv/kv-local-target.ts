// `kv:<BINDING>`: the local KV namespace of the wrangler project, written through Miniflare.
// The copy's key journal lives beside the namespace's state (<persist root>/v3/flarelift/), so
// it goes wherever --persist-to puts the data.
import path from 'node:path';
import type { KvReader, KvSession, KvTarget } from './kv-target.js';
import { LocalKvNamespace } from './kv-miniflare.js';
import { locateKvNamespace } from './kv-namespace.js';

export function kvLocalTarget(o: { binding: string; config?: string; persistTo?: string; cwd?: string }): KvTarget {
  const ns = locateKvNamespace(o);
  const journalPath = path.join(ns.persistRoot, 'flarelift', `kv-${ns.id.replace(/[^A-Za-z0-9_.-]/g, '_')}.journal.sqlite`);
  return {
    kind: 'kv-local',
    description: `local KV '${ns.binding}' (id ${ns.id}, ${ns.persistRoot})`,
    journalPath,
    async open(): Promise<KvSession> {
      const kv = await LocalKvNamespace.open(ns.persistRoot, ns.id);
      return {
        async write(entries, commit) {
          await kv.put(entries);
          commit();
        },
        flush: async () => undefined,
        close: () => kv.close(),
      };
    },
    async reader(): Promise<KvReader> {
      const kv = await LocalKvNamespace.open(ns.persistRoot, ns.id);
      return { list: () => kv.list(), get: (keys) => kv.get(keys), close: () => kv.close() };
    },
  };
}
