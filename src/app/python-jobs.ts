// Scheduled jobs in Python code: APScheduler (add_job with 'interval' / 'cron' and keyword
// arguments, IntervalTrigger / CronTrigger objects, scheduled_job decorators, the scheduler's
// timezone), the `schedule` library's every(...) chains, and Celery beat schedules.
import { argsOf, children, dictEntries, dottedName, findAll, literal, type PySource, type SyntaxNode } from './python-ast.js';
import type { Finding, Job, Schedule } from './types.js';
import { normaliseWeekdays, SCHEDULE_WEEKDAYS } from './weekdays.js';

export interface PyJobContext {
  file: string;
  src: PySource;
  /** Celery's timezone, found anywhere in the backend. */
  celeryTimezone?: string;
  jobs: Job[];
  findings: Finding[];
}

const INTERVAL_UNITS: Record<string, number> = { weeks: 604_800, days: 86_400, hours: 3600, minutes: 60, seconds: 1 };
const APS_FIELDS = ['year', 'month', 'day', 'week', 'day_of_week', 'hour', 'minute', 'second'] as const;
const APS_DEFAULTS: Record<string, string> = { year: '*', month: '1', day: '1', week: '*', day_of_week: '*', hour: '0', minute: '0', second: '0' };

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/** A zone given as a string, `ZoneInfo('X')`, `pytz.timezone('X')` or `tz.gettz('X')`. */
function zoneOf(src: PySource, n: SyntaxNode | undefined): string | undefined {
  if (!n) return undefined;
  if (n.name === 'CallExpression') return str(literal(src, argsOf(n.getChild('ArgList'), src).positional[0]));
  return str(literal(src, n));
}

function secondsOf(src: PySource, kw: Map<string, SyntaxNode>): number | undefined {
  let total = 0;
  let any = false;
  for (const [unit, factor] of Object.entries(INTERVAL_UNITS)) {
    const v = literal(src, kw.get(unit));
    if (typeof v === 'number') {
      total += v * factor;
      any = true;
    }
  }
  return any ? total : undefined;
}

/** APScheduler's CronTrigger fields with its defaulting rule: '*' above the least significant given field, the minimum below it. */
function apsCron(src: PySource, kw: Map<string, SyntaxNode>): Schedule | string {
  const given = APS_FIELDS.filter((f) => kw.has(f));
  const last = given.length ? APS_FIELDS.indexOf(given[given.length - 1]!) : -1;
  const field = (name: (typeof APS_FIELDS)[number]): string => {
    if (kw.has(name)) return str(literal(src, kw.get(name))) ?? '?';
    return APS_FIELDS.indexOf(name) > last ? APS_DEFAULTS[name]! : '*';
  };
  if (field('year') !== '*' || field('week') !== '*') return 'year and week fields have no cron equivalent';
  if ([...APS_FIELDS].some((f) => field(f) === '?')) return 'a field is not a literal';
  return {
    kind: 'cron',
    second: field('second'),
    minute: field('minute'),
    hour: field('hour'),
    dayOfMonth: field('day'),
    month: field('month'),
    dayOfWeek: normaliseWeekdays(field('day_of_week'), 'apscheduler'),
  };
}

function crontabText(text: string): Schedule | string {
  const f = text.trim().split(/\s+/);
  if (f.length !== 5) return `not a five-field crontab: ${text}`;
  return { kind: 'cron', second: '0', minute: f[0]!, hour: f[1]!, dayOfMonth: f[2]!, month: f[3]!, dayOfWeek: normaliseWeekdays(f[4]!, 'crontab') };
}

