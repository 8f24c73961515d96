// `flarelift migrate`: plan -> schema -> copy -> verify. Exit codes: 0 the target is proven equal
// to the source (rows rejected only when accepted ahead); 1 verify found differences; 2 bad input;
// 3 the copy stopped at --max-rejects; 4 the plan has blockers (and --accept-findings was not
// given); 5 rows were rejected and not accepted (--accept-rejects); 130 interrupted (resumable).
import { loadConfig } from '../../config/config.js';
import { DEFAULT_JOBS, DEFAULT_REJECT_DIR } from '../../pipeline/copy.js';
import { migrateAnySource, type MigrateResult } from '../../pipeline/migrate.js';
import { withAnySource } from '../../sources/with-source.js';
import { parseAnyTarget } from '../../targets/registry.js';
import { DEFAULT_FAILURES_FILE } from '../../verify/verify.js';
import { defineCommand } from '../command.js';
import type { Output } from '../output.js';
import { addS3Options, applyS3Options } from '../s3-options.js';
import { commaList, fromOption, interruptible, wholeNumber } from '../options.js';
import { addTargetOptions, targetOptionValues } from '../target-options.js';
import { createCopyRenderer, renderCopySummary } from '../render/copy-progress.js';
import { renderFindings } from '../render/plan-text.js';
import { acceptedRejectsNote, copiedRejects, EXIT_INCOMPLETE, incompleteLine, type RejectedTable } from '../render/rejects-verdict.js';
import { createVerifyRenderer, renderVerifySummary } from '../render/verify-text.js';

export const EXIT_CODES = { verified: 0, mismatch: 1, 'copy-incomplete': 3, blocked: 4, rejected: EXIT_INCOMPLETE, interrupted: 130 } as const;

export interface MigrateCliOptions {
  from: string;
  to: string;
  acceptFindings?: boolean;
  acceptRejects?: boolean;
  measure: boolean;
  tables?: string;
  jobs?: string;
  resume?: boolean;
  json?: boolean;
  maxRejects?: string;
  configFile?: string;
  rejectDir?: string;
  failures?: string;
  /** The target options (cli/target-options.ts): --config, --persist-to, --remote, --file-bytes, --batch-size. */
  [targetOption: string]: unknown;
}

export function renderMigrateResult(r: MigrateResult): string {
  const out: string[] = [];
  const { blockers, warnings } = r.plan.totals;
  out.push(`== plan: ${blockers} blocker(s), ${warnings} warning(s)`);
  out.push(renderFindings(r.plan.findings.filter((f) => f.severity !== 'info')));
  if (r.copy) out.push('', '== copy', renderCopySummary(r.copy));
  if (r.verify) out.push('', '== verify', renderVerifySummary(r.verify));
  out.push('', verdict(r));
  return out.join('\n');
}

function rejectedTables(r: MigrateResult): RejectedTable[] {
  return copiedRejects(r.copy?.tables ?? []);
}

function verdict(r: MigrateResult): string {
  switch (r.status) {
    case 'verified': {
      const rejected = r.verify!.totals.rejected;
      const proven = `PROVEN: the target holds exactly the source's ${r.verify!.totals.sourceRows - rejected} rows`;
      // D1 holds them exactly; a Worker does not read them so, because a rule of the user's kept INTEGER.
      const inexact = r.plan.findings.filter((f) => f.code === 'integer-above-2^53').map((f) => f.object);
      const worker = inexact.length ? ` A Worker reads ${inexact.join(', ')} inexactly (integers beyond 2^53 kept as INTEGER by your rule).` : '';
      return (rejected ? `${proven}, and not the ${rejected} rejected row(s) you accepted (${acceptedRejectsNote(rejectedTables(r), 'the reject files')}).` : `${proven}.`) + worker;
    }
    case 'rejected':
      return incompleteLine(rejectedTables(r), 'the reject files');
    case 'mismatch':
      return `NOT PROVEN: ${r.verify!.totals.mismatches} row(s) differ; see ${r.verify!.failuresFile ?? 'the failures file'}.`;
    case 'blocked':
      return 'STOPPED before copying: the plan has blockers. Fix them, or pass --accept-findings to copy anyway (rows that hit them are rejected).';
    case 'copy-incomplete':
      return 'STOPPED: more rows were rejected than --max-rejects allows; see the reject files, then run again with --resume.';
    case 'interrupted':
      return 'INTERRUPTED: run the same command with --resume to finish.';
  }
}

