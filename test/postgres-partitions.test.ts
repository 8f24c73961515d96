// Foreign keys declared on every partition (not on the parent) hold for the whole table and are
// carried on it; when one partition lacks them (as in Pagila), they are not.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { plan } from '../src/index.js';
import { pgUrl } from './helpers/env.js';
import { dropPgDatabase, freshPgDatabase } from './helpers/pg.js';

const DB = 'flarelift_test_partitions';

before(() =>
  freshPgDatabase(DB, [
    'CREATE TABLE customer (id int PRIMARY KEY)',
    'CREATE TABLE orders (id int, customer_id int, at date, PRIMARY KEY (at, id)) PARTITION BY RANGE (at)',
    "CREATE TABLE orders_2023 PARTITION OF orders FOR VALUES FROM ('2023-01-01') TO ('2024-01-01')",
    "CREATE TABLE orders_2024 PARTITION OF orders FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
    'ALTER TABLE orders_2023 ADD FOREIGN KEY (customer_id) REFERENCES customer (id) ON DELETE CASCADE',
    'ALTER TABLE orders_2024 ADD FOREIGN KEY (customer_id) REFERENCES customer (id) ON DELETE CASCADE',
    'CREATE TABLE notes (id int, customer_id int, at date, PRIMARY KEY (at, id)) PARTITION BY RANGE (at)',
    "CREATE TABLE notes_2023 PARTITION OF notes FOR VALUES FROM ('2023-01-01') TO ('2024-01-01')",
    "CREATE TABLE notes_2024 PARTITION OF notes FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
    'ALTER TABLE notes_2023 ADD FOREIGN KEY (customer_id) REFERENCES customer (id)',
  ]),
);
after(() => dropPgDatabase(DB));

test('partition foreign keys are lifted to the parent only when every partition has them', async () => {
  const { catalog } = await plan({ from: pgUrl(DB), measure: false });
  const table = (n: string) => catalog.tables.find((t) => t.name === n)!;
  assert.deepEqual(catalog.tables.map((t) => t.name).sort(), ['customer', 'notes', 'orders']);
  assert.deepEqual(
    table('orders').foreignKeys.map((f) => [f.columns, f.refTable, f.refColumns, f.onDelete]),
    [[['customer_id'], 'customer', ['id'], 'CASCADE']],
  );
  assert.deepEqual(table('notes').foreignKeys, []);
});
