// Unusable targets and malformed inputs answer one line with exit 2 instead of spinning,
// crashing or printing a runtime's warnings; and the smaller promises: a flarelift.toml rule that
// decides no column is reported, `--tables a,b` creates only those tables.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { pgUrl } from './helpers/env.js';
import { lines, runCliBounded, scratch } from './helpers/reliability.js';

describe('unusable targets and malformed inputs', () => {
  let dir: string;
  let source: string;
  const LONG = 'n'.repeat(300);
  before(() => {
    dir = scratch('inputs');
    source = path.join(dir, 'source.sqlite');
    const db = new Database(source);
    db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b');
             CREATE TABLE other (id INTEGER PRIMARY KEY); INSERT INTO other VALUES (1);
             CREATE TABLE "${LONG}" (id INTEGER PRIMARY KEY); INSERT INTO "${LONG}" VALUES (1);`);
    db.close();
    writeFileSync(path.join(dir, 'regular.txt'), 'not a directory\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const oneLine = async (args: string[], pattern: RegExp) => {
    const r = await runCliBounded(args, { cwd: dir });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, pattern);
    assert.doesNotMatch(r.stderr, /Warning| {4}at /);
  };

  test('sql:/proc/x, sqlite:/proc/x/y and a reject dir under /proc end at once', async () => {
    await oneLine(['copy', '--from', source, '--to', 'sql:/proc/x'], /^error: cannot open \/proc\/x\.flarelift-lock \(\w+\), the lock file/);
    await oneLine(['copy', '--from', source, '--to', 'sqlite:/proc/x/y.sqlite'], /^error: .*\/proc\/x/);
  });

  test('sql: on a regular file', async () => {
    await oneLine(['copy', '--from', source, '--to', 'sql:regular.txt'], /is a file, not a directory/);
  });

  test('a 300-character table name goes into sql: import files', async () => {
    const r = await runCliBounded(['copy', '--from', source, '--to', 'sql:long'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
  });

  test('a malformed percent-escape in the URL', async () => {
    await oneLine(['plan', '--from', 'mysql://root:ab%zz@127.0.0.1/x'], /malformed percent-escape/);
    await oneLine(['plan', '--from', 'postgres://postgres:ab%zz@127.0.0.1/x'], /malformed percent-escape/);
  });

  test('?sslmode=require on a server without SSL: one line, no runtime warning', async () => {
    await oneLine(['plan', '--from', `${pgUrl('postgres')}?sslmode=require`], /SSL/);
  });

  test('--tables creates only the tables named', async () => {
    const target = path.join(dir, 'some.sqlite');
    const r = await runCliBounded(['copy', '--from', source, '--to', `sqlite:${target}`, '--tables', 't'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const db = new Database(target, { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all();
    db.close();
    assert.deepEqual(tables, ['t']);
  });

  test('a flarelift.toml rule that decides no column is reported', async () => {
    const config = path.join(dir, 'rules.toml');
    writeFileSync(config, '[[cast]]\ncolumn = "t.missing"\ntransform = "text"\n\n[[cast]]\ncolumn = "t.v"\ntransform = "text"\n');
    const r = await runCliBounded(['plan', '--from', source, '--config-file', config, '--json'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const findings = (JSON.parse(r.stdout) as { findings: { code: string; object: string; message: string }[] }).findings.filter((f) => f.code === 'cast-rule-unused');
    assert.equal(findings.length, 1, JSON.stringify(findings));
    assert.match(findings[0].object, /t\.missing/);
    assert.match(findings[0].message, /matches no column/);
  });
});
