// Per-table reject files: one JSON line per row that could not be written, with its key, the
// reason and its source values. Lines are appended before the batch they belong to commits, so
// on resume a file is cut back to the count its journal entry holds — no line twice, none lost.
import { closeSync, existsSync, openSync, readSync, rmSync, truncateSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { SourceValue } from '../casting/values.js';
import { UserError } from '../errors.js';
import { jsonSafe } from './copy-json.js';
import { makeDirectory } from '../make-directory.js';

export interface RejectRecord {
  table: string;
  key: Record<string, unknown> | null;
  reason: string;
  values: Record<string, unknown>;
}

export function rejectRecord(table: string, columns: readonly string[], keyIndexes: readonly number[] | undefined, row: readonly SourceValue[], reason: string): RejectRecord {
  const values: Record<string, unknown> = {};
  columns.forEach((c, i) => (values[c] = jsonSafe(row[i])));
  let key: Record<string, unknown> | null = null;
  if (keyIndexes) {
    key = {};
    for (const i of keyIndexes) key[columns[i]] = jsonSafe(row[i]);
  }
  return { table, key, reason, values };
}

export class RejectFiles {
  private readonly fds = new Map<string, number>();

  constructor(readonly dir: string) {}

  /**
   * The table's file. A name that is not plain letters, digits, `_`, `.`, `-` gets a hash of the
   * exact name appended, so tables such as "t x" and t_x never share a file.
   */
  fileFor(table: string): string {
    const safe = table.replace(/[^A-Za-z0-9_.-]/g, '_');
    const id = safe === table ? safe : `${safe}-${createHash('sha256').update(table).digest('hex').slice(0, 10)}`;
    return path.join(this.dir, `${id}.rejects.jsonl`);
  }

  append(records: readonly RejectRecord[]): void {
    if (records.length > 0) this.appendTo(records[0].table, records);
  }

  /** One JSON line per record into the collection's file (rows, keys or objects alike). */
  appendTo(collection: string, records: readonly object[]): void {
    if (records.length === 0) return;
    const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
    this.guard(() => writeSync(this.fd(collection), text));
  }

  /** Keeps the first `lines` lines (what the journal counts); removes the file when that is none. */
  truncate(table: string, lines: number): void {
    this.closeOne(table);
    const file = this.fileFor(table);
    if (!existsSync(file)) return;
    if (lines === 0) return rmSync(file);
    // Find the end of line `lines` reading 1 MB at a time (a reject file can be large).
    const fd = openSync(file, 'r');
    let end: number | undefined;
    try {
      const chunk = Buffer.alloc(1 << 20);
      let seen = 0;
      for (let offset = 0; end === undefined; ) {
        const n = readSync(fd, chunk, 0, chunk.length, offset);
        if (n === 0) break; // fewer lines than counted: keep them all
        for (let i = 0; i < n; i++) {
          if (chunk[i] === 10 && ++seen === lines) {
            end = offset + i + 1;
            break;
          }
        }
        offset += n;
      }
    } finally {
      closeSync(fd);
    }
    if (end !== undefined) this.guard(() => truncateSync(file, end));
  }

  exists(table: string): boolean {
    return existsSync(this.fileFor(table));
  }

  close(): void {
    for (const table of [...this.fds.keys()]) this.closeOne(table);
  }

  private fd(table: string): number {
    let fd = this.fds.get(table);
    if (fd === undefined) {
      makeDirectory(this.dir);
      fd = openSync(this.fileFor(table), 'a');
      this.fds.set(table, fd);
    }
    return fd;
  }

  private closeOne(table: string): void {
    const fd = this.fds.get(table);
    if (fd !== undefined) closeSync(fd);
    this.fds.delete(table);
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC') throw new UserError(`disk full writing reject files in ${this.dir}: free some space, then run the same copy with --resume`);
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOTDIR' || code === 'ENOENT') {
        throw new UserError(`cannot write reject files in ${this.dir} (${code}): choose another --reject-dir`);
      }
      throw e;
    }
  }
}
