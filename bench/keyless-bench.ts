// `node --import tsx bench/keyless-bench.ts [--keyless-rows N]`: peak memory of verify on a table
// without a key (compared as a multiset), N distinct rows (default 4,000,000). The source is a
// SQLite file made once in the temp directory, the target a byte-for-byte copy of it, so the
// figure is verify's own: the CLI in a child process, its peak RSS as the kernel counts it,
// next to the peak RSS of the same CLI printing its version (the runtime's own floor).
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin/flarelift.js');
const i = process.argv.indexOf('--keyless-rows');
const ROWS = i >= 0 ? Number(process.argv[i + 1]) : 4_000_000;
const fmt = (n: number) => n.toLocaleString('en-US');
const RSS_PROBE = `data:text/javascript,process.on('exit',()=>process.stderr.write('flarelift-maxrss-kb='+process.resourceUsage().maxRSS+'\\n'))`;

function sourceFile(): string {
  const file = path.join(os.tmpdir(), `flarelift-bench-keyless-${ROWS}.sqlite`);
  if (existsSync(file)) return file;
  const db = new Database(`${file}.tmp`);
  db.exec(`CREATE TABLE events (at INTEGER, kind TEXT, detail TEXT, amount REAL)`);
  db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS})
           INSERT INTO events SELECT 1700000000 + i, 'kind-' || (i % 17), 'event number ' || i || ' of the bench', i * 0.25 FROM n`);
  db.close();
  copyFileSync(`${file}.tmp`, file);
  rmSync(`${file}.tmp`);
  return file;
}

function run(args: string[]): Promise<{ ms: number; code: number | null; rssMb: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--import', RSS_PROBE, CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const kb = Number(/flarelift-maxrss-kb=(\d+)/.exec(stderr)?.[1]);
      resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, code, rssMb: Math.round(kb / 1024), stdout, stderr });
    });
  });
}

async function main(): Promise<void> {
  console.log(`\nkeyless verify: ${fmt(ROWS)} distinct rows, no key (multiset), SQLite -> SQLite`);
  const source = sourceFile();
  const work = mkdtempSync(path.join(os.tmpdir(), 'flarelift-keyless-bench-'));
  try {
    const target = path.join(work, 'target.sqlite');
    copyFileSync(source, target);
    const floor = await run(['--version']);
    const v = await run(['verify', '--from', `sqlite:${source}`, '--to', `sqlite:${target}`, '--json', '--failures', path.join(work, 'failures.jsonl')]);
    if (v.code !== 0) throw new Error(`verify exited ${v.code}: ${v.stderr.slice(-500)}`);
    console.log(`flarelift verify, whole process: ${fmt(Math.round(ROWS / (v.ms / 1000)))} rows/s (${(v.ms / 1000).toFixed(1)} s)`);
    console.log(`flarelift verify peak RSS: ${fmt(v.rssMb)} MB (target under 200 MB); the CLI printing its version: ${fmt(floor.rssMb)} MB`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exit(1);
});
