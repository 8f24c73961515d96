// Writing rows into one table inside the caller's batch transaction. Rows go in groups through
// a prepared multi-row INSERT (measured about twice as fast as one row per call from
// JavaScript); a group SQLite refuses is retried row by row, so a constraint error or a type
// mismatch rejects that row only.
import type Database from 'better-sqlite3';
import { sqliteAffinity } from '../../casting/transforms.js';
import type { SqliteValue } from '../../casting/values.js';
import { UserError } from '../../errors.js';
import { quoteAlways } from '../../schema/identifiers.js';
import type { RowFailure } from '../target.js';
import { isRowError } from './sqlite-errors.js';

/** Rows per multi-row INSERT: past about 50 the statement gets slower again (measured). */
const ROWS_PER_STATEMENT = 50;

/** What the writer needs of a table (a TableMapping is one). */
export interface TableShape {
  name: string;
  /** `cast`: the column's transform; `keep` values come from SQLite with their storage class. */
  columns: readonly { name: string; cast?: { transform: { name: string } } }[];
}

export interface Inserter {
  /** Inserts the rows; pushes the ones refused to `failures`; returns how many were written. */
  insert(rows: SqliteValue[][], failures: RowFailure[]): number;
}

/** Which columns get integers as BigInt (see below); throws when the table does not fit the mapping. */
function integerColumns(db: Database.Database, m: TableShape): number[] {
  const info = db.prepare(`PRAGMA table_info(${quoteAlways(m.name)})`).all() as { name: string; type: string }[];
  if (info.length === 0) throw new UserError(`the target has no table ${m.name}: create it (flarelift schema) or use a fresh target`);
  const declared = new Map(info.map((c) => [c.name.toLowerCase(), c.type]));
  // better-sqlite3 binds every JS number as a REAL: in a TEXT column an integer would read '5.0'
  // and in an untyped column it would stay REAL. Integers bound there go as BigInt (INTEGER).
  // Not for `keep` (SQLite to SQLite): its integers arrive as BigInt and a number is a REAL the
  // source stores as one (an untyped column's 5.0 stays 5.0).
  const fix: number[] = [];
  m.columns.forEach((c, i) => {
    if (c.cast?.transform.name === 'keep') return;
    const type = declared.get(c.name.toLowerCase());
    if (type === undefined) {
      throw new UserError(`target table ${m.name} has no column ${c.name}: its schema differs from the source — use a fresh target or fix the table`);
    }
    const affinity = sqliteAffinity(type);
    if (affinity === 'TEXT' || affinity === 'BLOB') fix.push(i);
  });
  return fix;
}

export function makeInserter(db: Database.Database, m: TableShape, maxParameters: number): Inserter {
  const fix = integerColumns(db, m);
  const n = m.columns.length;
  const per = Math.max(1, Math.min(ROWS_PER_STATEMENT, Math.floor(maxParameters / n)));
  const head = `INSERT INTO ${quoteAlways(m.name)} (${m.columns.map((c) => quoteAlways(c.name)).join(', ')}) VALUES `;
  const tuple = `(${m.columns.map(() => '?').join(', ')})`;
  const one = db.prepare(head + tuple);
  const many = per > 1 ? db.prepare(head + Array(per).fill(tuple).join(', ')) : one;
  const flat: SqliteValue[] = new Array(per * n);

  const fixRow = (row: SqliteValue[]) => {
    for (let k = 0; k < fix.length; k++) {
      const v = row[fix[k]];
      if (typeof v === 'number' && Number.isSafeInteger(v)) row[fix[k]] = BigInt(v);
    }
  };
  const insertOne = (row: SqliteValue[], index: number, failures: RowFailure[]): number => {
    try {
      one.run(row);
      return 1;
    } catch (e) {
      if (!isRowError(e)) throw e;
      failures.push({ index, reason: `SQLite refused the row: ${(e as Error).message}` });
      return 0;
    }
  };

  return {
    insert(rows, failures) {
      let written = 0;
      let i = 0;
      for (; i + per <= rows.length && per > 1; i += per) {
        let k = 0;
        for (let r = i; r < i + per; r++) {
          const row = rows[r];
          if (fix.length > 0) fixRow(row);
          for (let c = 0; c < n; c++) flat[k++] = row[c];
        }
        try {
          many.run(flat);
          written += per;
        } catch (e) {
          if (!isRowError(e)) throw e;
          // The statement was undone whole: find the row(s) at fault one by one.
          for (let r = i; r < i + per; r++) written += insertOne(rows[r], r, failures);
        }
      }
      for (; i < rows.length; i++) {
        if (fix.length > 0) fixRow(rows[i]);
        written += insertOne(rows[i], i, failures);
      }
      return written;
    },
  };
}
