// Sending one object's body: a single PUT when it fits in one part, else a multipart upload by
// R2's rules (parts of one size, at least 5 MiB, the last smaller, at most 10,000 parts). Memory
// is one part's buffer per object in flight, reused from part to part, whatever the object's size.
// Each committed part is journaled, so an upload cut short is finished from the next part by a
// resumed copy, reading only the rest of the source.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { MD5_METADATA_KEY, SOURCE_ETAG_METADATA_KEY, type StoredObject } from '../../catalog/stored-object.js';
import { R2_MAX_PART_BYTES, R2_MAX_PARTS, R2_MIN_PART_BYTES } from '../../cloudflare/limits.js';
import type { ObjectJournal, UploadRecord } from './object-journal.js';
import type { ObjectStore, PutInfo } from './object-store.js';

/** The part size flarelift prefers; larger objects get larger parts to stay within 10,000. */
export const DEFAULT_PART_BYTES = 8 * 1024 * 1024;
const MIB = 1024 * 1024;

export function partSizeFor(size: number): number {
  const needed = Math.ceil(size / R2_MAX_PARTS / MIB) * MIB;
  return Math.min(R2_MAX_PART_BYTES, Math.max(R2_MIN_PART_BYTES, DEFAULT_PART_BYTES, needed));
}

/**
 * The stream cut into parts of `size` bytes (the last shorter). One buffer serves every part: a
 * part is valid until the consumer asks for the next (it has been sent by then), so a large
 * object does not leave a trail of 8 MiB buffers for the collector.
 */
export async function* parts(stream: Readable, size: number): AsyncIterable<Buffer> {
  const buf = Buffer.allocUnsafe(size);
  let used = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let at = 0;
    while (at < chunk.length) {
      const n = Math.min(size - used, chunk.length - at);
      chunk.copy(buf, used, at, at + n);
      used += n;
      at += n;
      if (used === size) {
        yield buf;
        used = 0;
      }
    }
  }
  if (used > 0) yield buf.subarray(0, used);
}

/** What identifies the source object, so a journaled upload is resumed only for the same bytes. */
function sourceIdentity(o: StoredObject): string {
  return `${o.size}:${o.md5 ?? o.etag ?? o.lastModified?.getTime() ?? ''}`;
}

export interface UploadResult {
  /** Bytes read from the source and sent. */
  sent: number;
  /** Why the object was not written (its bytes did not match the source's MD5); undefined when it was. */
  failure?: string;
}

/** `onBytes` hears of the bytes as each body or part is stored (progress). */
export async function uploadObject(store: ObjectStore, journal: ObjectJournal, key: string, o: StoredObject, onBytes?: (n: number) => void): Promise<UploadResult> {
  const partSize = partSizeFor(o.size);
  const info: PutInfo = { http: o.http, meta: { ...o.meta } };
  if (o.size <= partSize) {
    // A buffer of the listed size; a source that grew meanwhile shows in `read`.
    let body: Buffer = Buffer.alloc(0);
    let read = 0;
    for await (const p of parts(await o.open(), Math.max(1, o.size))) {
      body = p;
      read += p.length;
    }
    const md5 = createHash('md5').update(body).digest('hex');
    if (read !== o.size || (o.md5 && o.md5 !== md5)) return { sent: read, failure: `the source gave ${read} bytes with MD5 ${md5}, not the ${o.size} bytes${o.md5 ? ` with MD5 ${o.md5}` : ''} it listed: it changed during the copy` };
    await store.put(key, body, { ...info, md5 });
    onBytes?.(read);
    return { sent: read };
  }
  // The ETag of a multipart object is not its MD5: keep the MD5 as metadata (known before the
  // upload starts, since R2 takes metadata when it starts), else the source's ETag.
  const md5 = o.md5 ?? (o.digest ? await o.digest() : undefined);
  if (md5) info.meta[MD5_METADATA_KEY] = md5;
  else if (o.etag) info.meta[SOURCE_ETAG_METADATA_KEY] = o.etag;
  const data = journal.data!;
  const source = sourceIdentity(o);
  let record: UploadRecord | undefined = data.uploads[key];
  if (record && (record.size !== o.size || record.partSize !== partSize || record.source !== source || !(await store.multipartAlive(key, record.uploadId)))) {
    await store.abortMultipart(key, record.uploadId);
    record = undefined;
  }
  try {
    return await sendParts(store, journal, key, o, info, record, md5, onBytes);
  } catch (e) {
    if (!record) throw e;
    // The earlier upload could not be finished (expired, aborted): start it over, cleanly.
    await store.abortMultipart(key, record.uploadId);
    delete data.uploads[key];
    journal.save();
    return sendParts(store, journal, key, o, info, undefined, md5, onBytes);
  }
}

async function sendParts(store: ObjectStore, journal: ObjectJournal, key: string, o: StoredObject, info: PutInfo, resumed: UploadRecord | undefined, md5: string | undefined, onBytes?: (n: number) => void): Promise<UploadResult> {
  const data = journal.data!;
  const partSize = partSizeFor(o.size);
  let record = resumed;
  if (!record) {
    record = { uploadId: await store.createMultipart(key, info), size: o.size, partSize, source: sourceIdentity(o), parts: [] };
    data.uploads[key] = record;
    journal.save();
  }
  const start = record.parts.length * partSize;
  onBytes?.(start); // the parts a crashed run committed
  // The whole body's MD5 can be checked only when this run reads it all.
  const hash = start === 0 && md5 ? createHash('md5') : undefined;
  let sent = 0;
  let partNumber = record.parts.length + 1;
  for await (const body of parts(await o.open(start), partSize)) {
    hash?.update(body);
    const etag = await store.uploadPart(key, record.uploadId, partNumber, body);
    record.parts.push({ partNumber, etag });
    journal.save();
    sent += body.length;
    onBytes?.(body.length);
    partNumber++;
  }
  if (start + sent !== o.size || (hash && hash.digest('hex') !== md5)) {
    await store.abortMultipart(key, record.uploadId);
    delete data.uploads[key];
    journal.save();
    return { sent, failure: `the source gave ${start + sent} bytes${hash ? ' whose MD5 differs from the one it listed' : ''}, not the ${o.size} it listed: it changed during the copy` };
  }
  await store.completeMultipart(key, record.uploadId, record.parts);
  delete data.uploads[key];
  journal.save();
  return { sent };
}
