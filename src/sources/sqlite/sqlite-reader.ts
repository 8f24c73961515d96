// Reading rows from a SQLite file with better-sqlite3.
//
// Each readRows is ONE query walked with a statement iterator, so a table is sorted at most once
// and memory stays at one batch. better-sqlite3 (v12) lets other prepared statements run on the
// connection while iterators are open, so several readers can interleave on the one connection
// that holds a snapshot's read transaction. What it refuses while an iterator is open is exec(),
// COMMIT and close(): the reader therefore tracks its open iterators and ends them first
// (closeIterators), so a consumer that walked away without return() cannot wedge close().
//
// TEXT that is not valid UTF-8: better-sqlite3 decodes it with U+FFFD in place of the bad bytes.
// A string holding U+FFFD is rare, so only then are that row's bytes read again (a second
// statement walking the same order, opened at the first such row) and a value whose bytes are
// not UTF-8 is delivered as NotUtf8Text, which the casts refuse or keep as a BLOB. A genuine
// U+FFFD (valid UTF-8 bytes EF BF BD) stays the string it is.
import { isUtf8 } from 'node:buffer';
import type Database from 'better-sqlite3';
import { NotUtf8Text, type SourceValue } from '../../casting/values.js';
import type { Table, TableMeasurement } from '../../catalog/types.js';
import type { IntegerBounds, ReadOptions } from '../source.js';
import { otherCollation, parseCreateTable } from './sqlite-sql-text.js';
import { quoteName, rowidName } from './sqlite-tables.js';

/** A value better-sqlite3 binds. */
export type Bindable = null | number | bigint | string | Buffer;

function bindable(v: SourceValue): Bindable {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Uint8Array && !Buffer.isBuffer(v)) return Buffer.from(v);
  return v as Bindable;
}

/** A resume value's placeholder: text kept as bytes compares as TEXT again. */
const placeholder = (v: SourceValue) => (v instanceof NotUtf8Text ? 'CAST(? AS TEXT)' : '?');

const REPLACEMENT = '\uFFFD';

/** True when a string in the row holds U+FFFD (rare: only such rows are read again as bytes). */
function hasReplacement(row: readonly SourceValue[], n: number): boolean {
  for (let i = 0; i < n; i++) {
    const v = row[i];
    if (typeof v === 'string' && v.indexOf(REPLACEMENT) !== -1) return true;
  }
  return false;
}

/** The second walk over a read's rows, giving each row's TEXT values as their bytes (others NULL). */
interface ByteWalk {
  it: IterableIterator<(Buffer | null)[]>;
  /** Rows of the read it has passed. */
  at: number;
}

export class SqliteReader {
  private readonly open = new Set<IterableIterator<unknown>>();

  constructor(private readonly db: Database.Database) {}

  async *readRows(table: Table, options: ReadOptions): AsyncGenerator<SourceValue[][]> {
    const columns = table.columns.map((c) => quoteName(c.name));
    const { sql, params } = this.selectSql(table, options, columns);
    // safeIntegers: INTEGER values arrive as bigint, exact beyond 2^53; REAL as number,
    // TEXT as string, BLOB as Buffer. raw: arrays in table.columns order.
    const it = this.db.prepare(sql).raw(true).safeIntegers(true).iterate(...params) as IterableIterator<SourceValue[]>;
    this.open.add(it);
    const n = columns.length;
    let bytes: ByteWalk | undefined;
    let read = 0;
    try {
      for (;;) {
        options.signal?.throwIfAborted();
        const batch: SourceValue[][] = [];
        let done = false;
        while (batch.length < options.batchSize) {
          const next = it.next();
          if (next.done) {
            done = true;
            break;
          }
          const row = next.value;
          if (hasReplacement(row, n)) {
            bytes ??= this.byteWalk(table, options, columns);
            this.restoreBytes(row, read, bytes, table);
          }
          read++;
          batch.push(row);
        }
        if (batch.length) yield batch;
        if (done) return;
      }
    } finally {
      it.return?.();
      this.open.delete(it);
      if (bytes) {
        bytes.it.return?.();
        this.open.delete(bytes.it);
      }
    }
  }

