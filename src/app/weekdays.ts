// Each scheduler numbers weekdays its own way; Schedules carry 0 = Sunday, Cloudflare wants 1 = Sunday.
import { compressField, DAY_OF_WEEK, expandField, WEEKDAYS, type FieldRange } from './cron-fields.js';

/** crontab, node-cron, croner, Celery: 0 (or 7) = Sunday, names sun…sat. */
const CRONTAB: FieldRange = { min: 0, max: 7, names: WEEKDAYS, nameBase: 0 };
/** APScheduler's CronTrigger: 0 = Monday … 6 = Sunday, names mon…sun. */
const APSCHEDULER: FieldRange = { min: 0, max: 6, names: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], nameBase: 0 };

export type WeekdayNumbering = 'crontab' | 'apscheduler';

/** A day-of-week field rewritten with 0 = Sunday numbers. Throws on syntax it cannot read. */
export function normaliseWeekdays(field: string, numbering: WeekdayNumbering): string {
  const values = expandField(field, numbering === 'crontab' ? CRONTAB : APSCHEDULER);
  if (values === undefined) return '*';
  return compressField(
    values.map((v) => (numbering === 'crontab' ? v % 7 : (v + 1) % 7)),
    DAY_OF_WEEK,
  );
}

/** `schedule`'s weekday units (`.monday`) as 0 = Sunday numbers. */
export const SCHEDULE_WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
