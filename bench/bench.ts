// `npm run bench [-- --rows N] [--jobs N] [--keys N] [--bucket-only] [--no-large | --large-only]`: the copy benchmark, the verify
// benchmark on the same table and local D1 size, the keyless one, Redis -> local KV (--keys), the way back
// (D1 -> PostgreSQL), then files into local R2 (bucket-bench.ts), each printing its figures and ratios against
// baselines measured in the same run. Separate processes, so each one's peak RSS is its own.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const scripts = args.includes('--bucket-only')
  ? ['bucket-bench.ts']
  : ['copy-bench.ts', 'verify-bench.ts', 'keyless-bench.ts', 'redis-kv-bench.ts', 'reverse-bench.ts', 'bucket-bench.ts'];
for (const script of scripts) {
  const own = script === 'bucket-bench.ts' ? args : args.filter((a) => a !== '--no-large' && a !== '--large-only' && a !== '--bucket-only');
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, script), ...own], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
