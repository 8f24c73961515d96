// `sync` back into PostgreSQL or MySQL (D1 live, the old database the fallback): each chunk's
// deletes, updates and inserts and its sync journal row commit in one transaction on the
// writing connection, values through the inverse transforms as the reverse copy writes them.
// An update is a delete by key and an insert of the whole row, so every row goes in the one way
// the reverse copy loads it (COPY FROM STDIN / multi-row INSERT) and no value needs a typed
// parameter in a SET clause; the counts come from the comparison, not from affected rows.
import { CastRules } from '../../casting/rules.js';
import type { SqliteValue } from '../../casting/values.js';
import type { EngineValue, InverseFn } from '../../casting/inverse-functions.js';
import { UserError } from '../../errors.js';
import type { TableMapping } from '../../schema/mapping.js';
import { SYNC_JOURNAL_TABLE, SYNC_STATE_TABLE, type SyncChange, type SyncEntry, type SyncSession, type SyncState } from '../sync-session.js';
import { JOURNAL_TABLE, type DbLink } from './db-link.js';
import { OneConnection } from './one-connection.js';
import { TargetTables } from './target-tables.js';
import { findColumn, planTable, type TablePlan } from './table-plan.js';

interface SyncPlan extends TablePlan {
  /** Indexes (mapping order) of the key columns, and each key column's inverse. */
  keyIdx: number[];
  keyFns: InverseFn[];
  remove: string;
}

export class DbSync implements SyncSession {
  private readonly targetTables: TargetTables;
  private readonly plans = new Map<string, SyncPlan>();
  /** One connection: transactions of tables synced side by side (--jobs) wait their turn. */
  private readonly connection: OneConnection;

  constructor(
    private readonly link: DbLink,
    private readonly where: string,
  ) {
    this.targetTables = new TargetTables(link);
    this.connection = new OneConnection(link);
  }

  private async plan(m: TableMapping): Promise<SyncPlan> {
    let p = this.plans.get(m.name);
    if (!p) {
      const t = (await this.targetTables.all()).get(m.name.toLowerCase());
      if (!t) throw new UserError(`${this.where} has no table ${m.name}: sync brings a copied target up to date — run flarelift copy first`);
      const base = planTable(m, t, this.link, this.where);
      const rules = CastRules.combine([], this.link.source.castRules);
      const key = m.key ?? [];
      const keyIdx = key.map((k) => m.columns.findIndex((c) => c.name === k));
      const keyCols = key.map((k) => findColumn(t, k)!);
      const keyFns = keyCols.map((c) => rules.resolve(t, c).transform.inverse(c, this.link.engine));
      const where = keyCols.map((c, i) => `${this.link.quote(c.name)} = ${this.link.param(i + 1)}`).join(' AND ');
      p = { ...base, keyIdx, keyFns, remove: `DELETE FROM ${this.link.qualified(t)} WHERE ${where || '1 = 0'}` };
      this.plans.set(m.name, p);
    }
    return p;
  }

  private async exec(sql: string, params?: readonly unknown[]): Promise<void> {
    await this.link.query(sql, params);
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.connection.exclusive(work);
  }

  private transaction<T>(work: () => Promise<T>): Promise<T> {
    return this.connection.transaction(work);
  }

  private save(e: SyncEntry): Promise<void> {
    const p = (n: number) => this.link.param(n);
    const values = [e.table, e.lastKey, e.inserted, e.updated, e.deleted];
    if (this.link.engine === 'mysql') return this.exec(`REPLACE INTO ${SYNC_JOURNAL_TABLE} (table_name, last_key, inserted, updated, deleted) VALUES (?, ?, ?, ?, ?)`, values);
    return this.exec(
      `INSERT INTO ${SYNC_JOURNAL_TABLE} (table_name, last_key, inserted, updated, deleted) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}) ` +
        'ON CONFLICT (table_name) DO UPDATE SET last_key = EXCLUDED.last_key, inserted = EXCLUDED.inserted, updated = EXCLUDED.updated, deleted = EXCLUDED.deleted',
      values,
    );
  }

