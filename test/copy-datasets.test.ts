// Every sample dataset copies into the local D1 of a throwaway Worker project; the real wrangler
// then reads each table's count, which must equal the source's own count(*) minus the rows in
// the reject files (and read = written + rejected for every table).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { copy } from '../src/pipeline/copy.js';
import { plan } from '../src/index.js';
import type { CopySummary } from '../src/pipeline/copy-events.js';
import { makeProject, useTestEnv, wranglerCounts, wranglerQuery, type WranglerProject } from './helpers/copy-project.js';
import { mysqlRowCounts, pgRowCounts, sqliteRowCounts } from './helpers/copy-sources.js';
import { CHINOOK_SQLITE, MYSQL_DATASETS, PG_DATASETS, mysqlUrl, pgUrl } from './helpers/env.js';

interface Dataset {
  name: string;
  from: string;
  counts: () => Promise<Map<string, number>>;
}

const DATASETS: Dataset[] = [
  ...PG_DATASETS.map((db) => ({ name: `postgres ${db}`, from: pgUrl(db), counts: () => pgRowCounts(pgUrl(db)) })),
  ...MYSQL_DATASETS.map((db) => ({ name: `mysql ${db}`, from: mysqlUrl(db), counts: () => mysqlRowCounts(mysqlUrl(db)) })),
  { name: 'sqlite Chinook_Sqlite.sqlite', from: CHINOOK_SQLITE, counts: async () => sqliteRowCounts(CHINOOK_SQLITE) },
];

interface RejectLine {
  table: string;
  key: Record<string, unknown> | null;
  reason: string;
  values: Record<string, unknown>;
}

function rejectLines(summary: CopySummary, table: string): RejectLine[] {
  const file = summary.tables.find((t) => t.name === table)?.rejectFile;
  if (!file || !existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RejectLine);
}

/**
 * The only rejects the sample datasets may produce, each checked against the row's own values:
 * a reason must name a column, and that column's source value must be the kind of value no D1
 * column can hold as cast (not a number, an impossible date, bigger than D1 allows).
 */
function assertLegitimate(r: RejectLine): void {
  const column = /^([^:]+): /.exec(r.reason)?.[1];
  assert.ok(column && column in r.values, `reject reason names a column of the row: ${r.reason}`);
  const v = r.values[column];
  const legit =
    (/NaN/.test(r.reason) && (v === 'NaN' || (typeof v === 'number' && Number.isNaN(v)))) ||
    (/not a valid date|not a date\/time/.test(r.reason) && typeof v === 'string' && /^\d{4}-00|^\d{4}-\d{2}-00|infinity/i.test(v)) ||
    (/over D1's limit/.test(r.reason)) ||
    (/64-bit INTEGER/.test(r.reason) && typeof v === 'string' && (BigInt(v) > 9223372036854775807n || BigInt(v) < -9223372036854775808n));
  assert.ok(legit, `reject of ${r.table} ${JSON.stringify(r.key)} is not a legitimate one: ${r.reason} (value ${JSON.stringify(v)})`);
}

describe('copy: every dataset into local D1, read back through the real wrangler', () => {
  useTestEnv();

  for (const ds of DATASETS) {
    test(ds.name, async () => {
      const project: WranglerProject = makeProject();
      const rejectDir = path.join(project.dir, 'rejects');
      try {
        // The plan's row scan predicts the copy: per table, the same number of rejects, by the same keys.
        const { plan: predicted } = await plan({ from: ds.from });
        const summary = await copy({ from: ds.from, to: `d1:${project.database}`, config: project.config, cwd: project.dir, rejectDir, jobs: 2 });
        for (const t of predicted.tables) {
          const copied = summary.tables.find((x) => x.name === t.name);
          assert.equal(copied?.rejected, t.rejected, `${t.name}: plan predicts copy's rejects`);
          const keys = (t.rejects ?? []).flatMap((r) => r.keys.map((k) => JSON.stringify(k)));
          const rejected = new Set(rejectLines(summary, t.name).map((r) => JSON.stringify(r.key)));
          for (const k of keys) assert.ok(rejected.has(k), `${t.name}: predicted reject ${k} is one copy rejected`);
        }
        assert.equal(summary.status, 'complete');
        const source = await ds.counts();
        assert.deepEqual(summary.tables.map((t) => t.name).sort(), [...source.keys()].sort(), 'every source table is copied');
        const seen = await wranglerCounts(project, [...source.keys()]);
        for (const [table, n] of source) {
          const t = summary.tables.find((x) => x.name === table)!;
          const rejects = rejectLines(summary, table);
          rejects.forEach(assertLegitimate);
          assert.equal(t.read, n, `${table}: rows read = the source's count(*)`);
          assert.equal(t.read, t.written + t.rejected, `${table}: read = written + rejected`);
          assert.equal(rejects.length, t.rejected, `${table}: the reject file lists every rejected row`);
          assert.equal(seen.get(table), n - rejects.length, `${table}: wrangler reads the source's rows minus the rejects`);
        }
        // The journal is gone once the copy completed: the user's D1 is left clean.
        const journal = await wranglerQuery(project, `SELECT count(*) AS n FROM sqlite_master WHERE name = 'flarelift_copy_journal'`);
        assert.equal(Number(journal[0].n), 0);
      } finally {
        rmSync(project.dir, { recursive: true, force: true });
      }
    });
  }
});
