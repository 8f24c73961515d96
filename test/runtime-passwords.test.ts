// flarelift/runtime in a Worker under Miniflare: hashes made by Django, bcrypt, passlib and
// werkzeug verify (right password true, wrong false) with PBKDF2 capped at 100,000 iterations per
// deriveBits call as in production; rehashing lands in one call; PyJWT and python-jose tokens
// verify and the runtime's tokens verify with them. Then `plan` on a Django-made database.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Miniflare } from 'miniflare';
import { plan, type PlanResult } from '../src/index.js';
import { runCli } from './helpers/cli.js';
import { REPO_ROOT, pgUrl } from './helpers/env.js';
import { dropPgDatabase, freshPgDatabase, withPg } from './helpers/pg.js';
import { bundleWorker, checkWithPython, makePythonFixtures, runtimeBundleSize, type PythonFixtures } from './helpers/runtime-fixtures.js';

interface Settled<T = unknown> {
  value?: T;
  error?: string;
  code?: string;
  derived: number[];
  needsRehash?: boolean;
}

const CAP = 100_000;
let fx: PythonFixtures;
let dir: string;
let mf: Miniflare;
let workerInputs: string[];

async function call<T = unknown>(body: unknown): Promise<Settled<T>[]> {
  const res = await mf.dispatchFetch('http://worker.test/', { method: 'POST', body: JSON.stringify(body) });
  return (await res.json()) as Settled<T>[];
}

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fl-i12-'));
  const [fixtures, bundle, { Miniflare }] = await Promise.all([
    makePythonFixtures(dir),
    bundleWorker(path.join(REPO_ROOT, 'test/helpers/runtime-worker.ts')),
    import('miniflare'),
  ]);
  fx = fixtures;
  workerInputs = bundle.inputs;
  mf = new Miniflare({ modules: true, script: bundle.code, compatibilityDate: '2025-09-01' });
  await mf.ready;
});

