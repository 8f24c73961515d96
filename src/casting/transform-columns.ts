// Column-dependent pieces of the transform table (transforms.ts): the CHECK that keeps a MySQL
// UNSIGNED range, the ISO value function of a temporal column, and the calendar ends that
// clamp_infinity writes. Kept apart so the table stays a table.
import type { Column } from '../catalog/types.js';
import { isoTimestamp, toDateText, type ValueFn } from './value-functions.js';

/** Largest value of each MySQL UNSIGNED integer type (BIGINT's 2^64-1 is beyond SQLite's INTEGER). */
const UNSIGNED_MAX: Record<string, string> = { tinyint: '255', smallint: '65535', mediumint: '16777215', int: '4294967295', integer: '4294967295' };

/** MySQL UNSIGNED: the range the source refused to leave, kept by a CHECK. */
export function unsignedCheck(q: string, c: Column): string | undefined {
  if (!c.unsigned) return undefined;
  const max = UNSIGNED_MAX[c.dataType];
  return max ? `${q} BETWEEN 0 AND ${max}` : `${q} >= 0`;
}

/** The ISO transform of a temporal column: dates as dates, timestamps with Z when `utc` (MySQL TIMESTAMP, PostgreSQL timestamptz). */
export function temporalIso(c: Column, utc: boolean): ValueFn {
  return c.dataType === 'date' ? toDateText : isoTimestamp(c, utc);
}

/** An end of the calendar in the column's own form (date, or timestamp with its fraction digits). */
export function clampText(c: Column, end: 'max' | 'min'): string {
  const date = end === 'max' ? '9999-12-31' : '0001-01-01';
  if (c.dataType === 'date') return date;
  const digits = Math.min(c.precision ?? 6, 9);
  const fraction = digits ? `.${(end === 'max' ? '9' : '0').repeat(digits)}` : '';
  return `${date}T${end === 'max' ? '23:59:59' : '00:00:00'}${fraction}${c.dataType === 'timestamptz' ? 'Z' : ''}`;
}
