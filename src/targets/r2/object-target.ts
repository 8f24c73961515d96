// A bucket target over any object store: R2's limits, the cast (objects travel as they are; the
// inverse is the identity, so verify compares size, MD5, headers and metadata), a session and a
// reader. The store is opened (and its driver imported) only by open() and reader().
import type { Collection } from '../../catalog/collection.js';
import { compareObjects, describeObject, type StoredObject } from '../../catalog/stored-object.js';
import { R2_MAX_KEY_BYTES, R2_MAX_METADATA_BYTES, R2_MAX_OBJECT_BYTES } from '../../cloudflare/limits.js';
import { DEFAULT_JOBS } from '../../pipeline/copy-defaults.js';
import type { UnitCast, UnitTarget } from '../unit-target.js';
import { ObjectJournal } from './object-journal.js';
import { objectReader } from './object-reader.js';
import { ObjectSession } from './object-session.js';
import type { ObjectStore } from './object-store.js';

/** Room left in R2's metadata for flarelift's own MD5 / source ETag entry. */
const OWN_METADATA_BYTES = 128;

export interface ObjectTargetSpec {
  kind: string;
  description: string;
  journalFile: string;
  openStore(): Promise<ObjectStore>;
}

export const objectCast: UnitCast<Collection, StoredObject, StoredObject> = {
  cast(unit) {
    const metaBytes = Object.entries(unit.value.meta).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    if (metaBytes > R2_MAX_METADATA_BYTES - OWN_METADATA_BYTES) return { reject: `user metadata of ${metaBytes} bytes is over R2's limit of ${R2_MAX_METADATA_BYTES} bytes` };
    return { unit };
  },
  compare: (expected, actual) => compareObjects(expected.value, actual.value),
  describe: (v) => describeObject(v),
};

export function objectTarget(spec: ObjectTargetSpec): UnitTarget<Collection, StoredObject, StoredObject> {
  return {
    kind: spec.kind,
    description: spec.description,
    // Beside the journal: <state>/r2/flarelift-<bucket>.flarelift-lock, or .flarelift/<scheme>-<bucket>-<id>.flarelift-lock.
    lockFile: spec.journalFile.replace(/\.journal\.json$/, '') + '.flarelift-lock',
    capabilities: { limitsOf: 'R2', maxKeyBytes: R2_MAX_KEY_BYTES, maxUnitBytes: R2_MAX_OBJECT_BYTES },
    accepts: ['bucket'],
    castFrom: () => objectCast,
    async open(options) {
      return new ObjectSession(await spec.openStore(), new ObjectJournal(spec.journalFile), Math.max(1, options?.jobs ?? DEFAULT_JOBS));
    },
    async reader() {
      return objectReader(await spec.openStore());
    },
  };
}
