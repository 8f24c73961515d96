// `npm run bench` (third part): the way back, local D1 -> PostgreSQL, for the copy benchmark's
// table: flarelift copy --from d1: into a database it creates the table in, next to Debian's
// pgloader loading the same SQLite file into PostgreSQL, both measured in this run. The D1 file is
// made first by a forward copy of the benchmark table (kept between runs in flarelift_bench).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { localD1Path } from '../src/cloudflare/local-state.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rowsArg = process.argv.indexOf('--rows');
const rows = rowsArg >= 0 ? Number(process.argv[rowsArg + 1]) : 1_000_000;
const TABLE = `bench_rows_${rows}`;
const host = process.env.PGHOST ?? '127.0.0.1';
const port = process.env.PGPORT ?? '5432';
const user = process.env.PGUSER ?? 'postgres';
const url = (db: string) => `postgres://${user}@${host}:${port}/${db}`;
const BACK = 'flarelift_bench_back';
const PGLOADER = 'flarelift_bench_pgloader';

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ ms: number; code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, code, out }));
  });
}

function freshDb(db: string): void {
  const psql = ['-h', host, '-p', port, '-U', user, '-d', 'postgres', '-qc'];
  spawnSync('psql', [...psql, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`]);
  spawnSync('psql', [...psql, `CREATE DATABASE ${db}`]);
}

const perSecond = (n: number, ms: number) => Math.round((n * 1000) / ms).toLocaleString('en-US');

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'flarelift-bench-back-'));
  try {
    const config = path.join(work, 'wrangler.jsonc');
    writeFileSync(config, JSON.stringify({ name: 'bench', compatibility_date: '2025-01-01', d1_databases: [{ binding: 'DB', database_name: 'bench', database_id: '00000000-0000-4000-8000-000000000002' }] }));
    const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' };
    const cli = path.join(ROOT, 'bin/flarelift.js');
    const there = await run(process.execPath, [cli, 'copy', '--from', url('flarelift_bench'), '--to', 'd1:bench', '--config', config, '--tables', TABLE, '--reject-dir', path.join(work, 'rej')], env);
    if (there.code !== 0) throw new Error(`forward copy failed: ${there.out.slice(-2000)}`);

    freshDb(BACK);
    const back = await run(process.execPath, [cli, 'copy', '--from', `d1:bench?config=${encodeURIComponent(config)}`, '--to', url(BACK), '--json', '--reject-dir', path.join(work, 'rej-back')], env);
    if (back.code !== 0) throw new Error(`reverse copy failed: ${back.out.slice(-2000)}`);
    const verify = await run(process.execPath, [cli, 'verify', '--from', `d1:bench?config=${encodeURIComponent(config)}`, '--to', url(BACK)], env);

    console.log('');
    console.log(`rows: ${rows.toLocaleString('en-US')} (9 columns), local D1 -> PostgreSQL (flarelift creates the table)`);
    console.log(`flarelift copy --from d1: (COPY FROM): ${perSecond(rows, back.ms)} rows/s (${(back.ms / 1000).toFixed(1)} s, whole process); verify ${verify.code === 0 ? 'proven' : 'FAILED'} in ${(verify.ms / 1000).toFixed(1)} s`);
    if (spawnSync('pgloader', ['--version']).status === 0) {
      freshDb(PGLOADER);
      const file = localD1Path({ configPath: config, database: 'bench' });
      const pgl = await run('pgloader', [`sqlite://${file}`, `pgsql://${user}@${host}:${port}/${PGLOADER}`]);
      if (pgl.code !== 0) throw new Error(`pgloader failed: ${pgl.out.slice(-2000)}`);
      console.log(`pgloader SQLite -> PostgreSQL of the same file: ${perSecond(rows, pgl.ms)} rows/s (${(pgl.ms / 1000).toFixed(1)} s)`);
      console.log(`ratio: flarelift / pgloader = ${(pgl.ms / back.ms).toFixed(2)} (above 1: flarelift is faster)`);
    } else {
      console.log('pgloader: not installed (apt-get install -y pgloader): no baseline');
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    for (const db of [BACK, PGLOADER]) spawnSync('psql', ['-h', host, '-p', port, '-U', user, '-d', 'postgres', '-qc', `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`]);
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
