// Keys, indexes, foreign keys and CHECK constraints from information_schema.
//
// Rules (documented for reviewers):
// - The index named PRIMARY is the primary key.
// - Every other unique index (UNIQUE KEY and CREATE UNIQUE INDEX are the same thing in MySQL) goes
//   to `indexes` with unique: true, and `uniques` stays empty: SQLite then gets a named
//   CREATE UNIQUE INDEX, so index counts match the source's STATISTICS. (mapping's key choice for
//   tables without a primary key reads `uniques`; it should also accept unique indexes.)
// - Prefix lengths (`KEY (name(10))`, SUB_PART) are dropped: SQLite indexes the whole value. For a
//   unique prefix index that makes the target constraint looser, never stricter, so every
//   source row still fits.
// - FULLTEXT and SPATIAL indexes, and MySQL 8 functional indexes, are kept as untranslatable.
import type { CheckConstraint, ForeignKey, ForeignKeyAction, Index, KeyConstraint } from '../../catalog/types.js';
import { translateCheck } from './mysql-checks.js';
import { num, str, type Query, type Row } from './mysql-rows.js';

export interface TableKeys {
  primaryKey?: KeyConstraint;
  indexes: Index[];
}

function groupBy(rows: Row[], key: (r: Row) => string): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const k = key(r);
    const list = groups.get(k);
    if (list) list.push(r);
    else groups.set(k, [r]);
  }
  return groups;
}

export async function loadKeys(q: Query, database: string): Promise<Map<string, TableKeys>> {
  // SELECT * so that MySQL 8's EXPRESSION column is read where it exists (MariaDB has none).
  const rows = await q(
    'SELECT * FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX',
    [database],
  );
  const byTable = new Map<string, TableKeys>();
  for (const [, parts] of groupBy(rows, (r) => `${str(r.TABLE_NAME)}\u0000${str(r.INDEX_NAME)}`)) {
    const table = str(parts[0].TABLE_NAME);
    const name = str(parts[0].INDEX_NAME);
    const keys = byTable.get(table) ?? { indexes: [] };
    byTable.set(table, keys);
    const unique = num(parts[0].NON_UNIQUE) === 0;
    const method = str(parts[0].INDEX_TYPE).toLowerCase();
    const columns = parts.filter((p) => p.COLUMN_NAME != null).map((p) => str(p.COLUMN_NAME));
    const expressions = parts.filter((p) => p.COLUMN_NAME == null && p.EXPRESSION != null).map((p) => str(p.EXPRESSION));
    if (name === 'PRIMARY') {
      keys.primaryKey = { columns };
    } else if (method === 'fulltext') {
      keys.indexes.push({ name, unique, columns, method, untranslatable: 'FULLTEXT index: SQLite has none; search with an FTS5 table instead' });
    } else if (method === 'spatial') {
      keys.indexes.push({ name, unique, columns, method, untranslatable: 'SPATIAL index: SQLite has none; use an R*Tree table for spatial lookups' });
    } else if (expressions.length > 0) {
      keys.indexes.push({
        name,
        unique,
        columns,
        method,
        untranslatable: `functional index on ${expressions.join(', ')}: MySQL expressions are not translated to SQLite`,
      });
    } else {
      // COLLATION 'D': a descending key part (MySQL 8, MariaDB 10.8).
      const desc = parts.map((p) => str(p.COLLATION).toUpperCase() === 'D');
      keys.indexes.push({ name, unique, columns, method, ...(desc.some(Boolean) ? { desc } : {}) });
    }
  }
  return byTable;
}

const ACTIONS: readonly ForeignKeyAction[] = ['NO ACTION', 'RESTRICT', 'CASCADE', 'SET NULL', 'SET DEFAULT'];

function action(rule: unknown): ForeignKeyAction {
  const a = str(rule).toUpperCase() as ForeignKeyAction;
  return ACTIONS.includes(a) ? a : 'NO ACTION';
}

export async function loadForeignKeys(q: Query, database: string): Promise<Map<string, ForeignKey[]>> {
  const rows = await q(
    `SELECT rc.TABLE_NAME, rc.CONSTRAINT_NAME, rc.UPDATE_RULE, rc.DELETE_RULE, k.COLUMN_NAME,
            k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME
       FROM information_schema.REFERENTIAL_CONSTRAINTS rc
       JOIN information_schema.KEY_COLUMN_USAGE k
         ON k.CONSTRAINT_SCHEMA = rc.CONSTRAINT_SCHEMA AND k.CONSTRAINT_NAME = rc.CONSTRAINT_NAME
        AND k.TABLE_NAME = rc.TABLE_NAME
      WHERE rc.CONSTRAINT_SCHEMA = ?
      ORDER BY rc.TABLE_NAME, rc.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
    [database],
  );
  const byTable = new Map<string, ForeignKey[]>();
  for (const [, parts] of groupBy(rows, (r) => `${str(r.TABLE_NAME)}\u0000${str(r.CONSTRAINT_NAME)}`)) {
    const p = parts[0];
    const table = str(p.TABLE_NAME);
    const refSchema = str(p.REFERENCED_TABLE_SCHEMA);
    const refName = str(p.REFERENCED_TABLE_NAME);
    const fk: ForeignKey = {
      name: str(p.CONSTRAINT_NAME),
      columns: parts.map((r) => str(r.COLUMN_NAME)),
      // A table of another database would be named <schema>_<table> if it were in the catalog.
      refTable: refSchema === database ? refName : `${refSchema}_${refName}`,
      refColumns: parts.map((r) => str(r.REFERENCED_COLUMN_NAME)),
      onDelete: action(p.DELETE_RULE),
      onUpdate: action(p.UPDATE_RULE),
    };
    const list = byTable.get(table);
    if (list) list.push(fk);
    else byTable.set(table, [fk]);
  }
  return byTable;
}

export interface RawCheck {
  table: string;
  name: string;
  clause: string;
}

/**
 * CHECK constraints (MySQL 8.0.16+, MariaDB 10.2+; older servers have no such table and no
 * enforced checks). MariaDB names checks per table and has TABLE_NAME in CHECK_CONSTRAINTS;
 * MySQL names them per schema and needs TABLE_CONSTRAINTS for the table.
 */
export async function loadRawChecks(q: Query, database: string, mariadb: boolean): Promise<RawCheck[]> {
  const sql = mariadb
    ? 'SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?'
    : `SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE
         FROM information_schema.TABLE_CONSTRAINTS tc
         JOIN information_schema.CHECK_CONSTRAINTS cc
           ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
        WHERE tc.TABLE_SCHEMA = ? AND tc.CONSTRAINT_TYPE = 'CHECK'`;
  let rows: Row[];
  try {
    rows = await q(sql, [database]);
  } catch (e) {
    if ((e as { code?: string }).code === 'ER_UNKNOWN_TABLE') return [];
    throw e;
  }
  return rows.map((r) => ({ table: str(r.TABLE_NAME), name: str(r.CONSTRAINT_NAME), clause: str(r.CHECK_CLAUSE) }));
}

/** MariaDB's JSON type is LONGTEXT plus `CHECK (json_valid(`col`))`: the column it marks, if any. */
export function jsonMarkerColumn(clause: string): string | undefined {
  const m = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(clause.trim());
  return m ? m[1].replace(/``/g, '`') : undefined;
}

export function toCheck(raw: RawCheck): CheckConstraint {
  const check: CheckConstraint = { name: raw.name, expression: raw.clause };
  const sqlite = translateCheck(raw.clause);
  if (sqlite !== undefined) check.sqlite = sqlite;
  return check;
}
