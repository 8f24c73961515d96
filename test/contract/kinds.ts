// The kinds the contract suite runs: one entry per source kind and per target kind. Adding a
// kind adds one entry here; contract.test.ts pairs every source with the default target and
// every target with the default source, and runs the whole contract on each pair.
import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { localD1Path } from '../../src/cloudflare/local-state.js';
import type { Manifest } from '../../src/targets/sql-files/sql-manifest.js';
import type { TargetSpecOptions } from '../../src/targets/registry.js';
import { dropPgDatabase } from '../helpers/pg.js';
import { installFakeWrangler, makeProject, REAL_WRANGLER } from '../helpers/copy-project.js';
import { mysqlUrl, pgUrl } from '../helpers/env.js';
import { dropMysqlDatabase, makeMysqlFixture, makePostgresFixture, makeSqliteFixture } from './fixture.js';

export interface SourceEntry {
  name: string;
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
  /** The SQLite file that holds the copied rows (where the tamper step writes). */
  dataFile(): string;
  /** CLI arguments with a --to (or a target option) that is wrong in this kind's own way. */
  bad: string[];
}

export interface TargetEntry {
  name: string;
  /** D1's limits hold: the 2.1 MB note is rejected. */
  d1Limits: boolean;
  make(work: string): TargetInstance;
}

const DB = 'fl_i9_contract';

export const SOURCES: SourceEntry[] = [
  {
    name: 'sqlite',
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
    async setup() {
      await makePostgresFixture(DB);
      return pgUrl(DB);
    },
    teardown: async () => void (await dropPgDatabase(DB)),
    bad: () => pgUrl('fl_i9_no_such_database'),
  },
  {
    name: 'mysql',
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
    d1Limits: true,
    make(work) {
      const project = makeProject();
      const options = { config: project.config, cwd: project.dir };
      return {
        to: `d1:${project.database}`,
        options,
        args: ['--config', project.config],
        env: { FLARELIFT_WRANGLER: REAL_WRANGLER },
        readBack: async () => ({ to: `d1:${project.database}`, options }),
        dataFile: () => localD1Path({ configPath: project.config, database: project.database, cwd: project.dir }),
        bad: ['--to', 'd1:no_such_database', '--config', project.config, '--persist-to', path.join(work, 'state')],
      };
    },
  },
  {
    name: 'sqlite-file',
    d1Limits: false,
    make(work) {
      const file = path.join(work, 'target.db');
      writeFileSync(path.join(work, 'a-file'), '');
      return {
        to: `sqlite:${file}`,
        options: {},
        args: [],
        env: {},
        readBack: async () => ({ to: `sqlite:${file}`, options: {} }),
        dataFile: () => file,
        bad: ['--to', `sqlite:${path.join(work, 'a-file', 'x.db')}`],
      };
    },
  },
  {
    name: 'sql-files',
    d1Limits: true,
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
        dataFile: () => applied,
        bad: ['--to', `sql:${dir}`, '--file-bytes', '5'],
      };
    },
  },
  {
    name: 'd1-remote (fake wrangler)',
    d1Limits: true,
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
        dataFile: () => path.join(fakeDir, `${project.database}.sqlite`),
        bad: ['--to', `d1:${project.database}`, '--config', project.config, '--remote', '--persist-to', path.join(work, 'state')],
      };
    },
  },
];

/** The pairs the contract runs: each source into the default target, the default source into each other target. */
export function pairs(): { source: SourceEntry; target: TargetEntry }[] {
  const [defaultSource] = SOURCES;
  const [defaultTarget] = TARGETS;
  return [...SOURCES.map((source) => ({ source, target: defaultTarget })), ...TARGETS.slice(1).map((target) => ({ source: defaultSource, target }))];
}
