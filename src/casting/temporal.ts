// Parsing of the engines' temporal text forms (Postgres DateStyle ISO with TimeZone UTC,
// MySQL with dateStrings and time_zone '+00:00', SQLite's free-form text) into parts that
// the timestamp transforms format. Hand-rolled because Date loses microseconds and years < 1.
import { TransformError } from './values.js';

export interface TimestampParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Fraction of a second as its digits (up to 9), e.g. '123456'. */
  fraction: string;
  /** Offset from UTC in minutes when the text carried one. */
  offsetMinutes?: number;
}

// An optional sign is ISO 8601's expanded year (-0043 is 44 BC); PostgreSQL's ' BC' suffix is read too.
const TIMESTAMP_RE =
  /^([+-]?\d{4,})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?( BC)?$/;

/** MySQL's zero date and partial zero dates ('0000-00-00', '2024-00-15'): a month or day of 0. */
export function isZeroDate(p: TimestampParts): boolean {
  return p.month === 0 || p.day === 0;
}

/**
 * Parses a date/time. A month or day of 0 (MySQL's zero and partial zero dates) is refused unless
 * `allowZero`: the ISO transforms keep such dates as their text, the epoch transforms cannot.
 */
export function parseTimestamp(text: string, allowZero = false): TimestampParts {
  const m = TIMESTAMP_RE.exec(text.trim());
  if (!m) throw new TransformError(`'${text}' is not a date/time this tool can read`);
  // 1 BC is year 0 and 44 BC year -43 (ISO 8601 and PostgreSQL's own astronomical numbering).
  const year = m[9] ? 1 - Number(m[1]) : Number(m[1]);
  const parts: TimestampParts = {
    year,
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    fraction: m[7] ?? '',
  };
  const zeroOk = allowZero && (parts.month === 0 || parts.day === 0);
  if (parts.month > 12 || parts.day > 31 || (!zeroOk && (parts.month < 1 || parts.day < 1))) {
    throw new TransformError(`'${text}' is not a valid date (month ${parts.month}, day ${parts.day})`);
  }
  if (m[8]) parts.offsetMinutes = parseOffset(m[8]);
  return parts;
}

function parseOffset(tz: string): number {
  if (tz === 'Z') return 0;
  const sign = tz.startsWith('-') ? -1 : 1;
  const digits = tz.slice(1).replace(/:/g, '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4) || '0');
  return sign * (hours * 60 + minutes);
}

/** Milliseconds since the epoch (wall time taken as UTC, then the offset applied); sub-milliseconds dropped. */
export function epochMillis(p: TimestampParts): number {
  const ms = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  // Date.UTC maps years 0..99 to 1900..1999; set the year explicitly.
  const d = new Date(ms);
  d.setUTCFullYear(p.year);
  return d.getTime() + fractionMillis(p) - (p.offsetMinutes ?? 0) * 60_000;
}

/** Moves the parts to UTC (no-op without an offset). */
export function toUtc(p: TimestampParts): TimestampParts {
  if (!p.offsetMinutes) return { ...p, offsetMinutes: p.offsetMinutes === undefined ? undefined : 0 };
  const d = new Date(epochMillis(p));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    fraction: p.fraction,
    offsetMinutes: 0,
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** ISO 8601 year: four digits, expanded with a sign before year 0 and after 9999 (-0043, +10000). */
export function formatYear(year: number): string {
  if (year < 0) return `-${pad(-year, 4)}`;
  return year > 9999 ? `+${year}` : pad(year, 4);
}

export function formatDate(p: TimestampParts): string {
  return `${formatYear(p.year)}-${pad(p.month)}-${pad(p.day)}`;
}

/** HH:MM:SS plus a fraction of exactly `digits` digits (truncated digits must be zeros). */
export function formatTime(p: TimestampParts, digits: number): string {
  const base = `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
  return digits > 0 ? `${base}.${fitFraction(p.fraction, digits)}` : base + (/[1-9]/.test(p.fraction) ? `.${p.fraction.replace(/0+$/, '')}` : '');
}

/** A fraction padded to `digits`; digits beyond are kept rather than silently dropped. */
function fitFraction(fraction: string, digits: number): string {
  if (fraction.length <= digits) return fraction.padEnd(digits, '0');
  const extra = fraction.slice(digits);
  return /[1-9]/.test(extra) ? fraction.replace(/0+$/, '') : fraction.slice(0, digits);
}

/** Sub-millisecond digits of the fraction are non-zero. */
export function hasSubMillis(p: TimestampParts): boolean {
  return /[1-9]/.test(p.fraction.slice(3));
}

export function fractionMillis(p: TimestampParts): number {
  return Number(p.fraction.slice(0, 3).padEnd(3, '0'));
}
