// Named value transforms. Each one carries everything that must not drift apart: the SQLite
// column type it writes, the value function (used by copy, and by verify to compute what the
// target must hold), whether it loses information, how a 'now' default is expressed, and the
// Drizzle column that reads it back.
import type { Column } from '../catalog/types.js';
import { realSpecial, temporalSpecial, type SpecialKind } from './special-values.js';
import { isZeroDate, parseTimestamp } from './temporal.js';
import { NotUtf8Text, notUtf8Error, TransformError, type SqliteValue } from './values.js';
import { clampText, temporalIso, unsignedCheck } from './transform-columns.js';
import {
  asEngineText,
  fromBitInteger,
  fromBlob,
  fromBoolean,
  fromDecimal,
  fromInteger,
  fromJson,
  fromReal,
  fromTimestamp,
  fromUuid,
  sameValue,
  type InverseMaker,
} from './inverse-functions.js';
import {
  asText,
  byteaToBlob,
  infinityText,
  fractionDigits,
  isoNowSql,
  isoTimestamp,
  passThrough,
  toBlob,
  toBoolean,
  toInteger,
  toJsonText,
  toReal,
  toDateText,
  toText,
  unixTimestamp,
  type ValueFn,
} from './value-functions.js';

export { toInteger, type ValueFn };

export type SqliteType = 'INTEGER' | 'REAL' | 'TEXT' | 'BLOB' | 'NUMERIC';

export interface DrizzleColumn {
  builder: 'integer' | 'real' | 'text' | 'blob' | 'numeric';
  mode?: 'number' | 'boolean' | 'timestamp' | 'timestamp_ms' | 'json' | 'bigint' | 'buffer';
  /** text({ enum: [...] }) from the column's enum or set values. */
  enumValues?: boolean;
  /** `.$type<…>()`: the TypeScript type the application reads (e.g. 'string' for integers kept as text). */
  type?: string;
}


export interface TransformDef {
  name: string;
  description: string;
  sqliteType: SqliteType;
  /** The declared type the DDL writes, when it is not simply sqliteType (SQLite to SQLite keeps the source's). */
  declaredType?: (column: Column) => string;
  drizzle: DrizzleColumn | ((column: Column) => DrizzleColumn);
  /** Why this transform loses information for this column, or undefined when it is lossless. */
  lossy?: (column: Column) => string | undefined;
  /** SQL for a `DEFAULT now()` under this transform (per column: fraction digits follow its precision). */
  nowSql?: (column: Column) => string;
  /** A CHECK that keeps the column to the transform's domain (enum members, 0/1). */
  check?: (quotedColumn: string, column: Column) => string | undefined;
  /** Builds the value function for one column (precomputing what depends on the column). */
  make: (column: Column) => ValueFn;
  /** The way back for a reverse copy (D1 to the engine the column is in), beside the way there. */
  inverse: InverseMaker;
  /** Which special value (special-values.ts) a stored value is, for the plan's counts. */
  special?: (out: SqliteValue) => SpecialKind | undefined;
  /** Turns non-NULL source values into NULL, so the column is written without NOT NULL. */
  makesNulls?: boolean;
}

const DRIZZLE_TEXT: DrizzleColumn = { builder: 'text' };

/** SQLite's type affinity rules (https://sqlite.org/datatype3.html, section 3.1), in their order. */
export function sqliteAffinity(declared: string): SqliteType {
  const t = declared.toUpperCase();
  if (t.includes('INT')) return 'INTEGER';
  if (/CHAR|CLOB|TEXT/.test(t)) return 'TEXT';
  if (t.includes('BLOB') || t.trim() === '') return 'BLOB';
  if (/REAL|FLOA|DOUB/.test(t)) return 'REAL';
  return 'NUMERIC';
}

const DRIZZLE_BY_AFFINITY: Record<SqliteType, DrizzleColumn> = {
  INTEGER: { builder: 'integer', mode: 'number' },
  TEXT: { builder: 'text' },
  BLOB: { builder: 'blob', mode: 'buffer' },
  REAL: { builder: 'real' },
  NUMERIC: { builder: 'numeric' },
};

