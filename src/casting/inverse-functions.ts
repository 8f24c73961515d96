// The inverse value functions: what D1 (SQLite) holds back to a value PostgreSQL or MySQL takes
// for the column the forward transform came from. Each transform in transforms.ts names its
// inverse beside its forward function, so a representation and its way back change together.
// An inverse returns the engine's own input text (or bytes, or an exact integer); a value that
// cannot be the column's (a word in a boolean column, text in an integer column) is a
// TransformError, which the copy records as a reject with that reason.
import type { Column } from '../catalog/types.js';
import { formatDate, formatTime, isZeroDate, parseTimestamp, toUtc } from './temporal.js';
import { TransformError, type SqliteValue } from './values.js';

/** The engine a reverse copy writes: the registered source kind of the original database. */
export type InverseEngine = 'postgres' | 'mysql';

/** A value as the target engine takes it: its input text, bytes, or an exact number. */
export type EngineValue = null | string | number | bigint | Buffer;

export type InverseFn = (v: SqliteValue) => EngineValue;

export type InverseMaker = (column: Column, engine: InverseEngine) => InverseFn;

function text(v: SqliteValue): string {
  if (v === null) return '';
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return String(v);
}

/** The value unchanged (bytes stay bytes, numbers stay numbers). */
export const sameValue: InverseMaker = () => (v) => v;

/** Text columns: numbers as their text, bytes decoded as UTF-8 (SQLite may hold any class). */
export const asEngineText: InverseMaker = () => (v) => (v === null ? null : text(v));

const INTEGER_TEXT = /^[+-]?\d+$/;

/** Integers, also when D1 holds them as text (values beyond 2^53 a Worker would round). */
export const fromInteger: InverseMaker = () => (v) => {
  if (v === null || typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new TransformError(`${v} is not an integer`);
    return v;
  }
  const t = text(v).trim();
  if (!INTEGER_TEXT.test(t)) throw new TransformError(`'${t}' is not an integer`);
  return BigInt(t);
};

/** 1/0 back to the engine's boolean: 't'/'f' for PostgreSQL, 1/0 for MySQL's tinyint(1). */
export const fromBoolean: InverseMaker = (_c, engine) => (v) => {
  if (v === null) return null;
  const t = text(v).trim().toLowerCase();
  let b: boolean;
  if (t === '1' || t === 'true' || t === 't') b = true;
  else if (t === '0' || t === 'false' || t === 'f') b = false;
  else throw new TransformError(`'${t}' is not a boolean (0 or 1)`);
  return engine === 'postgres' ? (b ? 't' : 'f') : b ? 1 : 0;
};

export const fromReal: InverseMaker = () => (v) => {
  if (v === null || typeof v === 'number') return v;
  if (typeof v === 'bigint') return v.toString();
  const n = Number(text(v));
  if (Number.isNaN(n) && text(v).trim() !== 'NaN') throw new TransformError(`'${text(v)}' is not a number`);
  return text(v).trim();
};

/** Exact decimals: the text as stored; a REAL (a hand-written row) as its shortest exact text. */
export const fromDecimal: InverseMaker = () => (v) => {
  if (v === null) return null;
  const t = text(v).trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) throw new TransformError(`'${t}' is not a decimal number`);
  return t;
};

export const fromUuid: InverseMaker = () => (v) => {
  if (v === null) return null;
  const t = text(v);
  if (!/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(t)) throw new TransformError(`'${t}' is not a UUID`);
  return t;
};

/** JSON text; for a PostgreSQL array column (forward: array_to_json) the array literal again. */
export const fromJson: InverseMaker = (column, engine) => (v) => {
  if (v === null) return null;
  const t = text(v);
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch {
    throw new TransformError(`the text is not JSON (${t.length > 40 ? `${t.slice(0, 40)}…` : t})`);
  }
  if (column.dataType === 'array' && engine === 'postgres') {
    if (!Array.isArray(parsed)) throw new TransformError(`'${t.slice(0, 40)}' is not a JSON array for the array column ${column.name}`);
    return pgArrayLiteral(parsed);
  }
  return t;
};

function pgArrayElement(e: unknown): string {
  if (e === null) return 'NULL';
  if (Array.isArray(e)) return pgArrayLiteral(e);
  const s = typeof e === 'object' ? JSON.stringify(e) : String(e);
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A JSON array as PostgreSQL's array input text: every element quoted, NULL unquoted. */
export function pgArrayLiteral(a: readonly unknown[]): string {
  return `{${a.map(pgArrayElement).join(',')}}`;
}

export const fromBlob: InverseMaker = () => (v) => {
  if (v === null || Buffer.isBuffer(v)) return v;
  return Buffer.from(text(v), 'utf8');
};

/** Digits below seconds an integer epoch has: milliseconds when it is past year 5138 as seconds. */
function epochText(n: number | bigint, unit: 's' | 'ms' | 'guess'): string {
  const value = Number(n);
  const ms = unit === 'ms' || (unit === 'guess' && Math.abs(value) >= 1e11) ? value : value * 1000;
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) throw new TransformError(`${n} is not a time since 1970`);
  return d.toISOString().replace(/Z$/, '') + 'Z';
}

/**
 * ISO-8601 text (or an epoch integer) back to the engine's timestamp input: PostgreSQL reads ISO
 * text with its zone as is; MySQL wants 'YYYY-MM-DD HH:MM:SS[.f]' in the session's zone (UTC).
 */
export function fromTimestamp(unit: 's' | 'ms' | 'guess'): InverseMaker {
  return (column, engine) => (v) => {
    if (v === null) return null;
    const t = typeof v === 'number' || typeof v === 'bigint' ? epochText(v, unit) : text(v).trim();
    // The fidelity representations: 'infinity' text and ISO expanded BC years ('-0043' is 44 BC).
    const infinite = t === 'infinity' || t === '-infinity';
    const bc = /^-(\d{4,})(-.*)$/.exec(t);
    if (engine === 'postgres') {
      if (!bc) return t;
      const year = String(Number(bc[1]) + 1).padStart(4, '0');
      return `${year}${bc[2].replace('T', ' ').replace(/Z$/, '+00')} BC`;
    }
    if (infinite || bc) throw new TransformError(`'${t}' has no MySQL ${column.dataType} value (MySQL has no ${infinite ? 'infinity' : 'BC dates'})`);
    let p = parseTimestamp(t, true);
    // Zero dates ('0000-00-00') go back as they came; only real instants move to UTC.
    if (p.offsetMinutes !== undefined && !isZeroDate(p)) p = toUtc(p);
    if (column.dataType === 'date') return formatDate(p);
    return `${formatDate(p)} ${formatTime(p, Math.min(column.precision ?? 0, 6))}`;
  };
}

/**
 * A bit string stored as an integer: PostgreSQL takes the column's width of 0/1 digits, MySQL its
 * bytes, big-endian (a number sent as a parameter would arrive as its digits' text).
 */
export const fromBitInteger: InverseMaker = (column, engine) => (v) => {
  if (v === null) return null;
  const n = BigInt(fromInteger(column, engine)(v) as bigint | number);
  const bits = n.toString(2).padStart(column.length ?? 1, '0');
  if (engine === 'postgres') return bits;
  const hex = n.toString(16);
  return Buffer.from(hex.padStart(Math.max(Math.ceil(bits.length / 8) * 2, hex.length + (hex.length % 2)), '0'), 'hex');
};
