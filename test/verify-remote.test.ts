// verify against a remote D1 reached through wrangler (`d1 execute --remote --json --command`),
// here the fake remote D1 (test/helpers/fake-wrangler.ts, selected by FLARELIFT_WRANGLER):
// Chinook copied with --remote verifies clean, then three tampers in the fake's database are
// each found by key. A scratch SQLite source with the values JSON cannot carry as they are —
// integers past 2^53, blobs, non-integral and infinite REALs, text keys in UTF-8 byte order —
// verifies clean through the same path (and from a local D1).
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { copy } from '../src/pipeline/copy.js';
import { verify } from '../src/verify/verify.js';
import { installFakeWrangler, makeProject, REAL_WRANGLER, testEnv, type WranglerProject } from './helpers/copy-project.js';
import { CHINOOK_SQLITE } from './helpers/env.js';
import { jsonSummary, openForTamper, readFailures, runVerifyCommand } from './helpers/verify-helpers.js';

describe('verify --remote through wrangler (fake remote D1)', () => {
  const saved = { ...process.env };
  const bin = mkdtempSync(path.join(os.tmpdir(), 'flarelift-verify-fake-'));
  const fakeDir = path.join(bin, 'd1');
  let project: WranglerProject;
  before(() => {
    mkdirSync(fakeDir);
    Object.assign(process.env, testEnv({ FLARELIFT_WRANGLER: installFakeWrangler(bin), FAKE_D1_DIR: fakeDir }));
    project = makeProject();
  });
  after(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    rmSync(bin, { recursive: true, force: true });
    rmSync(project.dir, { recursive: true, force: true });
  });

  test('Chinook copied with --remote verifies clean; tampers are found by key', async () => {
    const rejectDir = path.join(project.dir, 'rejects');
    const failures = path.join(project.dir, 'failures.jsonl');
    const copied = await copy({ from: CHINOOK_SQLITE, to: `d1:${project.database}`, remote: true, config: project.config, cwd: project.dir, rejectDir });
    assert.equal(copied.status, 'complete');
    const options = { from: CHINOOK_SQLITE, to: `d1:${project.database}`, remote: true, config: project.config, rejectDir, failures, json: true };
    const clean = await runVerifyCommand(options);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    const source = new Database(CHINOOK_SQLITE, { readonly: true });
    try {
      for (const t of jsonSummary(clean.stdout).tables) {
        assert.equal(t.sourceRows, Number(source.prepare(`SELECT count(*) FROM "${t.name}"`).pluck().get()), t.name);
        assert.equal(t.targetRows, t.sourceRows, t.name);
      }
    } finally {
      source.close();
    }

    const db = openForTamper(path.join(fakeDir, `${project.database}.sqlite`));
    try {
      db.prepare(`DELETE FROM Track WHERE TrackId = 7`).run();
      db.prepare(`UPDATE Artist SET Name = 'Not AC/DC' WHERE ArtistId = 1`).run();
      db.prepare(`INSERT INTO MediaType (MediaTypeId, Name) VALUES (99, 'Wax cylinder')`).run();
    } finally {
      db.close();
    }
    const bad = await runVerifyCommand(options);
    assert.equal(bad.code, 1);
    const records = readFailures(failures).sort((a, b) => a.table.localeCompare(b.table));
    assert.deepEqual(records, [
      { table: 'Artist', kind: 'changed', key: { ArtistId: 1 }, columns: [{ column: 'Name', source: 'AC/DC', target: 'Not AC/DC' }] },
      { table: 'MediaType', kind: 'extra', key: { MediaTypeId: 99 } },
      { table: 'Track', kind: 'missing', key: { TrackId: 7 } },
    ]);
  });

  test('values JSON cannot carry as they are verify clean; text keys come in byte order', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flarelift-verify-src-'));
    const file = path.join(dir, 'odd.sqlite');
    const src = new Database(file);
    src.defaultSafeIntegers(true);
    src.exec(`CREATE TABLE odd (k TEXT PRIMARY KEY, i INTEGER, r REAL, b BLOB, t TEXT);
      CREATE TABLE nums (n INTEGER PRIMARY KEY, note TEXT)`);
    const insert = src.prepare('INSERT INTO odd VALUES (?, ?, ?, ?, ?)');
    // Keys whose UTF-16 order differs from their UTF-8 byte order (U+FFFD vs an astral character).
    const keys = ['a', 'a\uFFFD', 'a😀', 'b', 'B', 'é', '\uE000', '😀😀', 'z'];
    keys.forEach((k, n) =>
      insert.run(k, [9007199254740993n, -9223372036854775808n, 1n, null][n % 4], [0.1, Infinity, -2.5e-300, null][n % 4], n % 3 ? Buffer.from([0, 255, n]) : null, `${k} ' " ;`),
    );
    const nums = src.prepare('INSERT INTO nums VALUES (?, ?)');
    for (const n of [-9223372036854775808n, -1n, 0n, 9007199254740993n, 9223372036854775807n]) nums.run(n, String(n));
    src.close();
    const p = makeProject('oddvalues');
    try {
      // The local D1 (digests computed by the worker thread) first, then the remote one.
      const fake = process.env.FLARELIFT_WRANGLER;
      process.env.FLARELIFT_WRANGLER = REAL_WRANGLER; // the local copy reads its count back with the real one
      try {
        await copy({ from: file, to: `d1:${p.database}`, config: p.config, cwd: p.dir, rejectDir: path.join(p.dir, 'rejects') });
      } finally {
        process.env.FLARELIFT_WRANGLER = fake;
      }
      const local = await verify({ from: file, to: `d1:${p.database}`, config: p.config, cwd: p.dir, failuresFile: path.join(p.dir, 'f.jsonl'), chunkRows: 2 });
      assert.equal(local.ok, true, JSON.stringify(local.tables));
      // nums' integer key passes 2^53, so it is stored as exact text (issue 7) whose order is not
      // the integers' order: verify matches it by key. The other tables walk in the source's order.
      const method = (name: string) => (name === 'nums' ? 'keyed' : 'chunks');
      for (const t of local.tables) assert.equal(t.method, method(t.name), `${t.name}: local D1 compared by ${method(t.name)}`);

      await copy({ from: file, to: `d1:${p.database}`, remote: true, config: p.config, cwd: p.dir, rejectDir: path.join(p.dir, 'rejects') });
      const summary = await verify({ from: file, to: `d1:${p.database}`, remote: true, config: p.config, cwd: p.dir, failuresFile: path.join(p.dir, 'f.jsonl'), chunkRows: 2 });
      assert.equal(summary.ok, true, JSON.stringify(summary.tables));
      for (const t of summary.tables) assert.equal(t.method, method(t.name), `${t.name}: the remote target compared by ${method(t.name)}`);
      assert.equal(summary.tables.find((t) => t.name === 'odd')!.chunks, Math.ceil(keys.length / 2));

      // A changed big integer is seen exactly (JSON numbers would round it to the same double).
      const db = openForTamper(path.join(fakeDir, `${p.database}.sqlite`));
      try {
        db.prepare(`UPDATE nums SET n = 9007199254740992 WHERE n = 9007199254740993`).run();
      } finally {
        db.close();
      }
      const bad = await verify({ from: file, to: `d1:${p.database}`, remote: true, config: p.config, cwd: p.dir, failuresFile: path.join(p.dir, 'f.jsonl') });
      const t = bad.tables.find((x) => x.name === 'nums')!;
      assert.deepEqual([t.missing, t.extra, t.changed], [1, 1, 0]);
      assert.deepEqual(
        readFailures(path.join(p.dir, 'f.jsonl'))
          .map((r) => [r.kind, r.key])
          .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
        [['extra', { n: '9007199254740992' }], ['missing', { n: '9007199254740993' }]], // past 2^53: strings,
      );
    } finally {
      rmSync(p.dir, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
