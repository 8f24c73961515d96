// Writing rows into one table through a prepared single-row INSERT (inside the caller's batch
// transaction, this is SQLite's fastest path from JavaScript). A row SQLite refuses (a
// constraint, a type mismatch on a rowid alias) becomes a failure for that row only.
import type Database from 'better-sqlite3';
import { sqliteAffinity } from '../../casting/transforms.js';
import type { SqliteValue } from '../../casting/values.js';
import { UserError } from '../../errors.js';
import { quoteAlways } from '../../schema/identifiers.js';
import type { TableMapping } from '../../schema/mapping.js';
import type { RowFailure } from '../target.js';
import { isRowError } from './sqlite-errors.js';

export interface Inserter {
  /** Inserts the rows; pushes the ones refused to `failures`; returns how many were written. */
  insert(rows: SqliteValue[][], failures: RowFailure[]): number;
}

export function makeInserter(db: Database.Database, m: TableMapping): Inserter {
  const info = db.prepare(`PRAGMA table_info(${quoteAlways(m.name)})`).all() as { name: string; type: string }[];
  if (info.length === 0) throw new UserError(`the target has no table ${m.name}: create it (flarelift schema) or use a fresh target`);
  const declared = new Map(info.map((c) => [c.name.toLowerCase(), c.type]));
  // better-sqlite3 binds every JS number as a REAL: in a TEXT column an integer would read '5.0'
  // and in an untyped column it would stay REAL. Integers bound there go as BigInt (INTEGER).
  const integerFix: number[] = [];
  m.columns.forEach((c, i) => {
    const type = declared.get(c.name.toLowerCase());
    if (type === undefined) {
      throw new UserError(`target table ${m.name} has no column ${c.name}: its schema differs from the source — use a fresh target or fix the table`);
    }
    const affinity = sqliteAffinity(type);
    if (affinity === 'TEXT' || affinity === 'BLOB') integerFix.push(i);
  });
  const columns = m.columns.map((c) => quoteAlways(c.name)).join(', ');
  const stmt = db.prepare(`INSERT INTO ${quoteAlways(m.name)} (${columns}) VALUES (${m.columns.map(() => '?').join(', ')})`);

  return {
    insert(rows, failures) {
      let written = 0;
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i];
        for (let k = 0; k < integerFix.length; k++) {
          const v = row[integerFix[k]];
          if (typeof v === 'number' && Number.isSafeInteger(v)) row[integerFix[k]] = BigInt(v);
        }
        try {
          stmt.run(row);
          written++;
        } catch (e) {
          if (!isRowError(e)) throw e;
          failures.push({ index: i, reason: `SQLite refused the row: ${(e as Error).message}` });
        }
      }
      return written;
    },
  };
}
