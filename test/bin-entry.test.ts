// The bin runs compiled dist/ only when its build is fresh (bin/entry.js): checked on a scratch
// tree with a src/, a dist/ and the build's stamp, moving file times the way an edit or a
// build would. A test never runs a build: the helpers set FLARELIFT_SOURCES=1, which wins.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
// @ts-expect-error plain JS beside the bin, without types
import { chooseEntry, STAMP } from '../bin/entry.js';

type Choice = { run: 'dist' | 'sources'; why: string };
const choose = chooseEntry as (root: string, env?: NodeJS.ProcessEnv) => Choice;

const root = mkdtempSync(path.join(os.tmpdir(), 'flarelift-entry-'));
after(() => rmSync(root, { recursive: true, force: true }));

const at = (file: string, seconds: number) => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '');
  utimesSync(file, seconds, seconds);
};
const T = 1_800_000_000; // seconds
at(path.join(root, 'src/cli/main.ts'), T);
at(path.join(root, 'src/verify/deep/x.ts'), T);
at(path.join(root, 'tsconfig.json'), T);

test('no build: the sources', () => {
  assert.equal(choose(root, {}).run, 'sources');
});

test('a stamped build newer than every source: dist; FLARELIFT_SOURCES=1 still the sources', () => {
  at(path.join(root, 'dist/cli/main.js'), T + 10);
  writeFileSync(path.join(root, 'dist', STAMP), JSON.stringify({ started: (T + 5) * 1000 }));
  assert.deepEqual(choose(root, {}), { run: 'dist', why: 'fresh build' });
  assert.equal(choose(root, { FLARELIFT_SOURCES: '1' }).run, 'sources');
});

test('a source (deep in src/) or a tsconfig edited after the build started: the sources', () => {
  utimesSync(path.join(root, 'src/verify/deep/x.ts'), T + 6, T + 6);
  assert.equal(choose(root, {}).run, 'sources');
  utimesSync(path.join(root, 'src/verify/deep/x.ts'), T, T);
  assert.equal(choose(root, {}).run, 'dist');
  utimesSync(path.join(root, 'tsconfig.json'), T + 6, T + 6);
  assert.equal(choose(root, {}).run, 'sources');
  utimesSync(path.join(root, 'tsconfig.json'), T, T);
});

test('a build without its stamp (failed, or under way): the sources; an installed package (no src/): dist', () => {
  rmSync(path.join(root, 'dist', STAMP));
  assert.equal(choose(root, {}).run, 'sources');
  const installed = path.join(root, 'node_modules/flarelift');
  at(path.join(installed, 'dist/cli/main.js'), T);
  assert.equal(choose(installed, {}).run, 'dist');
});
