// `flarelift sync`: bring a copied target up to date with the source and prove it. Exit codes
// as verify's and copy's: 0 proven, 1 verify found differences after the sync, 2 a user error,
// 5 proven but rows copy rejected are absent (unless --accept-rejects), 130 interrupted by
// Ctrl-C (resumable with --resume).
import { DEFAULT_JOBS, DEFAULT_REJECT_DIR } from '../../pipeline/copy.js';
import { DEFAULT_SINCE_MARGIN_SECONDS, sync } from '../../pipeline/sync.js';
import { DEFAULT_FAILURES_FILE, DEFAULT_MAX_FAILURES, DEFAULT_ROW_CHUNK_ROWS } from '../../verify/verify.js';
import { defineCommand } from '../command.js';
import { commaList, fromOption, interruptible, wholeNumber } from '../options.js';
import { EXIT_INCOMPLETE, incompleteLine } from '../render/rejects-verdict.js';
import { createSyncRenderer, renderSyncSummary, syncSummaryJson } from '../render/sync-text.js';
import { addTargetOptions, targetOptionValues } from '../target-options.js';

interface SyncCliOptions {
  from: string;
  to: string;
  tables?: string;
  jobs?: string;
  resume?: boolean;
  json?: boolean;
  sinceColumn?: string[];
  detectSince?: boolean;
  sinceMargin?: string;
  chunkRows?: string;
  maxFailures?: string;
  failures?: string;
  configFile?: string;
  rejectDir?: string;
  acceptRejects?: boolean;
  [targetOption: string]: unknown;
}

export const EXIT_MISMATCH = 1;
export const EXIT_INTERRUPTED = 130;

const collect = (value: string, previous: string[] = []) => [...previous, value];

export const syncCommand = defineCommand<SyncCliOptions>({
  name: 'sync',
  summary: 'bring a copied target up to date with the source (only the chunks that differ), then prove it',
  configure: (cmd) =>
    addTargetOptions(cmd.addOption(fromOption()), 'write')
      .option('--tables <list>', 'only these tables, comma-separated')
      .option('--jobs <n>', `tables compared at the same time (default ${DEFAULT_JOBS})`)
      .option('--resume', 'finish a sync that was killed or interrupted (its counts carry on)')
      .option('--json', 'one JSON event per line, then the summary as JSON')
      .option('--since-column <table.column>', 'read only rows whose column is at or past the last sync\'s mark (repeatable)', collect)
      .option('--no-detect-since', 'do not use updated_at / modified_at / last_update columns found by name')
      .option('--since-margin <seconds>', `read from this long before the mark, for late commits (default ${DEFAULT_SINCE_MARGIN_SECONDS})`)
      .option('--chunk-rows <n>', `source rows per compared chunk (default ${DEFAULT_ROW_CHUNK_ROWS})`)
      .option('--max-failures <n>', `the proof: most differences written to the failures file (default ${DEFAULT_MAX_FAILURES})`)
      .option('--failures <file>', `the proof: JSON lines of differing rows (default ./${DEFAULT_FAILURES_FILE})`)
      .option('--config-file <file>', 'cast rules file the copy used (default ./flarelift.toml when present)')
      .option('--reject-dir <dir>', `the copy's reject files: those rows stay out, and count as rejected in the proof (default ./${DEFAULT_REJECT_DIR})`)
      .option('--accept-rejects', 'exit 0 when the only absent rows are ones copy rejected (they are still named)'),
  async run(o, output) {
    const { signal, dispose } = interruptible(() => output.err('interrupted: finishing the current chunk; the sync can be resumed with --resume (Ctrl-C again to quit at once)'), EXIT_INTERRUPTED);
    const renderer = createSyncRenderer(output, o.json ? 'json' : output.interactive ? 'bars' : 'lines');
    let summary;
    try {
      summary = await sync({
        ...targetOptionValues(o, 'write'),
        from: o.from,
        to: o.to,
        tables: commaList(o.tables),
        jobs: wholeNumber('--jobs', o.jobs, 1),
        resume: o.resume,
        sinceColumns: o.sinceColumn,
        detectSince: o.detectSince !== false,
        sinceMarginSeconds: wholeNumber('--since-margin', o.sinceMargin, 0),
        chunkRows: wholeNumber('--chunk-rows', o.chunkRows, 1),
        maxFailures: wholeNumber('--max-failures', o.maxFailures, 0),
        failuresFile: o.failures,
        configFile: o.configFile,
        rejectDir: o.rejectDir,
        signal,
        onEvent: (e) => renderer.onEvent(e),
      });
    } finally {
      renderer.stop();
      dispose();
    }
    // As verify ends: rows copy rejected are not in the target, so the proof is INCOMPLETE (exit 5) unless accepted.
    const v = summary.verify;
    const incomplete = summary.proven && v !== undefined && v.totals.rejected > 0 && !o.acceptRejects;
    const rows = (v?.tables ?? []).map((t) => ({ name: t.name, rejected: t.rejected, rows: t.sourceRows }));
    output.out(o.json ? syncSummaryJson(summary) : renderSyncSummary(summary) + (incomplete ? `\n${incompleteLine(rows, `${o.rejectDir ?? DEFAULT_REJECT_DIR}/`)}` : ''));
    if (summary.status === 'interrupted') return EXIT_INTERRUPTED;
    if (!summary.proven) return EXIT_MISMATCH;
    return incomplete ? EXIT_INCOMPLETE : 0;
  },
});
