// `flarelift copy`: move the rows. Exit codes: 0 done (findings such as foreign-key violations
// are printed, not fatal), 2 a user error (the journal stays as it was), 3 more rejects than
// --max-rejects (resumable), 130 interrupted by Ctrl-C (resumable with --resume).
import { copy, DEFAULT_JOBS, DEFAULT_REJECT_DIR } from '../../pipeline/copy.js';
import { defineCommand } from '../command.js';
import { addS3Options, applyS3Options } from '../s3-options.js';
import { commaList, fromOption, interruptible, wholeNumber } from '../options.js';
import { addTargetOptions, targetOptionValues } from '../target-options.js';
import { copySummaryJson, createCopyRenderer, renderCopySummary } from '../render/copy-progress.js';

interface CopyCliOptions {
  from: string;
  to: string;
  tables?: string;
  jobs?: string;
  resume?: boolean;
  json?: boolean;
  maxRejects?: string;
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
      .option('--max-rejects <n>', 'stop (exit 3, resumable) once more than n rows are rejected (default: no limit)')
      .option('--config-file <file>', 'cast rules file (default ./flarelift.toml when present)')
      .option('--reject-dir <dir>', `where rejected rows are written, a file per table (default ./${DEFAULT_REJECT_DIR})`),
  async run(given, output) {
    const o = applyS3Options(given);
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
        maxRejects: wholeNumber('--max-rejects', o.maxRejects, 0),
        configFile: o.configFile,
        rejectDir: o.rejectDir,
        signal,
        onEvent: (e) => renderer.onEvent(e),
      });
    } finally {
      renderer.stop();
      dispose();
    }
    output.out(o.json ? copySummaryJson(summary) : renderCopySummary(summary));
    if (summary.status === 'interrupted') return EXIT_INTERRUPTED;
    if (summary.status === 'max-rejects') return EXIT_MAX_REJECTS;
    return 0;
  },
});
