// A copy from D1 into PostgreSQL or MySQL: each batch, its rejects and its journal row commit in
// one transaction, so --resume after a kill continues exactly after the last committed batch.
// A batch the database refuses as a whole is retried row by row under savepoints: the rows it
// takes go in, each other row becomes a reject with the database's own reason.
import type { EngineValue } from '../../casting/inverse-functions.js';
import { TransformError } from '../../casting/values.js';
import { UserError } from '../../errors.js';
import type { TableMapping } from '../../schema/mapping.js';
import type { JournalEntry, RowFailure, SchemaSetup, TargetReport, TargetSession, TargetState, WriteBatch } from '../target.js';
import { JOURNAL_TABLE, type DbLink } from './db-link.js';
import { OneConnection } from './one-connection.js';
import { TargetTables } from './target-tables.js';
import { planTable, type TablePlan } from './table-plan.js';

/** The journal row that holds the triggers to create again (no table has an empty name). */
const META = '';

const reason = (e: unknown): string => (e instanceof Error ? e.message.split('\n')[0] : String(e));

export class DbSession implements TargetSession {
  private readonly targetTables: TargetTables;
  private readonly connection: OneConnection;
  private readonly plans = new Map<string, TablePlan>();

  constructor(
    private readonly link: DbLink,
    private readonly where: string,
  ) {
    this.targetTables = new TargetTables(link);
    this.connection = new OneConnection(link);
  }

  private async plan(m: TableMapping): Promise<TablePlan> {
    let p = this.plans.get(m.name);
    if (!p) {
      const t = (await this.targetTables.all()).get(m.name.toLowerCase());
      if (!t) throw new UserError(`${this.where} has no table ${m.name}: create it (the app's migrations) or copy into a fresh database`);
      p = planTable(m, t, this.link, this.where);
      this.plans.set(m.name, p);
    }
    return p;
  }

  private async exec(sql: string, params?: readonly unknown[]): Promise<void> {
    await this.link.query(sql, params);
  }

  /** Transactions on the one connection wait their turn (copy --jobs writes tables side by side). */
  private transaction<T>(work: () => Promise<T>): Promise<T> {
    return this.connection.transaction(work);
  }

  private save(e: JournalEntry): Promise<void> {
    return this.exec(this.link.journalUpsert, [e.table, e.lastKey, e.read, e.written, e.rejected, e.done ? 1 : 0]);
  }

  async state(names: readonly string[]): Promise<TargetState> {
    const catalog = await this.targetTables.all(true);
    const tables = new Map<string, boolean>();
    for (const name of names) {
      const t = catalog.get(name.toLowerCase());
      if (t) tables.set(name, (await this.link.query(`SELECT 1 FROM ${this.link.qualified(t)} LIMIT 1`)).length > 0);
    }
    if (!catalog.has(JOURNAL_TABLE)) return { tables };
    const rows = await this.link.query(`SELECT table_name, last_key, rows_read, rows_written, rows_rejected, done FROM ${JOURNAL_TABLE}`);
    const journal = rows.filter((r) => r[0] !== META).map((r) => ({
      table: String(r[0]),
      lastKey: r[1] === null ? null : String(r[1]),
      read: Number(r[2]),
      written: Number(r[3]),
      rejected: Number(r[4]),
      done: Number(r[5]) === 1,
    }));
    return { tables, journal };
  }

  async begin(setup: { schema?: SchemaSetup; entries: JournalEntry[]; tables: TableMapping[] }): Promise<void> {
    const catalog = await this.targetTables.all();
    if (setup.schema) {
      // The SQLite DDL is D1's; the tables are made in this engine's types instead.
      for (const m of setup.tables) if (!catalog.has(m.name.toLowerCase())) await this.exec(this.link.createTable(m));
      await this.targetTables.all(true);
    }
    for (const m of setup.tables) await this.plan(m); // a missing column fails here, before any row
    await this.exec(
      `CREATE TABLE ${JOURNAL_TABLE} (table_name VARCHAR(255) PRIMARY KEY, last_key TEXT, rows_read BIGINT NOT NULL, ` +
        'rows_written BIGINT NOT NULL, rows_rejected BIGINT NOT NULL, done SMALLINT NOT NULL)',
    );
    const plans = await Promise.all(setup.tables.map((m) => this.plan(m)));
    const triggers = await this.link.triggers(plans.map((p) => p.table));
    // The triggers' definitions are in the journal before they are dropped: a crash cannot lose them.
    await this.transaction(async () => {
      await this.save({ table: META, lastKey: JSON.stringify(triggers.create), read: 0, written: 0, rejected: 0, done: false });
      for (const e of setup.entries) await this.save(e);
    });
    for (const d of triggers.drop) await this.exec(d);
  }

  async restart(m: TableMapping): Promise<void> {
    const p = await this.plan(m);
    await this.transaction(async () => {
      await this.exec(`DELETE FROM ${this.link.qualified(p.table)}`);
      await this.save({ table: m.name, lastKey: null, read: 0, written: 0, rejected: 0, done: false });
    });
  }

  async write(batch: WriteBatch): Promise<JournalEntry> {
    const p = await this.plan(batch.table);
    const rows: EngineValue[][] = [];
    const at: number[] = [];
    const failures: RowFailure[] = [];
    batch.rows.forEach((row, index) => {
      try {
        rows.push(p.convert(row));
        at.push(index);
      } catch (e) {
        if (!(e instanceof TransformError)) throw e;
        failures.push({ index, reason: e.message });
      }
    });
    return this.transaction(async () => {
      await this.exec('SAVEPOINT fl_batch');
      try {
        await this.link.load(p.table, p.columns, rows);
        await this.exec('RELEASE SAVEPOINT fl_batch');
      } catch (e) {
        if (rows.length === 0) throw e;
        await this.exec('ROLLBACK TO SAVEPOINT fl_batch');
        for (let i = 0; i < rows.length; i++) {
          await this.exec('SAVEPOINT fl_row');
          try {
            await this.link.load(p.table, p.columns, [rows[i]]);
            await this.exec('RELEASE SAVEPOINT fl_row');
          } catch (rowError) {
            await this.exec('ROLLBACK TO SAVEPOINT fl_row');
            failures.push({ index: at[i], reason: reason(rowError) });
          }
        }
      }
      failures.sort((a, b) => a.index - b.index);
      if (failures.length > 0) batch.onFailures(failures);
      const entry = { ...batch.after, written: batch.after.written - failures.length, rejected: batch.after.rejected + failures.length };
      await this.save(entry);
      return entry;
    });
  }

  async finish(tables: TableMapping[], notify?: (message: string) => void): Promise<TargetReport> {
    notify?.('moving sequences past the copied ids');
    let moved = 0;
    for (const m of tables) moved += await this.link.advanceSequences((await this.plan(m)).table);
    const [meta] = await this.link.query(`SELECT last_key FROM ${JOURNAL_TABLE} WHERE table_name = ${this.link.param(1)}`, [META]);
    const triggers = meta ? (JSON.parse(String(meta[0])) as string[]) : [];
    if (triggers.length > 0) notify?.('creating the triggers again');
    for (const sql of triggers) await this.exec(sql);
    await this.exec(`DROP TABLE IF EXISTS ${JOURNAL_TABLE}`);
    return { findings: [], notes: [`${moved} sequence${moved === 1 ? '' : 's'} / AUTO_INCREMENT counter${moved === 1 ? '' : 's'} set past the copied ids`] };
  }

  async close(): Promise<void> {
    await this.link.unlock().catch(() => undefined);
    await this.link.close();
  }
}
