// Reading rows: the SELECT for a table (geometry as WKT, key order by bytes, resume after a key)
// and a bounded-memory stream over mysql2's row stream, yielded in batches.
import type { Column, Table } from '../../catalog/types.js';
import type { SourceValue } from '../../casting/values.js';
import type { ReadOptions } from '../source.js';
import type { CoreConnection, CoreQuery } from './mysql-connection.js';
import { isGeometryType, isTextType, quoteMy } from './mysql-types.js';

export function qualifiedName(table: Table): string {
  return `${quoteMy(table.schema)}.${table.sourceName}`;
}

/** Geometry is read as WKT text (the lossy_text cast); every other value as the driver gives it. */
export function selectExpression(c: Column): string {
  return isGeometryType(c.dataType) ? `ST_AsText(${quoteMy(c.name)})` : quoteMy(c.name);
}

/**
 * Text keys are ordered and compared by their UTF-8 bytes, which is SQLite's BINARY order:
 * CONVERT to utf8mb4 (latin1 and other charsets would give other bytes) then to a binary string,
 * which compares byte by byte with no PAD SPACE and no case folding. Enums order by label this
 * way, not by their index as MySQL would. Other types order natively (numbers numerically,
 * temporals chronologically, which is also the text order of their ISO forms).
 */
function keyExpression(c: Column): { column: string; param: string } {
  if (isTextType(c.dataType)) {
    return { column: `CAST(CONVERT(${quoteMy(c.name)} USING utf8mb4) AS BINARY)`, param: 'CAST(CONVERT(? USING utf8mb4) AS BINARY)' };
  }
  return { column: quoteMy(c.name), param: '?' };
}

function keyColumn(table: Table, name: string): Column {
  const c = table.columns.find((col) => col.name === name);
  if (!c) throw new Error(`orderBy column '${name}' is not a column of ${table.name}`);
  return c;
}

export interface SelectStatement {
  sql: string;
  values: unknown[];
}

export function buildSelect(table: Table, options: Pick<ReadOptions, 'orderBy' | 'after' | 'since'>): SelectStatement {
  let sql = `SELECT ${table.columns.map(selectExpression).join(', ')} FROM ${qualifiedName(table)}`;
  const values: unknown[] = [];
  const order = (options.orderBy ?? []).map((name) => keyExpression(keyColumn(table, name)));
  if (options.after !== undefined) {
    if (order.length === 0 || options.after.length !== order.length) {
      throw new Error(`resume needs one 'after' value per orderBy column (${order.length}), got ${options.after.length}`);
    }
    // Row-value comparison: (k1, k2) > (?, ?) is the lexicographic "strictly after".
    sql += ` WHERE (${order.map((o) => o.column).join(', ')}) > (${order.map((o) => o.param).join(', ')})`;
    values.push(...options.after.map(toParam));
  }
  if (options.since) {
    sql += `${values.length > 0 ? ' AND' : ' WHERE'} ${quoteMy(options.since.column)} >= ?`;
    values.push(toParam(options.since.from));
  }
  if (order.length > 0) sql += ` ORDER BY ${order.map((o) => o.column).join(', ')}`;
  return { sql, values };
}

function toParam(v: SourceValue): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array && !Buffer.isBuffer(v)) return Buffer.from(v);
  return v ?? null;
}

/**
 * Called when the stream ends before the query did: the consumer stopped early (the query is
 * still running and must be stopped, leaving the connection idle) or the connection was lost
 * (`lost`: the connection is unusable and must be discarded).
 */
export type Abandon = (query: CoreQuery, lost: boolean) => Promise<void>;

/** Batches read ahead of the consumer before the socket is paused. */
const BATCHES_AHEAD = 2;

/**
 * Streams the rows of `statement` in batches of `batchSize`. Rows are gathered from the stream's
 * 'data' events (its async iterator costs a promise per row: 0.3 s per million in the profile);
 * up to BATCHES_AHEAD batches wait for the consumer, then the stream is paused, mysql2's buffer
 * (highWaterMark = one batch) fills and it pauses the socket, so memory stays at a few batches.
 * When the consumer stops early, `abandon` stops the query (finally).
 */
export async function* streamRows(
  core: CoreConnection,
  statement: SelectStatement,
  options: Pick<ReadOptions, 'batchSize' | 'signal'>,
  abandon: Abandon,
): AsyncGenerator<SourceValue[][]> {
  const batchSize = Math.max(1, Math.floor(options.batchSize));
  options.signal?.throwIfAborted();
  const query = core.query({ sql: statement.sql, values: statement.values, rowsAsArray: true });
  let ended = false;
  query.once('end', () => {
    ended = true;
  });
  // Once our stream is gone mysql2 re-emits a late error (a KILL) on the query: keep it from throwing.
  query.on('error', () => undefined);
  const stream = query.stream({ highWaterMark: batchSize });
  // A lost connection is reported on the connection only; without this the stream never ends.
  let lost = false;
  const onLost = (err: Error) => {
    lost = true;
    stream.destroy(err);
  };
  core.on('error', onLost);
  const ready: SourceValue[][][] = [];
  let batch: SourceValue[][] = [];
  let finished = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  stream.on('data', (row: SourceValue[]) => {
    batch.push(row);
    if (batch.length >= batchSize) {
      ready.push(batch);
      batch = [];
      if (ready.length >= BATCHES_AHEAD) stream.pause();
      notify();
    }
  });
  stream.once('end', () => {
    finished = true;
    notify();
  });
  stream.once('error', (e: Error) => {
    failure = e;
    notify();
  });
  try {
    for (;;) {
      if (failure) throw failure;
      const next = ready.shift();
      if (next) {
        if (stream.isPaused() && ready.length < BATCHES_AHEAD) stream.resume();
        yield next;
        options.signal?.throwIfAborted();
        continue;
      }
      if (finished) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    if (batch.length > 0) yield batch;
  } finally {
    core.removeListener('error', onLost);
    stream.destroy();
    if (lost || !ended) await abandon(query, lost);
  }
}

/** Resolves when the query has finished (mysql2 emits 'end' after the last row or an error). */
export function queryEnded(query: CoreQuery, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    query.once('end', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
