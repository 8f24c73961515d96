// Verify's chunk digests computed by PostgreSQL itself: for each chunk of rows in key order the
// server renders every row in verify's row text (verify/verify-server-digest.ts) and returns
// only the count and a SHA-256, so no row crosses the wire unless its chunk differs.
//
// Only casts the server can reproduce exactly are rendered: a column whose cast leaves the
// server's own text as it is (text, decimal_text, json, enum, uuid, ...), integers, booleans
// (1/0), bytea (as the target writes a BLOB), dates and microsecond timestamps (ISO text, for
// the years 0001-9999 that toDateText() and the fast path of isoTimestamp() write; any other
// value renders as '!', a tag the target never writes, so its chunk is compared row by row).
// A table with any other column is not digested here.
import type { PoolClient } from 'pg';
import type { SourceValue } from '../../casting/values.js';
import type { Column, Table } from '../../catalog/types.js';
import type { ColumnMapping, TableMapping } from '../../schema/mapping.js';
import type { SourceChunk } from '../source.js';
import { PG_TYPES } from './postgres-connection.js';
import { pgIdent, valueExpression } from './postgres-reader.js';

/** Types pg hands over as JS values (postgres-connection.ts): their casts do not see the server's text. */
const PARSED_TYPES = new Set(['boolean', 'bytea', 'smallint', 'integer', 'oid', 'real', 'double precision']);
/** Transforms whose value function returns server text unchanged (toText, toJsonText; uuid's lower-casing: uuid_out is lower case). */
const TEXT_IDENTITY = new Set(['text', 'decimal_text', 'json', 'enum', 'lossy_text', 'time']);
const INTEGER_TYPES = new Set(['smallint', 'integer', 'bigint']);
/** Key types whose order under orderKeyExpression() equals SQLite's BINARY order of the cast values. */
const TEXT_KEY_TYPES = new Set(['text', 'varchar', 'uuid']);

interface Rendered {
  /** What the fenced inner SELECT computes once per row, from the column. */
  inner: (x: string) => string;
  /** The row text of a value `v` (the inner output) known not to be NULL. */
  outer: (v: string) => string;
  /**
   * True when outer() is NULL exactly when its value is (a chain of `||`), so coalesce(outer, 'N')
   * renders a nullable column; otherwise a CASE tests for NULL first.
   */
  strict: boolean;
}

// The row is one chain of `||` (textcat, and anytextcat for a number) rather than concat():
// concat() calls every argument's output function again, and the CASE that tells NULL apart is
// left out for a NOT NULL column. Measured on the 9-column bench table (PostgreSQL's own CPU,
// 1,000,000 rows in chunks of 10,000): 4.1-4.5 s with concat() and a CASE per value, 2.5-3.0 s as
// one chain with uuid's constant length (a loaded machine: the ratio held from run to run).
// octet_length: SQLite's side counts the same UTF-8 bytes (length() would scan for characters).
const TEXT: Rendered = { inner: (x) => `${x}::text`, outer: (v) => `'T' || octet_length(${v}) || ':' || ${v}`, strict: true };
/** uuid_out always writes 36 ASCII characters: the length is known without octet_length(). */
const UUID: Rendered = { inner: (x) => `${x}::text`, outer: (v) => `'T36:' || ${v}`, strict: true };
const INTEGER: Rendered = { inner: (x) => `${x}::text`, outer: (v) => `'i' || ${v}`, strict: true };
const BOOLEAN: Rendered = { inner: (x) => x, outer: (v) => `CASE WHEN ${v} THEN 'i1' ELSE 'i0' END`, strict: false };

/** isoTimestamp() with six fraction digits: its fast path for the years 0001-9999, '!' outside them. */
function timestamp(zone: boolean): Rendered {
  const type = zone ? 'timestamptz' : 'timestamp';
  const lo = `'0001-01-01 00:00:00${zone ? '+00' : ''}'::${type}`;
  const hi = `'10000-01-01 00:00:00${zone ? '+00' : ''}'::${type}`;
  const text = (v: string) => (zone ? `to_char(${v} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` : `to_char(${v}, 'YYYY-MM-DD"T"HH24:MI:SS.US')`);
  return {
    inner: (x) => x,
    outer: (v) => `CASE WHEN ${v} >= ${lo} AND ${v} < ${hi} THEN '${zone ? 'T27:' : 'T26:'}' || ${text(v)} ELSE '!' END`,
    strict: false,
  };
}

