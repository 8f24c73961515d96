// `flarelift verify`: prove the target holds what the source holds. Exit codes: 0 every table
// matches (rows copy rejected aside), 1 differences found (listed in the failures file), 2 a
// user error, 130 interrupted by Ctrl-C.
import { Option } from 'commander';
import { UserError } from '../../errors.js';
import { DEFAULT_JOBS, DEFAULT_REJECT_DIR } from '../../pipeline/copy.js';
import { DEFAULT_CHUNK_ROWS, DEFAULT_FAILURES_FILE, DEFAULT_MAX_FAILURES, verify } from '../../verify/verify.js';
import { defineCommand } from '../command.js';
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
  config?: string;
  persistTo?: string;
  remote?: boolean;
  configFile?: string;
  rejectDir?: string;
}

export const EXIT_MISMATCH = 1;
export const EXIT_INTERRUPTED = 130;

function count(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new UserError(`${name} ${value} is not a whole number of at least ${min}`);
  return n;
}

export const verifyCommand = defineCommand<VerifyCliOptions>({
  name: 'verify',
  summary: 'prove the target holds the source\'s rows: counts, chunk hashes in key order, differing rows by key',
  configure: (cmd) =>
    cmd
      .addOption(new Option('--from <source>', 'postgres://…, mysql://…, mariadb://…, sqlite:<path> or a .sqlite file').makeOptionMandatory())
      .addOption(new Option('--to <target>', 'd1:<database> (local; --remote for the deployed one) or sqlite:<path>').makeOptionMandatory())
      .option('--tables <list>', 'only these tables, comma-separated')
      .option('--jobs <n>', `tables compared at the same time (default ${DEFAULT_JOBS})`)
      .option('--json', 'one JSON event per line, then the summary as JSON')
      .option('--max-failures <n>', `most differences written to the failures file (default ${DEFAULT_MAX_FAILURES}; counts stay exact)`)
      .option('--failures <file>', `JSON lines of the differing rows, by key (default ./${DEFAULT_FAILURES_FILE})`)
      .option('--chunk-rows <n>', `source rows per hashed chunk (default ${DEFAULT_CHUNK_ROWS})`)
      .option('--config <file>', 'd1: the wrangler config (default: wrangler.json/jsonc/toml from here upwards)')
      .option('--persist-to <dir>', 'd1 local: the directory given to wrangler --persist-to')
      .option('--remote', 'd1: the deployed database, read through wrangler d1 execute --remote')
      .option('--config-file <file>', 'cast rules file the copy used (default ./flarelift.toml when present)')
      .option('--reject-dir <dir>', `the copy's reject files: rows listed there count as rejected, not missing (default ./${DEFAULT_REJECT_DIR})`),
  async run(o, output) {
    const controller = new AbortController();
    const onSigint = () => {
      output.err('interrupted: stopping after the current chunk');
      controller.abort();
    };
    const renderer = createVerifyRenderer(output, o.json ? 'json' : output.interactive ? 'bars' : 'lines');
    process.on('SIGINT', onSigint);
    let summary;
    try {
      summary = await verify({
        from: o.from,
        to: o.to,
        tables: o.tables?.split(',').map((t) => t.trim()).filter(Boolean),
        jobs: count('--jobs', o.jobs, 1),
        maxFailures: count('--max-failures', o.maxFailures, 0),
        failuresFile: o.failures,
        chunkRows: count('--chunk-rows', o.chunkRows, 1),
        config: o.config,
        persistTo: o.persistTo,
        remote: o.remote,
        configFile: o.configFile,
        rejectDir: o.rejectDir,
        signal: controller.signal,
        onEvent: (e) => renderer.onEvent(e),
      });
    } finally {
      renderer.stop();
      process.off('SIGINT', onSigint);
    }
    output.out(o.json ? verifySummaryJson(summary) : renderVerifySummary(summary));
    if (summary.interrupted) return EXIT_INTERRUPTED;
    return summary.ok ? 0 : EXIT_MISMATCH;
  },
});
