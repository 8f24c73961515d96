// `node --import tsx bench/verify-bench.ts [--rows N] [--jobs N] [--chunk-rows N] [--runs N] [--keep | --work DIR]`:
// flarelift verify, PostgreSQL -> local D1, on copy-bench's table of N rows (default 1,000,000;
// database flarelift_bench, table bench_rows_<N>: run `npm run bench [-- --rows N]` once to
// create it). flarelift copy fills the local D1 of a temp Worker project, then `flarelift
// verify` runs as a user would (the CLI in a child process; the bin runs dist/ when its build is
// fresh); the rate is source rows per second, with the process's peak RSS. Each run is made
// twice: as verify runs by default (chunks digested by PostgreSQL and the target's SQLite) and
// with FLARELIFT_VERIFY_BY_ROWS=1 (every row read, cast and hashed by flarelift: the way verify
// worked before), so both figures come from the same run of the same machine.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
// @ts-expect-error plain JS beside the bin, without types
import { chooseEntry } from '../bin/entry.js';

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
/** --work <dir>: a directory kept by an earlier --keep run, whose local D1 already holds the table (no copy). */
const reuse = process.argv.includes('--work') ? process.argv[process.argv.indexOf('--work') + 1] : undefined;
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

/** Makes the process report its peak RSS (worker threads included) on stderr as it exits. */
const RSS_PROBE = `data:text/javascript,process.on('exit',()=>process.stderr.write('flarelift-maxrss-kb='+process.resourceUsage().maxRSS+'\\n'))`;

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; code: number | null; stdout: string; stderr: string; rssMb: number }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--import', RSS_PROBE, CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, code, stdout, stderr, rssMb: Number(/flarelift-maxrss-kb=(\d+)/.exec(stderr)?.[1]) / 1024 }),
    );
  });
}

async function main(): Promise<void> {
  const rows = await sourceRows();
  const choice = chooseEntry(ROOT);
  const entry = `${choice.run} (${choice.why})`;
  const work = reuse ?? mkdtempSync(path.join(os.tmpdir(), 'flarelift-verify-bench-'));
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', FLARELIFT_WRANGLER: path.join(ROOT, 'node_modules/.bin/wrangler'), CI: '1' };
  try {
    const config = path.join(work, 'wrangler.jsonc');
    writeFileSync(config, JSON.stringify({ name: 'bench', compatibility_date: '2025-01-01', d1_databases: [{ binding: 'DB', database_name: 'bench', database_id: '00000000-0000-4000-8000-000000000002' }] }));
    const common = ['--from', url, '--to', 'd1:bench', '--config', config, '--tables', TABLE, '--jobs', String(jobs), '--reject-dir', path.join(work, 'rejects')];
    if (!reuse) {
      console.log(`copying ${fmt(rows)} rows of ${TABLE} into a local D1…`);
      const copied = await cli(['copy', ...common, '--json'], env);
      if (copied.code !== 0) throw new Error(`flarelift copy failed (${copied.code}): ${copied.stderr.slice(-2000)}`);
    }
    interface Run {
      tableMs: number;
      wallMs: number;
      rssMb: number;
      method: string;
      server: boolean;
    }
    const ways = [
      { name: 'server digests (default)', env },
      { name: 'rows hashed by flarelift (FLARELIFT_VERIFY_BY_ROWS=1, before)', env: { ...env, FLARELIFT_VERIFY_BY_ROWS: '1' } },
    ];
    const results = new Map<string, Run[]>(ways.map((w) => [w.name, []]));
    // Alternated, so a burst of load on the shared machine falls on both ways alike.
    for (let i = 0; i < runs; i++) {
      for (const way of ways) {
        const run = await cli(['verify', ...common, '--chunk-rows', String(chunkRows), '--failures', path.join(work, 'failures.jsonl'), '--json'], way.env);
        if (run.code !== 0) throw new Error(`flarelift verify exited ${run.code}: ${run.stdout.slice(-1000)} ${run.stderr.slice(-1000)}`);
        const summary = JSON.parse(run.stdout.trim().split('\n').pop()!) as { tables: { ms: number; method: string; serverDigests?: boolean }[] };
        const t = summary.tables[0];
        results.get(way.name)!.push({ tableMs: t.ms, wallMs: run.ms, rssMb: run.rssMb, method: t.method, server: t.serverDigests === true });
      }
    }
    const rate = (ms: number) => Math.round((rows * 1000) / ms);
    console.log('');
    console.log(`rows: ${fmt(rows)} (9 columns), PostgreSQL -> local D1, --chunk-rows ${fmt(chunkRows)}, ${os.cpus().length} CPUs, best of ${runs} runs each, the bin running ${entry}`);
    const best: Record<string, Run> = {};
    for (const way of ways) {
      const all = results.get(way.name)!;
      const b = all.reduce((a, c) => (c.tableMs < a.tableMs ? c : a));
      best[way.name] = b;
      console.log(`flarelift verify, ${way.name}${b.server ? '' : ` (${b.method})`}:`);
      console.log(`  ${fmt(rate(b.tableMs))} rows/s over the table (${(b.tableMs / 1000).toFixed(1)} s); ${fmt(rate(b.wallMs))} rows/s over the whole process (${(b.wallMs / 1000).toFixed(1)} s, startup included)`);
      console.log(`  peak RSS ${fmt(Math.round(Math.max(...all.map((r) => r.rssMb))))} MB (highest of the runs); all runs, table seconds: ${all.map((r) => (r.tableMs / 1000).toFixed(1)).join(', ')}`);
    }
    const [now, before] = ways.map((w) => best[w.name]);
    console.log(`server digests against rows hashed by flarelift: ${(before.tableMs / now.tableMs).toFixed(2)} x over the table, ${(before.wallMs / now.wallMs).toFixed(2)} x over the whole process; ` +
      `target 350,000 rows/s over the table: ${(rate(now.tableMs) / 350_000).toFixed(2)} of it`);
    if (keep) console.log(`kept ${work}`);
  } finally {
    if (!keep && !reuse) rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
