// `flarelift verify`: prove the target holds what the source holds. Exit codes: 0 every table
// matches and every source row is there (or its rejects were accepted with --accept-rejects),
// 1 differences found (listed in the failures file), 2 a user error, 5 every table matches but
// rows copy rejected are not in the target, 130 interrupted by Ctrl-C.
import { DEFAULT_JOBS, DEFAULT_REJECT_DIR } from '../../pipeline/copy.js';
import { DEFAULT_CHUNK_ROWS, DEFAULT_FAILURES_FILE, DEFAULT_MAX_FAILURES, DEFAULT_ROW_CHUNK_ROWS, verify } from '../../verify/verify.js';
import { defineCommand } from '../command.js';
import { addS3Options, applyS3Options } from '../s3-options.js';
import { commaList, fromOption, interruptible, wholeNumber } from '../options.js';
import { EXIT_INCOMPLETE, incompleteLine } from '../render/rejects-verdict.js';
import { addTargetOptions, targetOptionValues } from '../target-options.js';
import { createVerifyRenderer, renderVerifySummary, verifySummaryJson } from '../render/verify-text.js';

interface VerifyCliOptions {
  from: string;
  to: string;
  tables?: string;
  jobs?: string;
  json?: boolean;
  maxFailures?: string;
  failures?: string;
  chunkRows?: string;
  configFile?: string;
  rejectDir?: string;
  acceptRejects?: boolean;
  /** The target options (cli/target-options.ts). */
  [targetOption: string]: unknown;
}

export const EXIT_MISMATCH = 1;
export const EXIT_INTERRUPTED = 130;


export const verifyCommand = defineCommand<VerifyCliOptions>({
  name: 'verify',
  summary: 'prove the target holds the source\'s rows: counts, chunk hashes in key order, differing rows by key',
  configure: (cmd) =>
    addS3Options(addTargetOptions(cmd.addOption(fromOption()), 'read'))
      .option('--checksum', 'buckets: read every object on both sides and compare MD5s (default: sizes, and MD5s the stores already know)')
      .option('--tables <list>', 'only these tables, comma-separated')
      .option('--jobs <n>', `tables compared at the same time (default ${DEFAULT_JOBS})`)
      .option('--json', 'one JSON event per line, then the summary as JSON')
      .option('--max-failures <n>', `most differences written to the failures file (default ${DEFAULT_MAX_FAILURES}; counts stay exact)`)
      .option('--failures <file>', `JSON lines of the differing rows, by key (default ./${DEFAULT_FAILURES_FILE})`)
      .option('--chunk-rows <n>', `source rows per hashed chunk (default ${DEFAULT_CHUNK_ROWS} where the source digests chunks itself, else ${DEFAULT_ROW_CHUNK_ROWS})`)
      .option('--config-file <file>', 'cast rules file the copy used (default ./flarelift.toml when present)')
      .option('--accept-rejects', 'exit 0 when the only absent rows are ones copy rejected (they are still named)')
      .option('--reject-dir <dir>', `the copy's reject files: rows listed there count as rejected, not missing (default ./${DEFAULT_REJECT_DIR})`),
  async run(given, output) {
    const o = applyS3Options(given);
    const { signal, dispose } = interruptible(() => output.err('interrupted: stopping after the current chunk (Ctrl-C again to quit at once)'), EXIT_INTERRUPTED);
    const renderer = createVerifyRenderer(output, o.json ? 'json' : output.interactive ? 'bars' : 'lines');
    let summary;
    try {
      summary = await verify({
        ...targetOptionValues(o, 'read'),
        from: o.from,
        to: o.to,
        tables: commaList(o.tables),
        jobs: wholeNumber('--jobs', o.jobs, 1),
        maxFailures: wholeNumber('--max-failures', o.maxFailures, 0),
        failuresFile: o.failures,
        chunkRows: wholeNumber('--chunk-rows', o.chunkRows, 1),
        configFile: o.configFile,
        rejectDir: o.rejectDir,
        checksum: Boolean(o.checksum),
        signal,
        onEvent: (e) => renderer.onEvent(e),
      });
    } finally {
      renderer.stop();
      dispose();
    }
    const incomplete = summary.ok && summary.totals.rejected > 0 && !o.acceptRejects;
    const where = `${o.rejectDir ?? DEFAULT_REJECT_DIR}/`;
    const rows = summary.tables.map((t) => ({ name: t.name, rejected: t.rejected, rows: t.sourceRows }));
    output.out(o.json ? verifySummaryJson(summary) : renderVerifySummary(summary) + (incomplete ? `\n${incompleteLine(rows, where)}` : ''));
    if (summary.interrupted) return EXIT_INTERRUPTED;
    if (!summary.ok) return EXIT_MISMATCH;
    return incomplete ? EXIT_INCOMPLETE : 0;
  },
});
