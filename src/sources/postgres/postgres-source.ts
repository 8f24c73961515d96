// The PostgreSQL Source: a small pool for catalog work and unsnapshotted reads; snapshots get
// their own connections (one exporting the snapshot, up to `readers` importing it).
import type { PoolClient } from 'pg';
import type { CastRule } from '../../casting/rules.js';
import type { SourceValue } from '../../casting/values.js';
import type { Catalog, Table, TableMeasurement } from '../../catalog/types.js';
import type { ChunkDigests, IntegerBounds, ReadOptions, Snapshot, Source, SourceChunk } from '../source.js';
import type { TableMapping } from '../../schema/mapping.js';
import { digestChunks, digestPlan, type PgDigestPlan } from './postgres-chunk-digest.js';
import { POSTGRES_CAST_RULES } from './postgres-cast-rules.js';
import { PgConnector, pgUserError, type PgLease, type PgPool, type PgTarget } from './postgres-connection.js';
import { introspect } from './postgres-introspector.js';
import { integerBounds, measureTable } from './postgres-measure.js';
import { countTable, streamRows } from './postgres-reader.js';
import { copyRows } from './postgres-copy-reader.js';
import { endWithin } from '../stall-watch.js';

const POOL_SIZE = 2; // catalog work and the odd unsnapshotted read; readers ask for their own
const READ_ONLY = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';
const SNAPSHOT_ID = /^[0-9A-Fa-f-]+$/;

/**
 * A snapshot read of a whole table in bulk (copy) goes through COPY (postgres-copy-reader.ts:
 * the same values, parsed for less); a read that resumes after a key, one that may stop early
 * (verify, plan), or FLARELIFT_PG_READ=cursor, uses the cursor.
 */
function snapshotRows(client: PoolClient, table: Table, options: ReadOptions, textBytes: boolean): AsyncGenerator<SourceValue[][]> {
  const whole = (!options.after || options.after.length === 0) && !options.since;
  // SQL_ASCII text is read as bytes and checked, which the COPY decoder does not do.
  const copy = options.bulk === true && whole && !textBytes && process.env.FLARELIFT_PG_READ !== 'cursor';
  return copy ? copyRows(client, table, options) : streamRows(client, table, options, textBytes);
}

/**
 * Ends a transaction on the way out, whatever state the connection is in: a query on a
 * connection that was lost or stalled may never settle, so the wait is bounded (the client is
 * then destroyed). True when the statement ran.
 */
async function settleQuietly(lease: PgLease, sql: string): Promise<boolean> {
  let ok = false;
  await endWithin(
    lease.client.query(sql).then(() => (ok = true)),
    () => lease.release(true),
  );
  return ok;
}

/**
 * Streams `body` on a pooled client inside the transaction `begin` opens. A consumer that stops
 * early ends the transaction cleanly; a failed read discards the client, which may be
 * mid-protocol.
 */
async function* readInTransaction<T = SourceValue[][]>(
  pool: PgPool,
  target: PgTarget,
  begin: string[],
  body: (client: PoolClient) => AsyncGenerator<T>,
): AsyncGenerator<T> {
  const lease = await pool.acquire();
  let failed = false;
  let done = false;
  try {
    for (const sql of begin) await lease.client.query(sql);
    yield* body(lease.client);
    await lease.client.query('COMMIT');
    done = true;
  } catch (e) {
    failed = true;
    throw pgUserError(e, target) ?? e;
  } finally {
    if (!done) failed = !(await settleQuietly(lease, 'ROLLBACK')) || failed;
    lease.release(failed);
  }
}

async function inTransaction<T>(pool: PgPool, target: PgTarget, begin: string[], f: (c: PoolClient) => Promise<T>): Promise<T> {
  const lease = await pool.acquire();
  let failed = false;
  try {
    for (const sql of begin) await lease.client.query(sql);
    const result = await f(lease.client);
    await lease.client.query('COMMIT');
    return result;
  } catch (e) {
    failed = true;
    await settleQuietly(lease, 'ROLLBACK');
    throw pgUserError(e, target) ?? e;
  } finally {
    lease.release(failed);
  }
}

