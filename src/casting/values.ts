// Value shapes that cross the pipeline, and the canonical text form verify hashes.

/** What SQLite (better-sqlite3, D1) stores: the five storage classes. */
export type SqliteValue = null | number | bigint | string | Buffer;

/**
 * What a source reader delivers for one value. Readers ask their drivers for lossless text
 * wherever a JS type would lose information (int8, numeric, timestamps, json), so most values
 * are strings in the engine's own text form; binary values are Buffers.
 */
export type SourceValue = null | undefined | string | number | bigint | boolean | Buffer | Uint8Array;

/**
 * Text the source stores as bytes that are not valid UTF-8 (a SQLite TEXT value, a PostgreSQL
 * SQL_ASCII database). Drivers would decode it with U+FFFD in place of the bad bytes, losing
 * them silently; readers deliver the exact bytes in this type instead, which every transform
 * refuses (D1 holds text as UTF-8) except `blob`, which keeps the bytes. A Uint8Array, so the
 * reject file and the journal carry it as bytes.
 */
export class NotUtf8Text extends Uint8Array {
  static copyOf(bytes: Uint8Array): NotUtf8Text {
    const out = new NotUtf8Text(bytes.length);
    out.set(bytes);
    return out;
  }
}

const PREVIEW_BYTES = 24;

/** The reject reason: what the bytes are (printable ASCII as is, the rest as \xNN) and the rule that keeps them. */
export function notUtf8Error(bytes: Uint8Array): TransformError {
  let preview = '';
  for (const b of bytes.subarray(0, PREVIEW_BYTES)) {
    // The quote is escaped too: the plan groups reasons by what lies outside quotes.
    preview += b >= 0x20 && b < 0x7f && b !== 0x27 && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  if (bytes.length > PREVIEW_BYTES) preview += '…';
  return new TransformError(`text is not valid UTF-8 ('${preview}'): D1 stores text as UTF-8; to keep the bytes, cast the column with transform "blob" in flarelift.toml`);
}

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
