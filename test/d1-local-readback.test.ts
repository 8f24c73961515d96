// The local D1 target's proof that wrangler opens the file flarelift writes: the read-back now
// starts while the last rows are written (not after them), so it can meet the file busy, be
// stopped with the copy, or see another file. A shim in front of the real wrangler
// (FLARELIFT_WRANGLER) counts its calls, fails the first one as workerd does on a locked file,
// or answers for a different database, and the copy must react to each as stated.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { copy } from '../src/index.js';
import { makeProject, REAL_WRANGLER, wranglerQuery } from './helpers/copy-project.js';
import { runCli } from './helpers/cli.js';

const ROWS = 3_000;
const work = mkdtempSync(path.join(os.tmpdir(), 'flarelift-readback-'));
const source = path.join(work, 'source.sqlite');
const shim = path.join(work, 'wrangler-shim.sh');
const calls = path.join(work, 'calls');

/** Mode busy: the first call fails as a locked file does; other: answers with tables of another database; real: passes through. */
function useShim(mode: 'busy' | 'other' | 'real'): void {
  writeFileSync(calls, '');
  process.env.FLARELIFT_WRANGLER = shim;
  process.env.SHIM_MODE = mode;
}

const callCount = () => readFileSync(calls, 'utf8').split('\n').filter(Boolean).length;

describe('local D1 read-back through wrangler', () => {
  const saved = { ...process.env };
  before(() => {
    const db = new Database(source);
    db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER)');
    const insert = db.prepare('INSERT INTO items VALUES (?, ?, ?)');
    db.transaction(() => {
      for (let i = 1; i <= ROWS; i++) insert.run(i, `item ${i}`, i % 7);
    })();
    db.close();
    writeFileSync(
      shim,
      [
        '#!/bin/bash',
        `echo call >> ${JSON.stringify(calls)}`,
        `n=$(wc -l < ${JSON.stringify(calls)})`,
        'if [ "$SHIM_MODE" = busy ] && [ "$n" = 1 ]; then echo "✘ [ERROR] internal error: database is locked: SQLITE_BUSY" >&2; exit 1; fi',
        `if [ "$SHIM_MODE" = other ]; then echo '[{"results":[{"name":"_cf_KV"},{"name":"items"}],"success":true}]'; exit 0; fi`,
        `exec ${JSON.stringify(REAL_WRANGLER)} "$@"`,
        '',
      ].join('\n'),
    );
    chmodSync(shim, 0o755);
    process.env.WRANGLER_SEND_METRICS = 'false';
  });
  after(() => {
    process.env = saved;
  });

  test('the read-back starts during the copy; found busy, it is asked again once the rows are in', async () => {
    const project = makeProject();
    useShim('busy');
    // Small batches: the copy writes many, so the read-back starts before the last one.
    const summary = await copy({ from: source, to: `d1:${project.database}`, config: project.config, cwd: project.dir, batchSize: 100, rejectDir: path.join(work, 'rejects-1') });
    assert.equal(summary.tables[0].written, ROWS);
    assert.equal(callCount(), 2, 'one early call (busy), one after the rows');
    assert.ok(summary.notes.some((n) => /wrangler reads the same file: it sees this copy's 1 table\(s\) and journal/.test(n)), summary.notes.join('\n'));
    const rows = await wranglerQuery(project, 'SELECT count(*) AS n FROM items');
    assert.equal(Number(rows[0].n), ROWS);
  });

  test('one call when the file is free; the journal it saw is gone afterwards', async () => {
    const project = makeProject();
    useShim('real');
    const summary = await copy({ from: source, to: `d1:${project.database}`, config: project.config, cwd: project.dir, batchSize: 100, rejectDir: path.join(work, 'rejects-2') });
    assert.equal(summary.tables[0].written, ROWS);
    assert.equal(callCount(), 1);
    const tables = (await wranglerQuery(project, `SELECT name FROM sqlite_master WHERE type = 'table'`)).map((r) => r.name);
    assert.ok(tables.includes('items'));
    assert.ok(!tables.includes('flarelift_copy_journal'), 'the journal is dropped after the proof');
  });

  test('a wrangler that sees another database: one line naming what it misses, exit 2, the copy resumable', async () => {
    const project = makeProject();
    const r = await runCli(['copy', '--from', source, '--to', `d1:${project.database}`, '--config', project.config, '--reject-dir', path.join(work, 'rejects-3')], {
      cwd: project.dir,
      env: { FLARELIFT_WRANGLER: shim, SHIM_MODE: 'other', CI: '1' },
    });
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split('\n').filter((l) => /error/i.test(l));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /wrangler does not see flarelift_copy_journal in the local D1 it opens/);
    assert.match(lines[0], /--persist-to/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });
});
