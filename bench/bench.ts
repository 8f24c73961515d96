// `npm run bench [-- --rows N] [--jobs N] [--keys N]`: the copy benchmark, then the verify benchmark on the
// same table and local D1 size, the keyless one, then Redis -> local KV (--keys), each printing its
// figures and ratios against baselines measured in the same run. Separate processes, so each one's peak RSS is its own.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
for (const script of ['copy-bench.ts', 'verify-bench.ts', 'keyless-bench.ts', 'redis-kv-bench.ts', 'reverse-bench.ts']) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, script), ...args], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
