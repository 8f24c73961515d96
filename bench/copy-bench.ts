// `npm run bench [-- --rows N] [--jobs N] [--keep] [--engines pg,mysql,sqlite]`: flarelift copy into
// a fresh local D1 (the wrangler project's D1 file) for a 9-column table, from PostgreSQL, MariaDB
// and a SQLite file, each measured as a user would run it (the CLI in a child process, the whole
// process timed, its own peak RSS), next to the command-line pipe that does the same job measured
// in the same run:
//   PostgreSQL: psql -c "COPY … TO STDOUT (FORMAT csv)" | sqlite3 <file> ".import --csv"
//   MariaDB:    mysql --batch --raw -e "SELECT …" | sqlite3 <file> ".import" (tab-separated)
//   SQLite:     sqlite3 src.db .dump | sqlite3 new.db
// The pipes load into a fresh SQLite file with the schema flarelift created (read from its D1
// file, CHECK constraints left out: the pipes carry the source's text, e.g. 't'/'f' booleans).
// FLARELIFT_COPY_STAGES=1 is set for the copies: the CLI then prints where the table's time went.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DB = 'flarelift_bench';
const host = process.env.PGHOST ?? '127.0.0.1';
const port = process.env.PGPORT ?? '5432';
const user = process.env.PGUSER ?? 'postgres';
const myHost = process.env.MYSQL_HOST ?? '127.0.0.1';
const myPort = process.env.MYSQL_PORT ?? '3306';
const url = (db: string) => `postgres://${user}@${host}:${port}/${db}`;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const rows = arg('--rows', 1_000_000);
const jobs = arg('--jobs', 2);
const keep = process.argv.includes('--keep');
const enginesAt = process.argv.indexOf('--engines');
const engines = enginesAt >= 0 ? process.argv[enginesAt + 1].split(',') : ['pg', 'mysql', 'sqlite'];
const TABLE = `bench_rows_${rows}`; // one table per size, kept between runs
const CACHE = path.join(os.tmpdir(), 'flarelift-bench-cache');
const SQLITE_SOURCE = path.join(CACHE, `${TABLE}.sqlite`);
const COLUMNS = 'id, uid, name, qty, price, created_at, active, attrs, note';

async function ensurePgTable(): Promise<void> {
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
    console.log(`creating ${TABLE} with ${rows.toLocaleString('en-US')} rows in PostgreSQL ${DB}…`);
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

const mysqlArgs = ['-h', myHost, '-P', myPort, '-u', 'root'];
function mysql(sql: string, db?: string): string {
  const r = spawnSync('mysql', [...mysqlArgs, '-N', '-B', ...(db ? [db] : []), '-e', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mysql failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** The same rows in MariaDB (its SEQUENCE engine generates them). */
function ensureMysqlTable(): void {
  mysql(`CREATE DATABASE IF NOT EXISTS ${DB}`);
  const have = mysql(`SELECT count(*) FROM information_schema.tables WHERE table_schema = '${DB}' AND table_name = '${TABLE}'`);
  if (have === '1' && mysql(`SELECT count(*) FROM ${TABLE}`, DB) === String(rows)) return;
  console.log(`creating ${TABLE} with ${rows.toLocaleString('en-US')} rows in MariaDB ${DB}…`);
  const md5 = 'MD5(seq)';
  const uuid = `CONCAT_WS('-', SUBSTR(${md5}, 1, 8), SUBSTR(${md5}, 9, 4), SUBSTR(${md5}, 13, 4), SUBSTR(${md5}, 17, 4), SUBSTR(${md5}, 21, 12))`;
  mysql(
    `DROP TABLE IF EXISTS ${TABLE}; CREATE TABLE ${TABLE} (id BIGINT PRIMARY KEY, uid CHAR(36) NOT NULL, name VARCHAR(100) NOT NULL, ` +
      `qty INT NOT NULL, price DECIMAL(12,2) NOT NULL, created_at DATETIME NOT NULL, active BOOLEAN NOT NULL, attrs JSON NOT NULL, note TEXT); ` +
      `INSERT INTO ${TABLE} SELECT seq, ${uuid}, CONCAT('customer ', seq, ' ', ${md5}), (seq * 7) % 1000, ((seq * 13) % 100000) / 100, ` +
      `TIMESTAMP'2020-01-01 00:00:00' + INTERVAL seq * 17 SECOND, seq % 3 = 0, JSON_OBJECT('k', seq % 10, 'tag', CONCAT('tag', seq % 97)), ` +
      `IF(seq % 4 = 0, NULL, CONCAT('note ', seq)) FROM seq_1_to_${rows}`,
    DB,
  );
}

/** The same rows in a SQLite file, kept in the temp dir between runs. */
function ensureSqliteFile(): void {
  if (existsSync(SQLITE_SOURCE)) return;
  console.log(`creating ${SQLITE_SOURCE}…`);
  mkdirSync(CACHE, { recursive: true });
  const partial = `${SQLITE_SOURCE}.partial`;
  rmSync(partial, { force: true });
  const ddl =
    `CREATE TABLE ${TABLE} (id INTEGER PRIMARY KEY, uid TEXT NOT NULL, name TEXT NOT NULL, qty INTEGER NOT NULL, price NUMERIC NOT NULL, ` +
    `created_at TEXT NOT NULL, active INTEGER NOT NULL, attrs TEXT NOT NULL, note TEXT);`;
  const cmd =
    `psql -h ${host} -p ${port} -U ${user} -d ${DB} -X -q -c "COPY (SELECT ${COLUMNS.replace('active', "CASE WHEN active THEN 1 ELSE 0 END")} FROM ${TABLE} ORDER BY id) TO STDOUT (FORMAT csv)" ` +
    `| sqlite3 ${partial} -cmd "${ddl}" ".import --csv /dev/stdin ${TABLE}" "UPDATE ${TABLE} SET note = NULL WHERE note = '';"`;
  const r = spawnSync('bash', ['-c', `set -o pipefail; ${cmd}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the SQLite source failed: ${r.stderr}`);
  spawnSync('mv', [partial, SQLITE_SOURCE]);
}

interface Timed {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, code, stdout, stderr }));
  });
}