/** The trigger of an APScheduler job: a string plus keywords, or a trigger object. */
function apsTrigger(src: PySource, trigger: SyntaxNode | undefined, kw: Map<string, SyntaxNode>): { schedule: Schedule | string; timezone?: string } {
  if (trigger?.name === 'CallExpression') {
    const callee = dottedName(src, trigger.firstChild!);
    const a = argsOf(trigger.getChild('ArgList'), src);
    const timezone = zoneOf(src, a.keywords.get('timezone'));
    if (callee.endsWith('IntervalTrigger')) {
      const s = secondsOf(src, a.keywords);
      return { schedule: s === undefined ? 'no literal interval' : { kind: 'interval', seconds: s }, timezone };
    }
    if (callee.endsWith('CronTrigger.from_crontab')) return { schedule: crontabText(str(literal(src, a.positional[0])) ?? ''), timezone };
    if (callee.endsWith('CronTrigger')) return { schedule: apsCron(src, a.keywords), timezone };
    return { schedule: `trigger ${callee} is not read` };
  }
  const kind = literal(src, trigger);
  const timezone = zoneOf(src, kw.get('timezone'));
  if (kind === 'interval') {
    const s = secondsOf(src, kw);
    return { schedule: s === undefined ? 'no literal interval' : { kind: 'interval', seconds: s }, timezone };
  }
  if (kind === 'cron') return { schedule: apsCron(src, kw), timezone };
  return { schedule: `trigger ${String(kind ?? (trigger ? src.of(trigger) : 'none'))} is not read (a one-off 'date' job is not a schedule)` };
}

function push(ctx: PyJobContext, node: SyntaxNode, name: string, via: Job['via'], schedule: Schedule | string, timezone: string | undefined): void {
  const at = { file: ctx.file, line: ctx.src.line(node.from) };
  const described = ctx.src.of(node).replace(/\s+/g, ' ').slice(0, 160);
  if (typeof schedule === 'string') {
    ctx.findings.push({ severity: 'error', code: 'schedule', message: `job ${name} (${described}) was not converted: ${schedule}`, replacement: 'write its Cron Trigger by hand', at });
    return;
  }
  ctx.jobs.push({ name, via, schedule, timezone, described, at });
}

/** Scheduler variables and their `timezone=` (or `.configure(timezone=...)`). */
function schedulerZones(ctx: PyJobContext): Map<string, string> {
  const zones = new Map<string, string>();
  const { src } = ctx;
  for (const n of findAll(src, ['AssignStatement'])) {
    const [target, , value] = children(n);
    if (value?.name !== 'CallExpression' || !target) continue;
    if (!/Scheduler$/.test(dottedName(src, value.firstChild!))) continue;
    const tz = zoneOf(src, argsOf(value.getChild('ArgList'), src).keywords.get('timezone'));
    if (tz) zones.set(src.of(target), tz);
  }
  for (const n of findAll(src, ['CallExpression'])) {
    const callee = dottedName(src, n.firstChild!);
    if (!callee.endsWith('.configure')) continue;
    const tz = zoneOf(src, argsOf(n.getChild('ArgList'), src).keywords.get('timezone'));
    if (tz) zones.set(callee.slice(0, -'.configure'.length), tz);
  }
  return zones;
}

function apscheduler(ctx: PyJobContext): void {
  const { src } = ctx;
  const zones = schedulerZones(ctx);
  for (const n of findAll(src, ['CallExpression'])) {
    const callee = dottedName(src, n.firstChild!);
    if (!callee.endsWith('.add_job')) continue;
    const a = argsOf(n.getChild('ArgList'), src);
    const func = a.positional[0] ?? a.keywords.get('func');
    const name = str(literal(src, a.keywords.get('id'))) ?? (func ? dottedName(src, func) : 'job');
    const t = apsTrigger(src, a.positional[1] ?? a.keywords.get('trigger'), a.keywords);
    push(ctx, n, name, 'apscheduler', t.schedule, t.timezone ?? zones.get(callee.slice(0, -'.add_job'.length)));
  }
  for (const d of findAll(src, ['Decorator'])) {
    const parts = children(d).filter((c) => c.name !== 'At' && c.name !== 'ArgList');
    const callee = parts.map((p) => src.of(p)).join('');
    if (!callee.endsWith('.scheduled_job')) continue;
    const a = argsOf(d.getChild('ArgList'), src);
    const fn = d.parent?.getChild('FunctionDefinition')?.getChild('VariableName');
    const name = str(literal(src, a.keywords.get('id'))) ?? (fn ? src.of(fn) : 'job');
    const t = apsTrigger(src, a.positional[0] ?? a.keywords.get('trigger'), a.keywords);
    push(ctx, d.parent ?? d, name, 'apscheduler', t.schedule, t.timezone ?? zones.get(callee.slice(0, -'.scheduled_job'.length)));
  }
}

