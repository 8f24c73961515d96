// `npm run bench [-- --rows N] [--jobs N] [--keys N] [--no-large | --large-only] [--only PART]`: the copy benchmark,
// the verify benchmark on the same table and local D1 size with start-up (`plan` on Chinook,
// plan-bench.ts; also --only plan), keyless verify's memory, Redis -> local KV
// (--keys), the way back (D1 -> PostgreSQL), sync after 1% changed against a full copy, then files into local R2 (--no-large skips the 1 GiB
// object), each printing its figures and ratios against baselines measured in the same run. Separate
// processes, so each one's peak RSS is its own. --only runs one part (verify and reverse need copy's
// table); --bucket-only is --only bucket.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error plain JS beside the bin, without types
import { chooseEntry } from '../bin/entry.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const PARTS: Record<string, string | string[]> = {
  copy: 'copy-bench.ts',
  verify: ['verify-bench.ts', 'plan-bench.ts'],
  plan: 'plan-bench.ts',
  keyless: 'keyless-bench.ts',
  'redis-kv': 'redis-kv-bench.ts',
  reverse: 'reverse-bench.ts',
  sync: 'sync-bench.ts',
  bucket: 'bucket-bench.ts',
};
const at = args.indexOf('--only');
let only = at >= 0 ? args.splice(at, 2)[1] : undefined;
if (args.includes('--bucket-only')) only = 'bucket';
if (only !== undefined && !(only in PARTS)) {
  console.error(`--only takes one of ${Object.keys(PARTS).join(', ')}, not ${only}`);
  process.exit(2);
}
// The bin runs dist/ only when its build is fresh (bin/entry.js): build first, so the figures are
// those of the compiled CLI a user runs.
if ((chooseEntry(path.join(here, '..')) as { run: string }).run !== 'dist') {
  const built = spawnSync(process.execPath, [path.join(here, '../bin/build.js')], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
for (const [part, scripts] of Object.entries(PARTS)) {
  if (only === undefined ? part === 'plan' : part !== only) continue; // plan runs with verify
  for (const script of Array.isArray(scripts) ? scripts : [scripts]) {
    // Bucket-only flags go to the bucket bench alone; the others would refuse them.
    const own = part === 'bucket' ? args : args.filter((a) => a !== '--no-large' && a !== '--large-only' && a !== '--bucket-only');
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, script), ...own], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