const perSecond = (n: number, ms: number) => Math.round((n * 1000) / ms);
const fmt = (n: number) => n.toLocaleString('en-US');
const mb = (kb: number) => (Number.isFinite(kb) ? `${fmt(Math.round(kb / 1024))} MB` : 'unknown');

function d1File(dir: string): string {
  const d1 = path.join(dir, '.wrangler/state/v3/d1/miniflare-D1DatabaseObject');
  const f = readdirSync(d1).find((n) => n.endsWith('.sqlite') && n !== 'metadata.sqlite');
  if (!f) throw new Error(`no local D1 file under ${d1}`);
  return path.join(d1, f);
}

interface Flare {
  ms: number;
  tableMs: number;
  written: number;
  rssKb: number;
  heapKb: number;
  externalKb: number;
  stages?: string;
  schema: string;
}

// The copy process's own peak RSS, reported at its exit (GNU time would report the largest of
// its process tree, which includes the wrangler read-back), and the largest V8 heap and Buffer
// memory (external) of its main thread, sampled every 100 ms: what of the RSS is the main
// thread's garbage-collected heap.
const rssProbe =
  `data:text/javascript,let heap=0,ext=0;setInterval(()=>{const m=process.memoryUsage();heap=Math.max(heap,m.heapTotal);ext=Math.max(ext,m.external)},100).unref();` +
  `process.on('exit',()=>process.stderr.write('flarelift-maxrss-kb='+process.resourceUsage().maxRSS+' flarelift-heap-kb='+Math.round(heap/1024)+' flarelift-external-kb='+Math.round(ext/1024)+'\\n'))`;

