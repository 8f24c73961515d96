// The MySQL/MariaDB source against the real server: the chinook, sakila and edgecases datasets
// (read only) and a scratch database `flarelift_test_my` created and dropped here. Expectations
// come from the server itself through other statements (SHOW ..., probe tables the server
// parses, values computed by the server) or from facts written into the scratch tables.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import { CastRules } from '../src/casting/rules.js';
import { TransformError, type SourceValue } from '../src/casting/values.js';
import type { Catalog, Column, Table } from '../src/catalog/types.js';
import { UserError } from '../src/errors.js';
import { mysqlEngine } from '../src/sources/mysql/index.js';
import type { Source } from '../src/sources/source.js';
import { MYSQL_DATASETS, mysqlUrl } from './helpers/env.js';

const SCRATCH = 'flarelift_test_my';
type Row = Record<string, unknown>;

let admin: mysql.Connection;

async function rows(sql: string, params: unknown[] = []): Promise<Row[]> {
  return (await admin.query(sql, params))[0] as Row[];
}

before(async () => {
  const u = new URL(mysqlUrl('mysql'));
  admin = await mysql.createConnection({
    host: u.hostname,
    port: Number(u.port),
    user: decodeURIComponent(u.username),
    charset: 'utf8mb4',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  await admin.query(`DROP DATABASE IF EXISTS ${SCRATCH}`);
  await admin.query(`CREATE DATABASE ${SCRATCH} CHARACTER SET utf8mb4`);
});

after(async () => {
  await admin.query(`DROP DATABASE IF EXISTS ${SCRATCH}`);
  await admin.end();
});

async function collect(it: AsyncIterable<SourceValue[][]>): Promise<SourceValue[][]> {
  const out: SourceValue[][] = [];
  for await (const batch of it) out.push(...batch);
  return out;
}

function tableOf(catalog: Catalog, name: string): Table {
  const t = catalog.tables.find((x) => x.name === name);
  assert.ok(t, `table ${name} in catalog`);
  return t;
}

function columnOf(table: Table, name: string): Column {
  const c = table.columns.find((x) => x.name === name);
  assert.ok(c, `column ${table.name}.${name}`);
  return c;
}

/** Orders key values the way SQLite's BINARY collation does: numbers numerically, text by UTF-8 bytes. */
function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const bytes = (v: unknown) => (Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'utf8'));
  return Buffer.compare(bytes(a), bytes(b));
}

