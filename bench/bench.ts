// `npm run bench [-- --rows N] [--jobs N] [--only copy|verify|keyless]`: the copy benchmark, then
// the verify benchmark on the same table and local D1 size, then keyless verify's memory, each
// printing its figures and ratios against baselines measured in the same run. Separate
// processes, so each one's peak RSS is its own. --only runs one part (verify needs copy's table).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const at = args.indexOf('--only');
const only = at >= 0 ? args.splice(at, 2)[1] : undefined;
const parts = ['copy', 'verify', 'keyless'];
if (only !== undefined && !parts.includes(only)) {
  console.error(`--only takes one of ${parts.join(', ')}, not ${only}`);
  process.exit(2);
}
for (const script of parts.filter((p) => only === undefined || p === only).map((p) => `${p}-bench.ts`)) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, script), ...args], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
