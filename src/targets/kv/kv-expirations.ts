// KV's get does not say when a key expires; only a listing does, and listing one key by prefix
// scans the namespace in Miniflare (quadratic over a keyspace). So verify lists the namespace
// once, in pages, into a temporary on-disk index of the keys that expire, and looks each key's
// expiration up there: one pass, memory bounded whatever the namespace holds.
import type BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ExpirationIndex {
  get(key: string): number | undefined;
  close(): void;
}

export async function indexExpirations(list: () => AsyncIterable<{ name: string; expiration?: number }[]>): Promise<ExpirationIndex> {
  const { default: Database } = await import('better-sqlite3');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flarelift-kv-exp-'));
  const db: BetterSqlite3.Database = new Database(path.join(dir, 'expirations.sqlite'));
  db.exec('CREATE TABLE exp (key TEXT PRIMARY KEY, expiration INTEGER NOT NULL) WITHOUT ROWID');
  const put = db.prepare<[string, number]>('INSERT OR REPLACE INTO exp VALUES (?, ?)');
  const add = db.transaction((page: { name: string; expiration?: number }[]) => {
    for (const k of page) if (k.expiration !== undefined) put.run(k.name, k.expiration);
  });
  for await (const page of list()) add(page);
  const get = db.prepare<[string], { expiration: number }>('SELECT expiration FROM exp WHERE key = ?');
  return {
    get: (key) => get.get(key)?.expiration,
    close: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
