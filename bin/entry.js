// Which code the `flarelift` bin runs. An installed package has no src/ and runs its compiled
// dist/. In a checkout, dist/ runs only when its build is fresh: bin/build.js (`npm run build`,
// and `npm ci` / `npm install` through `prepare`) writes dist/.build-stamp after a clean compile,
// holding the time the compile started, and every file it was compiled from must be older than
// that. Otherwise — never built, a source edited since, a build that failed, or
// FLARELIFT_SOURCES=1 (the tests) — the TypeScript sources run through tsx, so the CLI never
// lags behind src/. Checking is a few hundred stat() calls, about a millisecond.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export const STAMP = '.build-stamp';
/** Files besides src/ whose change changes the compiled output. */
const INPUTS = ['tsconfig.json', 'tsconfig.build.json'];

/** The newest mtime (ms) of any file under `dir`, stopping early once one is newer than `limit`. */
function newerThan(dir, limit) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (newerThan(p, limit)) return true;
    } else if (statSync(p).mtimeMs > limit) return true;
  }
  return false;
}

/**
 * 'dist' or 'sources', and why. `root` is the package directory (bin/..).
 * @param {string} root
 * @param {NodeJS.ProcessEnv} env
 * @returns {{ run: 'dist' | 'sources', why: string }}
 */
export function chooseEntry(root, env = process.env) {
  const src = path.join(root, 'src');
  if (!existsSync(src)) return { run: 'dist', why: 'installed package' };
  if (env.FLARELIFT_SOURCES === '1') return { run: 'sources', why: 'FLARELIFT_SOURCES=1' };
  let started;
  try {
    started = JSON.parse(readFileSync(path.join(root, 'dist', STAMP), 'utf8')).started;
  } catch {
    return { run: 'sources', why: 'no build (run npm run build)' };
  }
  if (typeof started !== 'number' || !existsSync(path.join(root, 'dist/cli/main.js'))) return { run: 'sources', why: 'no build (run npm run build)' };
  if (newerThan(src, started) || INPUTS.some((f) => existsSync(path.join(root, f)) && statSync(path.join(root, f)).mtimeMs > started)) {
    return { run: 'sources', why: 'sources changed since the last build (run npm run build)' };
  }
  return { run: 'dist', why: 'fresh build' };
}
