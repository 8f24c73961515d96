// The digest of a key range of a local target, computed where the rows are read: better-sqlite3
// iterates the range and each row goes straight into the encoder, so no row outlives the step
// that read it. Used by the digest worker (target-worker.ts) and, when no worker can start,
// in-thread.
import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import type { SqliteValue } from '../casting/values.js';
import { quoteAlways } from '../schema/identifiers.js';
import { EncodedRows } from './chunk-hash.js';
import type { TableShape } from './target-reader.js';
import { rangeSql } from './target-sql.js';

/** Bytes of encoded rows hashed at a time (the digest is the same as over the whole range at once). */
const FLUSH_BYTES = 1 << 20;

export interface RangeDigest {
  rows: number;
  digest: string;
}

export class RangeDigester {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly encoded = new EncodedRows();

  constructor(private readonly db: Database.Database) {}

  digest(shape: TableShape, lo: readonly SqliteValue[] | null, hi: readonly SqliteValue[] | null): RangeDigest {
    const id = `${shape.table}\0${shape.columns.join('\0')}\0${shape.key.join('\0')}\0${lo !== null}\0${hi !== null}`;
    let stmt = this.statements.get(id);
    if (!stmt) {
      const q = () => '?';
      stmt = this.db.prepare(rangeSql(shape, shape.columns.map(quoteAlways).join(', '), lo && q, hi && q, '-1')).raw(true);
      this.statements.set(id, stmt);
    }
    const hash = createHash('sha1');
    const e = this.encoded;
    e.clear();
    let rows = 0;
    for (const row of stmt.iterate(...(lo ?? []), ...(hi ?? [])) as IterableIterator<SqliteValue[]>) {
      e.add(row);
      rows++;
      if (e.length >= FLUSH_BYTES) {
        hash.update(e.buf.subarray(0, e.length));
        e.clear();
      }
    }
    hash.update(e.buf.subarray(0, e.length));
    return { rows, digest: hash.digest('hex') };
  }
}
