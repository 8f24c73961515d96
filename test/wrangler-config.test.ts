// Locating local D1: wrangler config discovery and the Miniflare file path, checked against the
// real wrangler CLI writing a row that we then find in the file we computed.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { UserError } from '../src/errors.js';
import { d1ObjectId, localD1Path, locateLocalD1 } from '../src/cloudflare/local-state.js';
import { findD1Database, findWranglerConfig } from '../src/cloudflare/wrangler-config.js';
import { wrangler } from './helpers/wrangler.js';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flarelift-wcfg-'));
  roots.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const JSONC = `{
  // comments and trailing commas are fine in wrangler.jsonc
  "name": "app",
  "d1_databases": [
    { "binding": "DB", "database_name": "main-db", "database_id": "7c9f2ab0-1111-4222-8333-444455556666", "migrations_dir": "db/migrations", },
    { "binding": "LOGS", "database_name": "logs", "database_id": "aaaaaaaa-1111-4222-8333-444455556666", "preview_database_id": "preview-logs" },
  ],
  "env": { "staging": { "d1_databases": [{ "binding": "DB", "database_name": "staging-db" }] } },
}
`;

const TOML = `name = "app"

[[d1_databases]]
binding = "DB"
database_name = "tomldb"
database_id = "0f0f0f0f-1111-4222-8333-444455556666"
`;

const isUserError = (pattern: RegExp) => (e: unknown) => e instanceof UserError && pattern.test(e.message) && !e.message.includes('\n');

/** Runs the real wrangler in `dir`, then reads back the row through the path we computed. */
async function roundTrip(dir: string, database: string, file: string, extra: string[] = []): Promise<void> {
  await wrangler({ dir, database }, ['d1', 'execute', database, '--local', ...extra, '--command', 'CREATE TABLE t(x); INSERT INTO t VALUES (42)']);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    assert.deepEqual(db.prepare('SELECT x FROM t').all(), [{ x: 42 }]);
  } finally {
    db.close();
  }
}

