import { loadConfig } from '../../config/config.js';
import { planSource } from '../../pipeline/plan.js';
import { withSource } from '../../sources/with-source.js';
import { defineCommand } from '../command.js';
import { addKeyspaceOptions, isRedisFrom, renderKeyspacePlan, runKeyspacePlan } from '../keyspace-cli.js';
import { fromOption } from '../options.js';
import { renderPlan } from '../render/plan-text.js';

interface PlanOptions {
  from: string;
  json?: boolean;
  measure: boolean;
  casts: boolean;
  configFile?: string;
  match?: string;
}

export const planCommand = defineCommand<PlanOptions>({
  name: 'plan',
  summary: 'inventory a source: what carries over to D1, what changes, what blocks',
  configure: (cmd) =>
    addKeyspaceOptions(cmd, { writes: false, verifies: false })
      .addOption(fromOption())
      .option('--json', 'print the plan as JSON (shape documented in the README)')
      .option('--no-measure', 'skip scanning the data (row sizes, integers above 2^53); use catalog estimates')
      .option('--no-casts', 'text output: leave out the per-column casts')
      .option('--config-file <file>', 'cast rules file (default ./flarelift.toml when present)'),
  async run(o, output) {
    if (isRedisFrom(o.from)) {
      const plan = await runKeyspacePlan(o);
      output.out(o.json ? JSON.stringify(plan, null, 2) : renderKeyspacePlan(plan));
      return 0;
    }
    const config = loadConfig(o.configFile);
    const ctx = await withSource(o.from, (source) =>
      planSource(source, {
        userRules: config.castRules,
        measure: o.measure,
        onProgress: (e) => {
          if (e.phase === 'measure' && !o.json) output.err(`measuring ${e.table} (${e.done + 1}/${e.total})`);
        },
      }),
    );
    output.out(o.json ? JSON.stringify(ctx.plan, null, 2) : renderPlan(ctx.plan, { casts: o.casts }));
    return 0;
  },
});
