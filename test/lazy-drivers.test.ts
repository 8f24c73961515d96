// A command loads only the drivers it uses: each source and target folder imports its driver
// when it is opened, not when the CLI starts. The CLI runs in a child process whose module
// resolutions are recorded by a loader hook (helpers/record-modules.mjs).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { CHINOOK_SQLITE } from './helpers/env.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../bin/flarelift.js', import.meta.url));
const HOOK = fileURLToPath(new URL('./helpers/record-modules.mjs', import.meta.url));
/** The driver packages a source or target folder may import: none of them at startup. */
const DRIVERS = ['pg', 'pg-cursor', 'mysql2', 'ioredis', '@aws-sdk/client-s3', '@electric-sql/pglite', 'miniflare', '@lezer/python', 'typescript'];

const work = mkdtempSync(path.join(os.tmpdir(), 'flarelift-lazy-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** Every module URL the command resolved. */
async function modulesLoaded(args: string[]): Promise<string[]> {
  const record = path.join(work, `modules-${args[0]}.txt`);
  await run(process.execPath, ['--import', HOOK, BIN, ...args], { cwd: work, env: { ...process.env, FLARELIFT_SOURCES: '1', FLARELIFT_RECORD_MODULES: record } });
  return readFileSync(record, 'utf8').split('\n');
}

/** The packages (under node_modules) whose modules the command resolved. */
async function packagesLoaded(args: string[]): Promise<Set<string>> {
  const packages = new Set<string>();
  for (const url of await modulesLoaded(args)) {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (m) packages.add(m[1]);
  }
  return packages;
}

test('plan --from a SQLite file loads better-sqlite3 and no other driver', async () => {
  const loaded = await packagesLoaded(['plan', '--from', CHINOOK_SQLITE, '--json', '--no-measure']);
  assert.ok(loaded.has('better-sqlite3'), 'the recorder sees the SQLite driver the command needs');
  assert.deepEqual(DRIVERS.filter((d) => loaded.has(d)), []);
});

test('plan loads its own command only: not verify, copy or the app scanners, nor zod without a flarelift.toml', async () => {
  const loaded = await modulesLoaded(['plan', '--from', CHINOOK_SQLITE, '--json', '--no-measure']);
  assert.ok(loaded.some((u) => u.includes('/src/cli/commands/plan.ts')), 'the recorder sees the plan command');
  const others = loaded.filter((u) => /\/src\/(verify|app|demo)\/|\/src\/cli\/commands\/(?!plan\.ts|index\.ts)|\/src\/pipeline\/copy\.ts|\/node_modules\/zod\//.test(u));
  assert.deepEqual(others, []);
});

test('copy from a SQLite file into a SQLite file loads no server driver', async () => {
  const loaded = await packagesLoaded(['copy', '--from', CHINOOK_SQLITE, '--to', `sqlite:${path.join(work, 'out.db')}`, '--tables', 'genre', '--json']);
  assert.ok(loaded.has('better-sqlite3'));
  assert.deepEqual(DRIVERS.filter((d) => loaded.has(d)), []);
});

test('plan --from a directory of files loads neither the S3 SDK nor Miniflare', async () => {
  const media = path.join(work, 'media');
  mkdirSync(media, { recursive: true });
  writeFileSync(path.join(media, 'a.txt'), 'a');
  const loaded = await packagesLoaded(['plan', '--from', `dir:${media}`, '--json']);
  assert.ok(loaded.has('commander'), 'the recorder sees the CLI');
  assert.deepEqual(DRIVERS.filter((d) => loaded.has(d)), []);
});
