// HS256/HS384/HS512 JSON Web Tokens (RFC 7519) with WebCrypto, interchangeable with PyJWT and
// python-jose: same header, same claim checks, same leeway semantics.
import { bufferSource, constantTimeEqual, fromBase64Url, toBase64Url, utf8Bytes, utf8Text } from './encoding.js';

export type JwtAlgorithm = 'HS256' | 'HS384' | 'HS512';

const HASHES: Record<JwtAlgorithm, string> = { HS256: 'SHA-256', HS384: 'SHA-384', HS512: 'SHA-512' };

export type JwtClaims = Record<string, unknown> & {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
};

export type JwtErrorCode = 'malformed' | 'algorithm' | 'signature' | 'expired' | 'not-yet-valid' | 'issued-in-future' | 'audience' | 'issuer' | 'missing-claim';

/** Every refusal of `verifyJwt`; `code` says which check failed. The message never holds the token. */
export class JwtError extends Error {
  constructor(readonly code: JwtErrorCode, message: string) {
    super(message);
    this.name = 'JwtError';
  }
}

export interface SignOptions {
  /** Default HS256. */
  algorithm?: JwtAlgorithm;
  /** Seconds from now until `exp`. */
  expiresIn?: number;
  /** Seconds from now until `nbf`. */
  notBefore?: number;
  audience?: string | string[];
  issuer?: string;
  subject?: string;
  /** Adds `iat` (default true). */
  issuedAt?: boolean;
  /** Extra header fields, e.g. `kid`. `alg` and `typ` are always set by the signer. */
  header?: Record<string, string>;
  /** Seconds since the epoch to treat as now (tests, replays). */
  now?: number;
}

export interface VerifyOptions {
  /**
   * The algorithms accepted, default ['HS256']. The token's header must name one of them:
   * this pins the algorithm so a token cannot choose `none` or another key type.
   */
  algorithms?: JwtAlgorithm[];
  /** When set, `aud` must be (or contain) one of these. A token with `aud` is refused when unset, as PyJWT does. */
  audience?: string | string[];
  /** When set, `iss` must be one of these. */
  issuer?: string | string[];
  /** Seconds of clock skew tolerated on exp, nbf and iat (default 0). */
  leeway?: number;
  /** Claims that must be present, e.g. ['exp', 'sub']. */
  require?: string[];
  /** Refuse tokens whose iat is older than this many seconds. */
  maxAge?: number;
  now?: number;
}

type Secret = string | Uint8Array;

async function hmacKey(secret: Secret, alg: JwtAlgorithm): Promise<CryptoKey> {
  const raw = typeof secret === 'string' ? utf8Bytes(secret) : secret;
  if (raw.length === 0) throw new JwtError('signature', 'empty JWT secret');
  return crypto.subtle.importKey('raw', bufferSource(raw), { name: 'HMAC', hash: HASHES[alg] }, false, ['sign']);
}

async function mac(secret: Secret, alg: JwtAlgorithm, signingInput: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret, alg), bufferSource(utf8Bytes(signingInput))));
}

function encodeJson(value: unknown): string {
  return toBase64Url(utf8Bytes(JSON.stringify(value)));
}