async function flarelift(work: string, from: string): Promise<Flare> {
  mkdirSync(work, { recursive: true });
  writeFileSync(
    path.join(work, 'wrangler.jsonc'),
    JSON.stringify({ name: 'bench', compatibility_date: '2025-01-01', d1_databases: [{ binding: 'DB', database_name: 'bench', database_id: '00000000-0000-4000-8000-000000000001' }] }),
  );
  const env = {
    ...process.env,
    WRANGLER_SEND_METRICS: 'false',
    FLARELIFT_WRANGLER: process.env.FLARELIFT_WRANGLER ?? path.join(ROOT, 'node_modules/.bin/wrangler'),
    CI: '1',
    FLARELIFT_COPY_STAGES: '1',
  };
  const cli = [path.join(ROOT, 'bin/flarelift.js'), 'copy', '--from', from, '--to', 'd1:bench', '--config', path.join(work, 'wrangler.jsonc'), '--tables', TABLE, '--jobs', String(jobs), '--json', '--reject-dir', path.join(work, 'rejects')];
  const copy = await timed(process.execPath, ['--import', rssProbe, ...cli], env);
  if (copy.code !== 0) throw new Error(`flarelift copy from ${from} failed (${copy.code}): ${copy.stderr.slice(-2000)}`);
  const summary = JSON.parse(copy.stdout.trim().split('\n').pop()!) as { tables: { name: string; written: number; rejected: number; ms: number }[] };
  const table = summary.tables[0];
  if (table.written !== rows) throw new Error(`flarelift copied ${table.written} of ${rows} rows from ${from} (${table.rejected} rejected)`);
  const schema = spawnSync('sqlite3', [d1File(work), `.schema ${TABLE}`], { encoding: 'utf8' }).stdout;
  return {
    ms: copy.ms,
    tableMs: table.ms,
    written: table.written,
    rssKb: Number(/flarelift-maxrss-kb=(\d+)/.exec(copy.stderr)?.[1]),
    heapKb: Number(/flarelift-heap-kb=(\d+)/.exec(copy.stderr)?.[1]),
    externalKb: Number(/flarelift-external-kb=(\d+)/.exec(copy.stderr)?.[1]),
    stages: /flarelift-stages: (.*)/.exec(copy.stderr)?.[1],
    schema,
  };
}

