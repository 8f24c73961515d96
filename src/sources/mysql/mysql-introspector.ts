// MySQL/MariaDB database -> canonical catalog, read from information_schema only (no dumps,
// no SHOW CREATE parsing): tables, columns, keys, indexes, foreign keys, checks, other objects.
// `q` runs every query on one connection (the MySQL 8 session setting below must hold for all).
import type { Catalog, Column, Table } from '../../catalog/types.js';
import { normalizeDefault } from './mysql-defaults.js';
import { jsonMarkerColumn, loadForeignKeys, loadKeys, loadRawChecks, toCheck, type RawCheck } from './mysql-keys.js';
import { loadObjects } from './mysql-objects.js';
import { bigIntValue, num, str, strOrNull, type Query, type Row } from './mysql-rows.js';
import { displayWidth, isIntegerType, parseLabels, quoteMy } from './mysql-types.js';

/** MariaDB's system-versioned tables are base tables with history; both are read as tables. */
const BASE_TABLE_TYPES = ['BASE TABLE', 'SYSTEM VERSIONED'];
const DECIMAL_TYPES = new Set(['decimal', 'numeric', 'float', 'double', 'real']);
const FRACTIONAL_TEMPORALS = new Set(['time', 'datetime', 'timestamp']);

export function isMariaDb(version: string): boolean {
  return /mariadb/i.test(version);
}

