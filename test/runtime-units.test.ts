// flarelift/runtime's refusals, checked in Node (the Worker test covers the interop): every JWT
// claim check and malformed input, the rehash policy, and the limits hashPassword enforces.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { hashPassword, JwtError, needsRehash, signJwt, verifyJwt, verifyPassword, type VerifyOptions } from '../src/runtime/index.js';

const SECRET = 'unit-test-secret-of-32-bytes-or-more';
const NOW = 1_800_000_000;

async function refusal(token: string, options: VerifyOptions, secret = SECRET): Promise<string> {
  try {
    await verifyJwt(token, secret, { now: NOW, ...options });
  } catch (e) {
    assert.ok(e instanceof JwtError, String(e));
    assert.ok(!e.message.includes(token), 'the message never holds the token');
    return e.code;
  }
  return 'accepted';
}

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

describe('verifyJwt refuses', () => {
  test('each failed claim check with its code, and accepts within leeway', async () => {
    const sign = (claims: Record<string, unknown>) => signJwt(claims, SECRET, { now: NOW });
    assert.equal(await refusal(await sign({ iss: 'a' }), { issuer: 'b' }), 'issuer');
    assert.equal(await refusal(await sign({ iss: 'a' }), { issuer: ['b', 'a'] }), 'accepted');
    assert.equal(await refusal(await sign({}), { require: ['sub'] }), 'missing-claim');
    assert.equal(await refusal(await sign({ iat: NOW + 60 }), {}), 'issued-in-future');
    assert.equal(await refusal(await sign({ iat: NOW - 600 }), { maxAge: 300 }), 'expired');
    assert.equal(await refusal(await sign({ nbf: NOW + 20 }), {}), 'not-yet-valid');
    assert.equal(await refusal(await sign({ nbf: NOW + 20 }), { leeway: 30 }), 'accepted');
    assert.equal(await refusal(await sign({ exp: NOW }), {}), 'expired');
    assert.equal(await refusal(await sign({ aud: ['x', 'app'] }), { audience: 'app' }), 'accepted');
    assert.equal(await refusal(await sign({ aud: 'app' }), {}), 'audience');
    assert.equal(await refusal(await sign({}), { audience: 'app' }), 'audience');
    assert.equal(await refusal(await sign({ exp: 'tomorrow' }), {}), 'malformed');
  });

  test('malformed tokens, foreign algorithms and other secrets', async () => {
    const good = await signJwt({ sub: '1' }, SECRET, { now: NOW });
    const [h, p, s] = good.split('.');
    assert.equal(await refusal(`${h}.${p}`, {}), 'malformed');
    assert.equal(await refusal(`${h}.${p}.${s}.x`, {}), 'malformed');
    assert.equal(await refusal(`${h}.${p}!.${s}`, {}), 'signature');
    assert.equal(await refusal(`${b64('[1]')}.${p}.${s}`, {}), 'malformed');
    // Correctly signed, but the payload is not a JSON object.
    const array = `${h}.${b64('[1]')}`;
    assert.equal(await refusal(`${array}.${createHmac('sha256', SECRET).update(array).digest('base64url')}`, {}), 'malformed');
    assert.equal(await refusal(`${b64({ alg: 'none' })}.${p}.`, { algorithms: ['HS256'] }), 'algorithm');
    assert.equal(await refusal(`${b64({ alg: 'RS256' })}.${p}.${s}`, {}), 'algorithm');
    assert.equal(await refusal(`${b64({ alg: 'HS256', crit: ['exp'] })}.${p}.${s}`, {}), 'malformed');
    assert.equal(await refusal(good, { algorithms: ['none' as 'HS256'] }), 'algorithm');
    assert.equal(await refusal(good, {}, `${SECRET}!`), 'signature');
    assert.equal(await refusal(`${h}.${p}.${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`, {}), 'signature');
    assert.equal(await refusal(`${h}.${p}.${s.slice(0, -4)}`, {}), 'signature');
    assert.equal(await refusal(good, {}), 'accepted');
  });
});

describe('passwords', () => {
  test('needsRehash follows the iteration count and the pepper asked for', async () => {
    const plain = await hashPassword('pw', { iterations: 1000 });
    assert.equal(needsRehash(plain, { iterations: 1000 }), false);
    assert.equal(needsRehash(plain), true, 'default is 100,000');
    assert.equal(needsRehash(plain, { iterations: 1000, pepper: 'p' }), true);
    const peppered = await hashPassword('pw', { iterations: 1000, pepper: 'p' });
    assert.equal(needsRehash(peppered, { iterations: 1000, pepper: 'p' }), false);
    assert.equal(needsRehash(peppered, { iterations: 1000 }), true);
    assert.equal(await verifyPassword(peppered, 'pw', { pepper: 'p' }), true);
    assert.equal(needsRehash('whatever'), true);
  });

  test('hashPassword keeps within one production deriveBits call and never writes weak formats', async () => {
    await assert.rejects(hashPassword('pw', { iterations: 100_001 }), RangeError);
    await assert.rejects(hashPassword('pw', { iterations: 0 }), RangeError);
    await assert.rejects(hashPassword('pw', { format: 'django-pbkdf2_sha256', pepper: 'p' }), /pepper/);
    await assert.rejects(hashPassword('pw', { format: 'md5' as 'bcrypt' }), /unknown hash format/);
    const a = await hashPassword('pw', { iterations: 1000 });
    const b = await hashPassword('pw', { iterations: 1000 });
    assert.notEqual(a, b, 'a fresh salt each time');
  });
});
