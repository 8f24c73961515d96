// The local D1 target's proof that wrangler opens the file flarelift writes: wrangler starts with
// the copy and is given its SQL on stdin once the rows are in, so it lives as long as the copy,
// can fail or meet the file busy, must die with a killed copy, or can see another file. A shim in
// front of the real wrangler (FLARELIFT_WRANGLER) logs its calls, fails the first one as workerd
// does on a locked file, or answers for a different database, and the copy must react to each
// as stated.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { copy } from '../src/index.js';
import { makeProject, REAL_WRANGLER, wranglerQuery } from './helpers/copy-project.js';
import { BIN, runCli } from './helpers/cli.js';
import { alive } from './helpers/processes.js';

const ROWS = 3_000;
/** Rows of the source the copy is killed in: in 10-row batches it outlasts wrangler's start. */
const BIG_ROWS = 200_000;
const work = mkdtempSync(path.join(os.tmpdir(), 'flarelift-readback-'));
const source = path.join(work, 'source.sqlite');
const bigSource = path.join(work, 'big.sqlite');
const shim = path.join(work, 'wrangler-shim.sh');
const calls = path.join(work, 'calls');

/** Mode busy: the first call fails as a locked file does; other: answers with tables of another database; real: passes through. */
function useShim(mode: 'busy' | 'other' | 'real'): void {
  writeFileSync(calls, '');
  process.env.FLARELIFT_WRANGLER = shim;
  process.env.SHIM_MODE = mode;
}

const callLines = () => readFileSync(calls, 'utf8').split('\n').filter(Boolean);
const callCount = () => callLines().length;

/** Pids of the processes whose command line names `text` (the project's config is on wrangler's) and of their descendants (workerd). */
function processesNaming(text: string): { pid: number; args: string }[] {
  const table = spawnSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s(.*)$/.exec(l))
    .filter((m) => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] }));
  const found = new Set(table.filter((p) => p.args.includes(text) && !p.args.startsWith('ps ')).map((p) => p.pid));
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of table) if (found.has(p.ppid) && !found.has(p.pid)) grew = Boolean(found.add(p.pid));
  }
  return table.filter((p) => found.has(p.pid));
}


describe('local D1 read-back through wrangler', () => {
  const saved = { ...process.env };
  before(() => {
    for (const [file, rows] of [[source, ROWS], [bigSource, BIG_ROWS]] as const) {
      const db = new Database(file);
      db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER)');
      const insert = db.prepare('INSERT INTO items VALUES (?, ?, ?)');
      db.transaction(() => {
        for (let i = 1; i <= rows; i++) insert.run(i, `item ${i}`, i % 7);
      })();
      db.close();
    }
    writeFileSync(
      shim,
      [
        '#!/bin/bash',
        `echo "call $*" >> ${JSON.stringify(calls)}`,
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

  test('wrangler starts with the copy; when its answer is not the tables (busy), it is asked again once the rows are in', async () => {
    const project = makeProject();
    useShim('busy');
    const summary = await copy({ from: source, to: `d1:${project.database}`, config: project.config, cwd: project.dir, batchSize: 100, rejectDir: path.join(work, 'rejects-1') });
    assert.equal(summary.tables[0].written, ROWS);
    const [first, second, ...more] = callLines();
    assert.equal(more.length, 0, 'one early call (busy), one after the rows');
    assert.match(first, /--file \/dev\/stdin/, 'the early call waits for its SQL on stdin');
    assert.match(second, /--command SELECT name FROM sqlite_master/, 'the second asks with the SQL given');
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
    assert.match(callLines()[0], /--file \/dev\/stdin/);
    assert.ok(summary.notes.some((n) => /wrangler reads the same file/.test(n)), summary.notes.join('\n'));
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

  test('a copy killed with SIGKILL takes the wrangler started for its read-back (and its workerd) with it', async () => {
    const project = makeProject();
    useShim('real');
    const child = spawn(
      process.execPath,
      [BIN, 'copy', '--from', bigSource, '--to', `d1:${project.database}`, '--config', project.config, '--batch-size', '10', '--json', '--reject-dir', path.join(work, 'rejects-4')],
      { cwd: project.dir, env: { ...process.env, FLARELIFT_SOURCES: '1', CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    let started: number[] = [];
    const closed = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
    // Killed mid-copy, once its wrangler has started workerd (a descendant of wrangler's).
    const poll = setInterval(() => {
      const now = processesNaming(project.config);
      if (!/"event":"progress"/.test(out) || !now.some((p) => /workerd/.test(p.args))) return;
      started = now.map((p) => p.pid);
      clearInterval(poll);
      child.kill('SIGKILL');
    }, 50);
    const signal = await closed;
    clearInterval(poll);
    assert.equal(signal, 'SIGKILL', 'killed before the copy ended');
    for (let i = 0; i < 50 && started.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(started.filter(alive), [], 'no wrangler or workerd left running for the killed copy');
  });
});
