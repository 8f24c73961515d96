// A job's schedule → what runs it on Cloudflare: a five-field UTC Cron Trigger (weekdays 1 =
// Sunday), a Durable Object alarm for sub-minute or clock-unaligned intervals, or a reason it
// cannot be expressed. Local-time schedules are shifted by the zone's offset; when the zone
// changes offset during the year the job gets a finding saying when it runs an hour off.
import { compressField, DAY_OF_MONTH, DAY_OF_WEEK, expandField, HOUR, MINUTE, MONTH, type FieldRange } from './cron-fields.js';
import { CRON_MIN_INTERVAL_SECONDS } from '../cloudflare/limits.js';
import { formatOffset, isKnownZone, offsetSpans } from './timezones.js';
import type { Finding, Job, Schedule } from './types.js';

export type Conversion =
  | { kind: 'cron'; cron: string }
  | { kind: 'alarm'; intervalMs: number }
  | { kind: 'unsupported'; reason: string };

export interface Converted {
  job: Job;
  conversion: Conversion;
  findings: Finding[];
}

/** Cloudflare's day-of-week field: 1 = Sunday … 7 = Saturday. */
const CF_DAY_OF_WEEK: FieldRange = { min: 1, max: 7 };
const SECOND: FieldRange = { min: 0, max: 59 };
const DAY_MIN = 1440;
const mod = (a: number, n: number): number => ((a % n) + n) % n;

/** An interval as a clock-aligned cron when one exists (every n minutes dividing the hour, every n hours dividing the day). */
function intervalCron(seconds: number): string | undefined {
  if (seconds % 60 !== 0) return undefined;
  const minutes = seconds / 60;
  if (minutes < 60 && 60 % minutes === 0) return minutes === 1 ? '* * * * *' : `*/${minutes} * * * *`;
  if (minutes % 60 !== 0) return undefined;
  const hours = minutes / 60;
  if (hours < 24 && 24 % hours === 0) return hours === 1 ? '0 * * * *' : `0 */${hours} * * *`;
  if (hours === 24) return '0 0 * * *';
  return undefined;
}

function convertInterval(job: Job, seconds: number): Converted {
  const cron = seconds >= CRON_MIN_INTERVAL_SECONDS ? intervalCron(seconds) : undefined;
  if (cron) return { job, conversion: { kind: 'cron', cron }, findings: [] };
  const why = seconds < CRON_MIN_INTERVAL_SECONDS ? 'shorter than a minute, the shortest Cron Trigger' : 'not a whole divisor of an hour or a day, so no cron expresses it';
  return {
    job,
    conversion: { kind: 'alarm', intervalMs: seconds * 1000 },
    findings: [
      {
        severity: 'info',
        code: 'alarm',
        message: `job ${job.name} runs every ${seconds} s (${why}): a Durable Object alarm re-arms itself at that interval`,
        replacement: 'Durable Object alarm (ctx.storage.setAlarm)',
        docs: 'https://developers.cloudflare.com/durable-objects/api/alarms/',
        at: job.at,
      },
    ],
  };
}

