// PostgreSQL as a reverse-copy target: rows go in through COPY FROM STDIN (text format), inside
// the transaction that also moves the journal row; foreign keys and triggers are off for copied
// rows (session_replication_role = replica) as pg_restore --disable-triggers does.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EngineValue } from '../../casting/inverse-functions.js';
import type { SourceValue } from '../../casting/values.js';
import { PG_TYPES, SESSION_SETUP, describeTarget, pgUserError } from '../../sources/postgres/postgres-connection.js';
import { buildSelect, pgIdent } from '../../sources/postgres/postgres-reader.js';
import { PostgresSource } from '../../sources/postgres/postgres-source.js';
import { JOURNAL_TABLE, createTableSql, writerLockKey, type DbLink } from './db-link.js';

/** One value in COPY's text format: \N for NULL, bytea as \\x hex, the four escapes. */
function copyText(v: EngineValue): string {
  if (v === null) return '\\N';
  if (Buffer.isBuffer(v)) return '\\\\x' + v.toString('hex');
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  if (typeof v === 'bigint') return v.toString();
  return v.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}

function* copyLines(rows: EngineValue[][]): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    chunk += row.map(copyText).join('\t') + '\n';
    if (chunk.length > 1 << 16) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

const param = (v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v);

export async function openPgLink(url: string): Promise<DbLink> {
  const target = describeTarget(url);
  const source = await PostgresSource.open(url);
  const client = new pg.Client({ connectionString: url, types: PG_TYPES });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(SESSION_SETUP);
  } catch (e) {
    await source.close();
    throw pgUserError(e, target) ?? e;
  }
  const query = async (sql: string, params: readonly unknown[] = []): Promise<SourceValue[][]> =>
    (await client.query({ text: sql, values: params.map(param), rowMode: 'array' })).rows as SourceValue[][];
  return {
    engine: 'postgres',
    source,
    query,
    param: (n) => `$${n}`,
    quote: pgIdent,
    qualified: (t) => t.sourceName,
    loadSettings: ['SET LOCAL session_replication_role = replica'],
    async load(table, columns, rows) {
      if (rows.length === 0) return;
      const stream = client.query(copyFrom(`COPY ${table.sourceName} (${columns.map(pgIdent).join(', ')}) FROM STDIN`));
      await pipeline(Readable.from(copyLines(rows)), stream);
    },
    select(table, orderBy, after, limit) {
      const { text, values } = buildSelect(table, { orderBy, after: after as SourceValue[] | undefined });
      return { sql: `${text} LIMIT ${limit}`, values };
    },
    createTable: (m) => createTableSql(m, { quote: pgIdent, engine: 'postgres' }),
    async advanceSequences(table) {
      let moved = 0;
      for (const c of table.columns) {
        // An identity or owned serial is found by name; a plain DEFAULT nextval('seq') by its default.
        const [row] = await query('SELECT pg_get_serial_sequence($1, $2)', [table.sourceName, c.name]);
        const seq = row?.[0] ?? /^nextval\('((?:[^']|'')+)'/i.exec(c.default?.raw ?? '')?.[1]?.replace(/''/g, "'");
        if (typeof seq !== 'string') continue;
        await query(`SELECT setval($1, m) FROM (SELECT max(${pgIdent(c.name)}) AS m FROM ${table.sourceName}) s WHERE m IS NOT NULL`, [seq]);
        moved++;
      }
      return moved;
    },
    triggers: async () => ({ create: [], drop: [] }),
    // Advisory locks are per database; the key is the database's, so any URL to it finds the same lock.
    async tryLock() {
      const [row] = await query('SELECT pg_try_advisory_lock($1::bigint)', [writerLockKey(target.database)]);
      return row?.[0] === true;
    },
    async unlock() {
      await query('SELECT pg_advisory_unlock($1::bigint)', [writerLockKey(target.database)]);
    },
    async lockFree() {
      // A bigint key is held as classid (high 32 bits) and objid (low 32 bits), objsubid 1.
      const [row] = await query(
        "SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND granted " +
          'AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ((classid::bigint << 32) | objid::bigint) = $1::bigint',
        [writerLockKey(target.database)],
      );
      return row?.[0] === 0;
    },
    journalUpsert:
      `INSERT INTO ${JOURNAL_TABLE} (table_name, last_key, rows_read, rows_written, rows_rejected, done) VALUES ($1, $2, $3, $4, $5, $6) ` +
      'ON CONFLICT (table_name) DO UPDATE SET last_key = EXCLUDED.last_key, rows_read = EXCLUDED.rows_read, ' +
      'rows_written = EXCLUDED.rows_written, rows_rejected = EXCLUDED.rows_rejected, done = EXCLUDED.done',
    async close() {
      await client.end().catch(() => undefined);
      await source.close();
    },
  };
}
