// An S3-compatible bucket as an object lister (sources/bucket/bucket-source.ts): ListObjectsV2
// pages in key order, one HEAD per object for its headers and metadata.
import { parseS3Location } from '../../s3/s3-location.js';
import { S3Store } from '../../s3/s3-store.js';
import { BucketSource, type ListedEntry, type ObjectLister } from '../bucket/bucket-source.js';
import { md5OfStream } from '../bucket/digest.js';
import type { StoredObject } from '../../catalog/stored-object.js';

class S3Lister implements ObjectLister {
  readonly engine = 's3';
  readonly description: string;
  readonly name: string;

  constructor(private readonly store: S3Store) {
    this.description = store.description;
    this.name = store.location.bucket;
  }

  async *walk(after: string | undefined, signal?: AbortSignal): AsyncIterable<ListedEntry> {
    let from = after;
    for (;;) {
      const page = await this.store.list(from, 1000);
      for (const o of page.objects) yield o;
      if (!page.more || page.objects.length === 0 || signal?.aborted) return;
      from = page.objects[page.objects.length - 1].key;
    }
  }

  describe(entry: ListedEntry): Promise<StoredObject | undefined> {
    return this.store.head(entry.key);
  }

  async digest(object: StoredObject): Promise<string> {
    return md5OfStream(await object.open());
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

export async function openS3Source(spec: string): Promise<BucketSource> {
  const store = await S3Store.open(parseS3Location(spec));
  const source = new BucketSource(new S3Lister(store));
  // Fail now, in one line, when the bucket cannot be listed (no such bucket, no credentials).
  await store.list(undefined, 1);
  return source;
}
