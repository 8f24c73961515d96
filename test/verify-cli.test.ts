// `flarelift verify` through the real CLI entry (bin/flarelift.js in a child process): exit 0
// and the JSON summary when the copy is intact, exit 1 with the three tampered rows in the
// failures file when it is not, exit 2 with one line for bad input.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { copy } from '../src/pipeline/copy.js';
import { localD1Path } from '../src/cloudflare/local-state.js';
import { runCli } from './helpers/cli.js';
import { makeProject, testEnv, type WranglerProject } from './helpers/copy-project.js';
import { CHINOOK_SQLITE } from './helpers/env.js';
import { jsonSummary, openForTamper, readFailures } from './helpers/verify-helpers.js';

describe('flarelift verify (CLI)', () => {
  const saved = { ...process.env };
  let project: WranglerProject;
  before(async () => {
    Object.assign(process.env, testEnv());
    project = makeProject();
    const copied = await copy({ from: CHINOOK_SQLITE, to: `d1:${project.database}`, config: project.config, cwd: project.dir, rejectDir: path.join(project.dir, 'rejects') });
    assert.equal(copied.status, 'complete');
  });
  after(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    rmSync(project.dir, { recursive: true, force: true });
  });

  const args = () => ['verify', '--from', CHINOOK_SQLITE, '--to', `d1:${project.database}`, '--config', project.config, '--reject-dir', 'rejects'];

  test('exit 0 and { ok: true } for an intact copy; no failures file', async () => {
    const run = await runCli([...args(), '--json'], { cwd: project.dir, env: testEnv() });
    assert.equal(run.code, 0, run.stderr);
    const summary = jsonSummary(run.stdout);
    assert.equal(summary.ok, true);
    assert.ok(summary.tables.length > 0 && summary.tables.every((t) => t.mismatches === 0 && t.sourceRows === t.targetRows));
    assert.equal(readFailures(path.join(project.dir, 'flarelift-verify-failures.jsonl')).length, 0);
  });

  test('exit 1 after a delete, an update and an insert; each row named by key', async () => {
    const db = openForTamper(localD1Path({ configPath: project.config, database: project.database }));
    try {
      db.prepare(`DELETE FROM InvoiceLine WHERE InvoiceLineId = 100`).run();
      db.prepare(`UPDATE Album SET Title = 'Tampered' WHERE AlbumId = 2`).run();
      db.prepare(`INSERT INTO Genre (GenreId, Name) VALUES (500, 'Extra')`).run();
    } finally {
      db.close();
    }
    const run = await runCli([...args(), '--failures', 'diff.jsonl'], { cwd: project.dir, env: testEnv() });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /MISMATCH: 3 rows differ in 3 tables/);
    const records = readFailures(path.join(project.dir, 'diff.jsonl')).sort((a, b) => a.table.localeCompare(b.table));
    assert.deepEqual(records, [
      { table: 'Album', kind: 'changed', key: { AlbumId: 2 }, columns: [{ column: 'Title', source: 'Balls to the Wall', target: 'Tampered' }] },
      { table: 'Genre', kind: 'extra', key: { GenreId: 500 } },
      { table: 'InvoiceLine', kind: 'missing', key: { InvoiceLineId: 100 } },
    ]);
  });

  test('exit 2 with one line for bad input', async () => {
    const files = await runCli([...args().slice(0, 5), '--to', 'sql:out'], { cwd: project.dir, env: testEnv() });
    assert.equal(files.code, 2);
    assert.match(files.stderr, /^error: sql:out is a directory of import files, not a database/m);
    const chunk = await runCli([...args(), '--chunk-rows', '0'], { cwd: project.dir, env: testEnv() });
    assert.equal(chunk.code, 2);
    assert.match(chunk.stderr, /--chunk-rows 0 is not a whole number of at least 1/);
  });
});
