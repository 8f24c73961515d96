// Redis → Workers KV against the real Redis (database 9) and the real wrangler: one fixture with
// every type, binary values, unicode and space-containing keys, TTLs below and above 60 s, a
// 600-byte key and a 26 MiB value; plan names what does not belong in KV; copy into a local KV
// that `wrangler kv key get/list --local` reads back; verify proves it and names each tamper;
// kvjson files load with `wrangler kv bulk put --local` and verify equal.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import tls from 'node:tls';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis as RedisClient, type Redis } from 'ioredis';
import { fromKv, toKv } from '../src/sources/redis/redis-kv-shapes.js';
import type { RedisValue } from '../src/sources/redis/redis-types.js';
import { LocalKvNamespace } from '../src/targets/kv/kv-miniflare.js';
import { TTL_MARGIN_SECONDS } from '../src/targets/kv/kv-cast.js';
import { locateKvNamespace } from '../src/targets/kv/kv-namespace.js';
import { runCli } from './helpers/cli.js';
import { testEnv } from './helpers/copy-project.js';
import { freshRedis, makeKvProject, redisUrl, wranglerKv, wranglerKvList, type KvProject } from './helpers/redis-kv.js';

const URL = redisUrl(9);
const LONG_KEY = `long:${'k'.repeat(595)}`; // 600 bytes
const HUGE = 26 * 1024 * 1024;
const BINARY = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const BIG_STRING = 'x'.repeat(100_000);

/** The two keys with TTLs under KV's 60 s minimum (set again before a later copy: they expire). */
async function shortTtls(r: Redis): Promise<void> {
  await r.set('ratelimit:ip:1.2.3.4', '17', 'EX', 50);
  await r.set('lock:order:9', 'owner-1', 'PX', 45_000);
}

async function fill(r: Redis): Promise<void> {
  await r.set('greeting', 'hello world');
  await r.set('unicode:ключ:🙂', 'значение ✓');
  await r.set('key with spaces', 'value with spaces');
  await r.set('bin:blob', BINARY);
  await r.hset('user:1', { name: 'Ann', 'city name': 'Zürich' });
  await r.hset('hash:binary', Buffer.from([0xff, 0x00]), Buffer.from([0xfe]));
  await r.rpush('jobs', 'a', 'b', 'c');
  await r.sadd('tags', 'z', 'x', 'y');
  await r.zadd('board', 1, 'a', 2.5, 'b', '+inf', 'c');
  await r.xadd('events', '*', 'kind', 'signup');
  await r.pfadd('visitors', 'u1', 'u2');
  await shortTtls(r);
  await r.set('cache:page', '<html>cached</html>', 'EX', 3600);
  await r.set(LONG_KEY, 'too long a key');
  await r.set('huge', Buffer.alloc(HUGE, 0x61));
  await r.set('big:string', BIG_STRING);
  const fields: Record<string, string> = {};
  for (let i = 0; i < 2000; i++) fields[`f${i}`] = `v${i}`;
  await r.hset('big:hash', fields);
}

interface VerifyJson {
  ok: boolean;
  totals: { sourceRows: number; missing: number; extra: number; changed: number; rejected: number; mismatches: number };
}
const summary = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!) as VerifyJson;
const readFailures = (file: string) =>
  readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; key: { key: string }; reason?: string });

