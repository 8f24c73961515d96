// The local R2 bucket of a wrangler project through Miniflare's R2 binding: the state
// `wrangler dev` and `wrangler r2 object get --local` read, written the way a Worker writes it
// (env.BUCKET.put), so keys with spaces or non-ASCII characters are stored as themselves.
// (wrangler 4.86's `r2 object put --local` percent-encodes them, and a Worker then misses them.)
// Miniflare is imported only when this store is opened.
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { md5OfEtag, splitMetadata, type StoredObject } from '../../catalog/stored-object.js';
import type { ListedObject, ObjectStore, PutInfo } from './object-store.js';

// The parts of Miniflare's R2Bucket proxy used here (its own types are the Workers types).
interface R2Obj {
  key: string;
  size: number;
  etag: string;
  uploaded: Date;
  httpMetadata?: Record<string, string | undefined>;
  customMetadata?: Record<string, string>;
}
interface R2Body extends R2Obj {
  body: WebReadableStream<Uint8Array>;
}
interface R2Upload {
  uploadId: string;
  uploadPart(n: number, value: Uint8Array): Promise<{ partNumber: number; etag: string }>;
  complete(parts: { partNumber: number; etag: string }[]): Promise<unknown>;
  abort(): Promise<void>;
}
interface R2BucketProxy {
  head(key: string): Promise<R2Obj | null>;
  get(key: string, o?: { range?: { offset: number } }): Promise<R2Body | null>;
  put(key: string, value: Uint8Array, o: { httpMetadata: object; customMetadata: Record<string, string>; md5?: ArrayBuffer }): Promise<unknown>;
  delete(key: string): Promise<void>;
  list(o: { limit: number; startAfter?: string; include?: string[] }): Promise<{ objects: R2Obj[]; truncated: boolean }>;
  createMultipartUpload(key: string, o: { httpMetadata: object; customMetadata: Record<string, string> }): Promise<R2Upload>;
  resumeMultipartUpload(key: string, uploadId: string): R2Upload;
}
interface MiniflareLike {
  getR2Bucket(binding: string): Promise<unknown>;
  dispose(): Promise<void>;
}

export interface MiniflareStoreOptions {
  binding: string;
  /** The bucket's local id: bucket_name, else the binding (as wrangler dev names it). */
  bucketId: string;
  /** `<state>/v3`, wrangler's default persist root. */
  stateRoot: string;
  description: string;
}

function toStored(o: R2Obj, open: (start?: number) => Promise<Readable>): StoredObject {
  const { meta, md5, sourceEtag } = splitMetadata(o.customMetadata);
  const h = o.httpMetadata ?? {};
  const http = Object.fromEntries(['contentType', 'cacheControl', 'contentDisposition', 'contentEncoding', 'contentLanguage'].filter((f) => h[f]).map((f) => [f, h[f]!]));
  const md = md5OfEtag(o.etag) ?? md5;
  return { size: o.size, ...(md ? { md5: md } : {}), etag: o.etag, ...(sourceEtag ? { sourceEtag } : {}), lastModified: o.uploaded, http, meta, open };
}

export class MiniflareStore implements ObjectStore {
  readonly description: string;

  private constructor(
    private readonly mf: MiniflareLike,
    private readonly bucket: R2BucketProxy,
    description: string,
  ) {
    this.description = description;
  }

  static async open(o: MiniflareStoreOptions): Promise<MiniflareStore> {
    const { Miniflare } = await import('miniflare');
    const mf = new Miniflare({
      modules: true,
      script: 'export default { fetch() { return new Response(null, { status: 404 }); } }',
      defaultPersistRoot: o.stateRoot,
      r2Buckets: { [o.binding]: { id: o.bucketId } },
    });
    const bucket = (await mf.getR2Bucket(o.binding)) as unknown as R2BucketProxy;
    return new MiniflareStore(mf, bucket, o.description);
  }

  async head(key: string): Promise<StoredObject | undefined> {
    const o = await this.bucket.head(key);
    return o ? toStored(o, (start) => this.get(key, start)) : undefined;
  }

  async list(after: string | undefined, limit: number): Promise<{ objects: ListedObject[]; more: boolean }> {
    const out = await this.bucket.list({ limit: Math.min(1000, limit), ...(after !== undefined ? { startAfter: after } : {}) });
    return { objects: out.objects.map((o) => ({ key: o.key, size: o.size, etag: o.etag, lastModified: o.uploaded })), more: out.truncated };
  }

  async get(key: string, start?: number): Promise<Readable> {
    const o = await this.bucket.get(key, start ? { range: { offset: start } } : undefined);
    if (!o) throw new Error(`${this.description}: '${key}' is gone`);
    return Readable.fromWeb(o.body);
  }

  async put(key: string, body: Buffer, info: PutInfo): Promise<void> {
    const md5 = info.md5 ? Uint8Array.from(Buffer.from(info.md5, 'hex')).buffer : undefined;
    await this.bucket.put(key, new Uint8Array(body.buffer, body.byteOffset, body.byteLength), { httpMetadata: info.http, customMetadata: info.meta, ...(md5 ? { md5 } : {}) });
  }

  async createMultipart(key: string, info: PutInfo): Promise<string> {
    return (await this.bucket.createMultipartUpload(key, { httpMetadata: info.http, customMetadata: info.meta })).uploadId;
  }

  /** The binding cannot list an upload's parts: a dead upload shows when a part is refused (the session then starts over). */
  async multipartAlive(): Promise<boolean> {
    return true;
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Buffer): Promise<string> {
    const part = await this.bucket.resumeMultipartUpload(key, uploadId).uploadPart(partNumber, new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
    return part.etag;
  }

  async completeMultipart(key: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<void> {
    await this.bucket.resumeMultipartUpload(key, uploadId).complete(parts);
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    await this.bucket.resumeMultipartUpload(key, uploadId).abort().catch(() => undefined);
  }

  async delete(key: string): Promise<void> {
    await this.bucket.delete(key);
  }

  async close(): Promise<void> {
    await this.mf.dispose();
  }
}
