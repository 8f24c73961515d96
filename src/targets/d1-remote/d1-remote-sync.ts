// `sync` into the deployed D1: each chunk's changes go as one import file sent with the user's
// wrangler (`d1 execute <db> --remote --file`), D1 applying a file whole — the deletes, updates,
// inserts and the sync journal row of a chunk land together or not at all, as a local
// transaction would. Statements are held under D1's statement size; values are literals.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SqliteValue } from '../../casting/values.js';
import type { Wrangler } from '../../cloudflare/wrangler-cli.js';
import { UserError } from '../../errors.js';
import { quoteAlways } from '../../schema/identifiers.js';
import type { TableMapping } from '../../schema/mapping.js';
import { DATA_FILE_HEADER } from '../sql-files/sql-files-session.js';
import { sqlBytes, sqlLiteral } from '../sql-files/sql-literals.js';
import { InsertStatements } from '../sql-files/sql-statements.js';
import type { RowFailure } from '../target.js';
import { SYNC_JOURNAL_TABLE, SYNC_STATE_TABLE, type SyncEntry, type SyncSession } from '../sync-session.js';

export interface RemoteSyncOptions {
  wrangler: Wrangler;
  /** `d1 execute <db> --remote --config …` */
  args: string[];
  /** Work directory for the files (removed once each is applied). */
  dir: string;
  statementBytes: number;
  fileBytes: number;
}

const lit = (s: string | null) => (s === null ? 'NULL' : sqlLiteral(s));

function saveEntrySql(e: SyncEntry): string {
  return `INSERT OR REPLACE INTO ${SYNC_JOURNAL_TABLE} (table_name, last_key, inserted, updated, deleted) VALUES (${lit(e.table)}, ${lit(e.lastKey)}, ${e.inserted}, ${e.updated}, ${e.deleted});\n`;
}

/** Groups `items` rendered by `render` into statements under `budget` bytes: head + items joined by ', ' + tail. */
function grouped(items: string[], head: string, tail: string, budget: number): string[] {
  const out: string[] = [];
  let part: string[] = [];
  let bytes = sqlBytes(head) + sqlBytes(tail);
  for (const item of items) {
    const size = sqlBytes(item) + 2;
    if (part.length > 0 && bytes + size > budget) {
      out.push(head + part.join(', ') + tail);
      part = [];
      bytes = sqlBytes(head) + sqlBytes(tail);
    }
    if (bytes + size > budget) throw new UserError(`a key of ${size} bytes makes a statement over D1's ${budget}-byte limit`);
    part.push(item);
    bytes += size;
  }
  if (part.length > 0) out.push(head + part.join(', ') + tail);
  return out;
}

