// Drawing a copy's events: a bar per table on a terminal (cli-progress: rows, rows/s, ETA),
// plain lines every few seconds otherwise, one JSON object per line under --json. Then the
// summary, pgloader style: table | read | written | rejected | time, with a totals line.
import cliProgress from 'cli-progress';
import type { CopyEvent, CopySummary } from '../../pipeline/copy-events.js';
import type { Output } from '../output.js';
import { renderFindings } from './plan-text.js';
import { formatCount, textTable } from './table.js';

export interface CopyRenderer {
  onEvent(event: CopyEvent): void;
  /** Removes the bars (before the summary is printed). */
  stop(): void;
}

const LINE_EVERY_MS = 5_000;

function rate(rows: number, ms: number): number {
  return ms > 0 ? Math.round((rows * 1000) / ms) : 0;
}

export function createCopyRenderer(output: Output, mode: 'json' | 'bars' | 'lines'): CopyRenderer {
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

function lineRenderer(output: Output): CopyRenderer {
  const tables = new Map<string, { started: number; startRows: number; lastLine: number }>();
  return {
    onEvent(e) {
      const now = Date.now();
      switch (e.type) {
        case 'start':
          output.err(`copying ${e.tables.length} tables from ${e.source} to ${e.target} (${e.consistency})`);
          break;
        case 'table-start':
          tables.set(e.table, { started: now, startRows: e.rows, lastLine: now });
          output.err(`${e.table}: ${formatCount(e.total)} rows in the source${e.rows > 0 ? `, resuming after ${formatCount(e.rows)}` : ''}${e.restarted ? ' (no key: started over)' : ''}`);
          break;
        case 'progress': {
          const t = tables.get(e.table);
          if (!t || now - t.lastLine < LINE_EVERY_MS) break;
          t.lastLine = now;
          const pct = e.total > 0 ? ` (${Math.min(100, Math.floor((e.rows * 100) / e.total))}%)` : '';
          output.err(`${e.table}: ${formatCount(e.rows)}/${formatCount(e.total)} rows${pct}, ${formatCount(rate(e.rows - t.startRows, now - t.started))} rows/s`);
          break;
        }
        case 'table-done':
          if (!e.skipped) output.err(`${e.table}: done, ${formatCount(e.written)} written, ${formatCount(e.rejected)} rejected in ${(e.ms / 1000).toFixed(1)}s`);
          break;
        case 'note':
          output.err(e.message);
          break;
        default:
          break;
      }
    },
    stop: () => undefined,
  };
}

function barRenderer(): CopyRenderer {
  const multi = new cliProgress.MultiBar(
    {
      format: '{table} |{bar}| {percentage}% {rows}/{totalRows} rows | {speed} rows/s | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      fps: 5,
      // The terminal is stderr, as for every progress message (Output.interactive looks at it).
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, { bar: cliProgress.SingleBar; started: number; startRows: number }>();
  const width = { n: 8 };
  return {
    onEvent(e) {
      const now = Date.now();
      switch (e.type) {
        case 'start':
          width.n = Math.max(8, ...e.tables.map((t) => t.length));
          multi.log(`copying ${e.tables.length} tables from ${e.source} to ${e.target} (${e.consistency})\n`);
          break;
        case 'table-start': {
          const payload = { table: e.table.padEnd(width.n), rows: formatCount(e.rows), totalRows: formatCount(e.total), speed: 0 };
          bars.set(e.table, { bar: multi.create(Math.max(e.total, 1), e.rows, payload), started: now, startRows: e.rows });
          break;
        }
        case 'progress': {
          const b = bars.get(e.table);
          if (!b) break;
          if (e.rows > e.total) b.bar.setTotal(e.rows);
          b.bar.update(e.rows, { rows: formatCount(e.rows), speed: formatCount(rate(e.rows - b.startRows, now - b.started)) });
          break;
        }
        case 'table-done': {
          const b = bars.get(e.table);
          if (b) b.bar.update(Math.max(e.read, 1), { rows: formatCount(e.read), totalRows: formatCount(e.read) });
          break;
        }
        case 'note':
          multi.log(`${e.message}\n`);
          break;
        default:
          break;
      }
    },
    stop: () => multi.stop(),
  };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export function renderCopySummary(s: CopySummary): string {
  const out: string[] = [];
  out.push(
    textTable(
      ['table', 'read', 'written', 'rejected', 'time'],
      s.tables.map((t) => [
        `${t.name}${t.skipped ? ' (done before)' : t.restarted ? ' (restarted: no key)' : ''}`,
        t.read,
        t.written,
        t.rejected,
        seconds(t.ms),
      ]),
      ['total', s.totals.read, s.totals.written, s.totals.rejected, seconds(s.totals.ms)],
    ),
  );
  const unbalanced = s.tables.filter((t) => t.read !== t.written + t.rejected);
  out.push('', unbalanced.length === 0 ? 'Every table: read = written + rejected.' : `NOT BALANCED (read != written + rejected): ${unbalanced.map((t) => t.name).join(', ')}`);
  const rejectFiles = s.tables.filter((t) => t.rejectFile);
  if (rejectFiles.length > 0) out.push(`Rejected rows, with their reasons: ${rejectFiles.map((t) => t.rejectFile).join(', ')}`);
  for (const n of s.notes) out.push(n);
  out.push(`Source view: ${s.consistency}.`);
  if (s.findings.length > 0) out.push('', renderFindings(s.findings));
  if (s.status === 'interrupted') out.push('', 'Interrupted: what is committed stays. Run the same command with --resume to finish.');
  if (s.status === 'max-rejects') out.push('', 'Stopped: more rows rejected than --max-rejects allows. Fix the data or raise the limit, then run with --resume.');
  return out.join('\n');
}

/** The --json summary line: tables and totals, with the status, findings and notes. */
export function copySummaryJson(s: CopySummary): string {
  return JSON.stringify({
    status: s.status,
    source: s.source,
    target: s.target,
    consistency: s.consistency,
    tables: s.tables.map((t) => ({
      name: t.name,
      read: t.read,
      written: t.written,
      rejected: t.rejected,
      ms: t.ms,
      ...(t.rejectFile ? { rejectFile: t.rejectFile } : {}),
      ...(t.resumed ? { resumed: true } : {}),
      ...(t.restarted ? { restarted: true } : {}),
      ...(t.skipped ? { skipped: true } : {}),
    })),
    totals: s.totals,
    findings: s.findings,
    notes: s.notes,
  });
}
