// `npm run bench -- --only sync [--rows N] [--db NAME]`: the time of a `flarelift sync` that finds
// 1% of the rows changed (updates, deletes and inserts mixed) against the time of the full copy
// it follows, all through the CLI in this run, into a local D1: first with the changes spread
// over every chunk (the worst case), then with 1% changed in one stretch of keys (recent rows),
// compared chunk by chunk and then narrowed by an updated_at column (added to the scratch copy). The benchmark table
// (flarelift_bench.bench_rows_N, made by the copy bench) is copied into a scratch database first,
// since the bench changes its rows; the scratch database is dropped at the end.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const rows = Number(arg('--rows') ?? 1_000_000);
const TABLE = `bench_rows_${rows}`; // copy-bench's table of that size
const DB = arg('--db') ?? 'flarelift_bench_sync';
const host = process.env.PGHOST ?? '127.0.0.1';
const port = process.env.PGPORT ?? '5432';
const user = process.env.PGUSER ?? 'postgres';
const url = (db: string) => `postgres://${user}@${host}:${port}/${db}`;
const PG = ['-h', host, '-p', port, '-U', user];

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, code, out, err }));
  });
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const fmt = (n: number) => n.toLocaleString('en-US');

async function main(): Promise<void> {
  const psql = (sql: string) => spawnSync('psql', [...PG, '-d', 'postgres', '-qc', sql], { encoding: 'utf8' });
  psql(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  psql(`CREATE DATABASE ${DB}`);
  const work = mkdtempSync(path.join(os.tmpdir(), 'flarelift-bench-sync-'));
  try {
    const dump = spawnSync('bash', ['-o', 'pipefail', '-c', `pg_dump ${PG.join(' ')} -t ${TABLE} flarelift_bench | psql ${PG.join(' ')} -q -d ${DB}`], { encoding: 'utf8' });
    if (dump.status !== 0) throw new Error(`flarelift_bench.${TABLE} could not be copied (${dump.stderr.slice(0, 300)}): run \`npm run bench -- --only copy\` (same --rows) first`);
    // A column saying when a row changed, so the last round can show --since narrowing (sync finds it by name).
    const alter = spawnSync('psql', [...PG, '-d', DB, '-qc', `ALTER TABLE ${TABLE} ADD COLUMN updated_at timestamptz NOT NULL DEFAULT '2020-01-01 00:00:00+00'`], { encoding: 'utf8' });
    if (alter.status !== 0) throw new Error(alter.stderr);
    const config = path.join(work, 'wrangler.jsonc');
    writeFileSync(config, JSON.stringify({ name: 'bench', compatibility_date: '2025-01-01', d1_databases: [{ binding: 'DB', database_name: 'bench', database_id: '00000000-0000-4000-8000-000000000003' }] }));
    const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' };
    const cli = path.join(ROOT, 'bin/flarelift.js');
    const to = ['--to', 'd1:bench', '--config', config, '--reject-dir', path.join(work, 'rej')];
    const copy = await run(process.execPath, [cli, 'copy', '--from', url(DB), ...to], { ...env });
    if (copy.code !== 0) throw new Error(`copy failed: ${copy.err.slice(-2000)}`);

    // 1% of the rows: 0.6% updated, 0.2% deleted, 0.2% inserted, spread over the whole key range.
    const c = new pg.Client({ connectionString: url(DB) });
    await c.connect();
    // Deletes first: an updated row deleted afterwards would count as a delete only.
    const deleted = (await c.query(`DELETE FROM ${TABLE} WHERE id % 503 = 1`)).rowCount!;
    const updated = (await c.query(`UPDATE ${TABLE} SET name = name || ' changed', qty = qty + 1, updated_at = now() WHERE id % 167 = 0`)).rowCount!;
    const inserted = (await c.query(`INSERT INTO ${TABLE} SELECT id + ${rows}, uid, 'new ' || name, qty, price, created_at, active, attrs, note, now() FROM ${TABLE} WHERE id % 500 = 7`)).rowCount!;
    await c.end();

    interface Summary {
      totals: { inserted: number; updated: number; deleted: number; chunks: number; chunksDiffering: number };
      lagMs: number;
      estimate: { ms: number; compareMs: number; applyMs: number; verifyMs: number };
      verify: { totals: { ms: number } };
    }
    const syncOnce = async (what: string, want: { inserted: number; updated: number; deleted: number }, extra: string[] = []) => {
      const sync = await run(process.execPath, [cli, 'sync', '--from', url(DB), ...to, '--json', '--failures', path.join(work, 'f.jsonl'), ...extra], env);
      if (sync.code !== 0) throw new Error(`sync failed (exit ${sync.code}): ${sync.err.slice(-2000)}${sync.out.slice(-2000)}`);
      const summary = JSON.parse(sync.out.trim().split('\n').pop()!) as Summary;
      const t = summary.totals;
      const exact = t.inserted === want.inserted && t.updated === want.updated && t.deleted === want.deleted;
      const withoutProof = sync.ms - summary.verify.totals.ms;
      console.log(`flarelift sync, ${what}: ${s(sync.ms)} whole process (compare, apply, then verify as proof); without the proof: ${s(withoutProof)}`);
      console.log(`  found ${fmt(t.inserted)} inserted, ${fmt(t.updated)} updated, ${fmt(t.deleted)} deleted ${exact ? '(exact)' : '(NOT what was changed)'}; ${fmt(t.chunksDiffering)} of ${fmt(t.chunks)} chunks differed`);
      console.log(`  lag ${s(summary.lagMs)}; estimate of a last sync with writes stopped ${s(summary.estimate.ms)} (compare ${s(summary.estimate.compareMs)}, apply ${s(summary.estimate.applyMs)}, proof ${s(summary.estimate.verifyMs)})`);
      console.log(`  ratio: sync / full copy = ${(sync.ms / copy.ms).toFixed(2)} with the proof, ${(withoutProof / copy.ms).toFixed(2)} without`);
      if (!exact) process.exitCode = 1;
    };

    console.log('');
    console.log(`rows: ${fmt(rows)} (10 columns: the bench table and an updated_at), PostgreSQL -> local D1; changed: ${fmt(updated)} updated, ${fmt(deleted)} deleted, ${fmt(inserted)} inserted (${((100 * (updated + deleted + inserted)) / rows).toFixed(2)}%)`);
    console.log(`flarelift copy (full), whole process: ${s(copy.ms)}`);
    await syncOnce('1% spread over the whole table (every chunk differs: the worst case; first sync, so every chunk is compared)', { inserted, updated, deleted });

    // The usual shape of change: recent rows. 1% in one stretch of keys and past the end, twice:
    // compared chunk by chunk (no help from the schema), then read since updated_at's mark.
    const clustered = async (round: number) => {
      const c2 = new pg.Client({ connectionString: url(DB) });
      await c2.connect();
      const step = Math.floor(rows / 500);
      const lo = Math.floor(rows / 2) + round * step * 4;
      const deleted2 = (await c2.query(`DELETE FROM ${TABLE} WHERE id > ${lo} AND id <= ${lo + step}`)).rowCount!;
      const updated2 = (await c2.query(`UPDATE ${TABLE} SET qty = qty + 1, updated_at = now() WHERE id > ${lo + step} AND id <= ${lo + step * 4}`)).rowCount!;
      const inserted2 = (await c2.query(`INSERT INTO ${TABLE} SELECT id + ${rows * (2 + round)}, uid, name, qty, price, created_at, active, attrs, note, now() FROM ${TABLE} WHERE id <= ${step}`)).rowCount!;
      await c2.end();
      console.log(`changed again: ${fmt(updated2)} updated, ${fmt(deleted2)} deleted, ${fmt(inserted2)} inserted, in one stretch of keys`);
      return { inserted: inserted2, updated: updated2, deleted: deleted2 };
    };
    await syncOnce('1% clustered, every chunk compared (--no-detect-since)', await clustered(0), ['--no-detect-since']);
    await syncOnce('1% clustered, rows read since updated_at\'s mark (keys compared by chunk for deletes)', await clustered(1));
  } finally {
    rmSync(work, { recursive: true, force: true });
    psql(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
