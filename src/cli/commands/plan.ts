import { loadConfig } from '../../config/config.js';
import { planSource } from '../../pipeline/plan.js';
import { isUnitSource } from '../../sources/registry.js';
import { withAnySource } from '../../sources/with-source.js';
import { defineCommand } from '../command.js';
import { addS3Options, applyS3Options } from '../s3-options.js';
import { fromOption } from '../options.js';
import { renderPlan, renderUnitPlan } from '../render/plan-text.js';

interface PlanOptions {
  from: string;
  json?: boolean;
  measure: boolean;
  casts: boolean;
  configFile?: string;
}

export const planCommand = defineCommand<PlanOptions>({
  name: 'plan',
  summary: 'inventory a source: what carries over to D1, what changes, what blocks',
  configure: (cmd) =>
    addS3Options(cmd.addOption(fromOption()))
      .option('--json', 'print the plan as JSON (shape documented in the README)')
      .option('--no-measure', 'skip scanning the data (row sizes, integers above 2^53); use catalog estimates')
      .option('--no-casts', 'text output: leave out the per-column casts')
      .option('--config-file <file>', 'cast rules file (default ./flarelift.toml when present)'),
  async run(given, output) {
    const o = applyS3Options(given);
    const config = loadConfig(o.configFile);
    const progress = (message: string) => {
      if (!o.json) output.err(message);
    };
    const ctx = await withAnySource(o.from, async (source) => {
      if (isUnitSource(source)) return { unitPlan: await source.plan({ onProgress: progress }) };
      return planSource(source, {
        userRules: config.castRules,
        measure: o.measure,
        onProgress: (e) => {
          if (e.phase === 'measure') progress(`measuring ${e.table} (${e.done + 1}/${e.total})`);
        },
      });
    });
    if ('unitPlan' in ctx) {
      output.out(o.json ? JSON.stringify(ctx.unitPlan, null, 2) : renderUnitPlan(ctx.unitPlan));
      return 0;
    }
    output.out(o.json ? JSON.stringify(ctx.plan, null, 2) : renderPlan(ctx.plan, { casts: o.casts }));
    return 0;
  },
});
