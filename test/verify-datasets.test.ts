// verify on every engine: a dataset copied into a local D1 verifies clean (counts equal to the
// source's own count(*) and to what the real wrangler reads); after three tampers made
// directly in the local D1 file — one row deleted, one value changed, one row inserted — the
// verify command exits 1 and its failures file names each of the three rows by key, with the
// changed column's source and target values.
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { copy } from '../src/pipeline/copy.js';
import { localD1Path } from '../src/cloudflare/local-state.js';
import { makeProject, useTestEnv, wranglerCounts } from './helpers/copy-project.js';
import { mysqlRowCounts, pgRowCounts, sqliteRowCounts } from './helpers/copy-sources.js';
import { CHINOOK_SQLITE, mysqlUrl, pgUrl } from './helpers/env.js';
import { jsonSummary, openForTamper, q, readFailures, runVerifyCommand, tableInfo } from './helpers/verify-helpers.js';

const DATASETS = [
  { name: 'postgres chinook', from: pgUrl('chinook'), counts: () => pgRowCounts(pgUrl('chinook')) },
  { name: 'mysql chinook', from: mysqlUrl('chinook'), counts: () => mysqlRowCounts(mysqlUrl('chinook')) },
  { name: 'sqlite Chinook_Sqlite.sqlite', from: CHINOOK_SQLITE, counts: async () => sqliteRowCounts(CHINOOK_SQLITE) },
];

interface Tampered {
  deleted: { table: string; key: Record<string, number> };
  changed: { table: string; key: Record<string, number>; column: string; before: string; after: string };
  inserted: { table: string; key: Record<string, number> };
}

/** Deletes the last track, changes one customer's e-mail, adds a genre: names and keys read from the file itself. */
function tamper(file: string): Tampered {
  const db = openForTamper(file);
  try {
    const track = tableInfo(db, 'track');
    const [tk] = track.key;
    const lastTrack = Number(db.prepare(`SELECT max(${q(tk)}) FROM ${q(track.name)}`).pluck().get());
    assert.equal(db.prepare(`DELETE FROM ${q(track.name)} WHERE ${q(tk)} = ?`).run(lastTrack).changes, 1);

    const customer = tableInfo(db, 'customer');
    const [ck] = customer.key;
    const email = customer.columns.find((c) => c.name.toLowerCase() === 'email')!.name;
    const row = db.prepare(`SELECT ${q(ck)} AS k, ${q(email)} AS v FROM ${q(customer.name)} ORDER BY ${q(ck)} LIMIT 1 OFFSET 5`).get() as { k: number; v: string };
    const changedTo = `${row.v}.tampered`;
    assert.equal(db.prepare(`UPDATE ${q(customer.name)} SET ${q(email)} = ? WHERE ${q(ck)} = ?`).run(changedTo, row.k).changes, 1);

    const genre = tableInfo(db, 'genre');
    const [gk] = genre.key;
    const newKey = Number(db.prepare(`SELECT max(${q(gk)}) + 1000 FROM ${q(genre.name)}`).pluck().get());
    const others = genre.columns.filter((c) => c.name !== gk).map((c) => q(c.name));
    db.prepare(
      `INSERT INTO ${q(genre.name)} (${[q(gk), ...others].join(', ')}) SELECT ?, ${others.join(', ')} FROM ${q(genre.name)} ORDER BY ${q(gk)} LIMIT 1`,
    ).run(newKey);
    return {
      deleted: { table: track.name, key: { [tk]: lastTrack } },
      changed: { table: customer.name, key: { [ck]: row.k }, column: email, before: row.v, after: changedTo },
      inserted: { table: genre.name, key: { [gk]: newKey } },
    };
  } finally {
    db.close();
  }
}

describe('verify: each engine into local D1, clean then tampered', () => {
  useTestEnv();

  for (const ds of DATASETS) {
    test(ds.name, async () => {
      const project = makeProject();
      const rejectDir = path.join(project.dir, 'rejects');
      const failures = path.join(project.dir, 'failures.jsonl');
      const to = `d1:${project.database}`;
      try {
        const copied = await copy({ from: ds.from, to, config: project.config, cwd: project.dir, rejectDir });
        assert.equal(copied.status, 'complete');
        const options = { from: ds.from, to, config: project.config, rejectDir, failures, json: true };

        const clean = await runVerifyCommand(options);
        assert.equal(clean.code, 0, clean.stderr);
        const ok = jsonSummary(clean.stdout);
        assert.equal(ok.ok, true);
        const source = await ds.counts();
        const seen = await wranglerCounts(project, [...source.keys()]);
        assert.deepEqual(ok.tables.map((t) => t.name).sort(), [...source.keys()].sort());
        for (const t of ok.tables) {
          assert.equal(t.mismatches, 0, `${t.name} matches`);
          assert.equal(t.sourceRows, source.get(t.name), `${t.name}: source rows = the source's count(*)`);
          assert.equal(t.targetRows, seen.get(t.name), `${t.name}: target rows = what wrangler reads`);
          assert.equal(t.method, 'chunks', `${t.name}: integer keys keep their order`);
          // PostgreSQL digests Chinook's chunks itself (every column's cast renders in SQL), so the
          // tampers below are caught through the server-side digests.
          assert.equal(t.serverDigests === true, ds.from.startsWith('postgres:'), `${t.name}: server-side digests`);
        }
        assert.equal(existsSync(failures), false, 'no failures file when everything matches');

        const t = tamper(localD1Path({ configPath: project.config, database: project.database }));
        const bad = await runVerifyCommand(options);
        assert.equal(bad.code, 1, bad.stderr);
        const summary = jsonSummary(bad.stdout);
        assert.equal(summary.ok, false);
        assert.equal(summary.totals.mismatches, 3);
        const byName = new Map(summary.tables.map((x) => [x.name, x]));
        assert.equal(byName.get(t.deleted.table)!.missing, 1);
        assert.equal(byName.get(t.changed.table)!.changed, 1);
        assert.equal(byName.get(t.inserted.table)!.extra, 1);
        assert.equal(byName.get(t.deleted.table)!.targetRows, source.get(t.deleted.table)! - 1);

        const records = readFailures(failures);
        assert.equal(records.length, 3);
        assert.deepEqual(records.find((r) => r.kind === 'missing'), { table: t.deleted.table, kind: 'missing', key: t.deleted.key });
        assert.deepEqual(records.find((r) => r.kind === 'extra'), { table: t.inserted.table, kind: 'extra', key: t.inserted.key });
        assert.deepEqual(records.find((r) => r.kind === 'changed'), {
          table: t.changed.table,
          kind: 'changed',
          key: t.changed.key,
          columns: [{ column: t.changed.column, source: t.changed.before, target: t.changed.after }],
        });

        // The text summary: one line per table, a totals line, and the verdict naming the tables.
        const text = await runVerifyCommand({ ...options, json: undefined });
        assert.equal(text.code, 1);
        assert.match(text.stdout, /^table\s+source\s+target\s+missing\s+extra\s+changed\s+rejected\s+time$/m);
        assert.match(text.stdout, /^total\s+\d+\s+\d+\s+1\s+1\s+1\s+0\s/m);
        assert.match(text.stdout, new RegExp(`MISMATCH: 3 rows differ in 3 tables`));
        assert.match(text.stderr, new RegExp(`${t.deleted.table}: 1 missing, 0 extra, 0 changed`));
      } finally {
        rmSync(project.dir, { recursive: true, force: true });
      }
    });
  }
});
