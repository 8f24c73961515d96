// PostgreSQL's default cast rules, as data: lossless wherever SQLite can hold the value exactly;
// `lossy_text` (reported by the plan) for types SQLite has no counterpart of.
import type { CastRule } from '../../casting/rules.js';

const ORIGIN = 'postgres default';

const rule = (type: string | string[], transform: string, extra: Omit<CastRule['match'], 'type'> = {}): CastRule => ({
  match: { type, ...extra },
  transform,
  origin: ORIGIN,
});

export const POSTGRES_CAST_RULES: readonly CastRule[] = [
  // Integers: SQLite's INTEGER is 64-bit; bigint is flagged for Drizzle's exact reading.
  rule(['bigint', 'bigserial', 'int8'], 'bigint'),
  rule(['smallint', 'integer', 'serial', 'smallserial', 'int2', 'int4', 'oid'], 'integer'),
  rule('boolean', 'boolean'),
  // Exact decimals stay exact as text; money arrives as plain numeric text (the reader casts it).
  rule(['numeric', 'decimal', 'money'], 'decimal_text'),
  rule(['real', 'double precision', 'float4', 'float8'], 'real'),
  rule(['text', 'varchar', 'char', 'citext', 'name'], 'text'),
  rule('uuid', 'uuid'),
  rule(['json', 'jsonb'], 'json'),
  rule('bytea', 'blob'),
  rule('timestamp', 'timestamp_iso'),
  rule('timestamptz', 'timestamptz_iso'),
  rule('date', 'date'),
  rule('time', 'time'),
  // timetz keeps its offset and interval its ISO-8601 duration text (IntervalStyle iso_8601):
  // both exact as text, neither has a SQLite type.
  rule(['timetz', 'interval'], 'text'),
  rule('enum', 'enum'),
  // The reader delivers arrays as JSON text (array_to_json), queryable with json_each.
  rule('array', 'json'),
  rule(['inet', 'cidr', 'macaddr', 'macaddr8', 'xml', 'pg_lsn'], 'text'),
  // Fixed-width bit strings up to 63 bits are integers; longer ones, and varbit (whose leading
  // zeros matter), keep their 0/1 text.
  rule('bit', 'bit_integer', { maxLength: 63 }),
  rule(['bit', 'varbit'], 'text'),
  // Types whose operators and indexes have no SQLite equivalent keep their text form.
  rule(
    [
      'tsvector', 'tsquery', 'geometry', 'geography', 'point', 'line', 'lseg', 'box', 'path', 'polygon', 'circle',
      'hstore', 'ltree', 'composite', 'int4range', 'int8range', 'numrange', 'tsrange', 'tstzrange', 'daterange',
      'int4multirange', 'int8multirange', 'nummultirange', 'tsmultirange', 'tstzmultirange', 'datemultirange',
      'txid_snapshot', 'pg_snapshot',
    ],
    'lossy_text',
  ),
];
