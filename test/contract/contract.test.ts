// The contract every source and every target keeps, run against the real servers on a small
// shared fixture (fixture.ts) for each pair kinds.ts lists:
// - a copy interrupted between batches resumes exactly: read = written + rejected (+ skipped by
//   a rule) over the whole fixture, and verify then finds no unit missing or extra;
// - a unit the target cannot hold is rejected with its key and reason in the reject file;
// - verify passes on the copy, and names the one unit tampered with in the target;
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
import { readFailures } from '../helpers/verify-helpers.js';
import { pairs, type TargetInstance } from './kinds.js';

/** One line on stderr saying what is wrong, and exit code 2: no stack, no second line. */
function assertOneLineUserError(r: { code: number | null; stdout: string; stderr: string }, what: string): void {
  assert.equal(r.code, 2, `${what}: exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `${what}: one line, got: ${r.stderr}`);
  assert.match(lines[0], /^error: \S/, what);
  assert.doesNotMatch(r.stderr, /\n\s+at /, `${what}: no stack trace`);
}

/** Key records as the reject and failures files write them: integers as numbers or strings, depending on the driver. */
const sameKey = (a: unknown, b: unknown) => JSON.stringify(a, (_k, v: unknown) => (typeof v === 'number' ? String(v) : v)) === JSON.stringify(b, (_k, v: unknown) => (typeof v === 'number' ? String(v) : v));

for (const { source, target, badSource, badTarget } of pairs()) {
  describe(`contract: ${source.name} → ${target.name}`, () => {
    const saved = { ...process.env };
    const work = mkdtempSync(path.join(os.tmpdir(), 'flarelift-contract-'));
    const rejectDir = path.join(work, 'rejects');
    const failuresFile = path.join(work, 'failures.jsonl');
    const rejected = source.rejected(target.limits);
    const skipped = source.skipped ?? 0;
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
      assert.ok(first.totals.read > 0 && first.totals.read < source.units, `read ${first.totals.read} before the interruption`);

      const second = await copy({ ...base, resume: true });
      assert.equal(second.status, 'complete');
      assert.equal(second.totals.read, source.units);
      assert.equal(second.totals.read, second.totals.written + second.totals.rejected + (second.totals.skippedByRule ?? 0));
      assert.equal(second.totals.rejected, rejected.length);
      assert.equal(second.totals.skippedByRule ?? 0, skipped);

      const collections = new Set(second.tables.map((c) => c.name));
      for (const name of collections) {
        const file = path.join(rejectDir, `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.rejects.jsonl`);
        const expected = rejected.filter((r) => r.collection === name);
        if (expected.length === 0) {
          assert.ok(!existsSync(file), `no reject file for ${name}`);
          continue;
        }
        const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { key: unknown; reason: string });
        assert.equal(lines.length, expected.length, name);
        for (const r of expected) {
          const line = lines.find((l) => sameKey(l.key, r.key));
          assert.ok(line, `${name}: a reject line for ${JSON.stringify(r.key)}`);
          assert.match(line.reason, r.reason);
        }
      }
    });

    test('verify passes on the copy and names the unit tampered with', async () => {
      const readBack = await t.readBack();
      const options = { from, to: readBack.to, ...readBack.options, rejectDir, failuresFile };
      const good = await verify(options);
      assert.equal(good.ok, true, JSON.stringify(good.totals));
      assert.equal(good.totals.sourceRows, source.units);
      assert.equal(good.totals.targetRows, source.units - rejected.length - skipped);
      assert.equal(good.totals.rejected, rejected.length + skipped);

      await t.tamper(source.tampered);
      const bad = await verify(options);
      assert.equal(bad.ok, false);
      assert.deepEqual({ changed: bad.totals.changed, missing: bad.totals.missing, extra: bad.totals.extra }, { changed: 1, missing: 0, extra: 0 });
      const [record, ...more] = readFailures(failuresFile);
      assert.deepEqual(more, []);
      assert.equal(record.kind, 'changed');
      assert.equal(record.table, source.tampered.collection);
      assert.ok(sameKey(record.key, source.tampered.key), `failure names ${JSON.stringify(record.key)}`);
    });

    test('bad input is answered with one line and exit code 2', async () => {
      // Each kind's own mistake once: a source's with its first target, a target's with its first source.
      if (badSource) {
        const r = await runCli(['copy', '--from', source.bad(work), '--to', t.to, ...t.args], { cwd: work, env: process.env });
        assertOneLineUserError(r, `--from ${source.bad(work)}`);
      }
      if (badTarget) {
        const r = await runCli(['copy', '--from', from, ...t.bad], { cwd: work, env: process.env });
        assertOneLineUserError(r, t.bad.join(' '));
      }
    });
  });
}
