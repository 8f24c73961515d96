// Reading bulk files back for verify: each file streamed line by line (one pair a line) into a
// temporary SQLite index, so verify looks pairs up by key with memory bounded by one value.
// A key in two files (a batch written again after a crash) takes the later file's pair, as
// loading the files in order would.
import type BetterSqlite3 from 'better-sqlite3';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { UserError } from '../../errors.js';
import { readManifest } from '../kv/kv-bulk-files.js';
import type { Collection } from '../../catalog/collection.js';
import type { KvEntry } from '../kv/kv-cast.js';
import { pairReader } from '../kv/kv-local-target.js';
import type { KvListedKey } from '../kv/kv-miniflare.js';
import type { UnitTargetReader } from '../unit-target.js';

interface Pair {
  key: string;
  value: string;
  base64?: boolean;
  expiration?: number;
  metadata?: unknown;
}

export async function bulkFilesReader(dir: string): Promise<UnitTargetReader<Collection, KvEntry>> {
  const manifest = readManifest(dir);
  if (!manifest) throw new UserError(`no ${path.join(dir, 'manifest.json')}: copy into kvjson:${dir} first`);
  const { default: Database } = await import('better-sqlite3');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'flarelift-kvjson-'));
  const db: BetterSqlite3.Database = new Database(path.join(tmp, 'index.sqlite'));
  db.exec('CREATE TABLE pairs (key BLOB PRIMARY KEY, value BLOB, expiration INTEGER, metadata TEXT) WITHOUT ROWID');
  const put = db.prepare('INSERT OR REPLACE INTO pairs VALUES (?, ?, ?, ?)');
  for (const f of manifest.files) {
    const lines = createInterface({ input: createReadStream(path.join(dir, f.file)), crlfDelay: Infinity });
    const batch: Pair[] = [];
    const flush = db.transaction((pairs: Pair[]) => {
      for (const p of pairs) {
        put.run(Buffer.from(p.key, 'utf8'), Buffer.from(p.value, p.base64 ? 'base64' : 'utf8'), p.expiration ?? null, p.metadata === undefined ? null : JSON.stringify(p.metadata));
      }
    });
    for await (const raw of lines) {
      const line = raw.trim().replace(/,$/, '');
      if (line === '[' || line === ']' || line === '') continue;
      batch.push(JSON.parse(line) as Pair);
      if (batch.length >= 1000) flush(batch.splice(0));
    }
    flush(batch.splice(0));
  }
  const get = db.prepare<[Buffer], { value: Buffer; expiration: number | null; metadata: string | null }>('SELECT value, expiration, metadata FROM pairs WHERE key = ?');
  return pairReader(`KV bulk files in ${dir}`, {
    async *list() {
      let after: Buffer = Buffer.alloc(0);
      const page = db.prepare<[Buffer], { key: Buffer; expiration: number | null; metadata: string | null }>('SELECT key, expiration, metadata FROM pairs WHERE key > ? ORDER BY key LIMIT 1000');
      for (;;) {
        const rows = page.all(after);
        if (rows.length === 0) return;
        yield rows.map((r): KvListedKey => ({
          name: r.key.toString('utf8'),
          ...(r.expiration !== null ? { expiration: r.expiration } : {}),
          ...(r.metadata !== null ? { metadata: JSON.parse(r.metadata) as unknown } : {}),
        }));
        after = rows[rows.length - 1].key;
      }
    },
    get: async (keys) =>
      keys.map((key) => {
        const r = get.get(Buffer.from(key, 'utf8'));
        return r ? { key, value: r.value, expiration: r.expiration ?? undefined, metadata: r.metadata === null ? undefined : (JSON.parse(r.metadata) as unknown) } : null;
      }),
    close: async () => {
      db.close();
      rmSync(tmp, { recursive: true, force: true });
    },
  });
}
