// The plan's findings for Pagila and Sakila are committed as reviewed snapshots
// (test/snapshots/*.findings.json; regenerate with UPDATE_SNAPSHOTS=1 and review the diff), and
// every finding is checked against the dataset through the server's own catalog.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { plan, type Finding } from '../src/index.js';
import { REPO_ROOT, mysqlUrl, pgUrl } from './helpers/env.js';

const SNAPSHOTS = path.join(REPO_ROOT, 'test/snapshots');

function checkSnapshot(name: string, findings: Finding[]): void {
  const file = path.join(SNAPSHOTS, `${name}.findings.json`);
  const text = JSON.stringify(findings, null, 2) + '\n';
  if (process.env.UPDATE_SNAPSHOTS === '1' || !existsSync(file)) {
    if (process.env.CI) assert.fail(`snapshot ${file} is missing`);
    writeFileSync(file, text);
  }
  assert.deepEqual(findings, JSON.parse(readFileSync(file, 'utf8')));
}

/** `name on table` -> [name, table] */
const onTable = (object: string) => {
  const m = /^(.+) on (.+)$/.exec(object);
  assert.ok(m, `object '${object}' names its table`);
  return [m[1]!, m[2]!] as const;
};
const tableColumn = (object: string) => object.split('.') as [string, string];

describe('pagila plan findings', () => {
  let client: pg.Client;
  let findings: Finding[];
  before(async () => {
    client = new pg.Client(pgUrl('pagila'));
    await client.connect();
    findings = (await plan({ from: pgUrl('pagila') })).plan.findings;
  });
  after(() => client.end());
  const one = async (sql: string, params: unknown[]) => Number((await client.query(sql, params)).rows[0].n);

  test('match the reviewed snapshot', () => checkSnapshot('pagila', findings));

  test('each finding is true of the dataset', async () => {
    const seen = new Set<string>();
    for (const f of findings) {
      seen.add(f.code);
      const why = `${f.code} ${f.object}`;
      switch (f.code) {
        case 'trigger-not-carried': {
          const [name, table] = onTable(f.object);
          assert.equal(await one(`SELECT count(*) n FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND t.tgname = $1 AND c.relname = $2`, [name, table]), 1, why);
          break;
        }
        case 'function-not-carried': {
          const [, name, args] = /^(\w+)\((.*)\)$/.exec(f.object) ?? [];
          assert.equal(await one(`SELECT count(*) n FROM pg_proc p JOIN pg_namespace s ON s.oid = p.pronamespace
            WHERE s.nspname = 'public' AND p.proname = $1 AND p.prokind IN ('f', 'a')
              AND coalesce(array_to_string(ARRAY(SELECT format_type(a, NULL) FROM unnest(p.proargtypes) a), ', '), '') = $2`, [name, args]), 1, why);
          break;
        }
        case 'view-not-carried':
          assert.equal(await one(`SELECT count(*) n FROM pg_views WHERE schemaname = 'public' AND viewname = $1`, [f.object]), 1, why);
          break;
        case 'materialized-view-not-carried':
          assert.equal(await one(`SELECT count(*) n FROM pg_matviews WHERE matviewname = $1`, [f.object]), 1, why);
          break;
        case 'index-not-carried': {
          const [name, table] = onTable(f.object);
          // Carried indexes are B-tree; the ones reported use another access method.
          assert.equal(await one(`SELECT count(*) n FROM pg_indexes WHERE indexname = $1 AND tablename = $2 AND indexdef !~ 'USING btree'`, [name, table]), 1, why);
          break;
        }
        case 'lossy-cast': {
          const [table, column] = tableColumn(f.object);
          const type = (await client.query(`SELECT format_type(a.atttypid, a.atttypmod) t FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE c.relname = $1 AND a.attname = $2`, [table, column])).rows[0]?.t;
          assert.ok(type && f.message.startsWith(`${type} ->`), why);
          assert.ok(['tsvector', 'tsquery', 'geometry', 'point'].includes(type), `${why}: ${type} is cast losslessly by default`);
          break;
        }
        case 'enum-inlined':
          assert.equal(await one(`SELECT count(*) n FROM pg_type WHERE typtype = 'e' AND typname = $1`, [f.object]), 1, why);
          break;
        case 'domain-inlined':
          assert.equal(await one(`SELECT count(*) n FROM pg_type WHERE typtype = 'd' AND typname = $1`, [f.object]), 1, why);
          break;
        case 'partitions-merged': {
          const partitions = await one(`SELECT count(*) n FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = $1 AND p.relkind = 'p'`, [f.object]);
          assert.ok(partitions > 0 && f.message.includes(`its ${partitions} partitions`), why);
          break;
        }
        case 'password-hash-weak': {
          // Bare 40-digit hex in a password column: unsalted SHA-1, counted in the sampled rows.
          const [table, column] = tableColumn(f.object);
          const hex = await one(`SELECT count(*) n FROM ${table} WHERE ${column} ~ '^[0-9a-f]{40}$'`, []);
          const [, counted] = /^([\d,]+) unsalted-sha1 hash/.exec(f.message) ?? [];
          assert.ok(counted && Number(counted.replace(/,/g, '')) > 0 && Number(counted.replace(/,/g, '')) <= hex, why);
          break;
        }
        default:
          assert.fail(`no check written for finding code ${f.code}`);
      }
    }
    // Pagila has each of these; a plan that misses one is wrong.
    for (const code of ['trigger-not-carried', 'function-not-carried', 'view-not-carried', 'materialized-view-not-carried', 'index-not-carried', 'partitions-merged', 'enum-inlined']) {
      assert.ok(seen.has(code), `pagila plan reports ${code}`);
    }
  });
});

