// verify's row encoding (chunk-hash.ts) must give equal bytes exactly when SQLite holds equal
// values: a value cast on the source side and the same value read back from SQLite (integers
// as BigInt, integral REALs as numbers) encode alike, and values canonical() tells apart never
// do. Checked on every storage class and its edges (integers past 2^53, -0.0, infinities, NUL
// bytes, invalid UTF-8 in blobs, astral characters). SQLite's own order is checked against
// key-compare.ts the same way.
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonical, type SqliteValue } from '../src/casting/values.js';
import { EncodedRows } from '../src/verify/chunk-hash.js';
import { compareValues } from '../src/verify/key-compare.js';

const VALUES: SqliteValue[] = [
  null,
  0,
  -0,
  1,
  -1,
  42,
  2 ** 53 - 1,
  -(2 ** 53 - 1),
  2n ** 53n,
  2n ** 62n,
  9223372036854775807n,
  -9223372036854775808n,
  0.5,
  -1.25,
  1 / 3,
  1e20,
  1e300,
  -1e-300,
  5e-324,
  Infinity,
  -Infinity,
  '',
  'a',
  'A',
  'ab',
  'naïve',
  'a\u0000b',
  '\uFFFD',
  '\uE000',
  '😀',
  'a😀',
  'a\uFFFF',
  "quote ' \" ;:",
  '123',
  'I1;',
  Buffer.alloc(0),
  Buffer.from([0]),
  Buffer.from([0xff, 0xfe, 0x00, 0x80]),
  Buffer.from('abc'),
  Buffer.from('I1;'),
];

test('values read back from SQLite encode as the values written (what the target side relies on)', () => {
  const db = new Database(':memory:');
  db.defaultSafeIntegers(true); // as verify reads a local target: every INTEGER as a BigInt
  // No declared type: no affinity, so each value keeps its storage class; r has REAL affinity.
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, a, r REAL)');
  const insert = db.prepare('INSERT INTO t (id, a, r) VALUES (?, ?, ?)');
  VALUES.forEach((v, i) => insert.run(i, v, typeof v === 'number' ? v : null));
  const back = db.prepare('SELECT a, r FROM t ORDER BY id').raw(true).all() as SqliteValue[][];
  assert.equal(back.length, VALUES.length);
  for (let i = 0; i < VALUES.length; i++) {
    const v = VALUES[i];
    const written = new EncodedRows();
    written.add([v, typeof v === 'number' ? v : null]);
    const read = new EncodedRows();
    read.add(back[i]);
    assert.equal(read.digest(), written.digest(), `value ${i}: ${canonical(v)} read back as ${back[i].map((x) => canonical(x)).join(', ')}`);
    assert.ok(read.same(0, written, 0));
  }
  db.close();
});

test('JS numbers and bigints of one integer encode alike; anything canonical() tells apart does not', () => {
  const one = (v: SqliteValue) => {
    const e = new EncodedRows();
    e.add([v]);
    return e.digest();
  };
  assert.equal(one(5), one(5n));
  assert.equal(one(-0), one(0n));
  assert.equal(one(2 ** 53 - 1), one(2n ** 53n - 1n));
  const byDigest = new Map<string, string>();
  const byCanonical = new Map<string, string>();
  // Integral doubles past 2^53 encode as the integer they equal (canonical() prints them
  // rounded, e.g. 2^60 as ...847000): SQLite stores such a REAL in an INTEGER column as that integer.
  assert.equal(one(2 ** 60), one(2n ** 60n));
  assert.equal(one(-(2 ** 62)), one(-(2n ** 62n)));
  assert.notEqual(one(2 ** 60), one(2n ** 60n + 1n));
  for (const v of [...VALUES, 5n, 0n]) {
    const d = one(v);
    const c = canonical(v);
    if (byDigest.has(d)) assert.equal(byDigest.get(d), c, `${c} and ${byDigest.get(d)} encode alike`);
    if (byCanonical.has(c)) assert.equal(byCanonical.get(c), d, `${c} encodes two ways`);
    byDigest.set(d, c);
    byCanonical.set(c, d);
  }
  // Rows of several values cannot run together: ['ab', ''] differs from ['a', 'b'].
  const row = (values: SqliteValue[]) => {
    const e = new EncodedRows();
    e.add(values);
    return e.digest();
  };
  assert.notEqual(row(['ab', '']), row(['a', 'b']));
  assert.notEqual(row([1, 23]), row([12, 3]));
  assert.notEqual(row([Buffer.from('1'), null]), row(['1', null]));
});

test('compareValues orders values as SQLite ORDER BY does', () => {
  const db = new Database(':memory:');
  db.defaultSafeIntegers(true);
  db.exec('CREATE TABLE v (x)'); // no declared type: no affinity, values stay as given
  const insert = db.prepare('INSERT INTO v VALUES (?)');
  const finite = VALUES;
  for (const v of finite) insert.run(v);
  const sorted = (db.prepare('SELECT x FROM v ORDER BY x').raw(true).all() as SqliteValue[][]).map((r) => r[0]);
  const ours = (db.prepare('SELECT x FROM v').raw(true).all() as SqliteValue[][]).map((r) => r[0]).sort(compareValues);
  assert.deepEqual(ours.map((v) => canonical(v)), sorted.map((v) => canonical(v)));
  // SQLite's comparison operators agree pairwise too (the range reads rely on them).
  const cmp = db.prepare('SELECT (? > ?) - (? < ?)').pluck();
  const notNull = finite.filter((v) => v !== null); // NULL compares as NULL, not as a sign
  for (const a of notNull) for (const b of notNull) {
    const expected = Number(cmp.get(a, b, a, b));
    assert.equal(Math.sign(compareValues(a, b)), expected, `${canonical(a)} vs ${canonical(b)}`);
  }
  db.close();
});
