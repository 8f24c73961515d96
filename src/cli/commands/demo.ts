// `flarelift demo`: the main job with nothing to install. An embedded PostgreSQL (PGlite) loaded
// with the bundled Chinook sample is migrated into the local D1 of a throwaway wrangler project,
// verified, and the wrangler commands to look at the result are printed.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDemoProject, DEMO_DATABASE } from '../../demo/demo-project.js';
import { startEmbeddedPostgres } from '../../demo/embedded-postgres.js';
import { defineCommand } from '../command.js';
import { EXIT_CODES, renderMigrateResult, runMigrate } from './migrate.js';

// src/cli/commands or dist/cli/commands: the package root is three levels up either way.
const SAMPLE = fileURLToPath(new URL('../../../samples/chinook/Chinook_PostgreSql.sql', import.meta.url));

interface DemoOptions {
  dir?: string;
  json?: boolean;
}

export const demoCommand = defineCommand<DemoOptions>({
  name: 'demo',
  summary: 'migrate the bundled Chinook sample from an embedded PostgreSQL into a local D1, and prove it',
  configure: (cmd) =>
    cmd
      .option('--dir <dir>', 'where to create the demo wrangler project (default: a new temporary directory)')
      .option('--json', 'JSON events per line, then the result as one JSON object'),
  async run(o, output) {
    if (!existsSync(SAMPLE)) throw new Error(`the bundled sample is missing: ${SAMPLE}`);
    const project = createDemoProject(o.dir);
    output.err('starting an embedded PostgreSQL (PGlite) and loading the Chinook sample (MIT licence, samples/chinook/LICENSE.md)…');
    const pg = await startEmbeddedPostgres(SAMPLE);
    let result;
    try {
      output.err(`migrating ${pg.url} into the local D1 '${DEMO_DATABASE}' of ${project.dir}`);
      result = await runMigrate(
        {
          from: pg.url,
          to: `d1:${DEMO_DATABASE}`,
          config: project.config,
          measure: true,
          json: o.json,
          rejectDir: path.join(project.dir, 'flarelift-rejects'),
          failures: path.join(project.dir, 'flarelift-verify-failures.jsonl'),
        },
        output,
      );
    } finally {
      await pg.stop();
    }
    if (o.json) {
      output.out(JSON.stringify({ project: project.dir, ...result }, null, 2));
      return EXIT_CODES[result.status];
    }
    output.out(renderMigrateResult(result));
    const wrangler = `npx wrangler d1 execute ${DEMO_DATABASE} --local --config ${project.config}`;
    output.out(
      [
        '',
        'Look at the data with wrangler:',
        `  ${wrangler} --command "SELECT name FROM sqlite_schema WHERE type = 'table'"`,
        `  ${wrangler} --command "SELECT name, composer, unit_price FROM track LIMIT 5"`,
        `  ${wrangler} --command "SELECT count(*) AS invoices, sum(CAST(total AS NUMERIC)) AS revenue FROM invoice"`,
        'Or serve it from a Worker:',
        `  npx wrangler dev --config ${project.config}`,
      ].join('\n'),
    );
    return EXIT_CODES[result.status];
  },
});
