// Recognizes stored password hashes by their shape and reads their parameters. Pure string work
// (no crypto), shared by the Worker-side verifier and by `plan`'s scan of source columns.
import { fromBase64, fromHex, utf8Bytes } from './encoding.js';

export type Pbkdf2Digest = 'SHA-1' | 'SHA-256' | 'SHA-512';

/** The format this runtime writes: PBKDF2-SHA256 at a count one production `deriveBits` call accepts. */
export const NATIVE_PREFIX = '$fl-pbkdf2-sha256$';

/** Production Workers refuse PBKDF2 above this many iterations in one `deriveBits` call. */
export const WORKERS_PBKDF2_MAX_ITERATIONS = 100_000;

interface Base {
  /** Stable name of the format, used in plan findings: 'django-pbkdf2_sha256', 'bcrypt', ... */
  format: string;
}

export interface Pbkdf2Hash extends Base {
  kind: 'pbkdf2';
  digest: Pbkdf2Digest;
  iterations: number;
  /** The salt's bytes as the hashing library fed them to PBKDF2. */
  salt: Uint8Array;
  /** Expected derived key. */
  hash: Uint8Array;
  /** Only the native format: the password was first keyed with a server-side secret. */
  peppered?: boolean;
}

export interface BcryptHash extends Base {
  kind: 'bcrypt';
  cost: number;
  /** The `$2?$NN$<salt><checksum>` part bcrypt itself reads. */
  bcrypt: string;
  /** Django's bcrypt_sha256 feeds bcrypt the hex SHA-256 of the password (no 72-byte truncation). */
  prehash?: 'sha256-hex';
}

export interface ScryptHash extends Base {
  kind: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: Uint8Array;
  hash: Uint8Array;
}

export interface DigestHash extends Base {
  kind: 'digest';
  algorithm: 'md5' | 'sha1';
  /** Salted forms: Django hashes salt + password; werkzeug < 2.3 HMACs the password with the salt. */
  salt?: string;
  hex: string;
}

export interface Argon2Hash extends Base {
  kind: 'argon2';
  variant: string;
  memoryKiB: number;
  time: number;
  parallelism: number;
}

export type ParsedHash = Pbkdf2Hash | BcryptHash | ScryptHash | DigestHash | Argon2Hash;

const BCRYPT = /^\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53}$/;
const B64 = '[A-Za-z0-9+/=._-]';

function int(text: string): number | undefined {
  if (!/^\d{1,10}$/.test(text)) return undefined;
  return Number(text);
}

function decode(text: string, how: 'base64' | 'hex'): Uint8Array | undefined {
  try {
    return how === 'hex' ? fromHex(text) : fromBase64(text);
  } catch {
    return undefined;
  }
}

const text = utf8Bytes;

function pbkdf2(format: string, digest: Pbkdf2Digest, iterations: string, salt: Uint8Array | undefined, hash: Uint8Array | undefined, peppered?: boolean): Pbkdf2Hash | undefined {
  const n = int(iterations);
  if (!n || !salt || !hash || hash.length === 0) return undefined;
  return { kind: 'pbkdf2', format, digest, iterations: n, salt, hash, ...(peppered ? { peppered } : {}) };
}

const DIGESTS: Record<string, Pbkdf2Digest> = { sha1: 'SHA-1', sha256: 'SHA-256', sha512: 'SHA-512' };