export async function introspect(q: Query, database: string): Promise<Catalog> {
  const version = str((await q('SELECT VERSION() AS v'))[0]?.v);
  const mariadb = isMariaDb(version);
  if (!mariadb) {
    // MySQL 8 caches TABLE_ROWS/AUTO_INCREMENT for a day by default; ask for current values.
    await q('SET SESSION information_schema_stats_expiry = 0').catch(() => undefined);
  }

  const tableRows = await q(
    `SELECT TABLE_NAME, TABLE_ROWS, DATA_LENGTH, INDEX_LENGTH, AUTO_INCREMENT, TABLE_COMMENT
       FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN (?, ?)
      ORDER BY TABLE_NAME`,
    [database, ...BASE_TABLE_TYPES],
  );
  const columnRows = await q(
    `SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH,
            NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION, IS_NULLABLE, COLUMN_DEFAULT, EXTRA,
            GENERATION_EXPRESSION, COLUMN_COMMENT, COLLATION_NAME
       FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = ?
      ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    [database],
  );
  const keys = await loadKeys(q, database);
  const foreignKeys = await loadForeignKeys(q, database);
  const rawChecks = await loadRawChecks(q, database, mariadb);
  const objects = await loadObjects(q, database);

  const columnsByTable = new Map<string, Row[]>();
  for (const r of columnRows) {
    const t = str(r.TABLE_NAME);
    const list = columnsByTable.get(t);
    if (list) list.push(r);
    else columnsByTable.set(t, [r]);
  }

  const tables: Table[] = tableRows.map((t) => {
    const name = str(t.TABLE_NAME);
    const checks = rawChecks.filter((c) => c.table === name);
    const { columns, markers } = buildColumns(columnsByTable.get(name) ?? [], checks, mariadb);
    const k = keys.get(name);
    const table: Table = {
      schema: database,
      name,
      sourceName: quoteMy(name),
      columns,
      // Unique keys are in `indexes` (unique: true); see mysql-keys.ts.
      uniques: [],
      indexes: k?.indexes ?? [],
      foreignKeys: foreignKeys.get(name) ?? [],
      checks: checks.filter((c) => !markers.has(c)).map(toCheck),
      rowEstimate: num(t.TABLE_ROWS) ?? 0,
      sizeEstimate: (num(t.DATA_LENGTH) ?? 0) + (num(t.INDEX_LENGTH) ?? 0),
    };
    if (k?.primaryKey) table.primaryKey = k.primaryKey;
    if (columns.some((c) => c.autoIncrement)) {
      const next = bigIntValue(t.AUTO_INCREMENT);
      if (next !== undefined) table.sequenceNext = next;
    }
    const comment = str(t.TABLE_COMMENT);
    if (comment) table.comment = comment;
    return table;
  });

  return { engine: 'mysql', database, serverVersion: version, tables, objects };
}

/**
 * The columns of one table. MariaDB's JSON is LONGTEXT with a `json_valid(col)` check: such a
 * column gets dataType 'json' and its marker check is returned in `markers` so it is not
 * reported as a user check (the json transform keeps the text as is).
 */
function buildColumns(rows: Row[], checks: RawCheck[], mariadb: boolean): { columns: Column[]; markers: Set<RawCheck> } {
  const markers = new Set<RawCheck>();
  const jsonColumns = new Set<string>();
  for (const c of checks) {
    const col = jsonMarkerColumn(c.clause);
    const row = col === undefined ? undefined : rows.find((r) => str(r.COLUMN_NAME) === col);
    if (row && str(row.DATA_TYPE).toLowerCase() === 'longtext') {
      jsonColumns.add(col as string);
      markers.add(c);
    }
  }
  const columns = rows.map((r) => buildColumn(r, jsonColumns, mariadb));
  return { columns, markers };
}

function buildColumn(r: Row, jsonColumns: Set<string>, mariadb: boolean): Column {
  const name = str(r.COLUMN_NAME);
  const sourceType = str(r.COLUMN_TYPE);
  let dataType = str(r.DATA_TYPE).toLowerCase();
  if (jsonColumns.has(name)) dataType = 'json';
  const extra = str(r.EXTRA);
  const col: Column = {
    name,
    ordinal: num(r.ORDINAL_POSITION) ?? 0,
    sourceType,
    dataType,
    nullable: str(r.IS_NULLABLE).toUpperCase() === 'YES',
  };
  if (/\bunsigned\b/i.test(sourceType)) col.unsigned = true;
  // utf8mb4_general_ci and friends: equality and unique keys ignore case (and accents).
  const collation = str(r.COLLATION_NAME);
  if (/_ci$/i.test(collation)) col.caseInsensitive = collation;

  if (isIntegerType(dataType)) {
    // The display width is the only place tinyint(1) differs from tinyint(4): length carries it.
    const width = displayWidth(sourceType);
    if (width !== undefined) col.length = width;
    const precision = num(r.NUMERIC_PRECISION);
    if (precision !== undefined) col.precision = precision;
  } else if (dataType === 'bit') {
    const width = num(r.NUMERIC_PRECISION);
    if (width !== undefined) col.length = width;
  } else if (DECIMAL_TYPES.has(dataType)) {
    const precision = num(r.NUMERIC_PRECISION);
    const scale = num(r.NUMERIC_SCALE);
    if (precision !== undefined) col.precision = precision;
    if (scale !== undefined) col.scale = scale;
  } else if (FRACTIONAL_TEMPORALS.has(dataType)) {
    // Fraction digits of the second (0..6): the timestamp transforms print exactly that many.
    const fsp = num(r.DATETIME_PRECISION);
    if (fsp !== undefined) col.precision = fsp;
  } else {
    const length = num(r.CHARACTER_MAXIMUM_LENGTH);
    if (length !== undefined) col.length = length;
  }

  if (dataType === 'enum') {
    col.enumValues = parseLabels(sourceType);
    // MySQL stores '' (index 0) for an invalid value outside strict mode: the data may hold it.
    col.enumEmptyValue = !col.enumValues.includes('');
  }
  if (dataType === 'set') col.setValues = parseLabels(sourceType);

  const generated = /\b(VIRTUAL|STORED|PERSISTENT) GENERATED\b/i.test(extra);
  if (generated) {
    col.generated = str(r.GENERATION_EXPRESSION);
  } else {
    const def = normalizeDefault(strOrNull(r.COLUMN_DEFAULT), { dataType, extra, mariadb });
    if (def) col.default = def;
  }
  if (/\bauto_increment\b/i.test(extra)) col.autoIncrement = true;
  if (/\bon update (current_timestamp|now)\b/i.test(extra)) col.onUpdateCurrentTimestamp = true;
  const comment = str(r.COLUMN_COMMENT);
  if (comment) col.comment = comment;
  return col;
}