/** The offset used for the conversion: the one in force most of the year; the other spans become a finding. */
function chooseOffset(job: Job, year: number): { offset: number; findings: Finding[] } {
  const zone = job.timezone;
  if (!zone || zone === 'UTC' || zone === 'Etc/UTC') return { offset: 0, findings: [] };
  const spans = offsetSpans(zone, year);
  const days = new Map<number, number>();
  for (const s of spans) days.set(s.offset, (days.get(s.offset) ?? 0) + (Date.parse(s.to) - Date.parse(s.from)) / 86_400_000 + 1);
  const offset = [...days.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  const off = spans.filter((s) => s.offset !== offset);
  if (off.length === 0) return { offset, findings: [] };
  const shift = off[0]!.offset - offset;
  const when = off.map((s) => `${s.from} to ${s.to}`).join(' and ');
  const direction = shift < 0 ? 'early' : 'late';
  return {
    offset,
    findings: [
      {
        severity: 'warning',
        code: 'dst',
        message:
          `job ${job.name} is written in ${zone} (UTC${formatOffset(offset)} most of ${year}); Cron Triggers run in UTC, so from ${when} ` +
          `(UTC${formatOffset(off[0]!.offset)}) it runs ${Math.abs(shift)} minutes ${direction} in local time`,
        replacement:
          'if the local hour matters, add the cron for the other offset too and let the scheduled() handler run the job only when the local time in the zone is the intended one',
        docs: 'https://developers.cloudflare.com/workers/configuration/cron-triggers/',
        at: job.at,
      },
    ],
  };
}

function shiftCron(s: Extract<Schedule, { kind: 'cron' }>, offset: number): string | { reason: string } {
  const minutes = expandField(s.minute, MINUTE) ?? Array.from({ length: 60 }, (_, i) => i);
  const hours = expandField(s.hour, HOUR);
  const doms = expandField(s.dayOfMonth, DAY_OF_MONTH);
  let dows = expandField(s.dayOfWeek, DAY_OF_WEEK);
  let minuteField: string;
  let hourField: string;
  if (hours === undefined) {
    // Every hour: only the minutes move (by the offset's part-hour), days do not.
    if (offset % 60 !== 0 && (doms || dows)) return { reason: 'an hourly job on given days in a zone with a part-hour offset spans two UTC days' };
    if (offset % 60 !== 0 && s.minute === '*') return { reason: 'every minute of given hours in a part-hour zone' };
    minuteField = compressField(s.minute === '*' ? undefined : minutes.map((m) => mod(m - offset, 60)), MINUTE);
    hourField = '*';
  } else {
    const pairs = new Set<string>();
    const shifts = new Set<number>();
    const hs = new Set<number>();
    const ms = new Set<number>();
    for (const h of hours)
      for (const m of minutes) {
        const total = h * 60 + m - offset;
        shifts.add(Math.floor(total / DAY_MIN));
        const t = mod(total, DAY_MIN);
        hs.add(Math.floor(t / 60));
        ms.add(t % 60);
        pairs.add(`${Math.floor(t / 60)}:${t % 60}`);
      }
    if (hs.size * ms.size !== pairs.size) return { reason: 'the shifted times do not form one cron (they need several triggers)' };
    const restricted = doms !== undefined || dows !== undefined;
    if (shifts.size > 1 && restricted) return { reason: 'the job crosses midnight UTC on some runs but not others' };
    const shift = [...shifts][0]!;
    if (shift !== 0 && doms) return { reason: 'a day-of-month job moves to the previous or next day in UTC, across month ends' };
    if (shift !== 0 && dows) dows = dows.map((d) => mod(d + shift, 7));
    minuteField = compressField(s.minute === '*' && offset % 60 === 0 ? undefined : [...ms], MINUTE);
    hourField = compressField([...hs], HOUR);
  }
  const month = compressField(expandField(s.month, MONTH), MONTH);
  const dom = compressField(doms, DAY_OF_MONTH);
  const dow = compressField(dows?.map((d) => d + 1), CF_DAY_OF_WEEK);
  return `${minuteField} ${hourField} ${dom} ${month} ${dow}`;
}

function convertCron(job: Job, s: Extract<Schedule, { kind: 'cron' }>, year: number): Converted {
  const unsupported = (reason: string, findings: Finding[] = []): Converted => ({ job, conversion: { kind: 'unsupported', reason }, findings });
  let seconds: number[] | undefined;
  try {
    seconds = expandField(s.second, SECOND);
  } catch (e) {
    return unsupported(`cannot read the seconds field: ${(e as Error).message}`);
  }
  if (seconds === undefined || seconds.length > 1) {
    const step = /^\*\/(\d+)$/.exec(s.second);
    const everyMinute = [s.minute, s.hour, s.dayOfMonth, s.month, s.dayOfWeek].every((f) => f === '*');
    if (step && everyMinute) return convertInterval(job, Number(step[1]));
    if (s.second === '*' && everyMinute) return convertInterval(job, 1);
    return unsupported('it fires several times a minute on a clock pattern; Cron Triggers have no seconds');
  }
  if (job.timezone && !isKnownZone(job.timezone)) return unsupported(`unknown time zone ${job.timezone}`);
  const { offset, findings } = chooseOffset(job, year);
  let cron: string | { reason: string };
  try {
    cron = shiftCron(s, offset);
  } catch (e) {
    return unsupported(`cannot read its fields: ${(e as Error).message}`);
  }
  if (typeof cron !== 'string') return unsupported(cron.reason, findings);
  if (seconds[0] !== 0) {
    findings.push({ severity: 'info', code: 'seconds', message: `job ${job.name} runs at second ${seconds[0]}; Cron Triggers fire on the minute`, at: job.at });
  }
  return { job, conversion: { kind: 'cron', cron }, findings };
}

/** Converts one job; `year` picks the year whose offsets are examined (the current one by default). */
export function convertJob(job: Job, year: number = new Date().getUTCFullYear()): Converted {
  const result = job.schedule.kind === 'interval' ? convertInterval(job, job.schedule.seconds) : convertCron(job, job.schedule, year);
  if (result.conversion.kind === 'unsupported') {
    result.findings.push({
      severity: 'error',
      code: 'schedule',
      message: `job ${job.name} (${job.described}) cannot become a Cron Trigger: ${result.conversion.reason}`,
      replacement: 'split it into several crons by hand, or run it from a Durable Object alarm that computes its next time',
      at: job.at,
    });
  }
  return result;
}
