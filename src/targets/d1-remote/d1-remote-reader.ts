// A remote D1 read through the user's wrangler: `d1 execute <db> --remote --json --command`.
// JSON would round integers beyond 2^53 and has no bytes, so each value is selected as its
// canonical text ('I'/'T'/'B' + digits, text or hex) and REALs as JSON numbers (exact doubles);
// values are decoded back to what better-sqlite3 would give (integers as BigInt).
import type { SqliteValue } from '../../casting/values.js';
import { UserError } from '../../errors.js';
import { quoteAlways } from '../../schema/identifiers.js';
import type { Wrangler } from '../../cloudflare/wrangler-cli.js';
import { EncodedRows } from '../../verify/chunk-hash.js';
import { checkColumns, rowidName, shapeOf, type RangeRead, type TargetReader, type TargetRow, type TargetTableReader } from '../reader.js';
import { lookupSql, rangeSql, rowidSql } from '../sqlite-file/read-sql.js';

/** Rows per wrangler call: one call costs about a second, so reads are larger than a local chunk. */
const REMOTE_READ_ROWS = 20_000;
/** Keys per lookup call, keeping the statement well under D1's 100,000 bytes. */
const LOOKUP_KEYS = 100;

function valueSql(column: string): string {
  const c = quoteAlways(column);
  return `CASE typeof(${c}) WHEN 'integer' THEN 'I' || ${c} WHEN 'text' THEN 'T' || ${c} WHEN 'blob' THEN 'B' || hex(${c}) ` +
    `WHEN 'real' THEN (CASE WHEN ${c} = 9e999 THEN 'R+' WHEN ${c} = -9e999 THEN 'R-' ELSE ${c} END) END`;
}

function decode(v: unknown): SqliteValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  const s = String(v);
  switch (s[0]) {
    case 'I':
      return BigInt(s.slice(1));
    case 'T':
      return s.slice(1);
    case 'B':
      return Buffer.from(s.slice(1), 'hex');
    default:
      return s === 'R+' ? Infinity : -Infinity;
  }
}

/** A value as a SQL literal (D1's --command takes no bound parameters). */
export function sqlLiteral(v: SqliteValue): string {
  if (v === null) return 'NULL';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? '9e999' : '-9e999';
  if (typeof v === 'string') {
    if (v.includes('\0')) throw new UserError('a key holds a NUL character, which a wrangler command cannot carry: verify this table on a local copy');
    return `'${v.replace(/'/g, "''")}'`;
  }
  return `X'${v.toString('hex')}'`;
}

/** A digest computed here from rows read page by page: D1 cannot hash, so the rows travel (and are kept for the drill-down). */
export async function digestByReading(
  reader: Pick<TargetTableReader, 'range'>,
  keyIdx: readonly number[],
  lo: readonly SqliteValue[] | null,
  hi: readonly SqliteValue[] | null,
  pageRows: number,
): Promise<RangeRead> {
  const data: TargetRow[] = [];
  for (let cursor = lo; ; ) {
    const page = await reader.range(cursor, hi, pageRows);
    for (const row of page) data.push(row);
    if (page.length < pageRows) break;
    const last = page[page.length - 1];
    cursor = keyIdx.map((i) => last[i]);
  }
  const encoded = new EncodedRows();
  for (const row of data) encoded.add(row);
  return { rows: data.length, digest: encoded.digest(), data };
}

export function openRemoteReader(wrangler: Wrangler, args: string[], description: string): TargetReader {
  const query = async (sql: string, what: string): Promise<TargetRow[]> =>
    (await wrangler.query(args, sql, what)).map((r) => Object.values(r).map(decode));
  let tables: Map<string, string> | undefined;
  return {
    description,
    readRows: (chunkRows) => Math.max(chunkRows, REMOTE_READ_ROWS),
    async table(m) {
      tables ??= new Map(
        (await wrangler.query(args, `SELECT name FROM sqlite_master WHERE type = 'table'`, 'listing the remote tables')).map((r) => [String(r.name).toLowerCase(), String(r.name)]),
      );
      const name = tables.get(m.name.toLowerCase());
      if (!name) return undefined;
      // D1 refuses pragma table-valued functions but takes the PRAGMA statement.
      const present = (await wrangler.query(args, `PRAGMA table_info(${quoteAlways(name)})`, `reading the columns of ${name}`)).map((r) => String(r.name));
      const shape = shapeOf(m);
      checkColumns(shape, present);
      // Aliases c0, c1…: JSON objects keep insertion order for such keys, so Object.values is column order.
      const select = shape.columns.map((c, i) => `${valueSql(c)} AS c${i}`).join(', ');
      const rowid = m.key ? '' : rowidName(shape.columns);
      const keyIdx = shape.key.map((k) => shape.columns.indexOf(k));
      const reader: TargetTableReader = {
        // D1 cannot hash: the rows come here (one call per chunk) and are kept for the drill-down.
        digest: (lo, hi) => digestByReading(reader, keyIdx, lo, hi, REMOTE_READ_ROWS),
        range: (lo, hi, limit) =>
          query(
            rangeSql(shape, select, lo && ((i) => sqlLiteral(lo[i])), hi && ((i) => sqlLiteral(hi[i])), String(limit)),
            `reading ${m.name}`,
          ),
        async lookup(keys) {
          const out: TargetRow[] = [];
          for (let i = 0; i < keys.length; i += LOOKUP_KEYS) {
            const part = keys.slice(i, i + LOOKUP_KEYS);
            out.push(...(await query(lookupSql(shape, select, part.length, (r, c) => sqlLiteral(part[r][c])), `reading ${m.name}`)));
          }
          return out;
        },
        rowidPage: (after, limit) =>
          query(rowidSql(shape, select, rowid, `'I' || ${rowid} AS r`, after !== null ? after.toString() : null, String(limit)), `reading ${m.name}`),
      };
      return reader;
    },
    close: async () => undefined,
  };
}
