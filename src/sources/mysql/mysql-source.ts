// The MySQL/MariaDB Source: a mysql2 pool with lossless value options, introspection through
// information_schema, streaming reads, measurement and multi-reader snapshots.
import type { Pool, PoolConnection } from 'mysql2/promise';
import type { CastRule } from '../../casting/rules.js';
import type { SourceValue } from '../../casting/values.js';
import type { Catalog, Table, TableMeasurement } from '../../catalog/types.js';
import type { IntegerBounds, ReadOptions, Snapshot, Source } from '../source.js';
import { MYSQL_CAST_RULES } from './mysql-cast-rules.js';
import { acquire, connectError, coreOf, createPool, endPool, lostError, parseMysqlUrl, type MysqlTarget } from './mysql-connection.js';
import { introspect } from './mysql-introspector.js';
import { countTable, integerBounds, measureTable } from './mysql-measure.js';
import { buildSelect, streamRows } from './mysql-reader.js';
import type { Query, Row } from './mysql-rows.js';
import { openSnapshot } from './mysql-snapshot.js';
import { stopQuery } from './mysql-stop.js';

function queryOn(conn: PoolConnection): Query {
  return async (sql, params) => {
    const [rows] = await conn.query(sql, params);
    return rows as Row[];
  };
}

export class MysqlSource implements Source {
  readonly engine = 'mysql' as const;
  readonly castRules: readonly CastRule[] = MYSQL_CAST_RULES;
  readonly description: string;

  private constructor(
    private readonly target: MysqlTarget,
    private readonly pool: Pool,
  ) {
    this.description = target.display;
  }

  /** Connects once so a wrong URL fails here, as a UserError, rather than at the first read. */
  static async open(spec: string): Promise<MysqlSource> {
    const target = parseMysqlUrl(spec);
    const pool = createPool(target);
    try {
      const conn = await acquire(pool);
      conn.release();
    } catch (e) {
      await endPool(pool);
      throw connectError(e, target);
    }
    return new MysqlSource(target, pool);
  }

  private async withConnection<T>(fn: (q: Query) => Promise<T>): Promise<T> {
    const conn = await acquire(this.pool).catch((e: unknown) => Promise.reject(lostError(connectError(e, this.target), this.target)));
    try {
      return await fn(queryOn(conn));
    } catch (e) {
      throw lostError(e, this.target);
    } finally {
      conn.release();
    }
  }

  introspect(): Promise<Catalog> {
    return this.withConnection((q) => introspect(q, this.target.database));
  }

  measure(table: Table): Promise<TableMeasurement> {
    return this.withConnection((q) => measureTable(q, table));
  }

  countRows(table: Table): Promise<number> {
    return this.withConnection((q) => countTable(q, table));
  }

  integerBounds(table: Table, columns: readonly string[]): Promise<IntegerBounds[]> {
    return this.withConnection((q) => integerBounds(q, table, columns));
  }

  async *readRows(table: Table, options: ReadOptions): AsyncIterable<SourceValue[][]> {
    const statement = buildSelect(table, options);
    const conn = await acquire(this.pool);
    let reusable = true;
    try {
      yield* streamRows(coreOf(conn), statement, options, async (query, lost) => {
        reusable = !lost && (await stopQuery(this.pool, coreOf(conn), query));
      });
    } catch (e) {
      throw lostError(e, this.target);
    } finally {
      if (reusable) conn.release();
      else conn.destroy();
    }
  }

  snapshot(readers: number): Promise<Snapshot> {
    return openSnapshot(this.target, this.pool, readers);
  }

  async close(): Promise<void> {
    await endPool(this.pool);
  }
}
