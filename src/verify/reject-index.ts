// Rows a copy rejected are legitimately absent from the target: verify reads the copy's reject
// files (copy-rejects.ts: one JSON line per row with its key and source values) and counts
// those rows as rejected instead of missing.
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { SourceValue } from '../casting/values.js';
import { jsonSafe } from '../pipeline/copy-json.js';
import { RejectFiles, type RejectRecord } from '../pipeline/copy-rejects.js';
import type { TableMapping } from '../schema/mapping.js';

export interface TableRejects {
  /** Keyed tables: the reject lines' keys, as JSON of their values in key order. */
  keys: Set<string>;
  /** Keyless tables: JSON of all values in column order -> lines (a multiset). */
  rows: Map<string, number>;
}

/** The text a source row is looked up by (same jsonSafe form copy wrote). */
export function rejectLookup(values: readonly SourceValue[], indexes: readonly number[]): string {
  return JSON.stringify(indexes.map((i) => jsonSafe(values[i])));
}

/** The reject lines of one table, or undefined when its file is absent. */
export async function loadTableRejects(dir: string, m: TableMapping): Promise<TableRejects | undefined> {
  const file = new RejectFiles(dir).fileFor(m.name);
  if (!existsSync(file)) return undefined;
  const out: TableRejects = { keys: new Set(), rows: new Map() };
  const names = m.columns.map((c) => c.name);
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let r: RejectRecord;
    try {
      r = JSON.parse(line) as RejectRecord;
    } catch {
      continue; // a line cut short by a crash: copy --resume truncates it away too
    }
    if (r.table !== undefined && r.table !== m.name) continue; // another table's line (a file shared by an older copy)
    if (m.key && r.key) {
      const key = r.key;
      out.keys.add(JSON.stringify(m.key.map((k) => key[k] ?? null)));
    } else if (r.values) {
      const text = JSON.stringify(names.map((n) => r.values[n] ?? null));
      out.rows.set(text, (out.rows.get(text) ?? 0) + 1);
    }
  }
  return out;
}
