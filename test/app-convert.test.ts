// The conversions `flarelift app` must not get wrong, each stated literally: local schedules to
// UTC crons (day shifts move the weekday; 1 = Sunday), each scheduler's weekday numbering, the
// daylight-saving finding from the zone's real offsets, settings into vars / secrets / bindings,
// and merging into a user's wrangler.jsonc with their comments kept.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import jsonc from 'jsonc-parser';
import { runApp, type AppReport } from '../src/app/app.js';
import { classifySettings } from '../src/app/classify.js';
import { convertJob } from '../src/app/cron-convert.js';
import { offsetSpans } from '../src/app/timezones.js';
import type { Job, Schedule } from '../src/app/types.js';
import { normaliseWeekdays } from '../src/app/weekdays.js';
import { runCli } from './helpers/cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'flarelift-app-convert-'));

const cron = (minute: string, hour: string, dayOfWeek = '*', dayOfMonth = '*'): Schedule => ({ kind: 'cron', second: '0', minute, hour, dayOfMonth, month: '*', dayOfWeek });
const job = (schedule: Schedule, timezone?: string): Job => ({ name: 'j', via: 'apscheduler', schedule, timezone, described: 'j', at: { file: 'x.py', line: 1 } });
const converted = (schedule: Schedule, timezone?: string, year = 2026) => convertJob(job(schedule, timezone), year);
const cronOf = (schedule: Schedule, timezone?: string): string => {
  const c = converted(schedule, timezone).conversion;
  assert.equal(c.kind, 'cron', JSON.stringify(c));
  return (c as { cron: string }).cron;
};

describe('schedules to UTC Cron Triggers', () => {
  test('intervals: clock-aligned ones become crons, others alarms', () => {
    assert.equal(cronOf({ kind: 'interval', seconds: 60 }), '* * * * *');
    assert.equal(cronOf({ kind: 'interval', seconds: 300 }), '*/5 * * * *');
    assert.equal(cronOf({ kind: 'interval', seconds: 7200 }), '0 */2 * * *');
    assert.equal(cronOf({ kind: 'interval', seconds: 86_400 }), '0 0 * * *');
    assert.deepEqual(converted({ kind: 'interval', seconds: 20 }).conversion, { kind: 'alarm', intervalMs: 20_000 });
    // 7 minutes does not divide the hour: */7 would fire at :56 then :00.
    assert.deepEqual(converted({ kind: 'interval', seconds: 420 }).conversion, { kind: 'alarm', intervalMs: 420_000 });
  });

  test('a part-hour zone moves minutes, and crossing midnight moves the weekday', () => {
    // Monday 02:00 in Tehran (UTC+03:30) is Sunday 22:30 UTC: Sunday is 1.
    assert.equal(cronOf(cron('0', '2', '1'), 'Asia/Tehran'), '30 22 * * 1');
    // Hourly at :15 in Tehran is :45 UTC each hour.
    assert.equal(cronOf(cron('15', '*'), 'Asia/Tehran'), '45 * * * *');
    // Saturday 23:00 in Los Angeles (UTC-7 most of the year) is Sunday 06:00 UTC.
    assert.equal(cronOf(cron('0', '23', '6'), 'America/Los_Angeles'), '0 6 * * 1');
    // Several hours keep their spacing.
    assert.equal(cronOf(cron('0', '9,17', '1-5'), 'Europe/Berlin'), '0 7,15 * * 2-6');
  });

  test('what one cron cannot say is reported, not approximated', () => {
    const c = converted(cron('0', '1', '*', '1'), 'Europe/Berlin');
    assert.equal(c.conversion.kind, 'unsupported');
    assert.ok(c.findings.some((f) => f.severity === 'error' && /month/.test(f.message)));
  });

  test("each scheduler's weekday numbering", () => {
    assert.equal(normaliseWeekdays('mon', 'apscheduler'), '1');
    assert.equal(normaliseWeekdays('0', 'apscheduler'), '1', 'APScheduler 0 = Monday');
    assert.equal(normaliseWeekdays('6', 'apscheduler'), '0', 'APScheduler 6 = Sunday');
    assert.equal(normaliseWeekdays('0', 'crontab'), '0');
    assert.equal(normaliseWeekdays('7', 'crontab'), '0', 'crontab 7 = Sunday');
    assert.equal(normaliseWeekdays('mon-fri', 'crontab'), '1-5');
    // And out to Cloudflare's 1 = Sunday.
    assert.equal(cronOf(cron('0', '9', normaliseWeekdays('sun', 'crontab'))), '0 9 * * 1');
    assert.equal(cronOf(cron('0', '9', normaliseWeekdays('sat', 'apscheduler'))), '0 9 * * 7');
  });

  test('daylight saving: the finding names the dates the job runs an hour off', () => {
    // Europe/Berlin 2026: CET until 29 March, CEST until 25 October.
    assert.deepEqual(
      offsetSpans('Europe/Berlin', 2026).map((s) => [s.offset, s.from, s.to]),
      [
        [60, '2026-01-01', '2026-03-28'],
        [120, '2026-03-29', '2026-10-24'],
        [60, '2026-10-25', '2026-12-31'],
      ],
    );
    const c = converted(cron('0', '9'), 'Europe/Berlin');
    const dst = c.findings.find((f) => f.code === 'dst');
    assert.ok(dst);
    assert.match(dst.message, /2026-01-01 to 2026-03-28 and 2026-10-25 to 2026-12-31/);
    assert.match(dst.message, /60 minutes early/);
    assert.ok(dst.replacement);
    // No finding for a zone without daylight saving (Tehran dropped it in 2022) or for UTC.
    assert.deepEqual(converted(cron('0', '9'), 'Asia/Tehran').findings, []);
    assert.deepEqual(converted(cron('0', '9')).findings, []);
  });
});

