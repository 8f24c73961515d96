// The keys of a bucket named on the command line (plan --bucket): a bucket source (dir:, s3://)
// or an r2: target (after a copy: what the Worker will see). Held as a set for the reference
// check (object-references.ts): about 100 bytes per key.
import type { Collection } from '../catalog/collection.js';
import { UserError } from '../errors.js';
import { openAnySource, isUnitSource } from '../sources/registry.js';
import { parseAnyTarget, unitTarget, type TargetSpecOptions } from '../targets/registry.js';

export async function bucketKeys(spec: string, options: TargetSpecOptions = {}): Promise<{ name: string; keys: Set<string> }> {
  const keys = new Set<string>();
  if (/^r2:/i.test(spec)) {
    const target = unitTarget(parseAnyTarget(spec, options), spec);
    const reader = await target.reader();
    const c: Collection = { kind: 'bucket', name: spec, ordered: true };
    try {
      for await (const batch of reader.keys(c, { batch: 1000 })) for (const k of batch) keys.add(String(k[0]));
    } finally {
      await reader.close();
    }
    return { name: target.description, keys };
  }
  const source = await openAnySource(spec);
  try {
    if (!isUnitSource(source) || !('keys' in source)) throw new UserError(`--bucket '${spec}' is not a bucket: give dir:<path>, s3://<bucket>[/prefix] or r2:<BINDING>`);
    for await (const k of (source as unknown as { keys(): AsyncIterable<string> }).keys()) keys.add(k);
    return { name: source.description, keys };
  } finally {
    await source.close();
  }
}
