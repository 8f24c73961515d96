// Reading a bucket back for verify: HEAD by key (size, MD5 from the ETag or flarelift's metadata,
// headers, user metadata), with --checksum the bytes read through and hashed; and every key, in
// listing pages, for the extra objects.
import type { Collection, Key, Unit } from '../../catalog/collection.js';
import { objectKey, type StoredObject } from '../../catalog/stored-object.js';
import { mapLimit } from '../../sources/bucket/bucket-source.js';
import { md5OfStream } from '../../sources/bucket/digest.js';
import type { UnitTargetReader } from '../unit-target.js';
import type { ObjectStore } from './object-store.js';

const AT_ONCE = 16;

export function objectReader(store: ObjectStore): UnitTargetReader<Collection, StoredObject> {
  return {
    description: store.description,
    async get(_c, keys, options) {
      return mapLimit(keys, AT_ONCE, async (k): Promise<Unit<StoredObject> | undefined> => {
        const value = await store.head(objectKey(k));
        if (!value) return undefined;
        if (options?.digest) value.md5 = await md5OfStream(await value.open());
        return { key: k, value, bytes: value.size };
      });
    },
    async *keys(_c, options) {
      let after: string | undefined;
      for (;;) {
        const page = await store.list(after, Math.min(1000, options.batch));
        if (page.objects.length > 0) yield page.objects.map((o): Key => [o.key]);
        if (!page.more || page.objects.length === 0 || options.signal?.aborted) return;
        after = page.objects[page.objects.length - 1].key;
      }
    },
    close: () => store.close(),
  };
}
