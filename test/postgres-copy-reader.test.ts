// The COPY reader (postgres-copy-reader.ts) must yield exactly what the cursor reader yields: the
// same JS values (text, numbers, booleans, Buffers, null) for every column type, escapes and
// special value, in the same order. Both read the same snapshot here and are compared value by
// value: a table of awkward types and values, and every table of the three PostgreSQL datasets.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SourceValue } from '../src/casting/values.js';
import type { Catalog, Table } from '../src/catalog/types.js';
import { postgresEngine } from '../src/sources/postgres/index.js';
import { decodeCopyLines, unescapeCopyText } from '../src/sources/postgres/postgres-copy-reader.js';
import type { Snapshot, Source } from '../src/sources/source.js';
import { PG_DATASETS, pgUrl } from './helpers/env.js';
import { dropPgDatabase, freshPgDatabase, withPg } from './helpers/pg.js';

const DB = 'fl_i14a_copy_reader';
const ENV = 'FLARELIFT_PG_READ';

async function readAll(snapshot: Snapshot, table: Table, mode: 'copy' | 'cursor', batchSize: number): Promise<{ rows: SourceValue[][]; batches: number[] }> {
  const before = process.env[ENV];
  process.env[ENV] = mode;
  const rows: SourceValue[][] = [];
  const batches: number[] = [];
  try {
    const key = table.primaryKey?.columns;
    for await (const batch of snapshot.readRows(table, { orderBy: key, batchSize, bulk: true })) {
      batches.push(batch.length);
      rows.push(...batch);
    }
  } finally {
    if (before === undefined) delete process.env[ENV];
    else process.env[ENV] = before;
  }
  return { rows, batches };
}

