// An S3-compatible bucket through the AWS SDK (imported only when an s3:// source or target, or
// r2:<BINDING> --remote, is opened): listing in key order, HEAD for headers and metadata, ranged
// GETs, PUT and multipart uploads. Keys are relative to the location's prefix.
import { Readable } from 'node:stream';
import type * as S3 from '@aws-sdk/client-s3';
import { md5OfEtag, splitMetadata, type StoredObject } from '../catalog/stored-object.js';
import { ConnectionLostError, UserError } from '../errors.js';
import { stallTimeoutMs } from '../sources/stall-watch.js';
import type { ListedObject, ObjectStore, PutInfo } from '../targets/r2/object-store.js';
import { describeS3, type S3Location } from './s3-location.js';

const CONNECT_TIMEOUT_MS = 10_000;

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** One line for a failed S3 call: what failed and how to fix it, never a credential or a stack. */
export function s3Error(e: unknown, what: string, location?: S3Location): Error {
  const err = e as { name?: string; Code?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = err.Code ?? err.name ?? err.code ?? '';
  const status = err.$metadata?.httpStatusCode;
  if (name === 'NoSuchBucket') return new UserError(`${what}: the bucket does not exist: check the bucket name and the endpoint`);
  if (name === 'AccessDenied' || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || status === 403) return new UserError(`${what}: access denied (${name || status}): check the credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile, or the R2 API token)`);
  if (name === 'CredentialsProviderError' || /credential/i.test(err.message ?? '')) return new UserError(`${what}: no credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or --s3-profile`);
  const said = `${err.code ?? ''} ${name} ${err.message ?? ''}`;
  // The socket timeout (--stall-timeout) ran out on every attempt: a server or proxy gone silent.
  if (name === 'TimeoutError' || /socket timed out/.test(said)) {
    return new ConnectionLostError(`${what}: the endpoint stopped answering: nothing received for ${stallTimeoutMs() / 1000}s (--stall-timeout)`);
  }
  const lost = /ECONNRESET|EPIPE|ETIMEDOUT|socket hang up/.exec(said)?.[0];
  if (lost) return new ConnectionLostError(`${what}: lost the connection to the endpoint (${lost})`);
  const net = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.exec(said)?.[0];
  // Virtual-hosted addressing puts the bucket in the host name, which a local endpoint's
  // resolver seldom knows (an IP endpoint is addressed path-style by the SDK whatever the flag).
  if (net === 'ENOTFOUND' && location?.endpoint && !location.pathStyle) {
    return new UserError(`${what}: cannot resolve ${location.bucket}.${new URL(location.endpoint).hostname} (virtual-hosted addressing, from --no-s3-path-style or path_style=false): drop that to address the bucket path-style, or make the name resolve`);
  }
  if (net) return new UserError(`${what}: cannot reach the endpoint (${net}): check --s3-endpoint`);
  return e instanceof Error ? e : new Error(String(e));
}

export class S3Store implements ObjectStore {
  readonly description: string;

  private constructor(
    private readonly sdk: typeof S3,
    private readonly client: S3.S3Client,
    readonly location: S3Location,
  ) {
    this.description = describeS3(location);
  }

  static async open(location: S3Location, credentials?: S3Credentials): Promise<S3Store> {
    // The SDK warns on every start under Node 20 (its next releases need 22): not the user's concern here.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const sdk = await import('@aws-sdk/client-s3');
    const client = new sdk.S3Client({
      region: location.region,
      ...(location.endpoint ? { endpoint: location.endpoint } : {}),
      forcePathStyle: location.pathStyle,
      ...(location.profile ? { profile: location.profile } : {}),
      ...(credentials ? { credentials } : {}),
      // Checksums only where S3 requires them: R2 and most S3-compatible servers refuse the
      // newer trailing CRC checksums on streamed bodies.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 5,
      // A socket with nothing received for the stall timeout fails its attempt (the body of a
      // GET too), so a silent endpoint ends the run instead of hanging it.
      requestHandler: { socketTimeout: stallTimeoutMs(), connectionTimeout: CONNECT_TIMEOUT_MS },
    });
    return new S3Store(sdk, client, location);
  }

  private full(key: string): string {
    return this.location.prefix ? `${this.location.prefix.replace(/\/?$/, '/')}${key}` : key;
  }

  private async call<T>(what: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      throw s3Error(e, `${this.description}: ${what}`, this.location);
    }
  }

  async head(key: string): Promise<StoredObject | undefined> {
    let h: S3.HeadObjectCommandOutput;
    try {
      h = await this.client.send(new this.sdk.HeadObjectCommand({ Bucket: this.location.bucket, Key: this.full(key) }));
    } catch (e) {
      const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata?.httpStatusCode === 404) return undefined;
      throw s3Error(e, `${this.description}: reading '${key}'`, this.location);
    }
    const { meta, md5, sourceEtag } = splitMetadata(h.Metadata);
    const etag = h.ETag?.replace(/"/g, '');
    const dropped = [h.StorageClass && h.StorageClass !== 'STANDARD' ? `storage class ${h.StorageClass}` : '', h.ObjectLockMode ? `object lock ${h.ObjectLockMode}` : '', h.TagCount ? `${h.TagCount} tags` : ''].filter(Boolean);
    return {
      size: Number(h.ContentLength ?? 0),
      ...((md5OfEtag(etag) ?? md5) ? { md5: md5OfEtag(etag) ?? md5 } : {}),
      ...(etag ? { etag } : {}),
      ...(sourceEtag ? { sourceEtag } : {}),
      ...(h.LastModified ? { lastModified: h.LastModified } : {}),
      http: {
        ...(h.ContentType ? { contentType: h.ContentType } : {}),
        ...(h.CacheControl ? { cacheControl: h.CacheControl } : {}),
        ...(h.ContentDisposition ? { contentDisposition: h.ContentDisposition } : {}),
        ...(h.ContentEncoding ? { contentEncoding: h.ContentEncoding } : {}),
        ...(h.ContentLanguage ? { contentLanguage: h.ContentLanguage } : {}),
      },
      meta,
      ...(dropped.length ? { dropped } : {}),
      open: (start) => this.get(key, start),
    };
  }

  async list(after: string | undefined, limit: number): Promise<{ objects: ListedObject[]; more: boolean }> {
    const out = await this.call('listing objects', () =>
      this.client.send(
        new this.sdk.ListObjectsV2Command({
          Bucket: this.location.bucket,
          MaxKeys: Math.min(1000, limit),
          ...(this.location.prefix ? { Prefix: this.location.prefix } : {}),
          ...(after !== undefined ? { StartAfter: this.full(after) } : {}),
        }),
      ),
    );
    const cut = this.location.prefix ? this.full('').length : 0;
    const objects = (out.Contents ?? []).map((o) => ({
      key: (o.Key ?? '').slice(cut),
      size: Number(o.Size ?? 0),
      ...(o.ETag ? { etag: o.ETag.replace(/"/g, '') } : {}),
      ...(o.LastModified ? { lastModified: o.LastModified } : {}),
      ...(o.StorageClass ? { storageClass: o.StorageClass } : {}),
    }));
    return { objects, more: Boolean(out.IsTruncated) };
  }

  async get(key: string, start?: number): Promise<Readable> {
    const out = await this.call(`reading '${key}'`, () =>
      this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.location.bucket, Key: this.full(key), ...(start ? { Range: `bytes=${start}-` } : {}) })),
    );
    // The body's own failures (a reset, the socket timeout mid-object) come out as one line too.
    const body = out.Body as Readable;
    const what = `${this.description}: reading '${key}'`;
    return Readable.from(
      (async function* () {
        try {
          for await (const chunk of body) yield chunk as Buffer;
        } catch (e) {
          throw s3Error(e, what);
        } finally {
          body.destroy(); // a reader that stops early lets the socket go
        }
      })(),
      { objectMode: false },
    );
  }

  private putFields(info: PutInfo) {
    return {
      ...(info.http.contentType ? { ContentType: info.http.contentType } : {}),
      ...(info.http.cacheControl ? { CacheControl: info.http.cacheControl } : {}),
      ...(info.http.contentDisposition ? { ContentDisposition: info.http.contentDisposition } : {}),
      ...(info.http.contentEncoding ? { ContentEncoding: info.http.contentEncoding } : {}),
      ...(info.http.contentLanguage ? { ContentLanguage: info.http.contentLanguage } : {}),
      Metadata: info.meta,
    };
  }

  async put(key: string, body: Buffer, info: PutInfo): Promise<void> {
    const md5 = info.md5 ? { ContentMD5: Buffer.from(info.md5, 'hex').toString('base64') } : {};
    await this.call(`writing '${key}'`, () => this.client.send(new this.sdk.PutObjectCommand({ Bucket: this.location.bucket, Key: this.full(key), Body: body, ...md5, ...this.putFields(info) })));
  }

  async createMultipart(key: string, info: PutInfo): Promise<string> {
    const out = await this.call(`starting the upload of '${key}'`, () => this.client.send(new this.sdk.CreateMultipartUploadCommand({ Bucket: this.location.bucket, Key: this.full(key), ...this.putFields(info) })));
    return out.UploadId!;
  }

  async multipartAlive(key: string, uploadId: string): Promise<boolean> {
    try {
      await this.client.send(new this.sdk.ListPartsCommand({ Bucket: this.location.bucket, Key: this.full(key), UploadId: uploadId, MaxParts: 1 }));
      return true;
    } catch {
      return false;
    }
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Buffer): Promise<string> {
    const out = await this.call(`uploading part ${partNumber} of '${key}'`, () =>
      this.client.send(new this.sdk.UploadPartCommand({ Bucket: this.location.bucket, Key: this.full(key), UploadId: uploadId, PartNumber: partNumber, Body: body })),
    );
    return out.ETag!;
  }

  async completeMultipart(key: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<void> {
    await this.call(`completing the upload of '${key}'`, () =>
      this.client.send(
        new this.sdk.CompleteMultipartUploadCommand({
          Bucket: this.location.bucket,
          Key: this.full(key),
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
        }),
      ),
    );
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    await this.client.send(new this.sdk.AbortMultipartUploadCommand({ Bucket: this.location.bucket, Key: this.full(key), UploadId: uploadId })).catch(() => undefined);
  }

  async delete(key: string): Promise<void> {
    await this.call(`deleting '${key}'`, () => this.client.send(new this.sdk.DeleteObjectCommand({ Bucket: this.location.bucket, Key: this.full(key) })));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