/** One `every(...)...do(fn)` chain of the `schedule` library, read from the root call outwards. */
function scheduleChain(ctx: PyJobContext, doCall: SyntaxNode): void {
  const { src } = ctx;
  const steps: { name: string; args?: SyntaxNode[] }[] = [];
  let n: SyntaxNode | null = doCall.firstChild; // MemberExpression `<chain>.do`
  while (n) {
    if (n.name === 'CallExpression') {
      const a = argsOf(n.getChild('ArgList'), src).positional;
      n = n.firstChild;
      if (n?.name === 'MemberExpression') {
        steps.unshift({ name: src.of(n.lastChild!), args: a });
        n = n.firstChild;
      } else if (n) {
        steps.unshift({ name: src.of(n), args: a });
        n = null;
      }
    } else if (n.name === 'MemberExpression') {
      steps.unshift({ name: src.of(n.lastChild!) });
      n = n.firstChild;
    } else n = null;
  }
  const every = steps.findIndex((s) => s.name === 'every' && s.args);
  if (every < 0) return;
  const count = every >= 0 ? (literal(src, steps[every]!.args![0]) ?? 1) : 1;
  const unit = steps[every + 1]?.name ?? '';
  const at = steps.find((s) => s.name === 'at' && s.args);
  const atText = at ? str(literal(src, at.args![0])) : undefined;
  const zone = at ? zoneOf(src, at.args![1]) : undefined;
  const fnNode = argsOf(doCall.getChild('ArgList'), src).positional[0];
  const name = fnNode ? dottedName(src, fnNode) : 'job';
  if (steps.some((s) => s.name === 'to')) {
    ctx.findings.push({ severity: 'warning', code: 'random-interval', message: `job ${name} runs at a random interval (.to()); converted at its lower bound`, at: { file: ctx.file, line: src.line(doCall.from) } });
  }
  if (typeof count !== 'number') return push(ctx, doCall, name, 'schedule', 'the every() count is not a literal', zone);
  const base = unit.replace(/s$/, '');
  const [hh, mm, ss] = (atText ?? '').split(':');
  const weekday = SCHEDULE_WEEKDAYS.indexOf(unit);
  let schedule: Schedule | string;
  const cron = (minute: string, hour: string, dayOfWeek = '*', second = ss ?? '0'): Schedule => ({ kind: 'cron', second: String(Number(second)), minute: String(Number(minute)), hour: hour === '*' ? '*' : String(Number(hour)), dayOfMonth: '*', month: '*', dayOfWeek });
  if (weekday >= 0) schedule = atText ? cron(mm ?? '0', hh ?? '0', String(weekday)) : cron('0', '0', String(weekday));
  else if (base === 'day' && atText && count === 1) schedule = cron(mm ?? '0', hh ?? '0');
  else if (base === 'hour' && atText && count === 1) schedule = cron(atText.split(':')[1] ?? '0', '*', '*', atText.split(':')[2] ?? '0');
  else if (base === 'minute' && atText && count === 1) schedule = cron('*', '*', '*', atText.replace(':', ''));
  else if (['second', 'minute', 'hour', 'day', 'week'].includes(base)) schedule = { kind: 'interval', seconds: count * INTERVAL_UNITS[`${base}s`]! };
  else schedule = `unit .${unit} is not read`;
  if (atText && !zone && typeof schedule !== 'string' && schedule.kind === 'cron') {
    ctx.findings.push({
      severity: 'info',
      code: 'local-time',
      message: `job ${name} runs at ${atText} in the server's local time (schedule's default); converted as UTC`,
      replacement: "give the zone to .at() (e.g. .at('09:00', 'Europe/Berlin')) and run flarelift app again if the server was not on UTC",
      at: { file: ctx.file, line: src.line(doCall.from) },
    });
  }
  push(ctx, doCall, name, 'schedule', schedule, zone);
}

