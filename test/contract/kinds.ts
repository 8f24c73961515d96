// The kinds the contract suite runs: one entry per source kind and per target kind. Adding a
// kind adds one entry here; contract.test.ts pairs every source with the first target that
// takes its collections and every other target with the first source it takes, and runs the
// whole contract on each pair. An entry states what its fixture makes the contract expect
// (counts, which unit a target's limits reject, which unit the tamper step changes).
import Database from 'better-sqlite3';
import type { CollectionKind } from '../../src/catalog/collection.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { localD1Path } from '../../src/cloudflare/local-state.js';
import type { Manifest } from '../../src/targets/sql-files/sql-manifest.js';
import type { TargetSpecOptions } from '../../src/targets/registry.js';
import { dropPgDatabase } from '../helpers/pg.js';
import { installFakeWrangler, makeProject, REAL_WRANGLER } from '../helpers/copy-project.js';
import { mysqlUrl, pgUrl } from '../helpers/env.js';
import { openForTamper } from '../helpers/verify-helpers.js';
import { BIG_ID, dropMysqlDatabase, ITEMS, makeMysqlFixture, makePostgresFixture, makeSqliteFixture, TAGS, TAMPERED_ID } from './fixture.js';

/** A unit named as the reject and failures files name it: its collection and its key record. */
export interface UnitRef {
  collection: string;
  key: unknown;
}

export interface SourceEntry {
  name: string;
  /** The collections it holds: it pairs with targets that take them. */
  collectionKind: CollectionKind;
  /** Units its fixture holds, over every collection. */
  units: number;
  /** The units a target with these limits rejects (by TargetEntry.limits), with a pattern their reason matches. */
  rejected(limits: string): (UnitRef & { reason: RegExp })[];
  /** Units a default cast rule skips (read = written + rejected + skipped); 0 when absent. */
  skipped?: number;
  /** The unit the tamper step changes in the target. */
  tampered: UnitRef;
  /** Creates the fixture; resolves to the --from text. */
  setup(work: string): Promise<string>;
  teardown(): Promise<void>;
  /** A --from that is wrong in this kind's own way. */
  bad(work: string): string;
}

export interface TargetInstance {
  /** --to and its options, for the library (copy, verify) and as CLI arguments. */
  to: string;
  options: TargetSpecOptions;
  args: string[];
  /** Environment the copy and verify need (the wrangler to run). */
  env: Record<string, string>;
  /** What verify reads after the copy (sql: applies its files to a SQLite file first, as D1 would). */
  readBack(): Promise<{ to: string; options: TargetSpecOptions }>;
  /** Changes the tampered unit where the target keeps it (as a stray write would). */
  tamper(unit: UnitRef): Promise<void>;
  /** CLI arguments with a --to (or a target option) that is wrong in this kind's own way. */
  bad: string[];
}

export interface TargetEntry {
  name: string;
  /** The collections it takes. */
  collectionKind: CollectionKind;
  /** Whose limits it holds units to ('D1', 'SQLite', 'KV'): SourceEntry.rejected says what they reject. */
  limits: string;
  make(work: string): TargetInstance;
}

