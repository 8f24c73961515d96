// `flarelift/runtime`: what a Worker needs after the move to keep users logged in — verify the
// password hashes the old backend stored, rehash them on login into a format production Workers
// verify in one call, and sign/verify the HS* JWTs it issued. Web-platform APIs only (WebCrypto,
// TextEncoder); nothing from Node and nothing from the rest of flarelift.
export { verifyPassword, needsRehash, hashPassword, timingSafeEqual, UnsupportedHashError, DEFAULT_ITERATIONS } from './passwords.js';
export type { HashFormat, HashOptions, PepperOption } from './passwords.js';
export { parseHash, verifiableInOneCall, WORKERS_PBKDF2_MAX_ITERATIONS } from './formats.js';
export type { ParsedHash } from './formats.js';
export { signJwt, verifyJwt, JwtError } from './jwt.js';
export type { JwtAlgorithm, JwtClaims, JwtErrorCode, SignOptions, VerifyOptions } from './jwt.js';