const defs: TransformDef[] = [
  {
    name: 'copy',
    inverse: sameValue,
    description: 'the value as the source stores it',
    sqliteType: 'TEXT',
    drizzle: DRIZZLE_TEXT,
    make: () => passThrough,
  },
  {
    name: 'keep',
    inverse: sameValue,
    description: 'SQLite to SQLite: the value and its declared type as they are',
    sqliteType: 'TEXT',
    declaredType: (c) => c.sourceType,
    drizzle: (c) => DRIZZLE_BY_AFFINITY[sqliteAffinity(c.sourceType)],
    make: () => passThrough,
  },
  {
    name: 'integer',
    inverse: fromInteger,
    description: 'integer, exact to 64 bits',
    sqliteType: 'INTEGER',
    drizzle: { builder: 'integer', mode: 'number' },
    check: unsignedCheck,
    make: () => toInteger,
  },
  {
    name: 'bigint',
    inverse: fromInteger,
    description: '64-bit integer, exact in D1; a Worker reads values beyond 2^53 imprecisely (plan measures them)',
    sqliteType: 'INTEGER',
    drizzle: { builder: 'integer', mode: 'number' },
    check: unsignedCheck,
    make: () => toInteger,
  },
  {
    name: 'boolean',
    inverse: fromBoolean,
    description: 'true/false as 1/0',
    sqliteType: 'INTEGER',
    drizzle: { builder: 'integer', mode: 'boolean' },
    check: (q) => `${q} IN (0, 1)`,
    make: () => toBoolean,
  },
  {
    name: 'tinyint_boolean',
    inverse: fromInteger,
    description: "MySQL's BOOLEAN (tinyint(1)): 0/1, other values kept as the integers they are",
    sqliteType: 'INTEGER',
    drizzle: { builder: 'integer', mode: 'boolean' },
    // tinyint(1) is a tinyint: MySQL holds -128..127 (0..255 unsigned) in it, and so does D1.
    check: (q, c) => (c.unsigned ? `${q} BETWEEN 0 AND 255` : `${q} BETWEEN -128 AND 127`),
    make: () => toInteger,
    special: (out) => (out === null || out === 0 || out === 1 ? undefined : 'notBoolean'),
  },
  {
    name: 'integer_text',
    inverse: fromInteger,
    description: 'integer as exact decimal text: any size, read exactly by a Worker (text order is not numeric order)',
    sqliteType: 'TEXT',
    drizzle: { builder: 'text', type: 'string' },
    make: () => (v) => {
      if (v === null || v === undefined) return null;
      const text = typeof v === 'bigint' || typeof v === 'number' ? v.toString() : asText(v).trim();
      if (!/^-?\d+$/.test(text)) throw new TransformError(`'${text}' is not an integer`);
      return text;
    },
    special: (out) => (typeof out === 'string' && out.replace('-', '').length >= 16 && !Number.isSafeInteger(Number(out)) ? 'integerText' : undefined),
  },
  {
    name: 'real',
    inverse: fromReal,
    description: "64-bit float; NaN kept as the text 'NaN'",
    sqliteType: 'REAL',
    drizzle: { builder: 'real' },
    make: () => toReal,
    special: realSpecial,
  },
  {
    name: 'decimal_text',
    inverse: fromDecimal,
    description: 'exact decimal as text (e.g. "12.50")',
    sqliteType: 'TEXT',
    drizzle: DRIZZLE_TEXT,
    // 'NaN' (and PostgreSQL 14's 'Infinity') stay the text they are.
    make: () => toText,
    special: (out) => (out === 'NaN' ? 'nan' : undefined),
  },
  {
    name: 'decimal_real',
    inverse: fromDecimal,
    description: 'decimal as a 64-bit float',
    sqliteType: 'REAL',
    drizzle: { builder: 'real' },
    lossy: (c) => `${c.sourceType} as REAL keeps about 15 significant digits; exact decimals are rounded`,
    make: () => toReal,
  },
  {
    name: 'text',
    inverse: asEngineText,
    description: 'text',
    sqliteType: 'TEXT',
    drizzle: DRIZZLE_TEXT,
    make: () => toText,
  },
  {
    name: 'enum',
    inverse: asEngineText,
    description: 'enum label as text, kept to its labels by a CHECK',
    sqliteType: 'TEXT',
    drizzle: { builder: 'text', enumValues: true },
    check: (q, c) =>
      c.enumValues?.length ? `${q} IN (${[...(c.enumEmptyValue ? [''] : []), ...c.enumValues].map(sqlString).join(', ')})` : undefined,
    make: () => toText,
    special: (out) => (out === '' ? 'emptyEnum' : undefined),
  },
  {
    name: 'set',
    inverse: asEngineText,
    description: "MySQL SET as its text ('a,b'), kept to its members by a CHECK",
    sqliteType: 'TEXT',
    drizzle: DRIZZLE_TEXT,
    check: (q, c) => {
      if (!c.setValues?.length) return undefined;
      // MySQL stores the members in declaration order, each once: removing ',member,' in that
      // order leaves ',' exactly when every member of the value is one of the set's.
      const stripped = c.setValues.reduce((sql, m) => `replace(${sql}, ${sqlString(`,${m},`)}, ',')`, `(',' || ${q} || ',')`);
      return `${q} = '' OR ${stripped} = ','`;
    },
    make: () => toText,
  },
  {
    name: 'uuid',
    inverse: fromUuid,
    description: 'uuid as lower-case text',
    sqliteType: 'TEXT',
    drizzle: DRIZZLE_TEXT,
    make: () => (v) => (v === null || v === undefined ? null : asText(v).toLowerCase()),
  },
  {
    name: 'json',
    inverse: fromJson,
    description: 'JSON as text (query it with json_extract)',
    sqliteType: 'TEXT',
    drizzle: { builder: 'text', mode: 'json' },
    make: () => toJsonText,
  },
  {
    name: 'blob',
    inverse: fromBlob,
    description: 'bytes as BLOB',
    sqliteType: 'BLOB',
    drizzle: { builder: 'blob', mode: 'buffer' },
    // Only bytea's hex text is decoded as hex: a text column cast to blob keeps a value that
    // happens to start with '\\x' as the bytes it is.
    make: (c) => (c.dataType === 'bytea' ? byteaToBlob : toBlob),
  },
  {
    name: 'timestamp_iso',
    inverse: fromTimestamp('guess'),
    description: 'ISO-8601 text, fixed fraction digits so text order is time order',
    sqliteType: 'TEXT',
    drizzle: DRIZZLE_TEXT,
    nowSql: (c) => isoNowSql(c, ''),
    make: (c) => isoTimestamp(c, false),
    special: temporalSpecial,
  },
  {
    name: 'timestamptz_iso',
    inverse: fromTimestamp('guess'),
    description: 'ISO-8601 text in UTC with Z, fixed fraction digits',
    sqliteType: 'TEXT',
    drizzle: DRIZZLE_TEXT,
    nowSql: (c) => isoNowSql(c, 'Z'),
    make: (c) => isoTimestamp(c, true),
    special: temporalSpecial,
  },
  {
    name: 'unix_seconds',
    inverse: fromTimestamp('s'),
    description: 'seconds since 1970-01-01 UTC (Drizzle integer mode "timestamp")',
    sqliteType: 'INTEGER',
    drizzle: { builder: 'integer', mode: 'timestamp' },
    nowSql: () => '(unixepoch())',
    lossy: (c) => (fractionDigits(c) > 0 ? `${c.sourceType} keeps fractions of a second; unix seconds drop them` : undefined),
    make: unixTimestamp('s'),
  },
  {
    name: 'unix_ms',
    inverse: fromTimestamp('ms'),
    description: 'milliseconds since 1970-01-01 UTC (Drizzle integer mode "timestamp_ms")',
    sqliteType: 'INTEGER',
    drizzle: { builder: 'integer', mode: 'timestamp_ms' },
    nowSql: () => "(CAST(unixepoch('subsec') * 1000 AS INTEGER))",
    lossy: (c) => (fractionDigits(c) > 3 ? `${c.sourceType} keeps microseconds; unix milliseconds drop them` : undefined),
    make: unixTimestamp('ms'),
  },
  {
    name: 'date',
    inverse: fromTimestamp('guess'),
    description: 'YYYY-MM-DD text',
    sqliteType: 'TEXT',
    drizzle: DRIZZLE_TEXT,
    nowSql: () => "(date('now'))",
    make: () => toDateText,
    special: temporalSpecial,
  },
  {
    name: 'time',
    inverse: asEngineText,
    description: 'HH:MM:SS[.ffffff] text as the source prints it',
    sqliteType: 'TEXT',
    drizzle: DRIZZLE_TEXT,
    nowSql: () => "(time('now'))",
    make: () => toText,
  },
  {
    name: 'zero_date_null',
    inverse: fromTimestamp('guess'),
    description: "MySQL zero and partial zero dates ('0000-00-00', '2024-00-15') become NULL (the column loses NOT NULL), other dates ISO-8601 text",
    sqliteType: 'TEXT',
    drizzle: DRIZZLE_TEXT,
    nowSql: (c) => isoNowSql(c, c.dataType === 'timestamp' ? 'Z' : ''),
    lossy: () => 'zero and partial zero dates have no calendar meaning and are stored as NULL',
    makesNulls: true,
    make: (c) => {
      const iso = temporalIso(c, c.dataType === 'timestamp');
      return (v) => (v === null || v === undefined || isZeroDate(parseTimestamp(asText(v), true)) ? null : iso(v));
    },
  },
  {
    name: 'clamp_infinity',
    inverse: fromTimestamp('guess'),
    description: "'infinity' / '-infinity' become the largest / smallest ISO date or timestamp, other values ISO-8601 text",
    sqliteType: 'TEXT',
    drizzle: DRIZZLE_TEXT,
    nowSql: (c) => (c.dataType === 'date' ? "(date('now'))" : isoNowSql(c, c.dataType === 'timestamptz' ? 'Z' : '')),
    lossy: () => "'infinity' / '-infinity' become ordinary dates at the ends of the calendar",
    make: (c) => {
      const iso = temporalIso(c, c.dataType === 'timestamptz');
      const ends = [clampText(c, 'max'), clampText(c, 'min')];
      return (v) => {
        if (v === null || v === undefined) return null;
        const infinite = infinityText(asText(v));
        return infinite ? ends[infinite === 'infinity' ? 0 : 1] : iso(v);
      };
    },
    special: temporalSpecial,
  },
  {
    name: 'bit_integer',
    inverse: fromBitInteger,
    description: 'bit string as an integer',
    sqliteType: 'INTEGER',
    drizzle: { builder: 'integer', mode: 'number' },
    make: () => (v) => {
      if (v === null || v === undefined) return null;
      if (v instanceof NotUtf8Text) throw notUtf8Error(v);
      if (Buffer.isBuffer(v) || v instanceof Uint8Array) {
        let n = 0n;
        for (const b of v) n = (n << 8n) | BigInt(b);
        return toInteger(n);
      }
      const t = asText(v);
      return /^[01]+$/.test(t) ? toInteger(BigInt('0b' + t)) : toInteger(v);
    },
  },
  {
    name: 'lossy_text',
    inverse: asEngineText,
    description: 'the source text form, for types SQLite has no equivalent of',
    sqliteType: 'TEXT',
    drizzle: DRIZZLE_TEXT,
    lossy: (c) => `${c.sourceType} keeps its text form only; its operators and indexes do not carry over`,
    make: () => toText,
  },
];

export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export const TRANSFORMS: ReadonlyMap<string, TransformDef> = new Map(defs.map((d) => [d.name, d]));

export function getTransform(name: string): TransformDef {
  const t = TRANSFORMS.get(name);
  if (!t) throw new Error(`unknown transform '${name}'`);
  return t;
}