export class PostgresSnapshot implements Snapshot {
  readonly consistency = 'one exported snapshot for all tables';
  /** The second connection of verify's server digests (digestClients), opened on first use. */
  private helperPool: PgPool | undefined;
  /** A table's digests are using the helper: another table digests on its reader alone. */
  private helperTaken = false;

  private constructor(
    private readonly connector: PgConnector,
    private readonly target: PgTarget,
    private readonly exporterPool: PgPool,
    private readonly exporter: PgLease,
    private readonly readerPool: PgPool,
    private readonly snapshotId: string,
    private readonly textBytes: boolean,
  ) {}

  static async open(connector: PgConnector, readers: number, textBytes: boolean): Promise<PostgresSnapshot> {
    const exporterPool = connector.createPool(1);
    let exporter: PgLease | undefined;
    try {
      exporter = await exporterPool.acquire();
      // The snapshot lives as long as this transaction stays open.
      await exporter.client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      const r = await exporter.client.query<{ id: string }>('SELECT pg_export_snapshot() AS id');
      const id = r.rows[0].id;
      if (!SNAPSHOT_ID.test(id)) throw new Error(`unexpected snapshot id '${id}'`);
      // The pool's slots are what hold readers to `readers` connections at once.
      const readerPool = connector.createPool(Math.max(1, Math.floor(readers)));
      return new PostgresSnapshot(connector, connector.target, exporterPool, exporter, readerPool, id, textBytes);
    } catch (e) {
      exporter?.release(true);
      await exporterPool.end();
      throw pgUserError(e, connector.target) ?? e;
    }
  }

  private get begin(): string[] {
    return [READ_ONLY, `SET TRANSACTION SNAPSHOT '${this.snapshotId}'`];
  }

  readRows(table: Table, options: ReadOptions): AsyncIterable<SourceValue[][]> {
    return readInTransaction(this.readerPool, this.target, this.begin, (client) => snapshotRows(client, table, options, this.textBytes));
  }

  countRows(table: Table): Promise<number> {
    return inTransaction(this.readerPool, this.target, this.begin, (client) => countTable(client, table));
  }

  chunkDigests(m: TableMapping): ChunkDigests | undefined {
    // SQL_ASCII text may hold bytes that are not UTF-8: the server cannot render it as the
    // target's text (convert_to refuses it), so such tables are compared row by row.
    if (this.textBytes) return undefined;
    const plan = digestPlan(m);
    if (!plan) return undefined;
    return {
      chunks: (chunkRows, signal) => readInTransaction(this.readerPool, this.target, this.begin, (client) => this.digestOnTwo(client, plan, chunkRows, signal)),
    };
  }

  /**
   * A table's chunk digests on its reader and, when no other table holds it, a second
   * connection in the same snapshot: PostgreSQL's rendering of the rows is the CPU work of a
   * verify, and two backends do it on two cores. The helper is one connection beyond the
   * readers (the exporter's stays idle); when it cannot be opened the reader digests alone.
   */
  private async *digestOnTwo(client: PoolClient, plan: PgDigestPlan, chunkRows: number, signal?: AbortSignal): AsyncGenerator<SourceChunk> {
    const helper = await this.takeHelper();
    if (!helper) {
      yield* digestChunks([client], plan, chunkRows, signal);
      return;
    }
    let done = false;
    try {
      yield* digestChunks([client, helper.client], plan, chunkRows, signal);
      await helper.client.query('COMMIT');
      done = true;
    } finally {
      // A stop or a failure may leave queries in flight on the helper: settleQuietly bounds the wait.
      const clean = done || (await settleQuietly(helper, 'ROLLBACK'));
      helper.release(!clean);
      this.helperTaken = false;
    }
  }

  private async takeHelper(): Promise<PgLease | undefined> {
    if (this.helperTaken || process.env.FLARELIFT_PG_DIGEST_CONNECTIONS === '1') return undefined;
    this.helperTaken = true;
    let lease: PgLease | undefined;
    try {
      this.helperPool ??= this.connector.createPool(1);
      lease = await this.helperPool.acquire();
      for (const sql of this.begin) await lease.client.query(sql);
      return lease;
    } catch {
      // No second connection (a limit on connections, say): one is enough to be correct.
      lease?.release(true);
      this.helperTaken = false;
      return undefined;
    }
  }