  /** The read's statement again, in the same order, selecting each TEXT value as its bytes. */
  private byteWalk(table: Table, options: ReadOptions, columns: string[]): ByteWalk {
    const asBytes = columns.map((q) => `CASE typeof(${q}) WHEN 'text' THEN CAST(${q} AS BLOB) END`);
    const { sql, params } = this.selectSql(table, options, asBytes);
    const it = this.db.prepare(sql).raw(true).iterate(...params) as IterableIterator<(Buffer | null)[]>;
    this.open.add(it);
    return { it, at: 0 };
  }

  /** Replaces the row's strings that were decoded from bytes that are not UTF-8 by those bytes. */
  private restoreBytes(row: SourceValue[], index: number, walk: ByteWalk, table: Table): void {
    let raw: (Buffer | null)[] | undefined;
    while (walk.at <= index) {
      const next = walk.it.next();
      if (next.done) throw new Error(`${table.name}: the second read of its text bytes ended early`);
      raw = next.value;
      walk.at++;
    }
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      if (typeof v !== 'string' || v.indexOf(REPLACEMENT) === -1) continue;
      const b = raw![i];
      // Both walks see one read transaction in one order; anything else is a bug, not data.
      if (!b || b.toString('utf8') !== v) throw new Error(`${table.name}: the second read of its text bytes is out of step`);
      if (!isUtf8(b)) row[i] = NotUtf8Text.copyOf(b);
    }
  }

  private selectSql(table: Table, options: ReadOptions, select: readonly string[]): { sql: string; params: Bindable[] } {
    const from = quoteName(table.sourceName);
    const columns = select.join(', ');
    const orderBy = options.orderBy?.length ? options.orderBy : undefined;
    if (!orderBy) {
      // No key given: rowid order is the table's storage order (free); WITHOUT ROWID tables
      // always have a primary key, which is their storage order.
      const rowid = rowidName(this.db, table.sourceName);
      const natural = rowid ? [rowid] : (table.primaryKey?.columns ?? []).map(quoteName);
      return { sql: `SELECT ${columns} FROM ${from}${natural.length ? ` ORDER BY ${natural.join(', ')}` : ''}`, params: [] };
    }
    // Keys compare in BINARY order (what verify's merge expects). A column declared with
    // another collation (NOCASE, RTRIM) gets an explicit COLLATE BINARY, which costs a sort;
    // BINARY columns are left bare so the key index serves both the order and the resume.
    const parsed = parseCreateTable(this.createSql(table.sourceName));
    const keys = orderBy.map((k) => (otherCollation(parsed, k) ? `${quoteName(k)} COLLATE BINARY` : quoteName(k)));
    let where = '';
    const params: Bindable[] = [];
    if (options.after?.length) {
      if (options.after.length !== keys.length) {
        throw new Error(`resume point has ${options.after.length} values for a key of ${keys.length} columns`);
      }
      const marks = options.after.map(placeholder);
      where = keys.length === 1 ? ` WHERE ${keys[0]} > ${marks[0]}` : ` WHERE (${keys.join(', ')}) > (${marks.join(', ')})`;
      params.push(...options.after.map(bindable));
    }
    if (options.since) {
      where += `${where ? ' AND' : ' WHERE'} ${quoteName(options.since.column)} >= ?`;
      params.push(bindable(options.since.from));
    }
    return { sql: `SELECT ${columns} FROM ${from}${where} ORDER BY ${keys.join(', ')}`, params };
  }

  private createSql(table: string): string {
    const row = this.db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?").get(table) as { sql: string | null } | undefined;
    return row?.sql ?? '';
  }

  countRows(table: Table): number {
    const row = this.db.prepare(`SELECT count(*) AS n FROM ${quoteName(table.sourceName)}`).get() as { n: number };
    return Number(row.n);
  }

  countNullKeys(table: Table, columns: readonly string[]): number {
    if (columns.length === 0) return 0;
    const where = columns.map((c) => `${quoteName(c)} IS NULL`).join(' OR ');
    const row = this.db.prepare(`SELECT count(*) AS n FROM ${quoteName(table.sourceName)} WHERE ${where}`).get() as { n: number };
    return Number(row.n);
  }

  /** Ends iterators a consumer left open, so that COMMIT and close() can run. */
  closeIterators(): void {
    for (const it of this.open) it.return?.();
    this.open.clear();
  }
}

