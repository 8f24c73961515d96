// Writing a bucket's objects into an object store (local R2, R2 over S3, any S3 bucket): each
// batch's objects are sent several at once (--jobs), then the batch's journal entry is saved.
// A resumed copy first asks the store whether an object is already there with the same size and
// MD5 (the objects of the batch cut short), and sends nothing for those; a multipart upload cut
// short is finished from its journaled parts (object-upload.ts).
import type { Collection, Key } from '../../catalog/collection.js';
import { compareObjects, objectKey, type StoredObject } from '../../catalog/stored-object.js';
import { mapLimit } from '../../sources/bucket/bucket-source.js';
import type { TargetReport } from '../target.js';
import type { UnitBatch, UnitFailure, UnitJournalEntry, UnitTargetSession, UnitTargetState } from '../unit-target.js';
import type { ObjectJournal } from './object-journal.js';
import type { ObjectStore } from './object-store.js';
import { uploadObject } from './object-upload.js';

const fmtBytes = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${n} bytes`);

/** Whether the store already holds this object as the source has it (sizes, then MD5s when both are known). */
function alreadyEqual(source: StoredObject, target: StoredObject | undefined): boolean {
  if (!target || target.size !== source.size) return false;
  if (!(source.md5 && target.md5) && !(source.etag && target.sourceEtag)) return false;
  return compareObjects(source, target) === undefined;
}

export class ObjectSession implements UnitTargetSession<Collection, StoredObject> {
  private resumed = false;
  private sentBytes = 0;
  private sentObjects = 0;
  private keptObjects = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly journal: ObjectJournal,
    private readonly jobs: number,
  ) {}

  async state(collections: readonly Collection[]): Promise<UnitTargetState> {
    const filled = new Map<string, boolean>();
    const any = (await this.store.list(undefined, 1)).objects.length > 0;
    for (const c of collections) filled.set(c.name, any);
    if (this.journal.data) {
      this.resumed = true;
      return { journal: this.journal.data.entries, filled };
    }
    return { filled };
  }

  async begin(setup: { entries: UnitJournalEntry[] }): Promise<void> {
    this.journal.begin(setup.entries);
  }

  async committed(_c: Collection, keys: readonly Key[]): Promise<boolean[]> {
    return keys.map(() => false); // ordered: the pipeline resumes after the last committed key
  }

  async write(batch: UnitBatch<Collection, StoredObject>): Promise<UnitJournalEntry> {
    const failures: UnitFailure[] = [];
    await mapLimit(batch.units, this.jobs, async (unit, index) => {
      const key = objectKey(unit.key);
      const there = this.resumed ? await this.store.head(key) : undefined;
      // A local file's MD5 costs a disk read, not a transfer: worth it to skip a resend.
      if (there && there.size === unit.value.size && !unit.value.md5 && unit.value.digest) unit.value.md5 = await unit.value.digest();
      if (there && alreadyEqual(unit.value, there)) {
        this.keptObjects++;
        batch.onBytes?.(unit.value.size);
        return;
      }
      const result = await uploadObject(this.store, this.journal, key, unit.value, batch.onBytes);
      this.sentBytes += result.sent;
      if (result.failure) failures.push({ index, reason: result.failure });
      else this.sentObjects++;
    });
    if (failures.length > 0) batch.onFailures(failures);
    const data = this.journal.data!;
    const at = data.entries.findIndex((e) => e.collection === batch.collection.name);
    const after = { ...batch.after, written: batch.after.written - failures.length, rejected: batch.after.rejected + failures.length };
    data.entries[at] = after;
    this.journal.save();
    return after;
  }

  async finish(): Promise<TargetReport> {
    const notes = [`${this.store.description}: ${this.sentObjects} object(s) sent, ${fmtBytes(this.sentBytes)}`];
    if (this.keptObjects > 0) notes.push(`${this.keptObjects} object(s) already there with the same size and MD5 were not sent again`);
    for (const [key, u] of Object.entries(this.journal.data?.uploads ?? {})) await this.store.abortMultipart(key, u.uploadId);
    this.journal.remove();
    return { findings: [], notes };
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
