// Drawing a verify's events: a bar per table on a terminal, plain lines otherwise, one JSON
// object per line under --json. Then the summary like copy's: table | source | target |
// missing | extra | changed | rejected | time, with a totals line.
import cliProgress from 'cli-progress';
import type { VerifyEvent, VerifySummary } from '../../verify/verify-events.js';
import type { Output } from '../output.js';
import { formatCount, textTable } from './table.js';

export interface VerifyRenderer {
  onEvent(event: VerifyEvent): void;
  /** Removes the bars (before the summary is printed). */
  stop(): void;
}

const LINE_EVERY_MS = 5_000;
const rate = (rows: number, ms: number) => (ms > 0 ? Math.round((rows * 1000) / ms) : 0);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
const countTables = (n: number) => `${n} table${n === 1 ? '' : 's'}`;

export function createVerifyRenderer(output: Output, mode: 'json' | 'bars' | 'lines'): VerifyRenderer {
  if (mode === 'json') {
    return {
      onEvent: (e) => {
        if (e.type !== 'done') output.out(JSON.stringify({ event: e.type, ...e, type: undefined }));
      },
      stop: () => undefined,
    };
  }
  return mode === 'bars' ? barRenderer() : lineRenderer(output);
}

function describeDone(e: Extract<VerifyEvent, { type: 'table-done' }>): string {
  const t = e.summary;
  const counts = t.mismatches === 0 ? 'matches' : `${formatCount(t.missing)} missing, ${formatCount(t.extra)} extra, ${formatCount(t.changed)} changed`;
  return `${t.name}: ${counts}${t.rejected ? ` (${formatCount(t.rejected)} rejected by copy)` : ''} in ${seconds(t.ms)}`;
}

function lineRenderer(output: Output): VerifyRenderer {
  const tables = new Map<string, { started: number; lastLine: number }>();
  return {
    onEvent(e) {
      const now = Date.now();
      switch (e.type) {
        case 'start':
          output.err(`verifying ${countTables(e.tables.length)}: ${e.source} against ${e.target} (${e.consistency})`);
          break;
        case 'table-start':
          tables.set(e.table, { started: now, lastLine: now });
          output.err(`${e.table}: ${formatCount(e.total)} rows in the source (${e.method})`);
          break;
        case 'progress': {
          const t = tables.get(e.table);
          if (!t || now - t.lastLine < LINE_EVERY_MS) break;
          t.lastLine = now;
          const pct = e.total > 0 ? ` (${Math.min(100, Math.floor((e.rows * 100) / e.total))}%)` : '';
          output.err(`${e.table}: ${formatCount(e.rows)}/${formatCount(e.total)} rows${pct}, ${formatCount(rate(e.rows, now - t.started))} rows/s`);
          break;
        }
        case 'note':
          output.err(e.message);
          break;
        case 'table-done':
          output.err(describeDone(e));
          break;
        default:
          break;
      }
    },
    stop: () => undefined,
  };
}

function barRenderer(): VerifyRenderer {
  const multi = new cliProgress.MultiBar(
    {
      format: '{table} |{bar}| {percentage}% {rows}/{totalRows} rows | {speed} rows/s | {status}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      fps: 5,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, { bar: cliProgress.SingleBar; started: number }>();
  const width = { n: 8 };
  return {
    onEvent(e) {
      const now = Date.now();
      switch (e.type) {
        case 'start':
          width.n = Math.max(8, ...e.tables.map((t) => t.length));
          multi.log(`verifying ${countTables(e.tables.length)}: ${e.source} against ${e.target} (${e.consistency})\n`);
          break;
        case 'table-start': {
          const payload = { table: e.table.padEnd(width.n), rows: '0', totalRows: formatCount(e.total), speed: 0, status: e.method };
          const b = bars.get(e.table);
          // A table compared again by key after its chunks failed starts its bar over.
          if (b) {
            b.bar.update(0, payload);
            b.started = now;
          } else bars.set(e.table, { bar: multi.create(Math.max(e.total, 1), 0, payload), started: now });
          break;
        }
        case 'progress': {
          const b = bars.get(e.table);
          if (!b) break;
          if (e.rows > e.total) b.bar.setTotal(e.rows);
          b.bar.update(e.rows, { rows: formatCount(e.rows), speed: formatCount(rate(e.rows, now - b.started)) });
          break;
        }
        case 'note':
          multi.log(`${e.message}\n`);
          break;
        case 'table-done': {
          const b = bars.get(e.summary.name);
          const t = e.summary;
          const status = t.mismatches === 0 ? 'matches' : `${formatCount(t.mismatches)} differences`;
          if (b) b.bar.update(Math.max(t.sourceRows, 1), { rows: formatCount(t.sourceRows), totalRows: formatCount(t.sourceRows), status });
          break;
        }
        default:
          break;
      }
    },
    stop: () => multi.stop(),
  };
}

export function renderVerifySummary(s: VerifySummary): string {
  const out: string[] = [];
  out.push(
    textTable(
      ['table', 'source', 'target', 'missing', 'extra', 'changed', 'rejected', 'time'],
      s.tables.map((t) => [
        `${t.name}${t.absent ? ' (not in the target)' : t.method !== 'chunks' ? ` (${t.method})` : ''}`,
        t.sourceRows,
        t.targetRows,
        t.missing,
        t.extra,
        t.changed,
        t.rejected,
        seconds(t.ms),
      ]),
      ['total', s.totals.sourceRows, s.totals.targetRows, s.totals.missing, s.totals.extra, s.totals.changed, s.totals.rejected, seconds(s.totals.ms)],
    ),
  );
  out.push('');
  const rejected = s.totals.rejected > 0 ? `; ${formatCount(s.totals.rejected)} source rows were rejected by copy and are absent by design` : '';
  if (s.ok) {
    out.push(`OK: the target matches the source, ${formatCount(s.totals.targetRows)} rows in ${countTables(s.tables.length)}${rejected}.`);
  } else if (s.totals.mismatches > 0) {
    const bad = s.tables.filter((t) => t.mismatches > 0).map((t) => t.name);
    out.push(`MISMATCH: ${formatCount(s.totals.mismatches)} rows differ in ${countTables(bad.length)} (${bad.join(', ')})${rejected}.`);
  }
  if (s.failuresFile) out.push(`Differences, by key: ${s.failuresFile}`);
  for (const n of s.notes) out.push(n);
  out.push(`Source view: ${s.consistency}.`);
  if (s.interrupted) out.push('', 'Interrupted: not every table was compared.');
  return out.join('\n');
}

/** The --json summary line; `ok` and `tables` first. */
export function verifySummaryJson(s: VerifySummary): string {
  return JSON.stringify({
    ok: s.ok,
    tables: s.tables.map((t) => ({
      name: t.name,
      sourceRows: t.sourceRows,
      targetRows: t.targetRows,
      mismatches: t.mismatches,
      missing: t.missing,
      extra: t.extra,
      changed: t.changed,
      rejected: t.rejected,
      method: t.method,
      ms: t.ms,
      ...(t.absent ? { absent: true } : {}),
    })),
    totals: s.totals,
    interrupted: s.interrupted,
    source: s.source,
    target: s.target,
    consistency: s.consistency,
    ...(s.failuresFile ? { failuresFile: s.failuresFile } : {}),
    failuresWritten: s.failuresWritten,
    notes: s.notes,
  });
}
