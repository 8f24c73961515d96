// `copy --to kv:<BINDING> --remote` through the fake remote KV (test/helpers/fake-wrangler-kv.ts,
// enforcing the bulk API's limits): 25,000 keys of Redis database 11 go up as three bulk files of
// at most 10,000 pairs; the second upload fails (a lost connection), the copy stops with one
// line and exit 2, and --resume uploads that file and the rest — each file landing once, the
// remote holding exactly the source's keys, values (binary included) and expirations.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { Redis } from 'ioredis';
import { runCli } from './helpers/cli.js';
import { installFakeWrangler, testEnv } from './helpers/copy-project.js';
import { freshRedis, makeKvProject, redisUrl, type KvProject } from './helpers/redis-kv.js';

const URL = redisUrl(11);
const KEYS = 25_000;
const BINARY = Buffer.from([0xff, 0xfe, 0x00, 0x80]);

describe('copy into remote KV through wrangler kv bulk put (fake remote KV)', () => {
  let redis: Redis;
  let project: KvProject;
  const bin = mkdtempSync(path.join(os.tmpdir(), 'flarelift-kv-fake-'));
  const fakeDir = path.join(bin, 'remote');
  const log = path.join(bin, 'uploads.jsonl');
  const env = (extra: Record<string, string> = {}) => testEnv({ FLARELIFT_WRANGLER: installFakeWrangler(bin), FAKE_D1_DIR: fakeDir, FAKE_D1_LOG: log, ...extra });
  const copy = (args: string[], extra?: Record<string, string>) =>
    runCli(['copy', '--from', URL, '--to', 'kv:CACHE', '--remote', '--json', '--reject-dir', path.join(project.dir, 'rejects'), ...args], { cwd: project.dir, env: env(extra) });

  before(async () => {
    redis = await freshRedis(11);
    const p = redis.pipeline();
    for (let i = 0; i < KEYS; i++) p.set(`k:${i}`, `value ${i}`);
    p.set('bin', BINARY);
    p.set('ttl', 'soon gone', 'EX', 3600);
    p.set('short', 'x', 'EX', 10);
    await p.exec();
    project = makeKvProject(['CACHE']);
  });
  after(async () => {
    await redis.flushdb();
    redis.disconnect();
  });

  test('a failed upload stops the copy; --resume sends that file and the rest, each once', async () => {
    const failed = await copy([], { FAKE_KV_FAIL_FILE: '00002' });
    assert.equal(failed.code, 2, failed.stderr);
    assert.match(failed.stderr, /wrangler failed uploading 00002\.json to KV 'CACHE': .*simulated failure.*--resume/);

    const done = await copy(['--resume']);
    assert.equal(done.code, 0, done.stderr);
    const summary = JSON.parse(done.stdout.trim().split('\n').pop()!) as { tables: { read: number; written: number }[]; notes: string[] };
    assert.deepEqual([summary.tables[0].read, summary.tables[0].written], [KEYS + 3, KEYS + 3]);

    const uploads = readFileSync(log, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { kv: string }).kv);
    assert.deepEqual(uploads, ['00001.json', '00002.json', '00002.json', '00003.json'], 'the failed file again, the others once');

    const db = new Database(path.join(fakeDir, 'kv-CACHE.sqlite'), { readonly: true });
    try {
      assert.equal((db.prepare('SELECT count(*) AS n FROM kv').get() as { n: number }).n, KEYS + 3);
      const row = (k: string) => db.prepare('SELECT value, expiration, metadata FROM kv WHERE key = ?').get(k) as { value: Buffer; expiration: number | null; metadata: string };
      assert.ok(row('bin').value.equals(BINARY), 'binary value decoded from base64 by the remote');
      assert.equal(row('k:24999').value.toString(), 'value 24999');
      assert.ok(Math.abs(row('ttl').expiration! - (Date.now() / 1000 + 3600)) < 60);
      assert.ok(row('short').expiration! > Date.now() / 1000 + 30, 'a TTL under 60 s rounded up, as the API requires');
      assert.deepEqual(JSON.parse(row('k:1').metadata), { redis: 'string' });
    } finally {
      db.close();
    }
  });
});