function compareKeys(a: unknown[], b: unknown[]): number {
  for (let i = 0; i < a.length; i += 1) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * The labels of an ENUM/SET column type as the server itself parses them: a probe table with that
 * type gets each member by number (enum index i, set bit 2^(i-1)) until the server refuses.
 */
async function serverLabels(columnType: string, kind: 'enum' | 'set'): Promise<string[]> {
  await admin.query(`DROP TABLE IF EXISTS ${SCRATCH}.probe`);
  await admin.query(`CREATE TABLE ${SCRATCH}.probe (i int PRIMARY KEY, v ${columnType}) CHARACTER SET utf8mb4`);
  await admin.query("SET SESSION sql_mode = 'STRICT_ALL_TABLES'");
  try {
    for (let i = 1; i <= 64; i += 1) {
      const member = kind === 'enum' ? String(i) : (1n << BigInt(i - 1)).toString();
      try {
        await admin.query(`INSERT INTO ${SCRATCH}.probe VALUES (?, ${member})`, [i]);
      } catch {
        break;
      }
    }
  } finally {
    await admin.query("SET SESSION sql_mode = DEFAULT");
  }
  const got = await rows(`SELECT v FROM ${SCRATCH}.probe ORDER BY i`);
  await admin.query(`DROP TABLE ${SCRATCH}.probe`);
  return got.map((r) => String(r.v));
}

describe('mysql engine: accepts', () => {
  test('mysql:// and mariadb:// URLs only', () => {
    assert.equal(mysqlEngine.accepts('mysql://u@h/db'), true);
    assert.equal(mysqlEngine.accepts('mariadb://u@h:3307/db'), true);
    assert.equal(mysqlEngine.accepts('postgres://u@h/db'), false);
    assert.equal(mysqlEngine.accepts('sqlite:file.db'), false);
  });
});

for (const db of MYSQL_DATASETS) {
  describe(`mysql source: ${db} catalog and rows`, () => {
    let source: Source;
    let catalog: Catalog;
    before(async () => {
      source = await mysqlEngine.open(mysqlUrl(db));
      catalog = await source.introspect();
    });
    after(() => source.close());

    test('table set equals SHOW FULL TABLES', async () => {
      const shown = await rows(`SHOW FULL TABLES FROM \`${db}\` WHERE Table_type = 'BASE TABLE'`);
      const expected = shown.map((r) => String(Object.values(r)[0])).sort();
      assert.deepEqual(catalog.tables.map((t) => t.name).sort(), expected);
      assert.equal(catalog.engine, 'mysql');
      assert.equal(catalog.database, db);
      assert.equal(catalog.serverVersion, String((await rows('SELECT VERSION() AS v'))[0].v));
      for (const t of catalog.tables) {
        assert.equal(t.schema, db);
        assert.equal(t.sourceName, '`' + t.name + '`');
      }
    });

    test('columns, nullability and unsigned follow SHOW COLUMNS', async () => {
      for (const t of catalog.tables) {
        const shown = await rows(`SHOW COLUMNS FROM \`${db}\`.\`${t.name}\``);
        assert.deepEqual(t.columns.map((c) => c.name), shown.map((r) => r.Field), t.name);
        assert.deepEqual(t.columns.map((c) => c.sourceType), shown.map((r) => r.Type), t.name);
        assert.deepEqual(t.columns.map((c) => c.nullable), shown.map((r) => r.Null === 'YES'), t.name);
        assert.deepEqual(t.columns.map((c) => Boolean(c.unsigned)), shown.map((r) => /unsigned/.test(String(r.Type))), t.name);
        assert.deepEqual(t.columns.map((c) => Boolean(c.autoIncrement)), shown.map((r) => /auto_increment/.test(String(r.Extra))), t.name);
        assert.deepEqual(t.columns.map((c) => Boolean(c.onUpdateCurrentTimestamp)), shown.map((r) => /on update/i.test(String(r.Extra))), t.name);
      }
    });

    test('primary keys and foreign keys follow SHOW INDEX / SHOW CREATE TABLE', async () => {
      for (const t of catalog.tables) {
        const keys = await rows(`SHOW INDEX FROM \`${db}\`.\`${t.name}\` WHERE Key_name = 'PRIMARY'`);
        assert.deepEqual(t.primaryKey?.columns ?? [], keys.sort((a, b) => Number(a.Seq_in_index) - Number(b.Seq_in_index)).map((k) => k.Column_name), t.name);
        const create = String((await rows(`SHOW CREATE TABLE \`${db}\`.\`${t.name}\``))[0]['Create Table']);
        const fks = [...create.matchAll(/CONSTRAINT `([^`]+)` FOREIGN KEY \(([^)]*)\) REFERENCES `([^`]+)` \(([^)]*)\)([^,\n]*)/g)].map((m) => ({
          name: m[1],
          columns: m[2].split(',').map((s) => s.trim().replace(/`/g, '')),
          refTable: m[3],
          refColumns: m[4].split(',').map((s) => s.trim().replace(/`/g, '')),
          onDelete: /ON DELETE (CASCADE|SET NULL|NO ACTION|SET DEFAULT|RESTRICT)/.exec(m[5])?.[1] ?? 'RESTRICT',
          onUpdate: /ON UPDATE (CASCADE|SET NULL|NO ACTION|SET DEFAULT|RESTRICT)/.exec(m[5])?.[1] ?? 'RESTRICT',
        }));
        const got = t.foreignKeys.map((f) => ({ name: f.name, columns: f.columns, refTable: f.refTable, refColumns: f.refColumns, onDelete: f.onDelete, onUpdate: f.onUpdate }));
        const byName = (a: { name?: string }, b: { name?: string }) => String(a.name).localeCompare(String(b.name));
        assert.deepEqual(got.sort(byName), fks.sort(byName), t.name);
      }
    });

    test('sequenceNext is SHOW TABLE STATUS Auto_increment for auto-increment tables', async () => {
      const status = await rows(`SHOW TABLE STATUS FROM \`${db}\``);
      for (const t of catalog.tables) {
        const s = status.find((r) => r.Name === t.name);
        assert.ok(s);
        if (t.columns.some((c) => c.autoIncrement)) assert.equal(String(t.sequenceNext), String(s.Auto_increment), t.name);
        else assert.equal(t.sequenceNext, undefined, t.name);
      }
    });

    test('readRows returns every row in key order; countRows and measure agree', async () => {
      for (const t of catalog.tables) {
        const n = Number((await rows(`SELECT COUNT(*) AS n FROM \`${db}\`.\`${t.name}\``))[0].n);
        const orderBy = t.primaryKey?.columns;
        const read = await collect(source.readRows(t, { batchSize: 500, orderBy }));
        assert.equal(read.length, n, t.name);
        assert.equal(await source.countRows(t), n, t.name);
        if (orderBy) {
          const idx = orderBy.map((k) => t.columns.findIndex((c) => c.name === k));
          const keys = read.map((r) => idx.map((i) => r[i]));
          const sorted = [...keys].sort(compareKeys);
          assert.deepEqual(keys, sorted, `${t.name} in key order`);
        }
        const m = await source.measure(t);
        assert.equal(m.rows, n, t.name);
        // Text values' UTF-8 sizes computed here from what the reader returned.
        for (const [i, c] of t.columns.entries()) {
          if (!['char', 'varchar', 'text', 'mediumtext', 'longtext', 'blob', 'varbinary', 'binary', 'tinyblob'].includes(c.dataType)) continue;
          const max = Math.max(0, ...read.map((r) => (r[i] == null ? 0 : Buffer.isBuffer(r[i]) ? (r[i] as Buffer).length : Buffer.byteLength(String(r[i])))));
          assert.equal(m.columns[i].maxBytes, max, `${t.name}.${c.name}`);
        }
      }
    });
  });
}

