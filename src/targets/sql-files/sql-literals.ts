// SQLite values as SQL literals for import files: what `wrangler d1 execute --file` and D1's
// import read back as the very same stored value.
import type { SqliteValue } from '../../casting/values.js';

/**
 * Integers as they are; REAL in JavaScript's shortest form that round-trips (String(x), or
 * toExponential() for integral values beyond 2^53 so that SQLite reads a REAL);
 * infinities as 9e999 (SQLite reads an overflowing literal as Inf); blobs as X'..'; text in
 * quotes with '' for ', or as CAST(X'..' AS TEXT) when it holds NUL characters (SQL text
 * cannot carry them).
 */
export function sqlLiteral(v: SqliteValue): string {
  if (v === null) return 'NULL';
  switch (typeof v) {
    case 'bigint':
      return v.toString();
    case 'number':
      if (Number.isSafeInteger(v)) return String(v);
      // A REAL, even when integral: past 2^53 String() prints zeros that would read as another INTEGER.
      if (Number.isFinite(v)) return Number.isInteger(v) ? v.toExponential() : String(v);
      if (Number.isNaN(v)) throw new Error('NaN has no SQLite literal (the cast should have rejected it)');
      return v > 0 ? '9e999' : '-9e999';
    case 'string':
      if (v.includes('\0')) return `CAST(X'${Buffer.from(v, 'utf8').toString('hex')}' AS TEXT)`;
      return `'${v.replace(/'/g, "''")}'`;
    default:
      return `X'${v.toString('hex')}'`;
  }
}

/** Bytes of SQL text as written to the file (UTF-8). */
export const sqlBytes = (text: string): number => Buffer.byteLength(text, 'utf8');