after(async () => {
  await mf?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('flarelift/runtime bundled for a Worker', () => {
  test('holds nothing from Node or the rest of flarelift; its size is printed', async () => {
    const size = await runtimeBundleSize();
    console.log(`flarelift/runtime bundle: ${size.bytes} bytes minified, ${size.gzipBytes} bytes gzipped`);
    for (const inputs of [size.inputs, workerInputs]) {
      const nodeOnly = inputs.filter((i) => i.startsWith('node:') || /(^|\/)cryptoNode\.js$/.test(i) || i.includes('(disabled)'));
      // bcryptjs's Node fallback for random bytes is mapped away by its package's `browser` field
      // (wrangler bundles for the browser platform too): an empty module, no Node code.
      assert.deepEqual(nodeOnly, ['(disabled):crypto'], 'no Node module in the bundle');
      const ours = inputs.filter((i) => i.startsWith('src/'));
      assert.ok(ours.length > 0 && ours.every((i) => i.startsWith('src/runtime/')), `only src/runtime/ from flarelift: ${ours.join(', ')}`);
    }
  });

  test('the test Worker refuses PBKDF2 above 100,000 iterations, as production does', async () => {
    const over = (await call({ op: 'probe-derive', iterations: CAP + 1 })) as unknown as Settled;
    assert.match(over.error ?? '', /^NotSupportedError/);
    const at = (await call({ op: 'probe-derive', iterations: CAP })) as unknown as Settled;
    assert.equal(at.value, 'derived');
  });
});

describe('password hashes made by the Python libraries verify in the Worker', () => {
  test('right password true, wrong password false, for every format', async () => {
    const entries = Object.entries(fx.hashes);
    assert.ok(entries.length >= 20);
    const right = await call<boolean>({ op: 'verify', items: entries.map(([, hash]) => ({ hash, password: fx.password })) });
    const wrong = await call<boolean>({ op: 'verify', items: entries.map(([, hash]) => ({ hash, password: fx.wrong })) });
    entries.forEach(([name], i) => {
      assert.equal(right[i].error, undefined, `${name}: ${right[i].error}`);
      assert.equal(right[i].value, true, `${name} with the right password`);
      assert.equal(wrong[i].value, false, `${name} with a wrong password`);
      // Every stored format is one the runtime wants replaced on the next login.
      assert.equal(right[i].needsRehash, true, name);
      for (const n of [...right[i].derived, ...wrong[i].derived]) assert.ok(n <= CAP, `${name}: deriveBits asked for ${n}`);
    });
  });

  test("a Django hash at Django's default iteration count verifies although deriveBits refuses that count", async () => {
    const hash = fx.hashes['django-pbkdf2_sha256'];
    assert.ok(fx.djangoDefaultIterations > CAP);
    assert.ok(hash.startsWith(`pbkdf2_sha256$${fx.djangoDefaultIterations}$`));
    const [r] = await call<boolean>({ op: 'verify', items: [{ hash, password: fx.password }] });
    assert.equal(r.value, true);
    // Computed without one oversized call: deriveBits was not asked for the full count.
    assert.deepEqual(r.derived.filter((n) => n > CAP), []);
  });

  test('argon2 and unknown shapes are refused as unverifiable, not as wrong passwords', async () => {
    const r = await call({
      op: 'verify',
      items: [
        // Shape only (argon2-cffi is not installed here): the runtime must not pretend to check it.
        { hash: 'argon2$argon2id$v=19$m=102400,t=2,p=8$c29tZXNhbHQ$kHC0A2xY6r3b3Ba0GjvFHg', password: fx.password },
        { hash: 'not-a-hash', password: fx.password },
      ],
    });
    assert.match(r[0].error ?? '', /^UnsupportedHashError: django-argon2 cannot be verified/);
    assert.match(r[1].error ?? '', /^UnsupportedHashError/);
  });
});

describe('rehash on login', () => {
  test('the native hash verifies in exactly one PBKDF2 call of at most 100,000 iterations', async () => {
    const made = await call<string>({ op: 'hash', items: [{ password: fx.password }, { password: fx.password, pepper: 'pepper-secret' }] });
    const [plain, peppered] = made.map((m) => m.value!);
    assert.match(plain, /^\$fl-pbkdf2-sha256\$i=100000\$/);
    assert.match(peppered, /^\$fl-pbkdf2-sha256\$i=100000,pepper=1\$/);
    const r = await call<boolean>({
      op: 'verify',
      items: [
        { hash: plain, password: fx.password },
        { hash: plain, password: fx.wrong },
        { hash: peppered, password: fx.password, pepper: 'pepper-secret' },
        { hash: peppered, password: fx.password, pepper: 'another-secret' },
        { hash: peppered, password: fx.password },
      ],
    });
    assert.deepEqual(r.map((x) => x.value), [true, false, true, false, undefined]);
    assert.deepEqual(r[0].derived, [CAP]);
    assert.deepEqual(r[2].derived, [CAP]);
    assert.equal(r[0].needsRehash, false);
    assert.equal(r[2].needsRehash, false);
    assert.match(r[4].error ?? '', /pepper/);
  });
});

describe('JWTs', () => {
  const opts = { algorithms: ['HS256', 'HS384', 'HS512'], audience: 'app', issuer: 'https://old.example.com' };

  test('PyJWT and python-jose tokens verify; expired, tampered, wrong-audience, wrong-secret and early ones are refused', async () => {
    const t = fx.tokens;
    const [head, body, sig] = t['pyjwt-HS256'].split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${head}.${Buffer.from(JSON.stringify({ ...claims, sub: '1' })).toString('base64url')}.${sig}`;
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${body}.`;
    const items = [
      ...['pyjwt-HS256', 'pyjwt-HS384', 'pyjwt-HS512', 'jose-HS256', 'jose-HS512'].map((k) => ({ token: t[k], secret: fx.secret, options: opts })),
      { token: t['pyjwt-expired'], secret: fx.secret, options: opts },
      { token: tampered, secret: fx.secret, options: opts },
      { token: t['pyjwt-wrong-audience'], secret: fx.secret, options: opts },
      { token: t['pyjwt-other-secret'], secret: fx.secret, options: opts },
      { token: t['pyjwt-not-before'], secret: fx.secret, options: opts },
      { token: none, secret: fx.secret, options: opts },
      // Algorithm pinning: an HS512 token when only HS256 was asked for.
      { token: t['pyjwt-HS512'], secret: fx.secret, options: { ...opts, algorithms: ['HS256'] } },
      // Leeway: expired two minutes ago, accepted with five minutes of leeway.
      { token: t['pyjwt-expired'], secret: fx.secret, options: { ...opts, leeway: 300 } },
    ];
    const r = await call<Record<string, unknown>>({ op: 'jwt-verify', items });
    for (let i = 0; i < 5; i++) {
      assert.equal(r[i].error, undefined, r[i].error);
      assert.equal(r[i].value?.sub, '42');
    }
    assert.deepEqual(r.slice(5, 12).map((x) => x.code), ['expired', 'signature', 'audience', 'signature', 'not-yet-valid', 'algorithm', 'algorithm']);
    assert.equal(r[12].value?.sub, '42');
  });
});

describe('what the runtime makes, the Python libraries accept', () => {
  test('runtime tokens verify with PyJWT and python-jose; Django- and werkzeug-format hashes with Django and werkzeug', async () => {
    const signed = await call<string>({
      op: 'jwt-sign',
      items: (['HS256', 'HS384', 'HS512'] as const).flatMap((alg) => [
        { payload: { sub: '7', role: 'admin' }, secret: fx.secret, options: { algorithm: alg, expiresIn: 600, audience: 'app', issuer: 'https://new.example.com' } },
      ]).concat([{ payload: { sub: '7', role: 'admin' }, secret: fx.secret, options: { algorithm: 'HS256', expiresIn: -120, audience: 'app', issuer: 'https://new.example.com' } }]),
    });
    const hashes = await call<string>({
      op: 'hash',
      items: [{ password: fx.password, format: 'django-pbkdf2_sha256' }, { password: fx.password, format: 'werkzeug-pbkdf2:sha256' }, { password: fx.password }, { password: fx.password, format: 'bcrypt' }],
    });
    const checked = await checkWithPython({
      tokens: signed.map((s, i) => ({ token: s.value!, alg: ['HS256', 'HS384', 'HS512', 'HS256'][i], audience: 'app', issuer: 'https://new.example.com' })),
      hashes: [
        { hash: hashes[0].value!, library: 'django' },
        { hash: hashes[1].value!, library: 'werkzeug' },
        { hash: hashes[2].value!, library: 'hashlib' },
        // Django reads bare bcrypt through its BCryptPasswordHasher's `bcrypt$` prefix.
        { hash: `bcrypt$${hashes[3].value!}`, library: 'django' },
      ],
    });
    for (let i = 0; i < 3; i++) {
      assert.deepEqual((checked.tokens[i].pyjwt as Record<string, unknown>).role, 'admin');
      assert.deepEqual((checked.tokens[i].jose as Record<string, unknown>).sub, '7');
    }
    assert.equal(checked.tokens[3].pyjwt, 'ExpiredSignatureError');
    assert.equal(checked.tokens[3].jose, 'ExpiredSignatureError');
    assert.deepEqual(checked.hashes, Array(4).fill({ right: true, wrong: false }));
  });
});

describe('plan on a Django-made database', () => {
  test('reports the PBKDF2 iteration count, that production Workers cannot verify it in one call, and the measured CPU time', async () => {
    const { plan: p } = await plan({ from: `sqlite:${fx.django.db}` });
    const column = p.passwordHashes?.find((c) => c.table === 'auth_user' && c.column === 'password');
    assert.ok(column, 'auth_user.password found by its values');
    assert.equal(column.sampledRows, fx.django.users);
    const pbkdf2 = column.formats.find((f) => f.format === 'django-pbkdf2_sha256');
    assert.ok(pbkdf2);
    assert.equal(pbkdf2.count, 12);
    assert.deepEqual(pbkdf2.iterations, [fx.djangoDefaultIterations]);
    assert.equal(pbkdf2.workersOneCall, false);
    assert.ok(pbkdf2.verifyCpuMs !== undefined && pbkdf2.verifyCpuMs > 0);
    assert.deepEqual(column.formats.map((f) => [f.format, f.count]).sort(), [['django-bcrypt_sha256', 1], ['django-pbkdf2_sha256', 12], ['unsalted-md5', 1]]);
    const finding = p.findings.find((f) => f.code === 'password-hash-over-workers-pbkdf2-cap' && f.object === 'auth_user.password');
    assert.ok(finding, 'a finding for the over-cap PBKDF2 hashes');
    assert.match(finding.message, new RegExp(`12 django-pbkdf2_sha256 hashes at ${fx.djangoDefaultIterations.toLocaleString('en-US')} iterations`));
    assert.match(finding.message, /cannot verify .* in one call/);
    assert.match(finding.message, /\d+(\.\d+)? ms of CPU/);
    assert.ok(p.findings.some((f) => f.code === 'password-hash-weak' && f.object === 'auth_user.password'));
    assert.ok(p.findings.some((f) => f.code === 'password-hash-bcrypt' && f.object === 'auth_user.password'));
    // Other text columns (usernames, emails, content type names) hold no hashes.
    assert.deepEqual(p.passwordHashes?.map((c) => `${c.table}.${c.column}`), ['auth_user.password']);
  });
});

describe('plan on PostgreSQL finds hash columns by their values', () => {
  const DB = 'fl_i12_hashes';
  after(() => dropPgDatabase(DB));

  test('`plan --json` reports a column named for nothing in particular, and leaves look-alike hex alone', async () => {
    await freshPgDatabase(DB, [
      'CREATE TABLE accounts (id int PRIMARY KEY, email text, credential varchar(200), etag char(32), note text)',
    ]);
    const h = fx.hashes;
    const credentials = [h['werkzeug-pbkdf2:sha256'], h['werkzeug-pbkdf2:sha256-50000'], h['bcrypt-2b'], h['passlib-bcrypt'], h['werkzeug-scrypt']];
    await withPg(DB, async (c) => {
      for (const [i, cred] of credentials.entries()) {
        // etag: bare 32-digit hex, the shape of an unsalted MD5, in a column whose name says checksum.
        await c.query('INSERT INTO accounts VALUES ($1, $2, $3, md5($2), $4)', [i, `u${i}@example.com`, cred, 'a note long enough to be looked at by the scan']);
      }
    });
    const r = await runCli(['plan', '--from', pgUrl(DB), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const p = JSON.parse(r.stdout) as PlanResult;
    assert.deepEqual(p.passwordHashes?.map((c) => `${c.table}.${c.column}`), ['accounts.credential']);
    const formats = Object.fromEntries(p.passwordHashes![0].formats.map((f) => [f.format, f]));
    assert.deepEqual(formats['werkzeug-pbkdf2:sha256'].iterations, [50_000, 260_000]);
    assert.equal(formats['werkzeug-pbkdf2:sha256'].workersOneCall, false);
    assert.deepEqual(formats.bcrypt.cost, [10]);
    assert.equal(formats.bcrypt.count, 2);
    assert.equal(formats['werkzeug-scrypt'].count, 1);
    const codes = p.findings.filter((f) => f.object === 'accounts.credential').map((f) => f.code).sort();
    assert.deepEqual(codes, ['password-hash-bcrypt', 'password-hash-over-workers-pbkdf2-cap', 'password-hash-scrypt']);
    // No secret value reaches the report: hashes are described, never printed.
    for (const cred of credentials) assert.ok(!r.stdout.includes(cred.split('$').pop()!));
  });
});

describe("the README's login recipe, run as written in a Worker with D1", () => {
  let recipe: Miniflare;
  const PEPPER = 'a-pepper-from-wrangler-secret';

  before(async () => {
    const readme = await readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const block = /### Recipe: a login handler with D1\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme);
    assert.ok(block, 'README has the recipe');
    // The production PBKDF2 cap goes in first, then the recipe verbatim.
    const code = `import './test/helpers/production-pbkdf2-cap.ts';\n${block[1]}`;
    const { Miniflare } = await import('miniflare');
    recipe = new Miniflare({
      modules: true,
      script: (await bundleWorker({ code })).code,
      compatibilityDate: '2025-09-01',
      d1Databases: ['DB'],
      bindings: { JWT_SECRET: fx.secret, PASSWORD_PEPPER: PEPPER },
    });
    // The users as Django left them, in the D1 table the recipe reads.
    const Database = (await import('better-sqlite3')).default;
    const django = new Database(fx.django.db, { readonly: true });
    const users = django.prepare('SELECT id, username, email, password FROM auth_user').all() as { id: number; username: string; email: string; password: string }[];
    django.close();
    const db = await recipe.getD1Database('DB');
    await db.exec('CREATE TABLE auth_user (id INTEGER PRIMARY KEY, username TEXT, email TEXT, password TEXT)');
    await db.batch(users.map((u) => db.prepare('INSERT INTO auth_user VALUES (?, ?, ?, ?)').bind(u.id, u.username, u.email, u.password)));
  });
  after(() => recipe?.dispose());

  const login = (email: string, password: string) =>
    recipe.dispatchFetch('http://worker.test/login', { method: 'POST', body: JSON.stringify({ email, password }) });
  const stored = async (email: string) =>
    (await (await recipe.getD1Database('DB')).prepare('SELECT id, password FROM auth_user WHERE email = ?').bind(email).first<{ id: number; password: string }>())!;

  test('verifies the Django hash, rehashes it in D1 on login, issues a JWT the API accepts', async () => {
    const email = 'user3@example.com';
    const before = await stored(email);
    assert.match(before.password, /^pbkdf2_sha256\$/);
    assert.equal((await login(email, fx.wrong)).status, 401);
    assert.equal((await login('nobody@example.com', fx.password)).status, 401);
    assert.equal((await stored(email)).password, before.password, 'a failed login changes nothing');

    const ok = await login(email, `${fx.password}3`);
    assert.equal(ok.status, 200);
    const { token } = (await ok.json()) as { token: string };
    const after = await stored(email);
    assert.match(after.password, /^\$fl-pbkdf2-sha256\$i=100000,pepper=1\$/);

    // The second login checks the new hash (one native call) and leaves it alone.
    assert.equal((await login(email, `${fx.password}3`)).status, 200);
    assert.equal((await stored(email)).password, after.password);
    assert.equal((await login(email, fx.wrong)).status, 401);

    const me = await recipe.dispatchFetch('http://worker.test/me', { headers: { Authorization: `Bearer ${token}` } });
    assert.deepEqual(await me.json(), { user: String(before.id) });
    assert.equal((await recipe.dispatchFetch('http://worker.test/me', { headers: { Authorization: `Bearer ${token}x` } })).status, 401);
    assert.equal((await recipe.dispatchFetch('http://worker.test/me')).status, 401);
  });

  test('an account whose hash cannot be checked is sent to a password reset, not told it is wrong', async () => {
    const db = await recipe.getD1Database('DB');
    await db.prepare('UPDATE auth_user SET password = ? WHERE email = ?').bind('$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo', 'user5@example.com').run();
    const r = await login('user5@example.com', `${fx.password}5`);
    assert.equal(r.status, 409);
  });
});
