// What SQLite DDL to produce for one mapped table (semantics only: how the SQL reaches a
// database is the targets' business).
import type { ForeignKeyAction, Index } from '../catalog/types.js';
import type { Finding } from '../catalog/findings.js';
import { defaultSql } from './defaults.js';
import { quoteIdent } from './identifiers.js';
import type { ColumnMapping, TableMapping } from './mapping.js';

export interface TableDdl {
  createTable: string;
  createIndexes: string[];
  /** Indexes carried over, by their source name. */
  carriedIndexes: string[];
  findings: Finding[];
}

const list = (names: readonly string[]) => names.map(quoteIdent).join(', ');

function declaredType(c: ColumnMapping): string {
  return c.cast.transform.declaredType?.(c.cast.column) ?? c.cast.sqliteType;
}

/** A single-column integer primary key that should be SQLite's rowid alias. */
function rowidAlias(m: TableMapping): ColumnMapping | undefined {
  const pk = m.table.primaryKey?.columns;
  if (pk?.length !== 1) return undefined;
  const col = m.columns.find((c) => c.name === pk[0]);
  return col && declaredType(col).toUpperCase() === 'INTEGER' ? col : undefined;
}

/** Text columns whose source collation ignores case, carried as COLLATE NOCASE. */
export function nocase(c: ColumnMapping): boolean {
  return c.cast.column.caseInsensitive !== undefined && NOCASE_TRANSFORMS.has(c.cast.transform.name);
}
const NOCASE_TRANSFORMS = new Set(['text', 'enum', 'set']);

function action(kind: 'DELETE' | 'UPDATE', a: ForeignKeyAction): string {
  return a === 'NO ACTION' ? '' : ` ON ${kind} ${a}`;
}

function columnDef(m: TableMapping, c: ColumnMapping, alias: ColumnMapping | undefined, findings: Finding[]): string {
  const col = c.cast.column;
  const object = `${m.name}.${c.name}`;
  let sql = `${quoteIdent(c.name)} ${declaredType(c)}`.trimEnd();
  // Case-insensitive source text keeps comparing that way: SQLite's NOCASE (ASCII case folding;
  // the plan counts the values where that differs from the source's collation).
  if (nocase(c)) sql += ' COLLATE NOCASE';
  if (c === alias) {
    sql += ' PRIMARY KEY';
    // AUTOINCREMENT keeps serial semantics: ids are never reused after deletes.
    if (col.autoIncrement) sql += ' AUTOINCREMENT';
  }
  // A transform that stores some values as NULL (zero_date_null) cannot keep NOT NULL.
  if (!col.nullable && c !== alias && !c.cast.transform.makesNulls) sql += ' NOT NULL';
  const d = defaultSql(c.cast);
  if (d.sql) sql += ` DEFAULT ${d.sql}`;
  if (d.dropped) {
    findings.push({
      severity: 'warning',
      code: 'default-not-carried',
      object,
      message: d.dropped,
      fix: 'set the value in the application (or the Worker) when inserting, or add a cast rule whose transform can express it',
    });
  }
  const check = c.cast.transform.check?.(quoteIdent(c.name), col);
  if (check) sql += ` CHECK (${check})`;
  if (col.generated !== undefined) {
    findings.push({
      severity: 'info',
      code: 'generated-column-materialized',
      object,
      message: `generated column (${col.generated}) becomes a plain column holding the copied values`,
      fix: 'compute it in the application on write, or recreate it with GENERATED ALWAYS AS in SQLite syntax',
    });
  }
  if (col.onUpdateCurrentTimestamp) {
    findings.push({
      severity: 'warning',
      code: 'on-update-timestamp',
      object,
      message: 'ON UPDATE CURRENT_TIMESTAMP has no SQLite equivalent; the column keeps its value on update',
      fix: `set ${c.name} in every UPDATE from the application, or add an AFTER UPDATE trigger in a later migration`,
    });
  }
  return sql;
}

function indexDdl(m: TableMapping, ix: Index, name: string): string | undefined {
  const plain = ix.expressions?.length ? ix.expressions : ix.columns.length ? ix.columns.map(quoteIdent) : undefined;
  if (!plain) return undefined;
  const elements = plain.map((e, i) => (ix.desc?.[i] ? `${e} DESC` : e));
  const where = ix.where ? ` WHERE ${ix.where}` : '';
  return `CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(name)} ON ${quoteIdent(m.name)} (${elements.join(', ')})${where};`;
}

/**
 * CREATE TABLE with columns, keys, foreign keys and translatable checks; CREATE INDEX for each
 * index SQLite can express. `indexName` gives the database-unique name of an index.
 */
export function tableDdl(m: TableMapping, indexName: (ix: Index) => string): TableDdl {
  const findings: Finding[] = [];
  const t = m.table;
  const alias = rowidAlias(m);
  const lines = m.columns.map((c) => columnDef(m, c, alias, findings));
  if (t.primaryKey && !alias) lines.push(`PRIMARY KEY (${list(t.primaryKey.columns)})`);
  for (const u of t.uniques) lines.push(`UNIQUE (${list(u.columns)})`);
  for (const fk of t.foreignKeys) {
    lines.push(
      `FOREIGN KEY (${list(fk.columns)}) REFERENCES ${quoteIdent(fk.refTable)} (${list(fk.refColumns)})` +
        action('DELETE', fk.onDelete) +
        action('UPDATE', fk.onUpdate) +
        (fk.deferrable ? ' DEFERRABLE INITIALLY DEFERRED' : ''),
    );
  }
  for (const ck of t.checks) {
    if (ck.sqlite) {
      lines.push(`${ck.name ? `CONSTRAINT ${quoteIdent(ck.name)} ` : ''}CHECK (${ck.sqlite})`);
    } else {
      findings.push({
        severity: 'warning',
        code: 'check-not-carried',
        object: `${m.name}${ck.name ? ` (${ck.name})` : ''}`,
        message: `CHECK ${ck.expression} uses source SQL that SQLite cannot evaluate`,
        fix: 'enforce it in the application, or add an equivalent CHECK in SQLite syntax to a later migration',
      });
    }
  }
  const createTable = `CREATE TABLE ${quoteIdent(m.name)} (\n  ${lines.join(',\n  ')}\n);`;

  const createIndexes: string[] = [];
  const carriedIndexes: string[] = [];
  for (const ix of t.indexes) {
    const sql = ix.untranslatable ? undefined : indexDdl(m, ix, indexName(ix));
    if (sql) {
      createIndexes.push(sql);
      carriedIndexes.push(ix.name);
    } else {
      findings.push({
        severity: 'warning',
        code: 'index-not-carried',
        object: `${ix.name} on ${m.name}`,
        message: `index ${ix.name}${ix.method ? ` (${ix.method})` : ''} is not carried over: ${ix.untranslatable ?? 'it has no column SQLite can index'}`,
        fix: ix.method && /fulltext|gin|gist/i.test(ix.method)
          ? 'use an FTS5 virtual table in D1 for full-text search, or query without the index'
          : 'create a plain index on the columns you filter by in a later migration',
      });
    }
  }
  return { createTable, createIndexes, carriedIndexes, findings };
}
