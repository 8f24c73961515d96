// The local state wrangler and Miniflare keep for a Worker project: `wrangler dev` and
// `wrangler d1|kv|r2 … --local` persist each binding as a Durable Object under
// `<root>/v3/<service>/miniflare-<Class>/`. The paths are computed, not searched for, so they
// are right before the files exist (first run) and cannot pick a stale neighbour. D1 is
// located here; KV and R2 locate their namespaces and buckets the same way (localStateRoot,
// durableObjectId).
import { createHash, createHmac } from 'node:crypto';
import path from 'node:path';
import { findD1Database, findWranglerConfig, type D1DatabaseConfig } from './wrangler-config.js';

/** Miniflare's Durable Object class behind D1; also the directory the files live in. */
const D1_OBJECT_KEY = 'miniflare-D1DatabaseObject';

/**
 * Miniflare's `durableObjectNamespaceIdFromName(uniqueKey, name)`: a = HMAC(sha256(key), name)
 * truncated to 16 bytes, b = HMAC(sha256(key), a) truncated, id = hex(a ‖ b).
 */
export function durableObjectId(objectKey: string, name: string): string {
  const key = createHash('sha256').update(objectKey).digest();
  const a = createHmac('sha256', key).update(name).digest().subarray(0, 16);
  const b = createHmac('sha256', key).update(a).digest().subarray(0, 16);
  return Buffer.concat([a, b]).toString('hex');
}

/** The object id of a local D1 database named `name`. */
export function d1ObjectId(name: string): string {
  return durableObjectId(D1_OBJECT_KEY, name);
}

/**
 * The `v3` directory of the project's local state: wrangler resolves --persist-to <dir> against
 * cwd (not the config) and appends `v3/`; otherwise `<config dir>/.wrangler/state/v3`.
 */
export function localStateRoot(configPath: string, persistTo: string | undefined, cwd: string): string {
  const root = persistTo !== undefined ? path.resolve(cwd, persistTo) : path.join(path.dirname(configPath), '.wrangler', 'state');
  return path.join(root, 'v3');
}

/** The name Miniflare derives the object id from, as wrangler passes it. */
export function d1LocalName(db: D1DatabaseConfig): string {
  return db.preview_database_id ?? db.database_id ?? db.binding;
}

export interface LocalD1Options {
  /** The wrangler config file (from findWranglerConfig().path or --config). */
  configPath: string;
  /** database_name or binding; may be omitted when the config has one D1 database. */
  database?: string;
  /** wrangler's --persist-to: relative to cwd (not the config), and `v3/` is appended. */
  persistTo?: string;
  /** Where relative paths resolve, like wrangler's process.cwd(). */
  cwd?: string;
  env?: string;
}

export interface LocalD1Location {
  /** Absolute path of the .sqlite file (may not exist yet). */
  path: string;
  database: D1DatabaseConfig;
  id: string;
}

export function locateLocalD1(opts: LocalD1Options): LocalD1Location {
  const cwd = opts.cwd ?? process.cwd();
  const config = findWranglerConfig({ config: opts.configPath, cwd, env: opts.env });
  const database = findD1Database(config, opts.database);
  const id = d1ObjectId(d1LocalName(database));
  return { path: path.join(localStateRoot(config.path, opts.persistTo, cwd), 'd1', D1_OBJECT_KEY, `${id}.sqlite`), database, id };
}

/** Absolute path of the local D1 SQLite file for `database` in the given wrangler config. */
export function localD1Path(opts: LocalD1Options): string {
  return locateLocalD1(opts).path;
}