/** flarelift's CREATE TABLE without CHECK constraints (the pipes carry the source's own text). */
function plainSchema(schema: string): string {
  const create = schema.split(/;\s*\n/).find((s) => /^CREATE TABLE/i.test(s.trim()));
  if (!create) throw new Error(`no CREATE TABLE in ${schema}`);
  let out = '';
  for (let i = 0; i < create.length; i++) {
    const m = /^\s*(CONSTRAINT\s+("[^"]*"|\w+)\s+)?CHECK\s*\(/i.exec(create.slice(i));
    if (m && (out.trimEnd().endsWith(',') || /\s$/.test(out) || out.endsWith(')'))) {
      let depth = 1;
      let j = i + m[0].length;
      for (; j < create.length && depth > 0; j++) {
        if (create[j] === '(') depth++;
        else if (create[j] === ')') depth--;
        else if (create[j] === "'") j = create.indexOf("'", j + 1);
      }
      i = j - 1;
      continue;
    }
    out += create[i];
  }
  return `${out.replace(/,\s*\)\s*$/, ')').replace(/,(\s*,)+/g, ',').replace(/,\s*\)/g, ')')};`;
}

interface Pipe {
  ms: number;
  rssKb: number;
}

async function pipe(label: string, command: string): Promise<Pipe> {
  const r = await timed('/usr/bin/time', ['-f', 'pipe-maxrss-kb=%M', 'bash', '-c', `set -o pipefail; ${command}`]);
  if (r.code !== 0) throw new Error(`${label} failed: ${r.stderr.slice(-2000)}`);
  return { ms: r.ms, rssKb: Number(/pipe-maxrss-kb=(\d+)/.exec(r.stderr)?.[1]) };
}

const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

interface Engine {
  name: string;
  from: string;
  baselineLabel: string;
  goal: number;
  /** Reads the source once, untimed, so neither side pays for a source evicted from the caches. */
  warm: string;
  baseline(dir: string, schema: string): string;
}

const ENGINES: Record<string, Engine> = {
  pg: {
    name: 'PostgreSQL',
    from: url(DB),
    baselineLabel: 'psql COPY … (FORMAT csv) | sqlite3 .import --csv',
    goal: 0.75,
    warm: `psql -h ${host} -p ${port} -U ${user} -d ${DB} -X -q -c ${sh(`COPY ${TABLE} TO STDOUT`)} > /dev/null`,
    baseline: (dir, schema) =>
      `sqlite3 ${dir}/pipe.sqlite ${sh(schema)} && psql -h ${host} -p ${port} -U ${user} -d ${DB} -X -q -c ${sh(`COPY ${TABLE} TO STDOUT (FORMAT csv)`)} ` +
      `| sqlite3 ${dir}/pipe.sqlite ${sh(`.import --csv /dev/stdin ${TABLE}`)}`,
  },
  mysql: {
    name: 'MariaDB',
    from: `mysql://root@${myHost}:${myPort}/${DB}`,
    baselineLabel: 'mysql --batch --raw -e SELECT | sqlite3 .import (tabs)',
    goal: 0.85,
    warm: `mysql ${mysqlArgs.join(' ')} --batch --raw -N ${DB} -e ${sh(`SELECT ${COLUMNS} FROM ${TABLE}`)} > /dev/null`,
    baseline: (dir, schema) =>
      `sqlite3 ${dir}/pipe.sqlite ${sh(schema)} && mysql ${mysqlArgs.join(' ')} --batch --raw -N ${DB} -e ${sh(`SELECT ${COLUMNS} FROM ${TABLE}`)} ` +
      `| sqlite3 ${dir}/pipe.sqlite -cmd '.mode tabs' ${sh(`.import /dev/stdin ${TABLE}`)}`,
  },
  sqlite: {
    name: 'SQLite file',
    from: SQLITE_SOURCE,
    baselineLabel: 'sqlite3 src.db .dump | sqlite3 new.db',
    goal: 2,
    warm: `cat ${SQLITE_SOURCE} > /dev/null`,
    baseline: (dir) => `sqlite3 ${SQLITE_SOURCE} .dump | sqlite3 ${dir}/pipe.sqlite`,
  },
};

async function main(): Promise<void> {
  for (const e of engines) if (!(e in ENGINES)) throw new Error(`--engines takes pg, mysql, sqlite, not ${e}`);
  if (spawnSync('sqlite3', ['-version']).status !== 0) throw new Error('the copy bench needs the sqlite3 CLI for its baselines');
  await ensurePgTable();
  if (engines.includes('mysql')) ensureMysqlTable();
  if (engines.includes('sqlite')) ensureSqliteFile();
  const work = mkdtempSync(path.join(os.tmpdir(), 'flarelift-bench-'));
  try {
    for (const key of engines) {
      const e = ENGINES[key];
      const dir = path.join(work, key);
      // The timed copy runs first (the pipe needs the schema it made): without this read, a source
      // evicted from the caches by other work was measured costing flarelift alone 3-5 s.
      await pipe(`warming ${e.name}`, e.warm);
      const f = await flarelift(dir, e.from);
      const b = await pipe(e.baselineLabel, e.baseline(dir, plainSchema(f.schema)));
      const count = spawnSync('sqlite3', [path.join(dir, 'pipe.sqlite'), `SELECT count(*) FROM ${TABLE}`], { encoding: 'utf8' }).stdout.trim();
      if (count !== String(rows)) throw new Error(`${e.baselineLabel} loaded ${count} rows, not ${rows}`);
      const wall = perSecond(rows, f.ms);
      const base = perSecond(rows, b.ms);
      const ratio = wall / base;
      const block = [
        ``,
        `${e.name} -> local D1, ${fmt(rows)} rows (9 columns), --jobs ${jobs}, ${os.cpus().length} CPUs`,
        `  flarelift copy: ${fmt(wall)} rows/s over the whole process (${(f.ms / 1000).toFixed(1)} s, start-up, schema and wrangler read-back included); ` +
          `${fmt(perSecond(rows, f.tableMs))} rows/s over the table (${(f.tableMs / 1000).toFixed(1)} s); peak RSS ${mb(f.rssKb)} (its own process; main thread's V8 heap at most ${mb(f.heapKb)}, Buffers ${mb(f.externalKb)})`,
        ...(f.stages ? [`  flarelift stages (ms): ${f.stages}`] : []),
        `  ${e.baselineLabel}: ${fmt(base)} rows/s (${(b.ms / 1000).toFixed(1)} s), peak RSS ${mb(b.rssKb)}`,
        `  ratio flarelift / baseline (whole process) = ${ratio.toFixed(2)} (goal ≥ ${e.goal})`,
      ];
      console.log(block.join('\n'));
    }
    if (keep) console.log(`kept ${work}`);
  } finally {
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
