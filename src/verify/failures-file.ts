// The failures file: one JSON line per difference found, up to --max-failures lines (the counts
// in the summary stay exact beyond it). It exists after a run exactly when there were
// differences: a stale file from an earlier run is removed at the start.
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { SqliteValue, SourceValue } from '../casting/values.js';
import { UserError } from '../errors.js';
import { jsonSafe } from '../pipeline/copy-json.js';
import { makeDirectory } from '../make-directory.js';

export type DifferenceKind = 'missing' | 'extra' | 'changed';

export interface ColumnDifference {
  column: string;
  /** What the target must hold: the source value through the column's cast. */
  source: unknown;
  target: unknown;
  /** The source value as read, when the cast changed it (e.g. a timestamp as unix seconds). */
  sourceValue?: unknown;
}

export interface FailureRecord {
  table: string;
  kind: DifferenceKind;
  /** Key values as SQLite holds them; null for tables without a key. */
  key: Record<string, unknown> | null;
  columns?: ColumnDifference[];
  /** Tables without a key: the row's values and how many more copies one side holds. */
  values?: Record<string, unknown>;
  count?: number;
  /** Units (keys, objects): what differs, in words, and both values as the cast's describe() gives them. */
  reason?: string;
  source?: unknown;
  target?: unknown;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A value for the failures file: bytes as {"$hex": …}, integers beyond 2^53 and non-finite
 * numbers as strings. Smaller integers are numbers whichever side they come from (the target
 * reads every integer as a BigInt), so one key reads the same in every record.
 */
export function safeValue(v: SqliteValue | SourceValue): unknown {
  if (typeof v === 'bigint' && v >= -MAX_SAFE && v <= MAX_SAFE) return Number(v);
  return jsonSafe(v);
}

export function namedValues(names: readonly string[], values: readonly (SqliteValue | SourceValue)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  names.forEach((n, i) => (out[n] = safeValue(values[i])));
  return out;
}

export class FailuresFile {
  private fd: number | undefined;
  written = 0;

  constructor(
    readonly file: string,
    readonly max: number,
  ) {
    rmSync(file, { force: true });
  }

  /** False once the cap is reached (the caller keeps counting). */
  get open(): boolean {
    return this.written < this.max;
  }

  write(record: FailureRecord): void {
    if (!this.open) return;
    try {
      if (this.fd === undefined) {
        makeDirectory(path.dirname(this.file));
        this.fd = openSync(this.file, 'w');
      }
      writeSync(this.fd, JSON.stringify(record) + '\n');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UserError(`cannot write the failures file ${this.file} (${code ?? (e as Error).message}): choose another --failures`);
    }
    this.written++;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
