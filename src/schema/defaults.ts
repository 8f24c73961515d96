// Column defaults in SQLite terms: literals go through the column's transform so the default
// is stored exactly as copied values are; 'now' uses the transform's own SQL.
import type { ResolvedCast } from '../casting/rules.js';
import { sqlString } from '../casting/transforms.js';
import type { SqliteValue } from '../casting/values.js';

/** A random RFC 4122 version-4 UUID in SQLite SQL (D1 has no uuid function). */
export const SQLITE_UUID_V4 =
  "(lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || " +
  "substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))))";

export function sqlLiteral(v: SqliteValue): string {
  if (v === null) return 'NULL';
  if (typeof v === 'number' || typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return sqlString(v);
  return `X'${v.toString('hex')}'`;
}

export type DefaultSql = { sql?: string; dropped?: string };

/** The DEFAULT clause's expression, or why the default cannot carry over. */
export function defaultSql(cast: ResolvedCast): DefaultSql {
  const d = cast.column.default;
  if (!d) return {};
  switch (d.kind) {
    case 'sequence':
      return {}; // expressed as INTEGER PRIMARY KEY AUTOINCREMENT or left to the application
    case 'literal': {
      if (d.value === null) return {};
      try {
        const v = cast.value(d.value);
        // Numbers and negative literals must be parenthesized to be a valid DEFAULT expression.
        return { sql: typeof v === 'number' || typeof v === 'bigint' ? `(${sqlLiteral(v)})` : sqlLiteral(v) };
      } catch (e) {
        return { dropped: `default ${d.raw} cannot be converted: ${(e as Error).message}` };
      }
    }
    case 'now':
      return cast.transform.nowSql ? { sql: cast.transform.nowSql(cast.column) } : { dropped: `default ${d.raw} has no equivalent for a ${cast.transform.name} column` };
    case 'current_date':
      return { sql: 'CURRENT_DATE' };
    case 'current_time':
      return { sql: 'CURRENT_TIME' };
    case 'uuid':
      return { sql: SQLITE_UUID_V4 };
    case 'expression':
      return { dropped: `default ${d.raw} is an expression SQLite cannot evaluate` };
  }
}
