// Verify the password hashes a backend stored, and rehash them on login into a format a
// production Worker verifies with one native PBKDF2 call.
import { compareSync as bcryptCompare, hashSync as bcryptHash } from 'bcryptjs';
import { md5, sha1 } from '@noble/hashes/legacy';
import { hmac } from '@noble/hashes/hmac';
import { scrypt } from '@noble/hashes/scrypt';
import { sha256 } from '@noble/hashes/sha2';
import { constantTimeEqual, constantTimeEqualText, fromHex, toBase64, toHex, utf8Bytes } from './encoding.js';
import { NATIVE_PREFIX, WORKERS_PBKDF2_MAX_ITERATIONS, parseHash, type DigestHash } from './formats.js';
import { pbkdf2 } from './pbkdf2.js';

/** Thrown for a hash this runtime cannot check (unknown shape, argon2, a pepper that was not given). */
export class UnsupportedHashError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedHashError';
  }
}

export interface PepperOption {
  /**
   * A server-side secret (a Worker secret such as `env.PASSWORD_PEPPER`) mixed into the native
   * format: the PBKDF2 input is HMAC-SHA256(pepper, password), so a stolen database alone cannot
   * be brute-forced. Losing it makes every peppered hash unverifiable.
   */
  pepper?: string;
}

export type HashFormat = 'flarelift-pbkdf2-sha256' | 'django-pbkdf2_sha256' | 'werkzeug-pbkdf2:sha256' | 'bcrypt';

export interface HashOptions extends PepperOption {
  /** Default 'flarelift-pbkdf2-sha256', the format `needsRehash` asks for. */
  format?: HashFormat;
  /** PBKDF2 formats: default and maximum 100,000 (one production `deriveBits` call). */
  iterations?: number;
  /** bcrypt cost, default 10. */
  cost?: number;
}

export const DEFAULT_ITERATIONS = WORKERS_PBKDF2_MAX_ITERATIONS;

async function passwordKey(password: string, peppered: boolean | undefined, options: PepperOption): Promise<Uint8Array> {
  if (!peppered) return utf8Bytes(password);
  if (!options.pepper) throw new UnsupportedHashError('this hash was made with a pepper: pass { pepper } (the same secret) to verify it');
  return hmac(sha256, utf8Bytes(options.pepper), utf8Bytes(password));
}

function verifyDigest(h: DigestHash, password: string): boolean {
  const fn = h.algorithm === 'md5' ? md5 : sha1;
  const expected = fromHex(h.hex);
  if (h.salt === undefined) return constantTimeEqual(fn(utf8Bytes(password)), expected);
  // Django's salted form digests salt + password; werkzeug < 2.3's HMACs the password keyed by the
  // salt. The two share one shape, so both are tried (each costs microseconds).
  const django = constantTimeEqual(fn(utf8Bytes(h.salt + password)), expected);
  const werkzeug = constantTimeEqual(hmac(fn, utf8Bytes(h.salt), utf8Bytes(password)), expected);
  return django || werkzeug;
}

/**
 * True when `password` matches `stored`. Resolves false for a wrong password; rejects with
 * UnsupportedHashError when the hash cannot be checked here (argon2, unknown shapes).
 */
export async function verifyPassword(stored: string, password: string, options: PepperOption = {}): Promise<boolean> {
  const h = parseHash(stored);
  if (!h) throw new UnsupportedHashError('unrecognized password hash format');
  switch (h.kind) {
    case 'pbkdf2': {
      const key = await passwordKey(password, h.peppered, options);
      return constantTimeEqual(await pbkdf2(h.digest, key, h.salt, h.iterations, h.hash.length), h.hash);
    }
    case 'bcrypt': {
      const input = h.prehash ? toHex(sha256(utf8Bytes(password))) : password;
      return bcryptCompare(input, h.bcrypt);
    }
    case 'scrypt': {
      // 128·N·r bytes of memory: Django's default (N=2^14, r=8) needs 16 MiB of a Worker's 128 MB.
      const key = scrypt(utf8Bytes(password), h.salt, { N: h.N, r: h.r, p: h.p, dkLen: h.hash.length, maxmem: 64 * 1024 * 1024 });
      return constantTimeEqual(key, h.hash);
    }
    case 'digest':
      return verifyDigest(h, password);
    case 'argon2':
      throw new UnsupportedHashError(`${h.format} cannot be verified in a Worker (no argon2 in the runtime; ${h.memoryKiB} KiB per check)`);
  }
}