describe('settings', () => {
  const at = { file: '.env', line: 1 };
  test('credentials by name and by value; URLs of data stores become bindings', () => {
    const c = classifySettings([
      { name: 'STRIPE_API_KEY', value: 'x', from: at },
      { name: 'UPSTREAM', value: 'https://bob:s3cret@api.example.com/', from: at },
      { name: 'OPAQUE', value: 'Zq8Lm2Vn9Rt4Wb8Zc3Kd6Yf1Hs5', from: at },
      { name: 'GREETING', value: 'hello there, friend of mine', from: at },
      { name: 'DATABASE_URL', value: 'postgres://u:p@h/db', from: at },
      { name: 'CACHE', value: 'rediss://:pw@h:6380', from: at },
      { name: 'AWS_STORAGE_BUCKET_NAME', value: 'Media_Files', from: at },
      { name: 'DJANGO_CONST', value: 'mysite.urls', from: at, fromModule: true },
      { name: 'READ_ONLY_IN_CODE', from: at },
    ]);
    assert.deepEqual([...c.secrets.keys()].sort(), ['OPAQUE', 'STRIPE_API_KEY', 'UPSTREAM']);
    assert.deepEqual(c.vars, { GREETING: 'hello there, friend of mine' });
    assert.deepEqual(c.bindings.map((b) => [b.name, b.kind]).sort(), [
      ['AWS_STORAGE_BUCKET_NAME', 'r2'],
      ['CACHE', 'kv'],
      ['DATABASE_URL', 'd1'],
    ]);
    assert.deepEqual(c.missing.map((m) => m.name), ['READ_ONLY_IN_CODE']);
  });
});