export function openRemoteSync(o: RemoteSyncOptions, copyUnfinished: () => boolean): SyncSession {
  const query = (sql: string, what: string) => o.wrangler.query(o.args, sql, what);
  const inserters = new Map<string, InsertStatements>();
  let sent = 0;
  const send = async (text: string, what: string) => {
    if (sqlBytes(text) > o.fileBytes) throw new UserError(`${what} needs an import file of ${sqlBytes(text)} bytes, over --file-bytes ${o.fileBytes}: sync it with a smaller --chunk-rows`);
    mkdirSync(o.dir, { recursive: true });
    const file = path.join(o.dir, `sync-${process.pid}-${++sent}.sql`);
    writeFileSync(file, text);
    try {
      await o.wrangler.run([...o.args, '--file', file, '--yes'], `applying ${what} (fix the cause, then run sync --resume)`);
    } finally {
      rmSync(file, { force: true });
    }
  };
  const inserter = (m: TableMapping) => {
    let ins = inserters.get(m.name);
    if (!ins) inserters.set(m.name, (ins = new InsertStatements(m, o.statementBytes)));
    return ins;
  };
  const insertSql = (m: TableMapping, rows: SqliteValue[][]) => {
    const failures: RowFailure[] = [];
    const { text } = inserter(m).render(rows, failures);
    if (failures.length > 0) throw new UserError(`${m.name}: ${failures[0].reason}`);
    return text;
  };
  const tables = async () =>
    new Set((await query(`SELECT name FROM sqlite_master WHERE type = 'table'`, 'listing the remote tables')).map((r) => String(r.name)));

  return {
    async state() {
      const present = await tables();
      const marks = new Map<string, string>();
      if (present.has(SYNC_STATE_TABLE)) {
        for (const r of await query(`SELECT name, mark FROM ${SYNC_STATE_TABLE}`, 'reading the sync marks')) marks.set(String(r.name), String(r.mark));
      }
      const journal = present.has(SYNC_JOURNAL_TABLE)
        ? (await query(`SELECT table_name, last_key, inserted, updated, deleted FROM ${SYNC_JOURNAL_TABLE} ORDER BY rowid`, 'reading the sync journal')).map((r) => ({
            table: String(r.table_name),
            lastKey: r.last_key === null ? null : String(r.last_key),
            inserted: Number(r.inserted),
            updated: Number(r.updated),
            deleted: Number(r.deleted),
          }))
        : undefined;
      return { journal, marks, copyUnfinished: copyUnfinished() };
    },
    async begin(entries) {
      const create = `CREATE TABLE IF NOT EXISTS ${SYNC_JOURNAL_TABLE} (table_name TEXT PRIMARY KEY, last_key TEXT, inserted INTEGER NOT NULL, updated INTEGER NOT NULL, deleted INTEGER NOT NULL);\n`;
      await send(create + entries.map(saveEntrySql).join(''), 'the sync journal');
    },
    async apply(change) {
      const m = change.table;
      const t = quoteAlways(m.name);
      const key = m.key ?? [];
      const keyIdx = key.map((k) => m.columns.findIndex((c) => c.name === k));
      const parts: string[] = [DATA_FILE_HEADER];
      if (change.deletes.length > 0) {
        const tuples = change.deletes.map((k) => (k.length === 1 ? sqlLiteral(k[0]) : `(${k.map(sqlLiteral).join(', ')})`));
        const head = key.length === 1 ? `DELETE FROM ${t} WHERE ${quoteAlways(key[0])} IN (` : `DELETE FROM ${t} WHERE (${key.map(quoteAlways).join(', ')}) IN (VALUES `;
        parts.push(...grouped(tuples, head, ');\n', o.statementBytes));
      }
      for (const row of change.updates) {
        const where = keyIdx.map((i, n) => `${quoteAlways(key[n])} = ${sqlLiteral(row[i])}`).join(' AND ');
        const literals = row.map(sqlLiteral);
        const statement = () => `UPDATE ${t} SET ${m.columns.map((c, i) => `${quoteAlways(c.name)} = ${literals[i]}`).join(', ')} WHERE ${where};\n`;
        // A row too long for one UPDATE: its longest values are set empty, then appended in pieces
        // (never DELETE + INSERT, which would fire ON DELETE actions on other tables).
        const moved: number[] = [];
        const keys = new Set(keyIdx);
        const longest = row.map((v, i) => ({ v, i })).filter((x) => !keys.has(x.i) && (typeof x.v === 'string' || Buffer.isBuffer(x.v))).sort((a, b) => literals[b.i].length - literals[a.i].length);
        for (const x of longest) {
          if (sqlBytes(statement()) <= o.statementBytes) break;
          literals[x.i] = typeof x.v === 'string' ? "''" : "X''";
          moved.push(x.i);
        }
        if (sqlBytes(statement()) > o.statementBytes) throw new UserError(`${m.name}: a row's UPDATE needs more than D1's ${o.statementBytes}-byte statement limit even with its long values split off`);
        parts.push(statement());
        for (const i of moved) parts.push(...inserter(m).appendUpdates(quoteAlways(m.columns[i].name), row[i] as string | Buffer, where));
      }
      if (change.inserts.length > 0) parts.push(insertSql(m, change.inserts));
      parts.push(saveEntrySql(change.entry));
      await send(parts.join(''), `a chunk of ${m.name}`);
    },
    async replace(m, batches, entry) {
      const parts: string[] = [DATA_FILE_HEADER, `DELETE FROM ${quoteAlways(m.name)};\n`];
      let bytes = 0;
      for await (const rows of batches) {
        const text = insertSql(m, rows);
        bytes += sqlBytes(text);
        if (bytes > o.fileBytes) throw new UserError(`${m.name} has no key and is over --file-bytes ${o.fileBytes} as SQL: remote D1 cannot replace it in one import file (give it a primary key, or raise --file-bytes)`);
        parts.push(text);
      }
      parts.push(saveEntrySql(entry));
      await send(parts.join(''), `the rows of ${m.name}`);
    },
    async finish(marks) {
      const parts = [`CREATE TABLE IF NOT EXISTS ${SYNC_STATE_TABLE} (name TEXT PRIMARY KEY, mark TEXT NOT NULL);\n`];
      for (const [name, mark] of marks) parts.push(`INSERT OR REPLACE INTO ${SYNC_STATE_TABLE} (name, mark) VALUES (${lit(name)}, ${lit(mark)});\n`);
      parts.push(`DROP TABLE IF EXISTS ${SYNC_JOURNAL_TABLE};\n`);
      await send(parts.join(''), 'the sync marks');
    },
    close: async () => undefined,
  };
}
