// Which tables a file holds, and facts about each that later steps need (rowid or not).
import type Database from 'better-sqlite3';
import { quoteAlways } from '../../schema/identifiers.js';
import { tokenize } from './sqlite-sql-text.js';

export const quoteName = quoteAlways;

export interface ListedTable {
  name: string;
  /** 'shadow' tables belong to a virtual table (fts5 data, rtree nodes) and are never copied. */
  type: 'table' | 'view' | 'virtual' | 'shadow';
  withoutRowid: boolean;
}

/** Tables of the main schema, from PRAGMA table_list (SQLite 3.37+). */
export function tableList(db: Database.Database): ListedTable[] {
  try {
    const rows = db.prepare("SELECT name, type, wr FROM pragma_table_list WHERE schema = 'main'").all() as {
      name: string;
      type: ListedTable['type'];
      wr: number;
    }[];
    return rows.map((r) => ({ name: r.name, type: r.type, withoutRowid: r.wr === 1 }));
  } catch {
    // table_list fails when a virtual table's module is not compiled in: read sqlite_schema.
    return tableListFromSchema(db);
  }
}

function tableListFromSchema(db: Database.Database): ListedTable[] {
  const rows = db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table'").all() as { name: string; sql: string | null }[];
  const isVirtual = (sql: string | null) => /^\s*CREATE\s+VIRTUAL\b/i.test(sql ?? '');
  const virtuals = rows.filter((r) => isVirtual(r.sql)).map((r) => r.name.toLowerCase());
  return rows.map((r) => ({
    name: r.name,
    type: isVirtual(r.sql) ? 'virtual' : virtuals.some((v) => r.name.toLowerCase().startsWith(`${v}_`)) ? 'shadow' : 'table',
    withoutRowid: hasWithoutRowid(r.sql ?? ''),
  }));
}

function hasWithoutRowid(sql: string): boolean {
  const t = tokenize(sql).filter((x) => x.depth === 0 && x.kind === 'word').map((x) => x.value.toUpperCase());
  return t.some((w, i) => w === 'WITHOUT' && t[i + 1] === 'ROWID');
}

/** Whether a table has a rowid and, if so, a name for it that no column shadows. */
export function rowidName(db: Database.Database, table: string): string | undefined {
  const listed = tableList(db).find((t) => t.name === table);
  if (listed?.withoutRowid) return undefined;
  const columns = new Set(
    (db.prepare('SELECT name FROM pragma_table_xinfo(?)').all(table) as { name: string }[]).map((c) => c.name.toLowerCase()),
  );
  return ['rowid', '_rowid_', 'oid'].find((n) => !columns.has(n));
}
