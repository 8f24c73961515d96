// A Worker run under Miniflare (workerd) on a project's local D1, the way `wrangler dev` would:
// the worker module and the generated Drizzle schema are bundled with esbuild (as wrangler does),
// with no nodejs_compat flag, so anything that needs Node's Buffer fails as it would deployed.
import assert from 'node:assert/strict';
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

export interface AppRow {
  id: string;
  active: boolean;
  doc: unknown;
  bytes: string;
  /** The instant in milliseconds, and the microseconds beyond them. */
  atMs: number;
  atMicros: number;
  accountId: string;
}

/** What the Worker answers: the app row and the account found by the big id, read through drizzle-orm/d1, and what inserts did. */
export interface WorkerAnswer {
  app: { id: number; active: boolean; doc: unknown; bytes: string; at: string; accountId: string };
  account: { id: string; name: string }[];
  inserted: { active: boolean; qty: number } | string;
  badCheck: string;
  badForeignKey: string;
}

/**
 * The Worker every source engine's fixture is read by: tables app and account shaped alike (an id
 * beyond 2^53 in account.id that app.account_id references, a boolean with a default, JSON, bytes,
 * a timestamp, a CHECKed qty), read through the generated schema and drizzle-orm/d1 as an
 * application gets them; then a row inserted through Drizzle, and two the source would refuse.
 */
export const APP_WORKER = `
import { drizzle } from 'drizzle-orm/d1';
import { eq } from 'drizzle-orm';
import { app, account } from './schema';
const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const fails = (p) => p.then(() => 'accepted', (e) => 'refused: ' + String(e && e.cause ? e.cause.message : e));
export default {
  async fetch(request, env) {
    const db = drizzle(env.DB);
    const [row] = await db.select().from(app).where(eq(app.id, 1));
    const big = await db.select({ id: account.id, name: account.name }).from(account).where(eq(account.id, row.accountId));
    await db.insert(app).values({ id: 2, accountId: '1' });
    const [ins] = await db.select({ active: app.active, qty: app.qty }).from(app).where(eq(app.id, 2));
    return Response.json({
      app: { ...row, bytes: hex(row.bytes) },
      account: big,
      inserted: ins,
      badCheck: await fails(db.insert(app).values({ id: 3, qty: 0 })),
      badForeignKey: await fails(db.insert(app).values({ id: 4, accountId: '424242' })),
    });
  },
};
`;

/** What the Worker read equals what the source's own client reads: the checks are the same for every engine. */
export function assertReadsAsSource(answer: WorkerAnswer, source: AppRow, bigId: string): void {
  assert.equal(String(answer.app.id), source.id);
  assert.equal(answer.app.active, source.active, 'booleans as booleans');
  assert.deepEqual(answer.app.doc, source.doc, 'JSON as the application reads it (parsed where the source has a JSON type)');
  assert.equal(answer.app.bytes, source.bytes, 'bytes equal');
  assert.equal(answer.app.accountId, source.accountId, 'ids exact');
  assert.equal(answer.app.accountId, bigId);
  // The same instant, to the microsecond: ISO text with its fraction.
  // DATETIME has no zone (read as UTC, as the sessions are set), timestamptz carries its Z.
  assert.equal(Date.parse(answer.app.at.endsWith('Z') ? answer.app.at : `${answer.app.at}Z`), source.atMs);
  assert.equal(Number(/\.\d{3}(\d{3})/.exec(answer.app.at)?.[1]), source.atMicros);
  assert.deepEqual(answer.account.map((a) => a.id), [bigId], 'eq() on an id beyond 2^53 finds its row');
  // A row inserted through Drizzle: defaults, CHECKs and foreign keys as in the source.
  assert.deepEqual(answer.inserted, { active: true, qty: 1 });
  assert.match(answer.badCheck, /^refused: .*CHECK/);
  assert.match(answer.badForeignKey, /^refused: .*FOREIGN KEY/);
}
