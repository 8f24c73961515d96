// SQLite catalog -> canonical catalog, through sqlite_schema and the PRAGMA table functions.
// The stored CREATE text is read only for what SQLite keeps no catalog of (sqlite-sql-text.ts).
import path from 'node:path';
import type Database from 'better-sqlite3';
import type {
  Catalog, CheckConstraint, Column, ForeignKey, ForeignKeyAction, Index, KeyConstraint, SourceObject, Table,
} from '../../catalog/types.js';
import { normalizeDefault, parseDeclaredType } from './sqlite-columns.js';
import { parseCreateIndex, parseCreateTable, viewSelect, virtualModule } from './sqlite-sql-text.js';
import { quoteName, tableList, type ListedTable } from './sqlite-tables.js';
import { tableSizes } from './sqlite-sizes.js';

interface XInfo { cid: number; name: string; type: string; notnull: number; dflt_value: string | null; pk: number; hidden: number }
interface IndexListRow { seq: number; name: string; unique: number; origin: 'c' | 'u' | 'pk'; partial: number }
interface IndexXInfo { seqno: number; cid: number; name: string | null; desc: number; coll: string; key: number }
interface FkRow { id: number; seq: number; table: string; from: string; to: string | null; on_update: string; on_delete: string }
interface SchemaRow { type: string; name: string; tbl_name: string; sql: string | null }

/** Names SQLite and D1 keep for themselves: never user tables. */
export function isInternalName(name: string): boolean {
  const n = name.toLowerCase();
  return n.startsWith('sqlite_') || n.startsWith('_cf_');
}

export function introspectSqlite(db: Database.Database, file: string): Catalog {
  const schema = db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema').all() as SchemaRow[];
  const sqlOf = new Map(schema.map((r) => [`${r.type}:${r.name}`, r.sql ?? '']));
  const listed = tableList(db).filter((t) => !isInternalName(t.name));
  const plain = listed.filter((t) => t.type === 'table');
  const xinfo = new Map(plain.map((t) => [t.name, db.prepare('SELECT * FROM pragma_table_xinfo(?)').all(t.name) as XInfo[]]));
  const byLower = new Map(plain.map((t) => [t.name.toLowerCase(), t.name]));
  const sizes = tableSizes(db, schema);

  const tables = plain.map((t): Table => {
    const cols = xinfo.get(t.name)!.filter((c) => c.hidden !== 1);
    const parsed = parseCreateTable(sqlOf.get(`table:${t.name}`) ?? '');
    const indexList = db.prepare('SELECT * FROM pragma_index_list(?)').all(t.name) as IndexListRow[];
    const pk = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    // A rowid alias: rowid table, one-column key declared exactly INTEGER, and no separate key
    // index (`INTEGER PRIMARY KEY DESC` gets one and is not an alias).
    const rowidAlias =
      !t.withoutRowid && pk.length === 1 && !indexList.some((i) => i.origin === 'pk') &&
      cols.find((c) => c.name === pk[0])!.type.trim().toUpperCase() === 'INTEGER'
        ? pk[0]
        : undefined;
    const rowEstimate = estimateRows(db, t.name);
    const table: Table = {
      schema: 'main',
      name: t.name,
      sourceName: t.name,
      columns: cols.map((c, i) => toColumn(c, i + 1, rowidAlias, parsed.generated)),
      uniques: indexList.filter((i) => i.origin === 'u').map((i) => ({ columns: indexColumns(db, i.name) })),
      indexes: indexList.filter((i) => i.origin === 'c').map((i) => toIndex(db, i, sqlOf.get(`index:${i.name}`) ?? '')),
      foreignKeys: foreignKeys(db, t.name, byLower, xinfo),
      checks: parsed.checks.map((c): CheckConstraint => ({ ...c, sqlite: c.expression })),
      rowEstimate,
      sizeEstimate: sizes.get(t.name) ?? 0,
    };
    if (pk.length) table.primaryKey = { columns: pk } satisfies KeyConstraint;
    if (parsed.autoincrement) table.sequenceNext = sequenceNext(db, t.name);
    return table;
  });

  return {
    engine: 'sqlite',
    database: path.basename(file, path.extname(file)),
    serverVersion: `SQLite ${(db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v}`,
    tables,
    objects: objects(schema, listed),
  };
}

function toColumn(c: XInfo, ordinal: number, rowidAlias: string | undefined, generated: Map<string, string>): Column {
  const declared = parseDeclaredType(c.type);
  const col: Column = { name: c.name, ordinal, sourceType: c.type, dataType: declared.dataType, nullable: c.notnull === 0 };
  if (declared.length !== undefined) col.length = declared.length;
  if (declared.precision !== undefined) col.precision = declared.precision;
  if (declared.scale !== undefined) col.scale = declared.scale;
  if (declared.unsigned) col.unsigned = true;
  // A rowid alias never holds NULL (SQLite assigns a rowid instead), whatever was declared.
  if (c.name === rowidAlias) {
    col.autoIncrement = true;
    col.nullable = false;
  }
  if (c.hidden === 2 || c.hidden === 3) col.generated = generated.get(c.name.toLowerCase()) ?? 'unknown expression';
  const dflt = normalizeDefault(c.dflt_value);
  if (dflt) col.default = dflt;
  return col;
}

