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