describe('Redis → KV (real Redis db 9, real wrangler)', () => {
  let redis: Redis;
  let project: KvProject;
  /** When the first copy into the local KV ran (ms): expirations are checked against it. */
  const copiedAt = { start: 0, end: 0 };
  const env = testEnv();
  const cli = (args: string[]) => runCli(args, { cwd: project.dir, env });

  before(async () => {
    redis = await freshRedis(9);
    await fill(redis);
    project = makeKvProject(['CACHE', 'LOADED']);
  });
  after(async () => {
    await redis.flushdb();
    redis.disconnect();
  });

  test('plan --json names the counter, lock, queue, stream, short-TTL and over-limit keys with their fixes', async () => {
    const r = await cli(['plan', '--from', URL, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as { findings: { code: string; keys: string[]; fix: string; severity: string }[]; keyspace: { keys: number } };
    assert.equal(plan.keyspace.keys, 18);
    const keysOf = (code: string) => plan.findings.filter((f) => f.code === code).flatMap((f) => f.keys);
    assert.deepEqual(keysOf('kv-counter'), ['ratelimit:ip:1.2.3.4']);
    assert.deepEqual(keysOf('kv-lock'), ['lock:order:9']);
    assert.deepEqual(keysOf('kv-queue'), ['jobs']);
    assert.deepEqual(keysOf('kv-stream'), ['events']);
    assert.deepEqual(keysOf('kv-short-ttl').sort(), ['lock:order:9', 'ratelimit:ip:1.2.3.4']);
    assert.deepEqual(keysOf('kv-value-too-large'), ['huge']);
    assert.equal(keysOf('kv-key-too-large').length, 1);
    assert.match(keysOf('kv-key-too-large')[0], /^long:k+… \(600 bytes\)$/);
    assert.deepEqual(keysOf('kv-hyperloglog'), ['visitors']);
    for (const f of plan.findings) assert.ok(f.fix.length > 20, `${f.code} has a fix`);
    assert.match(plan.findings.find((f) => f.code === 'kv-counter')!.fix, /Durable Object/);
    assert.match(plan.findings.find((f) => f.code === 'kv-queue')!.fix, /Queues/);
    assert.equal(plan.findings.filter((f) => f.severity === 'blocker').length, 2);
  });

  test('copy into the local KV: read = written + rejected + skipped, the rejects exactly the two over KV limits', async () => {
    copiedAt.start = Date.now();
    const r = await cli(['copy', '--from', URL, '--to', 'kv:CACHE', '--json', '--accept-rejects', '--reject-dir', path.join(project.dir, 'rejects')]);
    copiedAt.end = Date.now();
    assert.equal(r.code, 0, r.stderr);
    const copied = JSON.parse(r.stdout.trim().split('\n').pop()!) as { status: string; tables: { name: string; read: number; written: number; rejected: number; skippedByRule?: number }[]; notes: string[] };
    assert.equal(copied.status, 'complete');
    const [k] = copied.tables;
    assert.deepEqual([k.name, k.read, k.written, k.rejected, k.skippedByRule], ['db9', 18, 14, 2, 2]);
    assert.ok(copied.notes.some((n) => /^TTLs under 60 s rounded up .*: 2$/.test(n)), copied.notes.join('\n'));
    assert.ok(copied.notes.some((n) => /^keys skipped by type .*: 2$/.test(n)), copied.notes.join('\n'));
    const rejects = readFileSync(path.join(project.dir, 'rejects', 'db9.rejects.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { key: string; reason: string });
    assert.deepEqual(rejects.map((x) => x.key).sort(), ['huge', LONG_KEY]);
    assert.match(rejects.find((x) => x.key === 'huge')!.reason, /over KV's 26214400-byte limit/);
    assert.match(rejects.find((x) => x.key === LONG_KEY)!.reason, /key of 600 bytes is over KV's 512-byte limit/);
  });

  // Listed right after the copy: the two keys rounded up to 60 s expire a minute after it, and
  // the wrangler runs of the next test can take that long on a loaded machine.
  test('wrangler kv key list --local shows the expirations and the Redis types', async () => {
    const list = await wranglerKvList(project, 'CACHE');
    const by = new Map(list.map((k) => [k.name, k]));
    assert.equal(list.length, 14);
    assert.ok(Math.abs(by.get('cache:page')!.expiration! - (copiedAt.end / 1000 + 3600)) < 30, 'TTL above 60 s carried as an absolute expiration');
    for (const short of ['ratelimit:ip:1.2.3.4', 'lock:order:9']) {
      const exp = by.get(short)!.expiration!;
      // Rounded up to 60 s (and the margin) from the moment it was written, within the copy's run.
      const [lo, hi] = [Math.floor(copiedAt.start / 1000), Math.ceil(copiedAt.end / 1000) + 1].map((t) => t + 60 + TTL_MARGIN_SECONDS);
      assert.ok(exp >= lo && exp <= hi, `${short}: rounded up to 60 s from the copy (${exp} not in ${lo}..${hi})`);
    }
    assert.equal(by.get('greeting')!.expiration, undefined);
    assert.deepEqual(by.get('hash:binary')!.metadata, { redis: 'hash', encoding: 'base64' });
    assert.deepEqual(by.get('jobs')!.metadata, { redis: 'list' });
    assert.ok(!by.has('events') && !by.has('visitors') && !by.has('huge') && !by.has(LONG_KEY));
  });

  test('the real wrangler kv key get --local reads the values back equal', async () => {
    const get = (key: string) => wranglerKv(project, ['key', 'get', key, '--binding', 'CACHE', '--local']);
    assert.equal((await get('greeting')).toString('utf8'), 'hello world');
    assert.equal((await get('unicode:ключ:🙂')).toString('utf8'), 'значение ✓');
    assert.equal((await get('key with spaces')).toString('utf8'), 'value with spaces');
    assert.ok((await get('bin:blob')).equals(BINARY), 'binary value byte for byte');
    assert.deepEqual(JSON.parse((await get('user:1')).toString('utf8')), { 'city name': 'Zürich', name: 'Ann' });
    assert.deepEqual(JSON.parse((await get('board')).toString('utf8')), [['a', 1], ['b', 2.5], ['c', 'inf']]);
    assert.equal((await get('big:string')).toString('utf8'), BIG_STRING);
    assert.equal(Object.keys(JSON.parse((await get('big:hash')).toString('utf8'))).length, 2000);
  });

  test('verify proves the copy, then names a tampered value, a deleted key and an extra key', async () => {
    const failures = path.join(project.dir, 'failures.jsonl');
    const verify = (to: string, ...more: string[]) => cli(['verify', '--from', URL, '--to', to, '--json', '--failures', failures, '--reject-dir', path.join(project.dir, 'rejects'), ...more]);
    const incomplete = await verify('kv:CACHE');
    assert.equal(incomplete.code, 5, 'equal, but two keys were rejected: not complete unless accepted');
    const ok = await verify('kv:CACHE', '--accept-rejects');
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.equal(summary(ok.stdout).ok, true);

    const ns = locateKvNamespace({ binding: 'CACHE', cwd: project.dir });
    const kv = await LocalKvNamespace.open(ns.persistRoot, ns.id);
    try {
      await kv.put([{ key: 'greeting', value: Buffer.from('hello w0rld'), metadata: { redis: 'string' } }]);
      await kv.delete(['tags']);
      await kv.put([{ key: 'intruder', value: Buffer.from('x'), metadata: { redis: 'string' } }]);
    } finally {
      await kv.close();
    }
    const bad = await verify('kv:CACHE');
    assert.equal(bad.code, 1, bad.stderr);
    const result = summary(bad.stdout);
    assert.equal(result.ok, false);
    assert.deepEqual([result.totals.missing, result.totals.extra, result.totals.changed], [1, 1, 1]);
    assert.deepEqual(
      readFailures(failures).map((f) => `${f.kind} ${f.key.key}${f.reason ? ` ${f.reason.split(':')[0]}` : ''}`).sort(),
      ['changed greeting value differs', 'extra intruder', 'missing tags'],
    );
  });

  test('kvjson: files load with wrangler kv bulk put --local and verify equal', async () => {
    const dir = path.join(project.dir, 'bulk');
    await shortTtls(redis);
    const rejectDir = path.join(project.dir, 'rejects-json');
    const r = await cli(['copy', '--from', URL, '--to', `kvjson:${dir}`, '--json', '--accept-rejects', '--reject-dir', rejectDir]);
    assert.equal(r.code, 0, r.stderr);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { files: { file: string; pairs: number }[] };
    assert.equal(manifest.files.reduce((s, f) => s + f.pairs, 0), 14);
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'manifest.json'), manifest.files.map((f) => f.file));
    for (const f of manifest.files) await wranglerKv(project, ['bulk', 'put', path.join(dir, f.file), '--binding', 'LOADED', '--local']);
    const bulkLine = readFileSync(path.join(dir, manifest.files[0].file), 'utf8').split('\n').find((l) => l.includes('"bin:blob"'))!;
    assert.deepEqual(JSON.parse(bulkLine.replace(/,$/, '')).value, BINARY.toString('base64'));
    // wrangler 4.86's local `kv bulk put` decodes base64 and then reads the bytes as UTF-8 text
    // (fixed upstream in workers-sdk#15192): everything verifies but the one binary value,
    // which arrives mangled. The remote API decodes base64 itself; the file is right.
    const failures = path.join(project.dir, 'failures-json.jsonl');
    const verify = (to: string) => cli(['verify', '--from', URL, '--to', to, '--json', '--failures', failures, '--reject-dir', rejectDir, '--accept-rejects']);
    const loaded = await verify('kv:LOADED');
    assert.equal(loaded.code, 1);
    assert.deepEqual(readFailures(failures).map((f) => `${f.kind} ${f.key.key}`), ['changed bin:blob']);
    const files = await verify(`kvjson:${dir}`);
    assert.equal(files.code, 0, files.stdout + files.stderr);
    const proven = summary(files.stdout);
    assert.deepEqual([proven.totals.sourceRows, proven.totals.rejected, proven.totals.mismatches], [18, 4, 0]);
  });

  test('match= and prefix= in the URL: only the matching keys, written under the new prefix, verified through the inverse', async () => {
    const dir = path.join(project.dir, 'bulk-users');
    const from = `${URL}?match=user:*&prefix=user:=u:`;
    const r = await cli(['copy', '--from', from, '--to', `kvjson:${dir}`, '--json', '--accept-rejects', '--reject-dir', path.join(project.dir, 'rejects-users')]);
    assert.equal(r.code, 0, r.stderr);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { files: { file: string }[] };
    const keys = readFileSync(path.join(dir, manifest.files[0].file), 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l.replace(/,$/, '')) as { key: string }).key);
    assert.deepEqual(keys, ['u:1']);
    const v = await cli(['verify', '--from', from, '--to', `kvjson:${dir}`, '--json', '--failures', path.join(project.dir, 'failures-users.jsonl')]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.equal(summary(v.stdout).totals.sourceRows, 1);
  });

  test('bad input: one line, exit 2, the password never shown', async () => {
    const down = await cli(['copy', '--from', 'redis://:s3cr%40t-pw@127.0.0.1:1/9', '--to', 'kv:CACHE']);
    assert.equal(down.code, 2);
    assert.match(down.stderr, /cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1\/9: connection refused/);
    assert.doesNotMatch(down.stderr + down.stdout, /s3cr/);
    const d1 = await cli(['copy', '--from', URL, '--to', 'sqlite:out.sqlite']);
    assert.equal(d1.code, 2);
    assert.match(d1.stderr, /takes tables/);
    const binding = await cli(['copy', '--from', URL, '--to', 'kv:NOPE']);
    assert.equal(binding.code, 2);
    assert.match(binding.stderr, /no KV binding 'NOPE'.*CACHE, LOADED/);
    const ttl = await cli(['copy', '--from', `${URL}?short-ttl=never`, '--to', 'kv:CACHE']);
    assert.equal(ttl.code, 2);
    assert.match(ttl.stderr, /short-ttl=never: use round-up, skip, drop/);
    const word = await cli(['copy', '--from', `${URL}?limit=3`, '--to', 'kv:CACHE']);
    assert.equal(word.code, 2);
    assert.match(word.stderr, /unknown option 'limit' in the Redis URL/);
  });
});

describe('Redis value shapes and their inverse', () => {
  const b = (s: string) => Buffer.from(s);
  const cases: RedisValue[] = [
    { type: 'string', value: BINARY },
    { type: 'hash', value: [[b('__proto__'), b('x')], [b('a'), Buffer.from([0xff])]] },
    { type: 'list', value: [b('b'), b('a'), b('b')] },
    { type: 'set', value: [b('a'), b('é')] },
    { type: 'zset', value: [[b('m'), '-inf'], [b('n'), '0.10000000000000001'], [b('o'), 'inf']] },
    { type: 'stream', value: [['1-0', [b('f'), b('v')]]] },
  ];
  for (const v of cases) {
    test(`${v.type}: fromKv(toKv(v)) is v`, () => {
      const kv = toKv(v);
      const back = fromKv(kv.bytes, kv.metadata);
      const norm = (x: RedisValue) => JSON.stringify(x, (_k, val) => (val?.type === 'Buffer' ? Buffer.from(val.data).toString('hex') : val));
      if (v.type === 'zset' && back.type === 'zset') {
        // Scores compare as numbers: "0.10000000000000001" is the double 0.1 written back as "0.1".
        assert.deepEqual(back.value.map(([m, s]) => [m.toString(), Number(s)]), v.value.map(([m, s]) => [m.toString(), Number(s)]));
      } else assert.equal(norm(back), norm(v));
    });
  }
});

// The source's rule options and what plan sees beyond the keyspace, on a small fixture of their
// own (database 14): short-ttl=skip and =drop, skip= patterns, types= with streams and
// HyperLogLogs copied in their documented shapes, pub/sub channels in use, and rediss:// through a
// TLS terminator in front of the same server. kvjson targets: no wrangler needed.
describe('Redis rule options, pub/sub and TLS (real Redis db 14)', () => {
  const URL14 = redisUrl(14);
  let redis: Redis;
  const work = mkdtempSync(path.join(os.tmpdir(), 'flarelift-redis-rules-'));
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { cwd: work, env: { ...testEnv(), ...env } });
  interface Pair {
    key: string;
    value: string;
    base64?: boolean;
    expiration?: number;
    metadata: { redis: string; encoding?: string };
  }
  const pairs = (dir: string): Map<string, Pair> => {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { files: { file: string }[] };
    const lines = manifest.files.flatMap((f) => readFileSync(path.join(dir, f.file), 'utf8').split('\n').filter((l) => l.startsWith('{')));
    return new Map(lines.map((l) => JSON.parse(l.replace(/,$/, '')) as Pair).map((p) => [p.key, p]));
  };
  type Copied = { tables: { read: number; written: number; rejected: number; skippedByRule?: number }[]; notes: string[] };
  const copyInto = async (from: string, name: string) => {
    const dir = path.join(work, name);
    const r = await cli(['copy', '--from', from, '--to', `kvjson:${dir}`, '--json', '--reject-dir', path.join(work, `${name}-rejects`)]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const verify = await cli(['verify', '--from', from, '--to', `kvjson:${dir}`, '--json', '--accept-rejects', '--reject-dir', path.join(work, `${name}-rejects`), '--failures', path.join(work, `${name}-failures.jsonl`)]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    return { copied: JSON.parse(r.stdout.trim().split('\n').pop()!) as Copied, pairs: pairs(dir), verified: summary(verify.stdout) };
  };

  before(async () => {
    redis = await freshRedis(14);
    await redis.set('plain', 'hello');
    await redis.set('ttl:short', 'soon gone', 'EX', 50);
    await redis.set('ttl:long', 'an hour', 'EX', 3600);
    await redis.set('tmp:a', 'scratch');
    await redis.set('tmp:b', 'scratch');
    await redis.xadd('events', '1700000000000-0', 'kind', 'signup');
    await redis.xadd('events', '1700000000001-0', 'kind', 'login', 'user', 'ann');
    await redis.pfadd('visitors', 'u1', 'u2', 'u3');
  });
  after(async () => {
    await redis.flushdb();
    redis.disconnect();
    rmSync(work, { recursive: true, force: true });
  });

  test('short-ttl=skip, skip=tmp:* and types= with stream and hyperloglog: streams and HyperLogLogs copied in their documented shapes, the rest counted as skipped', async () => {
    const { copied, pairs: got, verified } = await copyInto(`${URL14}?short-ttl=skip&skip=tmp:*&types=string,hash,list,set,zset,stream,hyperloglog`, 'skip');
    const [t] = copied.tables;
    assert.deepEqual([t.read, t.written, t.rejected, t.skippedByRule], [7, 4, 0, 3], 'read = written + skipped');
    assert.ok(copied.notes.includes('keys skipped by skip=: 2'), copied.notes.join('\n'));
    assert.ok(copied.notes.includes('keys skipped for a TTL under 60 s (short-ttl=skip): 1'), copied.notes.join('\n'));
    assert.deepEqual([...got.keys()].sort(), ['events', 'plain', 'ttl:long', 'visitors']);
    assert.deepEqual(got.get('events')!.metadata, { redis: 'stream' });
    assert.deepEqual(JSON.parse(got.get('events')!.value), [
      ['1700000000000-0', ['kind', 'signup']],
      ['1700000000001-0', ['kind', 'login', 'user', 'ann']],
    ]);
    const hll = got.get('visitors')!;
    assert.deepEqual(hll.metadata, { redis: 'hyperloglog' });
    const hllBytes = await redis.getBuffer('visitors');
    assert.ok(Buffer.from(hll.value, hll.base64 ? 'base64' : 'utf8').equals(hllBytes!), 'the HyperLogLog as its bytes');
    // Written back, the bytes are a HyperLogLog again, with its count.
    await redis.set('visitors:back', Buffer.from(hll.value, hll.base64 ? 'base64' : 'utf8'));
    assert.equal(await redis.pfcount('visitors:back'), 3);
    await redis.del('visitors:back');
    assert.deepEqual([verified.totals.sourceRows, verified.totals.rejected, verified.totals.mismatches], [7, 3, 0]);
  });

  test('short-ttl=drop and repeated skip=: the short-TTL key written without an expiration, the long one keeps its own, streams and HyperLogLogs skipped by default', async () => {
    await redis.set('ttl:short', 'soon gone', 'EX', 50);
    const { copied, pairs: got, verified } = await copyInto(`${URL14}?short-ttl=drop&skip=tmp:a&skip=tmp:b`, 'drop');
    const [t] = copied.tables;
    assert.deepEqual([t.read, t.written, t.skippedByRule], [7, 3, 4]);
    assert.ok(copied.notes.includes('TTLs under 60 s dropped (short-ttl=drop): 1'), copied.notes.join('\n'));
    assert.ok(copied.notes.includes('keys skipped by skip=: 2'), copied.notes.join('\n'));
    assert.ok(copied.notes.some((n) => /^keys skipped by type .*: 2$/.test(n)), copied.notes.join('\n'));
    assert.deepEqual([...got.keys()].sort(), ['plain', 'ttl:long', 'ttl:short']);
    assert.equal(got.get('ttl:short')!.expiration, undefined, 'short TTL dropped');
    assert.equal(got.get('ttl:short')!.value, 'soon gone');
    assert.ok(Math.abs(got.get('ttl:long')!.expiration! - (Date.now() / 1000 + 3600)) < 60, 'the long TTL carried');
    assert.equal(verified.totals.mismatches, 0);
  });

  test('plan --json names the pub/sub channels in use (kv-pubsub) while a client is subscribed, and not after', async () => {
    const channels = ['fl_g9:chat', 'fl_g9:orders'];
    const sub = new RedisClient({ host: '127.0.0.1', port: 6379, db: 14 });
    try {
      await sub.subscribe(...channels);
      const r = await cli(['plan', '--from', URL14, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const plan = JSON.parse(r.stdout) as { findings: { code: string; keys: string[]; fix: string; severity: string }[]; keyspace: { pubsubChannels: string[] } };
      const f = plan.findings.find((x) => x.code === 'kv-pubsub');
      assert.ok(f, 'kv-pubsub finding');
      assert.equal(f.severity, 'warning');
      for (const c of channels) assert.ok(f.keys.includes(c) && plan.keyspace.pubsubChannels.includes(c), c);
      assert.match(f.fix, /Durable Object|Queues/);
      await sub.unsubscribe(...channels);
    } finally {
      sub.disconnect();
    }
    const later = await cli(['plan', '--from', URL14, '--json']);
    const left = (JSON.parse(later.stdout) as { keyspace: { pubsubChannels: string[] } }).keyspace.pubsubChannels;
    assert.ok(!left.some((c) => c.startsWith('fl_g9:')), 'no channel of ours once unsubscribed');
  });

  test('rediss:// speaks TLS: plan reads the keyspace through a TLS terminator in front of the server (its certificate trusted through NODE_EXTRA_CA_CERTS)', async () => {
    const key = path.join(work, 'tls.key');
    const cert = path.join(work, 'tls.crt');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    let handshakes = 0;
    const server = tls.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (socket) => {
      handshakes++;
      const upstream = net.connect(6379, '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      const end = () => {
        socket.destroy();
        upstream.destroy();
      };
      socket.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const r = await cli(['plan', '--from', `rediss://127.0.0.1:${port}/14`, '--json'], { NODE_EXTRA_CA_CERTS: cert });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '', 'no warning either (no SNI for an IP address)');
      assert.equal((JSON.parse(r.stdout) as { keyspace: { keys: number } }).keyspace.keys, 7);
      assert.ok(handshakes > 0, 'the connection went through TLS');
      // Without trusting the certificate: one line, exit 2.
      const untrusted = await cli(['plan', '--from', `rediss://127.0.0.1:${port}/14`]);
      assert.equal(untrusted.code, 2, untrusted.stdout + untrusted.stderr);
      assert.equal(untrusted.stderr.trim().split('\n').length, 1, untrusted.stderr);
      assert.match(untrusted.stderr, /its TLS certificate is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\) — give Node its CA with NODE_EXTRA_CA_CERTS/);
    } finally {
      server.close();
    }
  });
});
