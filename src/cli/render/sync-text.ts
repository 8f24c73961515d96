// Drawing a sync's events: a bar per table on a terminal, plain lines otherwise, one JSON object
// per line under --json (the final verify's events as {"event":"verify-table-done", …}). Then the summary
// like copy's: table | method | inserted | updated | deleted | chunks | differing | time, the lag,
// the estimate of a last sync with writes stopped, and the proof.
import type { SyncEvent, SyncSummary } from '../../pipeline/sync-events.js';
import type { Output } from '../output.js';
import { jsonEvents, progressView, seconds, type ProgressMode, type ProgressView } from './progress.js';
import { formatCount, textTable } from './table.js';
import { createVerifyRenderer, renderVerifySummary, verifySummaryJson, type VerifyRenderer } from './verify-text.js';

export interface SyncRenderer {
  onEvent(event: SyncEvent): void;
  stop(): void;
}

export function createSyncRenderer(output: Output, mode: ProgressMode): SyncRenderer {
  if (mode === 'json') {
    const json = jsonEvents(output);
    // The proof's events as verify prints them, named verify-start, verify-table-done, …
    return { onEvent: (e) => json(e.type === 'verify' ? { ...e.event, type: `verify-${e.event.type}` } : e), stop: () => undefined };
  }
  let view: ProgressView | undefined;
  let verify: VerifyRenderer | undefined;
  return {
    onEvent(e) {
      switch (e.type) {
        case 'start':
          view = progressView(output, mode, e.tables);
          view.log(`syncing ${e.tables.length} tables from ${e.source} to ${e.target} (${e.consistency})${e.resumed ? ', resuming' : ''}`);
          break;
        case 'table-start':
          view?.start(e.table, e.total, 0, e.method, `${e.table}: about ${formatCount(e.total)} rows in the source (${e.method})`);
          break;
        case 'progress':
          view?.update(e.table, e.rows, e.total);
          break;
        case 'table-done': {
          const t = e.summary;
          view?.finish(t.name, t.sourceRows, 'done', `${t.name}: ${formatCount(t.inserted)} inserted, ${formatCount(t.updated)} updated, ${formatCount(t.deleted)} deleted in ${seconds(t.ms)}`);
          break;
        }
        case 'note':
          (view ?? { log: (m: string) => output.err(m) }).log(e.message);
          break;
        case 'verify':
          if (e.event.type === 'start') {
            view?.stop();
            verify = createVerifyRenderer(output, mode);
          }
          verify?.onEvent(e.event);
          break;
        default:
          break;
      }
    },
    stop: () => {
      view?.stop();
      verify?.stop();
    },
  };
}

export function renderSyncSummary(s: SyncSummary): string {
  const out: string[] = [];
  out.push(
    textTable(
      ['table', 'method', 'inserted', 'updated', 'deleted', 'chunks', 'differing', 'time'],
      s.tables.map((t) => [`${t.name}${t.resumed ? ' (resumed)' : ''}`, t.method, t.inserted, t.updated, t.deleted, t.chunks, t.chunksDiffering, seconds(t.ms)]),
      ['total', '', s.totals.inserted, s.totals.updated, s.totals.deleted, s.totals.chunks, s.totals.chunksDiffering, seconds(s.totals.ms)],
    ),
  );
  const since = s.tables.filter((t) => t.since);
  if (since.length > 0) out.push(`Read since the last mark: ${since.map((t) => `${t.name}.${t.since!.column}${t.since!.from ? ` >= ${t.since!.from}` : ' (first sync: every row; mark recorded)'}`).join(', ')}`);
  const rejected = s.tables.filter((t) => t.rejected > 0);
  if (rejected.length > 0) out.push(`Left out as copy would reject them: ${rejected.map((t) => `${formatCount(t.rejected)} in ${t.name}`).join(', ')}`);
  for (const n of s.notes) out.push(n);
  out.push(`Source view: ${s.consistency}.`);
  out.push(`Lag: the target holds the source as it was ${seconds(s.lagMs)} before the last change was applied.`);
  const e = s.estimate;
  out.push(
    `Estimate of a last sync with writes stopped: ${seconds(e.ms)} (comparing ${seconds(e.compareMs)}, applying ${formatCount(e.rows)} changed rows ${seconds(e.applyMs)}, proof ${seconds(e.verifyMs)}) — measured in this run; fewer changed rows make it shorter.`,
  );
  if (s.verify) out.push('', renderVerifySummary(s.verify));
  if (s.status === 'interrupted') out.push('', 'Interrupted: the chunks applied stay. Run the same command with --resume to finish.');
  else out.push('', s.proven ? 'PROVEN: the target holds the source snapshot this sync read.' : 'NOT PROVEN: verify found differences after the sync (see above).');
  return out.join('\n');
}

export function syncSummaryJson(s: SyncSummary): string {
  const { verify, ...rest } = s;
  return JSON.stringify({ ...rest, ...(verify ? { verify: JSON.parse(verifySummaryJson(verify)) as unknown } : {}) });
}
