// A Worker run under Miniflare (workerd) on a project's local D1, the way `wrangler dev` would:
// the worker module and the generated Drizzle schema are bundled with esbuild (as wrangler does),
// with no nodejs_compat flag, so anything that needs Node's Buffer fails as it would deployed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { REPO_ROOT } from './env.js';
import type { WranglerProject } from './wrangler.js';

/** The database_id makeWranglerProject writes: wrangler keys the local D1 file by it. */
const DATABASE_ID = '00000000-0000-4000-8000-000000000000';

/** Bundles `workerSource` (which imports './schema') with `schemaSource` and returns what GET / answers, as JSON. */
export async function runWorker<T>(project: WranglerProject, schemaSource: string, workerSource: string): Promise<T> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flarelift-worker-'));
  writeFileSync(path.join(dir, 'schema.ts'), schemaSource);
  writeFileSync(path.join(dir, 'worker.ts'), workerSource);
  const out = await build({
    entryPoints: [path.join(dir, 'worker.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['workerd', 'worker', 'import'],
    nodePaths: [path.join(REPO_ROOT, 'node_modules')],
    write: false,
    logLevel: 'silent',
  });
  const mf = new Miniflare({
    modules: true,
    script: out.outputFiles[0]!.text,
    compatibilityDate: '2025-01-01',
    d1Databases: { DB: DATABASE_ID },
    d1Persist: path.join(project.dir, '.wrangler/state/v3/d1'),
  });
  try {
    const res = await mf.dispatchFetch('http://localhost/');
    const text = await res.text();
    if (res.status !== 200) throw new Error(`worker answered ${res.status}: ${text.slice(0, 2000)}`);
    return JSON.parse(text) as T;
  } finally {
    await mf.dispose();
  }
}
