// Crontab fields as sets of numbers and back: lists, ranges, steps and names expanded so a time
// zone shift or a weekday renumbering is plain arithmetic, then written back in the shortest form.

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** 0 = Sunday, the numbering every Schedule carries. */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export interface FieldRange {
  min: number;
  max: number;
  names?: readonly string[];
  /** Value of the first name (months start at 1). */
  nameBase?: number;
}

export const MINUTE: FieldRange = { min: 0, max: 59 };
export const HOUR: FieldRange = { min: 0, max: 23 };
export const DAY_OF_MONTH: FieldRange = { min: 1, max: 31 };
export const MONTH: FieldRange = { min: 1, max: 12, names: MONTHS, nameBase: 1 };
export const DAY_OF_WEEK: FieldRange = { min: 0, max: 6, names: WEEKDAYS, nameBase: 0 };

function value(token: string, r: FieldRange): number {
  const lower = token.toLowerCase().slice(0, 3);
  const named = r.names?.indexOf(lower) ?? -1;
  if (named >= 0 && /^[a-z]/i.test(token)) return named + (r.nameBase ?? 0);
  if (!/^\d+$/.test(token)) throw new Error(`not a number: ${token}`);
  return Number(token);
}

/** The values a field matches; undefined when it is `*` (every value). Throws on syntax it cannot read. */
export function expandField(field: string, r: FieldRange): number[] | undefined {
  const text = field.trim();
  if (text === '*' || text === '?') return undefined;
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`bad step in ${field}`);
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [r.min, r.max];
    else if (range.includes('-')) {
      const [a, b] = range.split('-') as [string, string];
      [lo, hi] = [value(a, r), value(b, r)];
    } else {
      lo = value(range, r);
      hi = stepText === undefined ? lo : r.max;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  for (const v of out) if (v < r.min || v > r.max) throw new Error(`${v} out of range in ${field}`);
  return [...out].sort((a, b) => a - b);
}

/** Writes a set back: `*`, `*\/n` for an even step from the minimum, `a-b` for a run, else a list. */
export function compressField(values: readonly number[] | undefined, r: FieldRange): string {
  if (values === undefined) return '*';
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const span = r.max - r.min + 1;
  if (sorted.length === span) return '*';
  if (sorted.length >= 2 && sorted[0] === r.min) {
    const step = sorted[1]! - sorted[0]!;
    const even = sorted.every((v, i) => v === r.min + i * step);
    if (even && span % step === 0 && sorted.length === span / step) return `*/${step}`;
  }
  if (sorted.length > 2 && sorted.every((v, i) => i === 0 || v === sorted[i - 1]! + 1)) return `${sorted[0]}-${sorted[sorted.length - 1]}`;
  return sorted.join(',');
}
