// Byte encodings the stored hash formats use, and the constant-time comparison every verifier
// ends with. Only Web-platform globals (TextEncoder, btoa, atob), so this runs in a Worker as is.

const utf8 = new TextEncoder();

/**
 * WebCrypto's TypeScript signatures want views over a plain ArrayBuffer, which every array here
 * is (none is shared); this states it once.
 */
export function bufferSource(bytes: Uint8Array): BufferSource {
  return bytes as Uint8Array<ArrayBuffer>;
}

export function utf8Bytes(text: string): Uint8Array {
  return utf8.encode(text);
}

export function utf8Text(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/** Standard base64 with padding (Django's hashes). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/**
 * Decodes standard or URL-safe base64, padded or not. passlib's "ab64" uses `.` for `+`, so that
 * variant is accepted too. Throws on anything else.
 */
export function fromBase64(text: string): Uint8Array {
  let s = text.replace(/-/g, '+').replace(/_/g, '/').replace(/\./g, '+');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new Error('not base64');
  s = s.replace(/=+$/, '');
  if (s.length % 4 === 1) throw new Error('not base64');
  s += '='.repeat((4 - (s.length % 4)) % 4);
  const binary = atob(s);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** URL-safe base64 without padding (JWT, RFC 7515 §2). */
export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
  return fromBase64(text);
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export function fromHex(text: string): Uint8Array {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(text)) throw new Error('not hex');
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * Compares two byte strings in time that depends only on their lengths, never on where they
 * first differ, so a caller cannot learn a hash byte by byte from response times.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  // Lengths are public (every format fixes its digest length), so an early exit on them leaks nothing.
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

export function constantTimeEqualText(a: string, b: string): boolean {
  return constantTimeEqual(utf8Bytes(a), utf8Bytes(b));
}
