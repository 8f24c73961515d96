// SQLite source to SQLite target (a file or a local D1): SQLite copies the rows itself. The
// source file is attached to the target's connection and each batch is one
// `INSERT INTO t SELECT … FROM source.t WHERE <key range>`, committed with its journal row like
// any batch, so a crash, --resume and the journal work as they do row by row. Measured with
// `npm run bench`: the 1,000,000-row bench table in 1.7–2.4 s against 4.8 s row by row (reading
// every value into a JS value and binding it back cost more than SQLite's whole copy).
//
// Only what the row path would write unchanged goes this way:
// - every column is cast with `keep` (no URL rewrite) and the target declares the column's type
//   as the source does, so SQLite's type affinity leaves each value as it is stored;
// - the table's largest record (dbstat's payload, plus 8 bytes a column for numbers stored in
//   fewer) is within the target's size limits, so no row could be refused for its size;
// - each batch's text is checked to be UTF-8 before it is copied (one aggregate over the batch:
//   SQLite does not check what it stores, the row path refuses or keeps such text as bytes).
// A batch that fails the check, or holds a row the target refuses (a constraint), is written
// nothing here and goes through the row path, which rejects exactly the rows at fault.
//
// The source must not change between batches: the caller attaches only a file its snapshot holds
// frozen (rollback journal, read lock held), and the rows are read in the snapshot's key order
// (BINARY), as the row path reads them.
import { isUtf8 } from 'node:buffer';
import type Database from 'better-sqlite3';
import type { SourceValue } from '../../casting/values.js';
import { decodeKey, encodeKey } from '../../pipeline/copy-json.js';
import type { TableMapping } from '../../schema/mapping.js';
import { quoteAlways } from '../../schema/identifiers.js';
import type { Bindable } from '../../sources/sqlite/sqlite-reader.js';
import { otherCollation, parseCreateTable } from '../../sources/sqlite/sqlite-sql-text.js';
import type { DirectTable, JournalEntry, TargetCapabilities } from '../target.js';
import { isRowError } from './sqlite-errors.js';
import type { SqliteJournal } from './sqlite-journal.js';

/** The schema name the source file is attached under. */
export const SOURCE_SCHEMA = 'flarelift_source';
const UTF8_FN = 'flarelift_is_utf8';
/** Bytes a number may count in the size limits (8) beyond what its record stores (at least 0). */
const NUMBER_SLACK = 8;

/** A key value SQLite can take back as it gave it; anything else (text kept as bytes) goes by rows. */
function bindableKey(values: readonly SourceValue[]): Bindable[] | undefined {
  const out: Bindable[] = [];
  for (const v of values) {
    if (typeof v === 'string') {
      // better-sqlite3 decodes text that is not UTF-8 with U+FFFD: such a key cannot be bound back.
      if (v.includes('\uFFFD')) return undefined;
      out.push(v);
    } else if (typeof v === 'bigint' || typeof v === 'number' || Buffer.isBuffer(v)) out.push(v);
    else return undefined;
  }
  return out;
}

/** Attaches the source file to the target's connection (once) and registers the UTF-8 check. */
export function attachSource(db: Database.Database, file: string): void {
  // Attached read-write (this build of SQLite takes no `?mode=ro` URI), and only ever read:
  // every statement here names the source schema in its FROM clause only.
  db.prepare(`ATTACH DATABASE ? AS ${SOURCE_SCHEMA}`).run(file);
  // The rows are read once, in key order: SQLite's 2 MB default cache, not better-sqlite3's 16 MB.
  db.pragma(`${SOURCE_SCHEMA}.cache_size = -2000`);
  db.function(UTF8_FN, { deterministic: true }, (b: unknown) => (b === null || (Buffer.isBuffer(b) && isUtf8(b)) ? 1 : 0));
}

export function detachSource(db: Database.Database): void {
  const attached = (db.pragma('database_list') as { name: string }[]).some((d) => d.name === SOURCE_SCHEMA);
  if (attached) db.exec(`DETACH DATABASE ${SOURCE_SCHEMA}`);
}

interface XInfo {
  name: string;
  type: string;
}

/**
 * The table's direct copy, or a reason it goes row by row. `journal` commits with each batch;
 * `caps` are the target's limits.
 */
