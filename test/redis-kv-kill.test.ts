// Resume after the worst, for a keyspace: a CLI copy of 200,000 Redis keys (database 10) into a
// local KV is killed with SIGKILL at several points and interrupted once with Ctrl-C (SIGINT),
// then finished with --resume. SCAN order is not stable across runs, so this checks that the
// journal — not a cursor — makes the resume exact: the final counts are read = written =
// 200,000 (nothing counted twice), and verify proves every key, value and expiration equal.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { CLI, testEnv } from './helpers/copy-project.js';
import { freshRedis, makeKvProject, redisUrl, type KvProject } from './helpers/redis-kv.js';

const KEYS = 200_000;
const URL = redisUrl(10);

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  last?: Record<string, unknown>;
  progress: number;
}

function runCopy(p: KvProject, args: string[], stop?: { after: number; signal: NodeJS.Signals }): Promise<Run> {
  const child = spawn(process.execPath, [CLI, 'copy', '--from', URL, '--to', 'kv:CACHE', '--json', '--batch-size', '2000', '--reject-dir', path.join(p.dir, 'rejects'), ...args], {
    cwd: p.dir,
    env: testEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffer = '';
  let progress = 0;
  let last: Record<string, unknown> | undefined;
  child.stderr.resume();
  child.stdout.on('data', (d) => {
    buffer += d;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const e = JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>;
      buffer = buffer.slice(nl + 1);
      last = e;
      if (e.event === 'progress' && stop && ++progress === stop.after) {
        // SIGKILL is a crash of the whole machine's work: the local KV's workerd goes at the same
        // instant (flarelift's watch would kill it a moment later; r2-bucket.test.ts tests that).
        if (stop.signal === 'SIGKILL') for (const pid of childPids(child.pid!)) process.kill(pid, 'SIGKILL');
        child.kill(stop.signal);
      }
    }
  });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, last, progress })));
}

function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map((l) => Number(l.trim())).filter((n) => n > 0);
  } catch {
    return [];
  }
}

async function fill(r: Redis): Promise<void> {
  for (let start = 0; start < KEYS; start += 10_000) {
    const p = r.pipeline();
    for (let i = start; i < start + 10_000; i++) {
      if (i % 10 === 0) p.hset(`user:${i}`, 'name', `user ${i}`, 'n', String(i));
      else if (i % 10 === 1) p.set(`session:${i}`, `token-${i}`, 'EX', 7200);
      else p.set(`cache:${i}`, `value ${i} ${'x'.repeat(i % 50)}`);
    }
    await p.exec();
  }
}

describe('copy of 200,000 Redis keys into local KV: SIGKILL and Ctrl-C, then --resume', () => {
  let redis: Redis;
  let project: KvProject;

  before(async () => {
    redis = await freshRedis(10);
    await fill(redis);
    project = makeKvProject(['CACHE']);
  });
  after(async () => {
    await redis.flushdb();
    redis.disconnect();
  });

  test('killed three times and interrupted once, the resumed copy equals the source', async () => {
    const first = await runCopy(project, [], { after: 5, signal: 'SIGKILL' });
    assert.equal(first.signal, 'SIGKILL');
    const plain = await runCopy(project, []);
    assert.equal(plain.code, 2, 'an unfinished copy is refused without --resume');
    for (const after of [10, 20]) {
      const killed = await runCopy(project, ['--resume'], { after, signal: 'SIGKILL' });
      assert.equal(killed.signal, 'SIGKILL');
    }
    const interrupted = await runCopy(project, ['--resume'], { after: 5, signal: 'SIGINT' });
    assert.equal(interrupted.code, 130);
    assert.equal((interrupted.last as { status?: string }).status, 'interrupted');

    const done = await runCopy(project, ['--resume']);
    assert.equal(done.code, 0);
    const summary = done.last as { status: string; tables: { read: number; written: number; rejected: number; skippedByRule?: number }[] };
    assert.equal(summary.status, 'complete');
    assert.deepEqual([summary.tables[0].read, summary.tables[0].written, summary.tables[0].rejected, summary.tables[0].skippedByRule ?? 0], [KEYS, KEYS, 0, 0]);

    const verify = spawn(process.execPath, [CLI, 'verify', '--from', URL, '--to', 'kv:CACHE', '--json', '--failures', path.join(project.dir, 'failures.jsonl')], { cwd: project.dir, env: testEnv() });
    let out = '';
    verify.stdout.on('data', (d) => (out += d));
    verify.stderr.resume();
    const code = await new Promise((resolve) => verify.on('close', resolve));
    const result = JSON.parse(out.trim().split('\n').pop()!) as { ok: boolean; totals: { sourceRows: number; targetRows: number; mismatches: number } };
    assert.equal(code, 0, out.slice(-2000));
    assert.deepEqual([result.ok, result.totals.sourceRows, result.totals.targetRows, result.totals.mismatches], [true, KEYS, KEYS, 0]);
  });
});
