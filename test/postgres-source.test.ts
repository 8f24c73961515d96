// The PostgreSQL source against the real server: the catalog is checked against the server's
// own information_schema / pg_catalog through an independent client, reads against plain
// queries, and CHECK translations against PostgreSQL itself as the oracle.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { CastRules } from '../src/casting/rules.js';
import type { SourceValue } from '../src/casting/values.js';
import type { Catalog, Table } from '../src/catalog/types.js';
import { UserError } from '../src/errors.js';
import { postgresEngine } from '../src/sources/postgres/index.js';
import { describeTarget, pgUserError } from '../src/sources/postgres/postgres-connection.js';
import type { ReadOptions, Source } from '../src/sources/source.js';
import { PG_DATASETS, pgUrl } from './helpers/env.js';

const SCRATCH = 'flarelift_test_pg';

/** An independent client with pg's stock parsers, for expectations. */
async function query<T extends object = Record<string, unknown>>(db: string, text: string, values?: unknown[]): Promise<T[]> {
  const c = new pg.Client({ connectionString: pgUrl(db) });
  await c.connect();
  try {
    return (await c.query(text, values)).rows as T[];
  } finally {
    await c.end();
  }
}

async function readAll(source: Pick<Source, 'readRows'>, table: Table, options: ReadOptions): Promise<SourceValue[][]> {
  const rows: SourceValue[][] = [];
  for await (const batch of source.readRows(table, options)) {
    assert.ok(batch.length > 0 && batch.length <= options.batchSize, `batch of ${batch.length} rows`);
    rows.push(...batch);
  }
  return rows;
}

function table(catalog: Catalog, name: string): Table {
  const t = catalog.tables.find((x) => x.name === name);
  assert.ok(t, `table ${name} in the catalog`);
  return t;
}

const sources = new Map<string, Source>();
const catalogs = new Map<string, Catalog>();

before(async () => {
  for (const db of PG_DATASETS) {
    const s = await postgresEngine.open(pgUrl(db));
    sources.set(db, s);
    catalogs.set(db, await s.introspect());
  }
});

after(async () => {
  for (const s of sources.values()) await s.close();
});

