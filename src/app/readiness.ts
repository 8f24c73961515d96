// Worker readiness: bundle the project the way deploy does (`wrangler deploy --dry-run`, the
// project's own wrangler), weigh the bundle against the plan limits, name its largest modules,
// and measure its startup (top-level evaluation) in workerd through Miniflare.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { findWrangler, Wrangler } from '../cloudflare/wrangler-cli.js';
import { WORKER_MAX_STARTUP_MS, WORKER_MAX_GZIP_BYTES_FREE, WORKER_MAX_GZIP_BYTES_PAID, WORKER_MAX_RAW_BYTES } from '../cloudflare/limits.js';
import { miniflareOptions } from './miniflare-options.js';
import type { Finding } from './types.js';

export interface Readiness {
  /** `wrangler deploy --dry-run` accepted the config and bundled the Worker. */
  dryRun: { ok: boolean; error?: string };
  /** Where the bundle was written (kept for `--bundle-dir`, else removed). */
  bundleDir?: string;
  bytes?: number;
  gzipBytes?: number;
  limits: { gzipFree: number; gzipPaid: number; raw: number; startupMs: number };
  /** Largest inputs of the bundle by bytes in the output. */
  largestModules: { path: string; bytes: number }[];
  /** Top-level evaluation time, measured as workerd start-up of this Worker minus that of an empty one. */
  startupMs?: number;
  startupError?: string;
  findings: Finding[];
}

const KIB = 1024;
const size = (n: number): string => (n >= KIB * KIB ? `${(n / KIB / KIB).toFixed(2)} MiB` : `${(n / KIB).toFixed(1)} KiB`);

function largest(metaFile: string, outDir: string): { path: string; bytes: number }[] {
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };
  const inputs = new Map<string, number>();
  for (const [out, o] of Object.entries(meta.outputs)) {
    if (out.endsWith('.map') || !out.includes(path.basename(outDir))) continue;
    for (const [p, i] of Object.entries(o.inputs)) inputs.set(p, (inputs.get(p) ?? 0) + i.bytesInOutput);
  }
  return [...inputs.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([p, bytes]) => ({ path: p, bytes }));
}

/** Milliseconds from starting workerd to the first response. */
async function bootMs(options: object): Promise<number> {
  const { Miniflare } = await import('miniflare');
  const t0 = performance.now();
  const mf = new Miniflare(options as ConstructorParameters<typeof Miniflare>[0]);
  try {
    await mf.ready;
    await (await mf.dispatchFetch('http://localhost/__flarelift/startup')).arrayBuffer();
    return performance.now() - t0;
  } finally {
    await mf.dispose();
  }
}

export async function measureStartup(configFile: string, script: string): Promise<number> {
  // The Worker's output is kept, not printed: the report is the output; workerd's errors explain a failed start.
  let stderr = '';
  const quiet = {
    handleRuntimeStdio: (out: NodeJS.ReadableStream, err: NodeJS.ReadableStream) => {
      out.resume();
      err.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-4000)));
    },
  };
  const opts = await miniflareOptions(configFile, script, quiet);
  const empty = { modules: true, script: 'export default { fetch() { return new Response("") } }', compatibilityDate: opts.compatibilityDate, ...quiet };
  const baseline = await bootMs(empty);
  let worker: number;
  try {
    worker = await bootMs(opts);
  } catch (e) {
    const cause = stderr.split('\n').find((l) => /error|uncaught|exception/i.test(l));
    throw new Error(cause ? cause.replace(/\s+/g, ' ').trim() : (e as Error).message, { cause: e });
  }
  return Math.max(0, Math.round(worker - baseline));
}

