// Reading a copy's target back for verify: the same `--to` forms copy takes. A local D1 or a
// SQLite file is read directly (better-sqlite3, read-only); a remote D1 through the user's
// wrangler (`d1 execute --remote --json --command`). Import files (sql:) are not a database.
import path from 'node:path';
import type { SqliteValue } from '../casting/values.js';
import { UserError } from '../errors.js';
import type { TableMapping } from '../schema/mapping.js';
import { locateLocalD1 } from '../targets/d1-local/d1-local-path.js';
import { findD1Database, findWranglerConfig } from '../targets/d1-local/wrangler-config.js';
import { findWrangler, Wrangler } from '../targets/d1-remote/wrangler-cli.js';
import { parseTarget, type TargetSpecOptions } from '../targets/registry.js';
import { EncodedRows } from './chunk-hash.js';
import { openLocalReader } from './target-local.js';
import { openRemoteReader } from './target-remote.js';

/** Rows are arrays of values in the mapping's column order, as SQLite holds them (integers as bigint). */
export type TargetRow = SqliteValue[];

export interface RangeRead {
  rows: number;
  /** SHA-1 of the rows encoded as EncodedRows encodes them, in key order. */
  digest: string;
  /** The rows themselves, when the reader had to bring them here to hash them (remote). */
  data?: TargetRow[];
}

export interface TargetTableReader {
  /** Count and digest of the rows whose key is in (lo, hi] (null: unbounded). */
  digest(lo: readonly SqliteValue[] | null, hi: readonly SqliteValue[] | null): Promise<RangeRead>;
  /** Rows whose key is in (lo, hi] (null: unbounded), in SQLite's key order (BINARY), at most `limit`. */
  range(lo: readonly SqliteValue[] | null, hi: readonly SqliteValue[] | null, limit: number): Promise<TargetRow[]>;
  /** The rows whose key equals one of `keys` (any order). */
  lookup(keys: readonly (readonly SqliteValue[])[]): Promise<TargetRow[]>;
  /** Tables without a key, in rowid order after `after`: each row ends with its rowid (a bigint). */
  rowidPage(after: bigint | null, limit: number): Promise<TargetRow[]>;
}

export interface TargetReader {
  readonly description: string;
  /** Rows per page read that suit the transport (a remote call costs about a second). */
  readRows(chunkRows: number): number;
  /** The table as copy created it, or undefined when the target has no such table. */
  table(m: TableMapping): Promise<TargetTableReader | undefined>;
  close(): Promise<void>;
}

/** Key columns (or the rowid) of a table mapping, for the SQL both readers build. */
export interface TableShape {
  table: string;
  columns: string[];
  key: string[];
}

export function shapeOf(m: TableMapping): TableShape {
  return { table: m.name, columns: m.columns.map((c) => c.name), key: m.key ?? [] };
}

/** A name for the rowid that no column of the table shadows. */
export function rowidName(columns: readonly string[]): string {
  const taken = new Set(columns.map((c) => c.toLowerCase()));
  const name = ['rowid', '_rowid_', 'oid'].find((n) => !taken.has(n));
  if (!name) throw new UserError('a table without a key has columns named rowid, _rowid_ and oid: verify cannot tell its rows apart');
  return name;
}

/** Columns copy wrote that the target table lacks: a target not made from this source. */
export function checkColumns(shape: TableShape, present: readonly string[]): void {
  const have = new Set(present.map((c) => c.toLowerCase()));
  const missing = shape.columns.filter((c) => !have.has(c.toLowerCase()));
  if (missing.length > 0) {
    throw new UserError(`target table ${shape.table} has no column ${missing.join(', ')}: it was not copied from this source with these cast rules (check --from and --config-file)`);
  }
}

/** A digest computed here from rows read page by page (for readers with no digest of their own). */
export async function digestByReading(
  reader: Pick<TargetTableReader, 'range'>,
  keyIdx: readonly number[],
  lo: readonly SqliteValue[] | null,
  hi: readonly SqliteValue[] | null,
  pageRows: number,
): Promise<RangeRead> {
  const data: TargetRow[] = [];
  for (let cursor = lo; ; ) {
    const page = await reader.range(cursor, hi, pageRows);
    for (const row of page) data.push(row);
    if (page.length < pageRows) break;
    const last = page[page.length - 1];
    cursor = keyIdx.map((i) => last[i]);
  }
  const encoded = new EncodedRows();
  for (const row of data) encoded.add(row);
  return { rows: data.length, digest: encoded.digest(), data };
}

export async function openTargetReader(spec: string, options: TargetSpecOptions = {}): Promise<TargetReader> {
  const cwd = options.cwd ?? process.cwd();
  // Same parsing and the same errors as copy's --to.
  const target = parseTarget(spec, options);
  const rest = spec.trim().slice(spec.trim().indexOf(':') + 1);
  switch (target.kind) {
    case 'sql-files':
      throw new UserError(`${spec} is a directory of import files, not a database: apply them (wrangler d1 execute --file) and verify the database (d1:<name>)`);
    case 'sqlite-file':
      return openLocalReader(path.resolve(cwd, rest), target.description, 'run copy first, or check the path');
    case 'd1-local': {
      const config = findWranglerConfig({ config: options.config, cwd });
      const location = locateLocalD1({ configPath: config.path, database: rest, persistTo: options.persistTo, cwd });
      return openLocalReader(location.path, target.description, 'run copy first (check --config and --persist-to)');
    }
    case 'd1-remote': {
      const config = findWranglerConfig({ config: options.config, cwd });
      findD1Database(config, rest);
      const bin = findWrangler(path.dirname(config.path), cwd);
      if (!bin) throw new UserError('no wrangler found: install it in the Worker project (npm i -D wrangler) or put it on PATH');
      return openRemoteReader(new Wrangler(bin, cwd), ['d1', 'execute', rest, '--remote', '--config', config.path], target.description);
    }
  }
}
