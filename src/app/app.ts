// `flarelift app`: read a backend's code, write (or merge into) a Worker project for it, and
// check the result deploys. The report carries names, schedules and findings — never a secret value.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { scrubSecrets } from './classify.js';
import { checkPyodide, readRequirements, type PyodideCheck } from './python-requirements.js';
import { planProject, type ProjectPlan } from './project-plan.js';
import { DEV_VARS_FILE, SECRETS_FILE, writeProject } from './project-write.js';
import { checkReadiness, type Readiness } from './readiness.js';
import { scanBackend } from './scan.js';
import type { Finding, Severity } from './types.js';

export interface AppOptions {
  /** The backend to read; without it only the readiness of the Worker project at `out` is checked. */
  dir?: string;
  out: string;
  /** Bundle with wrangler and weigh it (default true). */
  readiness?: boolean;
  /** Measure startup in workerd (default true; needs readiness). */
  startup?: boolean;
  /** Keep the bundle here instead of a removed temp dir. */
  bundleDir?: string;
  /** Year whose time-zone offsets are examined (default: this year). */
  year?: number;
}

export interface AppJobReport {
  name: string;
  via: string;
  schedule: string;
  timezone: string;
  at: string;
  runsAs: { kind: 'cron'; cron: string } | { kind: 'alarm'; intervalMs: number } | { kind: 'unsupported'; reason: string };
}

export interface AppReport {
  /** Absent when only a Worker project's readiness was checked. */
  backend?: string;
  out: string;
  config: string;
  merged: boolean;
  languages: string[];
  filesRead: number;
  jobs: AppJobReport[];
  triggers: { cron: string; jobs: string[] }[];
  alarms: { job: string; intervalMs: number }[];
  bindings: { d1?: string; kv: string[]; r2?: string; durableObjects: string[]; assets?: string };
  vars: string[];
  /** Names only; the values are in the two files below. */
  secrets: string[];
  secretFiles: string[];
  python?: Omit<PyodideCheck, 'findings'>;
  readiness?: Readiness;
  findings: Finding[];
  written: string[];
}

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

function buildReport(o: AppOptions & { dir: string }, plan: ProjectPlan, langs: string[], files: number, written: ReturnType<typeof writeProject>, py?: PyodideCheck, readiness?: Readiness): AppReport {
  const findings = [...plan.findings, ...(py?.findings ?? []), ...(readiness?.findings ?? [])];
  if (written.otherMain) {
    findings.push({ severity: 'warning', code: 'main', message: `the Worker's main is ${written.otherMain}, not the generated ${written.dispatcher}: call its scheduled() from your handler and export its Durable Object classes from your main`, at: { file: path.basename(written.config), line: 0 } });
  }
  findings.sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  return {
    backend: path.resolve(o.dir),
    out: path.resolve(o.out),
    config: written.config,
    merged: written.merged,
    languages: langs,
    filesRead: files,
    jobs: plan.converted.map((c) => ({ name: c.job.name, via: c.job.via, schedule: c.job.described, timezone: c.job.timezone ?? 'UTC', at: `${c.job.at.file}:${c.job.at.line}`, runsAs: c.conversion })),
    triggers: plan.crons.map((c) => ({ cron: c.cron, jobs: c.jobs.map((j) => j.job) })),
    alarms: plan.alarms.map((a) => ({ job: a.job, intervalMs: a.intervalMs })),
    bindings: {
      d1: plan.d1?.binding,
      kv: plan.kv.map((k) => k.binding),
      r2: plan.r2?.binding,
      durableObjects: [...(plan.alarms.length ? ['TICKER'] : []), ...(plan.rooms ? ['ROOMS'] : [])],
      assets: plan.assetsDir,
    },
    vars: Object.keys(plan.config.vars),
    secrets: [...plan.config.secrets.keys()],
    secretFiles: plan.config.secrets.size ? [SECRETS_FILE, DEV_VARS_FILE].map((f) => path.join(path.resolve(o.out), f)) : [],
    python: py && { unavailable: py.unavailable, unknown: py.unknown },
    readiness,
    findings,
    written: written.files,
  };
}

/** Readiness of an existing Worker project alone (no backend to read). */
async function workerOnly(o: AppOptions): Promise<AppReport> {
  const out = path.resolve(o.out);
  const config = ['wrangler.json', 'wrangler.jsonc', 'wrangler.toml'].map((n) => path.join(out, n)).find((f) => existsSync(f));
  if (!config) throw new UserError(`no wrangler.json, wrangler.jsonc or wrangler.toml in ${out} — pass --dir <backend> to generate a Worker project, or --out an existing one`);
  const readiness = await checkReadiness(out, config, { startup: o.startup !== false, bundleDir: o.bundleDir });
  return {
    out,
    config,
    merged: false,
    languages: [],
    filesRead: 0,
    jobs: [],
    triggers: [],
    alarms: [],
    bindings: { kv: [], durableObjects: [] },
    vars: [],
    secrets: [],
    secretFiles: [],
    readiness,
    findings: readiness.findings,
    written: [],
  };
}

export async function runApp(o: AppOptions): Promise<AppReport> {
  if (o.dir === undefined) return workerOnly(o);
  const scan = await scanBackend(o.dir);
  const plan = planProject(scan, o.out, o.year);
  const secretValues = [...plan.config.secrets.values()];
  const written = writeProject(plan, o.out, path.basename(path.resolve(o.dir)));
  const py = scan.languages.has('python') ? checkPyodide(await readRequirements(o.dir)) : undefined;
  const readiness = o.readiness === false ? undefined : await checkReadiness(path.resolve(o.out), written.config, { startup: o.startup !== false, bundleDir: o.bundleDir });
  const report = buildReport({ ...o, dir: o.dir }, plan, [...scan.languages].sort(), scan.files, written, py, readiness);
  return JSON.parse(scrubSecrets(JSON.stringify(report), secretValues.map((v) => JSON.stringify(v).slice(1, -1)))) as AppReport;
}
