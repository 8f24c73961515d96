// Worker projects for copy tests: a temp directory with a wrangler.jsonc declaring one D1
// database, the REAL wrangler to read a local D1 back, and the fake remote D1 (fake-wrangler.ts)
// behind an executable shim that FLARELIFT_WRANGLER can point at. Projects and the real
// wrangler come from wrangler.ts beside this file.
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';
import { REPO_ROOT } from './env.js';
import { WRANGLER, d1Queries, makeWranglerProject, wrangler, type WranglerProject } from './wrangler.js';

export const REAL_WRANGLER = WRANGLER;
export const CLI = path.join(REPO_ROOT, 'bin/flarelift.js');
export type { WranglerProject };
export const makeProject = makeWranglerProject;

/** Environment for the CLI and the library: no telemetry, the repo's wrangler for read-backs, the CLI run from src/ (never a build). */
export function testEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, WRANGLER_SEND_METRICS: 'false', FLARELIFT_WRANGLER: REAL_WRANGLER, CI: '1', FLARELIFT_SOURCES: '1', ...extra };
}

/** Rows of each statement (separated by ';'), through the real wrangler. */
export const wranglerQueries = (p: WranglerProject, sql: string) => d1Queries(p, sql);

/** Rows of the last statement. */
export async function wranglerQuery(p: WranglerProject, sql: string): Promise<Record<string, unknown>[]> {
  const all = await wranglerQueries(p, sql);
  return all[all.length - 1];
}

/** Applies a SQL file to the local D1 with the real wrangler (what users are told to do). */
export async function wranglerFile(p: WranglerProject, file: string): Promise<void> {
  await wrangler(p, ['d1', 'execute', p.database, '--local', '--file', file, '--yes']);
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

/** In a describe(): process.env is testEnv() for its tests, and put back as it was after them. */
export function useTestEnv(): void {
  const saved = { ...process.env };
  before(() => Object.assign(process.env, testEnv()));
  after(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });
}
