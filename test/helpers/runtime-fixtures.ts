// Shared fixtures for the runtime tests: hashes and tokens made by the real Python libraries (one
// Python run), and flarelift/runtime bundled with esbuild the way wrangler bundles a Worker.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './env.js';

const exec = promisify(execFile);

/** Debian's python3, where python3-django, -bcrypt, -passlib, -werkzeug, -jwt and -jose are installed. */
export const PYTHON = process.env.FLARELIFT_PYTHON ?? '/usr/bin/python3';
const SCRIPT = path.join(REPO_ROOT, 'test/fixtures/password-hashes.py');

export interface PythonFixtures {
  password: string;
  wrong: string;
  secret: string;
  djangoDefaultIterations: number;
  django: { db: string; users: number };
  hashes: Record<string, string>;
  tokens: Record<string, string>;
  now: number;
}

/** Runs the script's `make` mode: Django's database in `dir`, and every hash and token as JSON. */
export async function makePythonFixtures(dir: string): Promise<PythonFixtures> {
  const { stdout } = await exec(PYTHON, [SCRIPT, 'make', dir], { maxBuffer: 16 << 20 });
  return JSON.parse(stdout) as PythonFixtures;
}

export interface PythonCheck {
  tokens: { pyjwt: unknown; jose: unknown }[];
  hashes: { right: boolean; wrong: boolean }[];
}

/** Asks PyJWT, python-jose, Django, werkzeug and hashlib about what the runtime made. */
export async function checkWithPython(request: {
  tokens: { token: string; alg: string; audience?: string; issuer?: string }[];
  hashes: { hash: string; library: 'django' | 'werkzeug' | 'hashlib' }[];
}): Promise<PythonCheck> {
  const child = execFile(PYTHON, [SCRIPT, 'check'], { maxBuffer: 16 << 20 });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: string) => (out += d));
  child.stderr!.on('data', (d: string) => (err += d));
  child.stdin!.end(JSON.stringify(request));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`password-hashes.py check failed: ${err}`);
  return JSON.parse(out) as PythonCheck;
}

/** The esbuild options wrangler uses for a Worker (platform browser, its conditions, ESM). */
const RUNTIME_ENTRY = path.join(REPO_ROOT, 'src/runtime/index.ts');

/**
 * Bundles like wrangler does (platform browser, its conditions, ESM). `flarelift/runtime` resolves
 * to the entry's source, as the package's `exports` map points at its build.
 */
async function build(entry: string | { code: string }, minify: boolean): Promise<{ bytes: Uint8Array; code: string; inputs: string[] }> {
  const esbuild = await import('esbuild');
  const r = await esbuild.build({
    ...(typeof entry === 'string' ? { entryPoints: [entry] } : { stdin: { contents: entry.code, loader: 'ts', resolveDir: REPO_ROOT, sourcefile: 'worker.ts' } }),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    write: false,
    metafile: true,
    minify,
    plugins: [{ name: 'flarelift-runtime', setup: (b) => b.onResolve({ filter: /^flarelift\/runtime$/ }, () => ({ path: RUNTIME_ENTRY })) }],
  });
  const out = r.outputFiles[0];
  return { bytes: out.contents, code: out.text, inputs: Object.keys(r.metafile.inputs) };
}

export async function bundleWorker(entry: string | { code: string }): Promise<{ code: string; inputs: string[] }> {
  const { code, inputs } = await build(entry, false);
  return { code, inputs };
}

/** Minified size of the `flarelift/runtime` entry with its dependencies, raw and gzipped. */
export async function runtimeBundleSize(): Promise<{ bytes: number; gzipBytes: number; inputs: string[] }> {
  const { gzipSync } = await import('node:zlib');
  const { bytes, inputs } = await build(RUNTIME_ENTRY, true);
  return { bytes: bytes.length, gzipBytes: gzipSync(bytes).length, inputs };
}
