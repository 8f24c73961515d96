// What the bucket targets need from a store, whichever it is: the local R2 of a wrangler project
// (Miniflare's R2 binding), R2 through its S3 endpoint, or any S3 bucket. The session, journal
// and reader (object-session.ts, object-reader.ts) are written once against this.
import type { Readable } from 'node:stream';
import type { ObjectHttp, StoredObject } from '../../catalog/stored-object.js';

export interface PutInfo {
  http: ObjectHttp;
  /** User metadata as stored (flarelift's own keys included). */
  meta: Record<string, string>;
  /** Hex MD5 of the body, for the store to check (single PUT). */
  md5?: string;
}

export interface ListedObject {
  key: string;
  size: number;
  etag?: string;
  lastModified?: Date;
  storageClass?: string;
}

export interface ObjectStore {
  readonly description: string;
  /** The object's description without its body; undefined when absent. */
  head(key: string): Promise<StoredObject | undefined>;
  /** Objects in key order after `after` (exclusive), at most `limit`. */
  list(after: string | undefined, limit: number): Promise<{ objects: ListedObject[]; more: boolean }>;
  get(key: string, start?: number): Promise<Readable>;
  put(key: string, body: Buffer, info: PutInfo): Promise<void>;
  createMultipart(key: string, info: PutInfo): Promise<string>;
  /** Whether an upload begun earlier (a crashed copy) can still take parts. */
  multipartAlive(key: string, uploadId: string): Promise<boolean>;
  uploadPart(key: string, uploadId: string, partNumber: number, body: Buffer): Promise<string>;
  completeMultipart(key: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<void>;
  abortMultipart(key: string, uploadId: string): Promise<void>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}
