// A MySQL table of S3 attachment URLs migrates into a local D1 with a [[rewrite]] rule: every
// URL carries the new prefix, verify proves the table (the source with the rewrite applied), and
// a target with a URL changed back is caught.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import mysql from 'mysql2/promise';
import { makeProject, wranglerQuery } from './helpers/copy-project.js';
import { runCli } from './helpers/cli.js';
import { mysqlUrl } from './helpers/env.js';

const DB = 'fl_i10_helpdesk';
const OLD = 'https://helpdesk-files.s3.amazonaws.com/';
const NEW = 'https://files.example.com/';
const ROWS = 40;

async function admin() {
  return mysql.createConnection(mysqlUrl('mysql'));
}

before(async () => {
  const c = await admin();
  try {
    await c.query(`DROP DATABASE IF EXISTS ${DB}`);
    await c.query(`CREATE DATABASE ${DB} CHARACTER SET utf8mb4`);
    await c.query(`CREATE TABLE ${DB}.attachment (id INT PRIMARY KEY, ticket_id INT NOT NULL, url VARCHAR(500), body TEXT)`);
    const rows = Array.from({ length: ROWS }, (_, i) => [i + 1, 100 + (i % 7), i % 10 === 9 ? null : `${OLD}tickets/${i + 1}/scan ${i}.pdf`, i % 4 === 0 ? `see ${OLD}tickets/${i + 1}/a.png and ${OLD}x.png` : 'no link']);
    await c.query(`INSERT INTO ${DB}.attachment VALUES ?`, [rows]);
  } finally {
    await c.end();
  }
});
after(async () => {
  const c = await admin();
  await c.query(`DROP DATABASE IF EXISTS ${DB}`).finally(() => c.end());
});

test('migrate with a rewrite rule: every URL has the new prefix and verify proves the table', async () => {
  const project = makeProject('helpdesk');
  writeFileSync(path.join(project.dir, 'flarelift.toml'), `[[rewrite]]\nfrom = "${OLD}"\nto = "${NEW}"\n`);
  const r = await runCli(['migrate', '--from', mysqlUrl(DB), '--to', `d1:${project.database}`, '--json'], { cwd: project.dir });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const rows = await wranglerQuery(project, 'SELECT id, url, body FROM attachment ORDER BY id');
  assert.equal(rows.length, ROWS);
  for (const row of rows) {
    const id = Number(row.id);
    if (id % 10 === 0) assert.equal(row.url, null);
    else assert.equal(row.url, `${NEW}tickets/${id}/scan ${id - 1}.pdf`);
    assert.doesNotMatch(String(row.body), /amazonaws/);
  }
  assert.equal(rows.filter((row) => String(row.body).includes(NEW)).length, ROWS / 4);

  // verify compares with the rewrite applied: a value turned back to the old URL is a difference.
  await wranglerQuery(project, `UPDATE attachment SET url = '${OLD}tickets/1/scan 0.pdf' WHERE id = 1`);
  const bad = await runCli(['verify', '--from', mysqlUrl(DB), '--to', `d1:${project.database}`, '--json'], { cwd: project.dir });
  assert.equal(bad.code, 1, bad.stdout + bad.stderr);

  const plan = await runCli(['plan', '--from', mysqlUrl(DB), '--json', '--no-casts'], { cwd: project.dir });
  assert.equal(plan.code, 0, plan.stderr);
  const finding = (JSON.parse(plan.stdout) as { findings: { code: string; object: string; message: string }[] }).findings.filter((f) => f.code === 'url-rewrite');
  assert.deepEqual(finding.map((f) => f.object).sort(), ['attachment.body', 'attachment.url']);
  assert.match(finding.find((f) => f.object === 'attachment.url')!.message, /^36 row\(s\)/);
  assert.match(finding.find((f) => f.object === 'attachment.body')!.message, /^10 row\(s\)/);
});

test('rewrite --to d1: applies the rules to a D1 copied before them, and verify then proves the table', async () => {
  const project = makeProject('helpdesk');
  const m = await runCli(['migrate', '--from', mysqlUrl(DB), '--to', `d1:${project.database}`], { cwd: project.dir });
  assert.equal(m.code, 0, m.stdout + m.stderr);
  assert.equal((await wranglerQuery(project, `SELECT count(*) AS n FROM attachment WHERE url LIKE '${OLD}%'`))[0].n, 36);
  writeFileSync(path.join(project.dir, 'flarelift.toml'), `[[rewrite]]\nfrom = "${OLD}"\nto = "${NEW}"\n`);
  const before = await runCli(['verify', '--from', mysqlUrl(DB), '--to', `d1:${project.database}`], { cwd: project.dir });
  assert.equal(before.code, 1, 'with the rule declared, the old URLs are differences');
  const r = await runCli(['rewrite', '--to', `d1:${project.database}`, '--json'], { cwd: project.dir });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual((JSON.parse(r.stdout) as { columns: unknown[] }).columns, [
    { column: 'attachment.url', rows: 36 },
    { column: 'attachment.body', rows: 10 },
  ]);
  assert.equal((await wranglerQuery(project, `SELECT count(*) AS n FROM attachment WHERE url LIKE '${NEW}%'`))[0].n, 36);
  const after = await runCli(['verify', '--from', mysqlUrl(DB), '--to', `d1:${project.database}`], { cwd: project.dir });
  assert.equal(after.code, 0, after.stdout + after.stderr);
});
