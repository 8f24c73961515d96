// Target options are declared once, by the target kinds (targets/target-kind.ts), and every
// command that takes --to gets them from there: copy and migrate take every option, verify the
// ones that find the target. migrate used to lack --file-bytes and --batch-size: here they reach
// a real migrate into the (fake) remote D1, and a misplaced option is one line and exit 2.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { declaredTargetOptions } from '../src/targets/registry.js';
import { COMMON_WRITE_OPTIONS } from '../src/targets/target-kind.js';
import { runCli } from './helpers/cli.js';
import { installFakeWrangler, makeProject, testEnv } from './helpers/copy-project.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'flarelift-options-'));
after(() => rmSync(work, { recursive: true, force: true }));

const flag = (flags: string) => flags.split(' ')[0];

test('copy and migrate offer every declared target option, verify the ones that find the target', async () => {
  const declared = [...declaredTargetOptions().map((d) => d.spec), ...COMMON_WRITE_OPTIONS];
  assert.ok(declared.some((o) => o.key === 'fileBytes') && declared.some((o) => o.key === 'batchSize'));
  for (const command of ['copy', 'migrate', 'verify']) {
    const help = (await runCli([command, '--help'])).stdout;
    for (const o of declared) {
      const offered = help.includes(`${flag(o.flags)} `) || help.includes(`${flag(o.flags)}\n`);
      assert.equal(offered, command !== 'verify' || o.use === 'both', `${command} ${flag(o.flags)}`);
    }
  }
});

test('migrate passes --file-bytes and --batch-size to the target', async () => {
  const source = path.join(work, 'wide.sqlite');
  const db = new Database(source);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO t VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= 3000; i++) insert.run(i, `row ${i} `.padEnd(100, 'x'));
  })();
  db.close();
  const project = makeProject();
  const bin = path.join(work, 'bin');
  const fakeDir = path.join(work, 'remote-d1');
  mkdirSync(bin);
  mkdirSync(fakeDir);
  const env = testEnv({ FLARELIFT_WRANGLER: installFakeWrangler(bin), FAKE_D1_DIR: fakeDir });
  try {
    const args = ['migrate', '--from', source, '--to', `d1:${project.database}`, '--remote', '--config', project.config, '--json'];
    const r = await runCli([...args, '--file-bytes', '100000', '--batch-size', '100'], { cwd: project.dir, env });
    assert.equal(r.code, 0, r.stderr);
    const events = r.stdout.split('\n').filter((l) => l.startsWith('{"event"')).map((l) => JSON.parse(l) as { event: string; table?: string });
    // The copy's events run from its start to the verify's start; 3,000 rows in batches of 100: a progress event per batch.
    const verifyStart = events.findIndex((e, i) => i > 0 && e.event === 'start');
    assert.equal(events.slice(0, verifyStart).filter((e) => e.event === 'progress' && e.table === 't').length, 30);
    // About 300 KB of INSERTs in files of at most 100,000 bytes: three data files or more, plus
    // schema and post-load (the default 50 MB would make it one data file: three in all).
    const applied = Number(/applied (\d+) import files/.exec(r.stdout)?.[1]);
    assert.ok(applied >= 5, `applied ${applied} files`);
  } finally {
    rmSync(project.dir, { recursive: true, force: true });
  }
});

test('a target option given for a kind that does not take it is one line and exit 2', async () => {
  for (const [command, extra] of [
    ['migrate', ['--file-bytes', '100000']],
    ['verify', ['--remote']],
    ['copy', ['--persist-to', 'state']],
  ] as const) {
    const r = await runCli([command, '--from', path.join(work, 'none.sqlite'), '--to', `sqlite:${path.join(work, 'x.db')}`, ...extra], { cwd: work });
    assert.equal(r.code, 2, `${command} ${extra.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.trim(), new RegExp(`^error: ${extra[0]} applies to d1:<database>.* targets only, not 'sqlite:`));
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});
