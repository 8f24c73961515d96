// Streaming rows out of PostgreSQL with a server-side cursor (pg-cursor), in key order that
// equals SQLite's BINARY order, resumable from a key. The caller owns the client and the
// transaction around it; this module owns the SQL and the cursor.
import { isUtf8 } from 'node:buffer';
import type { PoolClient } from 'pg';
import Cursor from 'pg-cursor';
import { NotUtf8Text, type SourceValue } from '../../casting/values.js';
import type { Column, Table } from '../../catalog/types.js';
import type { ReadOptions } from '../source.js';
import type { EventEmitter } from 'node:events';
import { stallTimeoutMs } from '../stall-watch.js';
import { PG_TYPES } from './postgres-connection.js';

export function pgIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * What the reader selects for a column, given the SQL for its value: arrays as JSON text (the
 * json transform stores them as is), money as plain decimal text (its own text form carries a
 * locale's currency symbol), everything else as the server sends it.
 */
export function valueExpression(c: Column, operand: string): string {
  if (c.dataType === 'array') return `array_to_json(${operand})::text`;
  if (c.dataType === 'money') return `${operand}::numeric::text`;
  return operand;
}

// A SQL_ASCII database stores whatever bytes a client sent, and pg decodes a field that is not
// UTF-8 with U+FFFD in place of the bad bytes. There, the columns whose text is the user's
// (text types, json, xml, enum labels, arrays as JSON) are selected as their bytes and
// decoded here: valid UTF-8 becomes the same string, anything else NotUtf8Text.
const USER_TEXT = new Set(['text', 'varchar', 'char', 'name', 'citext', 'json', 'jsonb', 'xml', 'enum', 'array']);

/** True when `streamRows` reads the column as bytes (only in a SQL_ASCII database). */
export const readsAsBytes = (c: Column) => USER_TEXT.has(c.dataType);

function bytesExpression(c: Column, operand: string): string {
  // char(n)::text drops the padding that char's own output keeps; concat() uses that output.
  const text = c.dataType === 'char' ? `CASE WHEN ${operand} IS NOT NULL THEN concat(${operand}) END` : `(${valueExpression(c, operand)})::text`;
  return `convert_to(${text}, 'SQL_ASCII')`;
}

function decodeBytes(v: unknown): SourceValue {
  if (!Buffer.isBuffer(v)) return v as SourceValue;
  return isUtf8(v) ? v.toString('utf8') : NotUtf8Text.copyOf(v);
}

// Types whose Postgres comparison is not byte order, read as text under the "C" collation:
// citext compares case-insensitively, enums by declaration order.
const TEXT_CAST_KEYS = new Set(['citext', 'enum']);
const COLLATABLE_KEYS = new Set(['text', 'varchar', 'char', 'name']);

/** A key column as the ORDER BY / resume comparison uses it: byte order for text. */
export function orderKeyExpression(c: Column): string {
  const q = pgIdent(c.name);
  if (TEXT_CAST_KEYS.has(c.dataType)) return `${q}::text COLLATE "C"`;
  if (COLLATABLE_KEYS.has(c.dataType)) return `${q} COLLATE "C"`;
  return q;
}

function keyColumns(table: Table, names: readonly string[]): Column[] {
  return names.map((n) => {
    const c = table.columns.find((col) => col.name === n);
    if (!c) throw new Error(`order column '${n}' is not a column of ${table.name}`);
    return c;
  });
}

export function buildSelect(table: Table, options: Pick<ReadOptions, 'orderBy' | 'after' | 'since'>, textBytes = false): { text: string; values: unknown[] } {
  const list = table.columns
    .map((c) => (textBytes && readsAsBytes(c) ? bytesExpression(c, pgIdent(c.name)) : valueExpression(c, pgIdent(c.name))))
    .join(', ');
  let text = `SELECT ${list} FROM ${table.sourceName}`;
  const values: unknown[] = [];
  const keys = keyColumns(table, options.orderBy ?? []);
  if (options.after && options.after.length > 0) {
    if (options.after.length !== keys.length) {
      throw new Error(`resume key has ${options.after.length} values but the order has ${keys.length} columns`);
    }
    // A resume key kept as bytes compares as the database's text again.
    const placeholders = keys.map((_, i) => (options.after![i] instanceof NotUtf8Text ? `convert_from($${i + 1}, 'SQL_ASCII')` : `$${i + 1}`));
    text += ` WHERE (${keys.map(orderKeyExpression).join(', ')}) > (${placeholders.join(', ')})`;
    values.push(...options.after.map((v) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v) : v)));
  }
  if (options.since) {
    // The parameter takes the column's type from the comparison (text for a timestamp is parsed as one).
    values.push(typeof options.since.from === 'bigint' ? options.since.from.toString() : options.since.from);
    text += `${values.length > 1 ? ' AND' : ' WHERE'} ${pgIdent(options.since.column)} >= $${values.length}`;
  }
  // NULLS FIRST: SQLite sorts NULL before every value. Said only for a column that can hold
  // NULL: an ascending index keeps NULLs last, so NULLS FIRST on a primary key made PostgreSQL
  // sort the whole table before the first row (measured: 250 ms and a sort's CPU per 1M rows).
  if (keys.length > 0) text += ` ORDER BY ${keys.map((k) => `${orderKeyExpression(k)}${k.nullable ? ' NULLS FIRST' : ''}`).join(', ')}`;
  return { text, values };
}

/**
 * Yields batches of rows (arrays in table.columns order); closes the cursor however it ends.
 * `textBytes`: the database is SQL_ASCII, user text is read as bytes and checked for UTF-8.
 */
export async function* streamRows(client: PoolClient, table: Table, options: ReadOptions, textBytes = false): AsyncGenerator<SourceValue[][]> {
  const { text, values } = buildSelect(table, options, textBytes);
  const byteColumns = textBytes ? table.columns.flatMap((c, i) => (readsAsBytes(c) ? [i] : [])) : [];
  const batchSize = Math.max(1, Math.floor(options.batchSize));
  const cursor = client.query(new Cursor<SourceValue[]>(text, values, { rowMode: 'array', types: PG_TYPES }));
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      const rows = await cursor.read(batchSize);
      if (rows.length === 0) return;
      for (const row of rows) for (const i of byteColumns) row[i] = decodeBytes(row[i]);
      yield rows;
    }
  } finally {
    await closeCursor(client, cursor);
  }
}

/**
 * Closes the cursor's portal. pg-cursor waits for the server's ReadyForQuery, which never comes
 * on a connection that was terminated or stalled: a cursor that failed is left alone (its client
 * is discarded), and the wait ends when the connection does or after the stall timeout.
 */
async function closeCursor(client: PoolClient, cursor: Cursor<SourceValue[]>): Promise<void> {
  const state = (cursor as unknown as { state?: string }).state;
  if (state === 'error' || state === 'done') return;
  const connection = (client as unknown as { connection: EventEmitter & { stream?: { destroy(): void } } }).connection;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      connection.stream?.destroy();
      finish();
    }, stallTimeoutMs());
    const finish = () => {
      clearTimeout(timer);
      connection.off('end', finish);
      connection.off('error', finish);
      resolve();
    };
    connection.once('end', finish);
    connection.once('error', finish);
    cursor.close().then(finish, finish);
  });
}

export async function countTable(client: PoolClient, table: Table): Promise<number> {
  const r = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table.sourceName}`);
  return Number(r.rows[0].n);
}
