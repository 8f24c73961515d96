// Value shapes that cross the pipeline, and the canonical text form verify hashes.

/** What SQLite (better-sqlite3, D1) stores: the five storage classes. */
export type SqliteValue = null | number | bigint | string | Buffer;

/**
 * What a source reader delivers for one value. Readers ask their drivers for lossless text
 * wherever a JS type would lose information (int8, numeric, timestamps, json), so most values
 * are strings in the engine's own text form; binary values are Buffers.
 */
export type SourceValue = null | undefined | string | number | bigint | boolean | Buffer | Uint8Array;

/** A value a transform refused, with the reason that goes into the reject file. */
export class TransformError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransformError';
  }
}

/**
 * One canonical string per stored value, so that the source side (after its transform) and the
 * target side (as read back) hash the same when and only when SQLite holds the same value.
 * Integral numbers and bigints are both INTEGER; other numbers are REAL.
 */
export function canonical(v: SqliteValue | undefined): string {
  if (v === null || v === undefined) return 'N';
  switch (typeof v) {
    case 'bigint':
      return 'I' + v.toString();
    case 'number':
      return Number.isInteger(v) ? 'I' + v.toString() : 'R' + v.toString();
    case 'string':
      return 'T' + v;
    default:
      return 'B' + v.toString('hex');
  }
}

/** Bytes a value takes in SQLite terms: text as UTF-8, blobs as is, numbers as 8. */
export function valueBytes(v: SqliteValue | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
  if (typeof v === 'number' || typeof v === 'bigint') return 8;
  return v.length;
}
