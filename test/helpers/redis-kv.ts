// Redis → KV test fixtures: a Redis client on a database index of this issue's own (9, 10, 11;
// FLUSHDB only there), a wrangler project with KV bindings, and the real wrangler's kv commands.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { WRANGLER } from './wrangler.js';

const exec = promisify(execFile);
const redisHost = process.env.REDIS_HOST ?? '127.0.0.1';
const redisPort = Number(process.env.REDIS_PORT ?? 6379);

export const REDIS_TEST_DBS = [9, 10, 11] as const;
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
