// A bucket as a unit source (sources/unit-source.ts), whatever holds it: an S3-compatible bucket
// or a local directory (an ObjectLister). One collection, kind 'bucket', ordered by key (S3
// lists in UTF-8 byte order, and the directory walk sorts the same way), so resume continues
// after the last committed key. Units are object descriptions; bodies stream only when the
// target writes them (catalog/stored-object.ts), so a batch costs its descriptions, not its bytes.
import type { Collection, Key, Unit } from '../../catalog/collection.js';
import { objectKey, type StoredObject } from '../../catalog/stored-object.js';
import type { UnitPlan, UnitReadOptions, UnitSnapshot, UnitSource } from '../unit-source.js';
import { bucketFindings, type BucketStats } from './bucket-plan.js';

export interface ListedEntry {
  key: string;
  size: number;
  storageClass?: string;
}

export interface ObjectLister {
  readonly engine: string;
  readonly description: string;
  /** The collection's name: the bucket, or the directory's name. */
  readonly name: string;
  /** Every object after `after` (exclusive), in key order, streamed. */
  walk(after: string | undefined, signal?: AbortSignal): AsyncIterable<ListedEntry>;
  /** The object's headers and metadata and how to open its body; undefined when it is gone. */
  describe(entry: ListedEntry): Promise<StoredObject | undefined>;
  /** The MD5 of the object's bytes, read through (verify --checksum). */
  digest(object: StoredObject): Promise<string>;
  close(): Promise<void>;
}

/** A batch holds at most this many bytes of objects, so the journal and progress move regularly. */
const BATCH_OBJECT_BYTES = 256 * 1024 * 1024;
/** Objects described (HEAD, stat) at once. */
const DESCRIBE_AT_ONCE = 16;

export async function mapLimit<T, R>(items: readonly T[], limit: number, f: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export class BucketSource implements UnitSource<Collection, StoredObject> {
  readonly units = true as const;
  readonly engine: string;
  readonly description: string;
  private readonly collection: Collection;

  constructor(private readonly lister: ObjectLister) {
    this.engine = lister.engine;
    this.description = lister.description;
    this.collection = { kind: 'bucket', name: lister.name, ordered: true };
  }

  async collections(): Promise<Collection[]> {
    return [this.collection];
  }

  async plan(options: { signal?: AbortSignal; onProgress?: (message: string) => void } = {}): Promise<UnitPlan> {
    const stats: BucketStats = { objects: 0, bytes: 0, largest: undefined, storageClasses: new Map(), over5GiB: [], tooLarge: [], longKeys: [] };
    for await (const e of this.lister.walk(undefined, options.signal)) {
      stats.objects++;
      stats.bytes += e.size;
      if (!stats.largest || e.size > stats.largest.size) stats.largest = { key: e.key, size: e.size };
      if (e.storageClass && e.storageClass !== 'STANDARD') stats.storageClasses.set(e.storageClass, (stats.storageClasses.get(e.storageClass) ?? 0) + 1);
      bucketFindings.note(stats, e);
      if (stats.objects % 10_000 === 0) options.onProgress?.(`${stats.objects.toLocaleString('en-US')} objects listed`);
    }
    const findings = bucketFindings.of(stats, this.collection.name, this.engine);
    const count = (s: string) => findings.filter((f) => f.severity === s).length;
    return {
      source: { engine: this.engine, description: this.description },
      collections: [{ collection: { ...this.collection, unitEstimate: stats.objects, sizeEstimate: stats.bytes }, units: stats.objects, bytes: stats.bytes }],
      findings,
      totals: { blockers: count('blocker'), warnings: count('warning'), infos: count('info') },
    };
  }

  /** Every key, in order, without describing the objects (plan's reference check). */
  async *keys(signal?: AbortSignal): AsyncIterable<string> {
    for await (const e of this.lister.walk(undefined, signal)) yield e.key;
  }

  async snapshot(): Promise<UnitSnapshot<Collection, StoredObject>> {
    const lister = this.lister;
    let counted: { objects: number; bytes: number } | undefined;
    // One listing gives both, for progress in objects and bytes.
    const measure = async () => {
      if (counted === undefined) {
        const c = { objects: 0, bytes: 0 };
        for await (const e of lister.walk(undefined)) {
          c.objects++;
          c.bytes += e.size;
        }
        counted = c;
      }
      return counted;
    };
    return {
      consistency: 'live listing: objects written during the copy may be missed; verify afterwards',
      count: async () => (await measure()).objects,
      bytes: async () => (await measure()).bytes,
      async *read(_c: Collection, o: UnitReadOptions): AsyncIterable<Unit<StoredObject>[]> {
        const after = o.after !== undefined ? objectKey(o.after) : undefined;
        let pending: ListedEntry[] = [];
        let pendingBytes = 0;
        const flush = async () => {
          const described = await mapLimit(pending, DESCRIBE_AT_ONCE, async (e): Promise<Unit<StoredObject> | undefined> => {
            const value = await lister.describe(e);
            if (value && o.digest) value.md5 = await lister.digest(value);
            return value ? { key: [e.key], value, bytes: value.size } : undefined;
          });
          pending = [];
          pendingBytes = 0;
          return described.filter((u): u is Unit<StoredObject> => u !== undefined);
        };
        for await (const e of lister.walk(after, o.signal)) {
          pending.push(e);
          pendingBytes += e.size;
          if (pending.length >= o.maxUnits || pendingBytes >= BATCH_OBJECT_BYTES) yield await flush();
        }
        if (pending.length > 0) yield await flush();
      },
      async lookup(_c: Collection, keys: readonly Key[]) {
        return mapLimit(keys, DESCRIBE_AT_ONCE, async (k) => {
          const value = await lister.describe({ key: objectKey(k), size: -1 });
          return value ? { key: k, value, bytes: value.size } : undefined;
        });
      },
      async close() {
        // the lister stays open until the source closes
      },
    };
  }

  async close(): Promise<void> {
    await this.lister.close();
  }
}