/** toDateText() for the years 0001-9999 (YYYY-MM-DD), '!' outside them. */
const DATE: Rendered = {
  inner: (x) => x,
  outer: (v) => `CASE WHEN ${v} >= '0001-01-01'::date AND ${v} < '10000-01-01'::date THEN 'T10:' || to_char(${v}, 'YYYY-MM-DD') ELSE '!' END`,
  strict: false,
};
/** A BLOB as the target writes what is neither INTEGER nor TEXT: 'X', its type and quote() (X'…', upper-case hex). */
const BLOB: Rendered = { inner: (x) => x, outer: (v) => `'XblobX''' || upper(encode(${v}, 'hex')) || ''''`, strict: true };

/** A column's row text, 'N' for NULL unless the column is NOT NULL. */
function piece(r: Rendered, v: string, nullable: boolean): string {
  if (!nullable) return r.outer(v);
  return r.strict ? `coalesce(${r.outer(v)}, 'N')` : `CASE WHEN ${v} IS NULL THEN 'N' ELSE ${r.outer(v)} END`;
}

function rendering(c: ColumnMapping): Rendered | undefined {
  const { column, transform, rewrites } = c.cast;
  if (rewrites && rewrites.length > 0) return undefined;
  const type = column.dataType;
  switch (transform.name) {
    case 'integer':
    case 'bigint':
      return INTEGER_TYPES.has(type) ? INTEGER : undefined;
    case 'boolean':
      return type === 'boolean' ? BOOLEAN : undefined;
    case 'uuid':
      return type === 'uuid' ? UUID : undefined;
    case 'date':
      return type === 'date' ? DATE : undefined;
    case 'blob':
      return type === 'bytea' ? BLOB : undefined;
    case 'timestamptz_iso':
    case 'timestamp_iso': {
      const zone = transform.name === 'timestamptz_iso';
      if (type !== (zone ? 'timestamptz' : 'timestamp') || Math.min(column.precision ?? 6, 9) !== 6) return undefined;
      return timestamp(zone);
    }
    default:
      return TEXT_IDENTITY.has(transform.name) && !PARSED_TYPES.has(type) ? TEXT : undefined;
  }
}

function keyOrder(c: Column, operand: string): string | undefined {
  if (INTEGER_TYPES.has(c.dataType)) return operand;
  if (c.dataType === 'uuid') return operand; // uuid order is byte order: that of its lower-case hex text
  if (TEXT_KEY_TYPES.has(c.dataType)) return `${operand} COLLATE "C"`;
  return undefined;
}

export interface PgDigestPlan {
  table: Table;
  /** The key columns' order expressions. */
  order: string[];
  keySelect: string;
  inner: string;
  row: string;
  columns: string;
}

/** The SQL for a table's chunk digests, or undefined when a column or the key cannot be rendered exactly. */
export function digestPlan(m: TableMapping): PgDigestPlan | undefined {
  if (!m.key || m.key.length === 0) return undefined;
  const rendered = m.columns.map(rendering);
  if (rendered.some((r) => r === undefined)) return undefined;
  const keys = m.key.map((k) => m.table.columns.find((c) => c.name === k));
  if (keys.some((k) => k === undefined)) return undefined;
  const order = keys.map((k) => keyOrder(k!, pgIdent(k!.name)));
  if (order.some((o) => o === undefined)) return undefined;
  const inner = [
    ...m.columns.map((c, i) => `${rendered[i]!.inner(valueExpression(c.cast.column, pgIdent(c.cast.column.name)))} AS v${i}`),
  ].join(', ');
  return {
    table: m.table,
    order: order as string[],
    keySelect: keys.map((k) => pgIdent(k!.name)).join(', '),
    inner,
    // A NOT NULL column's value is never NULL, so neither is the row: string_agg skips no row.
    row: m.columns.map((c, i) => `(${piece(rendered[i]!, `v${i}`, c.cast.column.nullable)})`).join(' || '),
    columns: m.table.columns.map((c) => valueExpression(c, pgIdent(c.name))).join(', '),
  };
}

