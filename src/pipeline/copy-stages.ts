// Where a copy's time goes, for the benchmark: with FLARELIFT_COPY_STAGES=1 each stage's
// milliseconds are summed (waiting for the reader, casting, waiting for the writer; for SQLite
// targets inserting and committing) and printed on stderr as one line when the copy ends. Off,
// each call is one boolean test.
import { performance } from 'node:perf_hooks';

export const STAGES_ENV = 'FLARELIFT_COPY_STAGES';
export const stagesOn = process.env[STAGES_ENV] === '1';

const totals = new Map<string, number>();

/** The clock when timing is on, else 0 (so callers pay nothing). */
export function stageClock(): number {
  return stagesOn ? performance.now() : 0;
}

/** Adds the time since `since` (a stageClock() reading) to the stage. */
export function endStage(name: string, since: number): void {
  if (stagesOn) addStage(name, performance.now() - since);
}

export function addStage(name: string, ms: number): void {
  totals.set(name, (totals.get(name) ?? 0) + ms);
}

export function stageTotals(): Record<string, number> {
  return Object.fromEntries([...totals].map(([k, v]) => [k, Math.round(v)]));
}

export function printStages(): void {
  if (!stagesOn) return;
  process.stderr.write(`flarelift-stages: ${Object.entries(stageTotals()).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
}
