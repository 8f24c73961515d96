// `npm run bench [-- --rows N] [--jobs N] [--keep]`: flarelift copy, PostgreSQL -> local D1, for a
// 9-column table, measured as a user would run it (the CLI in a child process, peak RSS of that
// process), next to two baselines: psql's COPY TO STDOUT into /dev/null (the source's own
// speed) and the sqlite3 CLI's .import of the same rows as CSV (SQLite's own load speed).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DB = 'flarelift_bench';
const rowsArg = process.argv.indexOf('--rows');
const TABLE = `bench_rows_${rowsArg >= 0 ? Number(process.argv[rowsArg + 1]) : 1_000_000}`; // one table per size, kept between runs
const host = process.env.PGHOST ?? '127.0.0.1';
const port = process.env.PGPORT ?? '5432';
const user = process.env.PGUSER ?? 'postgres';
const url = (db: string) => `postgres://${user}@${host}:${port}/${db}`;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const rows = arg('--rows', 1_000_000);
const jobs = arg('--jobs', 2);
const keep = process.argv.includes('--keep');

async function ensureTable(): Promise<void> {
  const admin = new pg.Client({ connectionString: url('postgres') });
  await admin.connect();
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB]);
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${DB}`);
  await admin.end();
  const c = new pg.Client({ connectionString: url(DB) });
  await c.connect();
  const have = await c.query(`SELECT count(*)::bigint AS n FROM pg_tables WHERE tablename = $1`, [TABLE]);
  const current = Number(have.rows[0].n) > 0 ? Number((await c.query(`SELECT count(*) AS n FROM ${TABLE}`)).rows[0].n) : -1;
  if (current !== rows) {
    console.log(`creating ${TABLE} with ${rows.toLocaleString('en-US')} rows in ${DB}…`);
    await c.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await c.query(`CREATE TABLE ${TABLE} (
      id bigint PRIMARY KEY, uid uuid NOT NULL, name text NOT NULL, qty integer NOT NULL, price numeric(12,2) NOT NULL,
      created_at timestamptz NOT NULL, active boolean NOT NULL, attrs jsonb NOT NULL, note text)`);
    await c.query(`INSERT INTO ${TABLE}
      SELECT g, md5(g::text)::uuid, 'customer ' || g || ' ' || md5(g::text), (g * 7) % 1000, ((g * 13) % 100000) / 100.0,
             timestamptz '2020-01-01 00:00:00+00' + g * interval '17 seconds', g % 3 = 0,
             jsonb_build_object('k', g % 10, 'tag', 'tag' || (g % 97)), CASE WHEN g % 4 = 0 THEN NULL ELSE 'note ' || g END
      FROM generate_series(1, ${rows}) AS g`);
    await c.query(`VACUUM ANALYZE ${TABLE}`);
  }
  await c.end();
}

interface Timed {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

function timed(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; stdoutFile?: string } = {}): Promise<Timed> {
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

const perSecond = (n: number, ms: number) => Math.round((n * 1000) / ms);
const fmt = (n: number) => n.toLocaleString('en-US');

async function main(): Promise<void> {
  await ensureTable();
  const work = mkdtempSync(path.join(os.tmpdir(), 'flarelift-bench-'));
  try {
    writeFileSync(
      path.join(work, 'wrangler.jsonc'),
      JSON.stringify({ name: 'bench', compatibility_date: '2025-01-01', d1_databases: [{ binding: 'DB', database_name: 'bench', database_id: '00000000-0000-4000-8000-000000000001' }] }),
    );
    const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', FLARELIFT_WRANGLER: process.env.FLARELIFT_WRANGLER ?? path.join(ROOT, 'node_modules/.bin/wrangler'), CI: '1' };
    const cli = [path.join(ROOT, 'bin/flarelift.js'), 'copy', '--from', url(DB), '--to', 'd1:bench', '--config', path.join(work, 'wrangler.jsonc'), '--tables', TABLE, '--jobs', String(jobs), '--json', '--reject-dir', path.join(work, 'rejects')];
    // Peak RSS of the copy process: GNU time when present, else the process's own report at exit.
    const gnuTime = existsSync('/usr/bin/time');
    const rssProbe = `data:text/javascript,process.on('exit',()=>process.stderr.write('flarelift-maxrss-kb='+process.resourceUsage().maxRSS+'\\n'))`;
    const copy = gnuTime
      ? await timed('/usr/bin/time', ['-v', process.execPath, ...cli], { env })
      : await timed(process.execPath, ['--import', rssProbe, ...cli], { env });
    if (copy.code !== 0) throw new Error(`flarelift copy failed (${copy.code}): ${copy.stderr.slice(-2000)}`);
    const summary = JSON.parse(copy.stdout.trim().split('\n').pop()!) as { tables: { name: string; written: number; ms: number }[] };
    const table = summary.tables[0];
    const rssKb = Number((gnuTime ? /Maximum resident set size \(kbytes\): (\d+)/ : /flarelift-maxrss-kb=(\d+)/).exec(copy.stderr)?.[1]);

    const psqlArgs = ['-h', host, '-p', port, '-U', user, '-d', DB, '-X', '-q'];
    const copyOut = await timed('psql', [...psqlArgs, '-c', `COPY ${TABLE} TO STDOUT`], { stdoutFile: '/dev/null' });
    if (copyOut.code !== 0) throw new Error(`psql COPY failed: ${copyOut.stderr}`);

    let sqliteLine: string;
    const csv = path.join(work, 'rows.csv');
    const exported = await timed('psql', [...psqlArgs, '-c', `COPY ${TABLE} TO STDOUT WITH (FORMAT csv)`], { stdoutFile: csv });
    if (exported.code !== 0) throw new Error(`psql COPY csv failed: ${exported.stderr}`);
    const ddl = `CREATE TABLE ${TABLE} (id INTEGER PRIMARY KEY, uid TEXT, name TEXT, qty INTEGER, price TEXT, created_at TEXT, active TEXT, attrs TEXT, note TEXT);`;
    let importMs: number;
    if (spawnSync('sqlite3', ['-version']).status === 0) {
      const db = path.join(work, 'import.sqlite');
      spawnSync('sqlite3', [db, ddl]);
      const imp = await timed('sqlite3', [db, '-cmd', '.mode csv', `.import ${csv} ${TABLE}`]);
      if (imp.code !== 0) throw new Error(`sqlite3 .import failed: ${imp.stderr}`);
      importMs = imp.ms;
      sqliteLine = 'sqlite3 CLI .import of the same rows as CSV';
    } else {
      // Fallback baseline, labelled as such: better-sqlite3 inserting the CSV lines' fields as text.
      const { default: Database } = await import('better-sqlite3');
      const { readFileSync } = await import('node:fs');
      const db = new Database(path.join(work, 'import.sqlite'));
      db.exec(ddl);
      const start = Date.now();
      const ins = db.prepare(`INSERT INTO ${TABLE} VALUES (?,?,?,?,?,?,?,?,?)`);
      db.transaction(() => {
        for (const line of readFileSync(csv, 'utf8').split('\n')) if (line) ins.run(line.split(',').slice(0, 9).concat(Array(9).fill(null)).slice(0, 9));
      })();
      importMs = Date.now() - start;
      sqliteLine = 'FALLBACK (no sqlite3 CLI): better-sqlite3 inserting CSV fields';
    }

    const flareRate = perSecond(table.written, table.ms);
    const wallRate = perSecond(table.written, copy.ms);
    const copyRate = perSecond(rows, copyOut.ms);
    const importRate = perSecond(rows, importMs);
    console.log('');
    console.log(`rows: ${fmt(rows)} (9 columns), PostgreSQL -> local D1, --jobs ${jobs}, ${os.cpus().length} CPUs`);
    console.log(`flarelift copy: ${fmt(flareRate)} rows/s over the table's copy (${(table.ms / 1000).toFixed(1)} s); ${fmt(wallRate)} rows/s over the whole process (${(copy.ms / 1000).toFixed(1)} s, startup, schema and the wrangler read-back included)`);
    console.log(`flarelift peak RSS: ${Number.isFinite(rssKb) ? `${fmt(Math.round(rssKb / 1024))} MB` : 'unknown'} (${gnuTime ? '/usr/bin/time -v' : 'process.resourceUsage().maxRSS'})`);
    console.log(`psql COPY TO STDOUT > /dev/null: ${fmt(copyRate)} rows/s (${(copyOut.ms / 1000).toFixed(1)} s)`);
    console.log(`${sqliteLine}: ${fmt(importRate)} rows/s (${(importMs / 1000).toFixed(1)} s)`);
    console.log(`ratios: flarelift / psql COPY = ${(flareRate / copyRate).toFixed(2)}; flarelift / sqlite3 .import = ${(flareRate / importRate).toFixed(2)}`);
    if (keep) console.log(`kept ${work}`);
  } finally {
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
