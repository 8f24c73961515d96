// `node --import tsx bench/verify-bench.ts [--rows N] [--jobs N] [--chunk-rows N] [--keep]`: flarelift
// verify, PostgreSQL -> local D1, on copy-bench's table of N rows (default 1,000,000; database
// flarelift_bench, table bench_rows_<N>: run `npm run bench [-- --rows N]` once to create it). The local D1 is produced by flarelift copy
// in a temp Worker project, then verified; the rate is source rows per second of the verify.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { copy } from '../src/pipeline/copy.js';
import { verify } from '../src/verify/verify.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
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
const keep = process.argv.includes('--keep');
const fmt = (n: number) => n.toLocaleString('en-US');

async function sourceRows(): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
    return Number((await c.query(`SELECT count(*) AS n FROM ${TABLE}`)).rows[0].n);
  } catch (e) {
    throw new Error(`${DB}.${TABLE} is not there (${(e as Error).message}): run \`npm run bench\` first to create it`);
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const rows = await sourceRows();
  const work = mkdtempSync(path.join(os.tmpdir(), 'flarelift-verify-bench-'));
  process.env.WRANGLER_SEND_METRICS = 'false';
  process.env.FLARELIFT_WRANGLER ??= path.join(ROOT, 'node_modules/.bin/wrangler');
  try {
    const config = path.join(work, 'wrangler.jsonc');
    writeFileSync(config, JSON.stringify({ name: 'bench', compatibility_date: '2025-01-01', d1_databases: [{ binding: 'DB', database_name: 'bench', database_id: '00000000-0000-4000-8000-000000000002' }] }));
    const common = { from: url, to: 'd1:bench', config, cwd: work, tables: [TABLE], jobs, rejectDir: path.join(work, 'rejects') };
    console.log(`copying ${fmt(rows)} rows of ${TABLE} into a local D1…`);
    const copied = await copy(common);
    if (copied.status !== 'complete') throw new Error(`copy ended ${copied.status}`);
    const started = process.hrtime.bigint();
    const summary = await verify({ ...common, chunkRows, failuresFile: path.join(work, 'failures.jsonl') });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const table = summary.tables[0];
    console.log('');
    console.log(`rows: ${fmt(rows)} (9 columns), PostgreSQL -> local D1, --jobs ${jobs}, --chunk-rows ${fmt(chunkRows)}, ${os.cpus().length} CPUs`);
    console.log(`flarelift verify: ${summary.ok ? 'ok' : 'MISMATCH'}, ${fmt(table.mismatches)} mismatches, method ${table.method}, ${table.chunks} chunks`);
    console.log(`verify rate: ${fmt(Math.round((table.sourceRows * 1000) / table.ms))} rows/s over the table (${(table.ms / 1000).toFixed(1)} s); ` +
      `${fmt(Math.round((table.sourceRows * 1000) / wallMs))} rows/s over the whole call (${(wallMs / 1000).toFixed(1)} s, plan and snapshot included)`);
    console.log(`peak RSS of this process (copy included): ${fmt(Math.round(process.resourceUsage().maxRSS / 1024))} MB`);
    if (keep) console.log(`kept ${work}`);
  } finally {
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