const MAX_SAFE = '9007199254740991';
// SQLite allows 2000 result columns by default: wide tables are measured in several scans.
const COLUMNS_PER_SCAN = 400;

/** Bytes of a value as valueBytes() counts them: text/blob length, 8 for numbers, 0 for NULL. */
const bytes = (q: string) =>
  `(CASE typeof(${q}) WHEN 'null' THEN 0 WHEN 'integer' THEN 8 WHEN 'real' THEN 8 ELSE length(CAST(${q} AS BLOB)) END)`;

export function measureTable(db: Database.Database, table: Table): TableMeasurement {
  const from = quoteName(table.sourceName);
  const cols = table.columns.map((c) => c.name);
  const rowBytes = cols.map((c) => bytes(quoteName(c))).join(' + ');
  let rows = 0;
  let maxRowBytes = 0;
  const columns: TableMeasurement['columns'] = [];
  for (let i = 0; i < cols.length; i += COLUMNS_PER_SCAN) {
    const chunk = cols.slice(i, i + COLUMNS_PER_SCAN);
    // The first scan also counts rows and sizes whole rows: one scan for most tables.
    const head = i === 0 ? ['count(*)', `coalesce(max(${rowBytes}), 0)`] : [];
    const exprs = chunk.flatMap((c) => {
      const q = quoteName(c);
      return [
        `coalesce(max(${bytes(q)}), 0)`,
        `coalesce(sum(typeof(${q}) = 'integer' AND (${q} > ${MAX_SAFE} OR ${q} < -${MAX_SAFE})), 0)`,
      ];
    });
    const row = (db.prepare(`SELECT ${[...head, ...exprs].join(', ')} FROM ${from}`).raw(true).get() as number[]).map(Number);
    if (i === 0) [rows, maxRowBytes] = row;
    const values = row.slice(head.length);
    chunk.forEach((c, j) => columns.push({ column: c, maxBytes: values[2 * j], unsafeIntegers: values[2 * j + 1] }));
  }
  return { table: table.name, rows, maxRowBytes, columns };
}

export function integerBounds(db: Database.Database, table: Table, columns: readonly string[]): IntegerBounds[] {
  if (columns.length === 0) return [];
  const from = quoteName(table.sourceName);
  const select = columns.flatMap((c, i) => [`CAST(min(${quoteName(c)}) AS TEXT) AS a${i}`, `CAST(max(${quoteName(c)}) AS TEXT) AS b${i}`]);
  const row = db.prepare(`SELECT ${select.join(', ')} FROM ${from}`).get() as Record<string, string | null>;
  return columns.map((column, i) => {
    const bounds: IntegerBounds = { column, min: row[`a${i}`], max: row[`b${i}`] };
    // A REAL between two integer bounds hides from MIN/MAX: only a column whose bounds pass 2^53
    // (rare) pays the scan that looks for one.
    if ([bounds.min, bounds.max].some((b) => b !== null && /^-?\d{16,}$/.test(b))) {
      const q = quoteName(column);
      bounds.nonIntegers = db.prepare(`SELECT EXISTS (SELECT 1 FROM ${from} WHERE typeof(${q}) NOT IN ('integer', 'null')) AS x`).pluck().get() === 1;
    }
    return bounds;
  });
}
