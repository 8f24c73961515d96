// `--to d1:<database>` (local): writes the SQLite file Miniflare keeps for the local D1 database
// directly with better-sqlite3 (wrangler's `execute --file` manages a few hundred rows a second),
// and asks the user's wrangler what it sees in that file, proving it is the one wrangler uses.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TableMapping } from '../../schema/mapping.js';
import { findWrangler, Wrangler } from '../../cloudflare/wrangler-cli.js';
import { SqliteWriterSession } from '../sqlite-file/sqlite-writer.js';
import { D1_MAX_ROW_BYTES } from '../../cloudflare/limits.js';
import { locateLocalD1 } from '../../cloudflare/local-state.js';
import { findWranglerConfig } from '../../cloudflare/wrangler-config.js';
import { SQLITE_MAX_BOUND_PARAMETERS } from '../sqlite-file/sqlite-limits.js';
import type { JournalEntry, SchemaSetup, Target, TargetCapabilities, TargetReport, TargetSession, TargetState, WriteBatch } from '../target.js';
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
      const session = await SqliteWriterSession.open({ file: location.path, where, restoreJournalMode: false, maxParameters: D1_LOCAL_CAPABILITIES.maxBoundParameters });
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

/** Start wrangler's read-back when the copy is estimated to end within this long (see below). */
const READ_BACK_LEAD_MS = 1_000;

/**
 * The writer session plus the proof that wrangler opens the same file: wrangler is asked which
 * tables it sees there, and this copy's journal and tables must be among them. Starting wrangler
 * and its workerd takes 2 s or more, which used to follow every copy; now it starts while the
 * last rows are written. workerd's query takes the file's write lock and does not wait for it
 * (measured: SQLITE_BUSY at once while another connection holds it), and the writer holds it
 * almost all the time: so wrangler starts when the copy is estimated (rows left over the rows per
 * second so far) to end within READ_BACK_LEAD_MS, shorter than wrangler's own start, and its query
 * lands just after the last batch. If it still found the file busy, it is asked again once the
 * rows are in, as before. `finish` waits for the answer before it drops the journal.
 */
class WranglerCheckedSession implements TargetSession {
  private check?: Promise<string>;
  private readonly stop = new AbortController();
  private tables: string[] = [];
  private readonly totals = new Map<string, number>();
  private readonly done = new Map<string, number>();
  private firstWrite?: { at: number; rows: number };

  constructor(
    private readonly session: SqliteWriterSession,
    private readonly wrangler: Wrangler | undefined,
    private readonly executeArgs: string[],
    private readonly created: boolean,
  ) {}

  async state(tables: readonly string[]): Promise<TargetState> {
    const state = await this.session.state(tables);
    if (state.journal) {
      this.tables = state.journal.map((e) => e.table);
      for (const e of state.journal) this.done.set(e.table, e.read);
    }
    return state;
  }

  async begin(setup: { schema?: SchemaSetup; entries: JournalEntry[]; tables: TableMapping[] }): Promise<void> {
    await this.session.begin(setup);
    this.tables = setup.entries.map((e) => e.table);
  }

  expect(table: string, rows: number): void {
    this.totals.set(table, rows);
  }

  restart(table: TableMapping): Promise<void> {
    this.done.set(table.name, 0);
    return this.session.restart(table);
  }

  write(batch: WriteBatch): Promise<JournalEntry> {
    this.done.set(batch.after.table, batch.after.read);
    if (batch.after.done) this.totals.set(batch.after.table, batch.after.read);
    if (!this.check) this.maybeStartCheck();
    return this.session.write(batch);
  }

  async finish(tables: TableMapping[]): Promise<TargetReport> {
    let note: string;
    try {
      note = await (this.check ?? this.readBack(tables.map((t) => t.name)));
    } catch (e) {
      if (!this.check || this.stop.signal.aborted || e instanceof WrongFileError) throw e;
      note = await this.readBack(tables.map((t) => t.name)); // the early attempt found the file busy
    }
    const report = await this.session.finish(tables);
    report.notes.push(note);
    return report;
  }

  async close(): Promise<void> {
    this.stop.abort(); // a copy that failed does not wait for (or leave behind) the wrangler run
    await this.check?.catch(() => undefined);
    await this.session.close();
  }

  /** Starts the read-back once every table's size is known and the rest should take under READ_BACK_LEAD_MS. */
  private maybeStartCheck(): void {
    if (!this.wrangler || this.tables.length === 0) return;
    let left = 0;
    let read = 0;
    for (const t of this.tables) {
      const total = this.totals.get(t);
      if (total === undefined) return;
      const done = this.done.get(t) ?? 0;
      left += Math.max(0, total - done);
      read += done;
    }
    const now = Date.now();
    if (!this.firstWrite) {
      this.firstWrite = { at: now, rows: read };
      return;
    }
    const rows = read - this.firstWrite.rows;
    if (rows <= 0) return;
    const eta = (left * (now - this.firstWrite.at)) / rows;
    if (eta > READ_BACK_LEAD_MS) return;
    this.check = this.readBack(this.tables);
    this.check.catch(() => undefined); // awaited by finish(); never unhandled meanwhile
  }

  /** Asks wrangler for the file's tables: this copy's journal and every table it writes must be there. */
  private async readBack(tables: readonly string[]): Promise<string> {
    if (!this.wrangler) return 'not read back through wrangler: no wrangler found (install it in the Worker project)';
    const expected = [JOURNAL_TABLE, ...tables];
    const sql = `SELECT name FROM sqlite_master WHERE type = 'table'`;
    const rows = await this.wrangler.query(this.executeArgs, sql, 'reading the local D1 back', this.stop.signal);
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
