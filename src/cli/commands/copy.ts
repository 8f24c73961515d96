// `flarelift copy`: move the rows. Exit codes: 0 done with every row written (findings such as
// foreign-key violations are printed, not fatal), 2 a user error (the journal stays as it was),
// 3 more rejects than --max-rejects (resumable), 5 done but rows were rejected and not accepted
// ahead (--accept-rejects, or a --max-rejects it stayed under) — as migrate and verify say it —,
// 130 interrupted by Ctrl-C (resumable with --resume).
import { copy, DEFAULT_JOBS, DEFAULT_REJECT_DIR } from '../../pipeline/copy.js';
import { defineCommand } from '../command.js';
import { addS3Options, applyS3Options } from '../s3-options.js';
import { commaList, fromOption, interruptible, wholeNumber } from '../options.js';
import { addTargetOptions, targetOptionValues } from '../target-options.js';
import { copySummaryJson, createCopyRenderer, renderCopySummary } from '../render/copy-progress.js';
import { acceptedRejectsNote, copiedRejects, EXIT_INCOMPLETE, incompleteLine } from '../render/rejects-verdict.js';

interface CopyCliOptions {
  from: string;
  to: string;
  tables?: string;
  jobs?: string;
  resume?: boolean;
  json?: boolean;
  maxRejects?: string;
  acceptRejects?: boolean;
  configFile?: string;
  rejectDir?: string;
  /** The target options (cli/target-options.ts). */
  [targetOption: string]: unknown;
}

export const EXIT_MAX_REJECTS = 3;
export const EXIT_INTERRUPTED = 130;


export const copyCommand = defineCommand<CopyCliOptions>({
  name: 'copy',
  summary: 'copy the rows into D1 (local or remote), a SQLite file or import files, resumably',
  configure: (cmd) =>
    addS3Options(addTargetOptions(cmd.addOption(fromOption()), 'write'))
      .option('--tables <list>', 'only these tables, comma-separated')
      .option('--jobs <n>', `tables (or a bucket's objects) copied at the same time (default ${DEFAULT_JOBS})`)
      .option('--resume', 'finish an interrupted copy from the target\'s journal')
      .option('--json', 'one JSON event per line, then the summary as JSON')
      .option('--max-rejects <n>', 'stop (exit 3, resumable) once more than n rows are rejected (default: no limit); fewer are accepted')
      .option('--accept-rejects', 'exit 0 although rows were rejected (they are still named)')
      .option('--config-file <file>', 'cast rules file (default ./flarelift.toml when present)')
      .option('--reject-dir <dir>', `where rejected rows are written, a file per table (default ./${DEFAULT_REJECT_DIR})`),
  async run(given, output) {
    const o = applyS3Options(given);
    const maxRejects = wholeNumber('--max-rejects', o.maxRejects, 0);
    const { signal, dispose } = interruptible(
      () => output.err('interrupted: finishing the current batch; the copy can be resumed with --resume (Ctrl-C again to quit at once)'),
      EXIT_INTERRUPTED,
    );
    const renderer = createCopyRenderer(output, o.json ? 'json' : output.interactive ? 'bars' : 'lines');
    let summary;
    try {
      summary = await copy({
        ...targetOptionValues(o, 'write'),
        from: o.from,
        to: o.to,
        tables: commaList(o.tables),
        jobs: wholeNumber('--jobs', o.jobs, 1),
        resume: o.resume,
        maxRejects,
        configFile: o.configFile,
        rejectDir: o.rejectDir,
        signal,
        onEvent: (e) => renderer.onEvent(e),
      });
    } finally {
      renderer.stop();
      dispose();
    }
    // A finished copy that left rows out ends as migrate and verify do: INCOMPLETE and exit 5,
    // unless the user accepted rejects ahead; accepted ones are named all the same.
    const rejected = summary.status === 'complete' && summary.totals.rejected > 0;
    const accepted = o.acceptRejects === true || maxRejects !== undefined;
    const rows = copiedRejects(summary.tables);
    const where = `${o.rejectDir ?? DEFAULT_REJECT_DIR}/`;
    const verdict = rejected ? `\n${accepted ? acceptedRejectsNote(rows, where) : incompleteLine(rows, where)}` : '';
    output.out(o.json ? copySummaryJson(summary) : renderCopySummary(summary) + verdict);
    if (summary.status === 'interrupted') return EXIT_INTERRUPTED;
    if (summary.status === 'max-rejects') return EXIT_MAX_REJECTS;
    return rejected && !accepted ? EXIT_INCOMPLETE : 0;
  },
});
