// `node --import tsx bench/plan-bench.ts [--runs N]`: start-up, measured as `flarelift plan --from
// <Chinook SQLite file>` (a small database: the time is mostly the CLI starting) in wall time,
// next to two baselines in the same run: `node -e ''` (the runtime starting and doing nothing)
// and `sqlite3 <file> .schema` (the file read by SQLite's own CLI). flarelift runs as the bin
// chooses (dist/ when its build is fresh) and, for the figure before, from the TypeScript sources
// through tsx (FLARELIFT_SOURCES=1), as the bin of a checkout did. Best and median of N runs
// (default 7), the commands alternated so a burst of load falls on all of them alike.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error plain JS beside the bin, without types
import { chooseEntry } from '../bin/entry.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin/flarelift.js');
const DATASETS = process.env.FLARELIFT_DATASETS ?? ['../shared/datasets', '../../shared/datasets'].map((d) => path.resolve(ROOT, d)).find((d) => existsSync(d)) ?? '';
const FILE = path.join(DATASETS, 'chinook/Chinook_Sqlite.sqlite');
const runsAt = process.argv.indexOf('--runs');
const runs = runsAt >= 0 ? Number(process.argv[runsAt + 1]) : 7;
/** The goal for `flarelift plan` on this file (issue 14). */
const GOAL_MS = 600;

function wall(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.slice(-500)}`));
      else resolve(ms);
    });
  });
}

async function main(): Promise<void> {
  if (!existsSync(FILE)) throw new Error(`${FILE} is not there: set FLARELIFT_DATASETS`);
  const sqlite3 = spawnSync('sqlite3', ['-version']).status === 0;
  const choice = chooseEntry(ROOT) as { run: string; why: string };
  const commands: { name: string; run: () => Promise<number> }[] = [
    { name: "node -e ''", run: () => wall(process.execPath, ['-e', '']) },
    ...(sqlite3 ? [{ name: 'sqlite3 <file> .schema', run: () => wall('sqlite3', [FILE, '.schema']) }] : []),
    { name: `flarelift plan --from <file> (bin: ${choice.run}, ${choice.why})`, run: () => wall(process.execPath, [CLI, 'plan', '--from', FILE]) },
    {
      name: 'flarelift plan --from <file> (sources through tsx, FLARELIFT_SOURCES=1: before)',
      run: () => wall(process.execPath, [CLI, 'plan', '--from', FILE], { ...process.env, FLARELIFT_SOURCES: '1' }),
    },
  ];
  const times = commands.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) for (const [j, c] of commands.entries()) times[j].push(await c.run());
  const best = times.map((t) => Math.min(...t));
  const median = times.map((t) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)]);
  const node = best[0];
  console.log('');
  console.log(`start-up: ${path.basename(FILE)} (${runs} runs each, best / median wall time)`);
  for (const [j, c] of commands.entries()) {
    console.log(`  ${c.name}: ${best[j].toFixed(0)} / ${median[j].toFixed(0)} ms${j > 0 ? ` (${(best[j] / node).toFixed(1)} x node's own start)` : ''}`);
  }
  const plan = best[sqlite3 ? 2 : 1];
  const before = best[sqlite3 ? 3 : 2];
  console.log(`flarelift plan: ${plan.toFixed(0)} ms against ${before.toFixed(0)} ms from the sources (${(before / plan).toFixed(1)} x faster); goal under ${GOAL_MS} ms: ${plan < GOAL_MS ? 'met' : 'not met'} on this run`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
