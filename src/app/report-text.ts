// The app report as text: what was written, the schedules, bindings and settings, readiness,
// then the findings grouped by severity. Same content as --json.
import type { AppReport } from './app.js';
import type { Severity } from './types.js';

const HEAD: Record<Severity, string> = { error: 'Errors (will not work on Workers as written)', warning: 'Warnings (work differently on Workers)', info: 'Notes' };
const KIB = 1024;
const size = (n: number): string => (n >= KIB * KIB ? `${(n / KIB / KIB).toFixed(2)} MiB` : `${(n / KIB).toFixed(1)} KiB`);

export function renderAppReport(r: AppReport): string {
  const out: string[] = [];
  if (r.backend === undefined) out.push(`checked ${r.config}`);
  else {
    out.push(`${r.merged ? 'merged into' : 'wrote'} ${r.config} (${r.languages.join(' + ') || 'no code'}; ${r.filesRead} files read)`);
    out.push(...backendSections(r));
  }
  const rd = r.readiness;
  if (rd) {
    out.push('', 'Worker readiness');
    out.push(`  wrangler deploy --dry-run: ${rd.dryRun.ok ? 'passed' : `failed: ${rd.dryRun.error}`}`);
    if (rd.bytes !== undefined) out.push(`  bundle: ${size(rd.bytes)} raw, ${size(rd.gzipBytes!)} gzipped (limits: ${size(rd.limits.gzipFree)} free, ${size(rd.limits.gzipPaid)} paid, gzipped)`);
    if (rd.largestModules.length) out.push(`  largest modules: ${rd.largestModules.map((m) => `${m.path} (${size(m.bytes)})`).join(', ')}`);
    if (rd.startupMs !== undefined) out.push(`  startup: about ${rd.startupMs} ms of top-level evaluation in workerd (limit ${rd.limits.startupMs} ms)`);
  }
  for (const sev of ['error', 'warning', 'info'] as const) {
    const list = r.findings.filter((f) => f.severity === sev);
    if (!list.length) continue;
    out.push('', `${HEAD[sev]} (${list.length})`);
    for (const f of list) {
      out.push(`  - ${f.message}${f.at ? ` [${f.at.file}${f.at.line ? `:${f.at.line}` : ''}]` : ''}`);
      if (f.replacement) out.push(`    use: ${f.replacement}`);
      if (f.docs) out.push(`    see: ${f.docs}`);
    }
  }
  return out.join('\n');
}

function backendSections(r: AppReport): string[] {
  const out: string[] = ['', 'Schedules'];
  if (r.jobs.length === 0) out.push('  no scheduled jobs found');
  for (const j of r.jobs) {
    const target = j.runsAs.kind === 'cron' ? `cron "${j.runsAs.cron}" (UTC)` : j.runsAs.kind === 'alarm' ? `Durable Object alarm every ${j.runsAs.intervalMs / 1000} s` : `not converted: ${j.runsAs.reason}`;
    out.push(`  ${j.name} [${j.via}, ${j.timezone}] ${j.at}`, `    → ${target}`);
  }
  if (r.triggers.length) out.push(`  ${r.triggers.length} Cron Trigger(s): ${r.triggers.map((t) => t.cron).join(' | ')}`);
  const b = r.bindings;
  out.push('', 'Bindings');
  out.push(`  D1: ${b.d1 ?? '-'}   KV: ${b.kv.join(', ') || '-'}   R2: ${b.r2 ?? '-'}   Durable Objects: ${b.durableObjects.join(', ') || '-'}   assets: ${b.assets ?? '-'}`);
  out.push('', 'Settings');
  out.push(`  vars: ${r.vars.join(', ') || '-'}`);
  out.push(`  secrets: ${r.secrets.join(', ') || '-'}${r.secretFiles.length ? ` (values in ${r.secretFiles.join(' and ')}, git-ignored; upload with wrangler secret bulk)` : ''}`);
  if (r.python?.unavailable.length || r.python?.unknown.length) {
    out.push('', 'Python requirements (Python Workers / Pyodide)');
    for (const u of r.python.unavailable) out.push(`  not available: ${u.name} — ${u.reason}`);
    if (r.python.unknown.length) out.push(`  pure-Python wheel needed: ${r.python.unknown.join(', ')}`);
  }
  return out;
}