describe('mysql source: sakila specifics', () => {
  let source: Source;
  let catalog: Catalog;
  let rules: CastRules;
  before(async () => {
    source = await mysqlEngine.open(mysqlUrl('sakila'));
    catalog = await source.introspect();
    rules = CastRules.combine([], source.castRules);
  });
  after(() => source.close());

  test('ENUM rating and SET special_features labels equal the server-parsed ones', async () => {
    const film = tableOf(catalog, 'film');
    const rating = columnOf(film, 'rating');
    assert.equal(rating.dataType, 'enum');
    assert.deepEqual(rating.enumValues, await serverLabels(rating.sourceType, 'enum'));
    assert.deepEqual(rating.default, { kind: 'literal', value: 'G', raw: "'G'" });
    const features = columnOf(film, 'special_features');
    assert.equal(features.dataType, 'set');
    assert.equal(features.enumValues, undefined);
    assert.deepEqual(features.setValues, await serverLabels(features.sourceType, 'set'));
    assert.equal(rules.resolve(film, rating).transform.name, 'enum');
    assert.equal(rules.resolve(film, features).transform.name, 'set');
  });

  test('YEAR release_year is a year read as an integer', async () => {
    const film = tableOf(catalog, 'film');
    const year = columnOf(film, 'release_year');
    assert.equal(year.dataType, 'year');
    const cast = rules.resolve(film, year);
    assert.equal(cast.transform.name, 'integer');
    const i = film.columns.indexOf(year);
    const read = await collect(source.readRows(film, { batchSize: 1000, orderBy: ['film_id'] }));
    const server = await rows('SELECT release_year + 0 AS y FROM sakila.film ORDER BY film_id');
    assert.deepEqual(read.map((r) => cast.value(r[i])), server.map((r) => (r.y === null ? null : Number(r.y))));
  });

  test('tinyint(1) active is a boolean that keeps other tinyint values, other tinyints integer', () => {
    const customer = tableOf(catalog, 'customer');
    const active = columnOf(customer, 'active');
    assert.equal(active.dataType, 'tinyint');
    assert.equal(active.length, 1);
    assert.equal(rules.resolve(customer, active).transform.name, 'tinyint_boolean');
    const store = columnOf(customer, 'store_id');
    assert.equal(rules.resolve(customer, store).transform.name, 'integer');
  });

  test('last_update: DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, UTC timestamps', async () => {
    const withLastUpdate = catalog.tables.filter((t) => t.columns.some((c) => c.name === 'last_update'));
    assert.ok(withLastUpdate.length > 10);
    for (const t of withLastUpdate) {
      const c = columnOf(t, 'last_update');
      assert.equal(c.onUpdateCurrentTimestamp, true, t.name);
      assert.equal(c.default?.kind, 'now', t.name);
      assert.equal(c.dataType, 'timestamp');
      assert.equal(c.precision, 0);
    }
    // Values are read in UTC: the server's own UTC conversion of the same rows.
    const actor = tableOf(catalog, 'actor');
    const read = await collect(source.readRows(actor, { batchSize: 50, orderBy: ['actor_id'] }));
    const epochs = await rows('SELECT UNIX_TIMESTAMP(last_update) AS u FROM sakila.actor ORDER BY actor_id');
    const utc = epochs.map((r) => new Date(Number(r.u) * 1000).toISOString().slice(0, 19));
    assert.deepEqual(read.map((r) => r[3]), utc.map((u) => u.replace('T', ' ')));
    const cast = rules.resolve(actor, columnOf(actor, 'last_update'));
    assert.equal(cast.transform.name, 'timestamptz_iso');
    assert.equal(cast.value(read[0][3]), utc[0] + 'Z');
  });

  test('FULLTEXT index on film_text is kept as untranslatable', async () => {
    const ft = tableOf(catalog, 'film_text').indexes.find((i) => i.method === 'fulltext');
    const shown = await rows("SHOW INDEX FROM sakila.film_text WHERE Index_type = 'FULLTEXT'");
    assert.ok(ft);
    assert.equal(ft.name, shown[0].Key_name);
    assert.deepEqual(ft.columns, shown.map((r) => r.Column_name));
    assert.match(ft.untranslatable ?? '', /FULLTEXT/);
  });

  test('address: the spatial column exists only where the server ran the /*!50705 */ comment', async () => {
    // MariaDB skips MySQL-5.7 versioned comments, so sakila's `location GEOMETRY` may be absent.
    const address = tableOf(catalog, 'address');
    const geo = await rows("SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'sakila' AND TABLE_NAME = 'address' AND DATA_TYPE = 'geometry'");
    assert.deepEqual(address.columns.filter((c) => c.dataType === 'geometry').map((c) => c.name), geo.map((r) => r.COLUMN_NAME));
    const spatial = await rows("SHOW INDEX FROM sakila.address WHERE Index_type = 'SPATIAL'");
    assert.equal(address.indexes.filter((i) => i.method === 'spatial').length, new Set(spatial.map((r) => r.Key_name)).size);
  });

  test('triggers, views, procedures and functions are listed', async () => {
    const names = (kind: string) => catalog.objects.filter((o) => o.kind === kind).map((o) => o.name).sort();
    const triggers = await rows('SHOW TRIGGERS FROM sakila');
    assert.deepEqual(names('trigger'), triggers.map((r) => `${r.Trigger} on ${r.Table}`).sort());
    for (const o of catalog.objects.filter((x) => x.kind === 'trigger')) assert.ok(catalog.tables.some((t) => t.name === o.table));
    const views = await rows("SHOW FULL TABLES FROM sakila WHERE Table_type = 'VIEW'");
    assert.deepEqual(names('view'), views.map((r) => String(Object.values(r)[0])).sort());
    const procs = await rows("SHOW PROCEDURE STATUS WHERE Db = 'sakila'");
    assert.deepEqual(names('procedure'), procs.map((r) => r.Name).sort());
    const funcs = await rows("SHOW FUNCTION STATUS WHERE Db = 'sakila'");
    assert.deepEqual(names('function'), funcs.map((r) => r.Name).sort());
    assert.ok(names('trigger').length > 0 && names('view').length > 0 && names('procedure').length > 0 && names('function').length > 0);
  });

  test('a consumer stopping early leaves the source usable', async () => {
    const rental = tableOf(catalog, 'rental');
    for await (const batch of source.readRows(rental, { batchSize: 100, orderBy: ['rental_id'] })) {
      assert.equal(batch.length, 100);
      break;
    }
    assert.equal(await source.countRows(rental), Number((await rows('SELECT COUNT(*) AS n FROM sakila.rental'))[0].n));
  });
});

