// One scan per table for the plan: exact rows, the largest row and value in bytes, and BIGINT
// values JavaScript cannot hold exactly (beyond ±(2^53-1)).
import type { Column, Table, TableMeasurement } from '../../catalog/types.js';
import type { IntegerBounds } from '../source.js';
import { qualifiedName } from './mysql-reader.js';
import { num, str, strOrNull, type Query } from './mysql-rows.js';
import { isGeometryType, isTextType, quoteMy } from './mysql-types.js';

const MAX_SAFE = '9007199254740991';

/** Bytes the value takes as the target will hold it: text as UTF-8, geometry as its WKT. */
function sizeExpression(c: Column): string {
  const q = quoteMy(c.name);
  if (isGeometryType(c.dataType)) return `OCTET_LENGTH(ST_AsText(${q}))`;
  if (isTextType(c.dataType)) return `OCTET_LENGTH(CONVERT(${q} USING utf8mb4))`;
  return `OCTET_LENGTH(${q})`;
}

export async function measureTable(q: Query, table: Table): Promise<TableMeasurement> {
  const sizes = table.columns.map(sizeExpression);
  const bigints = table.columns.filter((c) => c.dataType === 'bigint');
  const parts = [
    'COUNT(*) AS n',
    sizes.length ? `MAX(${sizes.map((s) => `COALESCE(${s}, 0)`).join(' + ')}) AS maxrow` : '0 AS maxrow',
    ...sizes.map((s, i) => `MAX(${s}) AS m${i}`),
    // A comparison, not ABS(): ABS(-2^63) overflows a signed BIGINT.
    ...bigints.map((c, i) => `SUM(${quoteMy(c.name)} > ${MAX_SAFE} OR ${quoteMy(c.name)} < -${MAX_SAFE}) AS u${i}`),
  ];
  const [row] = await q(`SELECT ${parts.join(', ')} FROM ${qualifiedName(table)}`);
  return {
    table: table.name,
    rows: num(row.n) ?? 0,
    maxRowBytes: num(row.maxrow) ?? 0,
    columns: table.columns.map((c, i) => {
      const b = bigints.indexOf(c);
      return {
        column: c.name,
        maxBytes: num(row[`m${i}`]) ?? 0,
        ...(b >= 0 ? { unsafeIntegers: num(row[`u${b}`]) ?? 0 } : {}),
      };
    }),
  };
}

export async function countTable(q: Query, table: Table): Promise<number> {
  const [row] = await q(`SELECT COUNT(*) AS n FROM ${qualifiedName(table)}`);
  return Number(str(row.n));
}

export async function integerBounds(q: Query, table: Table, columns: readonly string[]): Promise<IntegerBounds[]> {
  if (columns.length === 0) return [];
  const select = columns.flatMap((c, i) => [`CAST(MIN(${quoteMy(c)}) AS CHAR) AS a${i}`, `CAST(MAX(${quoteMy(c)}) AS CHAR) AS b${i}`]);
  const [row] = await q(`SELECT ${select.join(', ')} FROM ${qualifiedName(table)}`);
  return columns.map((column, i) => ({ column, min: strOrNull(row[`a${i}`]), max: strOrNull(row[`b${i}`]) }));
}
