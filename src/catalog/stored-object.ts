// An object of a bucket as a unit's value (catalog/collection.ts): its size, what identifies its
// bytes (MD5, ETag), the HTTP headers and user metadata that travel with it, and a way to open
// its body as a stream. The body is never held in the unit: a batch of units is a batch of
// descriptions, and the target streams each body from the source when it writes it, so a
// 120 MiB object costs one part's buffer, not its size.
import type { Readable } from 'node:stream';

/** The HTTP headers R2 keeps with an object (its httpMetadata). */
export interface ObjectHttp {
  contentType?: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  contentLanguage?: string;
}

export const HTTP_FIELDS = ['contentType', 'cacheControl', 'contentDisposition', 'contentEncoding', 'contentLanguage'] as const;

/**
 * The user metadata key flarelift writes the MD5 under when the target's ETag is not the MD5
 * (multipart uploads), so verify compares MD5s without reading the bytes back.
 */
export const MD5_METADATA_KEY = 'flarelift-md5';
/** Likewise the source's ETag when the source could not give an MD5 (its own multipart objects). */
export const SOURCE_ETAG_METADATA_KEY = 'flarelift-source-etag';

export interface StoredObject {
  size: number;
  /** Hex MD5 of the bytes, when known without reading them (a plain ETag, our metadata, or read for --checksum). */
  md5?: string;
  /** The ETag as the store gives it, unquoted. */
  etag?: string;
  /** The source ETag recorded with the object (SOURCE_ETAG_METADATA_KEY), on the target side. */
  sourceEtag?: string;
  lastModified?: Date;
  http: ObjectHttp;
  /** User metadata, without flarelift's own keys. */
  meta: Record<string, string>;
  /** What the source had that R2 cannot keep (storage class, ACL, tags), for plan. */
  dropped?: string[];
  /** The body from byte `start` on (a resumed multipart upload reads only what it lacks). */
  open(start?: number): Promise<Readable>;
  /** The MD5, read from the bytes when it is not known (a local file before a multipart upload). */
  digest?(): Promise<string>;
}

/** An ETag that is the MD5 of the bytes (a single PUT): 32 hex digits, no part count. */
export function md5OfEtag(etag: string | undefined): string | undefined {
  const e = etag?.replace(/^W\//, '').replace(/"/g, '').toLowerCase();
  return e && /^[0-9a-f]{32}$/.test(e) ? e : undefined;
}

/** Splits stored user metadata into the user's own and flarelift's. */
export function splitMetadata(all: Record<string, string> | undefined): { meta: Record<string, string>; md5?: string; sourceEtag?: string } {
  const meta: Record<string, string> = {};
  let md5: string | undefined;
  let sourceEtag: string | undefined;
  for (const [k, v] of Object.entries(all ?? {})) {
    if (k.toLowerCase() === MD5_METADATA_KEY) md5 = v.toLowerCase();
    else if (k.toLowerCase() === SOURCE_ETAG_METADATA_KEY) sourceEtag = v;
    else meta[k.toLowerCase()] = v;
  }
  return { meta, ...(md5 ? { md5 } : {}), ...(sourceEtag ? { sourceEtag } : {}) };
}

/** The object's key as text (a bucket's unit key is one string). */
export function objectKey(key: readonly unknown[]): string {
  const k = key[0];
  return typeof k === 'string' ? k : Buffer.from(k as Uint8Array).toString('utf8');
}

/**
 * The Content-Types an S3 store gives an object written without one (the S3 API has no typeless
 * object: AWS says binary/octet-stream, s3rver and MinIO application/octet-stream, and a multipart
 * upload may differ from a PUT). A source object with no type equals a target object holding one
 * of these: the store, not the copy, put it there.
 */
const STORE_DEFAULT_TYPES = new Set(['application/octet-stream', 'binary/octet-stream']);

function sameHeader(field: (typeof HTTP_FIELDS)[number], expected: string | undefined, actual: string | undefined): boolean {
  if ((expected ?? '') === (actual ?? '')) return true;
  return field === 'contentType' && expected === undefined && actual !== undefined && STORE_DEFAULT_TYPES.has(actual);
}

/** Why the target's object differs from the source's (undefined when equal): size, bytes, headers, metadata. */
export function compareObjects(expected: StoredObject, actual: StoredObject): string | undefined {
  if (expected.size !== actual.size) return `size ${expected.size} in the source, ${actual.size} in the target`;
  if (expected.md5 && actual.md5 && expected.md5 !== actual.md5) return `MD5 ${expected.md5} in the source, ${actual.md5} in the target`;
  if (!(expected.md5 && actual.md5) && expected.etag && actual.sourceEtag && expected.etag !== actual.sourceEtag) return `the source's ETag is ${expected.etag}, the target was copied from ${actual.sourceEtag}`;
  for (const f of HTTP_FIELDS) {
    if (!sameHeader(f, expected.http[f], actual.http[f])) return `${f} ${JSON.stringify(expected.http[f] ?? null)} in the source, ${JSON.stringify(actual.http[f] ?? null)} in the target`;
  }
  const keys = new Set([...Object.keys(expected.meta), ...Object.keys(actual.meta)]);
  for (const k of keys) {
    if (expected.meta[k] !== actual.meta[k]) return `metadata '${k}' ${JSON.stringify(expected.meta[k] ?? null)} in the source, ${JSON.stringify(actual.meta[k] ?? null)} in the target`;
  }
  return undefined;
}

/** For failure files: what identifies the object, never its bytes. */
export function describeObject(o: StoredObject): unknown {
  return { size: o.size, ...(o.md5 ? { md5: o.md5 } : {}), ...(o.etag ? { etag: o.etag } : {}), http: o.http, meta: o.meta };
}
