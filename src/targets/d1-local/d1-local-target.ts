// `--to d1:<database>` (local): writes the SQLite file Miniflare keeps for the local D1 database
// directly with better-sqlite3 (wrangler's `execute --file` manages a few hundred rows a second),
// then asks the user's wrangler to read a count back, proving it was the file wrangler uses.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { quoteAlways } from '../../schema/identifiers.js';
import type { TableMapping } from '../../schema/mapping.js';
import { findWrangler, Wrangler } from '../../cloudflare/wrangler-cli.js';
import { SqliteWriterSession } from '../sqlite-file/sqlite-writer.js';
import { D1_MAX_ROW_BYTES } from '../../cloudflare/limits.js';
import { locateLocalD1 } from '../../cloudflare/local-state.js';
import { findWranglerConfig } from '../../cloudflare/wrangler-config.js';
import { SQLITE_MAX_BOUND_PARAMETERS } from '../sqlite-file/sqlite-limits.js';
import type { Target, TargetCapabilities, TargetReport, TargetSession } from '../target.js';

/**
 * Local D1 does not enforce D1's size limits, production does: the copy holds local data to
 * them. Statements go to the file through SQLite itself, not D1's API, so SQLite's parameter
 * limit is the one that applies to them.
 */
export const D1_LOCAL_CAPABILITIES: TargetCapabilities = {
  limitsOf: 'D1',
  maxValueBytes: D1_MAX_ROW_BYTES,
  maxRowBytes: D1_MAX_ROW_BYTES,
  maxBoundParameters: SQLITE_MAX_BOUND_PARAMETERS,
  constraintErrors: 'per-row',
  foreignKeys: 'check-after-load',
};

export interface D1LocalOptions {
  /** database_name or binding in the wrangler config. */
  database: string;
  /** --config: the wrangler config file (else found from cwd upwards). */
  config?: string;
  /** --persist-to, as given to wrangler. */
  persistTo?: string;
  cwd?: string;
}

export function d1LocalTarget(options: D1LocalOptions): Target {
  const cwd = options.cwd ?? process.cwd();
  const config = findWranglerConfig({ config: options.config, cwd });
  const location = locateLocalD1({ configPath: config.path, database: options.database, persistTo: options.persistTo, cwd });
  const name = location.database.database_name ?? location.database.binding;
  const where = `local D1 '${name}' (${location.path})`;
  // The same options wrangler needs to open the same file.
  const executeArgs = ['d1', 'execute', options.database, '--local', '--config', config.path];
  if (options.persistTo !== undefined) executeArgs.push('--persist-to', options.persistTo);
  return {
    kind: 'd1-local',
    description: where,
    capabilities: D1_LOCAL_CAPABILITIES,
    lockFile: `${location.path}.flarelift-lock`,
    async open() {
      const created = !existsSync(location.path);
      const session = await SqliteWriterSession.open({ file: location.path, where, restoreJournalMode: false, maxParameters: D1_LOCAL_CAPABILITIES.maxBoundParameters });
      const wranglerBin = findWrangler(path.dirname(config.path), cwd);
      return withWranglerCheck(session, async (tables, report) => {
        if (!wranglerBin) {
          report.notes.push('not read back through wrangler: no wrangler found (install it in the Worker project)');
          return;
        }
        await readBack(new Wrangler(wranglerBin, cwd), executeArgs, session, tables, report, created);
      });
    },
    async reader() {
      const { openLocalReader } = await import('../sqlite-file/sqlite-file-reader.js');
      return openLocalReader(location.path, where, 'run copy first (check --config and --persist-to)');
    },
    async sync() {
      const { openSqliteSync } = await import('../sqlite-file/sqlite-sync.js');
      return openSqliteSync({ file: location.path, where, restoreJournalMode: false, hint: 'run copy first (check --config and --persist-to)' });
    },
  };
}

function withWranglerCheck(session: SqliteWriterSession, check: (tables: TableMapping[], report: TargetReport) => Promise<void>): TargetSession {
  return {
    state: (t) => session.state(t),
    begin: (s) => session.begin(s),
    restart: (t) => session.restart(t),
    write: (b) => session.write(b),
    close: () => session.close(),
    async finish(tables) {
      const report = await session.finish(tables);
      await check(tables, report);
      return report;
    },
  };
}

/** Reads one table's count through wrangler and compares it with the file's own count. */
async function readBack(
  wrangler: Wrangler,
  args: string[],
  session: SqliteWriterSession,
  tables: TableMapping[],
  report: TargetReport,
  created: boolean,
): Promise<void> {
  const table = tables[tables.length - 1];
  if (!table) return;
  const sql = `SELECT count(*) AS n FROM ${quoteAlways(table.name)}`;
  const expected = await session.count(table.name);
  const rows = await wrangler.query(args, sql, 'reading the local D1 back');
  const seen = Number(rows[0]?.n);
  if (seen !== expected) {
    throw new Error(`wrangler reads ${seen} rows in ${table.name} where the file written holds ${expected}: the local D1 path is not the one wrangler uses`);
  }
  report.notes.push(`${created ? 'created the local D1 file; ' : ''}wrangler reads it: ${seen} rows in ${table.name}`);
}
