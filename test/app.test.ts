// `flarelift app` end to end on four small backends written the way teams write them: the
// generated config passes the real `wrangler deploy --dry-run` (once per fixture, through the
// command's readiness step), each Cron Trigger is the stated UTC expression and — run in workerd
// through Miniflare (one instance per fixture) — reaches its job's stub, the sub-minute Durable
// Object alarm fires at its interval, and no secret value appears in any output.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import jsonc from 'jsonc-parser';
import { Miniflare } from 'miniflare';
import type { AppReport } from '../src/app/app.js';
import { miniflareOptions } from '../src/app/miniflare-options.js';
import { runCli } from './helpers/cli.js';
import { REPO_ROOT } from './helpers/env.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'flarelift-app-'));
const fixture = (name: string): string => path.join(REPO_ROOT, 'test/fixtures', name);

interface Case {
  fixture: string;
  /** Cron (UTC, 1 = Sunday) → the stubs it must reach. */
  crons: Record<string, string[]>;
  /** Stub → alarm interval in ms. */
  alarms: Record<string, number>;
  /** Secret names and every credential value in the fixture (secrets and passwords inside binding URLs). */
  secretNames: string[];
  secretValues: string[];
  /** Values that are credentials but become bindings: they must appear nowhere, not even in the secret files. */
  bindingPasswords: string[];
  findings: string[];
  bindings: Partial<AppReport['bindings']>;
  vars: string[];
  /** Values of some vars as the config holds them (a later .env.* file wins). */
  varValues?: Record<string, string>;
  /** The built front end's directory in the fixture, when it has one. */
  assets?: string;
}

const CASES: Case[] = [
  {
    fixture: 'app-fastapi',
    // 03:30 in Asia/Tehran (UTC+03:30 all year) is 00:00 UTC.
    crons: { '*/5 * * * *': ['sync_orders'], '0 0 * * *': ['nightly_report'] },
    alarms: { poll_prices: 10_000, flush_metrics: 30_000 },
    secretNames: ['SESSION_SIGNING', 'STRIPE_API_KEY'],
    secretValues: ['sk_live_51HqLyjWDarjtT1zdp7dcXyzAbC', 'w8#Kq2!zR9@vL5$mN3^pT7&x'],
    bindingPasswords: ['Pg-Pa55word-9f3e', 'R3dis-Secr3t-77'],
    findings: ['redis-counter', 'redis-queue', 'redis-lock', 'file-write', 'pyodide'],
    bindings: { d1: 'DB', kv: ['KV'], r2: 'BUCKET', durableObjects: ['TICKER'] },
    vars: ['APP_NAME', 'EXCHANGE_API_BASE', 'LOG_LEVEL'],
  },
  {
    fixture: 'app-schedule',
    // Monday is 2 in Cloudflare's numbering (1 = Sunday).
    crons: { '*/3 * * * *': ['refresh_rates'], '30 2 * * *': ['backup_db'], '0 9 * * 2': ['weekly_digest'], '0 */2 * * *': ['rotate_logs'] },
    alarms: { heartbeat: 20_000 },
    secretNames: ['FLASK_SECRET_KEY', 'GIPHY_KEY', 'SMTP_PASSWORD'],
    secretValues: ['9b1f4c7e2a8d6f03b5e1c9a7d4f2e8b6', 'Xq7Lm2Vn9Rt4Wb8Zc3Kd6Yf1Hs5Jp0Ga', 'p@ss word with spaces & "quotes"'],
    bindingPasswords: ['Ch4t-DB-pass'],
    findings: ['websocket', 'cache', 'process', 'smtp', 'threads', 'local-time'],
    bindings: { d1: 'DB', kv: ['CACHE'], durableObjects: ['TICKER', 'ROOMS'] },
    vars: ['PORT', 'SMTP_HOST'],
  },
  {
    fixture: 'app-node',
    crons: {
      // node-cron: 09:00 Mon–Fri in Europe/Berlin at its summer offset (UTC+2, most of the year) is 07:00 UTC, Mon–Fri = 2-6.
      '0 7 * * 2-6': ['daily_digest'],
      '*/15 * * * *': ['purgeSessions'],
      // cron's CronJob: 03:30:00 in Asia/Kolkata (UTC+05:30) is 22:00 UTC the day before, every day.
      '0 22 * * *': ['compactLogs'],
      // CronJob.from: Sunday 06:00 in Asia/Tokyo (UTC+9) is Saturday 21:00 UTC; Saturday is 7.
      '0 21 * * 7': ['weeklyExport'],
      // croner, named in its options.
      '*/20 * * * *': ['refreshRates'],
    },
    alarms: { pollPayments: 5_000 },
    // .env.production adds a token and a var, and overrides .env's PORT.
    secretNames: ['JWT_SECRET', 'PAYMENTS_API_TOKEN', 'SMTP_PASS'],
    secretValues: ['hunter2-but-longer-9931', 'n0de-smtp-Pa55', 'pk_prod_7Gq2Lx9Vn4Rt8Wb3Zc'],
    bindingPasswords: ['N0de-Redis-Pw'],
    findings: ['dst', 'redis-counter', 'redis-lock', 'redis-pubsub', 'smtp', 'file-write', 'nodejs-compat'],
    bindings: { kv: ['KV'], r2: 'BUCKET', durableObjects: ['TICKER'] },
    vars: ['LOG_FORMAT', 'NODE_ENV', 'PORT', 'SMTP_HOST'],
    varValues: { PORT: '8080', LOG_FORMAT: 'json', NODE_ENV: 'production' },
    // The built React front end (client/build/index.html), served with SPA fallback.
    assets: 'client/build',
  },
  {
    fixture: 'app-django',
    // CELERY_TIMEZONE America/New_York at UTC-4 (most of the year): 04:00 → 08:00 UTC, 08:30 Mon–Fri → 12:30 UTC 2-6.
    // Two beat entries share 04:00 and so share one trigger; 600 s is every 10 minutes.
    crons: { '0 8 * * *': ['cleanup_carts', 'cleanup_tmp'], '30 12 * * 2-6': ['sales_report'], '*/10 * * * *': ['sync_stock'] },
    alarms: { ping_warehouse: 15_000 },
    secretNames: ['EMAIL_HOST_PASSWORD', 'SECRET_KEY'],
    secretValues: ['django-insecure-7$kq9v!x2m@c4b#r8n&w1z^p6t0y3h5j', 'mail-Pa55-django'],
    bindingPasswords: ['Dj4ngo-DB-Secret'],
    findings: ['dst', 'queue', 'smtp', 'pyodide'],
    bindings: { d1: 'DB', r2: 'BUCKET', durableObjects: ['TICKER'] },
    vars: [],
  },
];

