// The kinds the contract suite runs: one entry per source kind and per target kind it covers
// (sources sqlite, postgres, mysql, redis, dir, d1 (local); targets d1-local, sqlite-file, sql-files,
// d1-remote through a fake wrangler, kv-local, kvjson, r2-local). Adding a
// kind adds one entry here; contract.test.ts pairs every source with the first target that
// takes its collections and every other target with the first source it takes, and runs the
// whole contract on each pair. An entry states what its fixture makes the contract expect
// (counts, which unit a target's limits reject, which unit the tamper step changes).
import Database from 'better-sqlite3';
import type { CollectionKind } from '../../src/catalog/collection.js';
import { Redis } from 'ioredis';
import { Miniflare } from 'miniflare';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { localD1Path } from '../../src/cloudflare/local-state.js';
import type { Manifest } from '../../src/targets/sql-files/sql-manifest.js';
import type { TargetSpecOptions } from '../../src/targets/registry.js';
import { dropPgDatabase } from '../helpers/pg.js';
import { installFakeWrangler, makeProject, REAL_WRANGLER } from '../helpers/copy-project.js';
import { mysqlUrl, pgUrl } from '../helpers/env.js';
import { makeKvProject, redisUrl, wranglerKv } from '../helpers/redis-kv.js';
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
/** The Redis fixture: its own database index of issue 9's, string keys and one key over KV's 512 bytes. */
const REDIS_DB = 11;
const REDIS_COLLECTION = `db${REDIS_DB}`;
const KEYS = 60;
const LONG_KEY = `long:${'k'.repeat(595)}`;

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
  {
    name: 'redis',
    collectionKind: 'keyspace',
    units: KEYS + 1,
    rejected: (limits) => (limits === 'KV' ? [{ collection: REDIS_COLLECTION, key: LONG_KEY, reason: /^key of 600 bytes is over KV's/ }] : []),
    tampered: { collection: REDIS_COLLECTION, key: { key: `item:${TAMPERED_ID}` } },
    async setup() {
      const r = new Redis(redisUrl(REDIS_DB));
      try {
        await r.flushdb();
        const pipeline = r.pipeline();
        for (let i = 1; i <= KEYS; i++) pipeline.set(`item:${i}`, `value ${i} ✓`);
        pipeline.set(LONG_KEY, 'a key over KV\'s 512 bytes');
        await pipeline.exec();
      } finally {
        r.disconnect();
      }
      return redisUrl(REDIS_DB);
    },
    async teardown() {
      const r = new Redis(redisUrl(REDIS_DB));
      await r.flushdb();
      r.disconnect();
    },
    bad: () => 'redis://127.0.0.1:1/0',
  },
];

/** The directory fixture: small files, one key over R2's 1,024 bytes. */
const FILES = 30;
const LONG_DIRS = Array.from({ length: 5 }, (_, i) => `${String(i)}${'d'.repeat(219)}`);
const LONG_FILE_KEY = `${LONG_DIRS.join('/')}/too-long.txt`; // 1,117 bytes
const fileKey = (i: number) => `files/${String(i).padStart(2, '0')}.txt`;
SOURCES.push({
  name: 'dir',
  collectionKind: 'bucket',
  units: FILES + 1,
  rejected: (limits) => (limits === 'R2' ? [{ collection: 'media', key: LONG_FILE_KEY, reason: /^key of 1,117 bytes is over R2's limit of 1,024 bytes/ }] : []),
  tampered: { collection: 'media', key: { key: fileKey(7) } },
  async setup(work) {
    const dir = path.join(work, 'media');
    for (const [key, body] of [...Array.from({ length: FILES }, (_, i) => [fileKey(i + 1), `file ${i + 1} ✓\n`]), [LONG_FILE_KEY, 'a key R2 cannot hold']]) {
      mkdirSync(path.dirname(path.join(dir, key)), { recursive: true });
      writeFileSync(path.join(dir, key), body);
    }
    return `dir:${dir}`;
  },
  teardown: async () => undefined,
  bad: (work) => `dir:${path.join(work, 'no-such-dir')}`,
});

/** The way back: a local D1 (the file the d1: target writes) holding the fixture tables. */
let d1SourceConfig = '';
SOURCES.push({
  name: 'd1 (local)',
  ...TABLES,
  async setup() {
    const project = makeProject();
    d1SourceConfig = project.config;
    const file = localD1Path({ configPath: project.config, database: project.database, cwd: project.dir });
    mkdirSync(path.dirname(file), { recursive: true });
    makeSqliteFixture(file);
    return `d1:${project.database}?config=${encodeURIComponent(project.config)}`;
  },
  teardown: async () => undefined,
  bad: () => `d1:no_such_database?config=${encodeURIComponent(d1SourceConfig)}`,
});

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
  {
    name: 'kv-local',
    collectionKind: 'keyspace',
    limits: 'KV',
    make() {
      const project = makeKvProject(['CACHE']);
      const options = { config: project.config, cwd: project.dir };
      return {
        to: 'kv:CACHE',
        options,
        args: ['--config', project.config],
        env: { FLARELIFT_WRANGLER: REAL_WRANGLER },
        readBack: async () => ({ to: 'kv:CACHE', options }),
        // A stray write through the real wrangler, to the state `wrangler dev` reads.
        tamper: async (unit) => void (await wranglerKv(project, ['key', 'put', '--binding', 'CACHE', '--local', (unit.key as { key: string }).key, 'tampered'])),
        bad: ['--to', 'kv:NO_SUCH_BINDING', '--config', project.config],
      };
    },
  },
  {
    name: 'kvjson',
    collectionKind: 'keyspace',
    limits: 'KV',
    make(work) {
      const dir = path.join(work, 'kvjson');
      return {
        to: `kvjson:${dir}`,
        options: {},
        args: [],
        env: {},
        readBack: async () => ({ to: `kvjson:${dir}`, options: {} }),
        async tamper(unit) {
          // One pair a line in the bulk files manifest.json lists: the pair's value changes.
          const { key } = unit.key as { key: string };
          const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { files: { file: string }[] };
          for (const { file } of manifest.files) {
            const text = readFileSync(path.join(dir, file), 'utf8');
            const lines = text.split('\n').map((l) => {
              const pair = /^\s*\{/.test(l) ? (JSON.parse(l.replace(/,\s*$/, '')) as { key: string; value: string }) : undefined;
              return pair?.key === key ? l.replace(JSON.stringify(pair.value), JSON.stringify('tampered')) : l;
            });
            writeFileSync(path.join(dir, file), lines.join('\n'));
          }
        },
        bad: ['--to', `kvjson:${dir}`, '--remote'],
      };
    },
  },
];

TARGETS.push({
  name: 'r2-local',
  collectionKind: 'bucket',
  limits: 'R2',
  make(work) {
    const dir = path.join(work, 'r2-project');
    mkdirSync(dir, { recursive: true });
    const config = path.join(dir, 'wrangler.json');
    writeFileSync(config, JSON.stringify({ name: 'fl-contract', compatibility_date: '2025-01-01', r2_buckets: [{ binding: 'MEDIA', bucket_name: 'media' }] }));
    const options = { config, cwd: dir };
    return {
      to: 'r2:MEDIA',
      options,
      args: ['--config', config],
      env: {},
      readBack: async () => ({ to: 'r2:MEDIA', options }),
      // A stray write as a Worker would make it, through the R2 binding over the same local state.
      async tamper(unit) {
        const mf = new Miniflare({ modules: true, script: 'export default {}', defaultPersistRoot: path.join(dir, '.wrangler/state/v3'), r2Buckets: { MEDIA: { id: 'media' } } });
        try {
          const bucket = await mf.getR2Bucket('MEDIA');
          const { key } = unit.key as { key: string };
          const was = await bucket.head(key);
          if (!was) throw new Error(`no object ${key} to tamper with`);
          await bucket.put(key, 'tampered', { httpMetadata: was.httpMetadata, customMetadata: was.customMetadata });
        } finally {
          await mf.dispose();
        }
      },
      bad: ['--to', 'r2:NO_SUCH_BINDING', '--config', config],
    };
  },
});

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