  async close(): Promise<void> {
    await this.readerPool.end();
    await this.helperPool?.end();
    await settleQuietly(this.exporter, 'COMMIT');
    this.exporter.release();
    await this.exporterPool.end();
  }
}

/**
 * Reads for a server with a single backend session (PGlite behind pglite-socket): there is no
 * second connection to import an exported snapshot, so tables are read one after another on the
 * source's only connection, each in its own read-only transaction.
 */
class SerialSnapshot implements Snapshot {
  readonly consistency = 'one session: tables read one after another (embedded single-session server)';
  constructor(private readonly pool: PgPool, private readonly target: PgTarget, private readonly textBytes: boolean) {}
  readRows(table: Table, options: ReadOptions): AsyncIterable<SourceValue[][]> {
    return readInTransaction(this.pool, this.target, [READ_ONLY], (client) => streamRows(client, table, options, this.textBytes));
  }
  countRows(table: Table): Promise<number> {
    return inTransaction(this.pool, this.target, [READ_ONLY], (client) => countTable(client, table));
  }
  async close(): Promise<void> {}
}

// PGlite reports itself in version(); it serves one backend session however many sockets connect.
const SINGLE_SESSION_SERVER = /PGlite/;

export class PostgresSource implements Source {
  readonly engine = 'postgres' as const;
  readonly description: string;
  readonly castRules: readonly CastRule[] = POSTGRES_CAST_RULES;
  private readonly target: PgTarget;

  private constructor(
    private readonly connector: PgConnector,
    private readonly pool: PgPool,
    private readonly singleSession: boolean,
    /** SQL_ASCII: text may hold bytes that are not UTF-8, so it is read as bytes (postgres-reader.ts). */
    private readonly textBytes: boolean,
  ) {
    this.target = connector.target;
    this.description = connector.target.display;
  }

  /** Connects once, so a wrong URL fails here with a clear message rather than mid-plan. */
  static async open(spec: string): Promise<PostgresSource> {
    const connector = new PgConnector(spec);
    const probe = connector.createPool(1);
    let version: string;
    let encoding: string;
    try {
      const lease = await probe.acquire();
      try {
        const r = await lease.client.query<{ v: string; e: string }>("SELECT version() AS v, current_setting('server_encoding') AS e");
        ({ v: version, e: encoding } = r.rows[0]);
      } finally {
        lease.release();
      }
    } catch (e) {
      await probe.end();
      throw pgUserError(e, connector.target) ?? e;
    }
    const textBytes = encoding === 'SQL_ASCII';
    if (SINGLE_SESSION_SERVER.test(version)) return new PostgresSource(connector, probe, true, textBytes);
    await probe.end();
    return new PostgresSource(connector, connector.createPool(POOL_SIZE), false, textBytes);
  }

  async introspect(): Promise<Catalog> {
    const lease = await this.pool.acquire();
    let failed = false;
    try {
      return await introspect(lease.client);
    } catch (e) {
      failed = true;
      throw pgUserError(e, this.target) ?? e;
    } finally {
      lease.release(failed);
    }
  }

  measure(table: Table): Promise<TableMeasurement> {
    return inTransaction(this.pool, this.target, [READ_ONLY], (client) => measureTable(client, table));
  }

  integerBounds(table: Table, columns: readonly string[]): Promise<IntegerBounds[]> {
    return inTransaction(this.pool, this.target, [READ_ONLY], (client) => integerBounds(client, table, columns));
  }

  readRows(table: Table, options: ReadOptions): AsyncIterable<SourceValue[][]> {
    return readInTransaction(this.pool, this.target, [READ_ONLY], (client) => streamRows(client, table, options, this.textBytes));
  }

  countRows(table: Table): Promise<number> {
    return inTransaction(this.pool, this.target, [READ_ONLY], (client) => countTable(client, table));
  }

  snapshot(readers: number): Promise<Snapshot> {
    if (this.singleSession) return Promise.resolve(new SerialSnapshot(this.pool, this.target, this.textBytes));
    return PostgresSnapshot.open(this.connector, readers, this.textBytes);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
