// A throwaway wrangler project with one D1 binding, and the real wrangler CLI to read it.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './env.js';
import { SQLITE_TABLES, type ObjectCounts } from './source-counts.js';

const exec = promisify(execFile);
export const WRANGLER = path.join(REPO_ROOT, 'node_modules/.bin/wrangler');

export interface WranglerProject {
  dir: string;
  /** The project's wrangler.jsonc. */
  config: string;
  database: string;
}

export function makeWranglerProject(database = 'testdb'): WranglerProject {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flarelift-wr-'));
  const config = path.join(dir, 'wrangler.jsonc');
  writeFileSync(
    config,
    `// test project\n${JSON.stringify({
      name: 'flarelift-test',
      compatibility_date: '2025-01-01',
      d1_databases: [{ binding: 'DB', database_name: database, database_id: '00000000-0000-4000-8000-000000000000', migrations_dir: 'migrations' }],
    }, null, 2)}\n`,
  );
  return { dir, config, database };
}

/** The real wrangler in the project; a failure carries wrangler's own output (its message only repeats the command). */
export async function wrangler(project: { dir: string; database?: string }, args: string[]): Promise<string> {
  try {
    const { stdout } = await exec(WRANGLER, args, {
      cwd: project.dir,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true', NO_COLOR: '1' },
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string };
    throw new Error(`wrangler ${args.slice(0, 4).join(' ')} failed: ${err.stderr ?? ''}${err.stdout ?? ''}`.slice(0, 4000));
  }
}

/** Rows of each statement (separated by ';'), through the real `wrangler d1 execute --local --json`. */
export async function d1Queries<T = Record<string, unknown>>(project: Pick<WranglerProject, 'dir' | 'database'>, sql: string): Promise<T[][]> {
  const out = await wrangler(project, ['d1', 'execute', project.database, '--local', '--json', '--command', sql]);
  return (JSON.parse(out.slice(out.indexOf('['))) as { results: T[] }[]).map((r) => r.results);
}

/** Rows of one SELECT run by the real `wrangler d1 execute --local --json`. */
export async function d1Query<T = Record<string, unknown>>(project: Pick<WranglerProject, 'dir' | 'database'>, sql: string): Promise<T[]> {
  return (await d1Queries<T>(project, sql))[0]!;
}

/** Table, column, index and foreign-key counts of the local D1, read through the real wrangler. */
export async function d1Counts(project: WranglerProject): Promise<ObjectCounts> {
  const tables = (await d1Query<{ name: string }>(project, SQLITE_TABLES)).map((r) => r.name);
  const quote = (n: string) => `"${n.replace(/"/g, '""')}"`;
  // D1 refuses pragma table-valued functions, but takes PRAGMA statements: one call for all.
  const statements = tables.flatMap((t) => [`PRAGMA table_info(${quote(t)})`, `PRAGMA foreign_key_list(${quote(t)})`]);
  statements.push(`SELECT count(*) AS n FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${SQLITE_TABLES})`);
  const results = await d1Queries(project, statements.join(';\n'));
  let columns = 0;
  let foreignKeys = 0;
  for (let i = 0; i < tables.length; i++) {
    columns += results[2 * i]!.length;
    foreignKeys += new Set(results[2 * i + 1]!.map((r) => r.id)).size;
  }
  const indexes = Number(results[results.length - 1]![0]!.n);
  return { tables: tables.length, columns, indexes, foreignKeys };
}