function indexColumns(db: Database.Database, index: string): string[] {
  const rows = db.prepare('SELECT * FROM pragma_index_info(?)').all(index) as { seqno: number; name: string }[];
  return rows.sort((a, b) => a.seqno - b.seqno).map((r) => r.name);
}

function toIndex(db: Database.Database, row: IndexListRow, sql: string): Index {
  const keys = (db.prepare('SELECT * FROM pragma_index_xinfo(?)').all(row.name) as IndexXInfo[])
    .filter((k) => k.key === 1)
    .sort((a, b) => a.seqno - b.seqno);
  const parsed = parseCreateIndex(sql);
  const index: Index = { name: row.name, unique: row.unique === 1, columns: keys.filter((k) => k.cid >= 0).map((k) => k.name!) };
  // Plain column lists are enough unless an element is an expression, descending or collated.
  if (keys.some((k) => k.cid < 0 || k.desc === 1 || k.coll.toUpperCase() !== 'BINARY')) {
    index.expressions = keys.map((k, i) =>
      k.cid >= 0
        ? `${quoteName(k.name!)}${k.coll.toUpperCase() !== 'BINARY' ? ` COLLATE ${k.coll}` : ''}${k.desc ? ' DESC' : ''}`
        : (parsed.elements[i] ?? 'rowid'),
    );
    if (keys.some((k) => k.cid === -2) && parsed.elements.length !== keys.length) {
      index.untranslatable = `could not read the expressions of index ${row.name} from its CREATE INDEX text`;
    }
  }
  if (row.partial === 1) {
    if (parsed.where) index.where = parsed.where;
    else index.untranslatable = `could not read the WHERE clause of partial index ${row.name}`;
  }
  return index;
}

const ACTIONS = new Set<ForeignKeyAction>(['NO ACTION', 'RESTRICT', 'CASCADE', 'SET NULL', 'SET DEFAULT']);
const action = (a: string): ForeignKeyAction => (ACTIONS.has(a as ForeignKeyAction) ? (a as ForeignKeyAction) : 'NO ACTION');

function foreignKeys(
  db: Database.Database, table: string, byLower: Map<string, string>, xinfo: Map<string, XInfo[]>,
): ForeignKey[] {
  const rows = db.prepare('SELECT * FROM pragma_foreign_key_list(?)').all(table) as FkRow[];
  const ids = [...new Set(rows.map((r) => r.id))].sort((a, b) => b - a); // SQLite numbers them last-declared first
  return ids.map((id) => {
    const parts = rows.filter((r) => r.id === id).sort((a, b) => a.seq - b.seq);
    // REFERENCES names the table as written; the catalog uses its real spelling.
    const refTable = byLower.get(parts[0].table.toLowerCase()) ?? parts[0].table;
    const refCols = xinfo.get(refTable) ?? [];
    const spell = (n: string) => refCols.find((c) => c.name.toLowerCase() === n.toLowerCase())?.name ?? n;
    // `REFERENCES t` without columns means t's primary key.
    const refColumns = parts.every((p) => p.to === null)
      ? refCols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name)
      : parts.map((p) => spell(p.to ?? ''));
    return {
      columns: parts.map((p) => p.from),
      refTable,
      refColumns,
      onDelete: action(parts[0].on_delete),
      onUpdate: action(parts[0].on_update),
    };
  });
}

/** sqlite_stat1's row count when ANALYZE has run, else an exact count (a scan of the smallest index). */
function estimateRows(db: Database.Database, table: string): number {
  try {
    const stat = db.prepare('SELECT stat FROM sqlite_stat1 WHERE tbl = ? LIMIT 1').get(table) as { stat: string } | undefined;
    const n = stat ? Number.parseInt(stat.stat, 10) : Number.NaN;
    if (Number.isFinite(n)) return n;
  } catch {
    // no sqlite_stat1: ANALYZE never ran
  }
  return Number((db.prepare(`SELECT count(*) AS n FROM ${quoteName(table)}`).get() as { n: number }).n);
}

function sequenceNext(db: Database.Database, table: string): number | string {
  let seq: bigint | undefined;
  try {
    const row = db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').safeIntegers(true).get(table) as { seq: bigint } | undefined;
    seq = row?.seq;
  } catch {
    // sqlite_sequence appears with the first AUTOINCREMENT insert
  }
  const next = (seq ?? 0n) + 1n;
  return next <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(next) : next.toString();
}

function objects(schema: SchemaRow[], listed: ListedTable[]): SourceObject[] {
  const out: SourceObject[] = [];
  for (const t of listed.filter((l) => l.type === 'virtual')) {
    const sql = schema.find((r) => r.type === 'table' && r.name === t.name)?.sql ?? '';
    // No 'virtual_table' kind in the catalog yet: reported as a type, with its module in the name.
    out.push({ kind: 'type', name: `${t.name} (virtual table using ${virtualModule(sql) ?? 'unknown module'})`, definition: sql, sqlite: sql });
  }
  for (const r of schema) {
    if (!r.sql || isInternalName(r.name) || isInternalName(r.tbl_name)) continue;
    if (r.type === 'view') out.push({ kind: 'view', name: r.name, definition: r.sql, sqlite: viewSelect(r.sql, r.name) });
    if (r.type === 'trigger') {
      out.push({ kind: 'trigger', name: `${r.name} on ${r.tbl_name}`, table: r.tbl_name, definition: r.sql, sqlite: r.sql });
    }
  }
  return out;
}
