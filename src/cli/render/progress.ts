// Per-table progress shared by copy and verify: a cli-progress bar per table on a terminal,
// a plain line every few seconds otherwise, and one JSON object per event under --json. A
// collection measured in bytes (a bucket) shows bytes and MB/s beside its objects, and its bar
// and percentage follow the bytes (one large object moves the bar before it is done).
import cliProgress from 'cli-progress';
import type { Output } from '../output.js';
import { formatCount } from './table.js';

export type ProgressMode = 'json' | 'bars' | 'lines';

const LINE_EVERY_MS = 5_000;

export const rate = (rows: number, ms: number) => (ms > 0 ? Math.round((rows * 1000) / ms) : 0);
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
const mib = (n: number) => `${(n / 1024 / 1024).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })}`;
/** "512.0/1,024.0 MiB" */
const volumeText = (v: Volume) => `${mib(v.done)}/${mib(v.total)} MiB`;
/** MB/s (decimal megabytes, as transfer rates are quoted) from bytes over ms. */
const mbPerSecond = (bytes: number, ms: number) => (ms > 0 ? ((bytes / 1e6) * 1000) / ms : 0).toFixed(1);

/** Bytes done and in the source, for collections measured in bytes. */
export interface Volume {
  done: number;
  total: number;
}

export interface ProgressView {
  /** A message above the bars, or a line on stderr. */
  log(message: string): void;
  /** A table begins (again): `rows` already done, e.g. on resume. */
  start(table: string, total: number, rows: number, status: string, line: string, bytes?: Volume): void;
  update(table: string, rows: number, total: number, bytes?: Volume): void;
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
  const tables = new Map<string, { started: number; startRows: number; startBytes: number; lastLine: number }>();
  return {
    log: (message) => output.err(message),
    start(table, _total, rows, _status, line, bytes) {
      const now = Date.now();
      tables.set(table, { started: now, startRows: rows, startBytes: bytes?.done ?? 0, lastLine: now });
      output.err(line);
    },
    update(table, rows, total, bytes) {
      const t = tables.get(table);
      const now = Date.now();
      if (!t || now - t.lastLine < LINE_EVERY_MS) return;
      t.lastLine = now;
      const [done, of] = bytes ? [bytes.done, bytes.total] : [rows, total];
      const pct = of > 0 ? ` (${Math.min(100, Math.floor((done * 100) / of))}%)` : '';
      if (bytes) output.err(`${table}: ${formatCount(rows)}/${formatCount(total)} objects, ${volumeText(bytes)}${pct}, ${formatCount(rate(rows - t.startRows, now - t.started))} objects/s, ${mbPerSecond(bytes.done - t.startBytes, now - t.started)} MB/s`);
      else output.err(`${table}: ${formatCount(rows)}/${formatCount(total)} rows${pct}, ${formatCount(rate(rows - t.startRows, now - t.started))} rows/s`);
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
      format: '{table} |{bar}| {percentage}% {rows}/{totalRows} {unit} | {speed} {unit}/s{volume} | ETA {eta_formatted} {status}',
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
  // A bar measured in bytes (a bucket) counts bytes; its objects and MB/s ride in the payload.
  const bars = new Map<string, { bar: cliProgress.SingleBar; started: number; startRows: number; startBytes: number; inBytes: boolean }>();
  const volume = (b: { started: number; startBytes: number }, v: Volume | undefined) =>
    v ? ` | ${volumeText(v)} | ${mbPerSecond(v.done - b.startBytes, Date.now() - b.started)} MB/s` : '';
  return {
    log: (message) => multi.log(`${message}\n`),
    start(table, total, rows, status, _line, bytes) {
      const at = { started: Date.now(), startRows: rows, startBytes: bytes?.done ?? 0, inBytes: bytes !== undefined };
      const payload = { table: table.padEnd(width), rows: formatCount(rows), totalRows: formatCount(total), speed: 0, status, unit: bytes ? 'objects' : 'rows', volume: volume(at, bytes) };
      const [value, of] = bytes ? [bytes.done, bytes.total] : [rows, total];
      const b = bars.get(table);
      // A table started again (verify redoing it by key) starts its bar over.
      if (b) {
        b.bar.setTotal(Math.max(of, 1));
        b.bar.update(value, payload);
        Object.assign(b, at);
      } else {
        bars.set(table, { bar: multi.create(Math.max(of, 1), value, payload), ...at });
      }
    },
    update(table, rows, total, bytes) {
      const b = bars.get(table);
      if (!b) return;
      const [value, of] = b.inBytes && bytes ? [bytes.done, bytes.total] : [rows, total];
      if (value > of) b.bar.setTotal(value);
      b.bar.update(value, { rows: formatCount(rows), speed: formatCount(rate(rows - b.startRows, Date.now() - b.started)), volume: volume(b, bytes) });
    },
    finish(table, rows, status) {
      const b = bars.get(table);
      if (!b) return;
      // Filled: whatever it counts, the table is done.
      b.bar.update(b.inBytes ? Math.max(b.bar.getTotal(), 1) : Math.max(rows, 1), { rows: formatCount(rows), totalRows: formatCount(rows), status });
    },
    stop: () => multi.stop(),
  };
}
