// `--to d1:<database>` (local): writes the SQLite file Miniflare keeps for the local D1 database
// directly with better-sqlite3 (wrangler's `execute --file` manages a few hundred rows a second),
// and asks the user's wrangler what it sees in that file, proving it is the one wrangler uses.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TableMapping } from '../../schema/mapping.js';
import { findWrangler, lastStatement, Wrangler, type PreparedQuery } from '../../cloudflare/wrangler-cli.js';
import { openSqliteSession, type SqliteSession } from '../sqlite-file/sqlite-session.js';
import { D1_MAX_ROW_BYTES } from '../../cloudflare/limits.js';
import { locateLocalD1 } from '../../cloudflare/local-state.js';
import { findWranglerConfig } from '../../cloudflare/wrangler-config.js';
import { SQLITE_MAX_BOUND_PARAMETERS } from '../sqlite-file/sqlite-limits.js';
import type { DirectTable, JournalEntry, SchemaSetup, Target, TargetCapabilities, TargetReport, TargetSession, TargetState, WriteBatch } from '../target.js';
import { JOURNAL_TABLE } from '../sqlite-file/sqlite-journal.js';
import { UserError } from '../../errors.js';

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
      const session = openSqliteSession({ file: location.path, where, restoreJournalMode: false, maxParameters: D1_LOCAL_CAPABILITIES.maxBoundParameters });
      const wranglerBin = findWrangler(path.dirname(config.path), cwd);
      return new WranglerCheckedSession(session, wranglerBin ? new Wrangler(wranglerBin, cwd) : undefined, executeArgs, created);
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

/** wrangler opened another file than the one written: no second asking changes that. */
class WrongFileError extends UserError {}

const READ_BACK_SQL = `SELECT name FROM sqlite_master WHERE type = 'table'`;
const READ_BACK_WHAT = 'reading the local D1 back';

/**
 * The writer session plus the proof that wrangler opens the same file: wrangler is asked which
 * tables it sees there, and this copy's journal and tables must be among them. Starting wrangler
 * and its workerd takes about 1.5 s of CPU, which used to follow every copy (and then, started
 * near its estimated end, slowed its last second): now wrangler starts with the session, while
 * flarelift introspects and creates the schema on one core, and waits for its SQL, which is sent
 * once the rows are in. It cannot be asked earlier: workerd's query takes the file's write lock
 * and does not wait for it (measured: SQLITE_BUSY at once while the writer holds it). An answer
 * that is not the tables (wrangler failed, or found the file busy after all) is asked for again,
 * as a separate run. `finish` waits for the answer before it drops the journal.
 */
class WranglerCheckedSession implements TargetSession {
  private readonly stop = new AbortController();
  private readonly prepared?: PreparedQuery;

  constructor(
    private readonly session: SqliteSession,
    private readonly wrangler: Wrangler | undefined,
    private readonly executeArgs: string[],
    private readonly created: boolean,
  ) {
    this.prepared = wrangler?.prepareQuery(executeArgs, READ_BACK_WHAT, this.stop.signal);
  }

  state(tables: readonly string[]): Promise<TargetState> {
    return this.session.state(tables);
  }

  begin(setup: { schema?: SchemaSetup; entries: JournalEntry[]; tables: TableMapping[] }): Promise<void> {
    return this.session.begin(setup);
  }

  restart(table: TableMapping): Promise<void> {
    return this.session.restart(table);
  }

  write(batch: WriteBatch): Promise<JournalEntry> {
    return this.session.write(batch);
  }

  direct(file: string, table: TableMapping, capabilities: TargetCapabilities): DirectTable | string {
    return this.session.direct(file, table, capabilities);
  }

  async finish(tables: TableMapping[]): Promise<TargetReport> {
    const names = tables.map((t) => t.name);
    let note: string;
    try {
      note = await this.readBack(names, this.prepared);
    } catch (e) {
      if (!this.prepared || this.stop.signal.aborted || e instanceof WrongFileError) throw e;
      note = await this.readBack(names, undefined);
    }
    const report = await this.session.finish(tables);
    report.notes.push(note);
    return report;
  }

  async close(): Promise<void> {
    this.stop.abort(); // a copy that failed does not wait for (or leave behind) the wrangler run
    await this.session.close();
  }

  /** Asks wrangler for the file's tables: this copy's journal and every table it writes must be there. */
  private async readBack(tables: readonly string[], prepared: PreparedQuery | undefined): Promise<string> {
    if (!this.wrangler) return 'not read back through wrangler: no wrangler found (install it in the Worker project)';
    const expected = [JOURNAL_TABLE, ...tables];
    const rows = prepared ? lastStatement(await prepared.send(READ_BACK_SQL)) : await this.wrangler.query(this.executeArgs, READ_BACK_SQL, READ_BACK_WHAT, this.stop.signal);
    const seen = new Set(rows.map((r) => String(r.name).toLowerCase()));
    const missing = expected.filter((t) => !seen.has(t.toLowerCase()));
    if (missing.length > 0) {
      throw new WrongFileError(
        `wrangler does not see ${missing.join(', ')} in the local D1 it opens, where the file written holds them: ` +
          `the local D1 path is not the one wrangler uses (check --config and --persist-to)`,
      );
    }
    return `${this.created ? 'created the local D1 file; ' : ''}wrangler reads the same file: it sees this copy's ${tables.length} table(s) and journal`;
  }
}