function scheduleLib(ctx: PyJobContext): void {
  for (const n of findAll(ctx.src, ['CallExpression'])) {
    const callee = n.firstChild;
    if (callee?.name !== 'MemberExpression' || ctx.src.of(callee.lastChild!) !== 'do') continue;
    if (!/\bevery\s*\(/.test(ctx.src.of(callee))) continue;
    scheduleChain(ctx, n);
  }
}

/** A Celery schedule value: seconds, timedelta(...), crontab(...). */
function celerySchedule(src: PySource, v: SyntaxNode | undefined): Schedule | string {
  if (!v) return 'no schedule';
  const num = literal(src, v);
  if (typeof num === 'number') return { kind: 'interval', seconds: num };
  if (v.name !== 'CallExpression') return `schedule ${src.of(v)} is not read`;
  const callee = dottedName(src, v.firstChild!);
  const a = argsOf(v.getChild('ArgList'), src);
  if (callee.endsWith('timedelta')) {
    const seconds = secondsOf(src, a.keywords);
    return seconds === undefined ? 'no literal timedelta' : { kind: 'interval', seconds };
  }
  if (callee.endsWith('crontab')) {
    const f = (k: string, i: number): string => str(literal(src, a.keywords.get(k) ?? a.positional[i])) ?? '*';
    return { kind: 'cron', second: '0', minute: f('minute', 0), hour: f('hour', 1), dayOfWeek: normaliseWeekdays(f('day_of_week', 2), 'crontab'), dayOfMonth: f('day_of_month', 3), month: f('month_of_year', 4) };
  }
  return `schedule ${callee}(...) is not read`;
}

function celeryBeat(ctx: PyJobContext): void {
  const { src } = ctx;
  for (const n of findAll(src, ['AssignStatement'])) {
    const [target, , value] = children(n);
    if (!target || !value || !/beat_schedule$/i.test(src.of(target))) continue;
    for (const [key, entry] of dictEntries(src, value)) {
      const e = dictEntries(src, entry);
      const task = str(literal(src, e.get('task')));
      push(ctx, entry, task ? `${key} (${task})` : key, 'celery-beat', celerySchedule(src, e.get('schedule')), ctx.celeryTimezone);
    }
  }
  for (const n of findAll(src, ['CallExpression'])) {
    if (!dottedName(src, n.firstChild!).endsWith('add_periodic_task')) continue;
    const a = argsOf(n.getChild('ArgList'), src);
    const name = str(literal(src, a.keywords.get('name'))) ?? (a.positional[1] ? src.of(a.positional[1]) : 'periodic task');
    push(ctx, n, name, 'celery-beat', celerySchedule(src, a.positional[0] ?? a.keywords.get('schedule')), ctx.celeryTimezone);
  }
}

/** Celery's timezone: `CELERY_TIMEZONE = ...`, `app.conf.timezone = ...`, `Celery(..., timezone=...)`. */
export function celeryTimezone(src: PySource): string | undefined {
  for (const n of findAll(src, ['AssignStatement'])) {
    const [target, , value] = children(n);
    if (target && /(^CELERY_TIMEZONE|conf\.timezone)$/.test(src.of(target))) return zoneOf(src, value);
  }
  for (const n of findAll(src, ['CallExpression'])) {
    if (dottedName(src, n.firstChild!) !== 'Celery') continue;
    const tz = zoneOf(src, argsOf(n.getChild('ArgList'), src).keywords.get('timezone'));
    if (tz) return tz;
  }
  return undefined;
}

export function pythonJobs(ctx: PyJobContext): void {
  apscheduler(ctx);
  scheduleLib(ctx);
  celeryBeat(ctx);
}