describe('merging into an existing wrangler.jsonc', () => {
  test("adds what is missing, keeps the user's comments and values", async () => {
    const out = path.join(tmp, 'existing');
    const backend = path.join(tmp, 'backend');
    for (const d of [out, backend]) mkdirSync(d, { recursive: true });
    writeFileSync(
      path.join(backend, 'jobs.py'),
      ['from apscheduler.schedulers.blocking import BlockingScheduler', 's = BlockingScheduler()', "s.add_job(tick, 'cron', minute='*/30')", 's.add_job(fast, "interval", seconds=5)', ''].join('\n'),
    );
    writeFileSync(path.join(backend, '.env'), 'LOG_LEVEL=debug\nREGION=eu\n');
    const original = [
      '// my worker — keep this comment',
      '{',
      '  "name": "mine",',
      '  "main": "src/index.ts",',
      '  "compatibility_date": "2026-03-01",',
      '  /* existing schedule */',
      '  "triggers": { "crons": ["0 0 * * *"] },',
      '  "vars": { "LOG_LEVEL": "warn" }, // the user chose warn',
      '}',
      '',
    ].join('\n');
    writeFileSync(path.join(out, 'wrangler.jsonc'), original);
    writeFileSync(path.join(out, '.gitignore'), 'dist/\n');
    const report = await runApp({ dir: backend, out, readiness: false });
    assert.equal(report.merged, true);
    const text = readFileSync(path.join(out, 'wrangler.jsonc'), 'utf8');
    for (const comment of ['// my worker — keep this comment', '/* existing schedule */', '// the user chose warn']) assert.ok(text.includes(comment), comment);
    const merged = jsonc.parse(text) as Record<string, { crons?: string[] } & Record<string, unknown>>;
    assert.equal(merged.name, 'mine');
    assert.equal(merged.compatibility_date, '2026-03-01');
    assert.deepEqual(merged.triggers!.crons, ['0 0 * * *', '*/30 * * * *']);
    assert.deepEqual(merged.vars, { LOG_LEVEL: 'warn', REGION: 'eu' });
    assert.deepEqual(merged.migrations, [{ tag: 'flarelift-v1', new_sqlite_classes: ['FlareliftTicker'] }]);
    assert.equal(readFileSync(path.join(out, '.gitignore'), 'utf8'), 'dist/\nnode_modules/\n.wrangler/\n.dev.vars\nsecrets.bulk.json\n');
    // Running again changes nothing: every addition is already there.
    await runApp({ dir: backend, out, readiness: false });
    assert.equal(readFileSync(path.join(out, 'wrangler.jsonc'), 'utf8'), text);
  });
});

describe('crontab files and the trigger limit', () => {
  test('six distinct schedules exceed the free plan; CRON_TZ is applied', async () => {
    const backend = path.join(tmp, 'crontab-backend');
    mkdirSync(backend, { recursive: true });
    writeFileSync(
      path.join(backend, 'crontab'),
      [
        '# m h dom mon dow command',
        'CRON_TZ=Asia/Kolkata',
        '0 6 * * 0 /app/bin/weekly-report', // 06:00 Sunday IST = 00:30 Sunday UTC
        '*/20 * * * * /app/bin/poll',
        '15 */6 * * * /app/bin/rollup',
        '0 12 1 * * /app/bin/invoice',
        '30 23 * * 5 /app/bin/backup', // 23:30 Friday IST = 18:00 Friday UTC (Friday is 6)
        '45 2 * * 1-5 /app/bin/sync',
        '',
      ].join('\n'),
    );
    const report = await runApp({ dir: backend, out: path.join(tmp, 'crontab-out'), readiness: false });
    assert.deepEqual(
      report.jobs.map((j) => [j.name, j.runsAs.kind === 'cron' ? j.runsAs.cron : j.runsAs.kind]),
      [
        ['/app/bin/weekly-report', '30 0 * * 1'],
        // :00, :20, :40 in a +05:30 zone are :30, :50, :10 UTC.
        ['/app/bin/poll', '10,30,50 * * * *'],
        // Every 6 hours from 00:15 IST is 18:45, 00:45, 06:45, 12:45 UTC.
        ['/app/bin/rollup', '45 */6 * * *'],
        ['/app/bin/invoice', '30 6 1 * *'],
        ['/app/bin/backup', '0 18 * * 6'],
        // 02:45 IST Mon–Fri is 21:15 UTC the day before: Sun–Thu = 1-5.
        ['/app/bin/sync', '15 21 * * 1-5'],
      ],
    );
    const limit = report.findings.find((f) => f.code === 'cron-limit');
    assert.equal(limit?.severity, 'warning');
    assert.match(limit.message, /6 distinct schedules .* free plan allows 5/);
  });
});