/** Every file under dir (the generated project), for the secret search. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile());
}

/** Resolves when `text()` matches, polling: workerd's stdout reaches us through a pipe. */
async function waitFor(text: () => string, pattern: RegExp, ms: number): Promise<RegExpExecArray> {
  const end = Date.now() + ms;
  for (;;) {
    const m = pattern.exec(text());
    if (m) return m;
    if (Date.now() > end) throw new Error(`timed out waiting for ${pattern} in:\n${text()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}


// The fixtures run side by side: most of the time is spent waiting for alarms.
describe('flarelift app on real small backends', { concurrency: true }, () => {
  for (const c of CASES) {
    test(c.fixture, async () => {
      const out = path.join(tmp, c.fixture);
      const bundle = path.join(tmp, `${c.fixture}-bundle`);
      const r = await runCli(['app', '--dir', fixture(c.fixture), '--out', out, '--json', '--no-startup', '--bundle-dir', bundle]);
      assert.equal(r.code, 0, r.stderr + r.stdout.slice(-2000));
      const report = JSON.parse(r.stdout) as AppReport;

      // The real wrangler accepted the config and bundled the Worker.
      assert.deepEqual(report.readiness?.dryRun, { ok: true });
      assert.ok(existsSync(path.join(bundle, 'index.js')));

      // Crons: the stated UTC expressions, jobs sharing a schedule merged.
      const triggers = Object.fromEntries(report.triggers.map((t) => [t.cron, t.jobs.length]));
      assert.deepEqual(triggers, Object.fromEntries(Object.entries(c.crons).map(([k, v]) => [k, v.length])));
      const config = readFileSync(report.config, 'utf8');
      for (const cron of Object.keys(c.crons)) assert.ok(config.includes(JSON.stringify(cron)), `${cron} in wrangler.jsonc`);
      assert.deepEqual(Object.fromEntries(report.alarms.map((a) => [a.job.replace(/ \(.*/, '').replace(/-/g, '_'), a.intervalMs])), c.alarms);
      for (const [k, v] of Object.entries(c.bindings)) assert.deepEqual(report.bindings[k as keyof AppReport['bindings']], v, k);
      assert.deepEqual(report.vars, c.vars);
      const parsed = jsonc.parse(config) as { vars?: Record<string, string>; assets?: { directory: string; binding: string; not_found_handling: string } };
      for (const [k, v] of Object.entries(c.varValues ?? {})) assert.equal(parsed.vars?.[k], v, `var ${k}`);
      // Static assets with SPA fallback, exactly when the fixture has a built front end (the dry run above took them).
      assert.deepEqual(
        parsed.assets && { ...parsed.assets, directory: path.resolve(out, parsed.assets.directory) },
        c.assets && { directory: path.join(fixture(c.fixture), c.assets), binding: 'ASSETS', not_found_handling: 'single-page-application' },
      );
      assert.equal(report.bindings.assets, parsed.assets?.directory);
      assert.equal(config.includes('"nodejs_compat"'), c.findings.includes('nodejs-compat'), 'nodejs_compat exactly when Node built-ins are imported');
      const codes = new Set(report.findings.map((f) => f.code));
      for (const f of c.findings) assert.ok(codes.has(f), `finding ${f}; got ${[...codes].join(', ')}`);

      // Secrets: in the bulk file and .dev.vars, both git-ignored, and nowhere else.
      assert.deepEqual(report.secrets, c.secretNames);
      const bulk = JSON.parse(readFileSync(path.join(out, 'secrets.bulk.json'), 'utf8')) as Record<string, string>;
      assert.deepEqual(Object.keys(bulk).sort(), c.secretNames);
      for (const v of c.secretValues) assert.ok(Object.values(bulk).includes(v), `secret value in secrets.bulk.json`);
      const devVars = readFileSync(path.join(out, '.dev.vars'), 'utf8');
      for (const v of c.secretValues) assert.ok(devVars.includes(v), `secret value in .dev.vars`);
      const ignored = readFileSync(path.join(out, '.gitignore'), 'utf8').split('\n');
      assert.ok(ignored.includes('.dev.vars') && ignored.includes('secrets.bulk.json'));
      const text = await runCli(['app', '--dir', fixture(c.fixture), '--out', path.join(tmp, `${c.fixture}-text`), '--no-readiness']);
      assert.equal(text.code, 0, text.stderr);
      const outputs: [string, string][] = [
        ['--json stdout', r.stdout],
        ['stderr', r.stderr + text.stderr],
        ['text report', text.stdout],
        ...filesUnder(out)
          .filter((f) => !/secrets\.bulk\.json$|\.dev\.vars$/.test(f))
          .map((f): [string, string] => [f, readFileSync(f, 'utf8')]),
        ...filesUnder(bundle).map((f): [string, string] => [f, readFileSync(f, 'utf8')]),
      ];
      for (const v of [...c.secretValues, ...c.bindingPasswords]) {
        for (const [where, body] of outputs) assert.ok(!body.includes(v), `a secret value appears in ${where}`);
      }
      for (const v of c.bindingPasswords) assert.ok(!devVars.includes(v) && !Object.values(bulk).some((b) => b.includes(v)), 'binding URLs are not secrets');

      // The Worker in workerd: each cron reaches its stubs, and only those.
      let logs = '';
      const mf = new Miniflare(
        await miniflareOptions(report.config, path.join(bundle, 'index.js'), {
          handleRuntimeStdio: (o: Readable, e: Readable) => {
            o.on('data', (d: Buffer) => (logs += d));
            e.on('data', (d: Buffer) => (logs += d));
          },
        }),
      );
      try {
        const worker = await mf.getWorker();
        const armedFrom = Date.now();
        for (const [cron, stubs] of Object.entries(c.crons)) {
          const before = logs.length;
          const res = await worker.scheduled({ cron });
          assert.equal(res.outcome, 'ok', `${cron}: ${logs}`);
          for (const s of stubs) await waitFor(() => logs.slice(before), new RegExp(`flarelift job ${s} ran`), 5000);
          const ran = [...logs.slice(before).matchAll(/flarelift job (\w+) ran/g)].map((m) => m[1]);
          assert.deepEqual(ran.sort(), [...stubs].sort(), `${cron} runs exactly its jobs`);
        }
        // An unknown cron is an error, not a silent no-op.
        assert.equal((await worker.scheduled({ cron: '1 2 3 4 5' })).outcome, 'exception');

        // The alarms: armed by the first cron, one interval out; the shortest fires, then re-arms.
        const ns = await mf.getDurableObjectNamespace('TICKER');
        const ticker = (stub: string) => ns.get(ns.idFromName(stub)) as unknown as { nextAlarm(): Promise<number | null> };
        for (const [stub, interval] of Object.entries(c.alarms)) {
          const next = await ticker(stub).nextAlarm();
          assert.ok(next !== null, `${stub} armed`);
          assert.ok(Math.abs(next - armedFrom - interval) < 3000, `${stub} armed ${next - armedFrom} ms out, expected ${interval}`);
        }
        const [stub, interval] = Object.entries(c.alarms).sort((a, b) => a[1] - b[1])[0]!;
        const armedAt = (await ticker(stub).nextAlarm())!;
        const fired = await waitFor(() => logs, new RegExp(`flarelift alarm ${stub} (\\d+)`), interval + 10_000);
        const firedAt = Number(fired[1]);
        assert.ok(firedAt >= armedAt - 50 && firedAt - armedAt < 3000, `${stub} fired at its time (${firedAt - armedAt} ms late)`);
        await waitFor(() => logs, new RegExp(`flarelift job ${stub} ran`), 5000);
        const rearmed = (await ticker(stub).nextAlarm())!;
        assert.ok(Math.abs(rearmed - firedAt - interval) < 1000, `${stub} re-armed ${rearmed - firedAt} ms after firing, expected ${interval}`);
      } finally {
        await mf.dispose();
      }
    });
  }
});