  async state(): Promise<SyncState> {
    const catalog = await this.targetTables.all(true);
    const marks = new Map<string, string>();
    if (catalog.has(SYNC_STATE_TABLE)) for (const [name, mark] of await this.link.query(`SELECT name, mark FROM ${SYNC_STATE_TABLE}`)) marks.set(String(name), String(mark));
    const journal = catalog.has(SYNC_JOURNAL_TABLE)
      ? (await this.link.query(`SELECT table_name, last_key, inserted, updated, deleted FROM ${SYNC_JOURNAL_TABLE} ORDER BY table_name`)).map((r) => ({
          table: String(r[0]),
          lastKey: r[1] === null ? null : String(r[1]),
          inserted: Number(r[2]),
          updated: Number(r[3]),
          deleted: Number(r[4]),
        }))
      : undefined;
    return { journal, marks, copyUnfinished: catalog.has(JOURNAL_TABLE) };
  }

  async begin(entries: SyncEntry[]): Promise<void> {
    await this.exec(
      `CREATE TABLE IF NOT EXISTS ${SYNC_JOURNAL_TABLE} (table_name VARCHAR(255) PRIMARY KEY, last_key TEXT, ` +
        'inserted BIGINT NOT NULL, updated BIGINT NOT NULL, deleted BIGINT NOT NULL)',
    );
    await this.transaction(async () => {
      for (const e of entries) await this.save(e);
    });
  }

  async apply(change: SyncChange): Promise<void> {
    const p = await this.plan(change.table);
    // Converted before the transaction: a value with no inverse fails the sync here, whole.
    const keys = [...change.deletes.map((k) => this.keyParams(p, k)), ...change.updates.map((row) => this.keyParams(p, p.keyIdx.map((i) => row[i])))];
    const rows = [...change.updates, ...change.inserts].map((row) => p.convert(row));
    await this.transaction(async () => {
      for (const k of keys) await this.exec(p.remove, k);
      await this.link.load(p.table, p.columns, rows);
      await this.save(change.entry);
    });
    // After the commit: MySQL's ALTER TABLE … AUTO_INCREMENT would commit the transaction itself.
    if (change.inserts.length > 0) await this.exclusive(() => this.link.advanceSequences(p.table));
  }

  private keyParams(p: SyncPlan, key: readonly SqliteValue[]): EngineValue[] {
    return p.keyFns.map((fn, i) => fn(key[i]));
  }

  async replace(m: TableMapping, batches: AsyncIterable<SqliteValue[][]>, entry: SyncEntry): Promise<void> {
    const p = await this.plan(m);
    await this.transaction(async () => {
      await this.exec(`DELETE FROM ${this.link.qualified(p.table)}`);
      for await (const rows of batches) await this.link.load(p.table, p.columns, rows.map((row) => p.convert(row)));
      await this.save(entry);
    });
    await this.exclusive(() => this.link.advanceSequences(p.table));
  }

  async finish(marks: Map<string, string>): Promise<void> {
    await this.exec(`CREATE TABLE IF NOT EXISTS ${SYNC_STATE_TABLE} (name VARCHAR(255) PRIMARY KEY, mark TEXT NOT NULL)`);
    await this.transaction(async () => {
      for (const [name, mark] of marks) {
        if (this.link.engine === 'mysql') await this.exec(`REPLACE INTO ${SYNC_STATE_TABLE} (name, mark) VALUES (?, ?)`, [name, mark]);
        else await this.exec(`INSERT INTO ${SYNC_STATE_TABLE} (name, mark) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET mark = EXCLUDED.mark`, [name, mark]);
      }
      await this.exec(`DROP TABLE IF EXISTS ${SYNC_JOURNAL_TABLE}`);
    });
  }

  async close(): Promise<void> {
    await this.connection.idle();
    await this.link.unlock().catch(() => undefined);
    await this.link.close();
  }
}