function tuple(items: string[]): string {
  return items.length === 1 ? items[0] : `(${items.join(', ')})`;
}

/** WHERE over (lo, hi] with $n placeholders from `first`; null bounds are left out. */
function range(plan: PgDigestPlan, lo: boolean, hi: boolean): string {
  const n = plan.order.length;
  const params = (from: number) => tuple(Array.from({ length: n }, (_, i) => `$${from + i}`));
  const where: string[] = [];
  if (lo) where.push(`${tuple(plan.order)} > ${params(1)}`);
  if (hi) where.push(`${tuple(plan.order)} <= ${params(lo ? n + 1 : 1)}`);
  return where.length ? ` WHERE ${where.join(' AND ')}` : '';
}

const values = (lo: SourceValue[] | null, hi: SourceValue[] | null): unknown[] =>
  [...(lo ?? []), ...(hi ?? [])].map((v) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v) : v));

/**
 * Chunks of a table on one or more clients, each in a transaction of the same snapshot (the
 * caller's). Chunk i is digested on client i mod n, so with two clients PostgreSQL renders two
 * chunks at once on two backends: rendering is the server's CPU work, and one backend was the
 * bottleneck of a verify. A chunk's edge (its last key) is asked on its own client, queued
 * behind that client's previous digest while the other client renders; the digest query is
 * queued right after it, so each server always has its next chunk while the target hashes.
 */
export async function* digestChunks(clients: readonly PoolClient[], plan: PgDigestPlan, chunkRows: number, signal?: AbortSignal): AsyncGenerator<SourceChunk> {
  if (clients.length === 0) throw new Error('digestChunks: no client');
  const n = Math.max(1, Math.floor(chunkRows));
  const source = plan.table.sourceName;
  const orderBy = plan.order.join(', ');
  const query = <R extends unknown[]>(client: PoolClient, text: string, params: unknown[]) =>
    client.query<R>({ text, values: params, rowMode: 'array', types: PG_TYPES }).then((r) => r.rows);
  // length() counts characters, as SQLite's does, only when the server's text is UTF-8 (SQL_ASCII
  // counts bytes): on another encoding every chunk is reported as differing, so rows decide.
  const [[encoding]] = await query<[string]>(clients[0], `SELECT current_setting('server_encoding')`, []);
  const trusted = encoding === 'UTF8';
  let lo: SourceValue[] | null = null;
  for (let i = 0; ; i++) {
    signal?.throwIfAborted();
    const client = clients[i % clients.length];
    const edge: SourceValue[][] = await query<SourceValue[]>(
      client,
      `SELECT ${plan.keySelect} FROM ${source}${range(plan, lo !== null, false)} ORDER BY ${orderBy} LIMIT 1 OFFSET ${n - 1}`,
      values(lo, null),
    );
    const from = lo;
    const to: SourceValue[] | null = edge[0] ?? null;
    const where = range(plan, from !== null, to !== null);
    // The rows are aggregated in the order the subquery's ORDER BY gives them (its ORDER BY also
    // keeps it from being merged into the outer query, so each value is computed once). An
    // aggregate's own ORDER BY would sort again; an order it did not keep could only make the
    // digests differ, and then rows decide.
    const digest = query<[string, string]>(
      client,
      `SELECT count(*)::text, encode(sha256(convert_to(coalesce(string_agg(${plan.row}, ''), ''), 'UTF8')), 'hex')` +
        ` FROM (SELECT ${plan.inner} FROM ${source}${where} ORDER BY ${orderBy}) s`,
      values(from, to),
    ).then(([[rows, hash]]) => ({ rows: Number(rows), digest: trusted ? hash : '' }));
    digest.catch(() => undefined); // awaited by the consumer; not unhandled while it waits its turn
    yield {
      hi: to,
      digest,
      rows: () => query<SourceValue[]>(client, `SELECT ${plan.columns} FROM ${source}${where} ORDER BY ${orderBy}`, values(from, to)),
    };
    if (to === null) return;
    lo = to;
  }
}
