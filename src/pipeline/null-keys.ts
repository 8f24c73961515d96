// Keys that hold NULLs. SQLite lets a (non-INTEGER) primary key hold NULLs, any number of them:
// such a key orders nothing past its NULLs (`WHERE k > NULL` is never true) and identifies none
// of them, so resuming after it or merging by it would silently lose rows. A table whose key
// holds NULLs is therefore copied and verified as a table without a key: copy restarts it whole
// on resume, verify compares it as a multiset — both exact. The plan reports it.
import type { TableMapping } from '../schema/mapping.js';

interface NullCounter {
  countNullKeys?(table: TableMapping['table'], columns: readonly string[]): Promise<number>;
}

/** The key columns the catalog says may hold NULL (none for PostgreSQL and MySQL keys). */
export function nullableKeyColumns(m: TableMapping): string[] {
  if (!m.key) return [];
  const nullable = new Set(m.table.columns.filter((c) => c.nullable).map((c) => c.name));
  return m.key.filter((k) => nullable.has(k));
}

/** Rows with a NULL in the key, or undefined when the key cannot hold any. */
export async function countKeyNulls(m: TableMapping, counter: NullCounter): Promise<number | undefined> {
  const columns = nullableKeyColumns(m);
  if (columns.length === 0) return undefined;
  // An engine that cannot count them is taken to have some: a keyless run is exact either way.
  return counter.countNullKeys ? counter.countNullKeys(m.table, columns) : Number.POSITIVE_INFINITY;
}

export const nullKeyConsequence = 'copy restarts it whole on resume and verify compares it as a multiset (NULLs have no order to resume after or match by)';

/** The mappings with keys that hold NULLs dropped; `note` tells about each such table. */
export async function withoutNullKeys(tables: TableMapping[], counter: NullCounter, note: (message: string) => void): Promise<TableMapping[]> {
  const out: TableMapping[] = [];
  for (const m of tables) {
    const nulls = await countKeyNulls(m, counter);
    if (nulls !== undefined && nulls > 0) {
      const rows = Number.isFinite(nulls) ? `${nulls} rows hold` : 'may hold';
      note(`${m.name}: ${rows} NULL in key (${m.key!.join(', ')}): ${nullKeyConsequence}`);
      out.push({ ...m, key: undefined });
    } else out.push(m);
  }
  return out;
}
