// Tables side by side (--jobs), shared by copy and verify.
import type { TableMapping } from '../schema/mapping.js';

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
  const queue = [...tables].sort((a, b) => b.table.sizeEstimate - a.table.sizeEstimate);
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
