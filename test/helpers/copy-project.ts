// Worker projects for copy tests: a temp directory with a wrangler.jsonc declaring one D1
// database, the REAL wrangler to read a local D1 back, and the fake remote D1 (fake-wrangler.ts)
// behind an executable shim that FLARELIFT_WRANGLER can point at. (wrangler.ts beside this file
// serves the schema tests.)
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './env.js';

const exec = promisify(execFile);

/** execFile whose error carries wrangler's own output (its message alone only repeats the command). */
async function run(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; maxBuffer: number }) {
  try {
    return await exec(file, args, options);
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${path.basename(file)} ${args.slice(0, 4).join(' ')} failed: ${err.stderr || ''}${err.stdout || ''}`.slice(0, 4000));
  }
}
export const REAL_WRANGLER = path.join(REPO_ROOT, 'node_modules/.bin/wrangler');
export const CLI = path.join(REPO_ROOT, 'bin/flarelift.js');

export interface WranglerProject {
  dir: string;
  config: string;
  database: string;
}

export function makeProject(database = 'testdb'): WranglerProject {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flarelift-copy-'));
  const config = path.join(dir, 'wrangler.jsonc');
  writeFileSync(
    config,
    `// test project\n${JSON.stringify(
      { name: 'copy-test', compatibility_date: '2025-01-01', d1_databases: [{ binding: 'DB', database_name: database, database_id: '5b0c2f5e-0000-4000-8000-00000000c0de' }] },
      null,
      2,
    )}\n`,
  );
  return { dir, config, database };
}

/** Environment for the CLI and the library: no telemetry, the repo's wrangler for read-backs. */
export function testEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, WRANGLER_SEND_METRICS: 'false', FLARELIFT_WRANGLER: REAL_WRANGLER, CI: '1', ...extra };
}

/** Rows of each statement (separated by ';'), through the real `wrangler d1 execute --local --json`. */
export async function wranglerQueries(p: WranglerProject, sql: string): Promise<Record<string, unknown>[][]> {
  const { stdout } = await run(REAL_WRANGLER, ['d1', 'execute', p.database, '--local', '--json', '--config', p.config, '--command', sql], {
    cwd: p.dir,
    env: testEnv(),
    maxBuffer: 64 * 1024 * 1024,
  });
  return (JSON.parse(stdout.slice(stdout.indexOf('['))) as { results: Record<string, unknown>[] }[]).map((r) => r.results);
}

/** Rows of the last statement. */
export async function wranglerQuery(p: WranglerProject, sql: string): Promise<Record<string, unknown>[]> {
  const all = await wranglerQueries(p, sql);
  return all[all.length - 1];
}

/** Applies a SQL file to the local D1 with the real wrangler (what users are told to do). */
export async function wranglerFile(p: WranglerProject, file: string): Promise<void> {
  await run(REAL_WRANGLER, ['d1', 'execute', p.database, '--local', '--config', p.config, '--file', file, '--yes'], {
    cwd: p.dir,
    env: testEnv(),
    maxBuffer: 64 * 1024 * 1024,
  });
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** count(*) of every table, in one wrangler call (one statement each: D1 caps compound SELECTs). */
export async function wranglerCounts(p: WranglerProject, tables: readonly string[]): Promise<Map<string, number>> {
  const sql = tables.map((t) => `SELECT count(*) AS n FROM ${quote(t)}`).join(';\n');
  const results = await wranglerQueries(p, sql);
  return new Map(tables.map((t, i) => [t, Number(results[i][0].n)]));
}

/** An executable `wrangler` that is the fake remote D1; its databases live in `dbDir`. */
export function installFakeWrangler(binDir: string): string {
  const shim = path.join(binDir, 'wrangler');
  const tsx = import.meta.resolve('tsx');
  const script = path.join(REPO_ROOT, 'test/helpers/fake-wrangler.ts');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" --import "${tsx}" "${script}" "$@"\n`);
  chmodSync(shim, 0o755);
  return shim;
}
