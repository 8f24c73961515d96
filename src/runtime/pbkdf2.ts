// PBKDF2 within production Workers' limit: one native `deriveBits` call when the count allows it,
// otherwise the same function computed in JavaScript.
import { pbkdf2 as pbkdf2Js } from '@noble/hashes/pbkdf2';
import { sha1 } from '@noble/hashes/legacy';
import { sha256, sha512 } from '@noble/hashes/sha2';
import { bufferSource } from './encoding.js';
import { WORKERS_PBKDF2_MAX_ITERATIONS, type Pbkdf2Digest } from './formats.js';

const JS_DIGESTS = { 'SHA-1': sha1, 'SHA-256': sha256, 'SHA-512': sha512 } as const;

/**
 * PBKDF2-HMAC (RFC 8018 §5.2) of `password` and `salt`, `bytes` long.
 *
 * Production workerd throws NotSupportedError for more than 100,000 iterations in one call, and
 * PBKDF2 cannot be split into several calls: block i is T = U1 ⊕ U2 ⊕ … ⊕ Uc with
 * U1 = HMAC(P, S ‖ INT(i)) and Uj = HMAC(P, Uj−1); a call returns only the XOR sum, never the
 * last U that the next segment would have to start from, and a fresh call always starts from
 * S ‖ INT(i). So above the cap the runtime computes that same chain itself, with @noble/hashes'
 * RFC 8018 implementation (it keys HMAC once and clones the keyed inner/outer states for each
 * Uj, so one iteration is two compression-function calls). Measured here that is about 8 times
 * faster than chaining `crypto.subtle.sign('HMAC')` calls, whose per-call promise overhead
 * dominates at hundreds of thousands of iterations. The tests check both paths against hashes made by
 * Django, passlib and werkzeug.
 */
export async function pbkdf2(digest: Pbkdf2Digest, password: Uint8Array, salt: Uint8Array, iterations: number, bytes: number): Promise<Uint8Array> {
  if (!Number.isSafeInteger(iterations) || iterations < 1) throw new RangeError('PBKDF2 iterations must be a positive integer');
  if (iterations <= WORKERS_PBKDF2_MAX_ITERATIONS) {
    const key = await crypto.subtle.importKey('raw', bufferSource(password), 'PBKDF2', false, ['deriveBits']);
    const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: digest, salt: bufferSource(salt), iterations }, key, bytes * 8);
    return new Uint8Array(bits);
  }
  return pbkdf2Js(JS_DIGESTS[digest], password, salt, { c: iterations, dkLen: bytes });
}
