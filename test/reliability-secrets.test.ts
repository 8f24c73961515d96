// Passwords never appear, whatever their characters: a space, a raw '@', PostgreSQL's
// ?password= parameter — in text output, --json, --debug, error lines, reject files and the
// verify failures file. The password can also come from --password-file or FLARELIFT_PASSWORD,
// off the command line (where ps shows it). The same for a Redis password (an ACL user) with a
// space, ':', '@' and '%', raw or percent-encoded, through plan, copy and verify.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import Database from 'better-sqlite3';
import { mysqlUrl } from './helpers/env.js';
import { dropPgDatabase, freshPgDatabase } from './helpers/pg.js';
import { tamperBulkFiles } from './helpers/redis-kv.js';
import { lines, runCliBounded, scratch, type Run } from './helpers/reliability.js';
import { Redis } from 'ioredis';

const DB = 'fl_i8_redact';
const USERS = { space: ['fl_i8_sp', 'open sesame'], at: ['fl_i8_at', 'top@secret'], file: ['fl_i8_pf', 'file pass@word%'] } as const;
const PG_PASSWORD = 'hunter22word';
const host = new URL(mysqlUrl(DB)).host;

const SOURCES = {
  'space in the password': `mysql://${USERS.space[0]}:${USERS.space[1]}@${host}/${DB}`,
  'raw @ in the password': `mysql://${USERS.at[0]}:${USERS.at[1]}@${host}/${DB}`,
  '?password= parameter': `postgres://postgres@127.0.0.1:5432/${DB}?password=${PG_PASSWORD}`,
};
const SECRETS = [USERS.space[1], 'open%20sesame', USERS.at[1], 'top%40secret', '@secret', PG_PASSWORD, 'file pass', 'pass@word'];

function assertHidden(what: string, text: string): void {
  for (const s of SECRETS) assert.ok(!text.includes(s), `${what} shows '${s}':\n${text.slice(0, 2000)}`);
}
const everything = (r: Run) => r.stdout + r.stderr;

async function withRoot<T>(fn: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const c = await mysql.createConnection(mysqlUrl('mysql'));
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe('passwords in every URL form', () => {
  let dir: string;
  before(async () => {
    dir = scratch('secrets');
    await withRoot(async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${DB}`);
      await c.query(`CREATE DATABASE ${DB}`);
      await c.query(`CREATE TABLE ${DB}.t (id INT PRIMARY KEY, v VARCHAR(20))`);
      await c.query(`INSERT INTO ${DB}.t SELECT seq, CONCAT('v', seq) FROM seq_1_to_20`);
      for (const [user, password] of Object.values(USERS)) {
        await c.query(`DROP USER IF EXISTS '${user}'@'%'`);
        await c.query(`CREATE USER '${user}'@'%' IDENTIFIED BY ?`, [password]);
        await c.query(`GRANT SELECT ON ${DB}.* TO '${user}'@'%'`);
      }
    });
    // Row 5 holds an integer beyond 64 bits that the rule in flarelift.toml asks to store as INTEGER,
    // so copy rejects it: the reject file gets written from this source too.
    await freshPgDatabase(DB, ["CREATE TABLE t (id int PRIMARY KEY, f float8, n numeric(30,0))", "INSERT INTO t SELECT g, g, CASE WHEN g = 5 THEN 10::numeric ^ 25 ELSE g END FROM generate_series(1, 20) g"]);
    writeFileSync(path.join(dir, 'flarelift.toml'), '[[cast]]\ncolumn = "t.n"\ntransform = "integer"\n');
  });
  after(async () => {
    await withRoot(async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${DB}`);
      for (const [user] of Object.values(USERS)) await c.query(`DROP USER IF EXISTS '${user}'@'%'`);
    });
    await dropPgDatabase(DB);
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [form, url] of Object.entries(SOURCES)) {
    test(`${form}: text, --json, --debug, errors, reject and failures files`, async () => {
      const work = path.join(dir, form.replace(/\W+/g, '-'));
      const target = path.join(work, 'out.sqlite');
      const rejects = path.join(work, 'rejects');
      const failures = path.join(work, 'failures.jsonl');
      const plan = await runCliBounded(['plan', '--from', url]);
      assert.equal(plan.code, 0, plan.stderr);
      assert.match(plan.stdout, /\*\*\*/, 'the URL is shown, masked');
      assertHidden('plan', everything(plan));
      const json = await runCliBounded(['--debug', 'plan', '--from', url, '--json']);
      assert.equal(json.code, 0, json.stderr);
      assertHidden('plan --json --debug', everything(json));
      const copy = await runCliBounded(['copy', '--from', url, '--to', `sqlite:${target}`, '--json', '--reject-dir', rejects, '--accept-rejects', '--debug'], { cwd: dir });
      assert.equal(copy.code, 0, copy.stderr);
      assertHidden('copy --json', everything(copy));
      const db = new Database(target);
      db.prepare('DELETE FROM t WHERE id = 7').run();
      db.prepare("UPDATE t SET id = 100 WHERE id = 8").run();
      db.close();
      const verify = await runCliBounded(['verify', '--from', url, '--to', `sqlite:${target}`, '--reject-dir', rejects, '--failures', failures], { cwd: dir });
      assert.equal(verify.code, 1, verify.stderr);
      assertHidden('verify', everything(verify));
      assertHidden('failures file', readFileSync(failures, 'utf8'));
      const rejectFiles = existsSync(rejects) ? readdirSync(rejects) : [];
      if (url.startsWith('postgres')) assert.equal(rejectFiles.length, 1, 'the oversized row was rejected');
      for (const f of rejectFiles) assertHidden('reject file', readFileSync(path.join(rejects, f), 'utf8'));
      // Errors that print the URL: a database that is not there, an unknown table, a debug stack.
      const wrongDb = url.replace(`/${DB}`, '/fl_i8_nosuchdb');
      for (const args of [['plan', '--from', wrongDb], ['--debug', 'copy', '--from', url, '--to', `sqlite:${target}`, '--tables', 'nosuch'], ['verify', '--from', url.replace(/^\w+:/, 'nosuch:'), '--to', `sqlite:${target}`]]) {
        const r = await runCliBounded(args, { cwd: dir });
        assert.equal(r.code, 2, everything(r));
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
        assertHidden(args.join(' '), everything(r));
      }
    });
  }

  test('--password-file and FLARELIFT_PASSWORD keep the password off the command line', async () => {
    const [user, password] = USERS.file;
    const url = `mysql://${user}@${host}/${DB}`;
    const file = path.join(dir, 'password.txt');
    writeFileSync(file, `${password}\n`);
    const fromFile = await runCliBounded(['--password-file', file, 'plan', '--from', url, '--json']);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assertHidden('--password-file', everything(fromFile));
    const fromEnv = await runCliBounded(['plan', '--from', url], { env: { FLARELIFT_PASSWORD: password } });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    assertHidden('FLARELIFT_PASSWORD', everything(fromEnv));
    const wrong = await runCliBounded(['plan', '--from', url], { env: { FLARELIFT_PASSWORD: `${password}x` } });
    assert.equal(wrong.code, 2, 'the password from the environment is the one used');
    assertHidden('wrong password', everything(wrong));
  });
});

