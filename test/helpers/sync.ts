// Running `flarelift sync` through the real CLI with --json, and reading its summary.
import assert from 'node:assert/strict';
import { runCli, type CliResult } from './cli.js';
import { testEnv } from './copy-project.js';

export interface SyncJson {
  status: string;
  proven: boolean;
  lagMs: number;
  estimate: { ms: number; compareMs: number; applyMs: number; verifyMs: number; rows: number };
  tables: { name: string; method: string; inserted: number; updated: number; deleted: number; chunks: number; chunksDiffering: number; since?: { column: string; from: string | null } }[];
  totals: { inserted: number; updated: number; deleted: number };
  verify?: { ok: boolean; tables: { name: string; sourceRows: number; targetRows: number; mismatches: number }[] };
}

export interface SyncRun extends CliResult {
  summary: SyncJson;
}

/** `flarelift sync --json …` in `cwd`; the last stdout line is the summary. */
export async function runSync(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<SyncRun> {
  const r = await runCli(['sync', '--json', ...args], { cwd: options.cwd, env: options.env ?? testEnv() });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let summary: SyncJson;
  try {
    summary = JSON.parse(last) as SyncJson;
  } catch {
    throw new Error(`sync printed no summary (exit ${r.code}): ${r.stderr.slice(-2000)}`);
  }
  return { ...r, summary };
}

/** Each table's inserted/updated/deleted, as `name → [i, u, d]`, leaving out the tables with none. */
export function changes(s: SyncJson): Record<string, [number, number, number]> {
  const out: Record<string, [number, number, number]> = {};
  for (const t of s.tables) if (t.inserted + t.updated + t.deleted > 0) out[t.name] = [t.inserted, t.updated, t.deleted];
  return out;
}

/** A sync that ended proven (exit 0). */
export function assertProven(r: SyncRun): void {
  assert.equal(r.code, 0, `sync exit ${r.code}: ${r.stderr.slice(-3000)}`);
  assert.equal(r.summary.status, 'complete');
  assert.equal(r.summary.proven, true);
  assert.equal(r.summary.verify?.ok, true);
}
