// Helpers for the verify tests: running the verify command in-process with a capturing Output
// (as the CLI would, exit code included), reading the failures file, and tampering with a
// target SQLite file directly (foreign keys off) the way a broken copy or a stray write would.
import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import type { Output } from '../../src/cli/output.js';
import { verifyCommand } from '../../src/cli/commands/verify.js';
import { isUserError } from '../../src/errors.js';
import type { FailureRecord } from '../../src/verify/failures-file.js';

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** verifyCommand.run with the options commander would pass; a UserError becomes exit 2 as in main(). */
export async function runVerifyCommand(options: Record<string, unknown>): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const output: Output = { out: (t) => out.push(t), err: (t) => err.push(t), interactive: false };
  let code: number;
  try {
    code = await verifyCommand.run(options, output);
  } catch (e) {
    if (!isUserError(e)) throw e;
    err.push(`error: ${e.message}`);
    code = e.exitCode;
  }
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** The last line of --json output: the summary. */
export function jsonSummary(stdout: string): {
  ok: boolean;
  tables: { name: string; sourceRows: number; targetRows: number; mismatches: number; missing: number; extra: number; changed: number; rejected: number; method: string; serverDigests?: boolean }[];
  totals: { mismatches: number; rejected: number };
  failuresFile?: string;
} {
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

export function readFailures(file: string): FailureRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as FailureRecord);
}

export interface TableInfo {
  name: string;
  columns: { name: string; type: string; pk: number }[];
  key: string[];
}

/** A table of the target by case-insensitive name, with its columns and primary key, from SQLite itself. */
export function tableInfo(db: Database.Database, lowerName: string): TableInfo {
  const name = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND lower(name) = ?`).pluck().get(lowerName) as string | undefined);
  if (!name) throw new Error(`no table ${lowerName} in the target`);
  const columns = db.prepare(`PRAGMA table_info("${name}")`).all() as { name: string; type: string; pk: number }[];
  const key = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
  return { name, columns, key };
}

/** Opens the target file for writing with foreign keys off (a tamper must not cascade). */
export function openForTamper(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('foreign_keys = OFF');
  return db;
}

export const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
