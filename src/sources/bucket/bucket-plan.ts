// What `plan` says about a bucket before it moves: what R2 cannot take (objects over its size
// limit, keys over 1,024 bytes), what needs multipart (over 5 GiB), what R2 does not keep
// (storage classes, ACLs, tags, object lock), how long the transfer may take, and, for very large
// buckets, the advice to move the bulk with Cloudflare's Super Slurper and verify with flarelift.
import type { Finding } from '../../catalog/findings.js';
import { R2_MAX_KEY_BYTES, R2_MAX_OBJECT_BYTES, R2_MAX_PUT_BYTES, R2_SLURPER_ADVICE_BYTES } from '../../cloudflare/limits.js';

export interface BucketStats {
  objects: number;
  bytes: number;
  largest: { key: string; size: number } | undefined;
  storageClasses: Map<string, number>;
  over5GiB: string[];
  tooLarge: string[];
  longKeys: string[];
}

/** Transfer rate the estimate assumes (a good link to R2), and the per-object cost of small files. */
const ASSUMED_BYTES_PER_SECOND = 50 * 1024 * 1024;
const ASSUMED_OBJECTS_PER_SECOND = 200;
const EXAMPLES = 5;

const fmt = (n: number) => n.toLocaleString('en-US');
const gib = (n: number) => `${(n / 1024 ** 3).toFixed(1)} GiB`;
const examples = (keys: string[], total: number) => `${keys.map((k) => `'${k}'`).join(', ')}${total > keys.length ? ` and ${fmt(total - keys.length)} more` : ''}`;

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 5400) return `${Math.ceil(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export const bucketFindings = {
  /** Counts one listed object into the stats' lists (examples kept to a few). */
  note(stats: BucketStats & { counts?: Record<string, number> }, e: { key: string; size: number }): void {
    const counts = (stats.counts ??= { over5GiB: 0, tooLarge: 0, longKeys: 0 });
    const add = (list: string[], name: string) => {
      counts[name]++;
      if (list.length < EXAMPLES) list.push(e.key);
    };
    if (e.size > R2_MAX_OBJECT_BYTES) add(stats.tooLarge, 'tooLarge');
    else if (e.size > R2_MAX_PUT_BYTES) add(stats.over5GiB, 'over5GiB');
    if (Buffer.byteLength(e.key, 'utf8') > R2_MAX_KEY_BYTES) add(stats.longKeys, 'longKeys');
  },

  of(stats: BucketStats & { counts?: Record<string, number> }, name: string, engine: string): Finding[] {
    const counts = stats.counts ?? { over5GiB: 0, tooLarge: 0, longKeys: 0 };
    const out: Finding[] = [];
    if (counts.tooLarge > 0) out.push({ severity: 'blocker', code: 'r2-object-too-large', object: name, message: `${fmt(counts.tooLarge)} object(s) over R2's object limit of ${gib(R2_MAX_OBJECT_BYTES)}: ${examples(stats.tooLarge, counts.tooLarge)}`, fix: 'split them before the move; copy rejects them with the reason' });
    if (counts.longKeys > 0) out.push({ severity: 'blocker', code: 'r2-key-too-long', object: name, message: `${fmt(counts.longKeys)} key(s) over R2's ${fmt(R2_MAX_KEY_BYTES)}-byte limit: ${examples(stats.longKeys, counts.longKeys)}`, fix: 'rename them in the source; copy rejects them with the reason' });
    if (counts.over5GiB > 0) out.push({ severity: 'info', code: 'r2-multipart-required', object: name, message: `${fmt(counts.over5GiB)} object(s) over 5 GiB (R2's single PUT limit): ${examples(stats.over5GiB, counts.over5GiB)}`, fix: 'nothing: flarelift uploads them in parts' });
    for (const [cls, n] of stats.storageClasses) {
      out.push({ severity: 'warning', code: 'r2-storage-class-dropped', object: name, message: `${fmt(n)} object(s) in storage class ${cls}: R2 has Standard and Infrequent Access only${/GLACIER|DEEP/.test(cls) ? ', and archived objects must be restored before they can be read' : ''}`, fix: 'restore archived objects first; set an R2 lifecycle rule for infrequent access' });
    }
    if (engine === 's3') out.push({ severity: 'info', code: 'r2-acl-not-carried', object: name, message: 'ACLs, object tags, object lock and bucket policies are not carried: R2 has none of them per object', fix: 'make the bucket public through a custom domain or r2.dev, or serve it through a Worker that checks access' });
    const seconds = stats.bytes / ASSUMED_BYTES_PER_SECOND + stats.objects / ASSUMED_OBJECTS_PER_SECOND;
    out.push({ severity: 'info', code: 'r2-transfer-estimate', object: name, message: `${fmt(stats.objects)} object(s), ${gib(stats.bytes)}${stats.largest ? `, the largest '${stats.largest.key}' (${gib(stats.largest.size)})` : ''}: about ${duration(seconds)} at 50 MiB/s and ${ASSUMED_OBJECTS_PER_SECOND} objects/s`, fix: 'raise --jobs for many small objects' });
    if (stats.bytes >= R2_SLURPER_ADVICE_BYTES) out.push({ severity: 'warning', code: 'r2-use-super-slurper', object: name, message: `${gib(stats.bytes)} is a lot to pull through one machine`, fix: "move the bulk with Cloudflare's Super Slurper (R2 → Data Migration), then run `flarelift verify` against the bucket, and `flarelift copy --resume` for what it missed" });
    return out;
  },
};