/** Reads a stored hash; undefined when it has none of the known shapes. */
export function parseHash(stored: string): ParsedHash | undefined {
  const s = stored.trim();
  if (s.length > 1024) return undefined;
  let m: RegExpMatchArray | null;

  // flarelift's own: $fl-pbkdf2-sha256$i=100000[,pepper=1]$<salt b64>$<key b64>
  if ((m = s.match(new RegExp(`^\\$fl-pbkdf2-sha256\\$i=(\\d+)(,pepper=1)?\\$(${B64}+)\\$(${B64}+)$`)))) {
    return pbkdf2('flarelift-pbkdf2-sha256', 'SHA-256', m[1], decode(m[3], 'base64'), decode(m[4], 'base64'), !!m[2]);
  }
  // Django: pbkdf2_sha256$<iterations>$<salt text>$<key b64>
  if ((m = s.match(/^pbkdf2_(sha256|sha1)\$(\d+)\$([^$]+)\$([A-Za-z0-9+/=]+)$/))) {
    return pbkdf2(`django-pbkdf2_${m[1]}`, DIGESTS[m[1]], m[2], text(m[3]), decode(m[4], 'base64'));
  }
  // passlib: $pbkdf2-sha256$<rounds>$<ab64 salt>$<ab64 key>, `$pbkdf2$` being SHA-1
  if ((m = s.match(/^\$pbkdf2(?:-(sha256|sha512))?\$(\d+)\$([./A-Za-z0-9]*)\$([./A-Za-z0-9]+)$/))) {
    const d = m[1] ?? 'sha1';
    return pbkdf2(`passlib-pbkdf2_${d}`, DIGESTS[d], m[2], m[3] === '' ? new Uint8Array(0) : decode(m[3], 'base64'), decode(m[4], 'base64'));
  }
  // werkzeug: pbkdf2:sha256:<iterations>$<salt text>$<key hex>
  if ((m = s.match(/^pbkdf2:(sha256|sha1|sha512):(\d+)\$([^$]+)\$([0-9a-f]+)$/))) {
    return pbkdf2(`werkzeug-pbkdf2:${m[1]}`, DIGESTS[m[1]], m[2], text(m[3]), decode(m[4], 'hex'));
  }
  if ((m = s.match(BCRYPT))) return { kind: 'bcrypt', format: 'bcrypt', cost: Number(m[1]), bcrypt: s };
  if ((m = s.match(/^bcrypt(_sha256)?\$(\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53})$/))) {
    return {
      kind: 'bcrypt',
      format: m[1] ? 'django-bcrypt_sha256' : 'django-bcrypt',
      cost: Number(m[3]),
      bcrypt: m[2],
      ...(m[1] ? { prehash: 'sha256-hex' as const } : {}),
    };
  }
  // Django >= 4: scrypt$<N>$<salt text>$<r>$<p>$<key b64> (64-byte key)
  if ((m = s.match(/^scrypt\$(\d+)\$([^$]+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)$/))) {
    const salt = text(m[2]);
    const hash = decode(m[5], 'base64');
    const [N, r, p] = [int(m[1]), int(m[3]), int(m[4])];
    if (N && r && p && hash) return { kind: 'scrypt', format: 'django-scrypt', N, r, p, salt, hash };
  }
  // werkzeug >= 2.3: scrypt:<N>:<r>:<p>$<salt text>$<key hex> (64-byte key)
  if ((m = s.match(/^scrypt:(\d+):(\d+):(\d+)\$([^$]+)\$([0-9a-f]+)$/))) {
    const [N, r, p] = [int(m[1]), int(m[2]), int(m[3])];
    const hash = decode(m[5], 'hex');
    if (N && r && p && hash) return { kind: 'scrypt', format: 'werkzeug-scrypt', N, r, p, salt: text(m[4]), hash };
  }
  // argon2, bare PHC ($argon2id$...) or Django's argon2$argon2id$...
  if ((m = s.match(/^(argon2)?\$(argon2(?:id|i|d))\$(?:v=\d+\$)?m=(\d+),t=(\d+),p=(\d+)\$[^$]+\$[^$]+$/))) {
    return {
      kind: 'argon2',
      format: m[1] ? 'django-argon2' : 'argon2',
      variant: m[2],
      memoryKiB: Number(m[3]),
      time: Number(m[4]),
      parallelism: Number(m[5]),
    };
  }
  // Salted legacy digests: Django md5$salt$hex / sha1$salt$hex; werkzeug < 2.3 the same shape (HMAC).
  if ((m = s.match(/^(md5|sha1)\$([^$]*)\$([0-9a-f]+)$/))) {
    const algorithm = m[1] as 'md5' | 'sha1';
    if (m[3].length !== (algorithm === 'md5' ? 32 : 40)) return undefined;
    return m[2] === ''
      ? { kind: 'digest', format: `unsalted-${algorithm}`, algorithm, hex: m[3] }
      : { kind: 'digest', format: `salted-${algorithm}`, algorithm, salt: m[2], hex: m[3] };
  }
  return parseBareDigest(s);
}

/**
 * A bare 32- or 40-digit hex string: an unsalted MD5 or SHA-1 of the password (Django's
 * UnsaltedMD5/UnsaltedSHA1, many hand-rolled schemes). The same shape is common for checksums
 * and tokens, so plan only counts it in columns whose name says password or hash.
 */
export function parseBareDigest(s: string): DigestHash | undefined {
  if (/^[0-9a-fA-F]{32}$/.test(s)) return { kind: 'digest', format: 'unsalted-md5', algorithm: 'md5', hex: s.toLowerCase() };
  if (/^[0-9a-fA-F]{40}$/.test(s)) return { kind: 'digest', format: 'unsalted-sha1', algorithm: 'sha1', hex: s.toLowerCase() };
  return undefined;
}

/** True when a production Worker can verify this hash with one native call (or cheap JS digest). */
export function verifiableInOneCall(h: ParsedHash): boolean {
  return h.kind === 'pbkdf2' ? h.iterations <= WORKERS_PBKDF2_MAX_ITERATIONS : h.kind === 'digest';
}