describe('a Redis password over a working redis://user:password@ (an ACL user, db 12)', () => {
  const USER = 'fl_g8_user';
  // A space, ':', '@' and '%': written raw (the '%' as %25) and fully percent-encoded.
  const PASSWORD = 's3cret:with space@and%x';
  const FORMS = {
    raw: `redis://${USER}:s3cret:with space@and%25x@127.0.0.1:6379/12`,
    encoded: `redis://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:6379/12`,
  };
  const HIDDEN = [PASSWORD, 's3cret:with space@and%25x', encodeURIComponent(PASSWORD), 'with space', 'space@and', 's3cret', 'wrongpass'];
  const hidden = (what: string, text: string) => {
    for (const s of HIDDEN) assert.ok(!text.includes(s), `${what} shows '${s}':\n${text.slice(0, 2000)}`);
  };
  let dir: string;
  let redis: Redis;
  before(async () => {
    dir = scratch('redis-secrets');
    redis = new Redis({ host: '127.0.0.1', port: 6379, db: 12 });
    // An ACL user, not requirepass: the server is shared, and its default user stays as it is.
    await redis.call('ACL', 'SETUSER', USER, 'reset', 'on', `>${PASSWORD}`, '~*', '+@all');
    await redis.flushdb();
    const p = redis.pipeline();
    for (let i = 0; i < 50; i++) p.set(`k:${i}`, `v${i}`);
    p.set(`long:${'k'.repeat(600)}`, 'v'); // a key over KV's 512 bytes: a reject line
    await p.exec();
  });
  after(async () => {
    await redis.call('ACL', 'DELUSER', USER);
    await redis.flushdb();
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [form, url] of Object.entries(FORMS)) {
    test(`${form} password: plan, copy and verify in text, --json, --debug, errors, reject and failures files`, async () => {
      const work = path.join(dir, form);
      const out = path.join(work, 'kv');
      const rejects = path.join(work, 'rejects');
      const failures = path.join(work, 'failures.jsonl');
      mkdirSync(work, { recursive: true });
      const plan = await runCliBounded(['plan', '--from', url]);
      assert.equal(plan.code, 0, plan.stderr);
      assert.ok(plan.stdout.includes(`redis://${USER}:***@127.0.0.1:6379/12`), plan.stdout);
      hidden('plan', everything(plan));
      const json = await runCliBounded(['--debug', 'plan', '--from', url, '--json']);
      assert.equal(json.code, 0, json.stderr);
      hidden('plan --json --debug', everything(json));
      const copy = await runCliBounded(['--debug', 'copy', '--from', url, '--to', `kvjson:${out}`, '--json', '--reject-dir', rejects, '--accept-rejects'], { cwd: work });
      assert.equal(copy.code, 0, copy.stderr);
      hidden('copy --json --debug', everything(copy));
      const rejectFiles = readdirSync(rejects);
      assert.equal(rejectFiles.length, 1, 'the overlong key was rejected');
      hidden('reject file', readFileSync(path.join(rejects, rejectFiles[0]), 'utf8'));
      tamperBulkFiles(out, 'k:7');
      const verify = await runCliBounded(['verify', '--from', url, '--to', `kvjson:${out}`, '--reject-dir', rejects, '--failures', failures], { cwd: work });
      assert.equal(verify.code, 1, everything(verify));
      hidden('verify', everything(verify));
      hidden('failures file', readFileSync(failures, 'utf8'));
      // Errors that print the URL: a wrong password, a database the server lacks, a bad option.
      const wrong = url.replace('s3cret', 'wrongpass');
      for (const args of [['plan', '--from', wrong], ['--debug', 'plan', '--from', url.replace(/\/12$/, '/99999')], ['verify', '--from', `${url}?types=nosuch`, '--to', `kvjson:${out}`]]) {
        const r = await runCliBounded(args, { cwd: work });
        assert.equal(r.code, 2, everything(r));
        assert.equal(lines(r.stderr).length, 1, r.stderr);
        hidden(args.join(' '), everything(r));
      }
    });
  }
});
