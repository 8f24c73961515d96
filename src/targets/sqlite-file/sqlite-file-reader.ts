// A local D1 file or a SQLite file read directly: better-sqlite3, read-only, integers as
// BigInt (exact beyond 2^53), one prepared statement per kind of read, and one read
// transaction for the whole verify so every table is seen at the same instant. Chunk digests
// are computed by a worker thread on its own connection (digest-worker.ts), rows for
// drill-down and the keyed and multiset methods are read here. Both assume nothing writes the
// target while it is verified.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { UserError } from '../../errors.js';
import { quoteAlways } from '../../schema/identifiers.js';
import type { TableMapping } from '../../schema/mapping.js';
import type { SqliteValue } from '../../casting/values.js';
import { DigestWorker } from './digest-worker.js';
import { checkColumns, rowidName, shapeOf, type TargetReader, type TargetRow, type TargetTableReader } from '../reader.js';
import { lookupSql, rangeSql, rowidSql } from './read-sql.js';
import { limitReadCache } from '../../sources/sqlite/sqlite-read-cache.js';

/** Keys per lookup statement (SQLite allows 32,766 parameters; this keeps statements small). */
const LOOKUP_KEYS = 200;

export function openLocalReader(file: string, description: string, hint: string): TargetReader {
  if (!existsSync(file)) throw new UserError(`${description}: no database file at ${file} — ${hint}`);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.defaultSafeIntegers(true);
    limitReadCache(db);
    db.exec('BEGIN');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (e) {
    throw new UserError(`${description}: cannot read ${file} (${(e as Error).message}) — is it a SQLite database?`);
  }
  const tables = new Map(
    (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).raw(true).all() as [string][]).map(([n]) => [n.toLowerCase(), n]),
  );
  // Row text is compared as UTF-8 bytes: a UTF-16 file is verified by rows.
  const utf8 = (db.pragma('encoding', { simple: true }) as string) === 'UTF-8';
  let worker: DigestWorker | undefined;
  const digester = () => (worker ??= new DigestWorker(file));
  return {
    description,
    readRows: (chunkRows) => chunkRows,
    async table(m) {
      const name = tables.get(m.name.toLowerCase());
      if (!name) return undefined;
      const present = (db.prepare(`PRAGMA table_info(${quoteAlways(name)})`).all() as { name: string }[]).map((c) => c.name);
      return localTable(db, m, present, digester, utf8);
    },
    async close() {
      await worker?.close();
      if (db.inTransaction) db.exec('COMMIT');
      db.close();
    },
  };
}

function localTable(db: Database.Database, m: TableMapping, present: string[], digester: () => DigestWorker, utf8: boolean): TargetTableReader {
  const shape = shapeOf(m);
  checkColumns(shape, present);
  const select = shape.columns.map(quoteAlways).join(', ');
  const statements = new Map<string, Database.Statement>();
  const prepared = (id: string, sql: () => string) => {
    let s = statements.get(id);
    if (!s) {
      s = db.prepare(sql()).raw(true);
      statements.set(id, s);
    }
    return s;
  };
  const q = () => '?';
  const rowid = m.key ? '' : rowidName(shape.columns);
  return {
    digest: (lo, hi) => digester().digest(shape, lo, hi),
    ...(utf8 && m.key ? { textDigest: (lo: readonly SqliteValue[] | null, hi: readonly SqliteValue[] | null) => digester().digest(shape, lo, hi, 'text') } : {}),
    async range(lo, hi, limit) {
      const s = prepared(`range:${lo !== null}:${hi !== null}`, () => rangeSql(shape, select, lo && q, hi && q, '?'));
      return s.all(...(lo ?? []), ...(hi ?? []), limit) as TargetRow[];
    },
    async lookup(keys) {
      const out: TargetRow[] = [];
      for (let i = 0; i < keys.length; i += LOOKUP_KEYS) {
        const part = keys.slice(i, i + LOOKUP_KEYS);
        const s = prepared(`lookup:${part.length}`, () => lookupSql(shape, select, part.length, q));
        out.push(...(s.all(...part.flat()) as TargetRow[]));
      }
      return out;
    },
    async rowidPage(after, limit) {
      const s = prepared(`rowid:${after !== null}`, () => rowidSql(shape, select, rowid, rowid, after !== null ? '?' : null, '?'));
      return s.all(...(after !== null ? [after] : []), limit) as TargetRow[];
    },
  };
}

