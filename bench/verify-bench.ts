// `node --import tsx bench/verify-bench.ts [--rows N] [--jobs N] [--chunk-rows N] [--runs N] [--keep]`:
// flarelift verify, PostgreSQL -> local D1, on copy-bench's table of N rows (default 1,000,000;
// database flarelift_bench, table bench_rows_<N>: run `npm run bench [-- --rows N]` once to
// create it). flarelift copy fills the local D1 of a temp Worker project, then `flarelift
// verify` runs as a user would (the CLI in a child process); the rate is source rows per second.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin/flarelift.js');
const DB = 'flarelift_bench';
const host = process.env.PGHOST ?? '127.0.0.1';
const port = process.env.PGPORT ?? '5432';
const user = process.env.PGUSER ?? 'postgres';
const url = `postgres://${user}@${host}:${port}/${DB}`;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const TABLE = `bench_rows_${arg('--rows', 1_000_000)}`; // copy-bench's name for the table of that size
const jobs = arg('--jobs', 2);
const chunkRows = arg('--chunk-rows', 10_000);
const runs = arg('--runs', 3);
const keep = process.argv.includes('--keep');
const fmt = (n: number) => n.toLocaleString('en-US');

async function sourceRows(): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
    return Number((await c.query(`SELECT count(*) AS n FROM ${TABLE}`)).rows[0].n);
  } catch (e) {
    throw new Error(`${DB}.${TABLE} is not there (${(e as Error).message}): run \`npm run bench\` (with the same --rows) first to create it`);
  } finally {
    await c.end().catch(() => undefined);
  }
}

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, code, stdout, stderr }));
  });
}

async function main(): Promise<void> {
  const rows = await sourceRows();
  const work = mkdtempSync(path.join(os.tmpdir(), 'flarelift-verify-bench-'));
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', FLARELIFT_WRANGLER: path.join(ROOT, 'node_modules/.bin/wrangler'), CI: '1' };
  try {
    const config = path.join(work, 'wrangler.jsonc');
    writeFileSync(config, JSON.stringify({ name: 'bench', compatibility_date: '2025-01-01', d1_databases: [{ binding: 'DB', database_name: 'bench', database_id: '00000000-0000-4000-8000-000000000002' }] }));
    const common = ['--from', url, '--to', 'd1:bench', '--config', config, '--tables', TABLE, '--jobs', String(jobs), '--reject-dir', path.join(work, 'rejects')];
    console.log(`copying ${fmt(rows)} rows of ${TABLE} into a local D1…`);
    const copied = await cli(['copy', ...common, '--json'], env);
    if (copied.code !== 0) throw new Error(`flarelift copy failed (${copied.code}): ${copied.stderr.slice(-2000)}`);
    const results: { tableMs: number; wallMs: number; method: string; chunks: number }[] = [];
    for (let i = 0; i < runs; i++) {
      const run = await cli(['verify', ...common, '--chunk-rows', String(chunkRows), '--failures', path.join(work, 'failures.jsonl'), '--json'], env);
      if (run.code !== 0) throw new Error(`flarelift verify exited ${run.code}: ${run.stdout.slice(-1000)} ${run.stderr.slice(-1000)}`);
      const summary = JSON.parse(run.stdout.trim().split('\n').pop()!) as { tables: { ms: number; method: string }[] };
      results.push({ tableMs: summary.tables[0].ms, wallMs: run.ms, method: summary.tables[0].method, chunks: Math.ceil(rows / chunkRows) });
    }
    const best = results.reduce((a, b) => (b.tableMs < a.tableMs ? b : a));
    console.log('');
    console.log(`rows: ${fmt(rows)} (9 columns), PostgreSQL -> local D1, --chunk-rows ${fmt(chunkRows)}, ${os.cpus().length} CPUs, best of ${runs} runs`);
    console.log(`flarelift verify (${best.method}): ${fmt(Math.round((rows * 1000) / best.tableMs))} rows/s over the table (${(best.tableMs / 1000).toFixed(1)} s); ` +
      `${fmt(Math.round((rows * 1000) / best.wallMs))} rows/s over the whole process (${(best.wallMs / 1000).toFixed(1)} s, startup included)`);
    console.log(`all runs, table seconds: ${results.map((r) => (r.tableMs / 1000).toFixed(1)).join(', ')}`);
    if (keep) console.log(`kept ${work}`);
  } finally {
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