describe('APScheduler trigger objects, the wrangler.toml refusal, and the text report', () => {
  const backend = path.join(tmp, 'aps-triggers');
  mkdirSync(backend, { recursive: true });
  writeFileSync(
    path.join(backend, 'jobs.py'),
    [
      'import smtplib',
      'import subprocess',
      'import boto3',
      'from apscheduler.schedulers.background import BackgroundScheduler',
      'from apscheduler.triggers.cron import CronTrigger',
      '',
      "sched = BackgroundScheduler(timezone='Asia/Tehran')",
      '',
      'def send_invoices(): ...',
      'def rollup(): ...',
      'def purge(): ...',
      'def export(): subprocess.run(["pg_dump"])',
      '',
      '# A trigger object, across lines, in the scheduler\'s zone.',
      'sched.add_job(',
      '    send_invoices,',
      "    CronTrigger(day_of_week='mon-fri', hour=8, minute=15),",
      ')',
      "sched.add_job(rollup, trigger=CronTrigger.from_crontab('0 */4 * * *'))",
      "sched.add_job(purge, CronTrigger(hour='2', timezone='UTC'))",
      "sched.add_job(export, CronTrigger.from_crontab('15 3 * * sun', timezone='UTC'))",
      'sched.start()',
      '',
    ].join('\n'),
  );

  test('CronTrigger(...) and CronTrigger.from_crontab(...): fields defaulted as APScheduler does, zones and weekdays converted', async () => {
    const report = await runApp({ dir: backend, out: path.join(tmp, 'aps-out'), readiness: false });
    assert.deepEqual(
      report.jobs.map((j) => [j.name, j.timezone, j.runsAs.kind === 'cron' ? j.runsAs.cron : j.runsAs.kind]),
      [
        // 08:15 Mon–Fri in Tehran (UTC+03:30 all year) is 04:45 UTC the same days: Mon–Fri = 2-6.
        ['send_invoices', 'Asia/Tehran', '45 4 * * 2-6'],
        // Every 4 hours from 00:00 Tehran is 20:30, 00:30, 04:30, … UTC.
        ['rollup', 'Asia/Tehran', '30 */4 * * *'],
        // hour=2 alone: minute and second below it default to 0.
        ['purge', 'UTC', '0 2 * * *'],
        // crontab's sun is 0, Cloudflare's 1.
        ['export', 'UTC', '15 3 * * 1'],
      ],
    );
  });

  test('an existing wrangler.toml in --out: one line, exit 2, nothing written', async () => {
    const out = path.join(tmp, 'toml-out');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'wrangler.toml'), 'name = "mine"\n');
    const r = await runCli(['app', '--dir', backend, '--out', out, '--no-readiness']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /wrangler\.toml exists: flarelift app merges into wrangler\.json or wrangler\.jsonc only/);
    assert.deepEqual(readdirSync(out), ['wrangler.toml']);
  });

  test('the text report groups the findings by severity, errors first, with the same findings as --json', async () => {
    const run = (extra: string[]) => runCli(['app', '--dir', backend, '--out', path.join(tmp, 'aps-text'), '--no-readiness', ...extra]);
    const json = await run(['--json']);
    assert.equal(json.code, 0, json.stderr);
    const findings = (JSON.parse(json.stdout) as AppReport).findings;
    const text = await run([]);
    assert.equal(text.code, 0, text.stderr);
    const heads = { error: 'Errors (will not work on Workers as written)', warning: 'Warnings (work differently on Workers)', info: 'Notes' } as const;
    const lines = text.stdout.split('\n');
    const sections = (Object.keys(heads) as (keyof typeof heads)[]).map((sev) => ({ sev, n: findings.filter((f) => f.severity === sev).length, at: lines.findIndex((l) => l.startsWith(`${heads[sev]} (`)) }));
    assert.ok(sections.filter((s) => s.n > 0).length >= 2, `findings of at least two severities: ${JSON.stringify(sections)}`);
    for (const s of sections) assert.equal(s.at >= 0, s.n > 0, `${s.sev} heading exactly when there are ${s.sev} findings`);
    const present = sections.filter((s) => s.n > 0);
    assert.deepEqual(present.map((s) => s.at), [...present.map((s) => s.at)].sort((a, b) => a - b), 'errors, then warnings, then notes');
    for (const s of present) {
      assert.equal(lines[s.at], `${heads[s.sev]} (${s.n})`);
      const end = present.find((p) => p.at > s.at)?.at ?? lines.length;
      const body = lines.slice(s.at + 1, end).filter((l) => l.startsWith('  - ')).map((l) => l.slice(4).replace(/ \[[^\]]*\]$/, ''));
      assert.deepEqual(body, findings.filter((f) => f.severity === s.sev).map((f) => f.message), `${s.sev} section lists its findings`);
    }
  });
});