/**
 * True unless `stored` is already in the format `hashPassword` writes with these options: the
 * native format at the wanted iteration count, peppered exactly when a pepper is given.
 * Unrecognized hashes also need a rehash (after a successful login by other means).
 */
export function needsRehash(stored: string, options: PepperOption & { iterations?: number } = {}): boolean {
  const h = parseHash(stored);
  if (!h || h.kind !== 'pbkdf2' || h.format !== 'flarelift-pbkdf2-sha256') return true;
  return h.iterations !== (options.iterations ?? DEFAULT_ITERATIONS) || !!h.peppered !== !!options.pepper;
}

function salt(bytes: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(bytes));
}

/** Django's salts are 22 characters from [a-zA-Z0-9]; werkzeug's 16. */
function textSalt(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  // 62 does not divide 256: drop bytes ≥ 248 so every character is equally likely.
  let out = '';
  while (out.length < length) {
    for (const b of salt(length)) if (b < 248 && out.length < length) out += alphabet[b % 62];
  }
  return out;
}

/**
 * Hashes a password. The default format, `$fl-pbkdf2-sha256$i=<iterations>[,pepper=1]$<salt>$<key>`
 * (16-byte random salt and 32-byte key, both base64 without padding), is verified in one native
 * PBKDF2-SHA256 call. Django's and werkzeug's PBKDF2 formats and bcrypt can be written too, for a
 * backend that still shares the table; weak digests never are.
 */
export async function hashPassword(password: string, options: HashOptions = {}): Promise<string> {
  const format = options.format ?? 'flarelift-pbkdf2-sha256';
  const iterations = options.iterations ?? DEFAULT_ITERATIONS;
  if (format !== 'bcrypt' && (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > WORKERS_PBKDF2_MAX_ITERATIONS)) {
    throw new RangeError(`iterations must be between 1 and ${WORKERS_PBKDF2_MAX_ITERATIONS} (one production deriveBits call)`);
  }
  if (options.pepper !== undefined && format !== 'flarelift-pbkdf2-sha256') throw new UnsupportedHashError('a pepper is only supported by the flarelift-pbkdf2-sha256 format');
  switch (format) {
    case 'flarelift-pbkdf2-sha256': {
      const s = salt(16);
      const key = await pbkdf2('SHA-256', await passwordKey(password, !!options.pepper, options), s, iterations, 32);
      const b64 = (b: Uint8Array) => toBase64(b).replace(/=+$/, '');
      return `${NATIVE_PREFIX}i=${iterations}${options.pepper ? ',pepper=1' : ''}$${b64(s)}$${b64(key)}`;
    }
    case 'django-pbkdf2_sha256': {
      const s = textSalt(22);
      const key = await pbkdf2('SHA-256', utf8Bytes(password), utf8Bytes(s), iterations, 32);
      return `pbkdf2_sha256$${iterations}$${s}$${toBase64(key)}`;
    }
    case 'werkzeug-pbkdf2:sha256': {
      const s = textSalt(16);
      const key = await pbkdf2('SHA-256', utf8Bytes(password), utf8Bytes(s), iterations, 32);
      return `pbkdf2:sha256:${iterations}$${s}$${toHex(key)}`;
    }
    case 'bcrypt':
      return bcryptHash(password, options.cost ?? 10);
    default:
      throw new UnsupportedHashError(`unknown hash format ${String(format)}`);
  }
}

/** Compares two secrets (API keys, reset tokens) in time independent of where they differ. */
export function timingSafeEqual(a: string, b: string): boolean {
  return constantTimeEqualText(a, b);
}