describe('sakila plan findings', () => {
  let conn: mysql.Connection;
  let findings: Finding[];
  before(async () => {
    conn = await mysql.createConnection(mysqlUrl('sakila'));
    findings = (await plan({ from: mysqlUrl('sakila') })).plan.findings;
  });
  after(() => conn.end());
  const one = async (sql: string, params: unknown[]) => Number(((await conn.query(sql, params))[0] as { n: number }[])[0]!.n);

  test('match the reviewed snapshot', () => checkSnapshot('sakila', findings));

  test('each finding is true of the dataset', async () => {
    const seen = new Set<string>();
    for (const f of findings) {
      seen.add(f.code);
      const why = `${f.code} ${f.object}`;
      switch (f.code) {
        case 'trigger-not-carried': {
          const [name, table] = onTable(f.object);
          assert.equal(await one(`SELECT count(*) n FROM information_schema.triggers WHERE trigger_schema = 'sakila' AND trigger_name = ? AND event_object_table = ?`, [name, table]), 1, why);
          break;
        }
        case 'procedure-not-carried':
        case 'function-not-carried':
          assert.equal(await one(`SELECT count(*) n FROM information_schema.routines WHERE routine_schema = 'sakila' AND routine_name = ? AND routine_type = ?`, [f.object, f.code.startsWith('procedure') ? 'PROCEDURE' : 'FUNCTION']), 1, why);
          break;
        case 'view-not-carried':
          assert.equal(await one(`SELECT count(*) n FROM information_schema.views WHERE table_schema = 'sakila' AND table_name = ?`, [f.object]), 1, why);
          break;
        case 'index-not-carried': {
          const [name, table] = onTable(f.object);
          assert.ok(await one(`SELECT count(*) n FROM information_schema.statistics WHERE table_schema = 'sakila' AND index_name = ? AND table_name = ? AND index_type IN ('FULLTEXT', 'SPATIAL')`, [name, table]) > 0, why);
          break;
        }
        case 'on-update-timestamp': {
          const [table, column] = tableColumn(f.object);
          assert.equal(await one(`SELECT count(*) n FROM information_schema.columns WHERE table_schema = 'sakila' AND table_name = ? AND column_name = ? AND extra LIKE '%on update%'`, [table, column]), 1, why);
          break;
        }
        case 'password-hash-weak': {
          // Bare 40-digit hex in a password column: unsalted SHA-1, counted in the sampled rows.
          const [table, column] = tableColumn(f.object);
          const hex = await one(`SELECT count(*) n FROM ${table} WHERE ${column} REGEXP '^[0-9a-f]{40}$'`, []);
          const [, counted] = /^([\d,]+) unsalted-sha1 hash/.exec(f.message) ?? [];
          assert.ok(counted && Number(counted.replace(/,/g, '')) > 0 && Number(counted.replace(/,/g, '')) <= hex, why);
          break;
        }
        default:
          assert.fail(`no check written for finding code ${f.code}`);
      }
    }
    for (const code of ['trigger-not-carried', 'procedure-not-carried', 'function-not-carried', 'view-not-carried', 'index-not-carried', 'on-update-timestamp']) {
      assert.ok(seen.has(code), `sakila plan reports ${code}`);
    }
  });
});