describe('mysql source: edgecases specifics', () => {
  let source: Source;
  let catalog: Catalog;
  let rules: CastRules;
  before(async () => {
    source = await mysqlEngine.open(mysqlUrl('edgecases'));
    catalog = await source.introspect();
    rules = CastRules.combine([], source.castRules);
  });
  after(() => source.close());

  test('the table named utilisateurs__Yvelines2013-06-28: enums with quotes and accents as the server parses them', async () => {
    const t = tableOf(catalog, 'utilisateurs__Yvelines2013-06-28');
    assert.equal(t.sourceName, '`utilisateurs__Yvelines2013-06-28`');
    const enums = t.columns.filter((c) => c.dataType === 'enum');
    assert.equal(enums.length, 5);
    for (const c of enums) assert.deepEqual(c.enumValues, await serverLabels(c.sourceType, 'enum'), c.name);
    const categorie = columnOf(t, 'categorie');
    assert.ok(categorie.enumValues?.includes("Artisan, commerçant, chef d'entreprise"));
    assert.equal(columnOf(t, 'anciennete').dataType, 'year');
    assert.deepEqual(await collect(source.readRows(t, { batchSize: 10 })), []);
  });

  test("zero-date default of races.date is the literal '0000-00-00'", async () => {
    const c = columnOf(tableOf(catalog, 'races'), 'date');
    const shown = await rows("SHOW COLUMNS FROM edgecases.races WHERE Field = 'date'");
    assert.equal(c.default?.kind, 'literal');
    assert.equal(c.default?.kind === 'literal' ? c.default.value : undefined, shown[0].Default);
    assert.equal(c.nullable, false);
    assert.equal(rules.resolve(tableOf(catalog, 'races'), c).transform.name, 'date');
  });

  test('MariaDB JSON (LONGTEXT + json_valid check) is json, and the marker check is not a user check', async () => {
    const t = tableOf(catalog, 'domain_filter');
    const value = columnOf(t, 'value');
    const info = await rows("SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'edgecases' AND TABLE_NAME = 'domain_filter' AND COLUMN_NAME = 'value'");
    assert.ok(['json', 'longtext'].includes(String(info[0].DATA_TYPE)));
    assert.equal(value.dataType, 'json');
    assert.deepEqual(t.checks, []);
    assert.equal(rules.resolve(t, value).transform.name, 'json');
    assert.equal(rules.resolve(t, columnOf(t, 'negated')).transform.name, 'tinyint_boolean');
    assert.equal(rules.resolve(t, columnOf(t, 'id')).transform.name, 'blob');
  });

  test('bit(1) is boolean and bit(16) a bit integer with the server values', async () => {
    const bits = tableOf(catalog, 'bits');
    const bool = rules.resolve(bits, columnOf(bits, 'bool'));
    assert.equal(bool.transform.name, 'boolean');
    const readBits = await collect(source.readRows(bits, { batchSize: 10, orderBy: ['id'] }));
    const serverBits = await rows('SELECT bool + 0 AS b FROM edgecases.bits ORDER BY id');
    assert.deepEqual(readBits.map((r) => bool.value(r[1])), serverBits.map((r) => Number(r.b)));
    const t = tableOf(catalog, 'countdata_template');
    const flags = rules.resolve(t, columnOf(t, 'flags'));
    assert.equal(flags.transform.name, 'bit_integer');
    assert.equal(columnOf(t, 'flags').length, 16);
    const read = await collect(source.readRows(t, { batchSize: 10, orderBy: ['id'] }));
    const server = await rows('SELECT flags + 0 AS f FROM edgecases.countdata_template ORDER BY id');
    assert.deepEqual(read.map((r) => flags.value(r[5])), server.map((r) => Number(r.f)));
  });

  test('geometry columns are read as WKT and cast as lossy text', async () => {
    const t = tableOf(catalog, 'geom');
    assert.deepEqual(t.columns.map((c) => c.dataType), ['int', 'point', 'linestring']);
    const read = await collect(source.readRows(t, { batchSize: 10, orderBy: ['id'] }));
    const server = await rows('SELECT ST_AsText(p) AS p, ST_AsText(l) AS l FROM edgecases.geom ORDER BY id');
    assert.deepEqual(read.map((r) => [r[1], r[2]]), server.map((r) => [r.p, r.l]));
    const cast = rules.resolve(t, columnOf(t, 'p'));
    assert.equal(cast.transform.name, 'lossy_text');
    assert.ok(cast.lossy);
  });

  test('unsigned BIGINT and decimals: bigint transform, decimal as text', async () => {
    const history = tableOf(catalog, 'history');
    const id = columnOf(history, 'id');
    assert.equal(id.unsigned, true);
    assert.equal(rules.resolve(history, id).transform.name, 'bigint');
    const m = await source.measure(history);
    assert.equal(m.columns.find((c) => c.column === 'id')?.unsafeIntegers, 0);
    const prop = tableOf(catalog, 'propertydecimal');
    const value = columnOf(prop, 'propertyvalue');
    assert.deepEqual([value.precision, value.scale], [18, 6]);
    assert.equal(rules.resolve(prop, value).transform.name, 'decimal_text');
  });

  test('FULLTEXT on fcm_batches is untranslatable; unique keys are unique indexes', async () => {
    const fcm = tableOf(catalog, 'fcm_batches');
    assert.equal(fcm.indexes.find((i) => i.name === 'search')?.method, 'fulltext');
    assert.ok(fcm.indexes.find((i) => i.name === 'search')?.untranslatable);
    for (const t of catalog.tables) {
      const shown = await rows(`SHOW INDEX FROM edgecases.\`${t.name}\` WHERE Key_name <> 'PRIMARY' AND Non_unique = 0`);
      const expected = [...new Set(shown.map((r) => String(r.Key_name)))].sort();
      assert.deepEqual(t.indexes.filter((i) => i.unique).map((i) => i.name).sort(), expected, t.name);
      assert.deepEqual(t.uniques, []);
    }
  });
});

