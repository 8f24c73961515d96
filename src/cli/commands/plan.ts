import { loadConfig } from '../../config/config.js';
import { bucketKeys } from '../../pipeline/bucket-keys.js';
import { objectReferences } from '../../pipeline/object-references.js';
import { planSource } from '../../pipeline/plan.js';
import { withS3Flags } from '../../s3/s3-location.js';
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
  bucket?: string;
  publicUrl?: string;
  wranglerConfig?: string;
}

export const planCommand = defineCommand<PlanOptions>({
  name: 'plan',
  summary: 'inventory a source: what carries over to D1, what changes, what blocks',
  configure: (cmd) =>
    addS3Options(cmd.addOption(fromOption()))
      .option('--json', 'print the plan as JSON (shape documented in the README)')
      .option('--no-measure', 'skip scanning the data (row sizes, integers above 2^53); use catalog estimates')
      .option('--no-casts', 'text output: leave out the per-column casts')
      .option('--config-file <file>', 'cast rules file (default ./flarelift.toml when present)')
      .option('--bucket <bucket>', 'find the columns naming objects of this bucket (dir:<path>, s3://…, r2:<BINDING>), with dangling references and orphan objects')
      .option('--public-url <url>', "the bucket's public URL prefix, for columns holding full URLs")
      .option('--wrangler-config <file>', 'with --bucket r2:<BINDING>: the wrangler config (default: found from here upwards)'),
  async run(given, output) {
    const o = applyS3Options(given);
    const config = loadConfig(o.configFile);
    const progress = (message: string) => {
      if (!o.json) output.err(message);
    };
    const ctx = await withAnySource(o.from, async (source) => {
      if (isUnitSource(source)) return { unitPlan: await source.plan({ onProgress: progress }) };
      const planned = await planSource(source, {
        userRules: config.castRules,
        measure: o.measure,
        onProgress: (e) => {
          if (e.phase === 'measure') progress(`measuring ${e.table} (${e.done + 1}/${e.total})`);
        },
      });
      if (o.bucket) {
        progress(`listing ${o.bucket}`);
        const bucket = await bucketKeys(withS3Flags(o.bucket, o as unknown as Record<string, string>), { config: o.wranglerConfig });
        const refs = await objectReferences(source, planned.catalog.tables, bucket.name, bucket.keys, o.publicUrl);
        const p = planned.plan;
        p.findings.push(...refs.findings);
        for (const f of refs.findings) p.totals[f.severity === 'blocker' ? 'blockers' : f.severity === 'warning' ? 'warnings' : 'infos']++;
        Object.assign(p, { references: { bucket: bucket.name, objects: bucket.keys.size, columns: refs.referenceColumns, orphans: refs.orphans } });
      }
      return planned;
    });
    if ('unitPlan' in ctx) {
      output.out(o.json ? JSON.stringify(ctx.unitPlan, null, 2) : renderUnitPlan(ctx.unitPlan));
      return 0;
    }
    output.out(o.json ? JSON.stringify(ctx.plan, null, 2) : renderPlan(ctx.plan, { casts: o.casts }));
    return 0;
  },
});