export async function checkReadiness(project: string, config: string, o: { startup: boolean; bundleDir?: string }): Promise<Readiness> {
  const projectDir = path.resolve(project);
  const configFile = path.resolve(config);
  const r: Readiness = { dryRun: { ok: false }, limits: { gzipFree: WORKER_MAX_GZIP_BYTES_FREE, gzipPaid: WORKER_MAX_GZIP_BYTES_PAID, raw: WORKER_MAX_RAW_BYTES, startupMs: WORKER_MAX_STARTUP_MS }, largestModules: [], findings: [] };
  const bin = findWrangler(projectDir);
  if (!bin) {
    r.dryRun.error = 'no wrangler found (npm i -D wrangler in the Worker project)';
    r.findings.push({ severity: 'warning', code: 'readiness', message: `not bundled: ${r.dryRun.error}` });
    return r;
  }
  const outDir = o.bundleDir ? path.resolve(o.bundleDir) : mkdtempSync(path.join(os.tmpdir(), 'flarelift-bundle-'));
  const metaFile = path.join(outDir, 'bundle-meta.json');
  try {
    await new Wrangler(bin, projectDir).run(['deploy', '--dry-run', '--config', configFile, '--outdir', outDir, '--metafile', metaFile], 'bundling the Worker (deploy --dry-run)');
    r.dryRun.ok = true;
  } catch (e) {
    r.dryRun.error = (e as Error).message;
    r.findings.push({ severity: 'error', code: 'dry-run', message: r.dryRun.error, replacement: 'fix the config or the code wrangler points at, then run flarelift app again' });
    if (!o.bundleDir) rmSync(outDir, { recursive: true, force: true });
    return r;
  }
  try {
    const files = readdirSync(outDir).filter((f) => !f.endsWith('.map') && f !== 'bundle-meta.json' && f !== 'README.md' && statSync(path.join(outDir, f)).isFile());
    const bodies = files.map((f) => readFileSync(path.join(outDir, f)));
    r.bytes = bodies.reduce((n, b) => n + b.length, 0);
    r.gzipBytes = bodies.reduce((n, b) => n + gzipSync(b).length, 0);
    r.largestModules = largest(metaFile, outDir);
    const top = r.largestModules.map((m) => `${m.path} ${size(m.bytes)}`).join(', ');
    if (r.gzipBytes > WORKER_MAX_GZIP_BYTES_PAID || r.bytes > WORKER_MAX_RAW_BYTES) {
      r.findings.push({ severity: 'error', code: 'bundle-size', message: `the Worker bundle is ${size(r.gzipBytes)} gzipped (${size(r.bytes)} raw), above the paid plan's ${size(WORKER_MAX_GZIP_BYTES_PAID)}; largest: ${top}`, replacement: 'drop or lazy-load the largest dependencies, or move them behind a service binding' });
    } else if (r.gzipBytes > WORKER_MAX_GZIP_BYTES_FREE) {
      r.findings.push({ severity: 'warning', code: 'bundle-size', message: `the Worker bundle is ${size(r.gzipBytes)} gzipped, above the free plan's ${size(WORKER_MAX_GZIP_BYTES_FREE)} (paid allows ${size(WORKER_MAX_GZIP_BYTES_PAID)}); largest: ${top}`, replacement: 'a paid plan, or a smaller dependency' });
    }
    if (o.startup) {
      try {
        r.startupMs = await measureStartup(configFile, path.join(outDir, 'index.js'));
        if (r.startupMs > WORKER_MAX_STARTUP_MS) {
          r.findings.push({ severity: 'error', code: 'startup', message: `the Worker's top-level evaluation took about ${r.startupMs} ms in workerd, above the ${WORKER_MAX_STARTUP_MS} ms startup limit: deploys fail and cold starts are refused`, replacement: 'move work done at import time (building tables, loading data, compiling) into the handlers, lazily and cached' });
        }
      } catch (e) {
        r.startupError = (e as Error).message.split('\n')[0];
        r.findings.push({ severity: 'error', code: 'startup', message: `the Worker did not start in workerd: ${r.startupError}` });
      }
    }
  } finally {
    if (o.bundleDir) r.bundleDir = outDir;
    else rmSync(outDir, { recursive: true, force: true });
  }
  return r;
}
