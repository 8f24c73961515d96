// MySQL/MariaDB default cast rules, as data: first match wins, user rules come before these.
// Lossless wherever SQLite can hold the value exactly.
import type { CastRule } from '../../casting/rules.js';

const ORIGIN = 'mysql default';

const rule = (match: CastRule['match'], transform: string): CastRule => ({ match, transform, origin: ORIGIN });

export const MYSQL_CAST_RULES: readonly CastRule[] = [
  // tinyint(1) is MySQL's BOOLEAN; the introspector puts the display width in `length`. It is
  // still a tinyint (it may hold 2): tinyint_boolean keeps such values as they are.
  rule({ type: 'tinyint', maxLength: 1 }, 'tinyint_boolean'),
  rule({ type: 'bit', maxLength: 1 }, 'boolean'),
  rule({ type: 'bit' }, 'bit_integer'),
  // BIGINT (signed or unsigned) may exceed 2^53: the bigint transform keeps it exact in SQLite's
  // 64-bit INTEGER; unsigned values above 2^63-1 do not fit and are rejected by the transform.
  rule({ type: 'bigint' }, 'bigint'),
  rule({ type: ['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'year'] }, 'integer'),
  rule({ type: ['decimal', 'numeric'] }, 'decimal_text'),
  rule({ type: ['float', 'double', 'real'] }, 'real'),
  rule({ type: ['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'inet4', 'inet6'] }, 'text'),
  rule({ type: ['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob'] }, 'blob'),
  rule({ type: 'enum' }, 'enum'),
  // SET members are stored as MySQL prints them ('a,b'); the members are in Column.setValues.
  rule({ type: 'set' }, 'set'),
  rule({ type: 'json' }, 'json'),
  rule({ type: 'uuid' }, 'uuid'),
  // Zero and partial zero dates ('0000-00-00', '2024-00-15') exist only in MySQL. The ISO
  // transforms keep them as their text, nullable or not, in values and defaults alike (the plan
  // counts them); `zero_date_null` is the one-rule alternative.
  rule({ type: 'date' }, 'date'),
  rule({ type: 'datetime' }, 'timestamp_iso'),
  // TIMESTAMP is stored in UTC and read with time_zone '+00:00', so its text is UTC.
  rule({ type: 'timestamp' }, 'timestamptz_iso'),
  rule({ type: 'time' }, 'time'),
  rule(
    {
      type: ['geometry', 'point', 'linestring', 'polygon', 'multipoint', 'multilinestring', 'multipolygon', 'geometrycollection', 'geomcollection'],
    },
    'lossy_text',
  ),
];