export async function runMigrate(given: MigrateCliOptions, output: Output): Promise<MigrateResult> {
  const o = applyS3Options(given);
  const config = loadConfig(o.configFile);
  const mode = o.json ? 'json' : output.interactive ? 'bars' : 'lines';
  const copyRenderer = createCopyRenderer(output, mode);
  const verifyRenderer = createVerifyRenderer(output, mode);
  const { signal, dispose } = interruptible(() => output.err('interrupted: stopping at the next safe point; finish later with --resume'), EXIT_CODES.interrupted);
  const { batchSize, ...targetOptions } = targetOptionValues(o, 'write');
  try {
    // The target is checked before the source is opened: a wrong --to costs no connection.
    const target = parseAnyTarget(o.to, targetOptions);
    return await withAnySource(o.from, (source) =>
      migrateAnySource(source, target, config.castRules, {
        batchSize: batchSize as number | undefined,
        acceptFindings: o.acceptFindings,
        acceptRejects: o.acceptRejects,
        measure: o.measure,
        tables: commaList(o.tables),
        jobs: wholeNumber('--jobs', o.jobs, 1),
        resume: o.resume,
        maxRejects: wholeNumber('--max-rejects', o.maxRejects, 0),
        rejectDir: o.rejectDir,
        failuresFile: o.failures,
        signal,
        onPlanProgress: (e) => {
          if (e.phase === 'measure' && !o.json) output.err(`plan: measuring ${e.table} (${e.done + 1}/${e.total})`);
        },
        onCopyEvent: (e) => {
          copyRenderer.onEvent(e);
          if (e.type === 'done') copyRenderer.stop();
        },
        onVerifyEvent: (e) => verifyRenderer.onEvent(e),
      }),
    );
  } finally {
    copyRenderer.stop();
    verifyRenderer.stop();
    dispose();
  }
}

export const migrateCommand = defineCommand<MigrateCliOptions>({
  name: 'migrate',
  summary: 'plan, schema, copy and verify in one go; exit 0 only when the target is proven equal',
  configure: (cmd) =>
    addS3Options(addTargetOptions(cmd.addOption(fromOption()), 'write'))
      .option('--accept-findings', 'copy even when the plan has blockers (rows that hit them are rejected)')
      .option('--accept-rejects', 'exit 0 when verify matches although copy rejected rows (they are still named)')
      .option('--no-measure', 'plan from catalog estimates without scanning the data')
      .option('--tables <list>', 'only these tables, comma-separated')
      .option('--jobs <n>', `tables copied and verified at the same time (default ${DEFAULT_JOBS})`)
      .option('--resume', 'finish an interrupted migration from the target\'s journal')
      .option('--json', 'JSON events per line, then the result as one JSON object')
      .option('--max-rejects <n>', 'stop (exit 3, resumable) once more than n rows are rejected')
      .option('--config-file <file>', 'cast rules file (default ./flarelift.toml when present)')
      .option('--reject-dir <dir>', `where rejected rows are written (default ./${DEFAULT_REJECT_DIR})`)
      .option('--failures <file>', `verify's differing rows (default ./${DEFAULT_FAILURES_FILE})`),
  async run(o, output) {
    const result = await runMigrate(o, output);
    output.out(o.json ? JSON.stringify(result, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2) : renderMigrateResult(result));
    return EXIT_CODES[result.status];
  },
});
