// How a D1 table's rows go into an existing table of the original database: columns matched by
// name (case-insensitive), each converted by the inverse of the transform the target column's
// type has going forward, so the way back is the way there read backwards. Generated columns
// are left to the database to compute.
import type { EngineValue, InverseFn } from '../../casting/inverse-functions.js';
import { CastRules } from '../../casting/rules.js';
import { TransformError, type SqliteValue } from '../../casting/values.js';
import type { Column, Table } from '../../catalog/types.js';
import { UserError } from '../../errors.js';
import type { TableMapping } from '../../schema/mapping.js';
import type { DbLink } from './db-link.js';

export interface TablePlan {
  table: Table;
  /** Target column names written, in order. */
  columns: string[];
  /** Values of one D1 row (mapping order) as the engine takes them; throws TransformError naming the column. */
  convert(row: readonly SqliteValue[]): EngineValue[];
}

export function findColumn(table: Table, name: string): Column | undefined {
  const lower = name.toLowerCase();
  return table.columns.find((c) => c.name === name) ?? table.columns.find((c) => c.name.toLowerCase() === lower);
}

export function planTable(m: TableMapping, table: Table, link: DbLink, where: string): TablePlan {
  const rules = CastRules.combine([], link.source.castRules);
  const steps: { at: number; name: string; fn: InverseFn }[] = [];
  m.columns.forEach((mc, at) => {
    const c = findColumn(table, mc.name);
    if (!c) throw new UserError(`${where}: table ${table.name} has no column ${mc.name}, which D1 holds: add it (run the app's migrations) or copy into a fresh database`);
    if (c.generated) return;
    steps.push({ at, name: c.name, fn: rules.resolve(table, c).transform.inverse(c, link.engine) });
  });
  return {
    table,
    columns: steps.map((s) => s.name),
    convert(row) {
      const out: EngineValue[] = new Array(steps.length);
      for (let i = 0; i < steps.length; i++) {
        try {
          out[i] = steps[i].fn(row[steps[i].at]);
        } catch (e) {
          if (e instanceof TransformError) throw new TransformError(`${steps[i].name}: ${e.message}`);
          throw e;
        }
      }
      return out;
    },
  };
}
