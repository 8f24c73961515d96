// Values with no everyday SQLite counterpart that the default casts keep anyway (MySQL's zero
// dates, PostgreSQL's infinity and BC dates, NaN, ...). Each has one stored representation, used
// alike by copy, verify, defaults and the Drizzle column, and one setting that chooses otherwise.
// The plan counts them from the data and names both, so nothing about them is a surprise.
import type { SqliteValue } from './values.js';

export interface SpecialValue {
  /** The finding's code. */
  code: string;
  /** What the values are, for the finding's message ("zero or partial zero dates"). */
  what: string;
  /** How they are stored by default. */
  representation: string;
  /** The one setting that chooses another representation. */
  alternative: string;
}

export const SPECIAL_VALUES = {
  zeroDate: {
    code: 'zero-date-kept',
    what: "MySQL zero or partial zero dates ('0000-00-00', '2024-00-15')",
    representation: "kept as their text with the zero fields ('0000-00-00T00:00:00'); JavaScript's Date reads them as Invalid Date",
    alternative: 'transform "zero_date_null" (stores NULL and drops NOT NULL on the column)',
  },
  infinity: {
    code: 'infinity-kept',
    what: "'infinity' / '-infinity' dates or timestamps",
    representation: "kept as the text 'infinity' / '-infinity' (it sorts after / before every ISO date)",
    alternative: 'transform "clamp_infinity" (9999-12-31T23:59:59… / 0001-01-01T00:00:00…)',
  },
  bcDate: {
    code: 'bc-date-kept',
    what: 'BC dates',
    representation: "kept as ISO 8601 expanded years (44 BC is '-0043'); text order among BC dates is not time order",
    alternative: 'transform "unix_ms" (negative epoch milliseconds, numeric order)',
  },
  nan: {
    code: 'nan-kept',
    what: 'NaN values',
    representation: "kept as the text 'NaN' (SQLite would store a NaN REAL as NULL); the Worker reads a string",
    alternative: 'transform "text" (every value as text), or set them to NULL in the source',
  },
  negativeZero: {
    code: 'negative-zero',
    what: 'float values -0',
    representation: 'stored as 0: SQLite has no negative zero (the sign is lost, the value compares equal)',
    alternative: 'transform "text" keeps the sign as the text "-0"',
  },
  notBoolean: {
    code: 'boolean-not-0-1',
    what: 'tinyint(1) values other than 0 and 1',
    representation: "kept as the integers they are; Drizzle's boolean mode reads them as false, as drizzle-orm/mysql-core does",
    alternative: 'transform "integer" (Drizzle reads numbers)',
  },
  emptyEnum: {
    code: 'enum-empty-kept',
    what: "MySQL's invalid enum value ''",
    representation: "kept as '' (the column's CHECK admits it, as MySQL does)",
    alternative: "set them to NULL or a label in the source (UPDATE … WHERE col = '')",
  },
  integerText: {
    code: 'integer-as-text',
    what: 'integers beyond ±2^53',
    representation: 'stored as exact decimal text so a Worker reads them exactly (a $type<string>() Drizzle column; read with BigInt()); text order is not numeric order',
    alternative: 'transform "bigint" (64-bit INTEGER: exact in D1, numeric order, but a Worker reads values beyond 2^53 inexactly; beyond 2^63 rejected)',
  },
  nocaseNonAscii: {
    code: 'nocase-differs',
    what: 'non-ASCII text in a case-insensitive column',
    representation:
      "stored as is under COLLATE NOCASE, which folds ASCII letters only: where the source collation finds 'É' = 'é' (or 'é' = 'e'), D1's equality and unique indexes do not",
    alternative: 'compare lower() of both sides in the Worker, or keep a normalized (lower-cased, unaccented) copy of the column for lookups',
  },
} as const satisfies Record<string, SpecialValue>;

export type SpecialKind = keyof typeof SPECIAL_VALUES;

/** Which special value a stored temporal text is, if any. */
export function temporalSpecial(out: SqliteValue): SpecialKind | undefined {
  if (typeof out !== 'string') return undefined;
  if (out === 'infinity' || out === '-infinity') return 'infinity';
  if (out.startsWith('-')) return 'bcDate';
  const month = out.slice(out.indexOf('-', 1) + 1);
  return month.startsWith('00') || month.slice(3, 5) === '00' ? 'zeroDate' : undefined;
}

export function realSpecial(out: SqliteValue): SpecialKind | undefined {
  if (out === 'NaN') return 'nan';
  return Object.is(out, -0) ? 'negativeZero' : undefined;
}

/** Text NOCASE compares differently from a case- and accent-insensitive source collation. */
export function nocaseSpecial(out: SqliteValue): SpecialKind | undefined {
  // eslint-disable-next-line no-control-regex
  return typeof out === 'string' && /[^\x00-\x7f]/.test(out) ? 'nocaseNonAscii' : undefined;
}
