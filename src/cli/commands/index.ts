// Every CLI command, listed once. Each is imported only when it runs: a command's module brings
// its pipeline with it (copy, verify, the app scanners), and starting `plan` should not pay for
// loading `verify`. Help without a command loads them all, for their summaries.
import type { CommandSpec } from '../command.js';

const LOADERS: Record<string, () => Promise<CommandSpec>> = {
  plan: () => import('./plan.js').then((m) => m.planCommand),
  schema: () => import('./schema.js').then((m) => m.schemaCommand),
  copy: () => import('./copy.js').then((m) => m.copyCommand),
  verify: () => import('./verify.js').then((m) => m.verifyCommand),
  sync: () => import('./sync.js').then((m) => m.syncCommand),
  migrate: () => import('./migrate.js').then((m) => m.migrateCommand),
  rewrite: () => import('./rewrite.js').then((m) => m.rewriteCommand),
  demo: () => import('./demo.js').then((m) => m.demoCommand),
  app: () => import('./app.js').then((m) => m.appCommand),
};

/** Command names, in the order help lists them. */
export const COMMAND_NAMES: readonly string[] = Object.keys(LOADERS);

/** The named commands' specs (all of them when `names` is undefined), in help order. */
export function loadCommands(names?: readonly string[]): Promise<CommandSpec[]> {
  return Promise.all(COMMAND_NAMES.filter((n) => !names || names.includes(n)).map((n) => LOADERS[n]()));
}