describe('mysql source: scratch database', () => {
  let source: Source;
  let catalog: Catalog;
  let rules: CastRules;
  const exec = (sql: string) => admin.query(sql);

  before(async () => {
    await exec(`USE ${SCRATCH}`);
    await exec("SET SESSION sql_mode = ''");
    await exec(`CREATE TABLE zd (id int PRIMARY KEY, d date NOT NULL DEFAULT '0000-00-00', dt datetime(3) NULL, ts timestamp NULL DEFAULT NULL)`);
    await exec(`INSERT INTO zd VALUES (1, '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00'), (2, '2006-02-15', '2006-02-15 05:03:42.125', '2006-02-15 05:03:42')`);
    await exec(`CREATE TABLE keys2 (k varchar(20) COLLATE utf8mb4_bin NOT NULL, n int NOT NULL, v varchar(10), PRIMARY KEY (k, n)) CHARACTER SET utf8mb4`);
    await exec(`INSERT INTO keys2 VALUES ('a',2,'x'),('a',1,'x'),('B',1,'x'),('b',1,'x'),('é',1,'x'),('e',1,'x'),('Z',1,'x'),('ä',1,'x'),('aa',1,'x'),('a\\t',1,'x'),('\`',1,'x'),('',1,'x')`);
    await exec(`CREATE TABLE shapes (id int PRIMARY KEY, g geometry NOT NULL, name varchar(100) NOT NULL, qty int, j json,
      e enum('a\\\\b','it''s','x,y','é','say "hi"','tab\\there') DEFAULT 'it''s',
      s set('p','q''r') DEFAULT 'p,q''r',
      d1 varchar(20) DEFAULT 'a\\\\b''c', d2 int DEFAULT (1 + 2), d3 char(36) DEFAULT uuid(), d4 datetime(3) DEFAULT current_timestamp(3) ON UPDATE current_timestamp(3),
      d5 date DEFAULT curdate(), d6 bit(4) DEFAULT b'101', d7 varchar(5) DEFAULT NULL, g1 int AS (qty * 2) VIRTUAL, g2 int AS (qty * 3) STORED,
      SPATIAL KEY sp (g), KEY name_prefix (name(10)), UNIQUE KEY uq_name (name),
      CONSTRAINT qty_positive CHECK (qty > 0 AND name <> 'x'), CONSTRAINT odd CHECK (name REGEXP '^[a-z]'))`);
    await exec(`CREATE TABLE big (id int PRIMARY KEY, s bigint, u bigint unsigned)`);
    await exec(`INSERT INTO big VALUES (1, 9007199254740992, 18446744073709551615), (2, -9007199254740992, 5), (3, 9007199254740991, 9007199254740991), (4, -9223372036854775808, NULL)`);
    await exec(`CREATE TABLE snap (id int PRIMARY KEY) ENGINE=InnoDB`);
    await exec(`INSERT INTO snap VALUES (1), (2), (3)`);
    await exec("SET SESSION sql_mode = DEFAULT");
    source = await mysqlEngine.open(mysqlUrl(SCRATCH));
    catalog = await source.introspect();
    rules = CastRules.combine([], source.castRules);
  });
  after(() => source.close());

  test('zero dates are read and kept as their text, nullable or not', async () => {
    const t = tableOf(catalog, 'zd');
    const read = await collect(source.readRows(t, { batchSize: 10, orderBy: ['id'] }));
    const server = await rows(`SELECT CAST(d AS CHAR) d, CAST(dt AS CHAR) dt, CAST(ts AS CHAR) ts FROM ${SCRATCH}.zd ORDER BY id`);
    assert.deepEqual(read.map((r) => r.slice(1)), server.map((r) => [r.d, r.dt, r.ts]));
    const [d, dt, ts] = ['d', 'dt', 'ts'].map((n) => rules.resolve(t, columnOf(t, n)));
    assert.deepEqual([d.transform.name, dt.transform.name, ts.transform.name], ['date', 'timestamp_iso', 'timestamptz_iso']);
    assert.equal(d.value(read[0][1]), '0000-00-00');
    // datetime(3): the text has a fraction, the careful path, same form as the fast one.
    assert.equal(dt.value(read[0][2]), '0000-00-00T00:00:00.000');
    assert.equal(ts.value(read[0][3]), '0000-00-00T00:00:00Z');
    assert.equal(d.value(read[1][1]), '2006-02-15');
    assert.equal(dt.value(read[1][2]), '2006-02-15T05:03:42.125');
    assert.equal(ts.value(read[1][3]), '2006-02-15T05:03:42Z');
  });

  test('text keys are read in byte order; resuming after any key gives exactly the rest', async () => {
    const t = tableOf(catalog, 'keys2');
    const all = await collect(source.readRows(t, { batchSize: 3, orderBy: ['k', 'n'] }));
    const server = await rows(`SELECT k, n FROM ${SCRATCH}.keys2`);
    const expected = server.map((r) => [r.k, r.n]).sort(compareKeys);
    assert.deepEqual(all.map((r) => [r[0], r[1]]), expected);
    for (let i = 0; i < all.length; i += 1) {
      const rest = await collect(source.readRows(t, { batchSize: 4, orderBy: ['k', 'n'], after: [all[i][0], all[i][1]] }));
      assert.deepEqual(rest, all.slice(i + 1), `after ${JSON.stringify(all[i].slice(0, 2))}`);
    }
  });

  test('enum/set labels with escapes, defaults, generated columns, checks and indexes', async () => {
    const t = tableOf(catalog, 'shapes');
    const e = columnOf(t, 'e');
    assert.deepEqual(e.enumValues, await serverLabels(e.sourceType, 'enum'));
    assert.deepEqual(e.enumValues, ['a\\b', "it's", 'x,y', 'é', 'say "hi"', 'tab\there']);
    assert.deepEqual(columnOf(t, 's').setValues, await serverLabels(columnOf(t, 's').sourceType, 'set'));
    const def = (n: string) => columnOf(t, n).default;
    assert.deepEqual(def('e'), { kind: 'literal', value: "it's", raw: "'it''s'" });
    assert.deepEqual(def('s'), { kind: 'literal', value: "p,q'r", raw: "'p,q''r'" });
    assert.equal((def('d1') as { value: string }).value, "a\\b'c");
    assert.equal(def('d2')?.kind, 'expression');
    assert.equal(def('d3')?.kind, 'uuid');
    assert.equal(def('d4')?.kind, 'now');
    assert.equal(columnOf(t, 'd4').onUpdateCurrentTimestamp, true);
    assert.equal(columnOf(t, 'd4').precision, 3);
    assert.equal(def('d5')?.kind, 'current_date');
    assert.deepEqual(def('d6'), { kind: 'literal', value: '101', raw: "b'101'" });
    assert.equal(rules.resolve(t, columnOf(t, 'd6')).value('101'), 5);
    assert.equal(def('d7'), undefined);
    assert.equal(columnOf(t, 'g1').generated, '`qty` * 2');
    assert.equal(columnOf(t, 'g2').generated, '`qty` * 3');
    assert.equal(columnOf(t, 'j').dataType, 'json');
    assert.deepEqual(
      t.checks.map((c) => [c.name, c.sqlite]).sort(),
      [['odd', undefined], ['qty_positive', "qty > 0 AND name <> 'x'"]],
    );
    const sp = t.indexes.find((i) => i.name === 'sp');
    assert.equal(sp?.method, 'spatial');
    assert.match(sp?.untranslatable ?? '', /SPATIAL/);
    assert.deepEqual(t.indexes.find((i) => i.name === 'name_prefix'), { name: 'name_prefix', unique: false, columns: ['name'], method: 'btree' });
    assert.deepEqual(t.indexes.find((i) => i.name === 'uq_name'), { name: 'uq_name', unique: true, columns: ['name'], method: 'btree' });
    assert.equal(rules.resolve(t, columnOf(t, 'g')).transform.name, 'lossy_text');
  });

  test('measure counts BIGINT values beyond 2^53 (signed and unsigned)', async () => {
    const t = tableOf(catalog, 'big');
    const m = await source.measure(t);
    assert.equal(m.rows, 4);
    assert.equal(m.columns.find((c) => c.column === 's')?.unsafeIntegers, 3);
    assert.equal(m.columns.find((c) => c.column === 'u')?.unsafeIntegers, 1);
    const read = await collect(source.readRows(t, { batchSize: 10, orderBy: ['id'] }));
    assert.deepEqual(read[0], [1, '9007199254740992', '18446744073709551615']);
    const u = rules.resolve(t, columnOf(t, 'u'));
    assert.throws(() => u.value(read[0][2]), TransformError);
    assert.equal(u.value(read[1][2]), 5);
  });

  test('a snapshot does not see rows inserted after it; readers wait for a free connection', async () => {
    const t = tableOf(catalog, 'snap');
    const snapshot = await source.snapshot(1);
    try {
      assert.match(snapshot.consistency, /FLUSH TABLES WITH READ LOCK/);
      await exec(`INSERT INTO ${SCRATCH}.snap VALUES (4)`);
      assert.equal(await source.countRows(t), 4);
      assert.equal(await snapshot.countRows(t), 3);
      // Two reads at once through one reader connection: the second waits for the first.
      const [a, b] = await Promise.all([
        collect(snapshot.readRows(t, { batchSize: 1, orderBy: ['id'] })),
        collect(snapshot.readRows(t, { batchSize: 2, orderBy: ['id'], after: [1] })),
      ]);
      assert.deepEqual(a, [[1], [2], [3]]);
      assert.deepEqual(b, [[2], [3]]);
      // Stopping early keeps the snapshot transaction.
      for await (const batch of snapshot.readRows(t, { batchSize: 1, orderBy: ['id'] })) {
        assert.deepEqual(batch, [[1]]);
        break;
      }
      assert.deepEqual(await collect(snapshot.readRows(t, { batchSize: 10, orderBy: ['id'] })), [[1], [2], [3]]);
    } finally {
      await snapshot.close();
    }
    // A user without the RELOAD privilege cannot take the global read lock: per-connection snapshots.
    const hosts = ['%', '127.0.0.1', 'localhost'];
    for (const h of hosts) {
      await admin.query(`DROP USER IF EXISTS 'flarelift_snap'@'${h}'`);
      await admin.query(`CREATE USER 'flarelift_snap'@'${h}'`);
      await admin.query(`GRANT SELECT ON ${SCRATCH}.* TO 'flarelift_snap'@'${h}'`);
    }
    try {
      const u = new URL(mysqlUrl(SCRATCH));
      const limited = await mysqlEngine.open(`mysql://flarelift_snap@${u.host}/${SCRATCH}`);
      try {
        const s2 = await limited.snapshot(2);
        assert.match(s2.consistency, /per-connection/);
        assert.deepEqual(await collect(s2.readRows(t, { batchSize: 10, orderBy: ['id'] })), [[1], [2], [3], [4]]);
        await s2.close();
      } finally {
        await limited.close();
      }
    } finally {
      for (const h of hosts) await admin.query(`DROP USER IF EXISTS 'flarelift_snap'@'${h}'`);
    }
    const many = await source.snapshot(3);
    try {
      const counts = await Promise.all([0, 1, 2].map(() => many.countRows(t)));
      assert.deepEqual(counts, [4, 4, 4]);
    } finally {
      await many.close();
    }
  });
});

