// The contract every source and every target keeps, run against the real servers on a small
// shared fixture (fixture.ts) for each pair kinds.ts lists:
// - a copy interrupted between batches resumes exactly: read = written + rejected over the
//   whole fixture, and verify then finds no row missing or extra;
// - a unit the target cannot hold is rejected with its key and reason in the reject file;
// - verify passes on the copy, and names the one row tampered with in the target;
// - bad input (a wrong --from, a wrong --to) is answered with one line and exit code 2.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { copy } from '../../src/pipeline/copy.js';
import { verify } from '../../src/verify/verify.js';
import { runCli } from '../helpers/cli.js';
import { testEnv } from '../helpers/copy-project.js';
import { openForTamper, readFailures } from '../helpers/verify-helpers.js';
import { BIG_ID, ITEMS, TAGS, TAMPERED_ID } from './fixture.js';
import { pairs, SOURCES, TARGETS, type TargetInstance } from './kinds.js';

/** One line on stderr saying what is wrong, and exit code 2: no stack, no second line. */
function assertOneLineUserError(r: { code: number | null; stdout: string; stderr: string }, what: string): void {
  assert.equal(r.code, 2, `${what}: exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `${what}: one line, got: ${r.stderr}`);
  assert.match(lines[0], /^error: \S/, what);
  assert.doesNotMatch(r.stderr, /\n\s+at /, `${what}: no stack trace`);
}

for (const { source, target } of pairs()) {
  describe(`contract: ${source.name} → ${target.name}`, () => {
    const saved = { ...process.env };
    const work = mkdtempSync(path.join(os.tmpdir(), 'flarelift-contract-'));
    const rejectDir = path.join(work, 'rejects');
    const failuresFile = path.join(work, 'failures.jsonl');
    const expectedRejects = target.d1Limits ? 1 : 0;
    let from: string;
    let t: TargetInstance;
    before(async () => {
      from = await source.setup(work);
      t = target.make(work);
      Object.assign(process.env, testEnv(t.env));
    });
    after(async () => {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
      await source.teardown();
      rmSync(work, { recursive: true, force: true });
    });

    test('an interrupted copy resumes exactly; rejects carry their key and reason', async () => {
      const stop = new AbortController();
      let batches = 0;
      const base = { from, to: t.to, ...t.options, batchSize: 7, jobs: 1, rejectDir };
      const first = await copy({
        ...base,
        signal: stop.signal,
        onEvent: (e) => {
          if (e.type === 'progress' && ++batches === 3) stop.abort();
        },
      });
      assert.equal(first.status, 'interrupted');
      assert.ok(first.totals.read > 0 && first.totals.read < ITEMS + TAGS, `read ${first.totals.read} before the interruption`);

      const second = await copy({ ...base, resume: true });
      assert.equal(second.status, 'complete');
      assert.equal(second.totals.read, ITEMS + TAGS);
      assert.equal(second.totals.read, second.totals.written + second.totals.rejected);
      assert.equal(second.totals.rejected, expectedRejects);

      const file = path.join(rejectDir, 'items.rejects.jsonl');
      if (expectedRejects === 0) {
        assert.ok(!existsSync(file), 'no reject file when nothing is rejected');
        return;
      }
      const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { key: { id: number | string }; reason: string });
      assert.equal(lines.length, 1);
      // Reject files write integers the driver read as BigInt (SQLite) as strings, others as numbers.
      assert.equal(String(lines[0].key.id), String(BIG_ID));
      assert.match(lines[0].reason, /^note: value of 2,100,000 bytes is over D1's limit/);
    });

    test('verify passes on the copy and names the row tampered with', async () => {
      const readBack = await t.readBack();
      const options = { from, to: readBack.to, ...readBack.options, rejectDir, failuresFile };
      const good = await verify(options);
      assert.equal(good.ok, true, JSON.stringify(good.totals));
      assert.equal(good.totals.sourceRows, ITEMS + TAGS);
      assert.equal(good.totals.targetRows, ITEMS + TAGS - expectedRejects);
      assert.equal(good.totals.rejected, expectedRejects);

      const db = openForTamper(t.dataFile());
      try {
        assert.equal(db.prepare(`UPDATE items SET name = 'tampered' WHERE id = ?`).run(TAMPERED_ID).changes, 1);
      } finally {
        db.close();
      }
      const bad = await verify(options);
      assert.equal(bad.ok, false);
      assert.deepEqual({ changed: bad.totals.changed, missing: bad.totals.missing, extra: bad.totals.extra }, { changed: 1, missing: 0, extra: 0 });
      const [record, ...more] = readFailures(failuresFile);
      assert.deepEqual(more, []);
      assert.equal(record.kind, 'changed');
      assert.deepEqual(record.key, { id: TAMPERED_ID });
      assert.deepEqual(record.columns?.map((c) => [c.column, c.target]), [['name', 'tampered']]);
    });

    test('bad input is answered with one line and exit code 2', async () => {
      // Each kind's own mistake once: sources into the default target, targets from the default source.
      if (target === TARGETS[0]) {
        const r = await runCli(['copy', '--from', source.bad(work), '--to', `sqlite:${path.join(work, 'never.db')}`], { cwd: work, env: process.env });
        assertOneLineUserError(r, `--from ${source.bad(work)}`);
      }
      if (source === SOURCES[0]) {
        const r = await runCli(['copy', '--from', from, ...t.bad], { cwd: work, env: process.env });
        assertOneLineUserError(r, t.bad.join(' '));
      }
    });
  });
}
