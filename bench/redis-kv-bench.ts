// `npm run bench [-- --keys N]`: flarelift copy, Redis -> local KV (through Miniflare, where
// wrangler reads it), for N keys (default 200,000: nine in ten strings, one in ten hashes, one in
// ten with a TTL), run as a user would (the CLI in a child process, its peak RSS), next to the
// source's own speed measured in the same run: `redis-cli --scan` into /dev/null.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const keysArg = process.argv.indexOf('--keys');
const KEYS = keysArg >= 0 ? Number(process.argv[keysArg + 1]) : 200_000;
const host = process.env.REDIS_HOST ?? '127.0.0.1';
const port = Number(process.env.REDIS_PORT ?? 6379);
const DB = 11; // this project's bench database index (shared with tests of issue 9 — not run at the same time)

function timed(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; stdoutFile?: string } = {}): Promise<{ ms: number; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const out = options.stdoutFile ? openSync(options.stdoutFile, 'w') : 'pipe';
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { env: options.env ?? process.env, stdio: ['ignore', out, 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (typeof out === 'number') closeSync(out);
      resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, code, stdout, stderr });
    });
  });
}

async function ensureKeys(): Promise<void> {
  const r = new Redis({ host, port, db: DB });
  try {
    if ((await r.dbsize()) === KEYS) return;
    console.log(`filling Redis db ${DB} with ${KEYS.toLocaleString('en-US')} keys…`);
    await r.flushdb();
    for (let start = 0; start < KEYS; start += 10_000) {
      const p = r.pipeline();
      for (let i = start; i < Math.min(KEYS, start + 10_000); i++) {
        if (i % 10 === 0) p.hset(`user:${i}`, 'name', `user ${i}`, 'email', `user${i}@example.com`, 'n', String(i));
        else if (i % 10 === 1) p.set(`session:${i}`, `token-${i}-${'s'.repeat(32)}`, 'EX', 7200);
        else p.set(`cache:${i}`, `value ${i} ${'x'.repeat(i % 100)}`);
      }
      await p.exec();
    }
  } finally {
    r.disconnect();
  }
}

const perSecond = (n: number, ms: number) => Math.round((n * 1000) / ms);
const fmt = (n: number) => n.toLocaleString('en-US');

async function main(): Promise<void> {
  await ensureKeys();
  const work = mkdtempSync(path.join(os.tmpdir(), 'flarelift-bench-kv-'));
  try {
    writeFileSync(path.join(work, 'wrangler.jsonc'), JSON.stringify({ name: 'bench', compatibility_date: '2025-01-01', kv_namespaces: [{ binding: 'CACHE', id: 'bench0000000000000000000000000001' }] }));
    const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' };
    const cli = [path.join(ROOT, 'bin/flarelift.js'), 'copy', '--from', `redis://${host}:${port}/${DB}`, '--to', 'kv:CACHE', '--config', path.join(work, 'wrangler.jsonc'), '--json', '--reject-dir', path.join(work, 'rejects')];
    // Peak RSS of flarelift's own process (the probe), and of it with the workerd it starts
    // (GNU time's figure covers the children it waited for).
    const gnuTime = existsSync('/usr/bin/time');
    const rssProbe = `data:text/javascript,process.on('exit',()=>process.stderr.write('flarelift-maxrss-kb='+process.resourceUsage().maxRSS+'\\n'))`;
    const node = [process.execPath, '--import', rssProbe, ...cli];
    const copy = gnuTime ? await timed('/usr/bin/time', ['-v', ...node], { env }) : await timed(node[0], node.slice(1), { env });
    if (copy.code !== 0) throw new Error(`flarelift copy failed (${copy.code}): ${copy.stderr.slice(-2000)}`);
    const summary = JSON.parse(copy.stdout.trim().split('\n').pop()!) as { tables: { written: number; read: number; ms: number }[] };
    const ks = summary.tables[0];
    if (ks.read !== KEYS || ks.written !== KEYS) throw new Error(`copied ${ks.written} of ${KEYS} keys`);
    const rssKb = Number(/flarelift-maxrss-kb=(\d+)/.exec(copy.stderr)?.[1]);
    const treeKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(copy.stderr)?.[1]);

    const scan = await timed('redis-cli', ['-h', host, '-p', String(port), '-n', String(DB), '--scan'], { stdoutFile: '/dev/null' });
    if (scan.code !== 0) throw new Error(`redis-cli --scan failed: ${scan.stderr}`);

    const rate = perSecond(KEYS, ks.ms);
    const scanRate = perSecond(KEYS, scan.ms);
    console.log('');
    console.log(`keys: ${fmt(KEYS)}, Redis -> local KV (Miniflare), ${os.cpus().length} CPUs`);
    console.log(`flarelift copy: ${fmt(rate)} keys/s over the keyspace (${(ks.ms / 1000).toFixed(1)} s); ${fmt(perSecond(KEYS, copy.ms))} keys/s over the whole process (${(copy.ms / 1000).toFixed(1)} s)`);
    const mb = (kb: number) => (Number.isFinite(kb) ? `${fmt(Math.round(kb / 1024))} MB` : 'unknown');
    console.log(`flarelift peak RSS: ${mb(rssKb)} (its own process); ${mb(treeKb)} with the workerd holding the local namespace (largest of the process and the children it waited for, /usr/bin/time -v)`);
    console.log(`redis-cli --scan > /dev/null: ${fmt(scanRate)} keys/s (${(scan.ms / 1000).toFixed(2)} s)`);
    console.log(`ratio: flarelift / redis-cli --scan = ${(rate / scanRate).toFixed(3)}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
