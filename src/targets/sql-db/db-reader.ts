// Reads PostgreSQL or MySQL back for `verify --from d1:<db> --to postgres://…`: each row is read
// as the engine's source reader reads it and put through the forward transform of its column,
// so it compares with what D1 holds exactly when the way back restored the original value.
import { CastRules } from '../../casting/rules.js';
import type { SourceValue, SqliteValue } from '../../casting/values.js';
import type { Table } from '../../catalog/types.js';
import { compareKeys } from '../../verify/key-compare.js';
import { digestByReading } from '../d1-remote/d1-remote-reader.js';
import { checkColumns, shapeOf, type TargetReader, type TargetRow, type TargetTableReader } from '../reader.js';
import type { DbLink } from './db-link.js';
import { findColumn } from './table-plan.js';

const PAGE_ROWS = 5000;

export async function openDbReader(link: DbLink, description: string): Promise<TargetReader> {
  const catalog = await link.source.introspect();
  const tables = new Map(catalog.tables.map((t) => [t.name.toLowerCase(), t]));
  const rules = CastRules.combine([], link.source.castRules);
  return {
    description,
    readRows: (chunkRows) => chunkRows,
    async table(m) {
      const t = tables.get(m.name.toLowerCase());
      if (!t) return undefined;
      const shape = shapeOf(m);
      checkColumns(shape, t.columns.map((c) => c.name));
      const columns = m.columns.map((mc) => findColumn(t, mc.name)!);
      const view: Table = { ...t, columns };
      const casts = columns.map((c) => rules.resolve(t, c));
      const keyIdx = shape.key.map((k) => shape.columns.indexOf(k));
      const keyNames = keyIdx.map((i) => columns[i].name);
      const keyParams = (key: readonly SqliteValue[]) => keyIdx.map((ci, j) => casts[ci].transform.inverse(columns[ci], link.engine)(key[j]));
      const cast = (row: SourceValue[]): TargetRow =>
        row.map((v, i) => {
          try {
            return casts[i].value(v);
          } catch (e) {
            // Not a value the forward copy could hold: it shows as a difference, with its text.
            return `(unreadable ${String(v)}: ${(e as Error).message})`;
          }
        });
      const read = async (sql: string, values: unknown[]) => (await link.query(sql, values)).map(cast);
      const reader: TargetTableReader = {
        digest: (lo, hi) => digestByReading(reader, keyIdx, lo, hi, PAGE_ROWS),
        async range(lo, hi, limit) {
          const { sql, values } = link.select(view, keyNames, lo ? keyParams(lo) : undefined, limit);
          const rows = await read(sql, values);
          if (!hi) return rows;
          const end = rows.findIndex((r) => compareKeys(keyIdx.map((i) => r[i]), hi) > 0);
          return end < 0 ? rows : rows.slice(0, end);
        },
        async lookup(keys) {
          const out: TargetRow[] = [];
          const where = keyNames.map((k, i) => `${link.quote(k)} = ${link.param(i + 1)}`).join(' AND ');
          for (const key of keys) {
            const { sql } = link.select(view, undefined, undefined, 1);
            out.push(...(await read(sql.replace(/ LIMIT 1$/, ` WHERE ${where} LIMIT 1`), keyParams(key))));
          }
          return out;
        },
        // No rowid here: pages of the table in its stored order, numbered (multiset compare ignores order).
        async rowidPage(after, limit) {
          const offset = after ?? 0n;
          const { sql } = link.select(view, undefined, undefined, limit);
          const rows = await read(`${sql} OFFSET ${offset}`, []);
          return rows.map((r, i) => [...r, offset + BigInt(i + 1)]);
        },
      };
      return reader;
    },
    close: () => link.close(),
  };
}
