// One consistent view for several readers (copy --jobs): every reader connection starts a
// consistent-snapshot transaction while one connection holds FLUSH TABLES WITH READ LOCK, so all
// of them see the same instant (how mysqldump --single-transaction --master-data does it).
import type { Connection, Pool } from 'mysql2/promise';
import type { Table } from '../../catalog/types.js';
import type { SourceValue } from '../../casting/values.js';
import type { ReadOptions, Snapshot } from '../source.js';
import { connectOne, coreOf, endConnection, lostError, type MysqlTarget } from './mysql-connection.js';
import { buildSelect, qualifiedName, streamRows } from './mysql-reader.js';
import { str, type Row } from './mysql-rows.js';
import { stopQuery } from './mysql-stop.js';

/** Privilege or lock-wait failures of FTWRL that leave us with per-connection snapshots. */
const LOCK_REFUSED = new Set(['ER_SPECIFIC_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_ACCESS_DENIED_ERROR', 'ER_LOCK_WAIT_TIMEOUT']);

/** Seconds FTWRL may wait for running statements before we give up on the global lock. */
const LOCK_WAIT_SECONDS = 20;

async function begin(conn: Connection): Promise<void> {
  await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
  await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
}

export async function openSnapshot(target: MysqlTarget, pool: Pool, readers: number): Promise<Snapshot> {
  const n = Math.max(1, Math.floor(readers));
  const conns: Connection[] = [];
  let lock: Connection | undefined;
  let locked = false;
  let refusal = '';
  try {
    lock = await connectOne(target);
    await lock.query(`SET SESSION lock_wait_timeout = ${LOCK_WAIT_SECONDS}`);
    try {
      await lock.query('FLUSH TABLES WITH READ LOCK');
      locked = true;
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      if (!LOCK_REFUSED.has(code)) throw e;
      refusal = code === 'ER_LOCK_WAIT_TIMEOUT' ? `FLUSH TABLES WITH READ LOCK waited over ${LOCK_WAIT_SECONDS} s` : 'FLUSH TABLES WITH READ LOCK was denied (it needs the RELOAD privilege)';
    }
    for (let i = 0; i < n; i += 1) {
      const c = await connectOne(target);
      conns.push(c);
      await begin(c);
    }
    if (locked) await lock.query('UNLOCK TABLES');
  } catch (e) {
    await Promise.allSettled([...conns, ...(lock ? [lock] : [])].map(endConnection));
    throw e;
  } finally {
    if (lock) await endConnection(lock);
  }
  const live = await nonTransactionalTables(conns[0], target.database);
  let consistency = locked
    ? `consistent snapshot: ${n} reader transaction(s) started under FLUSH TABLES WITH READ LOCK`
    : `per-connection snapshots: ${refusal}, so each of the ${n} reader(s) sees its own instant`;
  if (live.length > 0) consistency += `; not InnoDB, read live: ${live.join(', ')}`;
  return new MysqlSnapshot(target, pool, conns, consistency);
}

/** Tables whose engine has no MVCC snapshot (MyISAM, Aria, MEMORY...): reads see current data. */
async function nonTransactionalTables(conn: Connection, database: string): Promise<string[]> {
  const [rows] = await conn.query(
    `SELECT TABLE_NAME FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' AND ENGINE NOT IN ('InnoDB', 'XtraDB')
      ORDER BY TABLE_NAME`,
    [database],
  );
  return (rows as Row[]).map((r) => str(r.TABLE_NAME));
}

class MysqlSnapshot implements Snapshot {
  private readonly free: Connection[];
  private readonly waiting: Array<{ resolve: (c: Connection) => void; reject: (e: Error) => void }> = [];
  private alive: number;
  private closed = false;

  constructor(
    private readonly target: MysqlTarget,
    private readonly pool: Pool,
    private readonly conns: Connection[],
    readonly consistency: string,
  ) {
    this.free = [...conns];
    this.alive = conns.length;
  }

  /** A reader connection; waits for one when all are busy. */
  private lease(): Promise<Connection> {
    if (this.closed) return Promise.reject(new Error('snapshot is closed'));
    if (this.alive === 0) return Promise.reject(new Error('snapshot lost all its reader connections'));
    const c = this.free.pop();
    if (c) return Promise.resolve(c);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private give(c: Connection): void {
    const next = this.waiting.shift();
    if (next) next.resolve(c);
    else this.free.push(c);
  }

  /** A reader whose query could not be stopped is closed; its snapshot is gone with it. */
  private drop(c: Connection): void {
    c.destroy();
    this.alive -= 1;
    if (this.alive > 0) return;
    for (const w of this.waiting.splice(0)) w.reject(new Error('snapshot lost all its reader connections'));
  }

  async *readRows(table: Table, options: ReadOptions): AsyncIterable<SourceValue[][]> {
    const conn = await this.lease();
    let usable = true;
    try {
      yield* streamRows(coreOf(conn), buildSelect(table, options), options, async (query, lost) => {
        // Stopping the query keeps the connection and its snapshot transaction for the next read.
        usable = !lost && (await stopQuery(this.pool, coreOf(conn), query));
      });
    } catch (e) {
      throw lostError(e, this.target);
    } finally {
      if (usable) this.give(conn);
      else this.drop(conn);
    }
  }

  async countRows(table: Table): Promise<number> {
    const conn = await this.lease();
    try {
      const [rows] = await conn.query(`SELECT COUNT(*) AS n FROM ${qualifiedName(table)}`);
      return Number(str((rows as Row[])[0].n));
    } catch (e) {
      throw lostError(e, this.target);
    } finally {
      this.give(conn);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled(
      this.conns.map(async (c) => {
        // a connection that was lost has nothing to end: mysql2's end() on it never settles
        if ((coreOf(c) as unknown as { _fatalError?: unknown })._fatalError) return c.destroy();
        await c.query('COMMIT').catch(() => undefined);
        await endConnection(c);
      }),
    );
  }
}