describe('mysql source: connection errors are one-line UserErrors without the password', () => {
  async function failure(url: string): Promise<UserError> {
    try {
      const s = await mysqlEngine.open(url);
      await s.close();
    } catch (e) {
      assert.ok(e instanceof UserError, `UserError expected, got ${String(e)}`);
      assert.doesNotMatch(e.message, /\n/);
      return e;
    }
    assert.fail(`opening ${url} should fail`);
  }

  test('connection refused', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const e = await failure(`mysql://root:refused-secret@127.0.0.1:${port}/sakila`);
    assert.match(e.message, new RegExp(`cannot reach MySQL at 127\\.0\\.0\\.1:${port}`));
    assert.doesNotMatch(e.message, /refused-secret/);
  });

  test('unknown database', async () => {
    const e = await failure(mysqlUrl('flarelift_no_such_db'));
    assert.match(e.message, /database 'flarelift_no_such_db' does not exist/);
    assert.match(e.message, /SHOW DATABASES/);
  });

  test('missing database in the URL', async () => {
    const u = new URL(mysqlUrl('x'));
    const e = await failure(`mysql://${u.username}@${u.host}`);
    assert.match(e.message, /no database/);
  });

  test('wrong password', async () => {
    const hosts = ['%', '127.0.0.1', 'localhost'];
    for (const h of hosts) {
      await admin.query(`DROP USER IF EXISTS 'flarelift_pw'@'${h}'`);
      await admin.query(`CREATE USER 'flarelift_pw'@'${h}' IDENTIFIED BY 'right-Pass-123'`);
    }
    try {
      const u = new URL(mysqlUrl('sakila'));
      const e = await failure(`mysql://flarelift_pw:wrong-Pass-456@${u.host}/sakila`);
      assert.match(e.message, /flarelift_pw/);
      assert.match(e.message, /wrong user or password/);
      assert.doesNotMatch(e.message, /wrong-Pass-456|right-Pass-123/);
      // The right password, but no privilege on the database.
      const denied = await failure(`mysql://flarelift_pw:right-Pass-123@${u.host}/sakila`);
      assert.match(denied.message, /may not use database 'sakila'/);
      assert.doesNotMatch(denied.message, /right-Pass-123/);
    } finally {
      for (const h of hosts) await admin.query(`DROP USER IF EXISTS 'flarelift_pw'@'${h}'`);
    }
  });
});
