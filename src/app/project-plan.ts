// From a scanned backend to the Worker project to write: triggers (jobs sharing a cron merged),
// alarms, bindings, vars and secrets, Durable Objects, assets, flags. Pure data; writers render it.
import path from 'node:path';
import { classifySettings, type Classified } from './classify.js';
import { convertJob, type Converted } from './cron-convert.js';
import { CRON_MAX_TRIGGERS_FREE, CRON_MAX_TRIGGERS_PAID } from '../cloudflare/limits.js';
import type { BackendScan } from './scan.js';
import type { Finding } from './types.js';

/** A date the pinned workerd (wrangler 4.86) supports: newer dates fail locally until wrangler is updated. */
export const COMPATIBILITY_DATE = '2026-04-01';
export const TICKER_CLASS = 'FlareliftTicker';
export const ROOM_CLASS = 'FlareliftRoom';

export interface StubJob {
  /** The job's name in the backend. */
  job: string;
  /** Function name of its stub in src/jobs.ts. */
  stub: string;
  described: string;
  at: string;
}

export interface ProjectPlan {
  name: string;
  crons: { cron: string; jobs: StubJob[] }[];
  alarms: (StubJob & { intervalMs: number })[];
  converted: Converted[];
  config: Classified;
  d1?: { binding: string; database_name: string };
  kv: { binding: string; why: string }[];
  r2?: { binding: string; bucket_name: string };
  rooms: boolean;
  nodejsCompat: boolean;
  /** Assets directory relative to the Worker project. */
  assetsDir?: string;
  findings: Finding[];
}

const identifier = (name: string): string => {
  const base = (name.split(/[.(\s]/).filter(Boolean).pop() ?? 'job').replace(/[^A-Za-z0-9_$]/g, '_');
  return /^[0-9]/.test(base) ? `job_${base}` : base;
};

/** A Worker / R2 / D1 name: lower case letters, digits and dashes. */
export const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63) || 'app';

export function planProject(scan: BackendScan, outDir: string, year?: number): ProjectPlan {
  const findings: Finding[] = [...scan.findings];
  const config = classifySettings(scan.settings);
  const converted = scan.jobs.map((j) => convertJob(j, year));
  const used = new Set<string>();
  const stubOf = (c: Converted): StubJob => {
    let stub = identifier(c.job.name.replace(/ \(.*\)$/, ''));
    for (let i = 2; used.has(stub); i++) stub = `${identifier(c.job.name)}_${i}`;
    used.add(stub);
    return { job: c.job.name, stub, described: c.job.described, at: `${c.job.at.file}:${c.job.at.line}` };
  };
  const crons = new Map<string, StubJob[]>();
  const alarms: ProjectPlan['alarms'] = [];
  for (const c of converted) {
    findings.push(...c.findings);
    if (c.conversion.kind === 'cron') crons.set(c.conversion.cron, [...(crons.get(c.conversion.cron) ?? []), stubOf(c)]);
    else if (c.conversion.kind === 'alarm') alarms.push({ ...stubOf(c), intervalMs: c.conversion.intervalMs });
  }
  if (crons.size > CRON_MAX_TRIGGERS_FREE) {
    findings.push({
      severity: crons.size > CRON_MAX_TRIGGERS_PAID ? 'error' : 'warning',
      code: 'cron-limit',
      message: `${crons.size} distinct schedules need ${crons.size} Cron Triggers; the free plan allows ${CRON_MAX_TRIGGERS_FREE} per account, the paid plan ${CRON_MAX_TRIGGERS_PAID}`,
      replacement: 'merge jobs onto shared schedules, or use one frequent cron whose handler decides which jobs are due',
      docs: 'https://developers.cloudflare.com/workers/platform/limits/#cron-triggers',
    });
  }
  const name = slug(path.basename(path.resolve(scan.dir)));
  const d1Setting = config.bindings.find((b) => b.kind === 'd1');
  const kv: ProjectPlan['kv'] = [];
  if (config.bindings.some((b) => b.kind === 'kv') || scan.features.has('redis')) kv.push({ binding: 'KV', why: 'the Redis the backend used' });
  if (scan.features.has('cache')) kv.push({ binding: 'CACHE', why: 'the in-process caches (use expirationTtl for their TTL)' });
  const r2Setting = config.bindings.find((b) => b.kind === 'r2' && b.bucket) ?? config.bindings.find((b) => b.kind === 'r2');
  const r2 = r2Setting || scan.features.has('bucket') ? { binding: 'BUCKET', bucket_name: slug(r2Setting?.bucket ?? `${name}-files`) } : undefined;
  for (const m of config.missing) {
    findings.push({
      severity: 'info',
      code: 'setting-without-value',
      message: `${m.name} is read by the code but has no value in any .env file; set it as a ${m.secret ? 'secret (wrangler secret put)' : 'var'}`,
      at: m.from,
    });
  }
  if (scan.nodeBuiltins.length) {
    findings.push({
      severity: 'info',
      code: 'nodejs-compat',
      message: `the code imports Node built-ins (${[...new Set(scan.nodeBuiltins)].sort().join(', ')}); the config enables nodejs_compat`,
      docs: 'https://developers.cloudflare.com/workers/runtime-apis/nodejs/',
    });
  }
  return {
    name,
    crons: [...crons.entries()].map(([cron, jobs]) => ({ cron, jobs })),
    alarms,
    converted,
    config,
    d1: d1Setting || scan.features.has('database') ? { binding: 'DB', database_name: name } : undefined,
    kv,
    r2,
    rooms: scan.features.has('websocket'),
    nodejsCompat: scan.nodeBuiltins.length > 0,
    assetsDir: scan.spaDir ? path.relative(outDir, path.join(scan.dir, scan.spaDir)) : undefined,
    findings,
  };
}
