// Worker readiness on two real Worker projects: one bundling a large dependency (the TypeScript
// compiler) and one with a deliberately slow top-level initialisation. Each is bundled by the real
// wrangler and started in workerd; the report gives sizes, largest modules and a measured startup.
// Also: `flarelift app` bad input exits 2 with one line.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { AppReport } from '../src/app/app.js';
import { WORKER_MAX_STARTUP_MS, WORKER_MAX_GZIP_BYTES_FREE } from '../src/cloudflare/limits.js';
import { runCli } from './helpers/cli.js';
import { REPO_ROOT } from './helpers/env.js';

const fixture = (name: string): string => path.join(REPO_ROOT, 'test/fixtures', name);

async function readiness(name: string): Promise<{ code: number | null; report: AppReport }> {
  const r = await runCli(['app', '--out', fixture(name), '--json']);
  assert.equal(r.stderr, '');
  return { code: r.code, report: JSON.parse(r.stdout) as AppReport };
}

describe('Worker readiness', () => {
  test('a Worker importing a large dependency: bundle size, largest module, measured startup', async () => {
    const { report } = await readiness('worker-large-dep');
    const rd = report.readiness!;
    assert.deepEqual(rd.dryRun, { ok: true });
    // typescript.js alone is about 9 MB; gzipped it stays under the free plan's 3 MiB.
    assert.ok(rd.bytes! > 8_000_000, `raw ${rd.bytes}`);
    assert.ok(rd.gzipBytes! < rd.bytes! / 3 && rd.gzipBytes! < WORKER_MAX_GZIP_BYTES_FREE, `gzip ${rd.gzipBytes}`);
    assert.match(rd.largestModules[0]!.path, /node_modules\/typescript\/lib\/typescript\.js$/);
    assert.ok(rd.largestModules[0]!.bytes > 8_000_000);
    assert.equal(typeof rd.startupMs, 'number', rd.startupError);
    assert.ok(rd.startupMs! > 0, 'evaluating 9 MB of JavaScript takes measurable time');
    assert.equal(rd.limits.startupMs, WORKER_MAX_STARTUP_MS);
  });

  test('a deliberately slow top-level initialisation is flagged', async () => {
    const { code, report } = await readiness('worker-slow-init');
    const rd = report.readiness!;
    assert.deepEqual(rd.dryRun, { ok: true });
    assert.ok(rd.bytes! < 10_000);
    assert.ok(rd.startupMs! > WORKER_MAX_STARTUP_MS, `startup ${rd.startupMs} ms`);
    const finding = report.findings.find((f) => f.code === 'startup');
    assert.equal(finding?.severity, 'error');
    assert.match(finding.message, /top-level evaluation took about \d+ ms in workerd, above the 1000 ms startup limit/);
    assert.equal(code, 1, 'a Worker that cannot start fails the command');
  });
});

describe('flarelift app: bad input exits 2 with one line', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'flarelift-app-bad-'));
  for (const [what, args, pattern] of [
    ['missing backend', ['--dir', path.join(tmp, 'nope'), '--out', path.join(tmp, 'w')], /no such directory: .*--dir/],
    ['backend is a file', ['--dir', fixture('app-fastapi/requirements.txt'), '--out', path.join(tmp, 'w')], /is not a directory/],
    ['nothing to check', ['--out', tmp], /no wrangler\.json, wrangler\.jsonc or wrangler\.toml in .* pass --dir/],
  ] as const) {
    test(what, async () => {
      const r = await runCli(['app', ...args]);
      assert.equal(r.code, 2, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, pattern);
    });
  }
});
