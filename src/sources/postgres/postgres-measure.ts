// One scan of a table for the plan: exact rows, the largest row and value (in the text form the
// reader delivers, bytea by length), and integers JavaScript cannot hold exactly.
import type { PoolClient } from 'pg';
import type { Column, Table, TableMeasurement } from '../../catalog/types.js';
import type { IntegerBounds } from '../source.js';
import { pgIdent, valueExpression } from './postgres-reader.js';

const MAX_SAFE = '9007199254740991'; // Number.MAX_SAFE_INTEGER: a Worker reads larger integers inexactly

function sizeExpression(c: Column): string {
  const q = pgIdent(c.name);
  if (c.dataType === 'bytea') return `octet_length(${q})`;
  return `octet_length((${valueExpression(c, q)})::text)`;
}

/** bigint and numeric(p, 0) hold integers that may pass 2^53. */
function holdsBigIntegers(c: Column): boolean {
  return c.dataType === 'bigint' || (c.dataType === 'numeric' && c.scale === 0);
}

export async function measureTable(client: PoolClient, table: Table): Promise<TableMeasurement> {
  const sizes = table.columns.map(sizeExpression);
  const select = [
    'count(*)::text AS n',
    `coalesce(max(${sizes.map((s) => `coalesce(${s}, 0)`).join(' + ') || '0'}), 0)::text AS max_row`,
    ...table.columns.map((c, i) => `coalesce(max(${sizes[i]}), 0)::text AS m${i}`),
    ...table.columns.map((c, i) =>
      holdsBigIntegers(c)
        ? // Two comparisons, not abs(): abs() of the smallest bigint overflows.
          `count(*) FILTER (WHERE ${pgIdent(c.name)} > ${MAX_SAFE} OR ${pgIdent(c.name)} < -${MAX_SAFE})::text AS u${i}`
        : `NULL AS u${i}`,
    ),
  ];
  const r = await client.query<Record<string, string | null>>(`SELECT ${select.join(', ')} FROM ${table.sourceName}`);
  const row = r.rows[0];
  return {
    table: table.name,
    rows: Number(row.n),
    maxRowBytes: Number(row.max_row),
    columns: table.columns.map((c, i) => ({
      column: c.name,
      maxBytes: Number(row[`m${i}`]),
      ...(holdsBigIntegers(c) ? { unsafeIntegers: Number(row[`u${i}`]) } : {}),
    })),
  };
}

export async function integerBounds(client: PoolClient, table: Table, columns: readonly string[]): Promise<IntegerBounds[]> {
  if (columns.length === 0) return [];
  const select = columns.flatMap((c, i) => [`min(${pgIdent(c)})::text AS a${i}`, `max(${pgIdent(c)})::text AS b${i}`]);
  const r = await client.query<Record<string, string | null>>(`SELECT ${select.join(', ')} FROM ${table.sourceName}`);
  return columns.map((column, i) => ({ column, min: r.rows[0][`a${i}`], max: r.rows[0][`b${i}`] }));
}
