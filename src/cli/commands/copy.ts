// `flarelift copy`: move the rows. Exit codes: 0 done (findings such as foreign-key violations
// are printed, not fatal), 2 a user error (the journal stays as it was), 3 more rejects than
// --max-rejects (resumable), 130 interrupted by Ctrl-C (resumable with --resume).
import { Option } from 'commander';
import { copy, DEFAULT_BATCH_ROWS, DEFAULT_JOBS, DEFAULT_REJECT_DIR } from '../../pipeline/copy.js';
import { defineCommand } from '../command.js';
import { addKeyspaceOptions, isRedisFrom, keyspaceCopyJson, renderKeyspaceCopy, runKeyspaceCopy, type KeyspaceCliOptions } from '../keyspace-cli.js';
import { commaList, fromOption, interruptible, wholeNumber } from '../options.js';
import { copySummaryJson, createCopyRenderer, renderCopySummary } from '../render/copy-progress.js';

interface CopyCliOptions extends Partial<KeyspaceCliOptions> {
  from: string;
  to: string;
  tables?: string;
  jobs?: string;
  resume?: boolean;
  json?: boolean;
  maxRejects?: string;
  batchSize?: string;
  config?: string;
  persistTo?: string;
  remote?: boolean;
  configFile?: string;
  rejectDir?: string;
  fileBytes?: string;
}

export const EXIT_MAX_REJECTS = 3;
export const EXIT_INTERRUPTED = 130;


export const copyCommand = defineCommand<CopyCliOptions>({
  name: 'copy',
  summary: 'copy the rows into D1 (local or remote), a SQLite file or import files, resumably',
  configure: (cmd) =>
    addKeyspaceOptions(cmd, { writes: true, verifies: false })
      .addOption(fromOption())
      .addOption(new Option('--to <target>', 'd1:<database> (local; --remote for the deployed one), sqlite:<path> or sql:<dir>; from Redis: kv:<BINDING> or kvjson:<dir>').makeOptionMandatory())
      .option('--tables <list>', 'only these tables, comma-separated')
      .option('--jobs <n>', `tables copied at the same time (default ${DEFAULT_JOBS})`)
      .option('--resume', 'finish an interrupted copy from the target\'s journal')
      .option('--json', 'one JSON event per line, then the summary as JSON')
      .option('--max-rejects <n>', 'stop (exit 3, resumable) once more than n rows are rejected (default: no limit)')
      .option('--batch-size <n>', `rows per batch and transaction (default ${DEFAULT_BATCH_ROWS})`)
      .option('--config <file>', 'd1: the wrangler config (default: wrangler.json/jsonc/toml from here upwards)')
      .option('--persist-to <dir>', 'd1 local: the directory given to wrangler --persist-to')
      .option('--remote', 'd1: the deployed database, through wrangler d1 execute --remote --file')
      .option('--config-file <file>', 'cast rules file (default ./flarelift.toml when present)')
      .option('--reject-dir <dir>', `where rejected rows are written, a file per table (default ./${DEFAULT_REJECT_DIR})`)
      .option('--file-bytes <n>', 'sql: and --remote: size of each import file in bytes (default 50000000)'),
  async run(o, output) {
    if (isRedisFrom(o.from)) {
      const { code, summary } = await runKeyspaceCopy(o, output);
      output.out(o.json ? keyspaceCopyJson(summary) : renderKeyspaceCopy(summary));
      return code;
    }
    const { signal, dispose } = interruptible(
      () => output.err('interrupted: finishing the current batch; the copy can be resumed with --resume (Ctrl-C again to quit at once)'),
      EXIT_INTERRUPTED,
    );
    const renderer = createCopyRenderer(output, o.json ? 'json' : output.interactive ? 'bars' : 'lines');
    let summary;
    try {
      summary = await copy({
        from: o.from,
        to: o.to,
        tables: commaList(o.tables),
        jobs: wholeNumber('--jobs', o.jobs, 1),
        resume: o.resume,
        maxRejects: wholeNumber('--max-rejects', o.maxRejects, 0),
        batchSize: wholeNumber('--batch-size', o.batchSize, 1),
        config: o.config,
        persistTo: o.persistTo,
        remote: o.remote,
        configFile: o.configFile,
        rejectDir: o.rejectDir,
        fileBytes: wholeNumber('--file-bytes', o.fileBytes, 1),
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
