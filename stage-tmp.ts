// Per-stage timers for verify's server digests: the source's chunk digests alone, the target's alone.
import { planSource } from './src/pipeline/plan.js';
import { withSource } from './src/sources/with-source.js';
import { openLocalReader } from './src/targets/sqlite-file/sqlite-file-reader.js';
const FILE = process.argv[2];
const reader = openLocalReader(FILE, 'bench', '');
await withSource('postgres://postgres@127.0.0.1/flarelift_bench', async (source) => {
  const { schema } = await planSource(source, { measure: false });
  const m = schema.tables.find((t) => t.name === 'bench_rows_1000000')!;
  const snap = await source.snapshot(1);
  const table = (await reader.table(m))!;
  let t = performance.now();
  const his: unknown[][] = [];
  for await (const c of snap.chunkDigests!(m)!.chunks(10000)) { await c.digest; his.push(c.hi ? c.hi.map((v, i) => m.columns[i].cast.value(v)) : null as any); }
  console.log('source (PostgreSQL) chunk digests', (performance.now() - t).toFixed(0), 'ms', his.length);
  t = performance.now();
  let lo = null as any;
  for (const hi of his) { await table.textDigest!(lo, hi); lo = hi; }
  console.log('target (SQLite) text digests', (performance.now() - t).toFixed(0), 'ms');
  t = performance.now(); lo = null;
  for (const hi of his) { await table.digest(lo, hi); lo = hi; }
  console.log('target rows digests (before)', (performance.now() - t).toFixed(0), 'ms');
  t = performance.now(); let n = 0;
  for await (const b of snap.readRows(m.table, { orderBy: m.key, batchSize: 10000 })) n += b.length;
  console.log('source rows read (before)', (performance.now() - t).toFixed(0), 'ms', n);
  await snap.close();
});
await reader.close();
