// Bad input: one line saying what is wrong and how to fix it, exit code 2, no stack trace, and
// never the password.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import { runCli, type CliResult } from './helpers/cli.js';
import { mysqlUrl, pgUrl } from './helpers/env.js';

const SECRET = 'Sup3r-Secret-pw';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'flarelift-cli-'));

/** A loopback port with nothing listening on it. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

function assertUserError(r: CliResult, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit code 2, got ${r.code}: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${r.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr + r.stdout, new RegExp(SECRET), 'the password is never printed');
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

describe('bad input exits 2 with one clear line', () => {
  test('unreachable PostgreSQL server', async () => {
    const port = await deadPort();
    const r = await runCli(['plan', '--from', `postgres://postgres:${SECRET}@127.0.0.1:${port}/chinook`]);
    assertUserError(r, new RegExp(`cannot reach PostgreSQL at 127\\.0\\.0\\.1:${port}.*(running|port)`, 'i'));
  });

  test('unreachable MySQL server', async () => {
    const port = await deadPort();
    const r = await runCli(['plan', '--from', `mysql://root:${SECRET}@127.0.0.1:${port}/chinook`]);
    assertUserError(r, new RegExp(`cannot reach MySQL at 127\\.0\\.0\\.1:${port}`, 'i'));
  });

  test('unknown PostgreSQL database', async () => {
    const r = await runCli(['plan', '--from', pgUrl('no_such_db_flarelift')]);
    assertUserError(r, /no_such_db_flarelift.*(does not exist|unknown)/i);
  });

  test('unknown MySQL database', async () => {
    const r = await runCli(['plan', '--from', mysqlUrl('no_such_db_flarelift')]);
    assertUserError(r, /no_such_db_flarelift/);
  });

  describe('wrong MySQL password', () => {
    let admin: mysql.Connection;
    before(async () => {
      admin = await mysql.createConnection(mysqlUrl('chinook'));
      await admin.query(`DROP USER IF EXISTS 'flarelift_cli'@'127.0.0.1'`);
      await admin.query(`CREATE USER 'flarelift_cli'@'127.0.0.1' IDENTIFIED BY 'the-right-one'`);
    });
    after(async () => {
      await admin.query(`DROP USER IF EXISTS 'flarelift_cli'@'127.0.0.1'`);
      await admin.end();
    });
    test('says access was denied, never shows the password', async () => {
      const r = await runCli(['plan', '--from', `mysql://flarelift_cli:${SECRET}@127.0.0.1:3306/chinook`]);
      assertUserError(r, /(access denied|password)/i);
    });
  });

  test('missing SQLite file', async () => {
    const r = await runCli(['plan', '--from', `sqlite:${path.join(tmp, 'nope.sqlite')}`]);
    assertUserError(r, /nope\.sqlite/);
  });

  test('a file that is not SQLite', async () => {
    const file = path.join(tmp, 'notes.sqlite');
    writeFileSync(file, 'these are plain notes, not a database\n'.repeat(200));
    const r = await runCli(['plan', '--from', file]);
    assertUserError(r, /not a SQLite database/i);
  });

  test('unsupported URL scheme', async () => {
    const r = await runCli(['plan', '--from', `oracle://scott:${SECRET}@db.example/orcl`]);
    assertUserError(r, /scheme 'oracle:'.*postgres:\/\//);
  });

  test('bad flarelift.toml: not TOML', async () => {
    const file = path.join(tmp, 'broken.toml');
    writeFileSync(file, '[[cast]\ntype = "x"\n');
    const r = await runCli(['plan', '--from', pgUrl('chinook'), '--config-file', file]);
    assertUserError(r, /not valid TOML at line 1/);
  });

  test('bad flarelift.toml: unknown transform', async () => {
    const file = path.join(tmp, 'flarelift.toml');
    writeFileSync(file, '[[cast]]\ntype = "timestamptz"\ntransform = "unix_minutes"\n');
    const r = await runCli(['plan', '--from', pgUrl('chinook')], { cwd: tmp });
    assertUserError(r, /cast\[1\]\.transform is not a transform; known: .*unix_seconds/);
  });

  test('missing --from', async () => {
    const r = await runCli(['plan']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--from/);
  });
});
