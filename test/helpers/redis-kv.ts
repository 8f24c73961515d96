// Redis → KV test fixtures: a Redis client on a database index of the tests' own (9, 10, 11, and
// 14 for the rule options; FLUSHDB only there), a wrangler project with KV bindings, and the real wrangler's kv commands.
import { execFile } from 'node:child_process';
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { WRANGLER } from './wrangler.js';

const exec = promisify(execFile);
const redisHost = process.env.REDIS_HOST ?? '127.0.0.1';
const redisPort = Number(process.env.REDIS_PORT ?? 6379);

export const REDIS_TEST_DBS = [9, 10, 11, 14] as const;
export const redisUrl = (db: (typeof REDIS_TEST_DBS)[number]) => `redis://${redisHost}:${redisPort}/${db}`;

/** A client on one of this databases, emptied first. */
export async function freshRedis(db: (typeof REDIS_TEST_DBS)[number]): Promise<Redis> {
  const client = new Redis({ host: redisHost, port: redisPort, db });
  await client.flushdb();
  return client;
}

export interface KvProject {
  dir: string;
  config: string;
}

/** A throwaway wrangler project with the given KV bindings. */
export function makeKvProject(bindings: readonly string[]): KvProject {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flarelift-kv-'));
  const config = path.join(dir, 'wrangler.jsonc');
  const kv_namespaces = bindings.map((binding, i) => ({ binding, id: `${String(i + 1).padStart(2, '0')}${'ab'.repeat(15)}` }));
  writeFileSync(config, `// test project\n${JSON.stringify({ name: 'flarelift-kv-test', compatibility_date: '2025-01-01', kv_namespaces }, null, 2)}\n`);
  return { dir, config };
}

/** The real wrangler in the project; stdout as bytes (kv key get prints values raw). */
export async function wranglerKv(p: KvProject, args: string[]): Promise<Buffer> {
  try {
    const { stdout } = await exec(WRANGLER, ['kv', ...args], {
      cwd: p.dir,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true', NO_COLOR: '1' },
      maxBuffer: 256 * 1024 * 1024,
      encoding: 'buffer',
    });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: Buffer; stdout?: Buffer };
    throw new Error(`wrangler kv ${args.slice(0, 3).join(' ')} failed: ${String(err.stderr ?? '')}${String(err.stdout ?? '')}`.slice(0, 4000));
  }
}

export interface ListedKey {
  name: string;
  expiration?: number;
  metadata?: { redis: string; encoding?: string };
}

export async function wranglerKvList(p: KvProject, binding: string): Promise<ListedKey[]> {
  const out = (await wranglerKv(p, ['key', 'list', '--binding', binding, '--local'])).toString('utf8');
  return JSON.parse(out.slice(out.indexOf('['))) as ListedKey[];
}

/** Changes `key`'s value in a kvjson directory's files (as a stray edit would). */
export function tamperBulkFiles(dir: string, key: string): void {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { files: { file: string }[] };
  let found = 0;
  for (const f of manifest.files) {
    const file = path.join(dir, f.file);
    const lines = readFileSync(file, 'utf8').split('\n').map((line) => {
      const body = line.replace(/,$/, '');
      if (!body.startsWith('{')) return line;
      const pair = JSON.parse(body) as { key: string; value: string; base64?: boolean };
      if (pair.key !== key) return line;
      found++;
      return JSON.stringify({ ...pair, value: 'tampered', base64: undefined }) + (line.endsWith(',') ? ',' : '');
    });
    writeFileSync(file, lines.join('\n'));
  }
  if (found === 0) throw new Error(`no pair ${key} in ${dir}`);
}

/** The fake remote KV's store (fake-wrangler-kv.ts) as a kvjson directory, for verify to read. */
export function exportFakeKv(store: string, dir: string): string {
  const db = new Database(store, { readonly: true });
  try {
    const rows = db.prepare('SELECT key, value, expiration, metadata FROM kv ORDER BY key').all() as { key: string; value: Buffer; expiration: number | null; metadata: string | null }[];
    mkdirSync(dir, { recursive: true });
    const lines = rows.map((r) =>
      JSON.stringify({ key: r.key, value: r.value.toString('base64'), base64: true, ...(r.expiration !== null ? { expiration: r.expiration } : {}), ...(r.metadata !== null ? { metadata: JSON.parse(r.metadata) as unknown } : {}) }),
    );
    writeFileSync(path.join(dir, '00001.json'), `[\n${lines.join(',\n')}\n]\n`);
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ format: 'flarelift-kvjson/1', load: 'export of the fake remote KV', files: [{ file: '00001.json', pairs: rows.length, bytes: 0 }] }));
    return dir;
  } finally {
    db.close();
  }
}
