// Foreign-key-safe order: referenced tables before the tables that reference them, so the
// migration (and a copy without deferred checks) never points at a table that is not there yet.
import type { Table } from '../catalog/types.js';

/** Depth-first topological order; tables in a cycle keep their catalog order (D1 defers within a batch). */
export function orderByForeignKeys(tables: readonly Table[]): Table[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: Table[] = [];
  const visit = (t: Table) => {
    if (done.has(t.name) || visiting.has(t.name)) return;
    visiting.add(t.name);
    for (const fk of t.foreignKeys) {
      const ref = byName.get(fk.refTable);
      if (ref && ref !== t) visit(ref);
    }
    visiting.delete(t.name);
    done.add(t.name);
    out.push(t);
  };
  for (const t of tables) visit(t);
  return out;
}