describe('local D1 path', () => {
  test("Miniflare's Durable Object id (PLATFORM.md test vector)", () => {
    assert.equal(d1ObjectId('DB'), 'e7352547963de7050bd7d94658afc4fe78b61811b7815da12d90be8e863abf4d');
  });

  test('wrangler.jsonc: the file wrangler d1 execute --local writes is the one we compute', async () => {
    const dir = project({ 'wrangler.jsonc': JSONC });
    const config = findWranglerConfig({ cwd: dir });
    assert.equal(config.path, path.join(dir, 'wrangler.jsonc'));
    assert.deepEqual(config.d1Databases[0], {
      binding: 'DB', database_name: 'main-db', database_id: '7c9f2ab0-1111-4222-8333-444455556666', migrations_dir: 'db/migrations',
    });
    const file = localD1Path({ configPath: config.path, database: 'main-db' });
    assert.equal(file, path.join(dir, '.wrangler/state/v3/d1/miniflare-D1DatabaseObject', `${d1ObjectId('7c9f2ab0-1111-4222-8333-444455556666')}.sqlite`));
    await roundTrip(dir, 'main-db', file);
    // The binding names the same database; preview_database_id wins over database_id locally.
    assert.equal(localD1Path({ configPath: config.path, database: 'DB' }), file);
    assert.equal(locateLocalD1({ configPath: config.path, database: 'LOGS' }).id, d1ObjectId('preview-logs'));
    await roundTrip(dir, 'LOGS', localD1Path({ configPath: config.path, database: 'LOGS' }));
  });

  test('wrangler.toml, found from a subdirectory, and --persist-to (relative to cwd, v3 appended)', async () => {
    const dir = project({ 'wrangler.toml': TOML, 'src/index.ts': '' });
    const config = findWranglerConfig({ cwd: path.join(dir, 'src') });
    assert.equal(config.path, path.join(dir, 'wrangler.toml'));
    assert.equal(findD1Database(config, 'DB').database_name, 'tomldb');
    await roundTrip(dir, 'tomldb', localD1Path({ configPath: config.path, database: 'tomldb' }));
    const persisted = localD1Path({ configPath: 'wrangler.toml', cwd: dir, database: 'tomldb', persistTo: 'state-here' });
    assert.equal(persisted, path.join(dir, 'state-here/v3/d1/miniflare-D1DatabaseObject', `${d1ObjectId('0f0f0f0f-1111-4222-8333-444455556666')}.sqlite`));
    await roundTrip(dir, 'tomldb', persisted, ['--persist-to', 'state-here']);
  });

  test('a binding without database_id is keyed by the binding name', async () => {
    const dir = project({ 'wrangler.json': JSON.stringify({ name: 'app', d1_databases: [{ binding: 'DB' }] }) });
    const file = localD1Path({ configPath: path.join(dir, 'wrangler.json'), database: 'DB' });
    assert.equal(path.basename(file), 'e7352547963de7050bd7d94658afc4fe78b61811b7815da12d90be8e863abf4d.sqlite');
    await roundTrip(dir, 'DB', file);
  });

  test("wrangler's precedence: wrangler.json, then wrangler.jsonc, then wrangler.toml", () => {
    const dir = project({ 'wrangler.toml': TOML, 'wrangler.jsonc': JSONC, 'wrangler.json': '{"d1_databases": []}' });
    assert.equal(findWranglerConfig({ cwd: dir }).path, path.join(dir, 'wrangler.json'));
    rmSync(path.join(dir, 'wrangler.json'));
    assert.equal(findWranglerConfig({ cwd: dir }).path, path.join(dir, 'wrangler.jsonc'));
    assert.equal(findWranglerConfig({ cwd: dir, config: 'wrangler.toml' }).path, path.join(dir, 'wrangler.toml'));
  });

  test('env sections: d1_databases is not inherited', () => {
    const dir = project({ 'wrangler.jsonc': JSONC });
    assert.deepEqual(findWranglerConfig({ cwd: dir, env: 'staging' }).d1Databases, [{ binding: 'DB', database_name: 'staging-db' }]);
    assert.throws(() => findWranglerConfig({ cwd: dir, env: 'prod' }), isUserError(/no environment 'prod'.*it has: staging/));
  });

  test('errors are one-line UserErrors with the fix', () => {
    const empty = project({});
    assert.throws(() => findWranglerConfig({ cwd: empty }), isUserError(/^no wrangler\.toml\/wrangler\.json\(c\) in .* — run from your Worker project or pass --config$/));
    assert.throws(() => findWranglerConfig({ cwd: empty, config: 'missing.toml' }), isUserError(/no such wrangler config/));
    const badToml = project({ 'wrangler.toml': 'name = "app"\n\n[[d1_databases]\nbinding = "DB"\n' });
    assert.throws(() => findWranglerConfig({ cwd: badToml }), isUserError(/wrangler\.toml line 3: /));
    const badJson = project({ 'wrangler.jsonc': '{\n  "name": "app"\n  "d1_databases": []\n}\n' });
    assert.throws(() => findWranglerConfig({ cwd: badJson }), isUserError(/wrangler\.jsonc line 3: CommaExpected/));
    const noD1 = project({ 'wrangler.toml': 'name = "app"\n' });
    assert.throws(() => localD1Path({ configPath: path.join(noD1, 'wrangler.toml'), database: 'DB' }), isUserError(/^no d1_databases in /));
    const two = project({ 'wrangler.jsonc': JSONC });
    assert.throws(
      () => localD1Path({ configPath: path.join(two, 'wrangler.jsonc'), database: 'x' }),
      isUserError(/^no D1 database 'x' in wrangler\.jsonc; it has: main-db, logs$/),
    );
    assert.throws(() => localD1Path({ configPath: path.join(two, 'wrangler.jsonc') }), isUserError(/several D1 databases/));
  });
});
