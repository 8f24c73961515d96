// SQLite to SQLite (D1) is mostly identity. A declared type only decides a column's affinity
// (https://sqlite.org/datatype3.html#determination_of_column_affinity), so the rules map
// affinities: values stay as stored. Columns declared boolean become 0/1 integers.
import type { CastRule } from '../../casting/rules.js';

export type SqliteAffinity = 'INTEGER' | 'TEXT' | 'BLOB' | 'REAL' | 'NUMERIC';

/** SQLite's own rules, in SQLite's order (so 'FLOATING POINT' is INTEGER: it contains "INT"). */
export function sqliteAffinity(declaredType: string): SqliteAffinity {
  const t = declaredType.toUpperCase();
  if (t.includes('INT')) return 'INTEGER';
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return 'TEXT';
  if (t.includes('BLOB') || t.trim() === '') return 'BLOB';
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'REAL';
  return 'NUMERIC';
}

const ORIGIN = 'sqlite default';

/**
 * Transform per affinity. BLOB/none and NUMERIC keep the value exactly as stored ('copy'):
 * a NUMERIC column holds integers, reals and text (dates) side by side.
 */
export const AFFINITY_TRANSFORM: Readonly<Record<SqliteAffinity, string>> = {
  INTEGER: 'integer',
  REAL: 'real',
  TEXT: 'text',
  BLOB: 'copy',
  NUMERIC: 'copy',
};

/** The declared types seen in practice (SQLite's documentation table plus common ORM output). */
const COMMON_TYPES: Readonly<Record<SqliteAffinity, readonly string[]>> = {
  INTEGER: ['integer', 'int', 'tinyint', 'smallint', 'mediumint', 'bigint', 'unsigned big int', 'int2', 'int4', 'int8'],
  TEXT: ['text', 'varchar', 'nvarchar', 'char', 'nchar', 'character', 'varying character', 'native character', 'clob', 'tinytext', 'mediumtext', 'longtext'],
  BLOB: ['blob', ''],
  REAL: ['real', 'double', 'double precision', 'float'],
  NUMERIC: ['numeric', 'decimal', 'date', 'datetime', 'timestamp', 'time'],
};

export const SQLITE_CAST_RULES: readonly CastRule[] = [
  // Declared boolean (NUMERIC affinity in SQLite) holds 0/1: kept as INTEGER 0/1 with a CHECK.
  { match: { type: ['boolean', 'bool'] }, transform: 'boolean', origin: ORIGIN },
  ...(Object.keys(COMMON_TYPES) as SqliteAffinity[]).map(
    (a): CastRule => ({ match: { type: [...COMMON_TYPES[a]] }, transform: AFFINITY_TRANSFORM[a], origin: ORIGIN }),
  ),
];

const KNOWN = new Set(['boolean', 'bool', ...Object.values(COMMON_TYPES).flat()]);

/**
 * Rules for the declared types of one file that the common list does not name (e.g. 'string',
 * 'varchar2', 'jsonb'): rules match exact type names, SQLite matches substrings, so each such
 * name gets the rule of its affinity.
 */
export function affinityRulesFor(dataTypes: Iterable<string>): CastRule[] {
  const extra = [...new Set(dataTypes)].filter((t) => !KNOWN.has(t)).sort();
  return extra.map((t) => ({ match: { type: t }, transform: AFFINITY_TRANSFORM[sqliteAffinity(t)], origin: 'sqlite affinity' }));
}
