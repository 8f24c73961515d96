// The digest of a key range of a local target, computed where the rows are read: pages of rows
// from better-sqlite3 (all() of a page is cheaper than a row-by-row iterator) go into the
// encoder and are hashed a page at a time, so memory stays at one page whatever the range
// holds. Used by the digest thread (digest-thread.ts).
import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import type { SqliteValue } from '../../casting/values.js';
import { quoteAlways } from '../../schema/identifiers.js';
import { EncodedRows } from '../../verify/chunk-hash.js';
import type { TableShape } from '../reader.js';
import { rangeEdgeSql, rangeSql, rowTextSql } from './read-sql.js';

const PAGE_ROWS = 4096;
/** Rows per page of row text: about 200 bytes each, a few MB a page. */
const TEXT_PAGE_ROWS = 16384;

export interface RangeDigest {
  rows: number;
  digest: string;
}

export class RangeDigester {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly encoded = new EncodedRows();

  constructor(private readonly db: Database.Database) {}

  private statement(shape: TableShape, lo: boolean, hi: boolean): Database.Statement {
    const id = `${shape.table}\0${shape.columns.join('\0')}\0${shape.key.join('\0')}\0${lo}\0${hi}`;
    let stmt = this.statements.get(id);
    if (!stmt) {
      const q = () => '?';
      stmt = this.db.prepare(rangeSql(shape, shape.columns.map(quoteAlways).join(', '), lo ? q : null, hi ? q : null, '?')).raw(true);
      this.statements.set(id, stmt);
    }
    return stmt;
  }

  private prepared(id: string, sql: () => string): Database.Statement {
    let stmt = this.statements.get(id);
    if (!stmt) {
      stmt = this.db.prepare(sql()).raw(true);
      this.statements.set(id, stmt);
    }
    return stmt;
  }

  /**
   * Count and SHA-256 of the row text of (lo, hi] (verify/verify-server-digest.ts), made by
   * SQLite a page at a time: no row becomes a JS value, the pages arrive as bytes.
   */
  textDigest(shape: TableShape, lo: readonly SqliteValue[] | null, hi: readonly SqliteValue[] | null): RangeDigest {
    const id = `${shape.table}\0${shape.columns.join('\0')}\0${shape.key.join('\0')}`;
    const q = () => '?';
    const hash = createHash('sha256');
    let rows = 0;
    for (let cursor = lo; ; ) {
      const bound = [...(cursor ?? []), ...(hi ?? [])];
      const edge = this.prepared(`edge\0${id}\0${cursor !== null}\0${hi !== null}`, () => rangeEdgeSql(shape, cursor && q, hi && q, TEXT_PAGE_ROWS - 1)).get(...bound) as
        | SqliteValue[]
        | undefined;
      const upper = edge ?? hi;
      const [n, text] = this.prepared(`text\0${id}\0${cursor !== null}\0${upper !== null}`, () => rowTextSql(shape, cursor && q, upper && q)).get(
        ...(cursor ?? []),
        ...(upper ?? []),
      ) as [bigint | number, Buffer | null];
      if (text) hash.update(text);
      rows += Number(n);
      if (!edge) break;
      cursor = edge;
    }
    return { rows, digest: hash.digest('hex') };
  }

  digest(shape: TableShape, lo: readonly SqliteValue[] | null, hi: readonly SqliteValue[] | null): RangeDigest {
    const keyIdx = shape.key.map((k) => shape.columns.indexOf(k));
    const hash = createHash('sha1');
    const e = this.encoded;
    let rows = 0;
    for (let cursor = lo; ; ) {
      const page = this.statement(shape, cursor !== null, hi !== null).all(...(cursor ?? []), ...(hi ?? []), PAGE_ROWS) as SqliteValue[][];
      e.clear();
      for (const row of page) e.add(row);
      hash.update(e.buf.subarray(0, e.length));
      rows += page.length;
      if (page.length < PAGE_ROWS) break;
      const last = page[page.length - 1];
      cursor = keyIdx.map((i) => last[i]);
    }
    return { rows, digest: hash.digest('hex') };
  }
}
