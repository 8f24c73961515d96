// The value functions behind the named transforms: source values (mostly lossless text) to what
// SQLite stores. Kept apart from the transform table so each stays small; the table in
// transforms.ts pairs every function with its SQLite type, lossiness and Drizzle column.
import type { Column } from '../catalog/types.js';
import { epochMillis, formatDate, formatTime, isZeroDate, parseTimestamp, toUtc } from './temporal.js';
import { NotUtf8Text, notUtf8Error, TransformError, type SourceValue, type SqliteValue } from './values.js';

export type ValueFn = (v: SourceValue) => SqliteValue;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export function asText(v: SourceValue): string {
  if (typeof v === 'string') return v;
  if (v instanceof NotUtf8Text) throw notUtf8Error(v);
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  return String(v);
}

const INTEGER_TEXT = /^[+-]?\d+$/;

/** An integer as a JS number when exact, else a BigInt, so SQLite stores it exactly. */
export function toInteger(v: SourceValue): SqliteValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new TransformError(`${v} is not an integer`);
    return v;
  }
  if (typeof v === 'bigint') return v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const text = asText(v).trim();
  if (!INTEGER_TEXT.test(text)) throw new TransformError(`'${text}' is not an integer`);
  const n = Number(text);
  if (Number.isSafeInteger(n)) return n;
  const big = BigInt(text);
  if (big > 9223372036854775807n || big < -9223372036854775808n) {
    throw new TransformError(`${text} does not fit SQLite's 64-bit INTEGER`);
  }
  return big;
}

export function toBoolean(v: SourceValue): SqliteValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' || typeof v === 'bigint') {
    // A tinyint(1) holding 2 is data, not a boolean: reject rather than fold it into 1.
    if (Number(v) === 0 || Number(v) === 1) return Number(v);
    throw new TransformError(`${v} is not a boolean (0 or 1)`);
  }
  if (v instanceof NotUtf8Text) throw notUtf8Error(v);
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return v.some((b) => b !== 0) ? 1 : 0;
  switch (v.trim().toLowerCase()) {
    case 't': case 'true': case '1':
      return 1;
    case 'f': case 'false': case '0':
      return 0;
  }
  throw new TransformError(`'${v}' is not a boolean`);
}

export function toReal(v: SourceValue): SqliteValue {
  if (v === null || v === undefined) return null;
  const n = typeof v === 'number' ? v : Number(asText(v));
  if (Number.isNaN(n)) {
    // SQLite would store a NaN REAL as NULL; the text 'NaN' stays text in a REAL column (it is
    // no numeric literal), so the value survives and reads back as Number('NaN').
    if (typeof v === 'number' || /^\s*nan\s*$/i.test(asText(v))) return 'NaN';
    throw new TransformError(`'${asText(v)}' is not a number`);
  }
  return n;
}

/** PostgreSQL's 'infinity' / '-infinity' dates and timestamps, kept as that text (it sorts after / before ISO dates). */
export function infinityText(text: string): string | undefined {
  return text === 'infinity' || text === '-infinity' ? text : undefined;
}

/** A date as YYYY-MM-DD: zero and partial zero dates keep their zeros, BC years are ISO expanded, infinity stays text. */
export function toDateText(v: SourceValue): SqliteValue {
  if (v === null || v === undefined) return null;
  const text = asText(v);
  return infinityText(text) ?? formatDate(parseTimestamp(text, true));
}

/** The value as SQLite can store it, unchanged (booleans as 1/0, byte arrays as Buffers). */
export function passThrough(v: SourceValue): SqliteValue {
  if (v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Uint8Array && !Buffer.isBuffer(v)) {
    // Not as a BLOB: that would change the value's storage class behind the user's back.
    if (v instanceof NotUtf8Text) throw notUtf8Error(v);
    return Buffer.from(v);
  }
  return v as SqliteValue;
}

export function toText(v: SourceValue): SqliteValue {
  if (v === null || v === undefined) return null;
  return asText(v);
}

/** Bytes as a BLOB; text as its UTF-8 bytes, and text that is not valid UTF-8 as its exact bytes (NotUtf8Text). */
export function toBlob(v: SourceValue): SqliteValue {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v);
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  throw new TransformError(`a ${typeof v} is not binary data`);
}

