import { describeRule } from '../../casting/rules.js';
import { loadConfig } from '../../config/config.js';
import { UserError } from '../../errors.js';
import { planSource } from '../../pipeline/plan.js';
import { writeSchemaFiles } from '../../pipeline/schema-files.js';
import { withSource } from '../../sources/with-source.js';
import { defineCommand } from '../command.js';
import { fromOption } from '../options.js';
import { renderFindings } from '../render/plan-text.js';

interface SchemaOptions {
  from: string;
  out?: string;
  name?: string;
  drizzle?: string;
  explain?: boolean;
  configFile?: string;
}

export const schemaCommand = defineCommand<SchemaOptions>({
  name: 'schema',
  summary: 'write a wrangler D1 migration (and a Drizzle schema) from the source',
  configure: (cmd) =>
    cmd
      .addOption(fromOption())
      .option('--out <dir>', 'directory for the migration file NNNN_<name>.sql (e.g. ./migrations)')
      .option('--name <name>', 'migration name (default: the source database name)')
      .option('--drizzle <file>', 'also write a Drizzle sqlite-core schema to this .ts file')
      .option('--explain', 'print the effective cast rules, user rules first')
      .option('--config-file <file>', 'cast rules file (default ./flarelift.toml when present)'),
  async run(o, output) {
    if (!o.out && !o.explain) throw new UserError('schema needs --out <dir> for the migration file (or --explain to print the cast rules)');
    const config = loadConfig(o.configFile);
    const ctx = await withSource(o.from, (source) => planSource(source, { userRules: config.castRules, measure: false }));
    if (o.explain) {
      output.out(`Cast rules in effect for ${ctx.catalog.engine} (first match wins):`);
      ctx.rules.rules.forEach((r, i) => output.out(`${String(i + 1).padStart(3)}. ${describeRule(r)}`));
    }
    if (!o.out) return 0;
    const files = writeSchemaFiles(ctx, { outDir: o.out, name: o.name, drizzle: o.drizzle });
    const schemaFindings = ctx.plan.findings.filter((f) => f.severity !== 'info');
    output.err(renderFindings(schemaFindings));
    output.out(`wrote ${files.migration}${files.drizzle ? `\nwrote ${files.drizzle}` : ''}`);
    const c = ctx.schema.counts;
    output.out(`${c.tables} tables, ${c.columns} columns, ${c.indexes} indexes, ${c.foreignKeys} foreign keys, ${c.views} views, ${c.triggers} triggers`);
    return 0;
  },
});
