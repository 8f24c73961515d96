// D1 as a source, for the way back: the local D1 file is read as the SQLite file it is (read-only);
// the remote database is exported by the user's wrangler into a temporary SQL file, loaded into
// a temporary SQLite file, and read from there. D1's own bookkeeping tables (_cf_*) are not data.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Catalog } from '../../catalog/types.js';
import { UserError } from '../../errors.js';
import { locateLocalD1 } from '../../cloudflare/local-state.js';
import { findWrangler, Wrangler } from '../../cloudflare/wrangler-cli.js';
import { findD1Database, findWranglerConfig } from '../../cloudflare/wrangler-config.js';
import type { Source } from '../source.js';
import { SqliteSource } from '../sqlite/sqlite-source.js';

interface D1Spec {
  database: string;
  remote: boolean;
  config?: string;
  persistTo?: string;
}

export function parseD1Spec(spec: string): D1Spec {
  const body = spec.replace(/^d1:/i, '');
  const [name, query = ''] = body.split('?', 2);
  const params = new URLSearchParams(query);
  const known = new Set(['remote', 'config', 'persist-to']);
  for (const key of params.keys()) {
    if (!known.has(key)) throw new UserError(`unknown option '${key}' in '${spec}': use d1:<database>[?remote][&config=<file>][&persist-to=<dir>]`);
  }
  if (!name) throw new UserError(`'${spec}' names no database: use d1:<database> (database_name or binding in the wrangler config)`);
  const remote = params.has('remote') && params.get('remote') !== 'false';
  if (remote && params.has('persist-to')) throw new UserError('persist-to applies to the local D1 only, not with remote');
  return { database: decodeURIComponent(name), remote, config: params.get('config') ?? undefined, persistTo: params.get('persist-to') ?? undefined };
}

// flarelift's own bookkeeping (copy's journal, sync's journal and marks) is not data either.
const INTERNAL = /^(_cf_|sqlite_|flarelift_copy_journal$|flarelift_sync_journal$|flarelift_sync_state$)/i;

/** The SQLite source with D1's description and without D1's internal tables. */
function asD1(source: SqliteSource, description: string, cleanup?: () => void): Source {
  return {
    engine: source.engine,
    description,
    castRules: source.castRules,
    async introspect(): Promise<Catalog> {
      const catalog = await source.introspect();
      return { ...catalog, tables: catalog.tables.filter((t) => !INTERNAL.test(t.name)) };
    },
    measure: (t) => source.measure(t),
    integerBounds: (t, columns) => source.integerBounds(t, columns),
    readRows: (t, o) => source.readRows(t, o),
    countRows: (t) => source.countRows(t),
    snapshot: (n) => source.snapshot(n),
    async close() {
      await source.close();
      cleanup?.();
    },
  };
}

export async function openD1Source(spec: string, cwd = process.cwd()): Promise<Source> {
  const d1 = parseD1Spec(spec);
  const config = findWranglerConfig({ config: d1.config, cwd });
  if (!d1.remote) {
    const location = locateLocalD1({ configPath: config.path, database: d1.database, persistTo: d1.persistTo, cwd });
    const name = location.database.database_name ?? location.database.binding;
    let source: SqliteSource;
    try {
      source = await SqliteSource.open(`sqlite:${location.path}`);
    } catch (e) {
      if (e instanceof UserError && /no such file/.test(e.message)) {
        throw new UserError(`local D1 '${name}' has no data yet (${location.path}): copy into it first, or check config and persist-to`);
      }
      throw e;
    }
    return asD1(source, `local D1 '${name}' (${location.path})`);
  }
  const database = findD1Database(config, d1.database);
  const name = database.database_name ?? database.binding;
  const bin = findWrangler(path.dirname(config.path), cwd);
  if (!bin) throw new UserError('no wrangler found to export the remote D1: install wrangler in the Worker project (npm i -D wrangler)');
  const dir = mkdtempSync(path.join(tmpdir(), 'flarelift-d1-export-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    const sqlFile = path.join(dir, 'export.sql');
    await new Wrangler(bin, cwd).run(['d1', 'export', d1.database, '--remote', '--output', sqlFile, '--config', config.path], `exporting remote D1 '${name}'`);
    const file = path.join(dir, 'export.sqlite');
    const db = new Database(file);
    try {
      // The export defers its foreign keys to its end; rows are taken as they are, in one transaction.
      db.pragma('foreign_keys = OFF');
      const sql = readFileSync(sqlFile, 'utf8');
      db.transaction(() => db.exec(sql))();
    } finally {
      db.close();
    }
    const source = await SqliteSource.open(`sqlite:${file}`);
    return asD1(source, `remote D1 '${name}' (exported by wrangler)`, cleanup);
  } catch (e) {
    cleanup();
    throw e;
  }
}
