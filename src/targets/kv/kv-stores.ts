// How the bytes reach each KV target: the local namespace through Miniflare, bulk files in a
// directory (kvjson:), or bulk files uploaded by the user's wrangler (--remote).
import { UserError } from '../../errors.js';
import type { Wrangler } from '../../cloudflare/wrangler-cli.js';
import type { UnitFailure } from '../unit-target.js';
import { BulkFiles, type BulkFileEntry, type BulkState } from './kv-bulk-files.js';
import type { KvEntry } from './kv-cast.js';
import { LocalKvNamespace } from './kv-miniflare.js';
import type { KvStore } from './kv-session.js';

export async function localStore(persistRoot: string, namespaceId: string): Promise<KvStore> {
  const kv = await LocalKvNamespace.open(persistRoot, namespaceId);
  return {
    async put(entries) {
      try {
        await kv.put(entries);
        return [];
      } catch {
        // One entry KV refuses fails its whole request: write them one by one to name it.
        const failures: UnitFailure[] = [];
        for (const [index, e] of entries.entries()) {
          try {
            await kv.put([e]);
          } catch (err) {
            failures.push({ index, reason: `local KV refused it: ${(err as Error).message.replace(/^local KV \/put failed: /, '')}` });
          }
        }
        return failures;
      }
    },
    async hasData() {
      for await (const page of kv.list()) return page.length > 0;
      return false;
    },
    finish: async () => [],
    close: () => kv.close(),
  };
}

export function fileStore(dir: string, resumed: unknown, load: string, upload?: (file: BulkFileEntry) => Promise<void>): KvStore {
  const files = new BulkFiles(dir, resumed as BulkState | undefined, load, upload);
  return {
    async put(entries: readonly KvEntry[]) {
      if (upload && resumed) {
        await files.retryUploads();
        resumed = undefined;
      }
      await files.add(entries);
      return [];
    },
    snapshot: () => files.snapshot(),
    hasData: async () => files.hasData(),
    reset: () => files.reset(),
    async finish() {
      await files.complete();
      if (upload) await files.retryUploads();
      files.writeManifest();
      const pairs = files.files.reduce((n, f) => n + f.pairs, 0);
      return [`${files.files.length} bulk file(s), ${pairs} pairs, in ${dir} (manifest.json lists them in order)${upload ? ', each uploaded with wrangler kv bulk put' : ''}`];
    },
    close: async () => files.close(),
  };
}

/** The upload of one bulk file by the user's wrangler; the entry is marked once KV has it. */
export function wranglerUpload(wrangler: Wrangler, dir: string, args: (file: string) => string[], what: string) {
  return async (f: BulkFileEntry) => {
    try {
      await wrangler.run(args(`${dir}/${f.file}`), `uploading ${f.file} to ${what}`);
    } catch (e) {
      if (e instanceof UserError) throw new UserError(`${e.message} — the copy can be resumed with --resume once this is fixed`);
      throw e;
    }
    f.uploaded = true;
  };
}
