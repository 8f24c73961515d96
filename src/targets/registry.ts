// The one place `--to` is parsed: d1:<database> (local unless --remote), sqlite:<path>, sql:<dir>.
// Adding a target adds a folder and a line here.
import { UserError } from '../errors.js';
import { d1LocalTarget } from './d1-local/d1-local-target.js';
import { d1RemoteTarget } from './d1-remote/d1-remote-target.js';
import { sqlFilesTarget } from './sql-files/sql-files-target.js';
import { sqliteFileTarget } from './sqlite-file/sqlite-file-target.js';
import type { Target } from './target.js';

export interface TargetSpecOptions {
  /** d1: the remote database through wrangler instead of the local one. */
  remote?: boolean;
  /** d1: the wrangler config file (else wrangler.json/jsonc/toml found from cwd upwards). */
  config?: string;
  /** d1 local: wrangler's --persist-to directory. */
  persistTo?: string;
  /** sql: (and d1 remote): the size each import file stays under, in bytes. */
  fileBytes?: number;
  cwd?: string;
}

const KINDS = 'd1:<database> (local D1; add --remote for the deployed one), sqlite:<path> or sql:<dir>';

export function parseTarget(spec: string, options: TargetSpecOptions = {}): Target {
  const m = /^([a-z0-9-]+):(.*)$/i.exec(spec.trim());
  const kind = m?.[1].toLowerCase();
  const rest = m?.[2] ?? '';
  if (!m || !['d1', 'sqlite', 'sql'].includes(kind!)) {
    throw new UserError(`unknown target '${spec}': use ${KINDS}`);
  }
  if (rest === '') throw new UserError(`target '${spec}' names nothing after '${kind}:': use ${KINDS}`);
  if (options.remote && kind !== 'd1') throw new UserError(`--remote applies to d1:<database> targets only, not '${spec}'`);
  if (options.persistTo !== undefined && (kind !== 'd1' || options.remote)) {
    throw new UserError('--persist-to applies to local d1:<database> targets only');
  }
  switch (kind) {
    case 'd1':
      return options.remote
        ? d1RemoteTarget({ database: rest, config: options.config, fileBytes: options.fileBytes, cwd: options.cwd })
        : d1LocalTarget({ database: rest, config: options.config, persistTo: options.persistTo, cwd: options.cwd });
    case 'sqlite':
      return sqliteFileTarget(rest, options.cwd);
    default:
      return sqlFilesTarget(rest, { fileBytes: options.fileBytes, cwd: options.cwd });
  }
}