describe('postgres catalog matches the server (independent information_schema queries)', () => {
  for (const db of PG_DATASETS) {
    it(`${db}: tables are the base tables that are not partitions`, async () => {
      const rows = await query<{ name: string }>(
        db,
        `SELECT CASE WHEN t.table_schema = 'public' THEN t.table_name ELSE t.table_schema || '_' || t.table_name END AS name
           FROM information_schema.tables t
           JOIN pg_namespace n ON n.nspname = t.table_schema
           JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t.table_name
          WHERE t.table_type = 'BASE TABLE' AND t.table_schema NOT IN ('pg_catalog', 'information_schema')
            AND NOT c.relispartition`,
      );
      assert.ok(rows.length > 5);
      assert.deepEqual(catalogs.get(db)!.tables.map((t) => t.name).sort(), rows.map((r) => r.name).sort());
    });

    it(`${db}: columns, order, nullability, lengths and domains`, async () => {
      const rows = await query<{
        table_name: string; column_name: string; is_nullable: string; data_type: string; udt_name: string;
        character_maximum_length: number | null; numeric_precision: number | null; numeric_scale: number | null; domain_name: string | null;
      }>(db, `SELECT table_name, column_name, is_nullable, data_type, udt_name, character_maximum_length,
                     numeric_precision, numeric_scale, domain_name
                FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`);
      const UDT: Record<string, string> = {
        int2: 'smallint', int4: 'integer', int8: 'bigint', bool: 'boolean', text: 'text', varchar: 'varchar', bpchar: 'char',
        numeric: 'numeric', float4: 'real', float8: 'double precision', timestamp: 'timestamp', timestamptz: 'timestamptz',
        date: 'date', bytea: 'bytea', tsvector: 'tsvector',
      };
      for (const t of catalogs.get(db)!.tables) {
        const expected = rows.filter((r) => r.table_name === t.name);
        assert.deepEqual(t.columns.map((c) => c.name), expected.map((r) => r.column_name), t.name);
        t.columns.forEach((c, i) => {
          const r = expected[i];
          const where = `${t.name}.${c.name}`;
          assert.equal(c.ordinal, i + 1, where);
          assert.equal(c.nullable, r.is_nullable === 'YES', where);
          assert.equal(c.domain, r.domain_name ?? undefined, where);
          if (r.data_type === 'ARRAY') assert.equal(c.dataType, 'array', where);
          else if (r.data_type === 'USER-DEFINED') assert.equal(c.dataType, 'enum', where);
          else assert.equal(c.dataType, UDT[r.udt_name], where);
          assert.equal(c.length, r.character_maximum_length ?? undefined, where);
          if (c.dataType === 'numeric') {
            assert.equal(c.precision, r.numeric_precision ?? undefined, where);
            assert.equal(c.scale, r.numeric_scale ?? undefined, where);
          }
        });
      }
    });

    it(`${db}: primary keys in key order`, async () => {
      const rows = await query<{ table_name: string; cols: string[] }>(
        db,
        `SELECT tc.table_name, array_agg(k.column_name::text ORDER BY k.ordinal_position) AS cols
           FROM information_schema.table_constraints tc
           JOIN information_schema.key_column_usage k ON k.constraint_name = tc.constraint_name AND k.table_schema = tc.table_schema
          WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = 'public' GROUP BY tc.table_name`,
      );
      const ours = catalogs.get(db)!.tables.filter((t) => t.primaryKey).map((t) => [t.name, t.primaryKey!.columns]);
      // information_schema also lists the primary keys of partitions, which are not tables here.
      const names = new Set(catalogs.get(db)!.tables.map((t) => t.name));
      const theirs = rows.filter((r) => names.has(r.table_name)).map((r) => [r.table_name, r.cols]);
      assert.deepEqual(ours.sort(), theirs.sort());
    });

    it(`${db}: foreign keys with their actions`, async () => {
      const rows = await query<{ name: string; table_name: string; ref_table: string; update_rule: string; delete_rule: string }>(
        db,
        `SELECT rc.constraint_name AS name, tc.table_name, uc.table_name AS ref_table, rc.update_rule, rc.delete_rule
           FROM information_schema.referential_constraints rc
           JOIN information_schema.table_constraints tc ON tc.constraint_name = rc.constraint_name AND tc.constraint_schema = rc.constraint_schema
           JOIN information_schema.table_constraints uc ON uc.constraint_name = rc.unique_constraint_name AND uc.constraint_schema = rc.unique_constraint_schema
          WHERE rc.constraint_schema = 'public'`,
      );
      const names = new Set(catalogs.get(db)!.tables.map((t) => t.name));
      const theirs = rows.filter((r) => names.has(r.table_name)).map((r) => `${r.table_name}.${r.name}->${r.ref_table} U:${r.update_rule} D:${r.delete_rule}`);
      const ours = catalogs.get(db)!.tables.flatMap((t) => t.foreignKeys.map((f) => `${t.name}.${f.name}->${f.refTable} U:${f.onUpdate} D:${f.onDelete}`));
      assert.ok(ours.length > 3);
      assert.deepEqual(ours.sort(), theirs.sort());
    });
  }

  it('chinook: playlist_track has the composite primary key (playlist_id, track_id)', () => {
    assert.deepEqual(table(catalogs.get('chinook')!, 'playlist_track').primaryKey?.columns, ['playlist_id', 'track_id']);
  });

  it('pagila: payment is one partitioned table listing its partitions', async () => {
    const cat = catalogs.get('pagila')!;
    const payment = table(cat, 'payment');
    const parts = await query<{ relname: string }>('pagila', `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'payment'::regclass`);
    assert.equal(parts.length, 7);
    assert.deepEqual([...payment.partitions!].sort(), parts.map((p) => p.relname).sort());
    for (const p of parts) assert.equal(cat.tables.some((t) => t.name === p.relname), false, `${p.relname} is not a table`);
    const sizes = await query<{ total: string }>('pagila', `SELECT sum(pg_total_relation_size(c.oid))::text AS total FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'payment'::regclass`);
    assert.equal(payment.sizeEstimate, Number(sizes[0].total));
    let sum = 0;
    for (const p of parts) sum += Number((await query<{ n: string }>('pagila', `SELECT count(*) AS n FROM ONLY public.${p.relname}`))[0].n);
    assert.ok(sum > 10000);
    assert.equal(await sources.get('pagila')!.countRows(payment), sum);
  });

  it('pagila: FKs use ON UPDATE CASCADE, enum, domain, array and tsvector columns', async () => {
    const cat = catalogs.get('pagila')!;
    const film = table(cat, 'film');
    const lang = film.foreignKeys.find((f) => f.columns[0] === 'language_id')!;
    assert.deepEqual([lang.refTable, lang.onUpdate, lang.onDelete], ['language', 'CASCADE', 'RESTRICT']);
    const col = (n: string) => film.columns.find((c) => c.name === n)!;
    const labels = await query<{ l: string }>('pagila', 'SELECT unnest(enum_range(NULL::mpaa_rating))::text AS l');
    assert.deepEqual(labels.map((r) => r.l), ['G', 'PG', 'PG-13', 'R', 'NC-17']);
    assert.deepEqual([col('rating').dataType, col('rating').enumName, col('rating').enumValues], ['enum', 'mpaa_rating', labels.map((r) => r.l)]);
    assert.deepEqual([col('release_year').dataType, col('release_year').domain], ['integer', 'year']);
    assert.deepEqual([col('special_features').dataType, col('special_features').elementType], ['array', 'text']);
    assert.equal(col('fulltext').dataType, 'tsvector');
    // The domain's CHECK (VALUE >= 1901 AND VALUE <= 2155) lands on the column, translated.
    const check = film.checks.find((c) => c.expression.includes('release_year'));
    assert.ok(check?.sqlite);
    const lite = new Database(':memory:');
    lite.exec(`CREATE TABLE f (release_year INTEGER CHECK (${check.sqlite}))`);
    assert.throws(() => lite.prepare('INSERT INTO f VALUES (1900)').run(), /CHECK/);
    lite.prepare('INSERT INTO f VALUES (2006)').run();
    lite.prepare('INSERT INTO f VALUES (NULL)').run();
    lite.close();
  });

  it('pagila: defaults normalized and sequences seeded', async () => {
    const film = table(catalogs.get('pagila')!, 'film');
    const d = (n: string) => film.columns.find((c) => c.name === n)!.default;
    // From pagila-schema.sql: DEFAULT 3, DEFAULT 4.99, DEFAULT 'G'::mpaa_rating, DEFAULT now(), nextval(...).
    assert.deepEqual(d('rental_duration'), { kind: 'literal', value: '3', raw: '3' });
    assert.equal((d('rental_rate') as { value: string }).value, '4.99');
    assert.equal((d('rating') as { value: string }).value, 'G');
    assert.equal(d('last_update')?.kind, 'now');
    assert.equal(d('film_id')?.kind, 'sequence');
    assert.equal(film.columns[0].autoIncrement, true);
    const customer = table(catalogs.get('pagila')!, 'customer');
    assert.equal(customer.columns.find((c) => c.name === 'create_date')!.default?.kind, 'current_date');
    assert.equal((customer.columns.find((c) => c.name === 'activebool')!.default as { value: string }).value, 't');
    const [seq] = await query<{ last_value: string; is_called: boolean }>('pagila', 'SELECT last_value::text, is_called FROM film_film_id_seq');
    assert.equal(film.sequenceNext, Number(seq.last_value) + (seq.is_called ? 1 : 0));
  });

  it('pagila: the GiST index is untranslatable, btree indexes carry over, constraint indexes are not indexes', () => {
    const cat = catalogs.get('pagila')!;
    const film = table(cat, 'film');
    const gist = film.indexes.find((i) => i.name === 'film_fulltext_idx')!;
    assert.equal(gist.method, 'gist');
    assert.match(gist.untranslatable ?? '', /gist/);
    assert.deepEqual(film.indexes.find((i) => i.name === 'idx_title'), { name: 'idx_title', unique: false, columns: ['title'], method: 'btree' });
    assert.equal(cat.tables.some((t) => t.indexes.some((i) => i.name.endsWith('_pkey'))), false);
    const rental = table(cat, 'rental').indexes.find((i) => i.name === 'idx_unq_rental_rental_date_inventory_id_customer_id')!;
    assert.deepEqual([rental.unique, rental.columns], [true, ['rental_date', 'inventory_id', 'customer_id']]);
  });

  it('pagila: triggers, functions, views and the materialized view are objects', async () => {
    const objects = catalogs.get('pagila')!.objects;
    const names = (kind: string) => objects.filter((o) => o.kind === kind).map((o) => o.name).sort();
    const triggers = await query<{ n: string }>('pagila', `SELECT DISTINCT trigger_name || ' on ' || event_object_table AS n FROM information_schema.triggers WHERE trigger_schema = 'public'`);
    assert.deepEqual(names('trigger'), triggers.map((r) => r.n).sort());
    const fulltext = objects.find((o) => o.name === 'film_fulltext_trigger on film')!;
    assert.equal(fulltext.table, 'film');
    const views = await query<{ n: string }>('pagila', `SELECT table_name AS n FROM information_schema.views WHERE table_schema = 'public'`);
    assert.deepEqual(names('view'), views.map((r) => r.n).sort());
    const matviews = await query<{ n: string }>('pagila', `SELECT matviewname AS n FROM pg_matviews WHERE schemaname = 'public'`);
    assert.deepEqual(names('materialized_view'), matviews.map((r) => r.n).sort());
    const routines = await query<{ n: string }>('pagila', `SELECT DISTINCT routine_name AS n FROM information_schema.routines WHERE routine_schema = 'public'`);
    const functionNames = new Set(names('function').map((n) => n.replace(/\(.*$/, '')));
    for (const r of routines) assert.ok(functionNames.has(r.n), `function ${r.n}`);
    assert.ok(functionNames.has('group_concat'), 'the aggregate is reported too');
    assert.deepEqual(names('enum'), ['mpaa_rating']);
    assert.ok(names('domain').includes('year'));
    assert.equal(objects.some((o) => o.kind === 'extension'), false, 'plpgsql is not reported');
    assert.equal(objects.some((o) => o.kind === 'sequence'), false, 'sequences used by defaults are not free-standing');
  });

  it('every column of every dataset has a postgres default cast rule, and every value it reads casts', async () => {
    for (const db of PG_DATASETS) {
      const source = sources.get(db)!;
      const rules = CastRules.combine([], source.castRules);
      for (const t of catalogs.get(db)!.tables) {
        const casts = rules.resolveTable(t);
        for (const c of casts) assert.equal(c.rule.origin, 'postgres default', `${db}.${t.name}.${c.column.name} (${c.column.sourceType})`);
        for await (const batch of source.readRows(t, { batchSize: 5000 })) {
          for (const row of batch) row.forEach((v, i) => casts[i].value(v));
        }
      }
    }
    const film = table(catalogs.get('pagila')!, 'film');
    const rules = CastRules.combine([], sources.get('pagila')!.castRules);
    const by = (n: string) => rules.resolve(film, film.columns.find((c) => c.name === n)!);
    assert.equal(by('fulltext').transform.name, 'lossy_text');
    assert.ok(by('fulltext').lossy);
    assert.equal(by('special_features').transform.name, 'json');
    assert.equal(by('rental_rate').transform.name, 'decimal_text');
    assert.equal(by('rating').transform.name, 'enum');
    assert.equal(by('last_update').transform.name, 'timestamptz_iso');
  });
});

describe('postgres reader', () => {
  it('reads every row in key order and resumes after a key with exactly the remainder (composite key)', async () => {
    const s = sources.get('chinook')!;
    const t = table(catalogs.get('chinook')!, 'playlist_track');
    const expected = await query<{ playlist_id: number; track_id: number }>('chinook', 'SELECT playlist_id, track_id FROM playlist_track ORDER BY playlist_id, track_id');
    const rows = await readAll(s, t, { orderBy: ['playlist_id', 'track_id'], batchSize: 1000 });
    assert.deepEqual(rows, expected.map((r) => [r.playlist_id, r.track_id]));
    const k = 4321;
    const rest = await readAll(s, t, { orderBy: ['playlist_id', 'track_id'], after: rows[k], batchSize: 700 });
    assert.deepEqual(rest, rows.slice(k + 1));
  });

  it('orders text keys by bytes (SQLite BINARY) and resumes on them', async () => {
    const s = sources.get('northwind')!;
    const t = table(catalogs.get('northwind')!, 'customers');
    const ids = (await query<{ customer_id: string }>('northwind', 'SELECT customer_id FROM customers')).map((r) => r.customer_id);
    ids.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const rows = await readAll(s, t, { orderBy: ['customer_id'], batchSize: 10 });
    assert.deepEqual(rows.map((r) => r[0]), ids);
    const rest = await readAll(s, t, { orderBy: ['customer_id'], after: [ids[40]], batchSize: 10 });
    assert.deepEqual(rest.map((r) => r[0]), ids.slice(41));
  });

  it('resumes on a (timestamptz, integer) key through a partitioned table', async () => {
    const s = sources.get('pagila')!;
    const t = table(catalogs.get('pagila')!, 'payment');
    const key = t.primaryKey!.columns;
    const all = await readAll(s, t, { orderBy: key, batchSize: 4000 });
    assert.equal(all.length, await s.countRows(t));
    const idx = key.map((k) => t.columns.findIndex((c) => c.name === k));
    const k = 9999;
    const rest = await readAll(s, t, { orderBy: key, after: idx.map((i) => all[k][i]), batchSize: 4000 });
    assert.deepEqual(rest, all.slice(k + 1));
  });

  it('delivers lossless values: numbers, text numerics and temporals, JSON arrays', async () => {
    const s = sources.get('pagila')!;
    const cat = catalogs.get('pagila')!;
    const film = table(cat, 'film');
    const rows = await readAll(s, film, { orderBy: ['film_id'], batchSize: 500 });
    const expected = await query<{ film_id: number; rental_rate: string; special_features: string[] | null; last_update: Date }>(
      'pagila', 'SELECT film_id, rental_rate, special_features, last_update FROM film ORDER BY film_id');
    const col = (n: string) => film.columns.findIndex((c) => c.name === n);
    rows.forEach((r, i) => {
      assert.equal(r[col('film_id')], expected[i].film_id);
      assert.equal(r[col('rental_rate')], expected[i].rental_rate);
      const features = r[col('special_features')];
      assert.deepEqual(features === null ? null : JSON.parse(features as string), expected[i].special_features);
      const ts = r[col('last_update')] as string;
      assert.match(ts, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?\+00$/);
      assert.equal(new Date(ts.replace(' ', 'T').replace('+00', 'Z')).getTime(), expected[i].last_update.getTime());
    });
  });

  it('measures rows, largest row and values', async () => {
    const s = sources.get('pagila')!;
    const film = table(catalogs.get('pagila')!, 'film');
    const m = await s.measure(film);
    const [x] = await query<{ n: string; title: number; description: number }>(
      'pagila', 'SELECT count(*) AS n, max(octet_length(title)) AS title, max(octet_length(description)) AS description FROM film');
    assert.equal(m.table, 'film');
    assert.equal(m.rows, Number(x.n));
    const col = (n: string) => m.columns.find((c) => c.column === n)!;
    assert.equal(col('title').maxBytes, x.title);
    assert.equal(col('description').maxBytes, x.description);
    assert.equal(col('film_id').unsafeIntegers, undefined, 'only bigint and numeric(p,0) are counted');
    assert.ok(m.maxRowBytes >= x.title + x.description);
  });
});

describe('postgres scratch database', () => {
  let source: Source;
  let catalog: Catalog;

  before(async () => {
    await query('postgres', `DROP DATABASE IF EXISTS ${SCRATCH} WITH (FORCE)`);
    await query('postgres', `CREATE DATABASE ${SCRATCH}`);
    await query(SCRATCH, `
      CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
      CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
      CREATE TABLE items (
        id integer PRIMARY KEY,
        code char(4) NOT NULL CHECK (code LIKE 'A%'),
        name varchar(40) NOT NULL CHECK (char_length(name) > 2),
        price numeric(10,2) CHECK (price BETWEEN 0 AND 1000),
        status text CHECK (status IN ('new', 'old')),
        m mood,
        qty posint,
        active boolean,
        d date CHECK (d > '2000-01-01'),
        email text CHECK (email ~ '@'),
        CHECK (m <> 'sad' OR active)
      );
      CREATE UNIQUE INDEX items_new_code ON items (code) WHERE status = 'new';
      CREATE INDEX items_lower_name ON items (lower(name));
      CREATE INDEX items_gin ON items USING gin (to_tsvector('simple', name));
      CREATE TABLE nums (id bigint PRIMARY KEY, big bigint, label text, blob bytea);
      INSERT INTO nums VALUES (1, 9007199254740993, 'héllo', '\\x0102'), (2, -9007199254740993, 'a', NULL), (3, 5, NULL, '\\x01020304');`);
    source = await postgresEngine.open(pgUrl(SCRATCH));
    catalog = await source.introspect();
  });

  after(async () => {
    await source?.close();
    await query('postgres', `DROP DATABASE IF EXISTS ${SCRATCH} WITH (FORCE)`);
  });

  it('translated CHECKs accept and reject exactly what PostgreSQL does', async () => {
    const items = table(catalog, 'items');
    const untranslated = items.checks.filter((c) => !c.sqlite).map((c) => c.expression);
    assert.deepEqual(untranslated, ["(email ~ '@'::text)"]);
    const rules = CastRules.combine([], source.castRules);
    const casts = rules.resolveTable(items);
    const lite = new Database(':memory:');
    const checks = items.checks.filter((c) => c.sqlite).map((c) => `CHECK (${c.sqlite})`);
    lite.exec(`CREATE TABLE items (${items.columns.map((c, i) => `"${c.name}" ${casts[i].sqliteType}`).join(', ')}, ${checks.join(', ')})`);
    // Values as the reader delivers them (char(4) blank-padded); each is tried on both sides.
    const base = { id: 0, code: 'A1  ', name: 'abcd', price: '10.00', status: 'new', m: 'ok', qty: 1, active: true, d: '2020-05-01', email: 'a@b' };
    const variants: Partial<typeof base>[] = [
      {}, { code: 'B1  ' }, { code: 'a1  ' }, { name: 'ab' }, { name: 'abc' }, { price: '-0.01' }, { price: '1000.00' }, { price: '1000.01' },
      { status: 'old' }, { status: 'NEW' }, { m: 'sad', active: false }, { m: 'sad', active: true }, { qty: 0 }, { d: '2000-01-01' },
      { d: '2000-01-02' }, { price: '999.99', code: 'AZZZ' },
    ];
    const pgc = new pg.Client({ connectionString: pgUrl(SCRATCH) });
    await pgc.connect();
    try {
      for (const [i, v] of variants.entries()) {
        const row = { ...base, ...v, id: i + 1 };
        const values = items.columns.map((c) => row[c.name as keyof typeof row]);
        let pgOk = true;
        await pgc.query('BEGIN');
        try {
          await pgc.query(`INSERT INTO items (${items.columns.map((c) => c.name).join(', ')}) VALUES (${values.map((_, j) => `$${j + 1}`).join(', ')})`, values);
        } catch {
          pgOk = false;
        }
        await pgc.query('ROLLBACK');
        let liteOk = true;
        try {
          lite.prepare(`INSERT INTO items VALUES (${values.map(() => '?').join(', ')})`).run(...values.map((x, j) => casts[j].value(x as SourceValue)));
        } catch {
          liteOk = false;
        }
        assert.equal(liteOk, pgOk, `row ${JSON.stringify(v)}: PostgreSQL ${pgOk ? 'accepts' : 'rejects'} it`);
      }
    } finally {
      await pgc.end();
      lite.close();
    }
  });

  it('indexes: partial predicate and expression translated, GIN untranslatable', () => {
    const items = table(catalog, 'items');
    const idx = (n: string) => items.indexes.find((i) => i.name === n)!;
    assert.deepEqual(idx('items_new_code'), { name: 'items_new_code', unique: true, columns: ['code'], method: 'btree', where: `("status" = 'new')` });
    assert.deepEqual(idx('items_lower_name').expressions, ['lower("name")']);
    assert.equal(idx('items_gin').method, 'gin');
    assert.match(idx('items_gin').untranslatable ?? '', /gin/);
  });

  it('delivers int8 as exact text and bytea as Buffers', async () => {
    // The datasets' bytea columns hold only NULLs and empty values, so this uses the scratch table.
    const rows = await readAll(source, table(catalog, 'nums'), { orderBy: ['id'], batchSize: 2 });
    const theirs = await query<{ id: string; big: string; label: string | null; blob: Buffer | null }>(SCRATCH, 'SELECT * FROM nums ORDER BY id');
    assert.deepEqual(rows, theirs.map((r) => [r.id, r.big, r.label, r.blob]));
    assert.equal(rows[0][1], '9007199254740993');
    assert.deepEqual(rows[2][3], Buffer.from([1, 2, 3, 4]));
  });

  it('measure counts integers beyond 2^53 and the largest values in bytes', async () => {
    const m = await source.measure(table(catalog, 'nums'));
    assert.equal(m.rows, 3);
    const col = (n: string) => m.columns.find((c) => c.column === n)!;
    assert.equal(col('big').unsafeIntegers, 2);
    assert.equal(col('id').unsafeIntegers, 0);
    assert.equal(col('label').maxBytes, Buffer.byteLength('héllo'));
    assert.equal(col('blob').maxBytes, 4);
    assert.equal(col('big').maxBytes, '-9007199254740993'.length);
    // Row 1: '1' + '9007199254740993' + 'héllo' + 2 bytes; row 2: '2' + 17 + 'a'; row 3: '3' + '5' + 4 bytes.
    assert.equal(m.maxRowBytes, Math.max(1 + 16 + 6 + 2, 1 + 17 + 1, 1 + 1 + 4));
  });

  it('a snapshot does not see rows inserted after it was opened', async () => {
    const nums = table(catalog, 'nums');
    const snap = await source.snapshot(2);
    try {
      assert.match(snap.consistency, /one exported snapshot/);
      await query(SCRATCH, `INSERT INTO nums VALUES (10, 1, 'later', NULL), (11, 2, 'later', NULL)`);
      assert.equal(await source.countRows(nums), 5);
      const [a, b, n] = await Promise.all([
        readAll(snap, nums, { orderBy: ['id'], batchSize: 2 }),
        readAll(snap, nums, { orderBy: ['id'], batchSize: 1 }),
        snap.countRows(nums),
      ]);
      assert.deepEqual(a.map((r) => r[0]), ['1', '2', '3']);
      assert.deepEqual(b, a);
      assert.equal(n, 3);
    } finally {
      await snap.close();
      await query(SCRATCH, 'DELETE FROM nums WHERE id >= 10');
    }
  });

  it('a snapshot serves at most `readers` reads at once; the others wait their turn', async () => {
    const nums = table(catalog, 'nums');
    const snap = await source.snapshot(1);
    try {
      const first = snap.readRows(nums, { orderBy: ['id'], batchSize: 1 })[Symbol.asyncIterator]();
      assert.deepEqual((await first.next()).value, [['1', '9007199254740993', 'héllo', Buffer.from([1, 2])]]);
      let secondDone = false;
      const second = readAll(snap, nums, { orderBy: ['id'], batchSize: 1 }).then((rows) => {
        secondDone = true;
        return rows;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(secondDone, false, 'the second read waits while the only reader is busy');
      await first.return?.();
      assert.equal((await second).length, 3);
    } finally {
      await snap.close();
    }
  });

  it('stopping a read early releases its connection', async () => {
    const nums = table(catalog, 'nums');
    for (let i = 0; i < 5; i++) {
      for await (const batch of source.readRows(nums, { orderBy: ['id'], batchSize: 1 })) {
        assert.equal(batch.length, 1);
        break;
      }
    }
    assert.equal(await source.countRows(nums), 3);
  });
});

describe('postgres connection errors', () => {
  async function deadPort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  async function openError(url: string): Promise<UserError> {
    const e = await postgresEngine.open(url).then(
      () => assert.fail('open should fail'),
      (err: unknown) => err,
    );
    assert.ok(e instanceof UserError, `a UserError, got ${String(e)}`);
    assert.equal(e.message.includes('\n'), false, 'one line');
    return e;
  }

  it('accepts postgres:// and postgresql:// only', () => {
    assert.equal(postgresEngine.accepts('postgres://u@h/db'), true);
    assert.equal(postgresEngine.accepts('postgresql://u@h/db'), true);
    assert.equal(postgresEngine.accepts('mysql://u@h/db'), false);
    assert.equal(postgresEngine.accepts('sqlite:x.db'), false);
  });

  it('nothing listening: connection refused, password redacted', async () => {
    const port = await deadPort();
    const e = await openError(`postgres://postgres:sekret@127.0.0.1:${port}/x`);
    assert.equal(e.message, `cannot reach PostgreSQL at 127.0.0.1:${port}: connection refused — is the server running? check host/port`);
  });

  it('unknown database names it and suggests psql -l', async () => {
    const e = await openError(pgUrl('flarelift_no_such_db'));
    assert.match(e.message, /database 'flarelift_no_such_db' does not exist .*psql -l/);
  });

  it('unknown role is refused (SQLSTATE 28000)', async () => {
    const url = pgUrl('postgres').replace(/\/\/[^@]*@/, '//flarelift_no_such_role:pw1@');
    const e = await openError(url);
    assert.match(e.message, /refused user 'flarelift_no_such_role'/);
    assert.equal(e.message.includes('pw1'), false);
  });

  it('wrong password (28P01) and timeouts map to one line without the password', () => {
    // The test server trusts local connections, so a real 28P01 cannot be provoked: the
    // mapping is checked with the error object pg produces for it.
    const target = describeTarget('postgres://bob:hunter2@db.example:5433/app');
    const auth = pgUserError(Object.assign(new Error('password authentication failed for user "bob"'), { code: '28P01' }), target)!;
    assert.match(auth.message, /^password authentication failed for user 'bob' at db\.example:5433 — /);
    assert.equal(auth.message.includes('hunter2'), false);
    const timeout = pgUserError(new Error('timeout expired'), target)!;
    assert.match(timeout.message, /^timed out connecting to PostgreSQL at db\.example:5433/);
    assert.equal(pgUserError(new Error('some bug'), target), undefined);
  });
});
