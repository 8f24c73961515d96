// Per-table progress shared by copy and verify: a cli-progress bar per table on a terminal,
// a plain line every few seconds otherwise, and one JSON object per event under --json.
import cliProgress from 'cli-progress';
import type { Output } from '../output.js';
import { formatCount } from './table.js';

export type ProgressMode = 'json' | 'bars' | 'lines';

const LINE_EVERY_MS = 5_000;

export const rate = (rows: number, ms: number) => (ms > 0 ? Math.round((rows * 1000) / ms) : 0);
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export interface ProgressView {
  /** A message above the bars, or a line on stderr. */
  log(message: string): void;
  /** A table begins (again): `rows` already done, e.g. on resume. */
  start(table: string, total: number, rows: number, status: string, line: string): void;
  update(table: string, rows: number, total: number): void;
  /** A table ends: its bar is filled, or `line` is printed. */
  finish(table: string, rows: number, status: string, line: string | undefined): void;
  stop(): void;
}

/** Events as JSON lines (the 'done' event is the summary, printed by the command). */
export function jsonEvents(output: Output): (event: { type: string }) => void {
  return (e) => {
    if (e.type !== 'done') output.out(JSON.stringify({ event: e.type, ...e, type: undefined }));
  };
}

export function progressView(output: Output, mode: 'bars' | 'lines', tables: readonly string[]): ProgressView {
  return mode === 'bars' ? barView(tables) : lineView(output);
}

function lineView(output: Output): ProgressView {
  const tables = new Map<string, { started: number; startRows: number; lastLine: number }>();
  return {
    log: (message) => output.err(message),
    start(table, _total, rows, _status, line) {
      const now = Date.now();
      tables.set(table, { started: now, startRows: rows, lastLine: now });
      output.err(line);
    },
    update(table, rows, total) {
      const t = tables.get(table);
      const now = Date.now();
      if (!t || now - t.lastLine < LINE_EVERY_MS) return;
      t.lastLine = now;
      const pct = total > 0 ? ` (${Math.min(100, Math.floor((rows * 100) / total))}%)` : '';
      output.err(`${table}: ${formatCount(rows)}/${formatCount(total)} rows${pct}, ${formatCount(rate(rows - t.startRows, now - t.started))} rows/s`);
    },
    finish(_table, _rows, _status, line) {
      if (line) output.err(line);
    },
    stop: () => undefined,
  };
}

function barView(tables: readonly string[]): ProgressView {
  const multi = new cliProgress.MultiBar(
    {
      format: '{table} |{bar}| {percentage}% {rows}/{totalRows} rows | {speed} rows/s | ETA {eta_formatted} {status}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      fps: 5,
      // The terminal is stderr, as for every progress message (Output.interactive looks at it).
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  const width = Math.max(8, ...tables.map((t) => t.length));
  const bars = new Map<string, { bar: cliProgress.SingleBar; started: number; startRows: number }>();
  return {
    log: (message) => multi.log(`${message}\n`),
    start(table, total, rows, status) {
      const payload = { table: table.padEnd(width), rows: formatCount(rows), totalRows: formatCount(total), speed: 0, status };
      const b = bars.get(table);
      // A table started again (verify redoing it by key) starts its bar over.
      if (b) {
        b.bar.update(rows, payload);
        Object.assign(b, { started: Date.now(), startRows: rows });
      } else {
        bars.set(table, { bar: multi.create(Math.max(total, 1), rows, payload), started: Date.now(), startRows: rows });
      }
    },
    update(table, rows, total) {
      const b = bars.get(table);
      if (!b) return;
      if (rows > total) b.bar.setTotal(rows);
      b.bar.update(rows, { rows: formatCount(rows), speed: formatCount(rate(rows - b.startRows, Date.now() - b.started)) });
    },
    finish(table, rows, status) {
      bars.get(table)?.bar.update(Math.max(rows, 1), { rows: formatCount(rows), totalRows: formatCount(rows), status });
    },
    stop: () => multi.stop(),
  };
}