function decodeJson(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(utf8Text(fromBase64Url(part)));
  } catch {
    throw new JwtError('malformed', `JWT ${what} is not base64url JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JwtError('malformed', `JWT ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

const nowSeconds = (now?: number) => now ?? Math.floor(Date.now() / 1000);

export async function signJwt(payload: JwtClaims, secret: Secret, options: SignOptions = {}): Promise<string> {
  const alg = options.algorithm ?? 'HS256';
  if (!(alg in HASHES)) throw new JwtError('algorithm', `unsupported JWT algorithm ${alg}`);
  const now = nowSeconds(options.now);
  const claims: JwtClaims = { ...payload };
  if (options.issuedAt !== false && claims.iat === undefined) claims.iat = now;
  if (options.expiresIn !== undefined) claims.exp = now + options.expiresIn;
  if (options.notBefore !== undefined) claims.nbf = now + options.notBefore;
  if (options.audience !== undefined) claims.aud = options.audience;
  if (options.issuer !== undefined) claims.iss = options.issuer;
  if (options.subject !== undefined) claims.sub = options.subject;
  const header = { ...options.header, alg, typ: 'JWT' };
  const input = `${encodeJson(header)}.${encodeJson(claims)}`;
  return `${input}.${toBase64Url(await mac(secret, alg, input))}`;
}

function numericClaim(claims: JwtClaims, name: 'exp' | 'nbf' | 'iat'): number | undefined {
  const v = claims[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new JwtError('malformed', `JWT ${name} claim must be a number`);
  return v;
}

function checkTimes(claims: JwtClaims, options: VerifyOptions): void {
  const now = nowSeconds(options.now);
  const leeway = options.leeway ?? 0;
  const exp = numericClaim(claims, 'exp');
  const nbf = numericClaim(claims, 'nbf');
  const iat = numericClaim(claims, 'iat');
  // PyJWT's rules: expired when exp <= now - leeway; not yet valid when nbf > now + leeway.
  if (exp !== undefined && exp <= now - leeway) throw new JwtError('expired', 'JWT has expired');
  if (nbf !== undefined && nbf > now + leeway) throw new JwtError('not-yet-valid', 'JWT is not valid yet (nbf)');
  if (iat !== undefined && iat > now + leeway) throw new JwtError('issued-in-future', 'JWT was issued in the future (iat)');
  if (options.maxAge !== undefined) {
    if (iat === undefined) throw new JwtError('missing-claim', 'JWT has no iat claim, needed for maxAge');
    if (iat + options.maxAge < now - leeway) throw new JwtError('expired', 'JWT is older than maxAge');
  }
}

function checkClaims(claims: JwtClaims, options: VerifyOptions): void {
  for (const name of options.require ?? []) {
    if (claims[name] === undefined) throw new JwtError('missing-claim', `JWT has no ${name} claim`);
  }
  const aud = claims.aud;
  if (options.audience !== undefined) {
    const wanted = ([] as string[]).concat(options.audience);
    const given = aud === undefined ? [] : ([] as unknown[]).concat(aud);
    if (!given.every((a) => typeof a === 'string')) throw new JwtError('malformed', 'JWT aud claim must be a string or strings');
    if (!given.some((a) => wanted.includes(a as string))) throw new JwtError('audience', 'JWT audience is not accepted');
  } else if (aud !== undefined) {
    throw new JwtError('audience', 'JWT has an audience but none was expected (pass options.audience)');
  }
  if (options.issuer !== undefined) {
    const wanted = ([] as string[]).concat(options.issuer);
    if (typeof claims.iss !== 'string' || !wanted.includes(claims.iss)) throw new JwtError('issuer', 'JWT issuer is not accepted');
  }
}

/**
 * Resolves to the token's claims when its signature, algorithm and claims all check out;
 * rejects with JwtError otherwise.
 */
export async function verifyJwt(token: string, secret: Secret, options: VerifyOptions = {}): Promise<JwtClaims> {
  const algorithms = options.algorithms ?? ['HS256'];
  for (const a of algorithms) if (!(a in HASHES)) throw new JwtError('algorithm', `unsupported JWT algorithm ${String(a)}`);
  if (typeof token !== 'string') throw new JwtError('malformed', 'JWT must be a string');
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtError('malformed', 'JWT must have three dot-separated parts');
  const [h, p, sig] = parts;
  const header = decodeJson(h, 'header');
  const alg = header.alg;
  // Pinning: the header may only name an algorithm the caller asked for, which excludes `none`.
  if (typeof alg !== 'string' || !(algorithms as string[]).includes(alg)) throw new JwtError('algorithm', `JWT algorithm ${String(alg)} is not accepted`);
  if (header.crit !== undefined) throw new JwtError('malformed', 'JWT crit header extensions are not supported');
  let given: Uint8Array;
  try {
    given = fromBase64Url(sig);
  } catch {
    throw new JwtError('malformed', 'JWT signature is not base64url');
  }
  const expected = await mac(secret, alg as JwtAlgorithm, `${h}.${p}`);
  if (!constantTimeEqual(expected, given)) throw new JwtError('signature', 'JWT signature does not match');
  const claims = decodeJson(p, 'payload') as JwtClaims;
  checkTimes(claims, options);
  checkClaims(claims, options);
  return claims;
}
