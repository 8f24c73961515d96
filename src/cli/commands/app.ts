import { defineCommand } from '../command.js';

interface AppCommandOptions {
  dir?: string;
  out: string;
  json?: boolean;
  readiness: boolean;
  startup: boolean;
  bundleDir?: string;
}

export const appCommand = defineCommand<AppCommandOptions>({
  name: 'app',
  summary: "turn a backend's code into a Worker project: crons, alarms, secrets, bindings, and what cannot run",
  configure: (cmd) =>
    cmd
      .option('--dir <backend>', 'the backend source folder to read (without it: only check the readiness of --out)')
      .requiredOption('--out <worker-dir>', 'the Worker project to write or merge into')
      .option('--json', 'print the report as JSON (shape documented in the README)')
      .option('--no-readiness', 'skip bundling with wrangler (no size or startup check)')
      .option('--no-startup', 'bundle and weigh, but do not measure startup in workerd')
      .option('--bundle-dir <dir>', 'keep the bundled Worker here'),
  async run(o, output) {
    // The parsers (Lezer Python, TypeScript) and Miniflare load only here.
    const { runApp } = await import('../../app/app.js');
    const report = await runApp({ dir: o.dir, out: o.out, readiness: o.readiness, startup: o.startup, bundleDir: o.bundleDir });
    if (o.json) output.out(JSON.stringify(report, null, 2));
    else output.out((await import('../../app/report-text.js')).renderAppReport(report));
    const broken = report.readiness && (!report.readiness.dryRun.ok || report.readiness.findings.some((f) => f.severity === 'error'));
    return broken ? 1 : 0;
  },
});
