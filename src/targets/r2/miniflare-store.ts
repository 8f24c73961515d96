// The local R2 bucket of a wrangler project through Miniflare's R2 binding: the state
// `wrangler dev` and `wrangler r2 object get --local` read, written the way a Worker writes it
// (env.BUCKET.put), so keys with spaces or non-ASCII characters are stored as themselves.
// (wrangler 4.86's `r2 object put --local` percent-encodes them, and a Worker then misses them.)
// Miniflare is imported only when this store is opened.
//
// Bodies go to a small Worker of our own (WRITER below) as plain HTTP request bodies, not as
// arguments of the binding proxy: the proxy serialises a Uint8Array argument into its JSON
// form and, on a fresh proxy object (every resumeMultipartUpload), sends it through a
// synchronous worker-thread bridge, so each 8 MiB part cost several copies and the process grew
// to ~450 MB on a 1 GiB object. A request body with a Content-Length is a known-length stream
// to workerd, which R2's put and uploadPart take as they are.
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { md5OfEtag, splitMetadata, type StoredObject } from '../../catalog/stored-object.js';
import { withReaper, type Reaper } from '../../cloudflare/workerd-reaper.js';
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
  complete(parts: { partNumber: number; etag: string }[]): Promise<unknown>;
  abort(): Promise<void>;
}
interface R2BucketProxy {
  head(key: string): Promise<R2Obj | null>;
  get(key: string, o?: { range?: { offset: number } }): Promise<R2Body | null>;
  delete(key: string): Promise<void>;
  list(o: { limit: number; startAfter?: string; include?: string[] }): Promise<{ objects: R2Obj[]; truncated: boolean }>;
  createMultipartUpload(key: string, o: { httpMetadata: object; customMetadata: Record<string, string> }): Promise<R2Upload>;
  resumeMultipartUpload(key: string, uploadId: string): R2Upload;
}
interface MiniflareLike {
  getR2Bucket(binding: string): Promise<unknown>;
  dispatchFetch(url: string, init: { method: string; body: Uint8Array; headers: Record<string, string> }): Promise<{ ok: boolean; status: number; text(): Promise<string>; json(): Promise<unknown> }>;
  dispose(): Promise<void>;
}

/** The Worker that writes bodies into the bucket bound as BUCKET: ?op=put or ?op=part, the key and options in the query. */
const WRITER = `export default {
  async fetch(request, env) {
    const q = new URL(request.url).searchParams;
    const key = q.get('key');
    const body = request.body ?? new Uint8Array(0);
    try {
      if (q.get('op') === 'put') {
        const o = JSON.parse(q.get('info'));
        await env.BUCKET.put(key, body, { httpMetadata: o.http, customMetadata: o.meta, ...(o.md5 ? { md5: o.md5 } : {}) });
        return new Response('{}');
      }
      const part = await env.BUCKET.resumeMultipartUpload(key, q.get('upload')).uploadPart(Number(q.get('part')), body);
      return Response.json({ etag: part.etag });
    } catch (e) {
      return new Response(String(e && e.message || e), { status: 500 });
    }
  },
};`;

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
    private readonly reaper: Reaper,
  ) {
    this.description = description;
  }

  static async open(o: MiniflareStoreOptions): Promise<MiniflareStore> {
    const { Miniflare } = await import('miniflare');
    const { value, reaper } = await withReaper(async () => {
      const mf = new Miniflare({
        modules: true,
        script: WRITER,
        defaultPersistRoot: o.stateRoot,
        // The same bucket under the user's binding (read through the proxy) and as BUCKET (the writer's).
        r2Buckets: { [o.binding]: { id: o.bucketId }, BUCKET: { id: o.bucketId } },
      });
      return { mf, bucket: (await mf.getR2Bucket(o.binding)) as unknown as R2BucketProxy };
    });
    return new MiniflareStore(value.mf, value.bucket, o.description, reaper);
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

  /** Sends a body to the writer Worker; resolves to its JSON answer once R2 has stored it. */
  private async send(query: Record<string, string>, body: Buffer): Promise<unknown> {
    const res = await this.mf.dispatchFetch(`http://writer/?${new URLSearchParams(query)}`, {
      method: 'PUT',
      body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
      headers: { 'content-length': String(body.byteLength) },
    });
    if (!res.ok) throw new Error(`${this.description}: writing '${query.key}' failed: ${(await res.text()).slice(0, 300)}`);
    return res.json();
  }

  async put(key: string, body: Buffer, info: PutInfo): Promise<void> {
    await this.send({ op: 'put', key, info: JSON.stringify({ http: info.http, meta: info.meta, md5: info.md5 }) }, body);
  }

  async createMultipart(key: string, info: PutInfo): Promise<string> {
    return (await this.bucket.createMultipartUpload(key, { httpMetadata: info.http, customMetadata: info.meta })).uploadId;
  }

  /** The binding cannot list an upload's parts: a dead upload shows when a part is refused (the session then starts over). */
  async multipartAlive(): Promise<boolean> {
    return true;
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Buffer): Promise<string> {
    const part = (await this.send({ op: 'part', key, upload: uploadId, part: String(partNumber) }, body)) as { etag: string };
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
    this.reaper.release();
  }
}