const TYPES = [
  `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`,
  `CREATE DOMAIN posint AS integer CHECK (VALUE > 0)`,
  `CREATE TABLE awkward (
    id int PRIMARY KEY, i2 smallint, i4 integer, i8 bigint, n numeric, n2 numeric(12,2), f4 real, f8 double precision,
    b boolean, t text, vc varchar(20), c char(5), by bytea, d date, ts timestamp, tstz timestamptz, tm time, tmtz timetz,
    iv interval, u uuid, j json, jb jsonb, ai int[], at text[], m money, ip inet, cidr cidr, mac macaddr, e mood,
    dom posint, pt point, tsv tsvector, x xml, bits bit(4), vbits varbit, o oid, nm name)`,
  `INSERT INTO awkward VALUES
    (1, -32768, -2147483648, -9223372036854775808, 'NaN', -0.00, 'NaN', '-0', true, '', '', '', '', '-infinity', '-infinity', '-infinity',
     '00:00', '00:00+14', '-178000000 years', '00000000-0000-0000-0000-000000000000', '{}', '{}', '{}', '{}', '-92233720368547758.08', '::1',
     '10.0.0.0/8', '08:00:2b:01:02:03', 'sad', 1, '(0,0)', '', '<a/>', B'0000', B'', 0, ''),
    (2, 32767, 2147483647, 9223372036854775807, 'Infinity', 9999999999.99, 'Infinity', '-Infinity', false,
     E'tab\\there\\nnew\\rcr\\\\back\\bbs\\fff' || chr(11) || 'vt', E'\\\\N', 'ab', '\\x000a5cff'::bytea, 'infinity', '294276-12-31 23:59:59.999999',
     '4713-01-01 00:00:00+00 BC', '24:00', '23:59:59.999999-15:59', 'P1Y2M3DT4H5M6.789S', 'ffffffff-ffff-ffff-ffff-ffffffffffff',
     '{"a": "tab\\t", "n": null, "u": "\\u00e9"}', '{"z": [1, 2.50, "x\\\\y"], "a": {}}', '{1,NULL,3}', E'{"with \\\\"quote\\\\"","a,b",NULL,"","NULL","tab\\there"}',
     '92233720368547758.07', '2001:db8::1/64', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff', 'happy', 2147483647, '(-1.5,1e+300)',
     'a:1 fat:2,3 cat', '<b>&amp;</b>', B'1111', B'101', 4294967295, 'name'),
    (3, 0, 0, 0, '-0.000000000000000000001', 0, '1e-45', '5e-324', NULL, 'N', '\\N', NULL, NULL, '0001-01-01 BC', '2000-02-29 12:34:56.789',
     '1999-12-31 23:59:59.5+05:30', NULL, NULL, '0', NULL, 'null', '"text"', NULL, '{"\\\\back"}', '0', NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL),
    (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, E'naïve ✓ 😀 \\x01 end', repeat('x', 20), NULL, E'\\\\x'::bytea, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, '{{1,2},{3,4}}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
  // Rows past a batch boundary, so batches are split and joined.
  `INSERT INTO awkward (id, t, by, f8) SELECT g, repeat(E'\\\\', g % 5) || g || E'\\n', decode(lpad(to_hex(g), 8, '0'), 'hex'), g / 7.0 FROM generate_series(5, 2500) AS g`,
  // Lines longer than the reader decodes at once (16 KB, multi-byte text) and than it queues
  // before pausing the socket (512 KB): each must still arrive whole.
  `INSERT INTO awkward (id, t) VALUES (2501, repeat('é✓x', 15000)), (2502, repeat(E'ab\\\\c\\t', 150000))`,
  `CREATE TABLE keyless (label text, n int)`,
  `INSERT INTO keyless VALUES ('b', 2), (NULL, NULL), ('a', 1), (E'a\\tb', 3)`,
];

describe('PostgreSQL COPY reader', () => {
  const sources = new Map<string, Source>();
  const catalogs = new Map<string, Catalog>();
  const snapshots = new Map<string, Snapshot>();

  before(async () => {
    await freshPgDatabase(DB, TYPES);
    for (const db of [DB, ...PG_DATASETS]) {
      const s = await postgresEngine.open(pgUrl(db));
      sources.set(db, s);
      catalogs.set(db, await s.introspect());
      snapshots.set(db, await s.snapshot(1));
    }
  });

  after(async () => {
    for (const s of snapshots.values()) await s.close();
    for (const s of sources.values()) await s.close();
    await dropPgDatabase(DB);
  });

  it('yields the cursor reader’s values for every type, escape and special value', async () => {
    const table = catalogs.get(DB)!.tables.find((t) => t.name === 'awkward')!;
    const cursor = await readAll(snapshots.get(DB)!, table, 'cursor', 1000);
    const copy = await readAll(snapshots.get(DB)!, table, 'copy', 1000);
    assert.equal(copy.rows.length, 2502);
    assert.deepEqual(copy.batches, cursor.batches);
    for (let r = 0; r < cursor.rows.length; r++) assert.deepStrictEqual(copy.rows[r], cursor.rows[r], `row ${r + 1}`);
    // A few values spelled out, so that both readers agreeing on something wrong would show.
    const [first, second, third] = copy.rows;
    assert.deepStrictEqual(first.slice(0, 9), [1, -32768, -2147483648, '-9223372036854775808', 'NaN', '0.00', NaN, -0, true]);
    assert.equal(first[9], '');
    assert.equal(second[9], 'tab\there\nnew\rcr\\back\bbs\fff\vvt');
    assert.equal(second[10], '\\N');
    assert.deepStrictEqual(second[12], Buffer.from([0x00, 0x0a, 0x5c, 0xff]));
    assert.equal(third[10], '\\N');
    assert.equal(third[11], null);
    assert.equal(third[9], 'N');
    assert.equal(copy.rows[3][9], 'naïve ✓ 😀 \x01 end');
    assert.equal(copy.rows[2500][9], 'é✓x'.repeat(15000));
    assert.equal(copy.rows[2501][9], 'ab\\c\t'.repeat(150000));
  });

  it('yields the cursor reader’s rows for every table of the PostgreSQL datasets', async () => {
    let compared = 0;
    for (const db of PG_DATASETS) {
      for (const table of catalogs.get(db)!.tables) {
        const cursor = await readAll(snapshots.get(db)!, table, 'cursor', 700);
        const copy = await readAll(snapshots.get(db)!, table, 'copy', 700);
        assert.equal(copy.rows.length, cursor.rows.length, `${db}.${table.name}`);
        for (let r = 0; r < cursor.rows.length; r++) assert.deepStrictEqual(copy.rows[r], cursor.rows[r], `${db}.${table.name} row ${r + 1}`);
        compared += copy.rows.length;
      }
    }
    assert.ok(compared > 50_000, `compared ${compared} rows`);
  });

  it('a keyless table comes in the same order from both', async () => {
    const table = catalogs.get(DB)!.tables.find((t) => t.name === 'keyless')!;
    const cursor = await readAll(snapshots.get(DB)!, table, 'cursor', 3);
    const copy = await readAll(snapshots.get(DB)!, table, 'copy', 3);
    assert.deepStrictEqual(copy, cursor);
    assert.deepStrictEqual(copy.rows[3], ['a\tb', 3]);
  });

  it('a consumer that stops early leaves the snapshot usable and the server without the COPY', async () => {
    const snapshot = snapshots.get(DB)!;
    const table = catalogs.get(DB)!.tables.find((t) => t.name === 'awkward')!;
    process.env[ENV] = 'copy';
    try {
      for await (const batch of snapshot.readRows(table, { orderBy: ['id'], batchSize: 10, bulk: true })) {
        assert.equal(batch.length, 10);
        break;
      }
    } finally {
      delete process.env[ENV];
    }
    // The next read of the same snapshot works (on a new connection) and sees every row.
    const again = await readAll(snapshot, table, 'copy', 1000);
    assert.equal(again.rows.length, 2502);
    const running = await withPg('postgres', (c) => c.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'COPY%' AND state = 'active'`, [DB]));
    assert.equal(running.rows[0].n, 0);
  });

  it('decodes COPY text: escapes, NULL marker and field counts', () => {
    assert.equal(unescapeCopyText('a\\tb\\nc\\\\d\\re\\bf\\fg\\vh\\Nx'), 'a\tb\nc\\d\re\bf\fg\vhNx');
    assert.throws(() => unescapeCopyText('a\\'), /lone backslash/);
    assert.throws(() => unescapeCopyText('\\101'), /unexpected escape/);
    const rows: SourceValue[][] = [];
    decodeCopyLines('1\t\\N\t\n2\tx\\ty\t\\\\N\n', [Number, undefined, undefined], rows);
    assert.deepStrictEqual(rows, [
      [1, null, ''],
      [2, 'x\ty', '\\N'],
    ]);
    assert.throws(() => decodeCopyLines('1\t2\n', [undefined, undefined, undefined], []), /2 fields where 3/);
    assert.throws(() => decodeCopyLines('1\t2\t3\n', [undefined, undefined], []), /more than 2 fields/);
  });
});
