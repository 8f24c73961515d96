// Tables (or other collections) side by side (--jobs), shared by copy and verify.
import type { TableMapping } from '../schema/mapping.js';

/** What the pool needs of a collection: its name and how big the source thinks it is. */
export interface PoolItem {
  name: string;
  size: number;
}

/**
 * Runs `work` for every table, `jobs` at a time, largest first: with several jobs the run ends
 * when the largest table does. The first failure aborts `stop` (so the other tables end at
 * their next safe point) and is rethrown once every job has returned.
 */
export async function forEachTable<T>(
  tables: readonly TableMapping[],
  jobs: number,
  stop: AbortController,
  work: (m: TableMapping) => Promise<T>,
): Promise<Map<string, T>> {
  const items = tables.map((m) => ({ name: m.name, size: m.table.sizeEstimate, m }));
  return forEachItem(items, jobs, stop, (i) => work(i.m));
}

/** forEachTable for any collection: largest first, `jobs` at a time, the first failure stops the rest. */
export async function forEachItem<I extends PoolItem, T>(
  items: readonly I[],
  jobs: number,
  stop: AbortController,
  work: (item: I) => Promise<T>,
): Promise<Map<string, T>> {
  const queue = [...items].sort((a, b) => b.size - a.size);
  const results = new Map<string, T>();
  let failure: unknown;
  const worker = async () => {
    for (let m = queue.shift(); m && !stop.signal.aborted; m = queue.shift()) {
      try {
        results.set(m.name, await work(m));
      } catch (e) {
        failure ??= e;
        stop.abort();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, queue.length) }, worker));
  if (failure !== undefined) throw failure;
  return results;
}