export function planDirect(db: Database.Database, journal: SqliteJournal, m: TableMapping, caps: TargetCapabilities): DirectTable | string {
  if (!m.key?.length) return 'no key to copy it in ranges';
  const notKept = m.columns.find((c) => c.cast.transform.name !== 'keep' || (c.cast.rewrites?.length ?? 0) > 0);
  if (notKept) return `column ${notKept.name} is cast (${notKept.cast.transform.name})`;
  const source = `${SOURCE_SCHEMA}.${quoteAlways(m.table.sourceName)}`;
  const typesOf = (schema: string, table: string) =>
    new Map((db.prepare(`SELECT name, type FROM pragma_table_xinfo(?, ?)`).all(table, schema) as XInfo[]).map((c) => [c.name.toLowerCase(), c.type.toLowerCase()]));
  const sourceTypes = typesOf(SOURCE_SCHEMA, m.table.sourceName);
  const targetTypes = typesOf('main', m.name);
  for (let i = 0; i < m.columns.length; i++) {
    const s = sourceTypes.get(m.table.columns[i].name.toLowerCase());
    const t = targetTypes.get(m.columns[i].name.toLowerCase());
    if (s === undefined || t === undefined || s !== t) return `column ${m.columns[i].name} is declared differently in the target`;
  }
  // A key declared with another collation (NOCASE) is read in BINARY order by an explicit
  // COLLATE, which no index serves: the row path sorts it once, a range per batch would sort the
  // whole table each time.
  const createSql = (db.prepare(`SELECT sql FROM ${SOURCE_SCHEMA}.sqlite_schema WHERE type = 'table' AND name = ?`).pluck().get(m.table.sourceName) as string | null) ?? '';
  const parsed = parseCreateTable(createSql);
  const collated = m.key.find((k) => otherCollation(parsed, k));
  if (collated) return `its key column ${collated} sorts with COLLATE ${otherCollation(parsed, collated)}`;
  const payload = db.prepare(`SELECT mx_payload FROM dbstat(?, 1) WHERE name = ?`).pluck().get(SOURCE_SCHEMA, m.table.sourceName) as number | undefined;
  const largest = (payload ?? 0) + NUMBER_SLACK * m.columns.length;
  if (largest > Math.min(caps.maxRowBytes, caps.maxValueBytes)) return `a row may be near ${caps.limitsOf}'s size limit`;
  return new SqliteDirectTable(db, journal, m, source);
}

/** The statements of one table's batches: the first batch has no key to start after. */
interface BatchStatements {
  /** The key of the n-th row (OFFSET n) after the start. */
  nth: Database.Statement;
  /** The key of the table's last row. */
  last: Database.Statement;
  /** 1 when every text value in the range is UTF-8. */
  textCheck: Database.Statement;
  insert: Database.Statement;
}

class SqliteDirectTable implements DirectTable {
  private readonly first: BatchStatements;
  private readonly rest: BatchStatements;

  constructor(
    private readonly db: Database.Database,
    private readonly journal: SqliteJournal,
    m: TableMapping,
    source: string,
  ) {
    // The key's columns compare in BINARY order (planDirect), the order the row path reads.
    const keys = m.key!.map(quoteAlways);
    const tuple = (items: string[]) => (items.length === 1 ? items[0] : `(${items.join(', ')})`);
    const keyTuple = tuple(keys);
    const marks = tuple(keys.map(() => '?'));
    const columns = m.table.columns.map((c) => quoteAlways(c.name));
    const asText = columns.map((c) => `CASE typeof(${c}) WHEN 'text' THEN ${c} END`);
    const make = (hasAfter: boolean): BatchStatements => {
      const start = hasAfter ? `${keyTuple} > ${marks}` : '';
      const range = `${start ? `${start} AND ` : ''}${keyTuple} <= ${marks}`;
      const s: BatchStatements = {
        nth: db.prepare(`SELECT ${keys.join(', ')} FROM ${source}${start ? ` WHERE ${start}` : ''} ORDER BY ${keys.join(', ')} LIMIT 1 OFFSET ?`),
        last: db.prepare(`SELECT ${keys.join(', ')} FROM ${source}${start ? ` WHERE ${start}` : ''} ORDER BY ${keys.map((k) => `${k} DESC`).join(', ')} LIMIT 1`),
        // One string of the batch's text values with an ASCII separator between them: it is UTF-8
        // exactly when each value is (a separator cannot complete a broken sequence).
        textCheck: db.prepare(`SELECT ${UTF8_FN}(CAST(group_concat(concat_ws(char(1), ${asText.join(', ')}), char(1)) AS BLOB)) FROM ${source} WHERE ${range}`),
        insert: db.prepare(
          `INSERT INTO main.${quoteAlways(m.name)} (${m.columns.map((c) => quoteAlways(c.name)).join(', ')}) SELECT ${columns.join(', ')} FROM ${source} WHERE ${range}`,
        ),
      };
      // Keys come back as the row path reads them (INTEGER as bigint), for the journal's key text.
      s.nth.raw(true).safeIntegers(true);
      s.last.raw(true).safeIntegers(true);
      s.textCheck.pluck();
      return s;
    };
    this.first = make(false);
    this.rest = make(true);
  }

  copy(entry: JournalEntry, rows: number): JournalEntry | 'end' | undefined {
    const after = entry.lastKey === null ? [] : bindableKey(decodeKey(entry.lastKey));
    if (after === undefined) return undefined;
    const s = after.length === 0 ? this.first : this.rest;
    // The batch ends at its rows-th row, or at the table's last row when fewer remain.
    const until = (s.nth.get(...after, rows - 1) ?? s.last.get(...after)) as SourceValue[] | undefined;
    if (until === undefined) return 'end';
    const upTo = bindableKey(until);
    if (upTo === undefined) return undefined;
    if (s.textCheck.get(...after, ...upTo) !== 1) return undefined;
    this.db.prepare('BEGIN').run();
    try {
      let n: number;
      try {
        n = s.insert.run(...after, ...upTo).changes;
      } catch (e) {
        // The statement was undone whole: the row path finds the row(s) at fault.
        if (!isRowError(e)) throw e;
        this.db.prepare('ROLLBACK').run();
        return undefined;
      }
      const committed: JournalEntry = { ...entry, lastKey: encodeKey(until), read: entry.read + n, written: entry.written + n };
      this.journal.save(committed);
      this.db.prepare('COMMIT').run();
      return committed;
    } catch (e) {
      if (this.db.inTransaction) this.db.prepare('ROLLBACK').run();
      throw e;
    }
  }
}