/** The fixture tables' own expectations, shared by the table sources. */
const TABLES = {
  collectionKind: 'table' as const,
  units: ITEMS + TAGS,
  rejected: (limits: string) => (limits === 'D1' ? [{ collection: 'items', key: { id: BIG_ID }, reason: /^note: value of 2,100,000 bytes is over D1's limit/ }] : []),
  tampered: { collection: 'items', key: { id: TAMPERED_ID } },
};

/** The tamper step on a target whose rows are in a SQLite file: the fixture's `name` column. */
function tamperSqlite(file: () => string) {
  return async (unit: UnitRef) => {
    const { id } = unit.key as { id: number };
    const db = openForTamper(file());
    try {
      if (db.prepare(`UPDATE ${unit.collection} SET name = 'tampered' WHERE id = ?`).run(id).changes !== 1) throw new Error(`no row ${id} to tamper with`);
    } finally {
      db.close();
    }
  };
}

const DB = 'fl_i9_contract';

export const SOURCES: SourceEntry[] = [
  {
    name: 'sqlite',
    ...TABLES,
    async setup(work) {
      const file = path.join(work, 'source.sqlite');
      makeSqliteFixture(file);
      return file;
    },
    teardown: async () => undefined,
    bad: (work) => `sqlite:${path.join(work, 'no-such-file.sqlite')}`,
  },
  {
    name: 'postgres',
    ...TABLES,
    async setup() {
      await makePostgresFixture(DB);
      return pgUrl(DB);
    },
    teardown: async () => void (await dropPgDatabase(DB)),
    bad: () => pgUrl('fl_i9_no_such_database'),
  },
  {
    name: 'mysql',
    ...TABLES,
    async setup() {
      await makeMysqlFixture(DB);
      return mysqlUrl(DB);
    },
    teardown: () => dropMysqlDatabase(DB),
    bad: () => mysqlUrl('fl_i9_no_such_database'),
  },
];

export const TARGETS: TargetEntry[] = [
  {
    name: 'd1-local',
    collectionKind: 'table',
    limits: 'D1',
    make(work) {
      const project = makeProject();
      const options = { config: project.config, cwd: project.dir };
      return {
        to: `d1:${project.database}`,
        options,
        args: ['--config', project.config],
        env: { FLARELIFT_WRANGLER: REAL_WRANGLER },
        readBack: async () => ({ to: `d1:${project.database}`, options }),
        tamper: tamperSqlite(() => localD1Path({ configPath: project.config, database: project.database, cwd: project.dir })),
        bad: ['--to', 'd1:no_such_database', '--config', project.config, '--persist-to', path.join(work, 'state')],
      };
    },
  },
  {
    name: 'sqlite-file',
    collectionKind: 'table',
    limits: 'SQLite',
    make(work) {
      const file = path.join(work, 'target.db');
      writeFileSync(path.join(work, 'a-file'), '');
      return {
        to: `sqlite:${file}`,
        options: {},
        args: [],
        env: {},
        readBack: async () => ({ to: `sqlite:${file}`, options: {} }),
        tamper: tamperSqlite(() => file),
        bad: ['--to', `sqlite:${path.join(work, 'a-file', 'x.db')}`],
      };
    },
  },
  {
    name: 'sql-files',
    collectionKind: 'table',
    limits: 'D1',
    make(work) {
      const dir = path.join(work, 'files');
      const applied = path.join(work, 'applied.db');
      return {
        to: `sql:${dir}`,
        options: { fileBytes: 200_000 },
        args: ['--file-bytes', '200000'],
        env: {},
        async readBack() {
          // What `wrangler d1 execute --file` does with each file, in manifest order.
          const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
          const db = new Database(applied);
          try {
            for (const f of manifest.files) db.exec(readFileSync(path.join(dir, f.file), 'utf8'));
          } finally {
            db.close();
          }
          return { to: `sqlite:${applied}`, options: {} };
        },
        tamper: tamperSqlite(() => applied),
        bad: ['--to', `sql:${dir}`, '--file-bytes', '5'],
      };
    },
  },
  {
    name: 'd1-remote (fake wrangler)',
    collectionKind: 'table',
    limits: 'D1',
    make(work) {
      const project = makeProject();
      const bin = path.join(work, 'bin');
      const fakeDir = path.join(work, 'remote-d1');
      mkdirSync(bin, { recursive: true });
      mkdirSync(fakeDir, { recursive: true });
      const shim = installFakeWrangler(bin);
      const options = { config: project.config, cwd: project.dir, remote: true };
      return {
        to: `d1:${project.database}`,
        options,
        args: ['--config', project.config, '--remote'],
        env: { FLARELIFT_WRANGLER: shim, FAKE_D1_DIR: fakeDir },
        readBack: async () => ({ to: `d1:${project.database}`, options }),
        tamper: tamperSqlite(() => path.join(fakeDir, `${project.database}.sqlite`)),
        bad: ['--to', `d1:${project.database}`, '--config', project.config, '--remote', '--persist-to', path.join(work, 'state')],
      };
    },
  },
];

export interface Pair {
  source: SourceEntry;
  target: TargetEntry;
  /** This pair is where the source's bad --from is tried (its first target), and the target's bad --to (its first source). */
  badSource: boolean;
  badTarget: boolean;
}

/** The pairs the contract runs: each source into the first target that takes its collections, the first source of each kind into every other target. */
export function pairs(): Pair[] {
  const out: Pair[] = [];
  for (const source of SOURCES) {
    const target = TARGETS.find((t) => t.collectionKind === source.collectionKind);
    if (!target) throw new Error(`no target in kinds.ts takes ${source.collectionKind}s (${source.name})`);
    out.push({ source, target, badSource: true, badTarget: SOURCES.find((s) => s.collectionKind === target.collectionKind) === source });
  }
  for (const target of TARGETS) {
    if (out.some((p) => p.target === target)) continue;
    const source = SOURCES.find((s) => s.collectionKind === target.collectionKind);
    if (!source) throw new Error(`no source in kinds.ts holds ${target.collectionKind}s (${target.name})`);
    out.push({ source, target, badSource: false, badTarget: true });
  }
  return out;
}
