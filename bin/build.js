#!/usr/bin/env node
// `npm run build` (and `prepare`, run by `npm ci` and `npm install` in a checkout): compiles src/
// into dist/ with tsconfig.build.json and, when the compile is clean, stamps dist/ with the time
// it started, which is what makes the bin run dist/ (entry.js). Under `prepare` a failed compile
// does not fail the install: dist/ stays unstamped and the bin runs the sources.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { STAMP } from './entry.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = path.join(root, 'dist', STAMP);
const started = Date.now();
// A stamp from an earlier build must not vouch for what this one leaves half-written.
rmSync(stamp, { force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status === 0) {
  writeFileSync(stamp, JSON.stringify({ started }) + '\n');
} else if (process.env.npm_lifecycle_event === 'prepare') {
  process.stderr.write('flarelift: the build failed; the bin runs the TypeScript sources until `npm run build` succeeds\n');
} else {
  process.exitCode = r.status ?? 1;
}
