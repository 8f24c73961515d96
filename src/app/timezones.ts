// A zone's UTC offsets through a year, read from the Intl API (the ICU data Node ships; nothing
// downloaded). Used to convert local schedules to UTC and to say when daylight saving moves them.

export interface OffsetSpan {
  /** Minutes east of UTC. */
  offset: number;
  /** First and last day (YYYY-MM-DD, UTC) of the span. */
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;

/** The offset in minutes of `zone` at `instant`. Throws a RangeError for an unknown zone. */
export function offsetAt(zone: string, instant: Date): number {
  const text = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).format(instant);
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(text);
  if (!m) return 0; // "GMT" alone: UTC itself
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

export function isKnownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Runs of equal offset through `year`, sampled at each day's noon UTC (transitions happen at night). */
export function offsetSpans(zone: string, year: number): OffsetSpan[] {
  const spans: OffsetSpan[] = [];
  for (let t = Date.UTC(year, 0, 1, 12); new Date(t).getUTCFullYear() === year; t += DAY_MS) {
    const offset = offsetAt(zone, new Date(t));
    const day = new Date(t).toISOString().slice(0, 10);
    const last = spans[spans.length - 1];
    if (last && last.offset === offset) last.to = day;
    else spans.push({ offset, from: day, to: day });
  }
  return spans;
}

/** `+03:30` style. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  return `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}
