// The SELECTs verify runs on a target, shared by the local and remote readers (which differ in
// how values travel: bound parameters, or literals in a wrangler command). Key comparisons are
// written with COLLATE BINARY so a column declared NOCASE is still walked in byte order, the
// order verify's merge uses.
import { quoteAlways } from '../../schema/identifiers.js';
import type { TableShape } from '../reader.js';

/** One placeholder or literal per key column, for the lower or the upper bound. */
export type Operands = (index: number) => string;

function keyList(shape: TableShape): string[] {
  return shape.key.map((k) => `${quoteAlways(k)} COLLATE BINARY`);
}

function tuple(items: string[]): string {
  return items.length === 1 ? items[0] : `(${items.join(', ')})`;
}

export function rangeSql(shape: TableShape, select: string, lo: Operands | null, hi: Operands | null, limit: string): string {
  const keys = keyList(shape);
  const where: string[] = [];
  if (lo) where.push(`${tuple(keys)} > ${tuple(keys.map((_, i) => lo(i)))}`);
  if (hi) where.push(`${tuple(keys)} <= ${tuple(keys.map((_, i) => hi(i)))}`);
  return `SELECT ${select} FROM ${quoteAlways(shape.table)}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${keys.join(', ')} LIMIT ${limit}`;
}

/**
 * Rows whose key equals one of `count` keys; `operand(row, column)` gives each value. An IN list
 * (a row-value IN over VALUES for a composite key) that SQLite answers from the key's index: a
 * COLLATE BINARY here, or an OR of equalities with bound values, makes it scan the table for each
 * statement (measured: seconds per 200 keys on a million rows). Under the column's own collation
 * a NOCASE key may also return the row 'A' for 'a': callers match the rows by exact key.
 */
export function lookupSql(shape: TableShape, select: string, count: number, operand: (row: number, column: number) => string): string {
  const keys = shape.key.map(quoteAlways);
  const values = Array.from({ length: count }, (_, r) => (keys.length === 1 ? operand(r, 0) : `(${keys.map((_, c) => operand(r, c)).join(', ')})`));
  const where = keys.length === 1 ? `${keys[0]} IN (${values.join(', ')})` : `(${keys.join(', ')}) IN (VALUES ${values.join(', ')})`;
  return `SELECT ${select} FROM ${quoteAlways(shape.table)} WHERE ${where}`;
}

/** Rows after a rowid, in rowid order, each ending with `rowidSelect` (the rowid as the reader carries it). */
export function rowidSql(shape: TableShape, select: string, rowid: string, rowidSelect: string, after: string | null, limit: string): string {
  return `SELECT ${select}, ${rowidSelect} FROM ${quoteAlways(shape.table)}${after !== null ? ` WHERE ${rowid} > ${after}` : ''} ORDER BY ${rowid} LIMIT ${limit}`;
}


/**
 * One column in verify's row text (verify/verify-server-digest.ts), by the type SQLite holds:
 * 'N', 'i' and the integer, 'T', the length in UTF-8 bytes, ':' and the text; anything else
 * (REAL, BLOB) 'X' and its type and quote(), which no source renders but as a BLOB.
 */
function rowTextValue(column: string): string {
  const q = quoteAlways(column);
  return `CASE typeof(${q}) WHEN 'integer' THEN 'i' || ${q} WHEN 'text' THEN 'T' || octet_length(${q}) || ':' || ${q} WHEN 'null' THEN 'N' ELSE 'X' || typeof(${q}) || quote(${q}) END`;
}

function rangeWhere(shape: TableShape, lo: Operands | null, hi: Operands | null): string {
  const keys = keyList(shape);
  const where: string[] = [];
  if (lo) where.push(`${tuple(keys)} > ${tuple(keys.map((_, i) => lo(i)))}`);
  if (hi) where.push(`${tuple(keys)} <= ${tuple(keys.map((_, i) => hi(i)))}`);
  return where.length ? ` WHERE ${where.join(' AND ')}` : '';
}

/** The key of the row `offset` rows into (lo, hi], in key order: where a page of the range ends. */
export function rangeEdgeSql(shape: TableShape, lo: Operands | null, hi: Operands | null, offset: number): string {
  const keys = keyList(shape);
  return `SELECT ${shape.key.map(quoteAlways).join(', ')} FROM ${quoteAlways(shape.table)}${rangeWhere(shape, lo, hi)} ORDER BY ${keys.join(', ')} LIMIT 1 OFFSET ${offset}`;
}

/**
 * Count and row text (a BLOB: bytes as stored, no decoding) of the rows in (lo, hi], in the order
 * SQLite scans the key range: key order when it walks the key (the rowid, or the key's index).
 * Asking group_concat for that order costs a sort; a scan in another order can only make the
 * digests differ, and then rows decide.
 */
export function rowTextSql(shape: TableShape, lo: Operands | null, hi: Operands | null): string {
  const row = shape.columns.map(rowTextValue).join(' || ');
  return `SELECT count(*), CAST(group_concat(${row}, '') AS BLOB) FROM ${quoteAlways(shape.table)}${rangeWhere(shape, lo, hi)}`;
}