/** PostgreSQL bytea that arrives as its hex output text ('\\x…') rather than parsed. */
export function byteaToBlob(v: SourceValue): SqliteValue {
  if (typeof v === 'string' && v.startsWith('\\x')) return Buffer.from(v.slice(2), 'hex');
  return toBlob(v);
}

export function toJsonText(v: SourceValue): SqliteValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (v instanceof NotUtf8Text) throw notUtf8Error(v);
  return JSON.stringify(v);
}

/**
 * Fraction digits a column's timestamps keep: its declared precision. Introspectors set it (Postgres
 * defaults to 6); without one, MySQL's DATETIME/TIMESTAMP default of 0 applies, else microseconds.
 */
export function fractionDigits(column: Column): number {
  return column.precision ?? (column.dataType === 'datetime' || column.dataType === 'timestamp' ? 0 : 6);
}

// The common case, already in UTC (Postgres with TimeZone UTC, MySQL with time_zone +00:00):
// 'YYYY-MM-DD HH:MM:SS[.f]' with an optional '+00' / 'Z'. Rewritten without parsing, since this
// transform runs once per value on the copy's hot path.
const UTC_TIMESTAMP = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(\+00|\+00:00|Z)?$/;

/** Month 01-12 (or 00) and day 01-31 (or 00) of a fast-path match: the careful path's range check. */
function plausibleDate(date: string): boolean {
  const month = date.slice(5, 7);
  const day = date.slice(8, 10);
  return month <= '12' && day <= '31';
}

/**
 * ISO-8601 text with the column's fraction digits. The same representation whichever path a
 * value takes: MySQL's zero and partial zero dates keep their zero fields ('0000-00-00T00:00:00'),
 * BC years are ISO expanded ('-0043-03-15T…'), 'infinity' / '-infinity' stay that text.
 */
export function isoTimestamp(column: Column, utcSuffix: boolean): ValueFn {
  const digits = Math.min(column.precision ?? 6, 9);
  const zeros = '0'.repeat(digits);
  const suffix = utcSuffix ? 'Z' : '';
  return (v) => {
    if (v === null || v === undefined) return null;
    const text = asText(v);
    const fast = UTC_TIMESTAMP.exec(text);
    // Text without a zone is taken as UTC (the sessions are set to UTC); longer fractions than
    // the column keeps take the careful path, which never drops non-zero digits.
    if (fast && (fast[3] === undefined || fast[3].length <= digits) && plausibleDate(fast[1])) {
      const fraction = digits ? `.${fast[3] === undefined ? zeros : fast[3].padEnd(digits, '0')}` : '';
      if (fraction || fast[3] === undefined) return `${fast[1]}T${fast[2]}${fraction}${suffix}`;
    }
    const infinite = infinityText(text);
    if (infinite) return infinite;
    let p = parseTimestamp(text, true);
    // A zero date has no instant to move to UTC; its fields are kept as they are.
    if (utcSuffix && !isZeroDate(p)) p = toUtc(p);
    return `${formatDate(p)}T${formatTime(p, digits)}${suffix}`;
  };
}

/**
 * 'now' in the same text form copied values have: SQLite gives milliseconds (%f is SS.SSS), so
 * the fraction is padded or cut to the column's digits to keep text order equal to time order.
 */
export function isoNowSql(column: Column, suffix: string): string {
  const digits = Math.min(column.precision ?? 6, 9);
  const base = "strftime('%Y-%m-%dT%H:%M:%S', 'now')";
  if (digits === 0) return `(${base}${suffix ? ` || '${suffix}'` : ''})`;
  const fraction = digits <= 3 ? `substr(strftime('%f', 'now'), 3, ${digits + 1})` : `substr(strftime('%f', 'now'), 3) || '${'0'.repeat(digits - 3)}'`;
  return `(${base} || ${fraction}${suffix ? ` || '${suffix}'` : ''})`;
}

export function unixTimestamp(unit: 's' | 'ms'): (column: Column) => ValueFn {
  return () => (v) => {
    if (v === null || v === undefined) return null;
    const ms = epochMillis(parseTimestamp(asText(v)));
    return unit === 'ms' ? ms : Math.floor(ms / 1000);
  };
}
