// A throwaway wrangler project with one D1 binding, and the real wrangler CLI to read it.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './env.js';
import { SQLITE_TABLES, type ObjectCounts } from './source-counts.js';

const run = promisify(execFile);
export const WRANGLER = path.join(REPO_ROOT, 'node_modules/.bin/wrangler');

export interface WranglerProject {
  dir: string;
  database: string;
}

export function makeWranglerProject(database = 'testdb'): WranglerProject {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flarelift-wr-'));
  writeFileSync(
    path.join(dir, 'wrangler.jsonc'),
    JSON.stringify({
      name: 'flarelift-test',
      compatibility_date: '2025-01-01',
      // A comment-free JSONC is still JSONC; wrangler reads it either way.
      d1_databases: [{ binding: 'DB', database_name: database, database_id: '00000000-0000-4000-8000-000000000000', migrations_dir: 'migrations' }],
    }, null, 2),
  );
  return { dir, database };
}

export async function wrangler(project: WranglerProject, args: string[]): Promise<string> {
  const { stdout } = await run(WRANGLER, args, {
    cwd: project.dir,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true', NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** Rows of one SELECT run by the real `wrangler d1 execute --local --json`. */
export async function d1Query<T = Record<string, unknown>>(project: WranglerProject, sql: string): Promise<T[]> {
  const out = await wrangler(project, ['d1', 'execute', project.database, '--local', '--json', '--command', sql]);
  const parsed = JSON.parse(out) as { results: T[] }[];
  return parsed[0]!.results;
}

/** Table, column, index and foreign-key counts of the local D1, read through the real wrangler. */
export async function d1Counts(project: WranglerProject): Promise<ObjectCounts> {
  const tables = (await d1Query<{ name: string }>(project, SQLITE_TABLES)).map((r) => r.name);
  const quote = (n: string) => `"${n.replace(/"/g, '""')}"`;
  // D1 refuses pragma table-valued functions, but takes PRAGMA statements: one call for all.
  const statements = tables.flatMap((t) => [`PRAGMA table_info(${quote(t)})`, `PRAGMA foreign_key_list(${quote(t)})`]);
  statements.push(`SELECT count(*) AS n FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${SQLITE_TABLES})`);
  const out = await wrangler(project, ['d1', 'execute', project.database, '--local', '--json', '--command', statements.join(';\n')]);
  const results = (JSON.parse(out) as { results: Record<string, unknown>[] }[]).map((r) => r.results);
  let columns = 0;
  let foreignKeys = 0;
  for (let i = 0; i < tables.length; i++) {
    columns += results[2 * i]!.length;
    foreignKeys += new Set(results[2 * i + 1]!.map((r) => r.id)).size;
  }
  const indexes = Number(results[results.length - 1]![0]!.n);
  return { tables: tables.length, columns, indexes, foreignKeys };
}
