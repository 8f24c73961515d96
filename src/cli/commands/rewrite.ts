// `flarelift rewrite --to d1:<db>`: apply flarelift.toml's [[rewrite]] rules to a local D1 that
// already holds the data (pipeline/rewrite-d1.ts). Exit 0, and the rows changed per column.
import { loadConfig } from '../../config/config.js';
import { rewriteD1 } from '../../pipeline/rewrite-d1.js';
import { defineCommand } from '../command.js';

interface RewriteCliOptions {
  to: string;
  config?: string;
  persistTo?: string;
  configFile?: string;
  json?: boolean;
}

export const rewriteCommand = defineCommand<RewriteCliOptions>({
  name: 'rewrite',
  summary: "apply flarelift.toml's [[rewrite]] URL rules to the text already in a local D1",
  configure: (cmd) =>
    cmd
      .requiredOption('--to <target>', 'd1:<database> (the local D1 of the wrangler project)')
      .option('--config <file>', 'the wrangler config (default: wrangler.json/jsonc/toml from here upwards)')
      .option('--persist-to <dir>', 'the local state directory given to wrangler --persist-to')
      .option('--config-file <file>', 'the rules file (default ./flarelift.toml)')
      .option('--json', 'the result as JSON'),
  async run(o, output) {
    const rules = loadConfig(o.configFile).castRules.flatMap((r) => r.rewrites ?? []);
    const result = await rewriteD1({ to: o.to, rules, config: o.config, persistTo: o.persistTo });
    if (o.json) output.out(JSON.stringify(result));
    else {
      output.out(`${result.target}: ${result.columns.reduce((n, c) => n + c.rows, 0)} value(s) rewritten`);
      for (const c of result.columns) output.out(`  ${c.column}: ${c.rows} row(s)`);
    }
    return 0;
  },
});
